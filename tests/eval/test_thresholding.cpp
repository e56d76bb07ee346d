// Thresholding strategies: spec parsing, fixed, SCut, PCut, RCut and MCut on hand-worked
// examples (ties included), and errors for missing or inconsistent inputs.
#include <catch2/catch.hpp>

#include "helpers.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "core/error.hpp"
#include "eval/thresholding.hpp"

namespace {
using lg::Index;
using lg::LabelMatrix;
using lg::ScoreMatrix;
using namespace lg::eval;
using Kind = ThresholdSpec::Kind;

LabelMatrix labels(std::initializer_list<std::initializer_list<int>> rows) {
  return lg::test::label_matrix(rows);
}

ScoreMatrix scores(std::initializer_list<std::initializer_list<double>> rows) {
  return lg::test::score_matrix(rows);
}

LabelMatrix apply(const std::string& spec, const ScoreMatrix& s, const ThresholdInputs& in = {}) {
  return apply_thresholds(fit_thresholds(parse_threshold_spec(spec), s.cols(), in), s, in);
}

/// SCut's cut between two scores: their midpoint, as a float.
double mid(double a, double b) {
  const double m = (static_cast<double>(static_cast<float>(a)) + static_cast<double>(static_cast<float>(b))) / 2;
  return static_cast<double>(static_cast<float>(m));
}

}  // namespace

TEST_CASE("threshold specs parse and print", "[eval]") {
  CHECK(parse_threshold_spec("0.3").kind == Kind::Fixed);
  CHECK(parse_threshold_spec("0.3").threshold == 0.3);
  CHECK(parse_threshold_spec("fixed:0.7").threshold == 0.7);
  CHECK(parse_threshold_spec("fixed").threshold == 0.5);
  CHECK(parse_threshold_spec("-1e-3").threshold == -1e-3);
  CHECK(parse_threshold_spec("scut").kind == Kind::SCut);
  CHECK(parse_threshold_spec("scut").measure == "f1");
  CHECK(parse_threshold_spec("scut:jaccard").measure == "jaccard");
  CHECK(parse_threshold_spec("SCut:Accuracy").measure == "accuracy");
  CHECK(parse_threshold_spec("pcut").kind == Kind::PCut);
  CHECK(parse_threshold_spec("rcut:3").k == 3);
  CHECK(parse_threshold_spec("topk:2").kind == Kind::RCut);
  CHECK(parse_threshold_spec("topk:2").k == 2);
  CHECK(parse_threshold_spec("mcut").kind == Kind::MCut);
  for (const char* text : {"fixed:0.25", "scut:f1", "scut:jaccard", "pcut", "rcut:4", "mcut"})
    CHECK(parse_threshold_spec(text).to_string() == text);
  CHECK(parse_threshold_spec("0.3").to_string() == "fixed:0.3");
  for (const char* bad : {"", "foo", "nan", "inf", "fixed:abc", "fixed:", "rcut", "rcut:0",
                          "rcut:-2", "rcut:1.5", "topk:x", "pcut:3", "mcut:1", "0.5x"})
    CHECK_THROWS_WITH(parse_threshold_spec(bad), Catch::Contains("threshold '" + std::string(bad) + "'"));
  CHECK_THROWS_WITH(parse_threshold_spec("foo"), Catch::Contains("rcut:K") && Catch::Contains("mcut"));
  CHECK_THROWS_WITH(parse_threshold_spec("scut:auc"), Catch::Contains("f1, jaccard or accuracy"));
}

TEST_CASE("fixed: score >= t, the threshold itself included", "[eval]") {
  const ScoreMatrix s = scores({{0.5, 0.49, 0.9}, {0.1, 0.5, 0.51}});
  CHECK(apply("fixed:0.5", s) == labels({{1, 0, 1}, {0, 1, 1}}));
  // 0.9 is no float: the score 0.9f is just below the double 0.9, but the threshold is
  // compared as a float (as NumPy does), so it is kept
  CHECK(apply("0.9", s) == labels({{0, 0, 1}, {0, 0, 0}}));
  const Thresholds t = fit_thresholds(parse_threshold_spec("0.2"), 3);
  CHECK(t.per_label == std::vector<double>{0.2, 0.2, 0.2});
  Thresholds unfitted;  // a fixed spec needs no fit
  unfitted.spec.threshold = 0.5;
  CHECK(apply_thresholds(unfitted, s) == labels({{1, 0, 1}, {0, 1, 1}}));
}

