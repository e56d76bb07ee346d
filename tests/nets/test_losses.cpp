#include <torch/torch.h>

#include <cmath>
#include <string>

#include "core/error.hpp"
#include "helpers.hpp"
#include "nets/losses.hpp"

// Torch (c10/util/logging_is_not_google_glog.h) defines a fatal CHECK macro; included after
// it, Catch's CHECK must replace it or failures abort instead of being reported.
#undef CHECK
#include <catch2/catch.hpp>

using lg::nets::LossSpec;
using lg::nets::multilabel_loss;
using Catch::Matchers::Contains;

namespace {

/// tests/fixtures/nets/<name> as a float64 tensor (rows x cols).
at::Tensor load(const std::string& name, int64_t first_row = 0) {
  const auto rows = lg::test::read_numeric_csv("nets/" + name);
  REQUIRE(static_cast<int64_t>(rows.size()) > first_row);
  const auto n = static_cast<int64_t>(rows.size()) - first_row;
  const auto cols = static_cast<int64_t>(rows[static_cast<size_t>(first_row)].size());
  at::Tensor t = torch::empty({n, cols}, torch::kFloat64);
  auto a = t.accessor<double, 2>();
  for (int64_t i = 0; i < n; ++i) {
    const auto& row = rows[static_cast<size_t>(i + first_row)];
    REQUIRE(static_cast<int64_t>(row.size()) == cols);
    for (int64_t j = 0; j < cols; ++j) a[i][j] = row[static_cast<size_t>(j)];
  }
  return t;
}

LossSpec spec_named(const std::string& name) {
  LossSpec s;
  s.name = name;
  return s;
}

double value(const at::Tensor& logits, const at::Tensor& targets, const LossSpec& spec,
             const at::Tensor& pos_weight = {}) {
  return multilabel_loss(logits, targets, spec, pos_weight).item<double>();
}

/// d loss / d logits by autograd.
at::Tensor gradient(const at::Tensor& logits, const at::Tensor& targets, const LossSpec& spec,
                    const at::Tensor& pos_weight = {}) {
  at::Tensor x = logits.detach().clone().requires_grad_(true);
  multilabel_loss(x, targets, spec, pos_weight).backward();
  return x.grad();
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  REQUIRE(a.sizes() == b.sizes());
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

// The 2 x 3 hand example. Logits 0, ln 3, -ln 3 give sigmoids 1/2, 3/4, 1/4:
//   p = [[.50, .75, .25],      y = [[1, 0, 0],
//        [.75, .50, .25]]           [1, 1, 0]]
// Per-entry BCE -[y ln p + (1-y) ln(1-p)]:
//   [[ln 2, ln 4, ln 4/3],
//    [ln 4/3, ln 2, ln 4/3]]
struct HandExample {
  at::Tensor logits;
  at::Tensor targets;
  HandExample() {
    const double l3 = std::log(3.0);
    logits = torch::tensor({0.0, l3, -l3, l3, 0.0, -l3}, torch::kFloat64).view({2, 3});
    targets = torch::tensor({1.0, 0.0, 0.0, 1.0, 1.0, 0.0}, torch::kFloat64).view({2, 3});
  }
};

const double ln2 = std::log(2.0);
const double ln43 = std::log(4.0 / 3.0);

}  // namespace

TEST_CASE("bce and softmargin on the hand example", "[nets]") {
  HandExample ex;
  // Sum = ln2 + 2 ln2 + ln4/3 + ln4/3 + ln2 + ln4/3 = 4 ln2 + 3 ln4/3; mean over 6 entries.
  const double expected = (4 * ln2 + 3 * ln43) / 6;  // = 0.6059395...
  CHECK(value(ex.logits, ex.targets, spec_named("bce")) == Approx(expected).epsilon(1e-12));
  // MultiLabelSoftMarginLoss: mean over the 3 labels per row, then over 2 rows: same value.
  CHECK(value(ex.logits, ex.targets, spec_named("softmargin")) ==
        Approx(expected).epsilon(1e-12));
  // d/dx = (p - y) / 6 for the mean of 6 entries.
  at::Tensor expected_grad =
      torch::tensor({-0.5, 0.75, 0.25, -0.25, -0.5, 0.25}, torch::kFloat64).view({2, 3}) / 6;
  CHECK(max_abs_diff(gradient(ex.logits, ex.targets, spec_named("bce")), expected_grad) < 1e-12);
  CHECK(max_abs_diff(gradient(ex.logits, ex.targets, spec_named("softmargin")), expected_grad) <
        1e-12);
}

TEST_CASE("weighted-bce on the hand example", "[nets]") {
  HandExample ex;
  at::Tensor w = torch::tensor({2.0, 3.0, 1.0}, torch::kFloat64);
  // Positives scaled by their label's weight: (0,0) 2 ln2, (1,0) 2 ln4/3, (1,1) 3 ln2;
  // negatives unchanged: (0,1) 2 ln2, (0,2) ln4/3, (1,2) ln4/3.
  // Sum = 7 ln2 + 4 ln4/3; mean over 6.
  const double expected = (7 * ln2 + 4 * ln43) / 6;
  CHECK(value(ex.logits, ex.targets, spec_named("weighted-bce"), w) ==
        Approx(expected).epsilon(1e-12));
  // A float32 weight with float64 logits is converted, not rejected.
  CHECK(value(ex.logits, ex.targets, spec_named("weighted-bce"), w.to(torch::kFloat32)) ==
        Approx(expected).epsilon(1e-7));
}

TEST_CASE("pos_weight_from_labels: (N - n_l) / n_l, empty labels get 1", "[nets]") {
  // N = 4; label counts 2, 1, 0, 4 -> (4-2)/2 = 1, (4-1)/1 = 3, none -> 1, (4-4)/4 = 0.
  lg::LabelMatrix y =
      lg::test::label_matrix({{1, 1, 0, 1}, {1, 0, 0, 1}, {0, 0, 0, 1}, {0, 0, 0, 1}});
  at::Tensor w = lg::nets::pos_weight_from_labels(y);
  REQUIRE(w.dim() == 1);
  REQUIRE(w.size(0) == 4);
  CHECK(w.dtype() == torch::kFloat32);
  CHECK(w[0].item<float>() == 1.0f);
  CHECK(w[1].item<float>() == 3.0f);
  CHECK(w[2].item<float>() == 1.0f);
  CHECK(w[3].item<float>() == 0.0f);
}

TEST_CASE("focal on the hand example", "[nets]") {
  HandExample ex;
  // p_t = p for positives, 1-p for negatives: [[.5, .25, .75], [.75, .5, .75]], so the
  // factors (1-p_t)^2 are [[.25, .5625, .0625], [.0625, .25, .0625]].
  // Sum = .25 ln2 + .5625*2 ln2 + .0625 ln4/3 + .0625 ln4/3 + .25 ln2 + .0625 ln4/3
  //     = 1.625 ln2 + .1875 ln4/3; mean over 6.
  LossSpec focal = spec_named("focal");
  CHECK(value(ex.logits, ex.targets, focal) ==
        Approx((1.625 * ln2 + 0.1875 * ln43) / 6).epsilon(1e-12));
  // alpha = .25: positives (0,0), (1,0), (1,1) times .25, negatives times .75:
  //   .25 (.25 ln2 + .0625 ln4/3 + .25 ln2) + .75 (1.125 ln2 + .0625 ln4/3 + .0625 ln4/3)
  //   = .96875 ln2 + .109375 ln4/3.
  focal.alpha = 0.25;
  CHECK(value(ex.logits, ex.targets, focal) ==
        Approx((0.96875 * ln2 + 0.109375 * ln43) / 6).epsilon(1e-12));
  // gamma = 0 and no alpha is plain BCE.
  focal.alpha.reset();
  focal.gamma = 0;
  CHECK(value(ex.logits, ex.targets, focal) ==
        Approx(value(ex.logits, ex.targets, spec_named("bce"))).epsilon(1e-12));
}

TEST_CASE("focal with gamma < 1 keeps finite gradients on confident float32 logits", "[nets]") {
  // x = 30, y = 1 and x = -30, y = 0: sigmoid rounds to exactly 1 / 0 in float32, so the
  // textbook 1 - p_t is 0 and d/dx pow(0, 0.5) would be inf * 0 = NaN.
  at::Tensor x = torch::tensor({30.0f, -30.0f}, torch::kFloat32).view({1, 2});
  at::Tensor y = torch::tensor({1.0f, 0.0f}, torch::kFloat32).view({1, 2});
  LossSpec focal = spec_named("focal");
  focal.gamma = 0.5;
  CHECK(std::isfinite(value(x, y, focal)));
  CHECK(torch::isfinite(gradient(x, y, focal)).all().item<bool>());
}

TEST_CASE("asl on the hand example: sum over labels, mean over rows", "[nets]") {
  HandExample ex;
  // Defaults gamma_neg 4, gamma_pos 0, clip .05. Positives: -ln p, weight 1:
  //   (0,0) ln2, (1,0) ln4/3, (1,1) ln2.
  // Negatives: p_m = p - .05, loss -ln(1 - p_m) times p_m^4:
  //   (0,1) p_m = .70: -.7^4 ln .3 = -.2401 ln .3;  (0,2), (1,2) p_m = .20: -.0016 ln .8.
  const double row0 = ln2 - 0.2401 * std::log(0.3) - 0.0016 * std::log(0.8);
  const double row1 = ln43 + ln2 - 0.0016 * std::log(0.8);
  CHECK(value(ex.logits, ex.targets, spec_named("asl")) ==
        Approx((row0 + row1) / 2).epsilon(1e-12));

  // A negative with p = .01 < clip: p_m = 0, so it contributes nothing, nor any gradient.
  at::Tensor x = torch::full({1, 1}, -std::log(99.0), torch::kFloat64);
  at::Tensor y = torch::zeros({1, 1}, torch::kFloat64);
  CHECK(value(x, y, spec_named("asl")) == Approx(0.0).margin(1e-15));
  CHECK(gradient(x, y, spec_named("asl")).abs().max().item<double>() < 1e-15);

  // gamma_neg = gamma_pos = clip = 0 is BCE summed over the 3 labels: 3 x the bce mean.
  LossSpec plain = spec_named("asl");
  plain.gamma_neg = 0;
  plain.clip = 0;
  CHECK(value(ex.logits, ex.targets, plain) ==
        Approx(3 * value(ex.logits, ex.targets, spec_named("bce"))).epsilon(1e-12));
}

TEST_CASE("losses match python3-torch and the published reference code", "[nets]") {
  const at::Tensor logits = load("loss_logits.csv");
  const at::Tensor targets = load("loss_targets.csv");
  const at::Tensor pos_weight = load("loss_pos_weight.csv").view({-1});
  const double n = static_cast<double>(logits.size(0));

  struct Case {
    std::string fixture;
    LossSpec spec;
    double reference_scale;  ///< reference value = ours * scale
  };
  LossSpec focal_alpha = spec_named("focal");
  focal_alpha.alpha = 0.25;
  LossSpec focal_gamma05 = spec_named("focal");
  focal_gamma05.gamma = 0.5;
  LossSpec asl_grad_weight = spec_named("asl");
  asl_grad_weight.asl_detach_weight = false;
  LossSpec asl_pos1 = spec_named("asl");
  asl_pos1.gamma_neg = 2;
  asl_pos1.gamma_pos = 1;
  asl_pos1.clip = 0;
  asl_pos1.asl_detach_weight = false;
  const std::vector<Case> cases = {
      {"bce", spec_named("bce"), 1},
      {"weighted_bce", spec_named("weighted-bce"), 1},
      {"softmargin", spec_named("softmargin"), 1},
      {"focal", spec_named("focal"), 1},
      {"focal_alpha", focal_alpha, 1},
      {"focal_gamma05", focal_gamma05, 1},
      // The ASL reference returns the batch sum; ours averages the per-row sums over N rows.
      {"asl", spec_named("asl"), n},
      {"asl_grad_weight", asl_grad_weight, n},
      {"asl_pos1_noclip", asl_pos1, n},
  };

  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.fixture) {
      const auto rows = lg::test::read_numeric_csv("nets/loss_" + c.fixture + ".csv");
      REQUIRE(rows.size() > 1);
      REQUIRE(rows[0].size() == 1);
      const double ref_value = rows[0][0];
      const at::Tensor ref_grad = load("loss_" + c.fixture + ".csv", 1) / c.reference_scale;
      const at::Tensor w = c.spec.name == "weighted-bce" ? pos_weight : at::Tensor();
      // float64: agreement to rounding.
      CHECK(value(logits, targets, c.spec, w) * c.reference_scale ==
            Approx(ref_value).epsilon(1e-12));
      CHECK(max_abs_diff(gradient(logits, targets, c.spec, w), ref_grad) < 1e-12);
      // float32 (training precision): to 1e-6.
      const at::Tensor x32 = logits.to(torch::kFloat32);
      const at::Tensor y32 = targets.to(torch::kFloat32);
      CHECK(std::abs(value(x32, y32, c.spec, w) * c.reference_scale - ref_value) <
            1e-6 * c.reference_scale);
      CHECK(max_abs_diff(gradient(x32, y32, c.spec, w), ref_grad) < 1e-6);
    }
  }
}

