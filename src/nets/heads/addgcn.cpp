// addgcn: ADD-GCN (Ye et al., "Attention-Driven Dynamic Graph Convolutional Network for
// Multi-Label Image Recognition", ECCV 2020; reference Yejin0111/ADD-GCN). Needs the spatial map
// M (B x F x H x W); d' = node_dim.
//   cls = fc(M)                      1x1 conv F -> C, no bias: one map per class
//   s_m = max over positions of cls  (the reference's top-1 score)
//   V   = conv_transform(M) σ(cls)ᵀ  B x d' x C class nodes (a sum over positions)
//   static GCN: x = V + LReLU(static_weight(LReLU(static_adj(Vᵀ))ᵀ))   (a learned C x C mix)
//   dynamic:    g = LReLU(BN(conv_global(mean over nodes of x))), A = σ(conv_create_co_mat([g; x]))
//               per image (C x C), x = LReLU(dynamic_weight(LReLU(x A)))
//   z = V + x;  s_r,c = last_linear(z)_c,c (the diagonal)
//   logits = (s_m + s_r) / 2         the reference trains on and scores this average
// LeakyReLU slope 0.2 everywhere. The static graph is learned, not the co-occurrence graph. In a
// training batch of one row the batch norm uses its running statistics (torch refuses batch
// statistics of one value). The reference's identity `mask_mat` Parameter (always detached) is
// a constant here: the reference counts C² more parameters. The graph convolutions train at lr_gcn.
#include <torch/torch.h>

#include <fmt/format.h>

#include "models/registry.hpp"
#include "nets/distributed.hpp"
#include "nets/head.hpp"
#include "nets/heads/conv1x1.hpp"
#include "nets/heads/heads.hpp"
#include "nets/net_model.hpp"

namespace lg::nets {
namespace {

at::Tensor lrelu(const at::Tensor& x) { return torch::leaky_relu(x, 0.2); }

class AddGcnHeadImpl : public HeadImpl {
 public:
  AddGcnHeadImpl(const HeadShape& shape, const AddGcnHeadParams& p, at::Generator& gen)
      : f_(shape.features), c_(shape.labels),
        d_(p.node_dim > 0 ? p.node_dim : std::max<int64_t>(1, shape.features / 2)) {
    fc_ = add_conv("fc", c_, f_, 2, false, gen);
    transform_ = add_conv("conv_transform", d_, f_, 2, true, gen);
    static_adj_ = add_conv("static_adj", c_, c_, 1, false, gen);
    static_weight_ = add_conv("static_weight", d_, d_, 1, true, gen);
    global_ = add_conv("conv_global", d_, d_, 1, true, gen);
    bn_ = register_module("bn_global", torch::nn::BatchNorm1d(d_));
    co_mat_ = add_conv("conv_create_co_mat", c_, 2 * d_, 1, true, gen);
    dynamic_ = add_conv("dynamic_weight", d_, d_, 1, true, gen);
    last_ = add_conv("last_linear", c_, d_, 1, true, gen);
  }

  struct Conv {
    at::Tensor weight, bias;
    at::Tensor operator()(const at::Tensor& x) const { return conv1x1(weight, bias, x); }
  };

  Conv add_conv(const std::string& name, int64_t out, int64_t in, int spatial, bool bias,
                at::Generator& gen) {
    auto module = register_module(name, std::make_shared<torch::nn::Module>(name));
    std::vector<int64_t> sizes = {out, in, 1};
    if (spatial == 2) sizes.push_back(1);
    Conv c;
    c.weight = module->register_parameter("weight", seeded_uniform(sizes, in, gen));
    if (bias) c.bias = module->register_parameter("bias", seeded_uniform({out}, in, gen));
    return c;
  }

  bool needs_map() const override { return true; }

