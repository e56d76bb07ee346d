// mlgcn (Chen et al., CVPR 2019): Z = GCN(label inputs X, Â) (C x F), logits = f Zᵀ (+ b with
// label_bias). The GCN of nets/gcn.hpp: gcn_depth layers E -> gcn_hidden -> ... -> F,
// LeakyReLU 0.2 between layers, no bias; its weights train at lr_gcn. X and Â are built from the
// training rows (label_inputs; the `adjacency` graph and its propagation) and kept as buffers.
#include <torch/torch.h>

#include "core/random.hpp"
#include "models/registry.hpp"
#include "nets/gcn.hpp"
#include "nets/head.hpp"
#include "nets/heads/heads.hpp"
#include "nets/net_model.hpp"
#include "nets/tensor_convert.hpp"
#include "nets/thread_policy.hpp"

namespace lg::nets {
namespace {

class MlGcnHeadImpl : public HeadImpl {
 public:
  MlGcnHeadImpl(const HeadShape& shape, const GcnParams& p, const LabelSide& side,
                std::uint64_t seed)
      : features_(shape.features), labels_(shape.labels), params_(p) {
    LabelGcnOptions o;
    o.in_features = side.inputs.size(1);
    o.hidden_features = p.gcn_hidden;
    o.out_features = shape.features;
    o.depth = p.gcn_depth;
    o.seed = derive_seed(seed, 7);
    gcn_ = register_module("gcn", LabelGcn(o));
    inputs_ = register_buffer("label_inputs", side.inputs);
    adjacency_ = register_buffer("propagation", side.adjacency);
    if (p.label_bias) bias_ = register_parameter("label_bias", torch::zeros({shape.labels}));
  }
  at::Tensor forward(const BackboneOutput& x, at::Generator*) override {
    return linear_logits(x.pooled, gcn_->forward(inputs_, adjacency_), bias_);
  }
  std::vector<at::Tensor> graph_parameters() override { return gcn_->parameters(); }
  int64_t multiply_adds(int64_t batch, int64_t) const override {
    return batch * features_ * labels_ +
           label_gcn_multiply_adds(labels_, inputs_.size(1), params_.gcn_hidden, features_,
                                   params_.gcn_depth);
  }

 private:
  int64_t features_, labels_;
  GcnParams params_;
  LabelGcn gcn_{nullptr};
  at::Tensor inputs_, adjacency_, bias_;
};

class MlGcnHead : public HeadFactory {
 public:
  explicit MlGcnHead(GcnParams p) : p_(std::move(p)) {}
  std::string name() const override { return "mlgcn"; }
  LabelSide label_side(const Dataset& train, const Context& ctx,
                       std::vector<std::string>& notes) const override {
    LabelSide side;
    side.inputs = label_input_matrix(train, p_.inputs, p_.graph, ctx, notes);
    side.adjacency = to_tensor_f(label_graph_matrix(train, p_.graph, ctx, &notes));
    return side;
  }
  LabelSide empty_label_side(int64_t labels, int64_t input_dim) const override {
    return {torch::zeros({labels, input_dim}), torch::zeros({labels, labels}), {}};
  }
  std::shared_ptr<HeadImpl> make(const HeadShape& shape, const LabelSide& side, at::Generator&,
                                 std::uint64_t seed) const override {
    return std::make_shared<MlGcnHeadImpl>(shape, p_, side, seed);
  }

 private:
  GcnParams p_;
};

class MlGcn : public NetModel {
 public:
  using Params = MlGcnParams;
  explicit MlGcn(const Params& p)
      : NetModel(net_spec("mlgcn", p), std::make_shared<MlGcnHead>(p.gcn)) {}
};

}  // namespace

void register_mlgcn_head() {
  models::register_model<MlGcn>(
      "mlgcn",
      "ML-GCN: MLP encoder (feature rows) or CNN backbone (images), classifiers from a GCN over "
      "label inputs on the label graph (LibTorch)",
      /*reads_images=*/true);
}

}  // namespace lg::nets
