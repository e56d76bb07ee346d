// bench_eval: the whole measure suite (lg::eval::evaluate) on a large score matrix, and the
// generator of that matrix. bench/run_eval.sh runs it beside bench/eval_reference.py
// (scikit-learn on the same arrays) and prints the ratio; figures are in bench/README.md.
//
//   bench_eval gen DIR [N L SEED]     truth.npy (uint8) and scores.npy (float32), N x L
//                                     (default 100000 x 1000), deterministic
//   bench_eval time DIR [--threads T] [--repeat R]
//
// `time` prints `SECONDS <best evaluate()> CPU_SECONDS <its CPU time, all threads>
// THRESHOLD_SECONDS <best fixed:0.5> THREADS <t> ROWS <n> LABELS <l> SKIPPED <k>`, then one `VALUE <name> <value>` line per measure (run_eval.sh compares
// them with the reference's).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/layout.hpp"
#include "eval/measures.hpp"
#include "eval/thresholding.hpp"

namespace {
namespace fs = std::filesystem;
using lg::Index;

// ---- .npy files (version 1.0, C order; only what this benchmark writes) --------------------

void write_npy(const fs::path& path, const char* descr, Index rows, Index cols, const void* data,
               std::size_t bytes) {
  std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}, {}), }}",
                                   descr, rows, cols);
  // magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64
  const std::size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
  header.append(total - 10 - header.size() - 1, ' ');
  header += '\n';
  std::FILE* f = std::fopen(path.string().c_str(), "wb");
  if (!f) throw lg::Error(path.string(), 0, "cannot create the file");
  const std::uint16_t length = static_cast<std::uint16_t>(header.size());
  const unsigned char prefix[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                    static_cast<unsigned char>(length & 0xff),
                                    static_cast<unsigned char>(length >> 8)};
  const bool ok = std::fwrite(prefix, 1, 10, f) == 10 &&
                  std::fwrite(header.data(), 1, header.size(), f) == header.size() &&
                  std::fwrite(data, 1, bytes, f) == bytes;
  if (std::fclose(f) != 0 || !ok) throw lg::Error(path.string(), 0, "write failed");
}

/// Reads a 2-D C-order .npy file with the given descr into `out` (resized by the caller's
/// matrix type); returns the shape.
template <typename Matrix>
Matrix read_npy(const fs::path& path, const char* descr) {
  std::FILE* f = std::fopen(path.string().c_str(), "rb");
  if (!f) throw lg::Error(path.string(), 0, "cannot open the file");
  unsigned char prefix[10];
  if (std::fread(prefix, 1, 10, f) != 10 || std::memcmp(prefix, "\x93NUMPY", 6) != 0 || prefix[6] != 1) {
    std::fclose(f);
    throw lg::Error(path.string(), 0, "not a version 1 .npy file");
  }
  std::string header(prefix[8] | (prefix[9] << 8), '\0');
  if (std::fread(header.data(), 1, header.size(), f) != header.size()) {
    std::fclose(f);
    throw lg::Error(path.string(), 0, "truncated header");
  }
  long long rows = 0, cols = 0;
  const std::size_t shape = header.find("'shape': (");
  if (header.find(fmt::format("'descr': '{}'", descr)) == std::string::npos ||
      header.find("'fortran_order': False") == std::string::npos || shape == std::string::npos ||
      std::sscanf(header.c_str() + shape, "'shape': (%lld, %lld)", &rows, &cols) != 2) {
    std::fclose(f);
    throw lg::Error(path.string(), 0, fmt::format("expected a C-order 2-D '{}' array", descr));
  }
  Matrix m(rows, cols);
  const std::size_t bytes = static_cast<std::size_t>(m.size()) * sizeof(typename Matrix::Scalar);
  const bool ok = std::fread(m.data(), 1, bytes, f) == bytes;
  std::fclose(f);
  if (!ok) throw lg::Error(path.string(), 0, "truncated data");
  return m;
}

// ---- generation ----------------------------------------------------------------------------

