// bench_graph: label co-occurrence counting (M = Y^T Y). bench/run_graph.sh runs it beside
// bench/graph_reference.py (scipy's Y.T @ Y on the same CSR) and prints the ratio; figures
// are in bench/README.md.
//
//   bench_graph sparse DIR [--rows N] [--labels L] [--per-row K] [--seed S] [--repeat R]
//       Generates an N x L sparse label matrix (default 1,000,000 x 10,000, 1..2K-1 labels per
//       row, K = 5 on average, Zipf(1) label frequencies), writes it to DIR as indptr.npy
//       (int64), indices.npy (int32) and shape.txt for scipy, and times
//       count_cooccurrence(SparseLabels) with 1 and 2 threads. One line per thread count:
//       `SPARSE threads T SECONDS <best> CPU_SECONDS <best user + system> NNZ <stored pairs>
//        CHECKSUM <c> PEAK_MB <VmHWM> INPUT_MB <CSR bytes> OUTPUT_MB <Eigen CSR bytes>`.
//   bench_graph dense [--repeat R]
//       The dense overload on generated matrices (100k x 1000 with ~5 power-law labels per
//       row and with ~100 independent ones, 5000 x 374 with ~3) and, when LABELGRAPH_DATA has them,
//       delicious, bibtex and Corel5k: each kernel (bitset, sparse, automatic) and an Eigen float
//       GEMM for comparison. One line per kernel: `DENSE <data> <kernel> threads T SECONDS <best>`.
//
// PEAK_MB is the process's VmHWM (peak resident set), reset through /proc/self/clear_refs
// before each timed call, so it covers the input (resident throughout) plus everything the
// count allocates. CHECKSUM = sum over stored (i, j) of M_ij * ((i * 7919 + j) mod 1000003),
// the same in graph_reference.py.
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "graph/cooccurrence.hpp"
#include "io/read_dataset.hpp"

namespace {
namespace fs = std::filesystem;
using lg::Index;
using lg::graph::Cooccurrence;
using lg::graph::DenseKernel;
using lg::graph::SparseLabels;

/// User + system CPU time of the whole process so far.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void reset_peak_memory() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
}

double peak_memory_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
  return 0.0;
}

/// Labels drawn with probability ~ 1 / (rank + 1); k labels per row, uniform in [1, 2K - 1].
SparseLabels power_law_labels(Index rows, Index num_labels, int per_row, unsigned seed) {
  std::vector<double> cdf(static_cast<std::size_t>(num_labels));
  double total = 0.0;
  for (Index l = 0; l < num_labels; ++l) cdf[l] = total += 1.0 / static_cast<double>(l + 1);
  for (double& v : cdf) v /= total;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<int> count(1, 2 * per_row - 1);
  SparseLabels y;
  y.num_labels = num_labels;
  y.row_offset.reserve(static_cast<std::size_t>(rows) + 1);
  y.label_index.reserve(static_cast<std::size_t>(rows * per_row));
  std::vector<std::int32_t> row;
  for (Index r = 0; r < rows; ++r) {
    const int k = std::min<Index>(count(rng), num_labels);
    row.clear();
    while (static_cast<int>(row.size()) < k) {
      const auto l = static_cast<std::int32_t>(std::lower_bound(cdf.begin(), cdf.end(), unit(rng)) -
                                               cdf.begin());
      if (l < num_labels && std::find(row.begin(), row.end(), l) == row.end()) row.push_back(l);
    }
    std::sort(row.begin(), row.end());
    y.label_index.insert(y.label_index.end(), row.begin(), row.end());
    y.row_offset.push_back(static_cast<Index>(y.label_index.size()));
  }
  return y;
}

/// A .npy file (format 1.0) of one little-endian integer vector.
template <class T>
void write_npy(const fs::path& path, const std::vector<T>& values, const char* descr) {
  std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({},), }}",
                                   descr, values.size());
  const std::size_t unpadded = 10 + header.size() + 1;  // magic + version + length, '\n'
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const auto length = static_cast<std::uint16_t>(header.size());
  const char length_bytes[2] = {static_cast<char>(length & 0xff), static_cast<char>(length >> 8)};
  out.write(length_bytes, 2);
  out << header;
  out.write(reinterpret_cast<const char*>(values.data()),
            static_cast<std::streamsize>(values.size() * sizeof(T)));
  if (!out) throw lg::Error(path.string(), 0, "cannot write the file");
}

