// Comparison tables: mean ± sd per data set × algorithm, average ranks per measure, the
// Friedman / Nemenyi summary and the CD diagram input, from hand-computed folds.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "eval/significance.hpp"
#include "report/comparison_table.hpp"

namespace {
using namespace lg::report;
using Catch::Matchers::WithinAbs;

// Three data sets × algorithms br, cc, knn; two folds each. Means (micro_f1 / hamming_loss):
//   d1: br 0.70 / 0.20   cc 0.80 / 0.10   knn 0.60 / 0.30
//   d2: br 0.50 / 0.25   cc 0.55 / 0.25   knn 0.65 / 0.15
//   d3: br 0.90 / 0.05   cc 0.85 / 0.06   knn 0.80 / 0.07
// Folds are mean ± 0.01, so every sd is sqrt(2 · 0.01² / 1) = 0.01·sqrt 2 = 0.01414.
std::vector<ComparisonCell> cells() {
  const std::vector<std::string> sets = {"d1", "d2", "d3"}, algs = {"br", "cc", "knn"};
  const double f1[3][3] = {{0.70, 0.80, 0.60}, {0.50, 0.55, 0.65}, {0.90, 0.85, 0.80}};
  const double hl[3][3] = {{0.20, 0.10, 0.30}, {0.25, 0.25, 0.15}, {0.05, 0.06, 0.07}};
  std::vector<ComparisonCell> out;
  for (int d = 0; d < 3; ++d)
    for (int a = 0; a < 3; ++a)
      out.push_back({sets[d], algs[a],
                     {{"hamming_loss", {hl[d][a] - 0.01, hl[d][a] + 0.01}},
                      {"micro_f1", {f1[d][a] - 0.01, f1[d][a] + 0.01}}}});
  return out;
}

}  // namespace

TEST_CASE("comparison: summary table of mean ± sd, grouped by data set", "[report]") {
  const Table t = summary_table(cells());
  REQUIRE(t.columns.size() == 4);
  // measure_names() order: micro_f1 before hamming_loss? Whatever it is, both are there with
  // their directions.
  std::size_t f1 = 0, hl = 0;
  for (std::size_t c = 2; c < 4; ++c) (t.columns[c].header == "micro_f1" ? f1 : hl) = c;
  REQUIRE(f1 != 0);
  REQUIRE(hl != 0);
  CHECK(t.columns[f1].better == Better::Higher);
  CHECK(t.columns[hl].better == Better::Lower);
  CHECK(t.group_by == "dataset");
  REQUIRE(t.rows.size() == 9);
  CHECK(t.rows[0][0].text() == "d1");
  CHECK(t.rows[0][1].text() == "br");
  CHECK(t.rows[8][1].text() == "knn");
  CHECK(t.rows[1][f1].has_sd());
  CHECK_THAT(t.rows[1][f1].number(), WithinAbs(0.80, 1e-12));
  CHECK_THAT(t.rows[1][f1].sd(), WithinAbs(0.01 * std::sqrt(2.0), 1e-12));
  // The best per data set: cc on d1, knn on d2, br on d3 (micro_f1); on d2 the hamming losses
  // 0.25, 0.25, 0.15: knn.
  const auto best = best_cells(t);
  CHECK(best[1][f1]);
  CHECK(best[5][f1]);
  CHECK(best[6][f1]);
  CHECK_FALSE(best[0][f1]);
  CHECK(best[5][hl]);
  CHECK_FALSE(best[3][hl]);

  // Explicit measures choose and order the columns; one value prints without ± sd.
  ComparisonOptions only_f1;
  only_f1.measures = {"micro_f1"};
  std::vector<ComparisonCell> single = cells();
  single[0].values["micro_f1"] = {0.7};
  const Table one = summary_table(single, only_f1);
  REQUIRE(one.columns.size() == 3);
  CHECK_FALSE(one.rows[0][2].has_sd());
  CHECK(one.rows[0][2].number() == 0.7);
}

