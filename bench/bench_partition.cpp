// bench_partition: the two hot spots of the label-set and neighbour models. bench/
// run_partition.sh runs it beside bench/partition_reference.py (scikit-learn on the same data)
// and prints ratios; figures are in bench/README.md, section "bench/partition".
//
//   bench_partition knn DIR --rows N [--dims D] [--k K] [--threads T]
//       N x D float32 data (a mixture of 20 Gaussian clusters, seed 1) written to DIR/x.f32;
//       times exact_neighbours (all rows, themselves excluded) and an HnswIndex (sequential
//       build, then the same queries), and the recall of hnsw against exact. One line:
//       `KNN rows N dims D EXACT_S e HNSW_BUILD_S b HNSW_QUERY_S q RECALL r`.
//   bench_partition softmax TRAIN_ARFF DIR [--threads T]
//       The label-powerset problem of a data set (class = distinct label set), written to
//       DIR/x.f32, DIR/y.i32, DIR/shape.txt; times SoftmaxRegression::fit with the defaults
//       (C 1, tol 1e-4, max_iter 100). One line:
//       `SOFTMAX rows N dims D classes K SECONDS s ITERATIONS i OBJECTIVE f`.
// Times are best of 3 (wall clock).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "io/read_dataset.hpp"
#include "models/label_powerset.hpp"
#include "models/mlknn.hpp"
#include "models/softmax_regression.hpp"

namespace {
using lg::Dataset;
using lg::Index;
using Clock = std::chrono::steady_clock;

std::string option(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 0; i + 1 < argc; ++i)
    if (argv[i] == name) return argv[i + 1];
  return fallback;
}

template <class F>
double best_of_3(F f) {
  double best = 1e300;
  for (int r = 0; r < 3; ++r) {
    const auto t0 = Clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  return best;
}

void write_floats(const std::filesystem::path& file, const float* data, std::size_t count) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(count * 4));
  if (!out) throw lg::Error(file.string(), 0, "cannot write");
}

int knn(int argc, char** argv) {
  const std::filesystem::path dir = argv[2];
  const Index n = std::stoll(option(argc, argv, "--rows", "10000"));
  const Index d = std::stoll(option(argc, argv, "--dims", "64"));
  const Index k = std::stoll(option(argc, argv, "--k", "10"));
  const int threads = std::stoi(option(argc, argv, "--threads", "2"));
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal;
  lg::DenseFeatures centres(20, d);
  for (Index i = 0; i < centres.size(); ++i) centres.data()[i] = 3.0f * normal(rng);
  Dataset x;
  x.dense.resize(n, d);
  x.labels = lg::LabelMatrix::Zero(n, 1);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < d; ++j) x.dense(i, j) = centres(i % 20, j) + normal(rng);
  write_floats(dir / "x.f32", x.dense.data(), static_cast<std::size_t>(x.dense.size()));

  lg::models::NeighbourTable exact, approx;
  const double exact_s =
      best_of_3([&] { exact = lg::models::exact_neighbours(x, nullptr, k, threads); });
  std::unique_ptr<lg::models::HnswIndex> index;
  const double build_s = best_of_3(
      [&] { index = std::make_unique<lg::models::HnswIndex>(x, 42, std::max<Index>(64, 2 * k)); });
  const double query_s = best_of_3([&] { approx = index->neighbours(nullptr, k, threads); });
  Index found = 0;
  for (Index i = 0; i < n; ++i) {
    const std::set<Index> truth(exact.row(i).data(), exact.row(i).data() + k);
    for (Index j = 0; j < k; ++j) found += truth.count(approx(i, j)) > 0;
  }
  fmt::print("KNN rows {} dims {} EXACT_S {:.3f} HNSW_BUILD_S {:.3f} HNSW_QUERY_S {:.3f} RECALL "
             "{:.4f}\n",
             n, d, exact_s, build_s, query_s,
             static_cast<double>(found) / static_cast<double>(n * k));
  return 0;
}

int softmax(int argc, char** argv) {
  const Dataset data = lg::read_dataset(argv[2]);
  const std::filesystem::path dir = argv[3];
  const int threads = std::stoi(option(argc, argv, "--threads", "2"));
  std::vector<int> classes;
  const lg::LabelMatrix sets = lg::models::distinct_label_sets(data.labels, classes, 0, "bench");
  if (data.sparse) throw lg::Error("bench_partition softmax: dense data only");
  write_floats(dir / "x.f32", data.dense.data(), static_cast<std::size_t>(data.dense.size()));
  {
    std::ofstream y(dir / "y.i32", std::ios::binary);
    y.write(reinterpret_cast<const char*>(classes.data()),
            static_cast<std::streamsize>(classes.size() * sizeof(int)));
    std::ofstream shape(dir / "shape.txt");
    shape << data.dense.rows() << " " << data.dense.cols() << "\n";
  }
  lg::models::SoftmaxOptions options;
  options.threads = threads;
  lg::models::SoftmaxReport report;
  const double s = best_of_3([&] {
    lg::models::SoftmaxRegression model;
    report = model.fit(data, classes, static_cast<int>(sets.rows()), options);
  });
  fmt::print("SOFTMAX rows {} dims {} classes {} SECONDS {:.4f} ITERATIONS {} OBJECTIVE {:.6f}\n",
             data.dense.rows(), data.dense.cols(), sets.rows(), s, report.iterations,
             report.objective);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 2 ? argv[1] : "";
    if (mode == "knn") return knn(argc, argv);
    if (mode == "softmax" && argc > 3) return softmax(argc, argv);
    std::cerr << "usage: bench_partition knn DIR --rows N [--dims D] [--k K] [--threads T]\n"
                 "       bench_partition softmax TRAIN_ARFF DIR [--threads T]\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "bench_partition: " << e.what() << "\n";
    return 1;
  }
}
