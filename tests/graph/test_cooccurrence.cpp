// Co-occurrence counts and statistics: a hand-computed label matrix checked exactly through
// every counting path (dense bitset, dense via sparse, sparse input; 1-3 threads), random
// matrices against a naive triple loop (tiles, padding, empty rows and labels), the
// statistics by hand, and read_cooccurrence on good and bad files.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "graph/cooccurrence.hpp"
#include "helpers.hpp"

namespace {
using lg::Adjacency;
using lg::Index;
using lg::LabelMatrix;
using lg::graph::Cooccurrence;
using lg::graph::count_cooccurrence;
using lg::graph::DenseKernel;
using lg::graph::read_cooccurrence;
using lg::graph::SparseLabels;
using lg::test::TempDir;
using Names = std::vector<std::string>;

LabelMatrix labels(std::initializer_list<std::initializer_list<int>> rows) {
  return lg::test::label_matrix(rows);
}

// n = 8 rows, L = 5 labels a b c d e:
//
//   row  a b c d e
//    1   1 1 0 0 0
//    2   1 1 1 0 0
//    3   1 0 0 0 0
//    4   0 1 1 0 0
//    5   1 1 0 0 0
//    6   0 0 1 1 0
//    7   0 0 0 0 0
//    8   1 0 1 0 0
//
// N = (5, 4, 4, 1, 0). Pairs: ab rows 1 2 5 = 3; ac rows 2 8 = 2; bc rows 2 4 = 2; cd row 6 = 1;
// the others 0. So M (diagonal = N):
//   a [5 3 2 0 0]
//   b [3 4 2 0 0]
//   c [2 2 4 1 0]
//   d [0 0 1 1 0]
//   e [0 0 0 0 0]
LabelMatrix small() {
  return labels({{1, 1, 0, 0, 0},
                 {1, 1, 1, 0, 0},
                 {1, 0, 0, 0, 0},
                 {0, 1, 1, 0, 0},
                 {1, 1, 0, 0, 0},
                 {0, 0, 1, 1, 0},
                 {0, 0, 0, 0, 0},
                 {1, 0, 1, 0, 0}});
}
const Names kSmallNames = {"a", "b", "c", "d", "e"};

Eigen::MatrixXd small_counts() {
  return lg::test::matrix(
      {{5, 3, 2, 0, 0}, {3, 4, 2, 0, 0}, {2, 2, 4, 1, 0}, {0, 0, 1, 1, 0}, {0, 0, 0, 0, 0}});
}

// The definition, one row at a time: every pair (a, b) of labels in a row, a == b included
// (scikit-multilearn's LabelCooccurrenceGraphBuilder loop, both halves).
Eigen::MatrixXd naive_counts(const LabelMatrix& y) {
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(y.cols(), y.cols());
  for (Index r = 0; r < y.rows(); ++r)
    for (Index a = 0; a < y.cols(); ++a)
      if (y(r, a))
        for (Index b = 0; b < y.cols(); ++b)
          if (y(r, b)) m(a, b) += 1;
  return m;
}

void check_counts(const Cooccurrence& c, const Eigen::MatrixXd& expected, Index rows) {
  CHECK(c.rows == rows);
  REQUIRE(c.num_labels() == expected.rows());
  REQUIRE(c.counts.rows() == expected.rows());
  REQUIRE(c.counts.cols() == expected.cols());
  CHECK(c.counts.isCompressed());
  const Eigen::MatrixXd dense = c.dense();
  CHECK(dense == expected);
  for (Index l = 0; l < expected.rows(); ++l) CHECK(c.label_counts[l] == expected(l, l));
  // Only pairs that occur are stored, columns ascending within each row.
  Index nnz = 0;
  for (Index i = 0; i < expected.rows(); ++i)
    for (Index j = 0; j < expected.cols(); ++j) nnz += expected(i, j) != 0.0;
  CHECK(c.counts.nonZeros() == nnz);
  for (Index i = 0; i < c.counts.outerSize(); ++i) {
    Index previous = -1;
    for (lg::graph::CountMatrix::InnerIterator it(c.counts, i); it; ++it) {
      CHECK(it.col() > previous);
      previous = it.col();
    }
  }
}

LabelMatrix random_labels(Index n, Index num_labels, double density, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  LabelMatrix y(n, num_labels);
  for (Index r = 0; r < n; ++r)
    for (Index l = 0; l < num_labels; ++l)
      // later labels rarer, the last one never present: empty labels and skewed counts
      y(r, l) = l + 1 < num_labels && unit(rng) < density * 2.0 / (1.0 + l % 7) ? 1 : 0;
  return y;
}

}  // namespace

