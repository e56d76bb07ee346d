// eval/score_curves.hpp on 6 rows x 3 labels worked by hand.
//
//            truth            scores
//   row   l0 l1 l2     l0    l1    l2
//    0     1  0  1     0.9   0.5   0.8
//    1     0  1  1     0.8   0.62  0.35
//    2     1  1  0     0.4   0.32  0.65
//    3     0  0  0     0.2   0.5   0.1
//    4     0  1  0     0.1   0.2   0.05
//    5     0  0  1     0.7   0.1   0.9
//
// Groups: l0 -> "rare", l1 and l2 -> "common". Recall levels 0, 0.5, 1.
//
// rare (l0, P = 2), by score: 0.9 T, 0.8 F, 0.7 F, 0.4 T, 0.2 F, 0.1 F
//   points (recall, precision): (.5, 1) (.5, .5) (.5, 1/3) (1, .5) (1, .4) (1, 1/3)
//   interpolated: p(0) = 1, p(.5) = 1, p(1) = .5
// common (l1, l2, P = 6): 0.9 T, 0.8 T, 0.65 F, 0.62 T, {0.5 F, 0.5 F}, 0.35 T, 0.32 T, 0.2 T,
//   {0.1 F, 0.1 F}, 0.05 F (ties grouped into one point)
//   points: (1/6, 1) (2/6, 1) (2/6, 2/3) (3/6, 3/4) (3/6, 3/6) (4/6, 4/7) (5/6, 5/8) (1, 6/9)
//   (1, 6/11) (1, 6/12)
//   interpolated: p(0) = 1, p(.5) = 3/4, p(1) = 2/3
// all (P = 8): {0.9 T, 0.9 T}, {0.8 F, 0.8 T}, 0.7 F, 0.65 F, 0.62 T, {0.5 F, 0.5 F}, 0.4 T,
//   0.35 T, 0.32 T, {0.2 F, 0.2 T}, {0.1 F x 3}, 0.05 F
//   points: (2/8, 1) (3/8, 3/4) (3/8, 3/5) (3/8, 3/6) (4/8, 4/7) (4/8, 4/9) (5/8, 5/10)
//   (6/8, 6/11) (7/8, 7/12) (1, 8/14) (1, 8/17) (1, 8/18)
//   interpolated: p(0) = 1, p(.5) = 7/12, p(1) = 8/14 = 4/7
//
// Thresholds 0.3 and 0.6 (predicted: score >= t):
//   t = 0.3: l0 tp 2 fp 2 fn 0 (F1 2/3); l1 tp 2 fp 2 fn 1 (F1 4/7); l2 tp 3 fp 1 fn 0 (F1 6/7)
//            micro F1 = 2*7 / (2*7 + 5 + 1) = 0.7; macro F1 = (2/3 + 4/7 + 6/7) / 3 = 44/63;
//            Hamming loss = (5 + 1) / 18 = 1/3
//   t = 0.6: l0 tp 1 fp 2 fn 1 (F1 2/5); l1 tp 1 fp 0 fn 2 (F1 1/2); l2 tp 2 fp 1 fn 1 (F1 2/3)
//            micro F1 = 8 / (8 + 3 + 4) = 8/15; macro F1 = (2/5 + 1/2 + 2/3) / 3 = 47/90;
//            Hamming loss = 7/18
#include <catch2/catch.hpp>

#include <cmath>

#include "core/error.hpp"
#include "eval/score_curves.hpp"

namespace {

struct Tiny {
  lg::LabelMatrix truth;
  lg::ScoreMatrix scores;
  Tiny() : truth(6, 3), scores(6, 3) {
    truth << 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1;
    scores << 0.9f, 0.5f, 0.8f, 0.8f, 0.62f, 0.35f, 0.4f, 0.32f, 0.65f, 0.2f, 0.5f, 0.1f, 0.1f,
        0.2f, 0.05f, 0.7f, 0.1f, 0.9f;
  }
};

lg::eval::CurveOptions tiny_options() {
  lg::eval::CurveOptions o;
  o.recall_levels = {0.0, 0.5, 1.0};
  o.thresholds = {0.3, 0.6};
  return o;
}

}  // namespace