long long checksum(const Cooccurrence& c) {
  long long sum = 0;
  for (Index i = 0; i < c.counts.outerSize(); ++i)
    for (lg::graph::CountMatrix::InnerIterator it(c.counts, i); it; ++it)
      sum += static_cast<long long>(it.value()) * ((i * 7919 + it.col()) % 1000003);
  return sum;
}

int sparse_bench(const fs::path& dir, Index rows, Index num_labels, int per_row, unsigned seed,
                 int repeat) {
  auto t0 = std::chrono::steady_clock::now();
  const SparseLabels y = power_law_labels(rows, num_labels, per_row, seed);
  std::cerr << fmt::format("generated {} x {}, {} labels ({:.2f} per row) in {:.1f} s\n", rows,
                           num_labels, y.nonzeros(), double(y.nonzeros()) / rows,
                           seconds_since(t0));
  fs::create_directories(dir);
  write_npy(dir / "indptr.npy", y.row_offset, "<i8");
  write_npy(dir / "indices.npy", y.label_index, "<i4");
  std::ofstream(dir / "shape.txt") << rows << " " << num_labels << "\n";
  const double input_mb =
      static_cast<double>(y.row_offset.size() * sizeof(Index) + y.label_index.size() * 4) / 1e6;

  for (int threads : {1, 2}) {
    double best = 1e300, best_cpu = 1e300, peak = 0.0;
    Index nnz = 0;
    long long sum = 0;
    for (int r = 0; r < repeat; ++r) {
      reset_peak_memory();
      const double cpu0 = cpu_seconds();
      t0 = std::chrono::steady_clock::now();
      const Cooccurrence c = lg::graph::count_cooccurrence(y, {}, threads);
      best = std::min(best, seconds_since(t0));
      best_cpu = std::min(best_cpu, cpu_seconds() - cpu0);
      peak = std::max(peak, peak_memory_mb());
      nnz = c.counts.nonZeros();
      if (r == 0) sum = checksum(c);
    }
    const double output_mb = static_cast<double>(nnz) * 16.0 / 1e6;
    std::cout << fmt::format(
        "SPARSE threads {} SECONDS {:.4f} CPU_SECONDS {:.4f} NNZ {} CHECKSUM {} PEAK_MB {:.0f} "
        "INPUT_MB {:.0f} OUTPUT_MB {:.0f}\n",
        threads, best, best_cpu, nnz, sum, peak, input_mb, output_mb);
  }
  return 0;
}

// ---- dense ----

/// Independent labels with P(label l) ~ (l + 1)^-1/2 scaled to k labels per row on average
/// (capped at 1): a dense matrix where rejection sampling without replacement would crawl.
lg::LabelMatrix bernoulli_labels(Index rows, Index num_labels, double per_row, unsigned seed) {
  std::vector<double> p(static_cast<std::size_t>(num_labels));
  double total = 0.0;
  for (Index l = 0; l < num_labels; ++l) total += p[l] = 1.0 / std::sqrt(double(l + 1));
  for (double& v : p) v = std::min(1.0, v * per_row / total);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  lg::LabelMatrix y(rows, num_labels);
  for (Index r = 0; r < rows; ++r)
    for (Index l = 0; l < num_labels; ++l) y(r, l) = unit(rng) < p[l] ? 1 : 0;
  return y;
}

lg::LabelMatrix dense_of(const SparseLabels& s) {
  lg::LabelMatrix y = lg::LabelMatrix::Zero(s.rows(), s.num_labels);
  for (Index r = 0; r < s.rows(); ++r)
    for (Index p = s.row_offset[r]; p < s.row_offset[r + 1]; ++p) y(r, s.label_index[p]) = 1;
  return y;
}

/// Y^T Y as float GEMMs over blocks of 4096 rows (exact: every block sum < 2^24), added into
/// a double accumulator: what one would write with Eigen alone (one thread: no OpenMP here).
Eigen::MatrixXd gemm_counts(const lg::LabelMatrix& y) {
  const Index block = 4096;
  Eigen::MatrixXd total = Eigen::MatrixXd::Zero(y.cols(), y.cols());
  Eigen::MatrixXf part(y.cols(), y.cols());
  for (Index r0 = 0; r0 < y.rows(); r0 += block) {
    const Index b = std::min(block, y.rows() - r0);
    const Eigen::MatrixXf f = y.middleRows(r0, b).cast<float>();
    part.setZero();
    part.selfadjointView<Eigen::Lower>().rankUpdate(f.transpose());
    total += part.cast<double>();
  }
  return total.selfadjointView<Eigen::Lower>();
}