TEST_CASE("cooccurrence: hand-computed counts through every path", "[graph][cooccurrence]") {
  const LabelMatrix y = small();
  const Eigen::MatrixXd expected = small_counts();
  REQUIRE(naive_counts(y) == expected);
  for (int threads : {1, 2, 3}) {
    INFO("threads " << threads);
    check_counts(count_cooccurrence(y, kSmallNames, threads, DenseKernel::Bitset), expected, 8);
    check_counts(count_cooccurrence(y, kSmallNames, threads, DenseKernel::Sparse), expected, 8);
    check_counts(count_cooccurrence(y, kSmallNames, threads), expected, 8);
    check_counts(count_cooccurrence(lg::graph::to_sparse_labels(y), kSmallNames, threads), expected,
                 8);
  }
  const Cooccurrence c = count_cooccurrence(y, kSmallNames);
  CHECK(c.names == kSmallNames);
}

TEST_CASE("cooccurrence: any non-zero value is a label, names are generated when absent",
          "[graph][cooccurrence]") {
  LabelMatrix y = small();
  y(0, 0) = 7;
  y(3, 2) = 255;
  const Cooccurrence bitset = count_cooccurrence(y, {}, 1, DenseKernel::Bitset);
  check_counts(bitset, small_counts(), 8);
  check_counts(count_cooccurrence(y, {}, 1, DenseKernel::Sparse), small_counts(), 8);
  CHECK(bitset.names == Names{"label_0", "label_1", "label_2", "label_3", "label_4"});
  const SparseLabels s = lg::graph::to_sparse_labels(y);
  CHECK(s.row_offset == std::vector<Index>{0, 2, 5, 6, 8, 10, 12, 12, 14});
  CHECK(s.label_index == std::vector<std::int32_t>{0, 1, 0, 1, 2, 0, 1, 2, 0, 1, 2, 3, 0, 2});
  CHECK(s.num_labels == 5);
}

TEST_CASE("cooccurrence: random matrices agree with the definition on every path",
          "[graph][cooccurrence]") {
  struct Shape {
    Index n, labels;
    double density;
  };
  // 40000 rows = 625 words: three bitset tiles (256 words) with a partial last one; label
  // counts not multiples of the 4-label block; a dense matrix that the cost model sends to
  // the bitset kernel and sparse ones that go the other way.
  for (const Shape& shape : {Shape{1, 1, 0.9}, Shape{63, 5, 0.3}, Shape{65, 9, 0.5},
                             Shape{40000, 13, 0.4}, Shape{3000, 150, 0.02}, Shape{500, 70, 0.45}}) {
    const LabelMatrix y = random_labels(shape.n, shape.labels, shape.density,
                                        static_cast<unsigned>(shape.n * 31 + shape.labels));
    const Eigen::MatrixXd expected = naive_counts(y);
    INFO("n " << shape.n << ", L " << shape.labels);
    for (int threads : {1, 2}) {
      INFO("threads " << threads);
      check_counts(count_cooccurrence(y, {}, threads, DenseKernel::Bitset), expected, shape.n);
      check_counts(count_cooccurrence(y, {}, threads, DenseKernel::Sparse), expected, shape.n);
      check_counts(count_cooccurrence(y, {}, threads), expected, shape.n);
      check_counts(count_cooccurrence(lg::graph::to_sparse_labels(y), {}, threads), expected,
                   shape.n);
    }
  }
}

TEST_CASE("cooccurrence: a power-law sparse matrix with many labels", "[graph][cooccurrence]") {
  // 600 labels, ~5 per row, Zipf-like: the head labels' rows are long, which exercises the
  // dense-scan branch of the accumulator; the tail's short rows the sorted branch.
  const Index n = 4000, num_labels = 600;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  LabelMatrix y = LabelMatrix::Zero(n, num_labels);
  for (Index r = 0; r < n; ++r)
    for (int k = 0; k < 5; ++k)
      y(r, static_cast<Index>(num_labels * unit(rng) * unit(rng) * unit(rng))) = 1;
  const Eigen::MatrixXd expected = naive_counts(y);
  const SparseLabels s = lg::graph::to_sparse_labels(y);
  for (int threads : {1, 2}) {
    check_counts(count_cooccurrence(s, {}, threads), expected, n);
    check_counts(count_cooccurrence(y, {}, threads, DenseKernel::Bitset), expected, n);
    // Small bucket budgets: many passes over Y, and head labels whose bucket alone exceeds
    // the budget (label 0's holds thousands of entries).
    for (std::size_t budget : {1, 100, 5000}) {
      INFO("budget " << budget);
      lg::graph::SparseCountTuning tuning;
      tuning.bucket_budget = budget;
      check_counts(count_cooccurrence(s, {}, threads, tuning), expected, n);
    }
  }
}

