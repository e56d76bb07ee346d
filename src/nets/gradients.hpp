#pragma once
// Gradient bookkeeping of the training loop, cheaper than LibTorch's on small networks where a
// step is a few dozen small kernels (bench/README.md, "bench/nets"). Same numbers as
// Optimizer::zero_grad() + torch::nn::utils::clip_grad_norm_ (L2), fewer kernels.
#include <torch/types.h>

#include <vector>

namespace lg::nets {

/// Between steps the gradients are dropped, not zero-filled (PyTorch 2's default): the next
/// backward hands its result over instead of adding it into zeros, two kernels fewer per
/// parameter and step. An optimiser skips a parameter without a gradient, where zero-filling
/// would have decayed it; the networks here use every parameter in every forward pass.
void drop_gradients(std::vector<at::Tensor>& params);

/// torch::nn::utils::clip_grad_norm_ with the L2 norm and LibTorch's arithmetic, except that
/// the gradients are scaled only when their norm exceeds max_norm (LibTorch multiplies them
/// all by the clamped factor, which is 1 in almost every step). Returns the total norm.
double clip_gradients(const std::vector<at::Tensor>& params, double max_norm);

}  // namespace lg::nets
