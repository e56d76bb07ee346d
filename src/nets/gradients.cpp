#include "nets/gradients.hpp"

#include <torch/torch.h>

namespace lg::nets {

void drop_gradients(std::vector<at::Tensor>& params) {
  for (at::Tensor& p : params) p.mutable_grad().reset();
}

double clip_gradients(const std::vector<at::Tensor>& params, double max_norm) {
  std::vector<at::Tensor> grads, norms;
  for (const at::Tensor& p : params)
    if (p.grad().defined()) {
      grads.push_back(p.grad());
      norms.push_back(p.grad().norm(2));
    }
  if (grads.empty()) return 0.0;
  const at::Tensor total = norms.size() == 1 ? norms[0] : torch::stack(norms).norm(2);
  const at::Tensor factor = max_norm / (total + 1e-6);  // LibTorch's expression, in float
  if (factor.item<float>() < 1.0f) {
    torch::NoGradGuard no_grad;
    for (at::Tensor& g : grads) g.mul_(factor);
  }
  return total.item<double>();
}

}  // namespace lg::nets