TEST_CASE("cooccurrence: empty shapes", "[graph][cooccurrence]") {
  for (DenseKernel kernel : {DenseKernel::Bitset, DenseKernel::Sparse, DenseKernel::Automatic}) {
    check_counts(count_cooccurrence(LabelMatrix(0, 3), {}, 2, kernel), Eigen::MatrixXd::Zero(3, 3),
                 0);
    check_counts(count_cooccurrence(LabelMatrix(4, 0), {}, 2, kernel), Eigen::MatrixXd(0, 0), 4);
  }
  SparseLabels none;
  none.num_labels = 2;
  check_counts(count_cooccurrence(none, {}), Eigen::MatrixXd::Zero(2, 2), 0);
}

TEST_CASE("cooccurrence: bad inputs are refused", "[graph][cooccurrence]") {
  CHECK_THROWS_WITH(count_cooccurrence(small(), Names{"a", "b"}),
                    Catch::Contains("2 label names for a label matrix with 5 labels"));
  CHECK_THROWS_WITH(count_cooccurrence(LabelMatrix(3, 9000), {}, 1, DenseKernel::Bitset),
                    Catch::Contains("at most 8192 labels"));
  SparseLabels s;
  s.num_labels = 3;
  s.row_offset = {0, 2, 3};
  s.label_index = {0, 2, 1};
  CHECK_NOTHROW(count_cooccurrence(s, {}));
  s.label_index = {2, 0, 1};
  CHECK_THROWS_WITH(count_cooccurrence(s, {}),
                    Catch::Contains("row 0 lists label 0 after 2 (expected strictly increasing"));
  s.label_index = {0, 0, 1};
  CHECK_THROWS_WITH(count_cooccurrence(s, {}), Catch::Contains("row 0 lists label 0 after 0"));
  s.label_index = {0, 2, 3};
  CHECK_THROWS_WITH(count_cooccurrence(s, {}),
                    Catch::Contains("row 1 has label 3, outside [0, 3)"));
  s.label_index = {0, 2, -1};
  CHECK_THROWS_WITH(count_cooccurrence(s, {}), Catch::Contains("row 1 has label -1"));
  s.label_index = {0, 2};
  CHECK_THROWS_WITH(count_cooccurrence(s, {}),
                    Catch::Contains("row_offset ends at 3 but there are 2 labels"));
  s.label_index = {0, 1, 2};
  s.row_offset = {0, 3, 2, 3};
  CHECK_THROWS_WITH(count_cooccurrence(s, {}), Catch::Contains("row 1 has a negative length"));
  s.row_offset = {0, 5, 3};
  CHECK_THROWS_WITH(count_cooccurrence(s, {}), Catch::Contains("row 0 ends at 5, past the 3"));
  s.row_offset = {0, 3};
  s.num_labels = -1;
  CHECK_THROWS_WITH(count_cooccurrence(s, {}), Catch::Contains("bad number of labels -1"));
  s.num_labels = 3;  // repaired: valid again
  CHECK_NOTHROW(s.check());
}