TEST_CASE("scut tunes one threshold per label on the validation set", "[eval]") {
  // label 0: scores .9 .8 .4 .3 .2, truth 1 0 1 0 0. Predicting the top k rows:
  //   k:        0     1     2     3     4     5
  //   (tp,fp)  (0,0) (1,0) (1,1) (2,1) (2,2) (2,3)
  //   F1        0    2/3   1/2   4/5   2/3   4/7     -> best k = 3: t = (.4 + .3)/2
  //   Jaccard   0    1/2   1/3   2/3   1/2   2/5     -> best k = 3 as well
  //   accuracy 3/5   4/5   3/5   4/5   3/5   2/5     -> k = 1 and 3 tie: the higher t wins,
  //                                                     (.9 + .8)/2
  // label 1: no positive: F1 is 0 everywhere, the tie goes to "predict nothing"
  const ScoreMatrix vs = scores({{.9, .3}, {.8, .2}, {.4, .7}, {.3, .1}, {.2, .6}});
  const LabelMatrix vy = labels({{1, 0}, {0, 0}, {1, 0}, {0, 0}, {0, 0}});
  ThresholdInputs in;
  in.validation_truth = &vy;
  in.validation_scores = &vs;
  const Thresholds f1 = fit_thresholds(parse_threshold_spec("scut"), 2, in);
  REQUIRE(f1.per_label.size() == 2);
  CHECK(f1.per_label[0] == mid(.4, .3));
  CHECK(f1.per_label[1] > static_cast<double>(0.7f));
  CHECK(apply_thresholds(f1, vs) == labels({{1, 0}, {1, 0}, {1, 0}, {0, 0}, {0, 0}}));
  CHECK(fit_thresholds(parse_threshold_spec("scut:jaccard"), 2, in).per_label[0] == mid(.4, .3));
  CHECK(fit_thresholds(parse_threshold_spec("scut:accuracy"), 2, in).per_label[0] == mid(.9, .8));

  // ties inside the validation scores are one candidate: .5 .5 .1 with truth 1 0 0 cannot cut
  // between the two .5; taking both: F1 = 2/3 > 0 (none) and > 1/2 (all) -> t = (.5 + .1)/2
  const ScoreMatrix ts = scores({{.5}, {.5}, {.1}});
  const LabelMatrix ty = labels({{1}, {0}, {0}});
  ThresholdInputs tin;
  tin.validation_truth = &ty;
  tin.validation_scores = &ts;
  CHECK(fit_thresholds(parse_threshold_spec("scut"), 1, tin).per_label[0] == mid(.5, .1));

  CHECK_THROWS_WITH(fit_thresholds(parse_threshold_spec("scut"), 2), Catch::Contains("validation set"));
  CHECK_THROWS_WITH(fit_thresholds(parse_threshold_spec("scut"), 3, in), Catch::Contains("2 labels"));
  const Thresholds two = fit_thresholds(parse_threshold_spec("scut"), 2, in);
  CHECK_THROWS_WITH(apply_thresholds(two, scores({{.1, .2, .3}})), Catch::Contains("3 labels"));
}

