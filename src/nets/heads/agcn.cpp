// agcn: A-GCN (Li et al., "Learning category correlations for multi-label image
// recognition with graph networks", arXiv 1909.13005; reference queenie88/A-GCN). The label
// graph is learned from the label inputs X (C x E) instead of counted:
//   S = θ(X) φ(X)ᵀ / C + I     θ, φ: Linear E -> max(1, E/2) with bias
//   Â = D^-1/2 S D^-1/2        D = diag of S's row sums (clamped at 1e-6: the reference gives
//                               NaN when a row sum is not positive), no transpose
//   Z = Â LeakyReLU(Â X W1) W2  the GCN of nets/gcn.hpp (gcn_depth layers, no bias)
//   logits = f Zᵀ (+ b)         f the pooled features
//   loss  += adjacency_loss · mean |Â - I|   (the reference's L1 term, weight 1)
// detach_adjacency = true reproduces the authors' first upload, which detached Â (θ and φ never
// learn); their current code and the default here let gradients flow. The reference's 80 x 80
// identity becomes C x C. θ, φ and the GCN train at lr_gcn.
#include <torch/torch.h>

#include <fmt/format.h>

#include "core/random.hpp"
#include "models/registry.hpp"
#include "nets/gcn.hpp"
#include "nets/head.hpp"
#include "nets/heads/heads.hpp"
#include "nets/net_model.hpp"
#include "nets/thread_policy.hpp"

namespace lg::nets {
namespace {

class AgcnHeadImpl : public HeadImpl {
 public:
  AgcnHeadImpl(const HeadShape& shape, const AgcnHeadParams& p, const LabelSide& side,
               at::Generator& gen, std::uint64_t seed)
      : features_(shape.features), labels_(shape.labels), p_(p) {
    const int64_t e = side.inputs.size(1), k = std::max<int64_t>(1, e / 2);
    theta_ = register_module("theta", seeded_linear(e, k, gen));
    phi_ = register_module("phi", seeded_linear(e, k, gen));
    LabelGcnOptions o;
    o.in_features = e;
    o.hidden_features = p.gcn_hidden;
    o.out_features = shape.features;
    o.depth = p.gcn_depth;
    o.seed = derive_seed(seed, 7);
    gcn_ = register_module("gcn", LabelGcn(o));
    inputs_ = register_buffer("label_inputs", side.inputs);
    if (p.label_bias) bias_ = register_parameter("label_bias", torch::zeros({shape.labels}));
  }

  /// The normalised learned adjacency Â (C x C).
  at::Tensor adjacency() {
    const at::Tensor s = torch::matmul(theta_->forward(inputs_), phi_->forward(inputs_).t()) / labels_ +
                         torch::eye(labels_, inputs_.options());
    const at::Tensor d = s.sum(1).clamp_min(1e-6).pow(-0.5);
    at::Tensor a = d.unsqueeze(1) * s * d.unsqueeze(0);
    return p_.detach_adjacency ? a.detach() : a;
  }

  at::Tensor forward(const BackboneOutput& x, at::Generator*) override {
    return linear_logits(x.pooled, gcn_->forward(inputs_, adjacency()), bias_);
  }
  HeadOutput train_forward(const BackboneOutput& x, at::Generator*) override {
    const at::Tensor a = adjacency();
    HeadOutput out;
    out.logits = linear_logits(x.pooled, gcn_->forward(inputs_, a), bias_);
    if (p_.adjacency_loss > 0)
      out.extra_loss = p_.adjacency_loss * (a - torch::eye(labels_, a.options())).abs().mean();
    return out;
  }
  std::vector<at::Tensor> graph_parameters() override {
    std::vector<at::Tensor> out = theta_->parameters();
    for (const at::Tensor& t : phi_->parameters()) out.push_back(t);
    for (const at::Tensor& t : gcn_->parameters()) out.push_back(t);
    return out;
  }
  int64_t multiply_adds(int64_t batch, int64_t) const override {
    const int64_t e = inputs_.size(1), k = std::max<int64_t>(1, e / 2);
    return batch * features_ * labels_ + 2 * labels_ * e * k + labels_ * labels_ * k +
           label_gcn_multiply_adds(labels_, e, p_.gcn_hidden, features_, p_.gcn_depth);
  }

 private:
  int64_t features_, labels_;
  AgcnHeadParams p_;
  torch::nn::Linear theta_{nullptr}, phi_{nullptr};
  LabelGcn gcn_{nullptr};
  at::Tensor inputs_, bias_;
};

class AgcnHead : public HeadFactory {
 public:
  AgcnHead(LabelInputParams inputs, AgcnHeadParams p) : inputs_(std::move(inputs)), p_(p) {}
  std::string name() const override { return "agcn"; }
  LabelSide label_side(const Dataset& train, const Context& ctx,
                       std::vector<std::string>& notes) const override {
    LabelSide side;
    side.inputs = label_input_matrix(train, inputs_, graph::LabelGraphSpec{}, ctx, notes);
    notes.push_back(fmt::format("learned adjacency from {} label inputs ({}; L1 weight {})",
                                inputs_.label_inputs,
                                p_.detach_adjacency ? "detached, as the reference's first upload"
                                                    : "gradients flow",
                                p_.adjacency_loss));
    return side;
  }
  LabelSide empty_label_side(int64_t labels, int64_t input_dim) const override {
    return {torch::zeros({labels, input_dim}), at::Tensor(), {}};
  }
  std::shared_ptr<HeadImpl> make(const HeadShape& shape, const LabelSide& side, at::Generator& gen,
                                 std::uint64_t seed) const override {
    return std::make_shared<AgcnHeadImpl>(shape, p_, side, gen, seed);
  }

 private:
  LabelInputParams inputs_;
  AgcnHeadParams p_;
};

class Agcn : public NetModel {
 public:
  using Params = AgcnParams;
  explicit Agcn(const Params& p)
      : NetModel(net_spec("agcn", p), std::make_shared<AgcnHead>(p.inputs, p.head)) {}
};

}  // namespace

void register_agcn_head() {
  models::register_model<Agcn>(
      "agcn",
      "A-GCN: ML-GCN with the label graph learned from the label inputs (LibTorch; feature rows or images)",
      /*reads_images=*/true);
}

}  // namespace lg::nets
