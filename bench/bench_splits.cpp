// bench_splits: iterative stratification (Sechidis et al. 2011; second order, Szymański &
// Kajdanowicz 2017) of a generated label matrix into k folds, timed against random k-fold in
// the same run (the ratio reference). bench/run_splits.sh runs it; figures are in
// bench/README.md (scikit-multilearn's IterativeStratification needs 8.6 s for first order on
// this size, the figure of the issue; it cannot be installed here).
//
//   bench_splits [--rows N] [--labels L] [--per-row C] [--exponent A] [--folds K]
//                [--repeat R] [--seed S] [--save DIR]
//
// The matrix: N x L (default 100,000 x 100); label l is on independently with probability
// p_l = c * (l + 1)^(-A) (A = 1 by default: power-law label frequencies), c chosen so that
// sum_l p_l = C (default 3 labels per row). One line per method:
//   `SPLIT <method> SECONDS <best of R> LD <..> ED <..> FZ <..> FLZ <..> PAIR_LD <..>`
// with the fold quality figures of lg::fold_quality, and PAIR_LD the same LD over the label
// pairs that occur (how well second order keeps pair proportions).
// --save DIR writes the matrix (DIR/y.u8: N x L bytes, row-major; DIR/shape.txt: "N L K")
// and each method's fold ids (DIR/folds_<method>.i32, int32) for bench/splits_reference.py,
// which times a plain Python transcription of the algorithm on the same matrix and checks
// the fold quality figures printed here with its own NumPy code.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "data/split.hpp"

namespace {
using lg::Index;
using lg::LabelMatrix;

struct Options {
  Index rows = 100000;
  Index labels = 100;
  double per_row = 3.0;
  double exponent = 1.0;
  int folds = 5;
  int repeat = 3;
  std::uint64_t seed = 1;
  std::string save;  ///< folder for the matrix and fold ids; empty = none
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) throw lg::Error("bench_splits: " + arg + " needs a value");
    const std::string value = argv[++i];
    if (arg == "--rows")
      o.rows = std::stoll(value);
    else if (arg == "--labels")
      o.labels = std::stoll(value);
    else if (arg == "--per-row")
      o.per_row = std::stod(value);
    else if (arg == "--exponent")
      o.exponent = std::stod(value);
    else if (arg == "--folds")
      o.folds = std::stoi(value);
    else if (arg == "--repeat")
      o.repeat = std::stoi(value);
    else if (arg == "--seed")
      o.seed = std::stoull(value);
    else if (arg == "--save")
      o.save = value;
    else
      throw lg::Error("bench_splits: unknown option " + arg);
  }
  if (o.rows < 1 || o.labels < 2 || o.per_row <= 0 || o.folds < 2 || o.repeat < 1)
    throw lg::Error("bench_splits: rows >= 1, labels >= 2, per-row > 0, folds >= 2, repeat >= 1");
  return o;
}

LabelMatrix generate(const Options& o) {
  std::vector<double> p(static_cast<std::size_t>(o.labels));
  double sum = 0.0;
  for (Index l = 0; l < o.labels; ++l)
    sum += p[l] = std::pow(static_cast<double>(l + 1), -o.exponent);
  for (double& v : p) v = std::min(1.0, v * o.per_row / sum);
  std::mt19937_64 rng(o.seed);
  LabelMatrix y(o.rows, o.labels);
  for (Index i = 0; i < o.rows; ++i)
    for (Index l = 0; l < o.labels; ++l)
      y(i, l) = static_cast<double>(rng() >> 11) * 0x1.0p-53 < p[l] ? 1 : 0;
  return y;
}

