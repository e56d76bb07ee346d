// mlp-br and cnn-br: one linear classifier per label on the backbone's pooled features,
// logits = f Wᵀ + b (W: C x F), weight and bias drawn uniform(-1/sqrt(F), 1/sqrt(F)).
#include <torch/torch.h>

#include "models/registry.hpp"
#include "nets/head.hpp"
#include "nets/heads/heads.hpp"
#include "nets/net_model.hpp"

namespace lg::nets {
namespace {

class LinearHeadImpl : public HeadImpl {
 public:
  LinearHeadImpl(const HeadShape& shape, at::Generator& gen)
      : features_(shape.features), labels_(shape.labels) {
    linear_ = register_module("linear", seeded_linear(shape.features, shape.labels, gen));
  }
  at::Tensor forward(const BackboneOutput& x, at::Generator*) override {
    return linear_logits(x.pooled, linear_->weight, linear_->bias);
  }
  int64_t multiply_adds(int64_t batch, int64_t) const override {
    return batch * features_ * labels_;
  }

 private:
  int64_t features_, labels_;
  torch::nn::Linear linear_{nullptr};
};

class LinearHead : public HeadFactory {
 public:
  std::string name() const override { return "linear"; }
  std::shared_ptr<HeadImpl> make(const HeadShape& shape, const LabelSide&, at::Generator& gen,
                                 std::uint64_t) const override {
    return std::make_shared<LinearHeadImpl>(shape, gen);
  }
};

class MlpBr : public NetModel {
 public:
  using Params = MlpBrParams;
  explicit MlpBr(const Params& p)
      : NetModel(net_spec("mlp-br", p), std::make_shared<LinearHead>()) {}
};

class CnnBr : public NetModel {
 public:
  using Params = CnnBrParams;
  explicit CnnBr(const Params& p)
      : NetModel(net_spec("cnn-br", p), std::make_shared<LinearHead>()) {}
};

}  // namespace

void register_linear_heads() {
  models::register_model<MlpBr>("mlp-br", "MLP encoder + one sigmoid output per label (LibTorch)");
  models::register_model<CnnBr>(
      "cnn-br",
      "CNN backbone (ResNet-style or TorchScript) + one sigmoid output per label, on images (LibTorch)",
      /*reads_images=*/true);
}

}  // namespace lg::nets
