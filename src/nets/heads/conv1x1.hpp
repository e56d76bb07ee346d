#pragma once
// 1 x 1 convolutions as matrix products, with torch's weight shapes (out x in x 1 [x 1]) so that
// state dicts match the reference modules'. Included only by src/nets/heads .cpp files.
#include <torch/torch.h>

namespace lg::nets {

/// weight (out x in x 1 or out x in x 1 x 1), bias (out, may be undefined), x: B x in x N
/// -> B x out x N.
inline at::Tensor conv1x1(const at::Tensor& weight, const at::Tensor& bias, const at::Tensor& x) {
  at::Tensor y = torch::matmul(weight.reshape({weight.size(0), weight.size(1)}), x);
  return bias.defined() ? y + bias.view({1, -1, 1}) : y;
}

}  // namespace lg::nets
