// Imbalance-aware tables: per-label rows with training count and IRLbl, frequency buckets at
// quantile edges, minority vs majority; all figures computed by hand below.
#include <catch2/catch.hpp>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "eval/imbalance.hpp"

namespace {
using namespace lg::eval;
using Catch::Matchers::WithinAbs;
using lg::Index;

/// A training matrix with `rows` rows where label l is set in its first counts[l] rows.
lg::LabelMatrix train_with_counts(const std::vector<Index>& counts, Index rows) {
  lg::LabelMatrix y = lg::LabelMatrix::Zero(rows, static_cast<Index>(counts.size()));
  for (std::size_t l = 0; l < counts.size(); ++l)
    for (Index r = 0; r < counts[l]; ++r) y(r, static_cast<Index>(l)) = 1;
  return y;
}

LabelMeasures label(double p, double r, double f1, double ap, bool positive, Index tp = 0,
                    Index fn = 0) {
  LabelMeasures m;
  m.precision = p;
  m.recall = r;
  m.f1 = f1;
  m.ap = ap;
  m.has_positive = positive;
  m.confusion.tp = tp;
  m.confusion.fn = fn;
  return m;
}

// Six labels a..f with training counts 8, 1, 4, 0, 2, 6 (10 rows).
//   IRLbl = 8/n: a 1, b 8, c 2, d (absent) 0, e 4, f 4/3.
//   MeanIR over the five occurring labels = (1 + 8 + 2 + 4 + 4/3)/5 = (49/3)/5 = 49/15 = 3.267.
//   Minority: IRLbl > 49/15 → b (8), e (4); d is absent from training → minority too.
// Terciles of the sorted counts 0 1 2 4 6 8 (numpy's linear interpolation):
//   q(1/3): h = 5/3, x_1 + (2/3)(x_2 − x_1) = 1 + 2/3 = 5/3;
//   q(2/3): h = 10/3, x_3 + (1/3)(x_4 − x_3) = 4 + 2/3 = 14/3.
//   tail: counts <= 5/3 → d (0), b (1); medium: <= 14/3 → e (2), c (4); head: f (6), a (8).
// Per-label figures (P, R, F1, AP, has a positive):
//   a 1.0 .5 .6 .9 yes | b 0 0 0 0 no | c .5 .5 .5 .7 yes | d 0 0 0 0 no | e .25 1 .4 .3 yes
//   f .8 .6 .7 .5 yes
EvaluationResult six_labels() {
  EvaluationResult r;
  r.per_label = {label(1.0, 0.5, 0.6, 0.9, true, 2, 2), label(0, 0, 0, 0, false),
                 label(0.5, 0.5, 0.5, 0.7, true, 1, 1), label(0, 0, 0, 0, false),
                 label(0.25, 1.0, 0.4, 0.3, true, 1, 0), label(0.8, 0.6, 0.7, 0.5, true, 3, 2)};
  r.skipped_labels = 2;
  return r;
}

const std::vector<std::string> kNames = {"a", "b", "c", "d", "e", "f"};

}  // namespace

