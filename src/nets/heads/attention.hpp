#pragma once
// The attention pieces of the transformer heads (q2l, lamp). Included only by src/nets .cpp
// files and tests/nets: it needs torch. Dropout draws from the caller's generator.
#include <cstdint>

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

namespace lg::nets {

/// Multi-head attention with torch.nn.MultiheadAttention's parameters and arithmetic:
/// in_proj_weight (3d x d: query, key, value rows), in_proj_bias (3d), out_proj (d x d + bias).
/// Initialisation as Query2Label's transformer: xavier-uniform projections, zero biases.
class MultiheadAttentionImpl : public torch::nn::Module {
 public:
  MultiheadAttentionImpl(int64_t d, int64_t heads, at::Generator& gen);
  /// query B x Lq x d, key and value B x Lk x d -> B x Lq x d. `blocked` (Lq x Lk bool, may be
  /// undefined) masks pairs; dropout p on the attention weights in training.
  at::Tensor forward(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
                     const at::Tensor& blocked, double dropout, at::Generator* gen);
  at::Tensor in_proj_weight, in_proj_bias;
  torch::nn::Linear out_proj{nullptr};

 private:
  int64_t d_, heads_;
};
TORCH_MODULE(MultiheadAttention);

/// Scaled dot-product attention of already projected q (B x n x Lq x dh), k, v (B x n x Lk x dh),
/// softmax over keys with `blocked` pairs at -inf, dropout on the weights -> B x n x Lq x dh.
at::Tensor scaled_dot_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                const at::Tensor& blocked, double dropout, bool training,
                                at::Generator* gen);

/// xavier_uniform_ on a 2-D tensor, drawn from `gen`: bound sqrt(6 / (fan_in + fan_out)).
void init_xavier_uniform(at::Tensor& t, at::Generator& gen);

/// LayerNorm over the last `d` entries, weight 1 and bias 0, eps 1e-5.
torch::nn::LayerNorm layer_norm(int64_t d);

/// Two-dimensional sine positional encodings (DETR's PositionEmbeddingSine, normalize = true,
/// scale 2 pi, temperature 10000): d x H x W, y channels first; d must be even.
at::Tensor sine_positions(int64_t d, int64_t height, int64_t width);

}  // namespace lg::nets
