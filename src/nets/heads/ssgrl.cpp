// ssgrl: SSGRL (Chen et al., "Learning Semantic-Specific Graph Representation for Multi-Label
// Image Recognition", ICCV 2019; reference HCPLab-SYSU/SSGRL). Needs the spatial map M; X are the
// label inputs (C x E, word embeddings in the paper), A the label graph (default P(j | i)).
//   semantic decoupling: s_c,hw = fc_a(fc_3(tanh(fc_1(f_hw) ⊙ fc_2(x_c))))   (fc_1, fc_2 no bias)
//                        a_c = softmax over positions of s_c,  h0_c = Σ_hw a_c,hw f_hw
//   gated graph network, time_steps T:  av = [A h ; Aᵀ h]
//        z = σ(W3 av + U3 h), r = σ(W4 av + U4 h), ĥ = tanh(W5 av + U5 (r ⊙ h)),
//        h = (1 - z) ⊙ h + z ⊙ ĥ
//   o_c = tanh(fc_output([h_c ; h0_c])),  logit_c = w_c · o_c + b_c   (one classifier per class)
// reference_reset_gate = true reproduces the authors' code, whose reset gate uses U3 (U4 is
// then never used). The reference's extra 2 x 2 average pooling after the backbone is not applied:
// every head sees the same feature map. The gated graph network trains at lr_gcn.
#include <torch/torch.h>

#include <fmt/format.h>

#include "models/registry.hpp"
#include "nets/head.hpp"
#include "nets/heads/heads.hpp"
#include "nets/net_model.hpp"
#include "nets/tensor_convert.hpp"

namespace lg::nets {
namespace {

class SsgrlHeadImpl : public HeadImpl {
 public:
  SsgrlHeadImpl(const HeadShape& shape, const SsgrlHeadParams& p, const LabelSide& side,
                at::Generator& gen)
      : f_(shape.features), c_(shape.labels),
        a_(p.attention_dim > 0 ? p.attention_dim : std::max<int64_t>(1, shape.features / 2)),
        o_(p.output_dim > 0 ? p.output_dim : shape.features), p_(p) {
    const int64_t e = side.inputs.size(1);
    fc_1_ = register_module("fc_1", seeded_linear(f_, a_, gen, false));
    fc_2_ = register_module("fc_2", seeded_linear(e, a_, gen, false));
    fc_3_ = register_module("fc_3", seeded_linear(a_, a_, gen));
    fc_a_ = register_module("fc_a", seeded_linear(a_, 1, gen));
    for (const char* name : {"fc_eq3_w", "fc_eq3_u", "fc_eq4_w", "fc_eq4_u", "fc_eq5_w", "fc_eq5_u"}) {
      const bool w = std::string(name).back() == 'w';
      gates_.push_back(register_module(name, seeded_linear(w ? 2 * f_ : f_, f_, gen)));
    }
    fc_output_ = register_module("fc_output", seeded_linear(2 * f_, o_, gen));
    classifier_ = register_module("classifier", seeded_linear(o_, c_, gen));
    inputs_ = register_buffer("label_inputs", side.inputs);
    adjacency_ = register_buffer("adjacency", side.adjacency);
  }

  bool needs_map() const override { return true; }

