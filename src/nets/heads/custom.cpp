// custom-head: bring your own head. `head = "torchscript:PATH"` names a module scripted in
// Python (torch.jit.script(...).save(PATH)) whose
//   forward(features, label_inputs, adjacency) -> logits
// takes features B x F (head_input = "pooled": the backbone's pooled features, or the MLP
// encoder's output on feature rows) or B x F x H x W (head_input = "map", images only),
// label_inputs C x E (label_inputs: one-hot, embeddings or spectral) and adjacency C x C (the
// `adjacency` graph with its propagation, default ML-GCN's matrix), all float32 on the
// training device, and returns B x C logits (sigmoid gives the scores). It is trained in the same
// harness as the built-in heads (loss, optimiser at lr, schedule, early stopping, checkpoints,
// which keep the module and its trained weights). A probe call with zeros checks the shapes
// before training; errors name the file.
#include <torch/script.h>
#include <torch/torch.h>

#include <fmt/format.h>


#include "core/error.hpp"
#include "core/file_text.hpp"
#include "models/registry.hpp"
#include "nets/head.hpp"
#include "nets/heads/heads.hpp"
#include "nets/net_model.hpp"
#include "nets/tensor_convert.hpp"

namespace lg::nets {
namespace {

std::string first_line(const std::exception& e) {
  std::string text = e.what();
  if (const auto* c10 = dynamic_cast<const c10::Error*>(&e)) text = c10->what_without_backtrace();
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  return last.empty() ? "(no message)" : last.substr(last.find_first_not_of(" \t"));
}

class CustomHeadImpl : public HeadImpl {
 public:
  CustomHeadImpl(const HeadShape& shape, const CustomHeadParams& p, const LabelSide& side,
                 std::string source)
      : f_(shape.features), c_(shape.labels), p_(p), source_(std::move(source)) {
    std::istringstream bytes(side.script);
    try {
      module_ = torch::jit::load(bytes, at::Device(at::kCPU));
    } catch (const std::exception& e) {
      throw Error(source_, 0, "not a readable TorchScript archive (torch::jit::load: " + first_line(e) + ")");
    }
    if (!module_.find_method("forward"))
      throw Error(source_, 0, "the TorchScript head has no forward method");
    inputs_ = register_buffer("label_inputs", side.inputs);
    adjacency_ = register_buffer("adjacency", side.adjacency);
    // The module's tensors, registered here too (the same tensors): the optimiser, device moves,
    // the state the checkpoints keep and the best epoch's snapshot see them.
    auto key = [](const char* kind, std::size_t k, std::string name) {
      for (char& ch : name)
        if (ch == '.') ch = '_';
      return fmt::format("script_{}{}_{}", kind, k, name);
    };
    std::size_t k = 0;
    for (const auto& item : module_.named_parameters(true))
      register_parameter(key("", k++, item.name), item.value);
    k = 0;
    for (const auto& item : module_.named_buffers(true))
      register_buffer(key("buffer", k++, item.name), item.value);
    // The probe: zeros of the real shapes, two rows.
    torch::NoGradGuard no_grad;
    module_.eval();
    const at::Tensor probe = p.head_input == "map" ? torch::zeros({2, f_, 3, 3}) : torch::zeros({2, f_});
    run(probe, "probe");
  }

  bool needs_map() const override { return p_.head_input == "map"; }

  at::Tensor run(const at::Tensor& features, const char* what) {
    c10::IValue out;
    try {
      out = module_.forward({features, inputs_, adjacency_});
    } catch (const std::exception& e) {
      throw Error(source_, 0, fmt::format("{}: forward(features {}, label_inputs {} x {}, adjacency "
                                          "{} x {}) failed: {}", what, shape_text(features),
                                          inputs_.size(0), inputs_.size(1), c_, c_, first_line(e)));
    }
    if (!out.isTensor())
      throw Error(source_, 0, fmt::format("{}: forward returned a {}, expected a B x C tensor of "
                                          "logits", what, out.tagKind()));
    const at::Tensor logits = out.toTensor();
    if (logits.dim() != 2 || logits.size(0) != features.size(0) || logits.size(1) != c_)
      throw Error(source_, 0, fmt::format("{}: forward returned {} for {} rows and {} labels; "
                                          "expected {} x {} logits", what, shape_text(logits),
                                          features.size(0), c_, features.size(0), c_));
    return logits;
  }

  at::Tensor forward(const BackboneOutput& x, at::Generator*) override {
    return run(needs_map() ? x.map : x.pooled, "forward");
  }
  void train(bool on) override {
    HeadImpl::train(on);
    module_.train(on);
  }
  std::string script_bytes() const override {
    std::ostringstream out;
    module_.save(out);
    return out.str();
  }
  int64_t multiply_adds(int64_t, int64_t) const override { return 0; }  // unknown

 private:
  static std::string shape_text(const at::Tensor& t) {
    std::string s;
    for (int64_t i = 0; i < t.dim(); ++i) s += (i ? " x " : "") + std::to_string(t.size(i));
    return s.empty() ? "a scalar" : s;
  }

  int64_t f_, c_;
  CustomHeadParams p_;
  std::string source_;
  torch::jit::Module module_;
  at::Tensor inputs_, adjacency_;
};

class CustomHead : public HeadFactory {
 public:
  CustomHead(LabelInputParams inputs, graph::LabelGraphSpec graph, CustomHeadParams p)
      : inputs_(std::move(inputs)), graph_(std::move(graph)), p_(std::move(p)) {}
  std::string name() const override { return "custom-head"; }
  bool needs_map() const override { return p_.head_input == "map"; }
  std::string path() const { return p_.head.substr(std::string("torchscript:").size()); }
  LabelSide label_side(const Dataset& train, const Context& ctx,
                       std::vector<std::string>& notes) const override {
    LabelSide side;
    try {
      side.script = read_file(path());
    } catch (const Error& e) {
      throw Error(e.file(), 0, e.message() + " (the TorchScript head: head = \"torchscript:PATH\")");
    }
    side.inputs = label_input_matrix(train, inputs_, graph_, ctx, notes);
    side.adjacency = to_tensor_f(label_graph_matrix(train, graph_, ctx, &notes));
    notes.push_back(fmt::format("TorchScript head {} on the {} features", path(), p_.head_input));
    return side;
  }
  LabelSide empty_label_side(int64_t labels, int64_t input_dim) const override {
    return {torch::zeros({labels, input_dim}), torch::zeros({labels, labels}), {}};
  }
  std::shared_ptr<HeadImpl> make(const HeadShape& shape, const LabelSide& side, at::Generator&,
                                 std::uint64_t) const override {
    if (side.script.empty()) throw Error(path(), 0, "the TorchScript head's module is missing");
    return std::make_shared<CustomHeadImpl>(shape, p_, side, path());
  }

 private:
  LabelInputParams inputs_;
  graph::LabelGraphSpec graph_;
  CustomHeadParams p_;
};

class CustomHeadModel : public NetModel {
 public:
  using Params = CustomHeadModelParams;
  explicit CustomHeadModel(const Params& p)
      : NetModel(net_spec("custom-head", p),
                 std::make_shared<CustomHead>(p.inputs, p.graph, p.head)) {}
};

}  // namespace

void register_custom_head() {
  models::register_model<CustomHeadModel>(
      "custom-head",
      "your own head: head = \"torchscript:PATH\", a module scripted in Python, forward(features, "
      "label_inputs, adjacency) -> logits, trained in the same harness (LibTorch; rows or images)",
      /*reads_images=*/true);
}

}  // namespace lg::nets