TEST_CASE("pcut matches each label's training frequency, ties to the lower row", "[eval]") {
  // training frequencies 2/4, 1/4, 0, 1/8 (of 8 rows); on 4 test rows: round(4 f) = 2, 1, 0, 1
  // (0.5 rounds away from zero)
  const LabelMatrix train = labels({{1, 1, 0, 1}, {1, 0, 0, 0}, {0, 1, 0, 0}, {1, 0, 0, 0},
                                    {0, 0, 0, 0}, {0, 0, 0, 0}, {1, 0, 0, 0}, {0, 0, 0, 0}});
  ThresholdInputs in;
  in.train_labels = &train;
  const Thresholds t = fit_thresholds(parse_threshold_spec("pcut"), 4, in);
  CHECK(t.label_frequency == std::vector<double>{0.5, 0.25, 0.0, 0.125});
  CHECK(t.per_label.empty());
  // label 0: .3 .7 .7 .1 -> rows 1 and 2; label 1: all .5 -> row 0; label 3: .2 .9 .1 .1 -> row 1
  const ScoreMatrix s = scores({{.3, .5, .9, .2}, {.7, .5, .9, .9}, {.7, .5, .9, .1}, {.1, .5, .9, .1}});
  const LabelMatrix expected = labels({{0, 1, 0, 0}, {1, 0, 0, 1}, {1, 0, 0, 0}, {0, 0, 0, 0}});
  CHECK(apply_thresholds(t, s) == expected);
  // frequencies from the inputs when the fit has none
  Thresholds bare;
  bare.spec.kind = Kind::PCut;
  CHECK(apply_thresholds(bare, s, in) == expected);
  CHECK_THROWS_WITH(apply_thresholds(bare, s), Catch::Contains("training labels"));
  CHECK_THROWS_WITH(fit_thresholds(parse_threshold_spec("pcut"), 4), Catch::Contains("training labels"));
  LabelMatrix bad = train;
  bad(2, 3) = 3;
  in.train_labels = &bad;
  CHECK_THROWS_WITH(fit_thresholds(parse_threshold_spec("pcut"), 4, in),
                    Catch::Contains("row 3, label 4") && Catch::Contains("expected 0 or 1"));
}

TEST_CASE("rcut keeps the k highest scores of each row, ties to the lower label", "[eval]") {
  const ScoreMatrix s = scores({{.1, .9, .5, .7}, {.4, .4, .4, .4}, {.3, .8, .8, .2}});
  CHECK(apply("rcut:2", s) == labels({{0, 1, 0, 1}, {1, 1, 0, 0}, {0, 1, 1, 0}}));
  CHECK(apply("topk:1", s) == labels({{0, 1, 0, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}}));
  CHECK(apply("rcut:9", s) == LabelMatrix::Ones(3, 4));  // K >= L: every label
}

TEST_CASE("mcut cuts each row at its largest gap", "[eval]") {
  // .9 .8 .2 .1: gaps .1 .6 .1 -> labels with .9 and .8; all equal: nothing; 1 .5 0: the two
  // gaps of .5 tie and the higher one wins -> only the 1
  const ScoreMatrix s = scores({{.2, .9, .1, .8}, {.3, .3, .3, .3}, {0, 1, .5, .5}});
  CHECK(apply("mcut", s) == labels({{0, 1, 0, 1}, {0, 0, 0, 0}, {0, 1, 0, 0}}));
  CHECK(apply("mcut", scores({{.7}, {.2}})) == LabelMatrix::Zero(2, 1));  // one label: no gap
}

TEST_CASE("scut cuts strictly between adjacent floats", "[eval]") {
  // two adjacent floats: their double midpoint rounds onto one of them, so the cut is the
  // upper one itself (still above the lower)
  const float lo = 0.3f, hi = std::nextafter(lo, 1.0f);
  ScoreMatrix vs(2, 1);
  vs << hi, lo;
  const LabelMatrix vy = labels({{1}, {0}});
  ThresholdInputs in;
  in.validation_truth = &vy;
  in.validation_scores = &vs;
  const Thresholds t = fit_thresholds(parse_threshold_spec("scut"), 1, in);
  CHECK(t.per_label[0] > static_cast<double>(lo));
  CHECK(t.per_label[0] <= static_cast<double>(hi));
  CHECK(apply_thresholds(t, vs) == vy);
}

TEST_CASE("thresholding rejects NaN scores", "[eval]") {
  ScoreMatrix s = scores({{.1, .2}, {.3, .4}});
  s(1, 0) = std::numeric_limits<float>::quiet_NaN();
  for (const char* spec : {"0.5", "rcut:1", "mcut"})
    CHECK_THROWS_WITH(apply(spec, s), Catch::Contains("row 2, label 1 (counting from 1) is NaN"));
}

// ---- float64 scores: compared in double, so neighbouring doubles stay apart ----

