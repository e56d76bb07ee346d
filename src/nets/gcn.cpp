#include "nets/gcn.hpp"

#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <string>

#include "core/error.hpp"

namespace lg::nets {
namespace {

std::string shape_of(const at::Tensor& t) {
  std::string s = "[";
  for (int64_t d = 0; d < t.dim(); ++d) s += (d ? " x " : "") + std::to_string(t.size(d));
  return s + "]";
}

}  // namespace

GraphConvolutionImpl::GraphConvolutionImpl(int64_t in_features, int64_t out_features,
                                           bool with_bias, uint64_t seed) {
  if (in_features < 1 || out_features < 1)
    throw Error("GraphConvolution: feature sizes must be >= 1, got " +
                std::to_string(in_features) + " -> " + std::to_string(out_features));
  weight = register_parameter("weight", torch::empty({in_features, out_features}));
  if (with_bias) bias = register_parameter("bias", torch::empty({out_features}));
  reset_parameters(seed);
}

void GraphConvolutionImpl::reset_parameters(uint64_t seed) {
  // Drawn on the CPU, then copied to wherever the parameters live: device-independent values.
  at::Generator gen = at::detail::createCPUGenerator(seed);
  const double stdv = 1.0 / std::sqrt(static_cast<double>(weight.size(1)));
  torch::NoGradGuard no_grad;
  auto draw = [&](at::Tensor& p) {
    at::Tensor host = torch::empty(p.sizes(), torch::dtype(p.scalar_type()));
    host.uniform_(-stdv, stdv, gen);
    p.copy_(host);
  };
  draw(weight);
  if (bias.defined()) draw(bias);
}

at::Tensor GraphConvolutionImpl::forward(const at::Tensor& input, const at::Tensor& adj) {
  if (input.dim() != 2 || input.size(1) != weight.size(0))
    throw Error("GraphConvolution: expected input L x " + std::to_string(weight.size(0)) +
                ", got " + shape_of(input));
  if (adj.dim() != 2 || adj.size(0) != adj.size(1) || adj.size(1) != input.size(0))
    throw Error("GraphConvolution: expected adj " + std::to_string(input.size(0)) + " x " +
                std::to_string(input.size(0)) + " (one row per label), got " + shape_of(adj));
  at::Tensor out = torch::matmul(adj, torch::matmul(input, weight));
  return bias.defined() ? out + bias : out;
}

LabelGcnImpl::LabelGcnImpl(const LabelGcnOptions& options) : options_(options) {
  if (options.depth < 1)
    throw Error("LabelGcn: depth must be >= 1, got " + std::to_string(options.depth));
  if (options.in_features < 1 || options.hidden_features < 1 || options.out_features < 1)
    throw Error("LabelGcn: in/hidden/out sizes must be >= 1, got " +
                std::to_string(options.in_features) + "/" +
                std::to_string(options.hidden_features) + "/" +
                std::to_string(options.out_features));
  if (!std::isfinite(options.negative_slope))
    throw Error("LabelGcn: negative_slope must be finite");
  for (int k = 0; k < options.depth; ++k) {
    const int64_t in = k == 0 ? options.in_features : options.hidden_features;
    const int64_t out = k + 1 == options.depth ? options.out_features : options.hidden_features;
    layers_.push_back(register_module(
        "gc" + std::to_string(k + 1),
        GraphConvolution(in, out, options.bias, options.seed + static_cast<uint64_t>(k))));
  }
}

at::Tensor LabelGcnImpl::forward(const at::Tensor& label_inputs, const at::Tensor& adj) {
  at::Tensor h = label_inputs;
  for (size_t k = 0; k < layers_.size(); ++k) {
    h = layers_[k]->forward(h, adj);
    if (k + 1 < layers_.size()) h = torch::leaky_relu(h, options_.negative_slope);
  }
  return h;
}

}  // namespace lg::nets
