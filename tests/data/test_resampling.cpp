// Imbalance resampling (ML-ROS, ML-RUS, MLSMOTE, REMEDIAL): hand-computed small sets, the
// promises of each method on yeast (MeanIR or SCUMBLE drops, sizes change by P %, no minority
// row removed), sparse features and the validation messages.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/dataset.hpp"
#include "core/error.hpp"
#include "data/resampling.hpp"
#include "data/statistics.hpp"
#include "helpers.hpp"
#include "io/read_dataset.hpp"

namespace {
using lg::Dataset;
using lg::Index;
using lg::ResamplingSpec;

/// A dense data set from rows of features and rows of labels.
Dataset make(std::initializer_list<std::initializer_list<float>> x,
             std::initializer_list<std::initializer_list<int>> y) {
  Dataset d;
  d.name = "hand";
  d.dense.resize(static_cast<Index>(x.size()), static_cast<Index>(x.begin()->size()));
  Index r = 0;
  for (const auto& row : x) {
    Index c = 0;
    for (float v : row) d.dense(r, c++) = v;
    ++r;
  }
  d.labels.resize(static_cast<Index>(y.size()), static_cast<Index>(y.begin()->size()));
  r = 0;
  for (const auto& row : y) {
    Index c = 0;
    for (int v : row) d.labels(r, c++) = static_cast<std::uint8_t>(v);
    ++r;
  }
  for (Index c = 0; c < d.dense.cols(); ++c) d.feature_names.push_back("f" + std::to_string(c));
  for (Index c = 0; c < d.labels.cols(); ++c) d.label_names.push_back("l" + std::to_string(c));
  d.check_consistent();
  return d;
}

Dataset to_sparse(const Dataset& d) {
  Dataset s = d;
  s.sparse = true;
  s.csr = d.dense.sparseView().cast<float>();
  s.dense.resize(0, 0);
  return s;
}

ResamplingSpec spec(const std::string& method) {
  ResamplingSpec s;
  s.method = method;
  return s;
}

/// Count of rows per distinct (features, labels) row of a dense set.
std::map<std::vector<float>, Index> row_multiset(const Dataset& d) {
  std::map<std::vector<float>, Index> m;
  for (Index i = 0; i < d.rows(); ++i) {
    std::vector<float> key(d.dense.row(i).data(), d.dense.row(i).data() + d.dense.cols());
    for (Index l = 0; l < d.labels.cols(); ++l) key.push_back(d.labels(i, l));
    ++m[key];
  }
  return m;
}

bool has_minority_label(const Dataset& d, Index row, const lg::DatasetStats& s) {
  for (Index l = 0; l < d.labels.cols(); ++l)
    if (d.labels(row, l) && s.per_label[static_cast<std::size_t>(l)].minority) return true;
  return false;
}

bool read_yeast_train(Dataset& out) {
  const auto p = lg::test::shared_file("yeast/yeast-train.arff");
  if (!p) return false;
  out = lg::read_datasets({*p});
  return true;
}

// The small set used by several tests: 8 rows, features (x, y), labels a b c.
//   counts a 6, b 3, c 1 -> IRLbl 1, 2, 6; MeanIR = 3; minority: c (6 > 3).
Dataset small() {
  return make(
      {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {4, 0}, {5, 0}, {6, 0}, {7, 0}},
      {{1, 0, 0}, {1, 0, 0}, {1, 0, 0}, {1, 1, 0}, {1, 1, 0}, {1, 0, 0}, {0, 1, 1}, {0, 0, 0}});
}

}  // namespace

TEST_CASE("resampling: validate names the bad field", "[data][resampling]") {
  ResamplingSpec s;
  CHECK_NOTHROW(lg::validate(s));
  s.method = "smote";
  CHECK_THROWS_WITH(lg::validate(s),
                    Catch::Contains("resampling.method") && Catch::Contains("smote"));
  s.method = "ml-ros";
  s.percentage = 0;
  CHECK_THROWS_WITH(lg::validate(s), Catch::Contains("resampling.percentage"));
  s.method = "ml-rus";
  s.percentage = 100;
  CHECK_THROWS_WITH(lg::validate(s), Catch::Contains("resampling.percentage"));
  s.percentage = 25;
  CHECK_NOTHROW(lg::validate(s));
  s.method = "mlsmote";
  s.k = 0;
  CHECK_THROWS_WITH(lg::validate(s), Catch::Contains("resampling.k"));
  s.k = 3;
  s.label_set = "majority";
  CHECK_THROWS_WITH(lg::validate(s), Catch::Contains("resampling.label_set"));
  CHECK_THROWS_WITH(lg::resample(small(), s, 1), Catch::Contains("resampling.label_set"));
}

