#pragma once
// The first half of every network: a Backbone turns a batch of inputs into features that a
// head (nets/head.hpp) turns into logits. Included only by src/nets .cpp files and tests/nets.
//
//   mlp       feature rows B x D -> [Linear -> ReLU -> Dropout] per `hidden` width -> B x F
//             (no map: heads that attend over positions are refused on feature data)
//   resnet    images B x 3 x S x S -> the small ResNet of nets/backbone.hpp -> maps
//             B x F x H' x W', pooled (max | avg) to B x F
//   script    images -> a TorchScript module (nets/torchscript_backbone.hpp); maps when the
//             module returns them, pooled as the resnet's
//
// Weights: the MLP draws from the caller's generator (so a network's layers are drawn in the
// order they are built), the ResNet from its own seed. Same seed -> the same backbone.
#include <cstdint>
#include <memory>

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include "nets/backbone.hpp"
#include "nets/net_params.hpp"
#include "nets/torchscript_backbone.hpp"

namespace lg::nets {

/// What a backbone gives a head.
struct BackboneOutput {
  at::Tensor pooled;  ///< B x F: the pooled (images) or encoded (rows) features
  at::Tensor map;     ///< B x F x H x W before pooling; undefined unless asked for (images only)
};

class FeatureBackboneImpl : public torch::nn::Module {
 public:
  /// x: B x D feature rows or B x 3 x S x S images. `dropout_gen` draws dropout masks in
  /// training mode (may be null: no dropout); `want_map` asks for the spatial map too.
  virtual BackboneOutput forward(const at::Tensor& x, at::Generator* dropout_gen,
                                 bool want_map) = 0;
  /// F, the width of `pooled` (and the channels of `map`).
  virtual int64_t feature_size() const = 0;
  /// The backbone can give a spatial map (image backbones whose output is 4-D).
  virtual bool gives_map() const = 0;
  /// A TorchScript backbone (kept beside the registered modules and saved as bytes), or null.
  virtual TorchScriptBackbone* script() { return nullptr; }
  /// Multiply-adds of one forward pass for one row or one image_size x image_size image;
  /// 0 when unknown (a TorchScript module).
  virtual int64_t multiply_adds(int64_t image_size) const = 0;
  /// H x W of the map for such an image (1 for feature rows; 0 when unknown).
  virtual int64_t map_positions(int64_t image_size) const = 0;
};

/// Feature rows: the MLP encoder (ReLU layers, inverted dropout drawn from the caller's
/// generator). Layers are registered as enc1, enc2, ...
class MlpEncoderImpl : public FeatureBackboneImpl {
 public:
  MlpEncoderImpl(int64_t features, const EncoderParams& params, at::Generator& gen);
  BackboneOutput forward(const at::Tensor& x, at::Generator* dropout_gen, bool want_map) override;
  int64_t feature_size() const override { return feature_size_; }
  bool gives_map() const override { return false; }
  int64_t multiply_adds(int64_t) const override;
  int64_t map_positions(int64_t) const override { return 1; }

 private:
  double dropout_;
  int64_t feature_size_;
  std::vector<torch::nn::Linear> layers_;
};

/// Images: the small ResNet trained from pixels, registered as `cnn`.
class ResNetBackboneImpl : public FeatureBackboneImpl {
 public:
  ResNetBackboneImpl(const BackboneParams& params, std::uint64_t seed);
  BackboneOutput forward(const at::Tensor& x, at::Generator* dropout_gen, bool want_map) override;
  int64_t feature_size() const override { return cnn_->feature_size(); }
  bool gives_map() const override { return true; }
  int64_t multiply_adds(int64_t image_size) const override;
  int64_t map_positions(int64_t image_size) const override;

 private:
  SmallResNet cnn_{nullptr};
};

/// Images: a TorchScript module (not a torch::nn::Module: train/eval and device moves are
/// forwarded to it by the network, its parameters trained unless frozen).
class ScriptBackboneImpl : public FeatureBackboneImpl {
 public:
  explicit ScriptBackboneImpl(std::shared_ptr<TorchScriptBackbone> script);
  BackboneOutput forward(const at::Tensor& x, at::Generator* dropout_gen, bool want_map) override;
  int64_t feature_size() const override { return script_->feature_size(); }
  bool gives_map() const override { return script_->gives_maps(); }
  TorchScriptBackbone* script() override { return script_.get(); }
  int64_t multiply_adds(int64_t) const override { return 0; }
  int64_t map_positions(int64_t) const override { return 0; }

 private:
  std::shared_ptr<TorchScriptBackbone> script_;
};

/// The backbone for feature rows (`images` false: an MLP over `features` columns) or images
/// (`script` non-null: that module; else the ResNet of `backbone`, seeded from
/// derive_seed(seed, 11)).
std::shared_ptr<FeatureBackboneImpl> make_backbone(bool images, int64_t features,
                                                   const EncoderParams& encoder,
                                                   const BackboneParams* backbone,
                                                   std::shared_ptr<TorchScriptBackbone> script,
                                                   at::Generator& gen, std::uint64_t seed);

/// Entries uniform(-bound, bound) drawn on the CPU from `gen`, copied into `t` (LibTorch's
/// default Linear initialisation with bound 1/sqrt(fan_in), but from our generator).
void init_uniform(at::Tensor& t, double bound, at::Generator& gen);

/// Inverted dropout: x * mask / (1 - p), the mask drawn on the CPU from `gen` (our generator,
/// never LibTorch's global one). Returns x itself when p is 0 or `gen` is null.
at::Tensor seeded_dropout(const at::Tensor& x, double p, at::Generator* gen);

/// A tensor of `shape` with entries uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) drawn from `gen`
/// (LibTorch's default for Linear and convolution weights and biases).
at::Tensor seeded_uniform(at::IntArrayRef shape, int64_t fan_in, at::Generator& gen);

/// A Linear(in, out) (with bias unless `bias` is false) whose weight and bias are drawn
/// uniform(-1/sqrt(in), 1/sqrt(in)) from `gen`, weight first.
torch::nn::Linear seeded_linear(int64_t in, int64_t out, at::Generator& gen, bool bias = true);

}  // namespace lg::nets