namespace {

/// 0.5 and its float64 neighbours, all equal as float32.
const double kBelow = std::nextafter(0.5, 0.0), kAbove = std::nextafter(0.5, 1.0);

LabelMatrix apply_d(const std::string& spec, const lg::ScoreMatrixD& s, const ThresholdInputs& in = {}) {
  return apply_thresholds(fit_thresholds(parse_threshold_spec(spec), s.cols(), in), s, in);
}

}  // namespace

TEST_CASE("float64 scores: fixed compares in double, one bit below the threshold is out",
          "[eval][float64]") {
  REQUIRE(static_cast<float>(kBelow) == 0.5f);
  lg::ScoreMatrixD s(1, 4);
  s << kBelow, 0.5, kAbove, 0.5 - 0x1p-30;
  CHECK(apply_d("0.5", s) == labels({{0, 1, 1, 0}}));
  // float32 scores keep NumPy's float32 comparison: 0.9 is the float 0.9 there
  CHECK(apply("fixed:0.9", scores({{0.9}})) == labels({{1}}));
  lg::ScoreMatrixD d(1, 2);
  d << static_cast<double>(0.9f), 0.9;  // the float 0.9 is below the double 0.9
  CHECK(apply_d("fixed:0.9", d) == labels({{0, 1}}));
}

TEST_CASE("float64 scores: rcut, pcut and mcut tell neighbouring doubles apart",
          "[eval][float64]") {
  lg::ScoreMatrixD s(1, 3);
  s << kBelow, kAbove, 0.5;  // float32 would see three equal scores (rcut: label 0 first)
  CHECK(apply_d("rcut:1", s) == labels({{0, 1, 0}}));
  CHECK(apply_d("rcut:2", s) == labels({{0, 1, 1}}));
  // mcut: the gaps (1 ulp each, rounded in double) are not 0, so the row is cut
  lg::ScoreMatrixD m(1, 3);
  m << 0.1, kAbove, kBelow;  // largest gap between kBelow and 0.1
  CHECK(apply_d("mcut", m) == labels({{0, 1, 1}}));
  // two neighbours only: their midpoint rounds onto one of them; the upper one is still in
  lg::ScoreMatrixD two(1, 2);
  two << kBelow, 0.5;
  CHECK(apply_d("mcut", two) == labels({{0, 1}}));
  // pcut: the top half of a column of neighbours
  lg::ScoreMatrixD col(4, 1);
  col << 0.5, kBelow, kAbove, std::nextafter(kAbove, 1.0);
  const LabelMatrix train = labels({{1}, {0}});
  ThresholdInputs in;
  in.train_labels = &train;
  CHECK(apply_d("pcut", col, in) == labels({{0}, {0}, {1}, {1}}));
}

TEST_CASE("float64 scores: scut cuts strictly between neighbouring doubles", "[eval][float64]") {
  lg::ScoreMatrixD vs(4, 1);
  vs << kAbove, 0.5, kBelow, 0.1;
  const LabelMatrix vy = labels({{1}, {1}, {0}, {0}});
  ThresholdInputs in;
  in.validation_truth = &vy;
  in.validation_scores_f64 = &vs;
  const Thresholds t = fit_thresholds(parse_threshold_spec("scut:f1"), 1, in);
  CHECK(t.per_label[0] > kBelow);
  CHECK(t.per_label[0] <= 0.5);
  CHECK(apply_thresholds(t, vs) == vy);
  // float32 validation scores and float64 ones together: refused
  const ScoreMatrix vs32 = vs.cast<float>();
  in.validation_scores = &vs32;
  CHECK_THROWS_WITH(fit_thresholds(parse_threshold_spec("scut"), 1, in), Catch::Contains("not both"));
}

TEST_CASE("float64 scores: thresholding rejects NaN, naming the entry", "[eval][float64]") {
  lg::ScoreMatrixD s = lg::ScoreMatrixD::Constant(2, 2, 0.25);
  s(1, 0) = std::numeric_limits<double>::quiet_NaN();
  for (const char* spec : {"0.5", "rcut:1", "mcut"})
    CHECK_THROWS_WITH(apply_d(spec, s), Catch::Contains("row 2, label 1 (counting from 1) is NaN"));
}