TEST_CASE("cooccurrence: statistics by hand", "[graph][cooccurrence]") {
  const Cooccurrence c = count_cooccurrence(small(), kSmallNames);
  const double n = 8.0;
  // P(j|i) = M_ij / N_i with N = (5, 4, 4, 1, 0); P(i|i) = 1, label e (never seen) 0.
  const Eigen::MatrixXd p = lg::test::matrix({{1, 3.0 / 5, 2.0 / 5, 0, 0},
                                              {3.0 / 4, 1, 2.0 / 4, 0, 0},
                                              {2.0 / 4, 2.0 / 4, 1, 1.0 / 4, 0},
                                              {0, 0, 1, 1, 0},
                                              {0, 0, 0, 0, 0}});
  CHECK(lg::graph::conditional_probability(c).isApprox(p, 1e-15));

  // PMI: ab ln(3*8/(5*4)) = ln 1.2; ac ln(2*8/(5*4)) = ln 0.8 (< 0); bc ln(2*8/(4*4)) = 0
  // although b and c co-occur; cd ln(1*8/(4*1)) = ln 2; diagonal ln(n / N_i).
  const Eigen::MatrixXd expected_pmi =
      lg::test::matrix({{std::log(8.0 / 5), std::log(1.2), std::log(0.8), 0, 0},
                        {std::log(1.2), std::log(2.0), 0, 0, 0},
                        {std::log(0.8), 0, std::log(2.0), std::log(2.0), 0},
                        {0, 0, std::log(2.0), std::log(8.0), 0},
                        {0, 0, 0, 0, 0}});
  const Adjacency got_pmi = lg::graph::pmi(c);
  CHECK((got_pmi - expected_pmi).cwiseAbs().maxCoeff() < 1e-15);

  // NPMI = PMI / -ln(M_ij / n): ab ln 1.2 / ln(8/3); ac ln 0.8 / ln 4; cd ln 2 / ln 8 = 1/3;
  // diagonal ln(n/N_i) / -ln(N_i/n) = 1; never co-occurring pairs 0.
  const Eigen::MatrixXd expected_npmi =
      lg::test::matrix({{1, std::log(1.2) / std::log(8.0 / 3), std::log(0.8) / std::log(4.0), 0, 0},
                        {std::log(1.2) / std::log(8.0 / 3), 1, 0, 0, 0},
                        {std::log(0.8) / std::log(4.0), 0, 1, 1.0 / 3, 0},
                        {0, 0, 1.0 / 3, 1, 0},
                        {0, 0, 0, 0, 0}});
  CHECK((lg::graph::npmi(c) - expected_npmi).cwiseAbs().maxCoeff() < 1e-15);

  // Jaccard M_ij / (N_i + N_j - M_ij): ab 3/6, ac 2/7, bc 2/6, cd 1/4; diagonal 1.
  const Eigen::MatrixXd expected_jaccard = lg::test::matrix({{1, 0.5, 2.0 / 7, 0, 0},
                                                             {0.5, 1, 1.0 / 3, 0, 0},
                                                             {2.0 / 7, 1.0 / 3, 1, 0.25, 0},
                                                             {0, 0, 0.25, 1, 0},
                                                             {0, 0, 0, 0, 0}});
  CHECK(lg::graph::jaccard(c).isApprox(expected_jaccard, 1e-15));

  // lift M_ij n / (N_i N_j): ab 1.2, ac 0.8, bc 1, cd 2; diagonal n / N_i.
  const Eigen::MatrixXd expected_lift = lg::test::matrix({{n / 5, 1.2, 0.8, 0, 0},
                                                          {1.2, 2, 1, 0, 0},
                                                          {0.8, 1, 2, 2, 0},
                                                          {0, 0, 2, 8, 0},
                                                          {0, 0, 0, 0, 0}});
  CHECK(lg::graph::lift(c).isApprox(expected_lift, 1e-15));
}

TEST_CASE("cooccurrence: NPMI is 1 for a pair present in every row", "[graph][cooccurrence]") {
  // n = 2, both rows {a, b}: M_ab = n, PMI = ln(2*2/(2*2)) = 0, NPMI 1 by convention.
  const Cooccurrence c = count_cooccurrence(labels({{1, 1}, {1, 1}}), {});
  CHECK(lg::graph::npmi(c) == Eigen::MatrixXd::Ones(2, 2));
  CHECK(lg::graph::pmi(c) == Eigen::MatrixXd::Zero(2, 2));
}

TEST_CASE("cooccurrence: PMI, NPMI and lift need the number of rows", "[graph][cooccurrence]") {
  Cooccurrence c = count_cooccurrence(small(), kSmallNames);
  c.rows = 0;
  CHECK_THROWS_WITH(lg::graph::pmi(c), Catch::Contains("PMI needs n, the number of training rows"));
  CHECK_THROWS_WITH(lg::graph::npmi(c), Catch::Contains("NPMI needs n"));
  CHECK_THROWS_WITH(lg::graph::lift(c), Catch::Contains("lift needs n"));
  CHECK_NOTHROW(lg::graph::jaccard(c));
  CHECK_NOTHROW(lg::graph::conditional_probability(c));
}

// ---- read_cooccurrence ----