/// LD over the label pairs that occur: per fold and pair, positives / negatives odds against
/// the whole set's, as lg::fold_quality does for labels.
double pair_ld(const LabelMatrix& y, const std::vector<int>& fold, int folds) {
  const Index n = y.rows(), num_labels = y.cols();
  const auto pairs = static_cast<std::size_t>(num_labels * num_labels);
  std::vector<Index> count(pairs * static_cast<std::size_t>(folds + 1), 0), size(folds, 0);
  std::vector<Index> on;
  for (Index i = 0; i < n; ++i) {
    const int f = fold[static_cast<std::size_t>(i)];
    ++size[static_cast<std::size_t>(f)];
    on.clear();
    for (Index l = 0; l < num_labels; ++l)
      if (y(i, l)) on.push_back(l);
    for (std::size_t a = 0; a < on.size(); ++a)
      for (std::size_t b = a + 1; b < on.size(); ++b) {
        const auto key = static_cast<std::size_t>(on[a] * num_labels + on[b]);
        ++count[key * static_cast<std::size_t>(folds + 1) + static_cast<std::size_t>(f)];
        ++count[key * static_cast<std::size_t>(folds + 1) + static_cast<std::size_t>(folds)];
      }
  }
  auto odds = [](Index pos, Index all) {
    return static_cast<double>(pos) / static_cast<double>(std::max<Index>(all - pos, 1));
  };
  double total = 0.0;
  Index occurring = 0;
  for (std::size_t key = 0; key < pairs; ++key) {
    const Index* c = count.data() + key * static_cast<std::size_t>(folds + 1);
    if (c[folds] == 0) continue;
    ++occurring;
    const double whole = odds(c[folds], n);
    double sum = 0.0;
    for (int f = 0; f < folds; ++f)
      sum += std::abs(odds(c[f], size[static_cast<std::size_t>(f)]) - whole);
    total += sum / folds;
  }
  return occurring > 0 ? total / static_cast<double>(occurring) : 0.0;
}

void write_bytes(const std::string& path, const void* data, std::size_t bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
  if (!out) throw lg::Error(path, 0, "cannot write");
}

void run(const std::string& name, const Options& o, const LabelMatrix& y,
         const std::function<std::vector<int>()>& split) {
  double best = INFINITY;
  std::vector<int> fold;
  for (int r = 0; r < o.repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    fold = split();
    best = std::min(best,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  if (!o.save.empty()) {
    std::vector<std::int32_t> ids(fold.begin(), fold.end());
    write_bytes(o.save + "/folds_" + name + ".i32", ids.data(), ids.size() * sizeof(std::int32_t));
  }
  const lg::FoldQuality q = lg::fold_quality(y, fold, o.folds);
  std::printf("SPLIT %s SECONDS %.4f LD %.9g ED %.9g FZ %d FLZ %d PAIR_LD %.9g\n", name.c_str(),
              best, q.label_distribution, q.example_distribution, q.folds_without_label,
              q.fold_label_pairs_without_positive, pair_ld(y, fold, o.folds));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    const LabelMatrix y = generate(o);
    const Index positives = y.cast<Index>().sum();
    Index rarest = y.rows(), empty = 0;
    for (Index l = 0; l < y.cols(); ++l) rarest = std::min(rarest, y.col(l).cast<Index>().sum());
    for (Index i = 0; i < y.rows(); ++i) empty += y.row(i).cast<Index>().sum() == 0;
    std::fprintf(stderr,
                 "Y: %lld x %lld, %.3f labels per row, rarest label on %lld rows, %lld rows "
                 "without labels; %d folds, best of %d\n",
                 static_cast<long long>(y.rows()), static_cast<long long>(y.cols()),
                 static_cast<double>(positives) / static_cast<double>(y.rows()),
                 static_cast<long long>(rarest), static_cast<long long>(empty), o.folds, o.repeat);
    if (!o.save.empty()) {
      write_bytes(o.save + "/y.u8", y.data(), static_cast<std::size_t>(y.size()));
      const std::string shape = fmt::format("{} {} {}\n", y.rows(), y.cols(), o.folds);
      write_bytes(o.save + "/shape.txt", shape.data(), shape.size());
    }
    run("kfold", o, y, [&] { return lg::kfold_assignment(y.rows(), o.folds, o.seed); });
    run("iterative1", o, y, [&] { return lg::iterative_stratification(y, o.folds, 1, o.seed); });
    run("iterative2", o, y, [&] { return lg::iterative_stratification(y, o.folds, 2, o.seed); });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
