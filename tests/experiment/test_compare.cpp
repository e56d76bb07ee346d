// experiment/compare: published-values files, the checks between sources, the measure grid.
// (Result folders and prediction files are exercised end to end in tests/cli/test_compare_cli.)
#include <catch2/catch.hpp>

#include <string>

#include "experiment/compare.hpp"
#include "helpers.hpp"

using Catch::Matchers::Contains;

TEST_CASE("compare: values files, CSV and JSON, and their errors", "[experiment]") {
  lg::test::TempDir tmp;
  lg::CompareSources s;
  lg::read_values_file(tmp.write("v.csv", "algorithm, dataset,measure,mean,sd,n\n"
                                          "A,d1,micro_f1,0.5,0.1,3\n"
                                          "\n"
                                          "B,d1,micro_f1,0.6,,\n"),
                       s);
  REQUIRE(s.entries.size() == 2);
  CHECK(s.entries[0].dataset == "d1");
  CHECK(s.entries[0].algorithm == "A");
  CHECK(s.entries[0].value.sd == 0.1);
  CHECK(s.entries[0].value.n == 3);
  CHECK(s.entries[1].value.n == 1);  // empty n and sd: one value
  CHECK(s.entries[1].value.sd == 0.0);
  REQUIRE(s.notes.size() == 1);
  CHECK_THAT(s.notes[0], Contains("not checked"));

  lg::read_values_file(tmp.write("v.json", R"([{"dataset": "d2", "algorithm": "A",
      "measure": "micro_f1", "mean": 0.4}])"),
                       s);
  CHECK(s.entries.size() == 3);

  const auto error = [&](const std::string& name, const std::string& text) {
    lg::CompareSources x;
    return lg::test::error_of([&] { lg::read_values_file(tmp.write(name, text), x); });
  };
  CHECK_THAT(error("a.csv", "dataset,algorithm,measure,mean\nd,A,m,0.5\nd,B,m,abc\n"),
             Contains("a.csv:3") && Contains("'abc' in column 'mean' is not a number"));
  CHECK_THAT(error("b.csv", "dataset,algorithm,mean\n"), Contains("b.csv:1") &&
                                                            Contains("no column 'measure'"));
  CHECK_THAT(error("c.csv", "dataset,algorithm,measure,mean\nd,A,m\n"),
             Contains("c.csv:2") && Contains("has 3 fields, the header 4"));
  CHECK_THAT(error("d.csv", "dataset,algorithm,measure,mean,sd\nd,A,m,0.5,-1\n"),
             Contains("d.csv:2") && Contains("sd >= 0"));
  CHECK_THAT(error("e.json", "{\"dataset\": 1}"), Contains("e.json") && Contains("list of rows"));
  CHECK_THAT(error("f.csv", ""), Contains("f.csv") && Contains("header"));
}

TEST_CASE("compare: checks between sources and the measure grid", "[experiment]") {
  lg::CompareSources s;
  const auto add = [&](const char* d, const char* a, const char* m, double v, const char* src) {
    s.entries.push_back({d, a, m, lg::eval::mean_sd({v}), src});
  };
  add("d1", "A", "micro_f1", 0.5, "run1");
  add("d1", "A", "mAP", 0.6, "run1");
  add("d1", "B", "micro_f1", 0.7, "run2");
  add("d2", "A", "micro_f1", 0.4, "run1");
  add("d2", "A", "mAP", 0.3, "run1");
  add("d2", "B", "micro_f1", 0.2, "run2");
  lg::check_sources(s);  // no identities, no label twice: fine

  // Only micro_f1 is everywhere.
  CHECK(lg::common_measures(s) == std::vector<std::string>{"micro_f1"});
  const lg::MeasureGrid g = lg::measure_grid(s, "micro_f1");
  CHECK(g.datasets == std::vector<std::string>{"d1", "d2"});
  CHECK(g.algorithms == std::vector<std::string>{"A", "B"});
  CHECK(g.values[1][1].mean == 0.2);
  CHECK(lg::measure_grid(s, "micro_f1", {"d2"}, {"B", "A"}).values[0][0].mean == 0.2);
  CHECK_THAT(lg::test::error_of([&] { lg::measure_grid(s, "mAP"); }),
             Contains("run2: algorithm 'B' on data set 'd1' has no value of 'mAP'"));
  CHECK_THAT(lg::test::error_of([&] { lg::measure_grid(s, "micro_f1", {"d3"}); }),
             Contains("no data set 'd3' in the results (they have: d1, d2)"));

  // A missing pair names what each side has.
  lg::CompareSources gap = s;
  gap.entries.push_back({"d3", "C", "micro_f1", lg::eval::mean_sd({0.1}), "run3"});
  CHECK_THAT(lg::test::error_of([&] { lg::measure_grid(gap, "micro_f1"); }),
             Contains("algorithm 'C' has no results on data set 'd1' ('C' has d3; 'd1' has A, B)"));

  // The same algorithm on the same data set from two sources.
  lg::CompareSources twice = s;
  twice.entries.push_back({"d1", "B", "mAP", lg::eval::mean_sd({0.1}), "run3"});
  CHECK_THAT(lg::test::error_of([&] { lg::check_sources(twice); }),
             Contains("algorithm 'B' on data set 'd1' comes from both run2 and run3"));

  // Identities: other data; the same data with other test rows; a single test set against
  // folds; unknown data (empty) is not compared.
  lg::DatasetIdentity one{"d1", "run1", "data = 'x'\n", "[split]\nmethod = 'given'\n", {{{1, 0}, 50}}};
  lg::DatasetIdentity two = one;
  two.source = "run2";
  s.identities = {one, two};
  lg::check_sources(s);
  s.identities[1].data = "data = 'y'\n";
  CHECK_THAT(lg::test::error_of([&] { lg::check_sources(s); }),
             Contains("data set 'd1' differs between run1 and run2: different data checksums "
                      "('data = 'x'' in run1, 'data = 'y'' in run2)"));
  s.identities[1] = two;
  s.identities[1].test_rows = {{{1, 0}, 51}};
  CHECK_THAT(lg::test::error_of([&] { lg::check_sources(s); }),
             Contains("different splits (seed 1 fold 0: 50 test rows in run1; seed 1 fold 0: 51 "
                      "test rows in run2)"));
  lg::DatasetIdentity file{"d1", "scores.csv", "", "", {{{0, 0}, 50}}, true};
  s.identities = {one, file};
  lg::check_sources(s);
  s.identities[0].test_rows = {{{1, 0}, 50}, {{1, 1}, 50}};
  CHECK_THAT(lg::test::error_of([&] { lg::check_sources(s); }),
             Contains("one test set of 50 rows in scores.csv"));
}
