// nets/gradients: the training loop's gradient bookkeeping gives LibTorch's numbers
// (Optimizer::zero_grad + torch::nn::utils::clip_grad_norm_) with fewer kernels.
#include <torch/torch.h>

#include <vector>

#include "nets/gradients.hpp"

#undef CHECK
#include <catch2/catch.hpp>

namespace {

/// Two parameters with gradients g * scale from one backward pass.
std::vector<at::Tensor> with_gradients(float scale) {
  torch::manual_seed(5);
  std::vector<at::Tensor> params{torch::randn({7, 3}).requires_grad_(true),
                                 torch::randn({3}).requires_grad_(true)};
  ((params[0].sum(1) * params[0].sum(1)).sum() * scale + (params[1] * params[1]).sum() * scale)
      .backward();
  return params;
}

}  // namespace

TEST_CASE("clip_gradients: bit-identical to clip_grad_norm_, scaling only above max_norm", "[nets]") {
  for (const float scale : {0.01f, 1.0f, 100.0f}) {
    for (const double max_norm : {0.5, 10.0}) {
      INFO("scale " << scale << ", max_norm " << max_norm);
      std::vector<at::Tensor> ours = with_gradients(scale), theirs = with_gradients(scale);
      const at::Tensor before = ours[0].grad().clone();
      const double norm = lg::nets::clip_gradients(ours, max_norm);
      const double reference = torch::nn::utils::clip_grad_norm_(theirs, max_norm);
      CHECK(norm == reference);
      for (std::size_t k = 0; k < ours.size(); ++k) CHECK(torch::equal(ours[k].grad(), theirs[k].grad()));
      // Hand check: the clipped norm is max_norm (to float rounding), an unclipped one untouched.
      const double after = std::sqrt(ours[0].grad().pow(2).sum().item<double>() +
                                     ours[1].grad().pow(2).sum().item<double>());
      if (norm > max_norm)
        CHECK(after == Approx(max_norm).epsilon(1e-5));
      else
        CHECK(torch::equal(ours[0].grad(), before));
    }
  }
  std::vector<at::Tensor> none{torch::zeros({2}).requires_grad_(true)};
  CHECK(lg::nets::clip_gradients(none, 1.0) == 0.0);  // no gradients yet: nothing to do
}

TEST_CASE("drop_gradients: the next backward gives what zero_grad + backward gives", "[nets]") {
  std::vector<at::Tensor> dropped = with_gradients(1.0f), zeroed = with_gradients(1.0f);
  lg::nets::drop_gradients(dropped);
  for (const at::Tensor& p : dropped) CHECK_FALSE(p.grad().defined());
  for (at::Tensor& p : zeroed) p.mutable_grad().zero_();
  for (auto* params : {&dropped, &zeroed})
    ((*params)[0].sum() * 3 + (*params)[1].prod()).backward();
  for (std::size_t k = 0; k < dropped.size(); ++k)
    CHECK(torch::equal(dropped[k].grad(), zeroed[k].grad()));
}