/// Truth: 1-7 labels per row (mean about 4), drawn from power-law label frequencies
/// (p(l) ~ 1 / (l + 10)^1.1); scores: sigmoid of a normal logit that is 2.5 higher for true
/// labels, minus 2.5 (so most scores are low, as a trained model's are), rounded to float32.
/// Rows are generated in blocks with their own seeds, on all cores.
void generate(const fs::path& dir, Index n, Index labels, std::uint64_t seed) {
  std::vector<double> cumulative(static_cast<std::size_t>(labels));
  double sum = 0.0;
  for (Index l = 0; l < labels; ++l) cumulative[l] = sum += 1.0 / std::pow(static_cast<double>(l + 10), 1.1);
  for (double& c : cumulative) c /= sum;

  lg::LabelMatrix truth = lg::LabelMatrix::Zero(n, labels);
  lg::ScoreMatrix scores(n, labels);
  constexpr Index kBlock = 4096;
  const Index blocks = (n + kBlock - 1) / kBlock;
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (Index b = t; b < blocks; b += threads) {
        std::mt19937_64 rng(seed * 1000003 + static_cast<std::uint64_t>(b));
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        std::normal_distribution<float> noise(0.0f, 1.0f);
        for (Index i = b * kBlock; i < std::min(n, (b + 1) * kBlock); ++i) {
          const int count = 1 + static_cast<int>(rng() % 7);
          for (int k = 0; k < count; ++k) {
            const Index l = std::lower_bound(cumulative.begin(), cumulative.end(), unit(rng)) -
                            cumulative.begin();
            truth(i, std::min(l, labels - 1)) = 1;
          }
          for (Index l = 0; l < labels; ++l) {
            const float logit = noise(rng) + (truth(i, l) ? 2.5f : 0.0f) - 2.5f;
            scores(i, l) = 1.0f / (1.0f + std::exp(-logit));
          }
        }
      }
    });
  }
  for (std::thread& w : workers) w.join();
  fs::create_directories(dir);
  write_npy(dir / "truth.npy", "|u1", n, labels, truth.data(), static_cast<std::size_t>(truth.size()));
  write_npy(dir / "scores.npy", "<f4", n, labels, scores.data(),
            static_cast<std::size_t>(scores.size()) * sizeof(float));
}

// ---- timing --------------------------------------------------------------------------------

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int time_suite(const fs::path& dir, int threads, int repeat) {
  const auto truth = read_npy<lg::LabelMatrix>(dir / "truth.npy", "|u1");
  const auto scores = read_npy<lg::ScoreMatrix>(dir / "scores.npy", "<f4");
  const lg::eval::Thresholds fixed =
      lg::eval::fit_thresholds(lg::eval::parse_threshold_spec("fixed:0.5"), scores.cols());
  double best_threshold = 1e300, best = 1e300;
  lg::LabelMatrix predictions;
  for (int r = 0; r < repeat; ++r) {
    const auto start = std::chrono::steady_clock::now();
    predictions = lg::eval::apply_thresholds(fixed, scores);
    best_threshold = std::min(best_threshold, seconds_since(start));
  }
  lg::eval::MeasureOptions options;
  options.threads = threads;
  lg::eval::EvaluationResult result;
  double best_cpu = 1e300;
  for (int r = 0; r < repeat; ++r) {
    const std::clock_t cpu = std::clock();
    const auto start = std::chrono::steady_clock::now();
    lg::eval::EvaluationResult run = lg::eval::evaluate(truth, scores, predictions, options);
    const double wall = seconds_since(start);
    if (wall < best) {
      best = wall;
      best_cpu = static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC;
    }
    result = std::move(run);  // freed outside the timed region
  }
  const int used = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  fmt::print("SECONDS {:.4f} CPU_SECONDS {:.4f} THRESHOLD_SECONDS {:.4f} THREADS {} ROWS {} "
             "LABELS {} SKIPPED {}\n",
             best, best_cpu, best_threshold, used, truth.rows(), truth.cols(), result.skipped_labels);
  for (const auto& m : result.measures) fmt::print("VALUE {} {:.17g}\n", m.name, m.value);
  return 0;
}

int usage() {
  std::cerr << "usage: bench_eval gen DIR [N L SEED]\n"
               "       bench_eval time DIR [--threads T] [--repeat R]\n";
  return 2;
}

int run(const std::vector<std::string>& args) {
  if (args.size() >= 2 && args[0] == "gen") {
    const Index n = args.size() > 2 ? std::stoll(args[2]) : 100000;
    const Index labels = args.size() > 3 ? std::stoll(args[3]) : 1000;
    const std::uint64_t seed = args.size() > 4 ? std::stoull(args[4]) : 42;
    generate(args[1], n, labels, seed);
    return 0;
  }
  if (args.size() >= 2 && args[0] == "time") {
    int threads = 0, repeat = 3;
    for (std::size_t i = 2; i + 1 < args.size(); i += 2) {
      if (args[i] == "--threads") threads = std::stoi(args[i + 1]);
      else if (args[i] == "--repeat") repeat = std::stoi(args[i + 1]);
      else return usage();
    }
    return time_suite(args[1], threads, std::max(1, repeat));
  }
  return usage();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::cerr << "bench_eval: " << e.what() << "\n";
    return 1;
  }
}
