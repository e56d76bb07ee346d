#pragma once
// CNN backbones for image models: a small ResNet-style network trained from pixels, ending in
// global max (ML-GCN's choice) or average pooling. Included only by src/nets .cpp files and
// tests/nets: it needs torch.
//
//   stem     conv 3x3 (3 -> width), batch norm, ReLU
//   stage k  (k = 0 .. depth-1) one basic residual block (He et al. 2016): conv 3x3 stride s,
//            BN, ReLU, conv 3x3, BN, plus the input (through a 1x1 conv + BN when the shape
//            changes), ReLU. Stage 0 keeps the resolution and the width; every later stage
//            halves the resolution and doubles the width.
//   pool     global max or average over the spatial positions -> N x feature_size
// feature_size = width * 2^(depth - 1).
//
// Weights are drawn from a CPU generator seeded by the caller (convolutions: He-normal with
// fan_out, as torchvision's ResNet; batch norm: weight 1, bias 0), so the same seed gives the
// same network everywhere.
#include <cstdint>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

namespace lg::nets {

/// Global pooling of feature maps N x C x H x W -> N x C: "max" (GMP) or "avg" (GAP).
/// Throws lg::Error for another name or a tensor that is not 4-D.
at::Tensor global_pool(const at::Tensor& maps, const std::string& pooling);

/// A 1x1 convolution with `stride` and no padding or bias (a residual shortcut). On
/// channels-last input whose channels are not a multiple of 16 it subsamples first and runs a
/// stride-1 convolution: the same function, around a oneDNN kernel that corrupts memory there.
at::Tensor strided_pointwise_conv(const at::Tensor& x, const at::Tensor& weight, int64_t stride);

struct BackboneOptions {
  int width = 32;                 ///< channels of the stem and stage 0 (>= 1)
  int depth = 3;                  ///< residual stages (>= 1)
  std::string pooling = "max";    ///< max | avg
  std::uint64_t seed = 0;         ///< initialisation
};

/// Throws lg::Error naming the bad field.
void validate(const BackboneOptions& options);

class BasicBlockImpl : public torch::nn::Module {
 public:
  BasicBlockImpl(int64_t in, int64_t out, int64_t stride);
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, shortcut{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, shortcut_bn{nullptr};
  int64_t stride_ = 1;
};
TORCH_MODULE(BasicBlock);

class SmallResNetImpl : public torch::nn::Module {
 public:
  /// Throws lg::Error for bad options.
  explicit SmallResNetImpl(const BackboneOptions& options);

  /// images: N x 3 x H x W (normalised floats) -> N x feature_size() pooled features.
  at::Tensor forward(const at::Tensor& images);
  /// The feature maps before pooling: N x feature_size() x H' x W'.
  at::Tensor feature_maps(const at::Tensor& images);

  int64_t feature_size() const { return feature_size_; }
  const BackboneOptions& options() const { return options_; }

 private:
  BackboneOptions options_;
  int64_t feature_size_ = 0;
  torch::nn::Conv2d stem{nullptr};
  torch::nn::BatchNorm2d stem_bn{nullptr};
  std::vector<BasicBlock> blocks_;
};
TORCH_MODULE(SmallResNet);

}  // namespace lg::nets