TEST_CASE("the detached ASL weight changes the gradient, not the value", "[nets]") {
  const at::Tensor logits = load("loss_logits.csv");
  const at::Tensor targets = load("loss_targets.csv");
  LossSpec detached = spec_named("asl");
  LossSpec attached = spec_named("asl");
  attached.asl_detach_weight = false;
  CHECK(value(logits, targets, detached) == Approx(value(logits, targets, attached)));
  CHECK(max_abs_diff(gradient(logits, targets, detached), gradient(logits, targets, attached)) >
        1e-3);
}

TEST_CASE("bad loss specs and inputs give clear errors", "[nets]") {
  HandExample ex;
  auto loss_with = [&](const LossSpec& s) { return multilabel_loss(ex.logits, ex.targets, s); };

  CHECK_THROWS_WITH(loss_with(spec_named("hinge")),
                    Contains("unknown loss 'hinge'") && Contains("weighted-bce"));
  LossSpec s = spec_named("focal");
  s.gamma = -1;
  CHECK_THROWS_WITH(lg::nets::validate(s), Contains("gamma must be a finite number >= 0"));
  s.gamma = std::nan("");
  CHECK_THROWS_WITH(lg::nets::validate(s), Contains("gamma"));
  s = spec_named("focal");
  s.alpha = 1.5;
  CHECK_THROWS_WITH(loss_with(s), Contains("alpha must be in [0, 1]"));
  s = spec_named("asl");
  s.clip = 1.0;
  CHECK_THROWS_WITH(loss_with(s), Contains("clip must be in [0, 1)"));
  s = spec_named("asl");
  s.gamma_neg = -2;
  CHECK_THROWS_WITH(loss_with(s), Contains("gamma_neg"));
  s = spec_named("asl");
  s.eps = 0;
  CHECK_THROWS_WITH(loss_with(s), Contains("eps"));
  CHECK_NOTHROW(lg::nets::validate(spec_named("asl")));

  CHECK_THROWS_WITH(loss_with(spec_named("weighted-bce")), Contains("needs pos_weight"));
  CHECK_THROWS_WITH(multilabel_loss(ex.logits, ex.targets, spec_named("bce"),
                                    torch::ones({3}, torch::kFloat64)),
                    Contains("only used by weighted-bce"));
  CHECK_THROWS_WITH(multilabel_loss(ex.logits, ex.targets, spec_named("weighted-bce"),
                                    torch::ones({2}, torch::kFloat64)),
                    Contains("one entry per label (3)"));
  CHECK_THROWS_WITH(multilabel_loss(ex.logits, ex.targets.view({3, 2}), spec_named("bce")),
                    Contains("same N x L shape") && Contains("[2 x 3]") && Contains("[3 x 2]"));
  CHECK_THROWS_WITH(multilabel_loss(ex.logits.view({-1}), ex.targets.view({-1}),
                                    spec_named("bce")),
                    Contains("same N x L shape"));
  CHECK_THROWS_WITH(multilabel_loss(ex.logits, ex.targets.to(torch::kUInt8), spec_named("bce")),
                    Contains("floating-point"));
  CHECK_THROWS_WITH(multilabel_loss(torch::zeros({0, 3}), torch::zeros({0, 3}),
                                    spec_named("bce")),
                    Contains("empty batch"));
  CHECK_THROWS_AS(loss_with(spec_named("")), lg::Error);
}
