// Data set statistics: a hand-computed label matrix checking every figure exactly, edge cases,
// and the published mldr table (reference doc §2) on the real MULAN and MEKA files.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "data/statistics.hpp"
#include "helpers.hpp"
#include "io/read_dataset.hpp"

namespace {
using lg::DatasetStats;
using lg::Index;
using lg::LabelMatrix;

LabelMatrix matrix(std::initializer_list<std::initializer_list<int>> rows) {
  return lg::test::label_matrix(rows);
}

// The tiny fixture (also tests/fixtures/stats/tiny.arff): N = 6, D = 5, L = 4 labels a b c d.
//
//   row  a b c d   Y_i
//    1   1 1 0 0   {a,b}
//    2   1 0 0 0   {a}
//    3   1 0 1 0   {a,c}
//    4   0 1 0 0   {b}
//    5   0 0 0 0   {}
//    6   1 1 0 0   {a,b}
//
// counts n = (4, 3, 1, 0); 8 labels in all.
// cardinality = 8/6 = 4/3; density = (4/3)/4 = 1/3.
// distinct label sets: {a,b} {a} {a,c} {b} {} = 5.
// IRLbl = (4/4, 4/3, 4/1, -) = (1, 4/3, 4, 0 for d which never occurs).
// MeanIR over a, b, c = (1 + 4/3 + 4)/3 = 19/9; MaxIR = 4.
// deviations from 19/9: -10/9, -7/9, 17/9; squares 100/81 + 49/81 + 289/81 = 438/81;
//   sd (n-1) = sqrt(438/81/2) = sqrt(73/27); CVIR = sqrt(73/27) / (19/9).
// minority: IRLbl > 19/9 -> only c.
// SCUMBLE_i: {a,b}: 1 - sqrt(1 * 4/3) / ((1 + 4/3)/2) = 1 - (6/7) sqrt(4/3);
//   {a}, {b}, {}: 0; {a,c}: 1 - sqrt(1 * 4) / ((1 + 4)/2) = 1 - 2/2.5 = 0.2.
//   SCUMBLE = (2 (1 - (6/7) sqrt(4/3)) + 0.2) / 6.
// TCS = ln(5 * 4 * 5) = ln 100. empty_rows = 1 (row 5), empty_labels = 1 (d).
LabelMatrix tiny() {
  return matrix({{1, 1, 0, 0}, {1, 0, 0, 0}, {1, 0, 1, 0}, {0, 1, 0, 0}, {0, 0, 0, 0}, {1, 1, 0, 0}});
}

void check_tiny(const DatasetStats& s) {
  const double meanir = 19.0 / 9.0;
  const double scumble_ab = 1.0 - (6.0 / 7.0) * std::sqrt(4.0 / 3.0);
  CHECK(s.instances == 6);
  CHECK(s.features == 5);
  CHECK(s.labels == 4);
  CHECK(s.cardinality == Approx(4.0 / 3.0).epsilon(1e-12));
  CHECK(s.density == Approx(1.0 / 3.0).epsilon(1e-12));
  CHECK(s.distinct_labelsets == 5);
  CHECK(s.meanir == Approx(meanir).epsilon(1e-12));
  CHECK(s.maxir == Approx(4.0).epsilon(1e-12));
  CHECK(s.cvir == Approx(std::sqrt(73.0 / 27.0) / meanir).epsilon(1e-12));
  CHECK(s.scumble == Approx((2.0 * scumble_ab + 0.2) / 6.0).epsilon(1e-12));
  CHECK(s.tcs == Approx(std::log(100.0)).epsilon(1e-12));
  CHECK(s.empty_rows == 1);
  CHECK(s.empty_labels == 1);
  REQUIRE(s.per_label.size() == 4);
  const std::vector<Index> counts = {4, 3, 1, 0};
  const std::vector<double> irlbl = {1.0, 4.0 / 3.0, 4.0, 0.0};
  const std::vector<bool> minority = {false, false, true, false};
  for (std::size_t l = 0; l < 4; ++l) {
    INFO("label " << l);
    CHECK(s.per_label[l].count == counts[l]);
    CHECK(s.per_label[l].frequency == Approx(counts[l] / 6.0).epsilon(1e-12));
    CHECK(s.per_label[l].irlbl == Approx(irlbl[l]).epsilon(1e-12));
    CHECK(s.per_label[l].minority == minority[l]);
  }
}

}  // namespace