template <class F>
double best_of(int repeat, const F& f) {
  double best = 1e300;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, seconds_since(t0));
  }
  return best;
}

void dense_case(const std::string& name, const lg::LabelMatrix& y, int repeat) {
  double k = 0;
  for (Index i = 0; i < y.size(); ++i) k += y.data()[i] != 0;
  std::cerr << fmt::format("{}: {} x {}, {:.2f} labels per row\n", name, y.rows(), y.cols(),
                           k / std::max<Index>(1, y.rows()));
  const Eigen::MatrixXd reference = gemm_counts(y);
  struct Kernel {
    const char* name;
    DenseKernel kernel;
  };
  for (const Kernel& kernel :
       {Kernel{"bitset", DenseKernel::Bitset}, Kernel{"sparse", DenseKernel::Sparse},
        Kernel{"automatic", DenseKernel::Automatic}}) {
    if (kernel.kernel == DenseKernel::Bitset && y.cols() > 8192) continue;
    for (int threads : {1, 2}) {
      Cooccurrence c;
      const double s = best_of(
          repeat, [&] { c = lg::graph::count_cooccurrence(y, {}, threads, kernel.kernel); });
      if (c.dense() != reference) throw lg::Error(name + ": " + kernel.name + " differs from GEMM");
      std::cout << fmt::format("DENSE {} {} threads {} SECONDS {:.4f}\n", name, kernel.name,
                               threads, s);
    }
  }
  const double gemm = best_of(repeat, [&] { gemm_counts(y); });
  std::cout << fmt::format("DENSE {} eigen-float-gemm threads 1 SECONDS {:.4f}\n", name, gemm);
}

int dense_bench(int repeat) {
  dense_case("generated-100k-x-1000-k5", dense_of(power_law_labels(100000, 1000, 5, 1)), repeat);
  dense_case("generated-100k-x-1000-k100", bernoulli_labels(100000, 1000, 100, 2), repeat);
  dense_case("generated-5000-x-374-k3.5", dense_of(power_law_labels(5000, 374, 3, 3)), repeat);
  const char* env = std::getenv("LABELGRAPH_DATA");
  const fs::path data = env && *env ? fs::path(env) : fs::path("../shared/datasets");
  for (const char* file : {"delicious/delicious-train.arff", "bibtex/bibtex-train.arff",
                           "corel5k/Corel5k-train-sparse.arff"}) {
    const fs::path path = data / file;
    if (!fs::exists(path)) {
      std::cerr << "skipping " << path << " (not found)\n";
      continue;
    }
    dense_case(fs::path(file).stem().string(), lg::read_dataset(path.string()).labels, repeat);
  }
  return 0;
}

int usage() {
  std::cerr << "usage: bench_graph sparse DIR [--rows N] [--labels L] [--per-row K] [--seed S] "
               "[--repeat R]\n"
               "       bench_graph dense [--repeat R]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) return usage();
    Index rows = 1000000, labels = 10000;
    int per_row = 5, repeat = 3;
    unsigned seed = 1;
    const std::size_t first_option = args[0] == "sparse" ? 2 : 1;
    for (std::size_t i = first_option; i + 1 < args.size(); i += 2) {
      if (args[i] == "--rows")
        rows = std::stoll(args[i + 1]);
      else if (args[i] == "--labels")
        labels = std::stoll(args[i + 1]);
      else if (args[i] == "--per-row")
        per_row = std::stoi(args[i + 1]);
      else if (args[i] == "--seed")
        seed = static_cast<unsigned>(std::stoul(args[i + 1]));
      else if (args[i] == "--repeat")
        repeat = std::max(1, std::stoi(args[i + 1]));
      else
        return usage();
    }
    if (args[0] == "sparse" && args.size() >= 2)
      return sparse_bench(args[1], rows, labels, per_row, seed, repeat);
    if (args[0] == "dense") return dense_bench(repeat);
    return usage();
  } catch (const std::exception& e) {
    std::cerr << "bench_graph: " << e.what() << "\n";
    return 1;
  }
}