TEST_CASE("comparison: average ranks per measure", "[report]") {
  // micro_f1 ranks (higher is better): d1 cc 1, br 2, knn 3; d2 knn 1, cc 2, br 3;
  //   d3 br 1, cc 2, knn 3. Averages: br (2+3+1)/3 = 2, cc (1+2+2)/3 = 5/3, knn (3+1+3)/3 = 7/3.
  // hamming_loss ranks (lower is better): d1 cc 1, br 2, knn 3; d2 knn 1, br and cc tie 2.5;
  //   d3 br 1, cc 2, knn 3. Averages: br (2+2.5+1)/3 = 5.5/3, cc (1+2.5+2)/3 = 5.5/3,
  //   knn (3+1+3)/3 = 7/3.
  ComparisonOptions o;
  o.measures = {"micro_f1", "hamming_loss"};
  const Table t = rank_table(cells(), o);
  REQUIRE(t.columns.size() == 3);
  CHECK(t.columns[1].header == "micro_f1_rank");
  CHECK(t.columns[1].better == Better::Lower);
  REQUIRE(t.rows.size() == 3);
  CHECK(t.rows[0][0].text() == "br");
  CHECK_THAT(t.rows[0][1].number(), WithinAbs(2.0, 1e-12));
  CHECK_THAT(t.rows[1][1].number(), WithinAbs(5.0 / 3, 1e-12));
  CHECK_THAT(t.rows[2][1].number(), WithinAbs(7.0 / 3, 1e-12));
  CHECK_THAT(t.rows[0][2].number(), WithinAbs(5.5 / 3, 1e-12));
  CHECK_THAT(t.rows[1][2].number(), WithinAbs(5.5 / 3, 1e-12));
  CHECK_THAT(t.rows[2][2].number(), WithinAbs(7.0 / 3, 1e-12));
  CHECK(t.title == "Average rank over 3 data sets (1 = best)");

  const MeasureComparison c = compare_measure(cells(), "micro_f1");
  CHECK(c.direction == lg::eval::Direction::HigherIsBetter);
  CHECK(c.datasets == std::vector<std::string>{"d1", "d2", "d3"});
  CHECK(c.algorithms == std::vector<std::string>{"br", "cc", "knn"});
  CHECK_THAT(c.means[1][2], WithinAbs(0.65, 1e-12));
}

TEST_CASE("comparison: Friedman summary and the CD diagram", "[report]") {
  ComparisonOptions o;
  o.measures = {"micro_f1"};
  o.alpha = 0.10;
  const Table t = significance_table(cells(), o);
  REQUIRE(t.rows.size() == 1);
  // chi2 = 12·3/(3·4) · (2² + (5/3)² + (7/3)² − 3·16/4) = 3 · (4 + 25/9 + 49/9 − 12)
  //      = 3 · (110/9 − 108/9) = 2/3.
  CHECK(t.rows[0][0].text() == "micro_f1");
  CHECK(t.rows[0][1].number() == 3);
  CHECK(t.rows[0][2].number() == 3);
  CHECK_THAT(t.rows[0][3].number(), WithinAbs(2.0 / 3, 1e-12));
  // CD = 2.052 · sqrt(3·4/(6·3)) at alpha 0.10 (q for k = 3).
  CHECK_THAT(t.rows[0][7].number(), WithinAbs(2.052 * std::sqrt(12.0 / 18.0), 1e-12));

  const CdDiagram d = cd_diagram_for(cells(), "micro_f1", o);
  CHECK(d.names == std::vector<std::string>{"br", "cc", "knn"});
  CHECK_THAT(d.average_ranks[1], WithinAbs(5.0 / 3, 1e-12));
  CHECK_THAT(d.critical_difference, WithinAbs(2.052 * std::sqrt(12.0 / 18.0), 1e-12));
  CHECK_THAT(d.title, Catch::Contains("micro_f1") && Catch::Contains("3 data sets"));
}

TEST_CASE("comparison: gaps and duplicates are errors naming them", "[report]") {
  std::vector<ComparisonCell> gap = cells();
  gap.erase(gap.begin() + 4);  // d2 / cc
  CHECK_THROWS_WITH(rank_table(gap), Catch::Contains("'cc'") && Catch::Contains("'d2'"));
  CHECK(summary_table(gap).rows.size() == 8);  // the summary shows what exists

  std::vector<ComparisonCell> twice = cells();
  twice.push_back(twice.front());
  CHECK_THROWS_WITH(summary_table(twice), Catch::Contains("given twice"));

  std::vector<ComparisonCell> missing = cells();
  missing[2].values.erase("micro_f1");
  ComparisonOptions o;
  o.measures = {"micro_f1"};
  CHECK_THROWS_WITH(rank_table(missing, o),
                    Catch::Contains("'knn'") && Catch::Contains("'d1'") &&
                        Catch::Contains("no values"));

  std::vector<ComparisonCell> custom = cells();
  for (auto& c : custom) c.values["train_seconds"] = {1.0};
  CHECK_THROWS_WITH(summary_table(custom), Catch::Contains("train_seconds"));
  ComparisonOptions with_direction;
  with_direction.directions["train_seconds"] = lg::eval::Direction::LowerIsBetter;
  const Table t = summary_table(custom, with_direction);
  CHECK(t.columns.back().header == "train_seconds");  // unknown measures after known ones
  CHECK(t.columns.back().better == Better::Lower);
}
