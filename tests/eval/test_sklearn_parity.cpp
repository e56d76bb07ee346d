// Parity with scikit-learn 1.2 (and with the transcribed ML-GCN and MULAN code) to 1e-9 on the
// fixtures written by tests/fixtures/eval/make_sklearn_fixtures.py (see the README there):
// random matrices, tied scores, all-zero and all-one rows and columns, single-label data, a
// truth without positives, and the article's five images.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "eval/measures.hpp"
#include "eval/thresholding.hpp"
#include "helpers.hpp"

namespace {
using lg::Index;
using lg::LabelMatrix;
using lg::ScoreMatrix;
using namespace lg::eval;

/// A headerless CSV of numbers as rows of doubles (strtod, so "0.1674775928258896" -> double).
std::vector<std::vector<double>> read_csv(const std::filesystem::path& path) {
  const std::string text = lg::test::read_file(path);
  REQUIRE(!text.empty());
  std::vector<std::vector<double>> rows;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    std::vector<double> row;
    std::istringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ',')) row.push_back(std::strtod(field.c_str(), nullptr));
    rows.push_back(row);
  }
  return rows;
}

LabelMatrix labels_of(const std::vector<std::vector<double>>& rows) {
  LabelMatrix m(static_cast<Index>(rows.size()), static_cast<Index>(rows[0].size()));
  for (Index i = 0; i < m.rows(); ++i)
    for (Index j = 0; j < m.cols(); ++j) m(i, j) = static_cast<std::uint8_t>(rows[i][j]);
  return m;
}

/// Scores are float32 values written as the double equal to them: the cast is exact.
ScoreMatrix scores_of(const std::vector<std::vector<double>>& rows) {
  ScoreMatrix m(static_cast<Index>(rows.size()), static_cast<Index>(rows[0].size()));
  for (Index i = 0; i < m.rows(); ++i)
    for (Index j = 0; j < m.cols(); ++j) {
      m(i, j) = static_cast<float>(rows[i][j]);
      REQUIRE(static_cast<double>(m(i, j)) == rows[i][j]);
    }
  return m;
}

struct Case {
  LabelMatrix truth, predictions;
  ScoreMatrix scores;
  nlohmann::json expected;
};

Case load(const std::string& name) {
  const auto folder = lg::test::fixture("eval/" + name);
  Case c;
  c.truth = labels_of(read_csv(folder / "truth.csv"));
  c.scores = scores_of(read_csv(folder / "scores.csv"));
  c.predictions = labels_of(read_csv(folder / "predictions.csv"));
  c.expected = nlohmann::json::parse(lg::test::read_file(folder / "expected.json"));
  return c;
}

void check_measures(const EvaluationResult& r, const nlohmann::json& expected) {
  for (const auto& [name, value] : expected.items()) {
    if (!value.is_number_float()) continue;
    if (name == "threshold" || name == "mlgcn_threshold") continue;
    INFO("measure " << name);
    REQUIRE(r.has(name));
    CHECK(r.get(name) == Approx(value.get<double>()).margin(1e-9).epsilon(0));
  }
}

void check_per_label(const std::vector<LabelMeasures>& per_label, const nlohmann::json& values,
                     double LabelMeasures::*field, bool LabelMeasures::*defined) {
  REQUIRE(values.size() == per_label.size());
  for (std::size_t l = 0; l < per_label.size(); ++l) {
    INFO("label " << l);
    if (values[l].is_null()) {
      CHECK_FALSE(per_label[l].*defined);
    } else {
      CHECK(per_label[l].*defined);
      CHECK(per_label[l].*field == Approx(values[l].get<double>()).margin(1e-9).epsilon(0));
    }
  }
}

const char* const kCases[] = {"random",       "ties",         "zero_rows_cols", "one_rows_cols",
                              "single_label", "no_positives", "powerlaw",       "five_images"};

}  // namespace

TEST_CASE("every measure matches scikit-learn 1.2 on the committed fixtures", "[eval]") {
  for (const char* name : kCases) {
    SECTION(name) {
      const Case c = load(name);
      // the fixture's predictions are its scores at the fixed threshold 0.5
      const Thresholds fixed = fit_thresholds(parse_threshold_spec("0.5"), c.truth.cols());
      CHECK(apply_thresholds(fixed, c.scores) == c.predictions);

      for (int threads : {1, 2}) {
        INFO("threads " << threads);
        MeasureOptions options;
        options.threads = threads;
        const EvaluationResult r = evaluate(c.truth, c.scores, c.predictions, options);
        check_measures(r, c.expected);
        check_per_label(r.per_label, c.expected["per_label_ap"], &LabelMeasures::ap,
                        &LabelMeasures::has_positive);
        check_per_label(r.per_label, c.expected["per_label_ap_mlgcn"], &LabelMeasures::ap_mlgcn,
                        &LabelMeasures::has_positive);
        // AUC needs a negative too
        const auto& auc = c.expected["per_label_auc"];
        REQUIRE(auc.size() == r.per_label.size());
        for (std::size_t l = 0; l < r.per_label.size(); ++l) {
          INFO("label " << l);
          const bool defined = r.per_label[l].has_positive && r.per_label[l].has_negative;
          CHECK(defined == !auc[l].is_null());
          if (defined) CHECK(r.per_label[l].auc == Approx(auc[l].get<double>()).margin(1e-9));
        }
        CHECK(r.skipped_labels == c.expected["skipped_labels"].get<Index>());
        CHECK(r.auc_skipped_labels == c.expected["auc_skipped_labels"].get<Index>());
        CHECK(r.undefined_measures ==
              c.expected["undefined_measures"].get<std::vector<std::string>>());
      }

      MeasureOptions one;
      one.zero_division = ZeroDivision::One;
      check_measures(evaluate(c.truth, c.scores, c.predictions, one), c.expected["zero_division_1"]);

      MeasureOptions beta2;
      beta2.beta = 2.0;
      const EvaluationResult rb = evaluate(c.truth, c.scores, c.predictions, beta2);
      check_measures(rb, c.expected["beta_2"]);
      REQUIRE(c.expected["beta_2"].contains("macro_fbeta"));
    }
  }
}

TEST_CASE("parity fixtures: predictions alone give the thresholded measures", "[eval]") {
  const Case c = load("ties");
  const EvaluationResult r = evaluate(c.truth, ScoreMatrix(), c.predictions);
  for (const char* name : {"hamming_loss", "subset_accuracy", "accuracy", "example_f1", "micro_f1",
                           "macro_precision"})
    CHECK(r.get(name) == Approx(c.expected[name].get<double>()).margin(1e-9));
  CHECK_FALSE(r.has("mAP"));
  CHECK_FALSE(r.has("CP"));
  CHECK_THROWS_WITH(r.get("mAP"), Catch::Contains("needs scores"));
}
