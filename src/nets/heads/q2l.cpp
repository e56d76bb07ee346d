// q2l: Query2Label (Liu et al., "Query2Label: A Simple Transformer Way to Multi-Label
// Classification", 2021; reference SlongLiu/query2labels), with ML-Decoder's group decoding
// (Ridnik et al. 2021; reference Alibaba-MIIL/ML_Decoder) when queries < labels. Needs the map M.
//   src    = input_proj(M) (a 1x1 conv when d_model differs from the features, else M itself),
//            one token per position; pos = 2-D sine encodings (DETR's, normalised, 2 pi)
//   encoder_layers post-norm layers: self-attention with q = k = src + pos, v = src; FFN (ReLU)
//   decoder_layers post-norm layers over K queries: tgt starts at 0 with query_pos = the learned
//            queries; [self-attention, q = k = tgt + query_pos (self_attention = true; Query2Label
//            removes it)]; cross-attention q = tgt + query_pos, k = memory + pos, v = memory; FFN;
//            then a final LayerNorm
//   logits: query k reads out g = ceil(C / K) labels through its own g x d weights (K = C: one
//            weight vector per class, Query2Label's GroupWiseLinear), the first C kept, + bias
// Initialisation as Query2Label: xavier-uniform transformer matrices, zero attention biases,
// queries N(0, 1), read-out uniform(±1/sqrt(d)). Dropout (transformer_dropout) on attention
// weights and residual branches in training, drawn from the run's generator.
#include <torch/torch.h>

#include <fmt/format.h>

#include "models/registry.hpp"
#include "nets/head.hpp"
#include "nets/heads/attention.hpp"
#include "nets/heads/heads.hpp"
#include "nets/net_model.hpp"

namespace lg::nets {
namespace {

/// A Linear(in, out) with a xavier-uniform weight and a default-uniform bias, from `gen`.
torch::nn::Linear xavier_linear(int64_t in, int64_t out, at::Generator& gen) {
  torch::nn::Linear l = seeded_linear(in, out, gen);
  init_xavier_uniform(l->weight, gen);
  return l;
}

struct TransformerLayerImpl : torch::nn::Module {
  TransformerLayerImpl(int64_t d, int heads, int64_t ff, bool self_attention, bool cross,
                       double dropout, at::Generator& gen)
      : dropout_(dropout) {
    if (self_attention) self_attn = register_module("self_attn", MultiheadAttention(d, heads, gen));
    if (cross) multihead_attn = register_module("multihead_attn", MultiheadAttention(d, heads, gen));
    linear1 = register_module("linear1", xavier_linear(d, ff, gen));
    linear2 = register_module("linear2", xavier_linear(ff, d, gen));
    if (self_attention) norm1 = register_module("norm1", layer_norm(d));
    if (cross) norm2 = register_module("norm2", layer_norm(d));
    (cross ? norm3 : norm2) = register_module(cross ? "norm3" : "norm2", layer_norm(d));
  }

  at::Tensor drop(const at::Tensor& x, at::Generator* gen) {
    return is_training() ? seeded_dropout(x, dropout_, gen) : x;
  }
  at::Tensor ffn(const at::Tensor& x, at::Generator* gen) {
    return linear2->forward(drop(torch::relu(linear1->forward(x)), gen));
  }

  /// Encoder layer: src B x N x d, pos 1 x N x d.
  at::Tensor encode(at::Tensor src, const at::Tensor& pos, at::Generator* gen) {
    const at::Tensor q = src + pos;
    src = norm1->forward(src + drop(self_attn->forward(q, q, src, {}, dropout_, gen), gen));
    return norm2->forward(src + drop(ffn(src, gen), gen));
  }

  /// Decoder layer: tgt B x K x d, query_pos 1 x K x d, memory B x N x d, pos 1 x N x d.
  at::Tensor decode(at::Tensor tgt, const at::Tensor& query_pos, const at::Tensor& memory,
                    const at::Tensor& pos, at::Generator* gen) {
    if (self_attn) {
      const at::Tensor q = tgt + query_pos;
      tgt = norm1->forward(tgt + drop(self_attn->forward(q, q, tgt, {}, dropout_, gen), gen));
    }
    tgt = norm2->forward(
        tgt + drop(multihead_attn->forward(tgt + query_pos, memory + pos, memory, {}, dropout_, gen), gen));
    return norm3->forward(tgt + drop(ffn(tgt, gen), gen));
  }