TEST_CASE("stats: every figure of a hand-computed label matrix", "[data][stats]") {
  const DatasetStats s = lg::compute_stats(tiny(), 5, {"a", "b", "c", "d"});
  check_tiny(s);
  CHECK(s.per_label[0].name == "a");
  CHECK(s.per_label[3].name == "d");
}

TEST_CASE("stats: the tiny fixture file gives the same figures", "[data][stats]") {
  const lg::Dataset data = lg::read_dataset(lg::test::fixture("stats/tiny.arff"));
  check_tiny(lg::compute_stats(data));
}

TEST_CASE("stats: unnamed labels are named by index, values other than 0 count as 1",
          "[data][stats]") {
  LabelMatrix y = tiny();
  y(0, 0) = 7;
  const DatasetStats s = lg::compute_stats(y, 5);
  check_tiny(s);
  CHECK(s.per_label[2].name == "2");
}

TEST_CASE("stats: degenerate inputs give zeros, not NaN", "[data][stats]") {
  SECTION("no rows") {
    const DatasetStats s = lg::compute_stats(LabelMatrix(0, 3), 4);
    CHECK(s.instances == 0);
    CHECK(s.cardinality == 0.0);
    CHECK(s.density == 0.0);
    CHECK(s.distinct_labelsets == 0);
    CHECK(s.meanir == 0.0);
    CHECK(s.cvir == 0.0);
    CHECK(s.scumble == 0.0);
    CHECK(s.tcs == 0.0);
    CHECK(s.empty_labels == 3);
    CHECK(s.per_label[1].frequency == 0.0);
  }
  SECTION("only empty rows") {
    const DatasetStats s = lg::compute_stats(matrix({{0, 0}, {0, 0}}), 1);
    CHECK(s.distinct_labelsets == 1);
    CHECK(s.empty_rows == 2);
    CHECK(s.maxir == 0.0);
    CHECK(s.tcs == Approx(std::log(2.0)));
  }
  SECTION("one label: MeanIR 1, CVIR 0, SCUMBLE 0") {
    const DatasetStats s = lg::compute_stats(matrix({{1}, {0}, {1}}), 2);
    CHECK(s.meanir == 1.0);
    CHECK(s.maxir == 1.0);
    CHECK(s.cvir == 0.0);
    CHECK(s.scumble == 0.0);
    CHECK_FALSE(s.per_label[0].minority);
  }
  SECTION("no labels") {
    const DatasetStats s = lg::compute_stats(LabelMatrix(3, 0), 2);
    CHECK(s.cardinality == 0.0);
    CHECK(s.density == 0.0);
    CHECK(s.distinct_labelsets == 1);
    CHECK(s.empty_rows == 3);
    CHECK(s.tcs == 0.0);
  }
}

TEST_CASE("stats: many labels per row keep SCUMBLE finite", "[data][stats]") {
  // 600 labels, one row with all of them: the plain product of IRLbl would overflow.
  LabelMatrix y = LabelMatrix::Zero(1001, 600);
  y.row(0).setOnes();
  for (Index i = 1; i <= 1000; ++i) y(i, 0) = 1;  // label 0: 1001 rows, the others 1 row
  const DatasetStats s = lg::compute_stats(y, 1);
  // Row 0: IRLbl = 1 once and 1001 599 times. geomean = 1001^(599/600); mean = (1 + 599*1001)/600.
  const double row0 = 1.0 - std::pow(1001.0, 599.0 / 600.0) / ((1.0 + 599.0 * 1001.0) / 600.0);
  CHECK(std::isfinite(s.scumble));
  CHECK(s.scumble == Approx(row0 / 1001.0).epsilon(1e-9));
  CHECK(s.maxir == Approx(1001.0));
}

// ---- the published table (reference doc §2; mldr, Charte & Charte) ----

