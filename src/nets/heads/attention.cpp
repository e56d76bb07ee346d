#include "nets/heads/attention.hpp"

#include <torch/torch.h>

#include <cmath>

#include "nets/feature_backbone.hpp"

namespace lg::nets {

void init_xavier_uniform(at::Tensor& t, at::Generator& gen) {
  const double bound = std::sqrt(6.0 / static_cast<double>(t.size(0) + t.size(1)));
  init_uniform(t, bound, gen);
}

torch::nn::LayerNorm layer_norm(int64_t d) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(1e-5));
}

MultiheadAttentionImpl::MultiheadAttentionImpl(int64_t d, int64_t heads, at::Generator& gen)
    : d_(d), heads_(heads) {
  in_proj_weight = register_parameter("in_proj_weight", torch::empty({3 * d, d}));
  in_proj_bias = register_parameter("in_proj_bias", torch::zeros({3 * d}));
  out_proj = register_module("out_proj", torch::nn::Linear(d, d));
  init_xavier_uniform(in_proj_weight, gen);
  init_xavier_uniform(out_proj->weight, gen);
  torch::NoGradGuard no_grad;
  out_proj->bias.zero_();
}

at::Tensor scaled_dot_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                const at::Tensor& blocked, double dropout, bool training,
                                at::Generator* gen) {
  at::Tensor scores = torch::matmul(q / std::sqrt(static_cast<double>(q.size(-1))), k.transpose(-2, -1));
  if (blocked.defined())
    scores = scores.masked_fill(blocked, -std::numeric_limits<float>::infinity());
  at::Tensor weights = torch::softmax(scores, -1);
  if (training) weights = seeded_dropout(weights, dropout, gen);
  return torch::matmul(weights, v);
}

at::Tensor MultiheadAttentionImpl::forward(const at::Tensor& query, const at::Tensor& key,
                                           const at::Tensor& value, const at::Tensor& blocked,
                                           double dropout, at::Generator* gen) {
  const int64_t b = query.size(0), lq = query.size(1), lk = key.size(1), dh = d_ / heads_;
  const std::vector<at::Tensor> w = in_proj_weight.chunk(3, 0);
  const std::vector<at::Tensor> bias = in_proj_bias.chunk(3, 0);
  auto split = [&](const at::Tensor& x, int64_t len) {
    return x.reshape({b, len, heads_, dh}).transpose(1, 2);  // B x n x L x dh
  };
  const at::Tensor q = split(torch::nn::functional::linear(query, w[0], bias[0]), lq);
  const at::Tensor k = split(torch::nn::functional::linear(key, w[1], bias[1]), lk);
  const at::Tensor v = split(torch::nn::functional::linear(value, w[2], bias[2]), lk);
  const at::Tensor out = scaled_dot_attention(q, k, v, blocked, dropout, is_training(), gen);
  return out_proj->forward(out.transpose(1, 2).reshape({b, lq, d_}));
}

at::Tensor sine_positions(int64_t d, int64_t height, int64_t width) {
  const int64_t npf = d / 2;
  constexpr double kScale = 2 * M_PI, kEps = 1e-6, kTemperature = 10000;
  const at::Tensor y = (torch::arange(1, height + 1, torch::kFloat32) / (height + kEps) * kScale)
                           .view({height, 1}).expand({height, width});
  const at::Tensor x = (torch::arange(1, width + 1, torch::kFloat32) / (width + kEps) * kScale)
                           .view({1, width}).expand({height, width});
  const at::Tensor k = torch::arange(npf, torch::kFloat32);
  const at::Tensor dim_t = torch::pow(kTemperature, 2 * torch::floor(k / 2) / npf);
  auto encode = [&](const at::Tensor& p) {
    const at::Tensor a = p.unsqueeze(-1) / dim_t;  // H x W x npf
    using torch::indexing::Slice;
    const at::Tensor s = a.index({Slice(), Slice(), Slice(0, torch::indexing::None, 2)}).sin();
    const at::Tensor c = a.index({Slice(), Slice(), Slice(1, torch::indexing::None, 2)}).cos();
    return torch::stack({s, c}, -1).flatten(-2);  // H x W x npf, sin and cos interleaved
  };
  return torch::cat({encode(y), encode(x)}, -1).permute({2, 0, 1}).contiguous();  // d x H x W
}

}  // namespace lg::nets