namespace {

struct Files {
  TempDir tmp;
  std::string matrix, counts, names;
  Files(const std::string& m, const std::string& c, const std::string& n)
      : matrix(tmp.write("cooc.csv", m).string()),
        counts(tmp.write("counts.csv", c).string()),
        names(tmp.write("names.txt", n).string()) {}
  Cooccurrence read(Index rows = 0) const { return read_cooccurrence(matrix, counts, names, rows); }
};

// The small matrix without its diagonal, as ML-GCN's files have it.
const char* kSmallMatrix = "0,3,2,0,0\n3,0,2,0,0\n2,2,0,1,0\n0,0,1,0,0\n0,0,0,0,0\n";
const char* kSmallLabelCounts = "5\n4\n4\n1\n0\n";
const char* kSmallNamesText = "a\nb\nc\nd\ne\n";

// The error must start with "file:LINE: " (or "file: " for line 0) and contain `what`.
void check_error(const Files& f, const std::string& file, std::size_t line, const std::string& what,
                 Index rows = 0) {
  std::string message;
  try {
    f.read(rows);
  } catch (const lg::Error& e) {
    message = e.what();
  }
  INFO(message);
  const std::string where = line ? file + ":" + std::to_string(line) + ": " : file + ": ";
  CHECK(message.rfind(where, 0) == 0);
  CHECK(message.find(what) != std::string::npos);
}

}  // namespace

TEST_CASE("read_cooccurrence: ML-GCN style files give the counted matrix", "[graph][io]") {
  const Files f(kSmallMatrix, kSmallLabelCounts, kSmallNamesText);
  const Cooccurrence c = f.read(8);
  check_counts(c, small_counts(), 8);
  CHECK(c.names == kSmallNames);
  CHECK(lg::graph::pmi(c) == lg::graph::pmi(count_cooccurrence(small(), kSmallNames)));
}

TEST_CASE("read_cooccurrence: diagonal = counts, reals, spaces, CRLF, counts on one row",
          "[graph][io]") {
  const Files f(" 5, 3 ,2.0,0,0\r\n3,4,2,0,0\r\n2,2,4,1e0,0\r\n0,0,1,1,0\r\n0,0,0,0,0\r\n\r\n",
                "5,4,4,1,0\n", "a\r\nb\r\nc\r\nd\r\ne\r\n\n");
  const Cooccurrence c = f.read();
  check_counts(c, small_counts(), 0);
  CHECK(c.names == kSmallNames);
  // Names are verbatim (inner spaces kept) and real-valued counts are accepted.
  const Files g("0,0.5\n0.5,0\n", "1.5\n2\n", "traffic light\nstop sign\n");
  const Cooccurrence d = g.read();
  CHECK(d.names == Names{"traffic light", "stop sign"});
  CHECK(d.dense() == lg::test::matrix({{1.5, 0.5}, {0.5, 2}}));
}