  /// (s_m, s_r), each B x C.
  std::pair<at::Tensor, at::Tensor> scores(const at::Tensor& map) {
    const int64_t b = map.size(0);
    const at::Tensor m = map.flatten(2);                          // B x F x HW
    const at::Tensor cls = fc_(m);                                 // B x C x HW
    const at::Tensor s_m = std::get<0>(cls.max(-1));               // B x C
    const at::Tensor v = torch::matmul(transform_(m), torch::sigmoid(cls).transpose(1, 2));  // B x d' x C
    at::Tensor s = lrelu(static_adj_(v.transpose(1, 2)));          // B x C x d'
    s = lrelu(static_weight_(s.transpose(1, 2)));                  // B x d' x C
    at::Tensor x = v + s;
    at::Tensor g = global_(x.mean(-1, true));                      // B x d' x 1
    if (is_training() && b == 1)
      g = torch::batch_norm(g, bn_->weight, bn_->bias, bn_->running_mean, bn_->running_var,
                            false, 0.1, 1e-5, false);
    else
      g = norm(bn_, g);
    g = lrelu(g).expand({b, d_, c_});
    const at::Tensor a = torch::sigmoid(co_mat_(torch::cat({g, x}, 1)));  // B x C x C
    x = lrelu(dynamic_(lrelu(torch::matmul(x, a))));
    const at::Tensor z = v + x;                                    // B x d' x C
    // s_r,c = Σ_k W[c,k] z[b,k,c] + b_c: the diagonal of last_linear(z)
    const at::Tensor w = last_.weight.reshape({c_, d_});
    const at::Tensor s_r = (w.t().unsqueeze(0) * z).sum(1) + last_.bias;
    return {s_m, s_r};
  }

  at::Tensor forward(const BackboneOutput& x, at::Generator*) override {
    auto [s_m, s_r] = scores(x.map);
    return (s_m + s_r) / 2;
  }
  std::vector<at::Tensor> graph_parameters() override {
    std::vector<at::Tensor> out = {static_adj_.weight, static_weight_.weight, static_weight_.bias,
                                   global_.weight, global_.bias, co_mat_.weight, co_mat_.bias,
                                   dynamic_.weight, dynamic_.bias};
    for (const at::Tensor& t : bn_->parameters()) out.push_back(t);
    return out;
  }
  int64_t multiply_adds(int64_t batch, int64_t positions) const override {
    const int64_t per_image = c_ * f_ * positions + d_ * f_ * positions + d_ * positions * c_ +
                              c_ * c_ * d_ + d_ * d_ * c_ + d_ * d_ + c_ * 2 * d_ * c_ +
                              d_ * c_ * c_ + d_ * d_ * c_ + d_ * c_;
    return batch * per_image;
  }

 private:
  int64_t f_, c_, d_;
  Conv fc_, transform_, static_adj_, static_weight_, global_, co_mat_, dynamic_, last_;
  torch::nn::BatchNorm1d bn_{nullptr};
};

class AddGcnHead : public HeadFactory {
 public:
  explicit AddGcnHead(AddGcnHeadParams p) : p_(p) {}
  std::string name() const override { return "addgcn"; }
  bool needs_map() const override { return true; }
  std::shared_ptr<HeadImpl> make(const HeadShape& shape, const LabelSide&, at::Generator& gen,
                                 std::uint64_t) const override {
    return std::make_shared<AddGcnHeadImpl>(shape, p_, gen);
  }

 private:
  AddGcnHeadParams p_;
};

class AddGcn : public NetModel {
 public:
  using Params = AddGcnParams;
  explicit AddGcn(const Params& p)
      : NetModel(net_spec("addgcn", p), std::make_shared<AddGcnHead>(p.head)) {}
};

}  // namespace

void register_addgcn_head() {
  models::register_model<AddGcn>(
      "addgcn",
      "ADD-GCN: semantic attention, static and dynamic graph convolutions over class nodes (LibTorch; images)",
      /*reads_images=*/true);
}

}  // namespace lg::nets
