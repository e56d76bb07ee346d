// lamp: LaMP's label attention (Lanchantin et al., "Neural Message Passing for Multi-Label
// Classification", 2019; reference QData/LaMP), for feature rows (and the pooled features of
// images). The input is one memory token m = input_proj(f); C learned label embeddings e_c
// (d_model wide) pass `layers` layers of, in the reference's order:
//   cross-attention to m  -> FFN -> label self-attention masked by the label graph -> FFN
// each attention: Q = x W_q, K = kv W_k, V = kv W_v (no biases), heads of d/n, softmax over
// keys, output W_fc (no bias), then LayerNorm(out + x); each FFN: LayerNorm(x + W2 ReLU(W1 x)).
// mask: none (every label sees every label), identity (each label only itself), cooccurrence
// (the labels it shares an edge with in the label graph, default any co-occurrence in the
// training rows, and itself) — the label-graph ablation on tabular data.
// logit_c = <h_c, e_c>: the read-out is tied to the label embeddings, no bias (as the reference).
// Initialisation: xavier-uniform attention matrices, default-uniform FFN and input projection,
// embeddings N(0, 1); dropout (attention_dropout) on attention weights and residual branches.
#include <torch/torch.h>

#include <fmt/format.h>

#include "models/registry.hpp"
#include "nets/head.hpp"
#include "nets/heads/attention.hpp"
#include "nets/heads/heads.hpp"
#include "nets/net_model.hpp"
#include "nets/tensor_convert.hpp"

namespace lg::nets {
namespace {

struct LampAttentionImpl : torch::nn::Module {
  LampAttentionImpl(int64_t d, int heads, at::Generator& gen) : d_(d), heads_(heads) {
    for (const char* name : {"w_qs", "w_ks", "w_vs", "fc"}) {
      torch::nn::Linear l = seeded_linear(d, d, gen, false);
      init_xavier_uniform(l->weight, gen);
      proj.push_back(register_module(name, l));
    }
    norm = register_module("layer_norm", layer_norm(d));
  }
  at::Tensor forward(const at::Tensor& x, const at::Tensor& kv, const at::Tensor& blocked,
                     double dropout, at::Generator* gen) {
    const int64_t b = x.size(0), lq = x.size(1), lk = kv.size(1), dh = d_ / heads_;
    if (lk == 1 && !blocked.defined()) {
      // One key (the encoded input): the softmax over it is exactly 1, so every query reads
      // V and the scores (and W_q, W_k) do not matter, in value or gradient. Dropout on the
      // weights keeps or drops a whole head's V per query, drawn as the general path draws it.
      const at::Tensor v = proj[2]->forward(kv);  // B x 1 x d
      at::Tensor y;
      if (is_training() && dropout > 0 && gen) {
        const at::Tensor keep = seeded_dropout(torch::ones({b, heads_, lq, 1}), dropout, gen);
        const at::Tensor heads = v.view({b, 1, heads_, dh}).transpose(1, 2) * keep.to(v.options());
        y = proj[3]->forward(heads.transpose(1, 2).reshape({b, lq, d_}));
        y = seeded_dropout(y, dropout, gen);
      } else {
        y = proj[3]->forward(v);  // B x 1 x d, the same for every query
        if (is_training()) y = seeded_dropout(y.expand({b, lq, d_}), dropout, gen);
      }
      return norm->forward(y + x);
    }
    auto split = [&](const at::Tensor& t, int64_t len) {
      return t.reshape({b, len, heads_, dh}).transpose(1, 2);
    };
    const at::Tensor out = scaled_dot_attention(split(proj[0]->forward(x), lq),
                                                split(proj[1]->forward(kv), lk),
                                                split(proj[2]->forward(kv), lk), blocked, dropout,
                                                is_training(), gen);
    at::Tensor y = proj[3]->forward(out.transpose(1, 2).reshape({b, lq, d_}));
    if (is_training()) y = seeded_dropout(y, dropout, gen);
    return norm->forward(y + x);
  }
  int64_t d_, heads_;
  std::vector<torch::nn::Linear> proj;
  torch::nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(LampAttention);

struct LampFfnImpl : torch::nn::Module {
  LampFfnImpl(int64_t d, int64_t ff, at::Generator& gen) {
    w_1 = register_module("w_1", seeded_linear(d, ff, gen));
    w_2 = register_module("w_2", seeded_linear(ff, d, gen));
    norm = register_module("layer_norm", layer_norm(d));
  }
  at::Tensor forward(const at::Tensor& x, double dropout, at::Generator* gen) {
    at::Tensor y = w_2->forward(torch::relu(w_1->forward(x)));
    if (is_training()) y = seeded_dropout(y, dropout, gen);
    return norm->forward(x + y);
  }
  torch::nn::Linear w_1{nullptr}, w_2{nullptr};
  torch::nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(LampFfn);

struct LampLayerImpl : torch::nn::Module {
  LampLayerImpl(int64_t d, int heads, int64_t ff, at::Generator& gen) {
    enc_attn = register_module("enc_attn", LampAttention(d, heads, gen));
    ffn1 = register_module("ffn1", LampFfn(d, ff, gen));
    slf_attn = register_module("slf_attn", LampAttention(d, heads, gen));
    ffn2 = register_module("ffn2", LampFfn(d, ff, gen));
  }
  LampAttention enc_attn{nullptr}, slf_attn{nullptr};
  LampFfn ffn1{nullptr}, ffn2{nullptr};
};
TORCH_MODULE(LampLayer);

class LampHeadImpl : public HeadImpl {
 public:
  LampHeadImpl(const HeadShape& shape, const LampHeadParams& p, const LabelSide& side,
               at::Generator& gen)
      : f_(shape.features), c_(shape.labels), d_(p.d_model > 0 ? p.d_model : shape.features),
        ff_(p.feedforward > 0 ? p.feedforward : 2 * d_), p_(p) {
    if (d_ % p.heads != 0)
      throw Error(fmt::format("lamp: d_model {} (the feature size when d_model = 0) must be a "
                              "multiple of heads ({}); set d_model or heads", d_, p.heads));
    input_proj_ = register_module("input_proj", seeded_linear(f_, d_, gen));
    auto embed = register_module("label_embed", std::make_shared<torch::nn::Module>("label_embed"));
    embed_ = embed->register_parameter("weight", torch::empty({c_, d_}));
    {
      torch::NoGradGuard no_grad;
      embed_.copy_(torch::empty({c_, d_}).normal_(0, 1, gen));
    }
    layers_ = register_module("layers", torch::nn::ModuleList());
    for (int i = 0; i < p.layers; ++i) layers_->push_back(LampLayer(d_, p.heads, ff_, gen));
    at::Tensor blocked = torch::zeros({c_, c_});
    if (p.mask == "identity") blocked = 1 - torch::eye(c_);
    if (p.mask == "cooccurrence") blocked = (side.adjacency <= 0).to(torch::kFloat32) * (1 - torch::eye(c_));
    mask_ = register_buffer("mask", blocked);
  }

