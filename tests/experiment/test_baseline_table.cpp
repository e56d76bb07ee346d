// tables/<set>-vs-baseline: each algorithm against the baseline, from hand-computed APs.
#include <catch2/catch.hpp>

#include "eval/imbalance.hpp"
#include "eval/measures.hpp"
#include "experiment/results.hpp"
#include "report/table.hpp"

namespace {

lg::CellResult cell(const std::string& algorithm, const lg::ScoreMatrix& scores) {
  lg::LabelMatrix truth(4, 3);
  truth << 1, 1, 0,
           0, 1, 0,
           1, 0, 0,
           0, 0, 1;
  const lg::LabelMatrix predicted = (scores.array() >= 0.5f).cast<std::uint8_t>();
  lg::CellResult c;
  c.dataset = "toy";
  c.algorithm = algorithm;
  c.evaluation = lg::eval::evaluate(truth, scores, predicted);
  c.imbalance = lg::eval::imbalance_report(c.evaluation, truth, {"a", "b", "c"});
  return c;
}

}  // namespace

TEST_CASE("baseline table: mAP gap, labels better / worse, from hand-computed APs", "[experiment]") {
  lg::ScoreMatrix perfect(4, 3), other(4, 3);
  perfect << 0.9f, 0.9f, 0.1f,
             0.1f, 0.8f, 0.2f,
             0.8f, 0.2f, 0.3f,
             0.2f, 0.1f, 0.9f;
  // label a as perfect (AP 1); label b reversed: positives at ranks 3 and 4, AP (1/3 + 2/4) / 2;
  // label c: its positive ranked 2nd, AP 1/2.
  other << 0.9f, 0.1f, 0.9f,
           0.1f, 0.2f, 0.1f,
           0.8f, 0.8f, 0.1f,
           0.2f, 0.9f, 0.5f;
  const std::vector<lg::CellResult> cells = {cell("BASE", perfect), cell("OTHER", other)};
  const lg::report::Table t = lg::baseline_table(cells, "BASE");
  REQUIRE(t.rows.size() == 1);
  const auto& row = t.rows[0];
  const double other_map = (1.0 + (1.0 / 3 + 0.5) / 2 + 0.5) / 3;
  CHECK(row[0].text() == "OTHER");
  CHECK(row[1].number() == Approx(other_map));
  CHECK(row[2].number() == Approx(other_map - 1.0));
  CHECK(row[5].number() == 0);  // labels better
  CHECK(row[6].number() == 2);  // labels worse
}