TEST_CASE("resampling: none returns the input", "[data][resampling]") {
  const Dataset d = small();
  const Dataset r = lg::resample(d, spec("none"), 1);
  CHECK(r.labels == d.labels);
  CHECK(r.dense == d.dense);
  CHECK(r.notes == d.notes);
}

TEST_CASE("resampling: ml-ros on the small set clones the minority row until c is balanced",
          "[data][resampling]") {
  // P = 25 % of 8 rows -> 2 clones asked. Only c is minority; its bag is row 6 {b, c}.
  // After one clone: a 6, b 4, c 2 -> IRLbl(c) = 6/2 = 3 <= MeanIR 3, c leaves: stop at 1.
  // MeanIR after: (1 + 1.5 + 3) / 3 = 11/6.
  const Dataset d = small();
  const Dataset r = lg::resample(d, spec("ml-ros"), 9);
  REQUIRE(r.rows() == 9);
  CHECK(r.labels.topRows(8) == d.labels);
  CHECK(r.labels.row(8) == d.labels.row(6));
  CHECK(r.dense.row(8) == d.dense.row(6));
  CHECK(lg::compute_stats(r).meanir == Approx(11.0 / 6.0).epsilon(1e-12));
  REQUIRE(r.notes.size() == d.notes.size() + 1);
  CHECK_THAT(r.notes.back(), Catch::Contains("ml-ros") && Catch::Contains("cloned 1 of the 2") &&
                                 Catch::Contains("MeanIR 3.000 -> 1.833"));
}

TEST_CASE("resampling: ml-rus on the small set removes only majority rows", "[data][resampling]") {
  // P = 25 % -> 2 removals asked. Majority labels a (IRLbl 1) and b (2); row 6 carries c and
  // row 7 no label: neither can go. Bags: a {0,1,2,3,4,5}, b {3,4}.
  // Round 1: one row of a's bag, then one of b's (3 or 4; if a's draw took one of them, b
  // gets the other) -> 2 removals, done. Whatever the draws: 6 rows remain, rows 6 and 7
  // among them, and at least one of rows 3, 4 is gone.
  const Dataset d = small();
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    INFO("seed " << seed);
    const Dataset r = lg::resample(d, spec("ml-rus"), seed);
    REQUIRE(r.rows() == 6);
    // The kept rows keep their order: x is the row number, ascending.
    std::vector<float> kept;
    for (Index i = 0; i < r.rows(); ++i) kept.push_back(r.dense(i, 0));
    CHECK(std::is_sorted(kept.begin(), kept.end()));
    CHECK(std::count(kept.begin(), kept.end(), 6.0f) == 1);
    CHECK(std::count(kept.begin(), kept.end(), 7.0f) == 1);
    CHECK(std::count(kept.begin(), kept.end(), 3.0f) + std::count(kept.begin(), kept.end(), 4.0f) <=
          1);
    CHECK_THAT(r.notes.back(), Catch::Contains("ml-rus") && Catch::Contains("removed 2 of the 2"));
  }
}

TEST_CASE("resampling: mlsmote interpolates between minority neighbours", "[data][resampling]") {
  // Labels a b c; c is only on rows 0 (x = (0, 0), {a, c}) and 1 (x = (2, 4), {b, c}).
  // Counts a 7 (rows 0, 2-7), b 5 (rows 1-5), c 2: IRLbl a 1, b 7/5 = 1.4, c 7/2 = 3.5;
  // MeanIR = 5.9 / 3 = 1.967: minority c alone.
  // k = 3 but the bag has 2 rows: each gets its one neighbour, the other row. The synthetic
  // row of row 0 lies in the box [0, 2] x [0, 4], and so does row 1's. Label votes over
  // {row 0, row 1}: a 1, b 1, c 2; ranking needs more than half (2 of 2): {c};
  // union {a, b, c}; intersection {c}.
  const Dataset d = make(
      {{0, 0}, {2, 4}, {9, 9}, {9, 9}, {9, 9}, {9, 9}, {9, 9}, {9, 9}},
      {{1, 0, 1}, {0, 1, 1}, {1, 1, 0}, {1, 1, 0}, {1, 1, 0}, {1, 1, 0}, {1, 0, 0}, {1, 0, 0}});
  for (const std::string mode : {"ranking", "union", "intersection"}) {
    INFO(mode);
    ResamplingSpec s = spec("mlsmote");
    s.label_set = mode;
    const Dataset r = lg::resample(d, s, 3);
    REQUIRE(r.rows() == 10);
    CHECK(r.dense.topRows(8) == d.dense);
    CHECK(r.labels.topRows(8) == d.labels);
    for (Index i : {8, 9}) {
      CHECK(r.dense(i, 0) >= 0.0f);
      CHECK(r.dense(i, 0) <= 2.0f);
      CHECK(r.dense(i, 1) >= 0.0f);
      CHECK(r.dense(i, 1) <= 4.0f);
      const int a = r.labels(i, 0), b = r.labels(i, 1), c = r.labels(i, 2);
      CHECK(c == 1);
      CHECK(a == (mode == "union" ? 1 : 0));
      CHECK(b == (mode == "union" ? 1 : 0));
    }
    CHECK(lg::resample(d, s, 3).dense == r.dense);  // deterministic
    CHECK(lg::resample(d, s, 4).dense != r.dense);
    CHECK_THAT(r.notes.back(), Catch::Contains("mlsmote") && Catch::Contains("added 2"));
  }
}