TEST_CASE("read_cooccurrence: bad files give file, line and what was expected", "[graph][io]") {
  SECTION("a row with too few values") {
    const Files f("0,3,2,0,0\n3,0,2,0\n2,2,0,1,0\n0,0,1,0,0\n0,0,0,0,0\n", kSmallLabelCounts,
                  kSmallNamesText);
    check_error(f, f.matrix, 2, "expected 5 values (as on line 1: an L x L matrix), found 4");
  }
  SECTION("not square") {
    const Files f("0,3,2\n3,0,2\n", kSmallLabelCounts, kSmallNamesText);
    check_error(f, f.matrix, 0, "2 rows of 3 values: expected a square L x L matrix");
  }
  SECTION("negative value") {
    const Files f("0,-3\n-3,0\n", "5\n4\n", "a\nb\n");
    check_error(f, f.matrix, 1, "value 2: negative count -3");
  }
  SECTION("not a number") {
    const Files f("0,3\n3,x\n", "5\n4\n", "a\nb\n");
    check_error(f, f.matrix, 2, "value 2: 'x' is not a number");
  }
  SECTION("nan and empty fields") {
    const Files f("0,nan\nnan,0\n", "5\n4\n", "a\nb\n");
    check_error(f, f.matrix, 1, "value 2: 'nan' is not a number");
    const Files g("0,\n3,0\n", "5\n4\n", "a\nb\n");
    check_error(g, g.matrix, 1, "value 2: '' is not a number");
  }
  SECTION("a header row") {
    const Files f("a,b\n0,3\n3,0\n", "5\n4\n", "a\nb\n");
    check_error(f, f.matrix, 1, "has no header row; label names go in the names file");
  }
  SECTION("an empty line between rows") {
    const Files f("0,3\n\n3,0\n", "5\n4\n", "a\nb\n");
    check_error(f, f.matrix, 2, "empty line: expected 2 comma-separated values");
  }
  SECTION("an empty file") {
    const Files f("\n\n", "5\n4\n", "a\nb\n");
    check_error(f, f.matrix, 0, "empty file");
  }
  SECTION("not symmetric") {
    const Files f("0,3\n2,0\n", "5\n4\n", "a\nb\n");
    check_error(f, f.matrix, 1, "not symmetric: value 2 ('a', 'b') is 3 but line 2 value 1 is 2");
  }
  SECTION("a diagonal that is neither 0 nor the label count") {
    const Files f("5,3\n3,3\n", "5\n4\n", "a\nb\n");
    check_error(f, f.matrix, 2, "the diagonal value 3 of 'b' is neither 0 nor its label count 4");
  }
  SECTION("a pair more frequent than a label") {
    const Files f("0,5\n5,0\n", "5\n4\n", "a\nb\n");
    check_error(f, f.matrix, 2, "value 1 ('b' with 'a') is 5, more than the label count 4 of 'b'");
  }
  SECTION("label counts: wrong number") {
    const Files f(kSmallMatrix, "5\n4\n4\n1\n", kSmallNamesText);
    check_error(f, f.counts, 4, "4 label counts, expected 5 (one per row of");  // the last line
    const Files g(kSmallMatrix, "5\n4\n4\n1\n0\n2\n", kSmallNamesText);
    check_error(g, g.counts, 6, "6 label counts, expected 5");  // the first extra count
  }
  SECTION("label counts: negative, not a number, mixed layout") {
    const Files f(kSmallMatrix, "5\n4\n-4\n1\n0\n", kSmallNamesText);
    check_error(f, f.counts, 3, "negative count -4");
    const Files g(kSmallMatrix, "5\n4\nfour\n1\n0\n", kSmallNamesText);
    check_error(g, g.counts, 3, "'four' is not a number");
    const Files h(kSmallMatrix, "5,4\n4\n1\n0\n", kSmallNamesText);
    check_error(h, h.counts, 1, "expected one label count per line, or all on one line");
  }
  SECTION("names: wrong number, empty, duplicate") {
    const Files f(kSmallMatrix, kSmallLabelCounts, "a\nb\nc\nd\n");
    check_error(f, f.names, 4, "4 label names, expected 5");  // the last line
    const Files e(kSmallMatrix, kSmallLabelCounts, "a\nb\nc\nd\ne\nf\n");
    check_error(e, e.names, 6, "6 label names, expected 5");  // the first extra name
    const Files g(kSmallMatrix, kSmallLabelCounts, "a\nb\n\nd\ne\n");
    check_error(g, g.names, 3, "empty label name");
    const Files h(kSmallMatrix, kSmallLabelCounts, "a\nb\nc\nb\ne\n");
    check_error(h, h.names, 4, "duplicate label name 'b' (also on line 2)");
  }
  SECTION("fewer rows than a label count") {
    const Files f(kSmallMatrix, kSmallLabelCounts, kSmallNamesText);
    check_error(f, f.counts, 0, "a label count of 5 exceeds the 4 training rows given", 4);
  }
  SECTION("a missing file") {
    const Files f(kSmallMatrix, kSmallLabelCounts, kSmallNamesText);
    CHECK_THROWS_WITH(read_cooccurrence(f.matrix, f.counts, f.names + ".missing"),
                      Catch::StartsWith(f.names + ".missing: cannot open the file"));
  }
}

TEST_CASE("read_cooccurrence: the shared ML-GCN VOC counts", "[graph][io][shared]") {
  const auto matrix = lg::test::shared_file("mlgcn-adj/voc_cooccurrence.csv");
  const auto counts = lg::test::shared_file("mlgcn-adj/voc_label_counts.csv");
  const auto names = lg::test::shared_file("mlgcn-adj/voc_labels.txt");
  if (!matrix || !counts || !names) return;
  const Cooccurrence c = read_cooccurrence(matrix->string(), counts->string(), names->string());
  REQUIRE(c.num_labels() == 20);
  CHECK(c.names.front() == "aeroplane");
  CHECK(c.names[14] == "person");
  // Values as printed in the files: person 2008 images, car 713; person with car 215;
  // the label counts sum to 7306 (datasets README).
  CHECK(c.label_counts[14] == 2008);
  CHECK(c.dense()(14, 14) == 2008);
  CHECK(c.dense()(6, 14) == 215);
  CHECK(c.dense()(14, 6) == 215);
  double total = 0;
  for (double v : c.label_counts) total += v;
  CHECK(total == 7306);
  CHECK(c.rows == 0);
}