  at::Tensor forward(const BackboneOutput& x, at::Generator* gen) override {
    const int64_t b = x.pooled.size(0);
    const at::Tensor memory = input_proj_->forward(x.pooled).unsqueeze(1);  // B x 1 x d
    // mask = none blocks nothing: no masking at all (the same values, fewer operations).
    const at::Tensor blocked = p_.mask == "none" ? at::Tensor() : mask_.to(torch::kBool);
    at::Tensor h = embed_.unsqueeze(0).expand({b, c_, d_});
    const double p = p_.attention_dropout;
    for (const auto& module : *layers_) {
      auto* layer = module->as<LampLayerImpl>();
      h = layer->enc_attn->forward(h, memory, {}, p, gen);
      h = layer->ffn1->forward(h, p, gen);
      h = layer->slf_attn->forward(h, h, blocked, p, gen);
      h = layer->ffn2->forward(h, p, gen);
    }
    return (h * embed_.unsqueeze(0)).sum(-1);
  }
  int64_t multiply_adds(int64_t batch, int64_t) const override {
    const int64_t per_layer = (2 * c_ * d_ * d_ + 2 * d_ * d_ + 2 * c_ * d_) +
                              (4 * c_ * d_ * d_ + 2 * c_ * c_ * d_) + 2 * (2 * c_ * d_ * ff_);
    return batch * (f_ * d_ + p_.layers * per_layer + c_ * d_);
  }

 private:
  int64_t f_, c_, d_, ff_;
  LampHeadParams p_;
  torch::nn::Linear input_proj_{nullptr};
  at::Tensor embed_, mask_;
  torch::nn::ModuleList layers_{nullptr};
};

class LampHead : public HeadFactory {
 public:
  LampHead(graph::LabelGraphSpec graph, LampHeadParams p) : graph_(std::move(graph)), p_(p) {}
  std::string name() const override { return "lamp"; }
  LabelSide label_side(const Dataset& train, const Context& ctx,
                       std::vector<std::string>& notes) const override {
    LabelSide side;
    if (p_.mask == "cooccurrence") {
      side.adjacency = to_tensor_f(label_graph_matrix(train, graph_, ctx, &notes));
      const auto c = static_cast<double>(train.num_labels());
      const double allowed = (side.adjacency > 0).sum().item<double>();
      notes.push_back(fmt::format("label self-attention masked by the label graph: {:.0f} of {:.0f} "
                                  "label pairs attend (and every label to itself)", allowed,
                                  c * (c - 1)));
    } else {
      notes.push_back("label self-attention mask: " + p_.mask);
    }
    return side;
  }
  LabelSide empty_label_side(int64_t labels, int64_t) const override {
    LabelSide side;
    if (p_.mask == "cooccurrence") side.adjacency = torch::zeros({labels, labels});
    return side;
  }
  std::shared_ptr<HeadImpl> make(const HeadShape& shape, const LabelSide& side, at::Generator& gen,
                                 std::uint64_t) const override {
    return std::make_shared<LampHeadImpl>(shape, p_, side, gen);
  }

 private:
  graph::LabelGraphSpec graph_;
  LampHeadParams p_;
};

class Lamp : public NetModel {
 public:
  using Params = LampParams;
  explicit Lamp(const Params& p)
      : NetModel(net_spec("lamp", p), std::make_shared<LampHead>(p.graph, p.head)) {}
};

}  // namespace

void register_lamp_head() {
  models::register_model<Lamp>(
      "lamp",
      "LaMP: label embeddings attend to the input and to each other, masked by the label graph "
      "(LibTorch; feature rows or images)",
      /*reads_images=*/true);
}

}  // namespace lg::nets