namespace {

struct Published {
  Index n, features, labels;
  double cardinality, density;
  Index distinct;
  double meanir, maxir, cvir, scumble, tcs;
};

// Figures are published to 3 decimals (MaxIR of yeast to 2); TCS from mldr's tables.
const Published kEmotions{593, 72, 6, 1.868, 0.311, 27, 1.478, 1.784, 0.180, 0.011, 9.364};
const Published kScene{2407, 294, 6, 1.074, 0.179, 15, 1.254, 1.464, 0.122, 0.000, 10.183};
const Published kYeast{2417, 103, 14, 4.237, 0.303, 198, 7.197, 53.41, 1.884, 0.104, 12.562};

void check_published(const DatasetStats& s, const Published& p, double maxir_margin = 0.0005) {
  const double m = 0.0005;  // half a unit in the third decimal
  CHECK(s.instances == p.n);
  CHECK(s.features == p.features);
  CHECK(s.labels == p.labels);
  CHECK(s.cardinality == Approx(p.cardinality).margin(m));
  CHECK(s.density == Approx(p.density).margin(m));
  CHECK(s.distinct_labelsets == p.distinct);
  CHECK(s.meanir == Approx(p.meanir).margin(m));
  CHECK(s.maxir == Approx(p.maxir).margin(maxir_margin));
  CHECK(s.cvir == Approx(p.cvir).margin(m));
  CHECK(s.scumble == Approx(p.scumble).margin(m));
  CHECK(s.tcs == Approx(p.tcs).margin(m));
  CHECK(s.empty_labels == 0);
}

/// Read shared files as one set; false if any is missing (skipped, or failed under CI).
bool read_shared(const std::vector<std::string>& files, lg::Dataset& out) {
  std::vector<std::filesystem::path> paths;
  for (const std::string& f : files) {
    const auto p = lg::test::shared_file(f);
    if (!p) return false;
    paths.push_back(*p);
  }
  out = lg::read_datasets(paths);
  return true;
}

}  // namespace

TEST_CASE("stats: emotions train + test match the published table", "[data][stats]") {
  lg::Dataset d;
  if (!read_shared({"emotions/emotions-train.arff", "emotions/emotions-test.arff"}, d)) return;
  check_published(lg::compute_stats(d), kEmotions);
}

TEST_CASE("stats: scene train + test match the published table", "[data][stats]") {
  lg::Dataset d;
  if (!read_shared({"scene/scene-train.arff", "scene/scene-test.arff"}, d)) return;
  check_published(lg::compute_stats(d), kScene);
}

TEST_CASE("stats: yeast train + test match the published table", "[data][stats]") {
  lg::Dataset d;
  if (!read_shared({"yeast/yeast-train.arff", "yeast/yeast-test.arff"}, d)) return;
  check_published(lg::compute_stats(d), kYeast, 0.005);
}

TEST_CASE("stats: MEKA's Scene and Yeast give the published figures", "[data][stats]") {
  lg::Dataset d;
  if (read_shared({"meka/Scene.arff"}, d)) check_published(lg::compute_stats(d), kScene);
  if (read_shared({"meka/Yeast.arff"}, d)) check_published(lg::compute_stats(d), kYeast, 0.005);
}

TEST_CASE("stats: MEKA's Music is emotions with 592 rows", "[data][stats]") {
  lg::Dataset music, emotions;
  if (!read_shared({"meka/Music.arff"}, music)) return;
  if (!read_shared({"emotions/emotions-train.arff", "emotions/emotions-test.arff"}, emotions))
    return;
  const DatasetStats m = lg::compute_stats(music), e = lg::compute_stats(emotions);
  CHECK(m.instances == 592);
  CHECK(m.labels == 6);
  CHECK(m.distinct_labelsets == e.distinct_labelsets);
  // One row fewer: every label count is emotions' or one less.
  Index missing = 0;
  for (std::size_t l = 0; l < 6; ++l) {
    const Index diff = e.per_label[l].count - m.per_label[l].count;
    CHECK((diff == 0 || diff == 1));
    missing += diff;
  }
  CHECK(missing <= m.labels);
  CHECK(m.meanir == Approx(e.meanir).margin(0.005));
}