TEST_CASE("imbalance: per-label rows, terciles, minority vs majority", "[eval]") {
  const ImbalanceReport rep =
      imbalance_report(six_labels(), train_with_counts({8, 1, 4, 0, 2, 6}, 10), kNames);
  REQUIRE(rep.labels.size() == 6);
  CHECK_THAT(rep.meanir, WithinAbs(49.0 / 15.0, 1e-12));
  REQUIRE(rep.edge_counts.size() == 2);
  CHECK_THAT(rep.edge_counts[0], WithinAbs(5.0 / 3.0, 1e-12));
  CHECK_THAT(rep.edge_counts[1], WithinAbs(14.0 / 3.0, 1e-12));

  const std::vector<std::string> bucket = {"head", "tail", "medium", "tail", "medium", "head"};
  const std::vector<bool> minority = {false, true, false, true, true, false};
  const std::vector<double> irlbl = {1, 8, 2, 0, 4, 4.0 / 3};
  for (std::size_t l = 0; l < 6; ++l) {
    CAPTURE(l);
    CHECK(rep.labels[l].name == kNames[l]);
    CHECK(rep.labels[l].bucket == bucket[l]);
    CHECK(rep.labels[l].minority == minority[l]);
    CHECK_THAT(rep.labels[l].irlbl, WithinAbs(irlbl[l], 1e-12));
  }
  CHECK(rep.labels[0].train_count == 8);
  CHECK(rep.labels[0].support == 4);  // tp 2 + fn 2
  CHECK(rep.labels[5].support == 5);

  REQUIRE(rep.buckets.size() == 3);
  const BucketSummary& tail = rep.buckets[0];
  CHECK(tail.name == "tail");
  CHECK(tail.labels == 2);
  CHECK(tail.min_count == 0);
  CHECK(tail.max_count == 1);
  CHECK(tail.macro_f1 == 0.0);
  CHECK(tail.map == 0.0);  // no label with a positive: 0, not NaN
  CHECK(tail.skipped_labels == 2);
  const BucketSummary& medium = rep.buckets[1];  // c, e
  CHECK(medium.labels == 2);
  CHECK(medium.min_count == 2);
  CHECK(medium.max_count == 4);
  CHECK_THAT(medium.macro_precision, WithinAbs((0.5 + 0.25) / 2, 1e-12));
  CHECK_THAT(medium.macro_recall, WithinAbs((0.5 + 1.0) / 2, 1e-12));
  CHECK_THAT(medium.macro_f1, WithinAbs((0.5 + 0.4) / 2, 1e-12));
  CHECK_THAT(medium.map, WithinAbs((0.7 + 0.3) / 2, 1e-12));
  const BucketSummary& head = rep.buckets[2];  // a, f
  CHECK(head.name == "head");
  CHECK(head.min_count == 6);
  CHECK(head.max_count == 8);
  CHECK_THAT(head.macro_precision, WithinAbs(0.9, 1e-12));
  CHECK_THAT(head.map, WithinAbs(0.7, 1e-12));

  // Minority b, d, e: mAP over e only (b and d have no positive).
  CHECK(rep.minority.labels == 3);
  CHECK(rep.minority.skipped_labels == 2);
  CHECK_THAT(rep.minority.macro_recall, WithinAbs(1.0 / 3, 1e-12));
  CHECK_THAT(rep.minority.map, WithinAbs(0.3, 1e-12));
  CHECK(rep.minority.min_count == 0);
  CHECK(rep.minority.max_count == 2);
  // Majority a, c, f.
  CHECK(rep.majority.labels == 3);
  CHECK_THAT(rep.majority.macro_precision, WithinAbs((1.0 + 0.5 + 0.8) / 3, 1e-12));
  CHECK_THAT(rep.majority.macro_f1, WithinAbs((0.6 + 0.5 + 0.7) / 3, 1e-12));
  CHECK_THAT(rep.majority.map, WithinAbs((0.9 + 0.7 + 0.5) / 3, 1e-12));
}

TEST_CASE("imbalance: ties at an edge go to the rarer bucket, empty buckets", "[eval]") {
  // Counts 1 1 1 5: q(1/3) at h = 1 → 1, q(2/3) at h = 2 → 1. The three 1s are <= the first
  // edge: tail; nothing is in (1, 1]: medium is empty; 5 is head.
  EvaluationResult r;
  r.per_label = {label(0.5, 0.5, 0.5, 0.5, true), label(0.5, 0.5, 0.5, 0.5, true),
                 label(0.5, 0.5, 0.5, 0.5, true), label(1, 1, 1, 1, true)};
  const ImbalanceReport rep = imbalance_report(r, train_with_counts({1, 1, 1, 5}, 5), {});
  CHECK(rep.buckets[0].labels == 3);
  CHECK(rep.buckets[1].labels == 0);
  CHECK(rep.buckets[1].min_count == 0);
  CHECK(rep.buckets[1].macro_f1 == 0.0);
  CHECK(rep.buckets[2].labels == 1);
  CHECK(rep.labels[0].name == "0");  // unnamed labels: named by index (data/statistics)

  // The empty bucket's row: 0 labels and empty cells, nothing NaN in any format.
  const lg::report::Table t = bucket_table(rep);
  REQUIRE(t.rows.size() == 5);  // 3 buckets + minority + majority
  CHECK(t.rows[1][1].text() == "medium");
  CHECK(t.rows[1][2].number() == 0);
  CHECK(t.rows[1][7].empty());  // macro_f1
  const std::string json = lg::report::to_json(t);
  CHECK(json.find("NaN") == std::string::npos);
  CHECK(json.find("nan") == std::string::npos);
  CHECK(nlohmann::json::parse(json)[1]["macro_f1"].is_null());

  // Custom edges: the median splits 1 1 1 5 at 1 → rare: the 1s; common: 5.
  BucketOptions two;
  two.edges = {0.5};
  two.names = {"rare", "common"};
  const ImbalanceReport halves = imbalance_report(r, train_with_counts({1, 1, 1, 5}, 5), {}, two);
  REQUIRE(halves.buckets.size() == 2);
  CHECK(halves.buckets[0].name == "rare");
  CHECK(halves.buckets[0].labels == 3);
  CHECK(halves.labels[3].bucket == "common");
}

