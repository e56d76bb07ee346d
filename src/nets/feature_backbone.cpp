#include "nets/feature_backbone.hpp"

#include <torch/torch.h>

#include <cmath>
#include <string>

#include "core/random.hpp"

namespace lg::nets {

void init_uniform(at::Tensor& t, double bound, at::Generator& gen) {
  torch::NoGradGuard no_grad;
  at::Tensor host = torch::empty(t.sizes(), torch::kFloat32);
  host.uniform_(-bound, bound, gen);
  t.copy_(host);
}

at::Tensor seeded_dropout(const at::Tensor& x, double p, at::Generator* gen) {
  if (p <= 0 || !gen) return x;
  // mask / (1 - p) built in place, then one product
  at::Tensor keep = torch::empty(x.sizes(), torch::kFloat32).bernoulli_(1.0 - p, *gen);
  keep.div_(1.0 - p);
  return x * (x.is_cpu() && x.scalar_type() == torch::kFloat32 ? keep : keep.to(x.options()));
}

at::Tensor seeded_uniform(at::IntArrayRef shape, int64_t fan_in, at::Generator& gen) {
  at::Tensor t = torch::empty(shape, torch::kFloat32);
  init_uniform(t, 1.0 / std::sqrt(static_cast<double>(fan_in)), gen);
  return t;
}

torch::nn::Linear seeded_linear(int64_t in, int64_t out, at::Generator& gen, bool bias) {
  torch::nn::Linear layer(torch::nn::LinearOptions(in, out).bias(bias));
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  init_uniform(layer->weight, bound, gen);
  if (bias) init_uniform(layer->bias, bound, gen);
  return layer;
}

MlpEncoderImpl::MlpEncoderImpl(int64_t features, const EncoderParams& params, at::Generator& gen)
    : dropout_(params.dropout), feature_size_(features) {
  for (std::size_t k = 0; k < params.hidden.size(); ++k) {
    layers_.push_back(register_module("enc" + std::to_string(k + 1),
                                      seeded_linear(feature_size_, params.hidden[k], gen)));
    feature_size_ = params.hidden[k];
  }
}

BackboneOutput MlpEncoderImpl::forward(const at::Tensor& input, at::Generator* dropout_gen, bool) {
  at::Tensor x = input;
  for (auto& layer : layers_) {
    x = torch::relu(layer->forward(x));
    if (is_training()) x = seeded_dropout(x, dropout_, dropout_gen);
  }
  return {x, at::Tensor()};
}

int64_t MlpEncoderImpl::multiply_adds(int64_t) const {
  int64_t work = 0;
  for (const auto& layer : layers_) work += layer->weight.numel();
  return work;
}

namespace {

/// Multiply-adds and final side of the small ResNet (nets/backbone.hpp) on an S x S image:
/// 3 x 3 convolutions with padding 1, stride 2 from stage 1 on, 1 x 1 shortcuts where the
/// shape changes.
std::pair<int64_t, int64_t> resnet_cost(const BackboneOptions& o, int64_t side) {
  int64_t work = side * side * 3 * o.width * 9, in = o.width;
  for (int k = 0; k < o.depth; ++k) {
    const int64_t out = k == 0 ? in : in * 2, stride = k == 0 ? 1 : 2;
    const int64_t next = (side - 1) / stride + 1;
    work += next * next * out * (in * 9 + out * 9 + (stride != 1 || in != out ? in : 0));
    side = next;
    in = out;
  }
  return {work, side};
}

}  // namespace

int64_t ResNetBackboneImpl::multiply_adds(int64_t image_size) const {
  return resnet_cost(cnn_->options(), image_size).first;
}

int64_t ResNetBackboneImpl::map_positions(int64_t image_size) const {
  const int64_t side = resnet_cost(cnn_->options(), image_size).second;
  return side * side;
}

ResNetBackboneImpl::ResNetBackboneImpl(const BackboneParams& params, std::uint64_t seed) {
  BackboneOptions o;
  o.width = params.width;
  o.depth = params.depth;
  o.pooling = params.pooling;
  o.seed = seed;
  cnn_ = register_module("cnn", SmallResNet(o));
  // Channels-last (NHWC) convolutions, the default: 15-30% less time per step on the CPU for
  // the same arithmetic (bench/README.md, "bench/images"); batches are converted to match. The
  // backbone routes around the oneDNN kernel that corrupts memory in this layout.
  if (params.channels_last) {
    torch::NoGradGuard no_grad;
    for (at::Tensor& p : cnn_->parameters())
      if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
  }
}

BackboneOutput ResNetBackboneImpl::forward(const at::Tensor& x, at::Generator*, bool want_map) {
  if (!want_map) return {cnn_->forward(x), at::Tensor()};
  at::Tensor maps = cnn_->feature_maps(x);
  return {global_pool(maps, cnn_->options().pooling), maps};
}

ScriptBackboneImpl::ScriptBackboneImpl(std::shared_ptr<TorchScriptBackbone> script)
    : script_(std::move(script)) {}

BackboneOutput ScriptBackboneImpl::forward(const at::Tensor& x, at::Generator*, bool want_map) {
  if (!want_map) return {script_->forward(x), at::Tensor()};
  TorchScriptBackbone::Output out = script_->run(x, true);
  return {out.pooled, out.maps};
}

std::shared_ptr<FeatureBackboneImpl> make_backbone(bool images, int64_t features,
                                                   const EncoderParams& encoder,
                                                   const BackboneParams* backbone,
                                                   std::shared_ptr<TorchScriptBackbone> script,
                                                   at::Generator& gen, std::uint64_t seed) {
  if (script) return std::make_shared<ScriptBackboneImpl>(std::move(script));
  if (images) return std::make_shared<ResNetBackboneImpl>(*backbone, derive_seed(seed, 11));
  return std::make_shared<MlpEncoderImpl>(features, encoder, gen);
}

}  // namespace lg::nets