  double dropout_;
  MultiheadAttention self_attn{nullptr}, multihead_attn{nullptr};
  torch::nn::Linear linear1{nullptr}, linear2{nullptr};
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
};
TORCH_MODULE(TransformerLayer);

class Q2lHeadImpl : public HeadImpl {
 public:
  Q2lHeadImpl(const HeadShape& shape, const Q2lHeadParams& p, at::Generator& gen)
      : f_(shape.features), c_(shape.labels), d_(p.d_model > 0 ? p.d_model : shape.features),
        k_(p.queries > 0 ? std::min(p.queries, shape.labels) : shape.labels),
        g_((c_ + k_ - 1) / k_), ff_(p.feedforward > 0 ? p.feedforward : 4 * d_), p_(p) {
    if (d_ % p.heads != 0 || d_ % 4 != 0)
      throw Error(fmt::format("q2l: d_model {} (the backbone's feature size when d_model = 0) must "
                              "be a multiple of 4 and of heads ({}); set d_model", d_, p.heads));
    if (d_ != f_) {
      auto proj = register_module("input_proj", std::make_shared<torch::nn::Module>("input_proj"));
      proj_weight_ = proj->register_parameter("weight", seeded_uniform({d_, f_, 1, 1}, f_, gen));
      proj_bias_ = proj->register_parameter("bias", seeded_uniform({d_}, f_, gen));
    }
    auto queries = register_module("query_embed", std::make_shared<torch::nn::Module>("query_embed"));
    queries_ = queries->register_parameter("weight", torch::empty({k_, d_}));
    {
      torch::NoGradGuard no_grad;
      queries_.copy_(torch::empty({k_, d_}).normal_(0, 1, gen));
    }
    encoder_ = register_module("encoder", torch::nn::ModuleList());
    for (int i = 0; i < p.encoder_layers; ++i)
      encoder_->push_back(TransformerLayer(d_, p.heads, ff_, true, false, p.transformer_dropout, gen));
    decoder_ = register_module("decoder", torch::nn::ModuleList());
    for (int i = 0; i < p.decoder_layers; ++i)
      decoder_->push_back(TransformerLayer(d_, p.heads, ff_, p.self_attention, true, p.transformer_dropout, gen));
    decoder_norm_ = register_module("decoder_norm", layer_norm(d_));
    auto fc = register_module("fc", std::make_shared<torch::nn::Module>("fc"));
    fc_weight_ = fc->register_parameter("weight", seeded_uniform({k_, g_, d_}, d_, gen));
    fc_bias_ = fc->register_parameter("bias", seeded_uniform({c_}, d_, gen));
  }

  bool needs_map() const override { return true; }

  at::Tensor forward(const BackboneOutput& x, at::Generator* gen) override {
    const int64_t b = x.map.size(0), h = x.map.size(2), w = x.map.size(3);
    at::Tensor src = x.map.flatten(2);  // B x F x HW
    if (proj_weight_.defined())
      src = torch::matmul(proj_weight_.reshape({d_, f_}), src) + proj_bias_.view({1, d_, 1});
    src = src.transpose(1, 2);          // B x HW x d
    const at::Tensor pos = sine_positions(d_, h, w).to(src.options()).flatten(1).t().unsqueeze(0);
    for (const auto& layer : *encoder_) src = layer->as<TransformerLayerImpl>()->encode(src, pos, gen);
    const at::Tensor query_pos = queries_.unsqueeze(0);
    at::Tensor tgt = torch::zeros({b, k_, d_}, src.options());
    for (const auto& layer : *decoder_)
      tgt = layer->as<TransformerLayerImpl>()->decode(tgt, query_pos, src, pos, gen);
    const at::Tensor hs = decoder_norm_->forward(tgt);  // B x K x d
    // out[b, k, j] = Σ_d hs[b, k, d] fc[k, j, d]: one batched product over the K queries
    // (K x B x d times K x d x g), not B x K products of one row each.
    const at::Tensor out = torch::bmm(hs.transpose(0, 1), fc_weight_.transpose(1, 2))
                               .transpose(0, 1).reshape({b, k_ * g_});
    return out.narrow(1, 0, c_) + fc_bias_;
  }
  int64_t multiply_adds(int64_t batch, int64_t n) const override {
    int64_t per_image = d_ != f_ ? n * f_ * d_ : 0;
    per_image += p_.encoder_layers * (4 * n * d_ * d_ + 2 * n * n * d_ + 2 * n * d_ * ff_);
    const int64_t self = p_.self_attention ? 4 * k_ * d_ * d_ + 2 * k_ * k_ * d_ : 0;
    per_image += p_.decoder_layers *
                 (self + 2 * k_ * d_ * d_ + 2 * n * d_ * d_ + 2 * k_ * n * d_ + 2 * k_ * d_ * ff_);
    per_image += k_ * g_ * d_;
    return batch * per_image;
  }

 private:
  int64_t f_, c_, d_, k_, g_, ff_;
  Q2lHeadParams p_;
  at::Tensor proj_weight_, proj_bias_, queries_, fc_weight_, fc_bias_;
  torch::nn::ModuleList encoder_{nullptr}, decoder_{nullptr};
  torch::nn::LayerNorm decoder_norm_{nullptr};
};

class Q2lHead : public HeadFactory {
 public:
  explicit Q2lHead(Q2lHeadParams p) : p_(p) {}
  std::string name() const override { return "q2l"; }
  bool needs_map() const override { return true; }
  std::shared_ptr<HeadImpl> make(const HeadShape& shape, const LabelSide&, at::Generator& gen,
                                 std::uint64_t) const override {
    return std::make_shared<Q2lHeadImpl>(shape, p_, gen);
  }

 private:
  Q2lHeadParams p_;
};

class Q2l : public NetModel {
 public:
  using Params = Q2lParams;
  explicit Q2l(const Params& p) : NetModel(net_spec("q2l", p), std::make_shared<Q2lHead>(p.head)) {}
};

}  // namespace

void register_q2l_head() {
  models::register_model<Q2l>(
      "q2l",
      "Query2Label: label queries in a transformer decoder over the feature map; queries < labels "
      "gives ML-Decoder's group decoding (LibTorch; images)",
      /*reads_images=*/true);
}

}  // namespace lg::nets