TEST_CASE("resampling: remedial splits high-SCUMBLE rows into minority and majority parts",
          "[data][resampling]") {
  // Labels a b c: counts a 4, b 2, c 1 -> IRLbl 1, 2, 4; MeanIR 7/3; minority c.
  //   rows: {a} {a} {a, b} {a, c} {b} {}     (features: row number)
  // SCUMBLE_i: {a}, {b}, {}: 0; {a, b}: 1 - sqrt(2)/1.5 = 0.05719;
  //   {a, c}: 1 - sqrt(4)/2.5 = 0.2. Mean = 0.25719 / 6 = 0.04287.
  // Rows above the mean: {a, b} (all majority: left as it is) and {a, c}: row 3 keeps {c},
  // its clone (row 6, features of row 3) gets {a}. Counts unchanged, so IRLbl too; SCUMBLE
  // after = 0.05719 / 7 = 0.00817.
  const Dataset d = make({{0}, {1}, {2}, {3}, {4}, {5}},
                         {{1, 0, 0}, {1, 0, 0}, {1, 1, 0}, {1, 0, 1}, {0, 1, 0}, {0, 0, 0}});
  const Dataset r = lg::resample(d, spec("remedial"), 1);
  REQUIRE(r.rows() == 7);
  CHECK(r.dense(6, 0) == 3.0f);
  CHECK(r.labels.row(3).cast<int>() == Eigen::RowVector3i(0, 0, 1));
  CHECK(r.labels.row(6).cast<int>() == Eigen::RowVector3i(1, 0, 0));
  CHECK(r.labels.row(2).cast<int>() == Eigen::RowVector3i(1, 1, 0));
  const double scumble_ab = 1.0 - std::sqrt(2.0) / 1.5;
  CHECK(lg::compute_stats(d).scumble == Approx((scumble_ab + 0.2) / 6.0).epsilon(1e-12));
  CHECK(lg::compute_stats(r).scumble == Approx(scumble_ab / 7.0).epsilon(1e-12));
  CHECK_THAT(r.notes.back(), Catch::Contains("remedial: split 1 of 6") &&
                                 Catch::Contains("1 such rows carried labels of one kind only"));
}

TEST_CASE("resampling: without minority labels nothing changes but the notes",
          "[data][resampling]") {
  // Balanced labels (IRLbl 1 each, MeanIR 1): no minority label, nothing above mean SCUMBLE.
  const Dataset d = make({{0}, {1}, {2}, {3}}, {{1, 0}, {0, 1}, {1, 0}, {0, 1}});
  for (const std::string method : {"ml-ros", "mlsmote", "remedial"}) {
    INFO(method);
    const Dataset r = lg::resample(d, spec(method), 1);
    CHECK(r.labels == d.labels);
    CHECK(r.dense == d.dense);
    CHECK(r.notes.size() == 1);
  }
  // ml-rus: both labels count as majority (IRLbl 1 <= MeanIR 1); 25 % of 4 rows = 1 goes.
  CHECK(lg::resample(d, spec("ml-rus"), 1).rows() == 3);
}

