#include "nets/backbone.hpp"

#include "nets/distributed.hpp"

#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"
#include "core/random.hpp"

namespace lg::nets {
namespace {

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel)
                               .stride(stride)
                               .padding(kernel / 2)
                               .bias(false));
}

/// He-normal with fan_out (torchvision's ResNet), drawn on the CPU from `gen`.
void init_conv(torch::nn::Conv2d& c, at::Generator& gen) {
  torch::NoGradGuard no_grad;
  const auto& w = c->weight;
  const double fan_out = static_cast<double>(w.size(0) * w.size(2) * w.size(3));
  at::Tensor host = torch::empty(w.sizes(), torch::kFloat32);
  host.normal_(0.0, std::sqrt(2.0 / fan_out), gen);
  c->weight.copy_(host);
}

/// x[:, :, ::s, ::s] in x's memory format. Its backward scatters into zeros of that format
/// too: slice's own backward makes NCHW zeros, which would turn the block's whole gradient
/// NCHW and cost the channels-last speed.
struct Subsample : public torch::autograd::Function<Subsample> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, int64_t s) {
    ctx->saved_data["stride"] = s;
    ctx->saved_data["sizes"] = x.sizes().vec();
    ctx->saved_data["channels_last"] = x.is_contiguous(at::MemoryFormat::ChannelsLast);
    return x.slice(2, 0, x.size(2), s).slice(3, 0, x.size(3), s).contiguous(x.suggest_memory_format());
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const int64_t s = ctx->saved_data["stride"].toInt();
    const std::vector<int64_t> sizes = ctx->saved_data["sizes"].toIntVector();
    const auto format = ctx->saved_data["channels_last"].toBool() ? at::MemoryFormat::ChannelsLast
                                                                  : at::MemoryFormat::Contiguous;
    at::Tensor g = at::zeros(sizes, grads[0].options().memory_format(format));
    g.slice(2, 0, sizes[2], s).slice(3, 0, sizes[3], s).copy_(grads[0]);
    return {g, at::Tensor()};
  }
};

}  // namespace

at::Tensor strided_pointwise_conv(const at::Tensor& x, const at::Tensor& weight, int64_t stride) {
  if (stride > 1 && x.size(1) % 16 != 0 && x.is_contiguous(at::MemoryFormat::ChannelsLast)) {
    // Debian's oneDNN 2.6 corrupts memory (segfaults, aborts in malloc, or wrong numbers) in
    // the weight gradient of a strided 1x1 convolution on channels-last input whose channels
    // are not a multiple of its 16-wide blocks (bench/README.md, "Channels-last").
    // Subsampling, then a stride-1 1x1 convolution, is the same function without that kernel;
    // it is slower, so multiples of 16 (never wrong in the sweeps) keep the native kernel.
    return at::conv2d(Subsample::apply(x, stride), weight);
  }
  return at::conv2d(x, weight, {}, {stride, stride});
}

at::Tensor global_pool(const at::Tensor& maps, const std::string& pooling) {
  if (maps.dim() != 4)
    throw Error(fmt::format("global_pool: expected N x C x H x W feature maps, got a {}-D tensor",
                            maps.dim()));
  if (pooling == "max") return std::get<0>(maps.flatten(2).max(2));
  if (pooling == "avg") return maps.mean({2, 3});
  throw Error(fmt::format("pooling = \"{}\" is not one of: max, avg", pooling));
}

void validate(const BackboneOptions& o) {
  if (o.width < 1) throw Error(fmt::format("width = {} must be >= 1", o.width));
  if (o.depth < 1 || o.depth > 8) throw Error(fmt::format("depth = {} must be in [1, 8]", o.depth));
  if (o.pooling != "max" && o.pooling != "avg")
    throw Error(fmt::format("pooling = \"{}\" is not one of: max, avg", o.pooling));
}

BasicBlockImpl::BasicBlockImpl(int64_t in, int64_t out, int64_t stride) : stride_(stride) {
  conv1 = register_module("conv1", conv(in, out, 3, stride));
  bn1 = register_module("bn1", torch::nn::BatchNorm2d(out));
  conv2 = register_module("conv2", conv(out, out, 3, 1));
  bn2 = register_module("bn2", torch::nn::BatchNorm2d(out));
  if (in != out || stride != 1) {
    shortcut = register_module("shortcut", conv(in, out, 1, stride));
    shortcut_bn = register_module("shortcut_bn", torch::nn::BatchNorm2d(out));
  }
}

at::Tensor BasicBlockImpl::forward(const at::Tensor& x) {
  at::Tensor h = torch::relu(norm(bn1, conv1->forward(x)));
  h = norm(bn2, conv2->forward(h));
  const at::Tensor skip =
      shortcut ? norm(shortcut_bn, strided_pointwise_conv(x, shortcut->weight, stride_)) : x;
  return torch::relu(h + skip);
}

SmallResNetImpl::SmallResNetImpl(const BackboneOptions& options) : options_(options) {
  validate(options);
  at::Generator gen = at::detail::createCPUGenerator(derive_seed(options.seed, 11));
  stem = register_module("stem", conv(3, options.width, 3, 1));
  stem_bn = register_module("stem_bn", torch::nn::BatchNorm2d(options.width));
  init_conv(stem, gen);
  int64_t width = options.width;
  for (int k = 0; k < options.depth; ++k) {
    const int64_t out = k == 0 ? width : width * 2;
    BasicBlock block(width, out, k == 0 ? 1 : 2);
    blocks_.push_back(register_module("block" + std::to_string(k + 1), block));
    width = out;
  }
  // Every convolution of the blocks, in registration order, from the same generator.
  for (auto& named : named_modules("", /*include_self=*/false)) {
    if (auto* c = named.value()->as<torch::nn::Conv2dImpl>()) {
      if (c == stem.get()) continue;
      torch::nn::Conv2d holder(std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(named.value()));
      init_conv(holder, gen);
    }
  }
  feature_size_ = width;
}

at::Tensor SmallResNetImpl::feature_maps(const at::Tensor& images) {
  if (images.dim() != 4 || images.size(1) != 3)
    throw Error(fmt::format("backbone: expected images N x 3 x H x W, got {}-D with {} channels",
                            images.dim(), images.dim() > 1 ? images.size(1) : 0));
  at::Tensor h = torch::relu(norm(stem_bn, stem->forward(images)));
  for (auto& block : blocks_) h = block->forward(h);
  return h;
}

at::Tensor SmallResNetImpl::forward(const at::Tensor& images) {
  return global_pool(feature_maps(images), options_.pooling);
}

}  // namespace lg::nets