TEST_CASE("imbalance: tables carry directions and the documented columns", "[eval]") {
  const ImbalanceReport rep =
      imbalance_report(six_labels(), train_with_counts({8, 1, 4, 0, 2, 6}, 10), kNames);
  const lg::report::Table labels = per_label_table(rep);
  REQUIRE(labels.columns.size() == 10);
  CHECK(labels.columns[0].header == "label");
  CHECK(labels.columns[1].header == "train_count");
  CHECK(labels.columns[4].header == "minority");
  CHECK(labels.columns[6].header == "precision");
  CHECK(labels.columns[6].better == lg::report::Better::Higher);
  CHECK(labels.columns[9].header == "ap");
  CHECK(labels.columns[9].better == lg::report::Better::Higher);
  CHECK(labels.columns[3].better == lg::report::Better::Unspecified);
  REQUIRE(labels.rows.size() == 6);
  CHECK(labels.rows[1][4].text() == "yes");
  CHECK(labels.rows[0][4].text() == "no");
  CHECK(labels.rows[1][9].empty());  // b has no positive: no AP
  CHECK(labels.rows[0][9].number() == 0.9);
  CHECK(lg::report::to_text(labels).find("precision ↑") != std::string::npos);

  const lg::report::Table buckets = bucket_table(rep);
  REQUIRE(buckets.rows.size() == 5);
  CHECK(buckets.rows[0][1].text() == "tail");
  CHECK(buckets.rows[3][1].text() == "minority");
  CHECK(buckets.rows[4][1].text() == "majority");
  CHECK(buckets.rows[0][8].empty());  // tail: no label with a positive, no mAP
  CHECK(buckets.rows[1][8].number() == Approx(0.5));
  CHECK(buckets.group_by == "split");
  CHECK(lg::report::to_latex(buckets).find("\\midrule\nimbalance & minority") != std::string::npos);
}

TEST_CASE("imbalance: bad input is a clear error", "[eval]") {
  const EvaluationResult r = six_labels();
  CHECK_THROWS_WITH(imbalance_report(r, train_with_counts({1, 2}, 3), kNames),
                    Catch::Contains("2 columns") && Catch::Contains("expected 6"));
  CHECK_THROWS_WITH(imbalance_report(r, train_with_counts({1, 1, 1, 1, 1, 1}, 2), {"a"}),
                    Catch::Contains("1 label names for 6 labels"));
  BucketOptions bad;
  bad.edges = {0.5, 0.4};
  bad.names = {"x", "y", "z"};
  CHECK_THROWS_WITH(imbalance_report(r, train_with_counts({1, 1, 1, 1, 1, 1}, 2), kNames, bad),
                    Catch::Contains("increase"));
  bad.edges = {1.0};
  bad.names = {"x", "y"};
  CHECK_THROWS_WITH(imbalance_report(r, train_with_counts({1, 1, 1, 1, 1, 1}, 2), kNames, bad),
                    Catch::Contains("between 0 and 1"));
  bad.edges = {0.5};
  bad.names = {"x"};
  CHECK_THROWS_WITH(imbalance_report(r, train_with_counts({1, 1, 1, 1, 1, 1}, 2), kNames, bad),
                    Catch::Contains("1 names for 1 edges"));
}