TEST_CASE("resampling: sparse features work for ml-ros, ml-rus and remedial, mlsmote says no",
          "[data][resampling]") {
  const Dataset dense = small();
  const Dataset sparse = to_sparse(dense);
  for (const std::string method : {"ml-ros", "ml-rus", "remedial"}) {
    INFO(method);
    const Dataset a = lg::resample(dense, spec(method), 5);
    const Dataset b = lg::resample(sparse, spec(method), 5);
    REQUIRE(b.sparse);
    CHECK(b.labels == a.labels);
    CHECK(Eigen::MatrixXf(b.csr) == Eigen::MatrixXf(a.dense));
  }
  CHECK_THROWS_WITH(lg::resample(sparse, spec("mlsmote"), 5),
                    Catch::Contains("mlsmote") && Catch::Contains("sparse"));
}

TEST_CASE("resampling: on yeast each method does what it promises", "[data][resampling]") {
  Dataset d;
  if (!read_yeast_train(d)) return;
  REQUIRE(d.rows() == 1500);
  const lg::DatasetStats before = lg::compute_stats(d);

  SECTION("ml-ros grows the set by P % while minority labels remain") {
    ResamplingSpec s = spec("ml-ros");
    s.percentage = 10;
    CHECK(lg::resample(d, s, 11).rows() == 1500 + 150);
  }
  SECTION("ml-ros clones minority rows and lowers MeanIR") {
    // P = 25 % asks for 375 clones, but on yeast every minority label reaches MeanIR
    // before that: the method stops and says so.
    const Dataset r = lg::resample(d, spec("ml-ros"), 11);
    INFO(r.notes.back());
    CHECK(r.rows() > 1500 + 150);
    CHECK(r.rows() <= 1500 + 375);
    if (r.rows() < 1500 + 375) CHECK_THAT(r.notes.back(), Catch::Contains("stopped"));
    CHECK(lg::compute_stats(r).meanir < before.meanir);
    CHECK(r.dense.topRows(1500) == d.dense);
    // Every added row is a copy of an input row carrying a minority label.
    const auto original = row_multiset(d);
    for (Index i = 1500; i < r.rows(); ++i) {
      std::vector<float> key(r.dense.row(i).data(), r.dense.row(i).data() + r.dense.cols());
      for (Index l = 0; l < r.labels.cols(); ++l) key.push_back(r.labels(i, l));
      CHECK(original.count(key) == 1);
      CHECK(has_minority_label(r, i, before));
    }
    CHECK(lg::resample(d, spec("ml-ros"), 11).labels == r.labels);
    CHECK(lg::resample(d, spec("ml-ros"), 12).labels != r.labels);
  }
  SECTION("ml-rus never removes a row carrying a minority label") {
    const Dataset r = lg::resample(d, spec("ml-rus"), 11);
    INFO(r.notes.back());
    CHECK(r.rows() >= 1500 - 375);
    CHECK(r.rows() < 1500);
    Index minority_rows_before = 0, minority_rows_after = 0;
    for (Index i = 0; i < d.rows(); ++i) minority_rows_before += has_minority_label(d, i, before);
    for (Index i = 0; i < r.rows(); ++i) minority_rows_after += has_minority_label(r, i, before);
    CHECK(minority_rows_after == minority_rows_before);
    for (Index l = 0; l < d.labels.cols(); ++l)
      if (before.per_label[static_cast<std::size_t>(l)].minority)
        CHECK(r.labels.col(l).cast<Index>().sum() == d.labels.col(l).cast<Index>().sum());
    CHECK(lg::compute_stats(r).meanir < before.meanir);
  }
  SECTION("ml-rus removes exactly P % when enough majority rows can go") {
    ResamplingSpec s = spec("ml-rus");
    s.percentage = 10;
    const Dataset r = lg::resample(d, s, 3);
    CHECK(r.rows() == 1500 - 150);
  }
  SECTION("mlsmote adds one row per (minority label, row carrying it) and lowers MeanIR") {
    Index expected = 0;
    for (const lg::LabelStats& l : before.per_label)
      if (l.minority) expected += l.count;
    const Dataset r = lg::resample(d, spec("mlsmote"), 11);
    CHECK(r.rows() == 1500 + expected);
    CHECK(lg::compute_stats(r).meanir < before.meanir);
    CHECK(r.dense.allFinite());
  }
  SECTION("remedial lowers the mean SCUMBLE and keeps every label count") {
    const Dataset r = lg::resample(d, spec("remedial"), 11);
    const lg::DatasetStats after = lg::compute_stats(r);
    CHECK(r.rows() > 1500);
    CHECK(after.scumble < before.scumble);
    for (Index l = 0; l < d.labels.cols(); ++l)
      CHECK(r.labels.col(l).cast<Index>().sum() == d.labels.col(l).cast<Index>().sum());
  }
}