  at::Tensor forward(const BackboneOutput& x, at::Generator*) override {
    const at::Tensor f = x.map.flatten(2).transpose(1, 2);                     // B x HW x F
    const at::Tensor p = fc_1_->forward(f);                                      // B x HW x a
    const at::Tensor q = fc_2_->forward(inputs_);                               // C x a
    const at::Tensor t = torch::tanh(p.unsqueeze(1) * q.unsqueeze(0).unsqueeze(2));  // B x C x HW x a
    const at::Tensor s = fc_a_->forward(fc_3_->forward(t)).squeeze(-1);         // B x C x HW
    const at::Tensor h0 = torch::matmul(torch::softmax(s, -1), f);               // B x C x F
    at::Tensor h = h0;
    const at::Tensor a_in = adjacency_, a_out = adjacency_.t();
    torch::nn::Linear &w3 = gates_[0], &u3 = gates_[1], &w4 = gates_[2], &u4 = gates_[3],
                      &w5 = gates_[4], &u5 = gates_[5];
    for (int step = 0; step < p_.time_steps; ++step) {
      const at::Tensor av = torch::cat({torch::matmul(a_in, h), torch::matmul(a_out, h)}, -1);
      const at::Tensor z = torch::sigmoid(w3->forward(av) + u3->forward(h));
      const at::Tensor r =
          torch::sigmoid(w4->forward(av) + (p_.reference_reset_gate ? u3 : u4)->forward(h));
      const at::Tensor hh = torch::tanh(w5->forward(av) + u5->forward(r * h));
      h = (1 - z) * h + z * hh;
    }
    const at::Tensor out = torch::tanh(fc_output_->forward(torch::cat({h, h0}, -1)));  // B x C x o
    return (out * classifier_->weight).sum(-1) + classifier_->bias;
  }
  std::vector<at::Tensor> graph_parameters() override {
    std::vector<at::Tensor> out;
    for (auto& g : gates_)
      for (const at::Tensor& t : g->parameters()) out.push_back(t);
    return out;
  }
  int64_t multiply_adds(int64_t batch, int64_t positions) const override {
    const int64_t e = inputs_.size(1);
    const int64_t per_image = positions * f_ * a_ + c_ * positions * (a_ * a_ + 2 * a_) +
                              c_ * positions * f_ +
                              p_.time_steps * (2 * c_ * c_ * f_ + 3 * c_ * 3 * f_ * f_) +
                              c_ * 2 * f_ * o_ + c_ * o_;
    return batch * per_image + c_ * e * a_;
  }

 private:

  int64_t f_, c_, a_, o_;
  SsgrlHeadParams p_;
  torch::nn::Linear fc_1_{nullptr}, fc_2_{nullptr}, fc_3_{nullptr}, fc_a_{nullptr};
  std::vector<torch::nn::Linear> gates_;
  torch::nn::Linear fc_output_{nullptr}, classifier_{nullptr};
  at::Tensor inputs_, adjacency_;
};

class SsgrlHead : public HeadFactory {
 public:
  SsgrlHead(LabelInputParams inputs, graph::LabelGraphSpec graph, SsgrlHeadParams p)
      : inputs_(std::move(inputs)), graph_(std::move(graph)), p_(p) {}
  std::string name() const override { return "ssgrl"; }
  bool needs_map() const override { return true; }
  LabelSide label_side(const Dataset& train, const Context& ctx,
                       std::vector<std::string>& notes) const override {
    LabelSide side;
    side.inputs = label_input_matrix(train, inputs_, graph_, ctx, notes);
    side.adjacency = to_tensor_f(label_graph_matrix(train, graph_, ctx, &notes));
    return side;
  }
  LabelSide empty_label_side(int64_t labels, int64_t input_dim) const override {
    return {torch::zeros({labels, input_dim}), torch::zeros({labels, labels}), {}};
  }
  std::shared_ptr<HeadImpl> make(const HeadShape& shape, const LabelSide& side, at::Generator& gen,
                                 std::uint64_t) const override {
    return std::make_shared<SsgrlHeadImpl>(shape, p_, side, gen);
  }

 private:
  LabelInputParams inputs_;
  graph::LabelGraphSpec graph_;
  SsgrlHeadParams p_;
};

class Ssgrl : public NetModel {
 public:
  using Params = SsgrlParams;
  explicit Ssgrl(const Params& p)
      : NetModel(net_spec("ssgrl", p), std::make_shared<SsgrlHead>(p.inputs, p.graph, p.head)) {}
};

}  // namespace

void register_ssgrl_head() {
  models::register_model<Ssgrl>(
      "ssgrl",
      "SSGRL: label-guided attention pooling + gated graph network over the label graph (LibTorch; images)",
      /*reads_images=*/true);
}

}  // namespace lg::nets