TEST_CASE("score curves: PR per group and measures against a threshold, worked by hand",
          "[eval][curves]") {
  const Tiny t;
  const lg::eval::ScoreCurves c =
      lg::eval::score_curves(t.truth, t.scores, {0, 1, 1}, {"rare", "common"}, tiny_options());
  CHECK(c.groups == std::vector<std::string>{"rare", "common", "all"});
  CHECK(c.group_positives == std::vector<lg::Index>{2, 6, 8});
  const std::vector<double> want = {1, 1, 0.5, 1, 0.75, 2.0 / 3.0, 1, 7.0 / 12.0, 4.0 / 7.0};
  REQUIRE(c.precision.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("entry " << i);
    CHECK(c.precision[i] == Approx(want[i]).epsilon(1e-15));
  }
  REQUIRE(c.micro_f1.size() == 2);
  CHECK(c.micro_f1[0] == Approx(0.7).epsilon(1e-15));
  CHECK(c.micro_f1[1] == Approx(8.0 / 15.0).epsilon(1e-15));
  CHECK(c.macro_f1[0] == Approx(44.0 / 63.0).epsilon(1e-15));
  CHECK(c.macro_f1[1] == Approx(47.0 / 90.0).epsilon(1e-15));
  CHECK(c.hamming_loss[0] == Approx(1.0 / 3.0).epsilon(1e-15));
  CHECK(c.hamming_loss[1] == Approx(7.0 / 18.0).epsilon(1e-15));
}

TEST_CASE("score curves: a group without a positive has no curve; ignored entries are left out",
          "[eval][curves]") {
  Tiny t;
  // l0 without positives: the rare curve is undefined, the threshold curves still count l0.
  t.truth(0, 0) = 0;
  t.truth(2, 0) = 0;
  lg::eval::CurveOptions o = tiny_options();
  lg::eval::ScoreCurves c = lg::eval::score_curves(t.truth, t.scores, {0, 1, 1}, {"rare", "common"}, o);
  CHECK(c.group_positives[0] == 0);
  for (std::size_t i = 0; i < 3; ++i) CHECK(std::isnan(c.precision[i]));
  CHECK(c.precision[4] == Approx(0.75));
  // Ignoring l2's top entry (row 5, 0.9 T): common has P = 5, by score 0.8 T, 0.65 F, 0.62 T,
  // {0.5 F x 2}, 0.35 T, 0.32 T, 0.2 T, {0.1 F x 2}, 0.05 F; points (1/5, 1) (1/5, 1/2)
  // (2/5, 2/3) (2/5, 2/5) (3/5, 3/6) (4/5, 4/7) (1, 5/8) (1, 5/10) (1, 5/11):
  // p(0) = 1, p(.5) = 5/8, p(1) = 5/8.
  const Tiny fresh;
  lg::LabelMatrix ignore = lg::LabelMatrix::Zero(6, 3);
  ignore(5, 2) = 1;
  o.ignore = &ignore;
  c = lg::eval::score_curves(fresh.truth, fresh.scores, {0, 1, 1}, {"rare", "common"}, o);
  CHECK(c.group_positives == std::vector<lg::Index>{2, 5, 7});
  CHECK(c.precision[3] == Approx(1.0));
  CHECK(c.precision[4] == Approx(5.0 / 8.0));
  CHECK(c.precision[5] == Approx(5.0 / 8.0));
  // Thresholds read the truth as given: the ignore mask does not change them.
  CHECK(c.micro_f1[0] == Approx(0.7));
}

TEST_CASE("score curves: bad shapes, groups and grids are refused", "[eval][curves]") {
  const Tiny t;
  CHECK_THROWS_WITH(lg::eval::score_curves(t.truth, t.scores, {0, 1}, {"a", "b"}),
                    Catch::Contains("2 label groups for 3 labels"));
  CHECK_THROWS_WITH(lg::eval::score_curves(t.truth, t.scores, {0, 2, 1}, {"a", "b"}),
                    Catch::Contains("group 2 of 2"));
  lg::eval::CurveOptions o;
  o.thresholds = {0.5, 0.5};
  CHECK_THROWS_WITH(lg::eval::score_curves(t.truth, t.scores, {0, 1, 1}, {"a", "b"}, o),
                    Catch::Contains("thresholds"));
  const lg::ScoreMatrix wrong(6, 2);
  CHECK_THROWS_AS(lg::eval::score_curves(t.truth, wrong, {0, 1, 1}, {"a", "b"}), lg::Error);
}
