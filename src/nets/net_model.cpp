#include "nets/net_model.hpp"

#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>
#include <Eigen/Core>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/random.hpp"
#include "data/image_batches.hpp"
#include "data/image_transforms.hpp"
#include "data/split.hpp"
#include "data/standardize.hpp"
#include "eval/measures.hpp"
#include "graph/cooccurrence.hpp"
#include "graph/spectral_embedding.hpp"
#include "graph/build_label_graph.hpp"
#include "graph/weighting.hpp"
#include "io/embeddings_reader.hpp"
#include "io/image_dataset.hpp"
#include "models/registry.hpp"
#include "nets/backbone.hpp"
#include "nets/gcn.hpp"
#include "nets/gradients.hpp"
#include "nets/losses.hpp"
#include "nets/tensor_convert.hpp"
#include "nets/thread_policy.hpp"
#include "nets/torchscript_backbone.hpp"

namespace lg::nets {
namespace {

constexpr const char* kCheckpointFormat = "labelgraph-net-checkpoint";
constexpr int kCheckpointVersion = 1;

// Seed streams of one training run (derive_seed(ctx.seed, stream)).
constexpr std::uint64_t kInitStream = 1;
constexpr std::uint64_t kValidationStream = 2;
constexpr std::uint64_t kAugmentStream = 3;   // then (epoch, batch): crops and flips
constexpr std::uint64_t kEpochStream = 1000;  // + epoch: row order and dropout of that epoch

/// Rows of `t` whose entries are uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn on the CPU
/// (LibTorch's default Linear initialisation, but from our generator).
void init_uniform(at::Tensor& t, double bound, at::Generator& gen) {
  torch::NoGradGuard no_grad;
  at::Tensor host = torch::empty(t.sizes(), torch::kFloat32);
  host.uniform_(-bound, bound, gen);
  t.copy_(host);
}

torch::Device parse_device(const std::string& name) {
  try {
    torch::Device device(name.empty() ? std::string("cpu") : name);
    if (device.is_cuda() && !torch::cuda::is_available())
      throw Error(fmt::format("device \"{}\" requested but this LibTorch ({}) sees no CUDA device",
                              name, torch_version()));
    return device;
  } catch (const c10::Error&) {
    throw Error(fmt::format("device \"{}\" is not a device (cpu, cuda, cuda:K)", name));
  }
}

/// The network: encoder (MLP) or backbone (CNN), then a head (mlp-br, cnn-br) or the label GCN
/// (mlgcn). `backbone` non-null: image input; `script` non-null: that backbone is a TorchScript
/// module (not a torch::nn::Module: kept beside the registered modules, saved separately).
struct NetworkImpl : torch::nn::Module {
  NetworkImpl(Index features, Index labels, const EncoderParams& encoder,
              const BackboneParams* backbone, std::shared_ptr<TorchScriptBackbone> script_module,
              const std::optional<GcnParams>& gcn_params, const at::Tensor& label_inputs,
              const at::Tensor& propagation, std::uint64_t seed)
      : dropout(encoder.dropout), script(std::move(script_module)) {
    at::Generator gen = at::detail::createCPUGenerator(seed);
    Index in = features;
    if (script) {
      in = script->feature_size();
    } else if (backbone) {
      BackboneOptions o;
      o.width = backbone->width;
      o.depth = backbone->depth;
      o.pooling = backbone->pooling;
      o.seed = derive_seed(seed, 11);
      cnn = register_module("cnn", SmallResNet(o));
      in = cnn->feature_size();
      // Channels-last (NHWC) convolutions, the default: 15-30% less time per step on the CPU
      // for the same arithmetic (bench/README.md, "bench/images"); batches are converted to
      // match. The backbone routes around the oneDNN kernel that corrupts memory in this layout.
      if (backbone->channels_last) {
        torch::NoGradGuard no_grad;
        for (at::Tensor& p : cnn->parameters())
          if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
      }
    }
    for (std::size_t k = 0; !backbone && !script && k < encoder.hidden.size(); ++k) {
      auto layer = register_module("enc" + std::to_string(k + 1),
                                   torch::nn::Linear(torch::nn::LinearOptions(in, encoder.hidden[k])));
      const double bound = 1.0 / std::sqrt(static_cast<double>(in));
      init_uniform(layer->weight, bound, gen);
      init_uniform(layer->bias, bound, gen);
      layers.push_back(layer);
      in = encoder.hidden[k];
    }
    const Index feature_size = in;
    if (!gcn_params) {
      head = register_module("head", torch::nn::Linear(torch::nn::LinearOptions(feature_size, labels)));
      const double bound = 1.0 / std::sqrt(static_cast<double>(feature_size));
      init_uniform(head->weight, bound, gen);
      init_uniform(head->bias, bound, gen);
      return;
    }
    LabelGcnOptions o;
    o.in_features = label_inputs.size(1);
    o.hidden_features = gcn_params->gcn_hidden;
    o.out_features = feature_size;
    o.depth = gcn_params->gcn_depth;
    o.seed = derive_seed(seed, 7);
    gcn = register_module("gcn", LabelGcn(o));
    inputs = register_buffer("label_inputs", label_inputs);
    adjacency = register_buffer("propagation", propagation);
    if (gcn_params->label_bias) bias = register_parameter("label_bias", torch::zeros({labels}));
  }

  /// f(x): the encoder's or the backbone's output. `dropout_gen` draws the encoder's masks in
  /// training mode.
  at::Tensor encode(at::Tensor x, at::Generator* dropout_gen) {
    if (script) return script->forward(x);
    if (cnn) return cnn->forward(x);
    for (auto& layer : layers) {
      x = torch::relu(layer->forward(x));
      if (is_training() && dropout > 0 && dropout_gen) {
        // mask / (1 - p) built in place, then one product (inverted dropout)
        at::Tensor keep = torch::empty(x.sizes(), torch::kFloat32).bernoulli_(1.0 - dropout, *dropout_gen);
        keep.div_(1.0 - dropout);
        x = x * (x.is_cpu() ? keep : keep.to(x.device()));
      }
    }
    return x;
  }

  /// The L x F classifier rows (Z for mlgcn, the head's weights for mlp-br).
  at::Tensor classifier() { return gcn ? gcn->forward(inputs, adjacency) : head->weight; }
  /// The per-label bias, or undefined.
  at::Tensor label_bias() { return gcn ? bias : head->bias; }

  at::Tensor logits(const at::Tensor& features, const at::Tensor& rows, const at::Tensor& b) {
    at::Tensor out = torch::matmul(features, rows.t());
    return b.defined() ? out + b : out;
  }

  at::Tensor forward(const at::Tensor& x, at::Generator* dropout_gen) {
    return logits(encode(x, dropout_gen), classifier(), label_bias());
  }

  /// Parameters trained at `lr` (encoder, head, label bias) and at `lr_gcn` (the GCN).
  void train(bool on = true) override {
    torch::nn::Module::train(on);
    if (script) script->train(on);  // ignored when frozen
  }
  void move_to(const torch::Device& device) {
    to(device);
    if (script) script->to(device);
  }

  /// Every trained parameter: the registered modules' and a fine-tuned TorchScript backbone's.
  std::vector<at::Tensor> all_parameters() {
    std::vector<at::Tensor> out = parameters();
    if (script && !script->frozen())
      for (const at::Tensor& p : script->parameters()) out.push_back(p);
    return out;
  }

  std::vector<at::Tensor> base_parameters() {
    std::vector<at::Tensor> out;
    if (script && !script->frozen())
      for (const at::Tensor& p : script->parameters()) out.push_back(p);
    if (cnn)
      for (auto& p : cnn->parameters()) out.push_back(p);
    for (auto& layer : layers)
      for (auto& p : layer->parameters()) out.push_back(p);
    if (head)
      for (auto& p : head->parameters()) out.push_back(p);
    if (bias.defined()) out.push_back(bias);
    return out;
  }
  std::vector<at::Tensor> gcn_parameters() { return gcn ? gcn->parameters() : std::vector<at::Tensor>{}; }

  double dropout;
  std::shared_ptr<TorchScriptBackbone> script;
  SmallResNet cnn{nullptr};
  std::vector<torch::nn::Linear> layers;
  torch::nn::Linear head{nullptr};
  LabelGcn gcn{nullptr};
  at::Tensor inputs, adjacency, bias;
};
TORCH_MODULE(Network);

std::string fingerprint(const Dataset& d) {
  // FNV-1a over shapes, labels and feature values: resuming on other data is refused.
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const void* data, std::size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ull;
  };
  const Index shape[3] = {d.rows(), d.num_features(), d.num_labels()};
  mix(shape, sizeof shape);
  mix(d.labels.data(), static_cast<std::size_t>(d.labels.size()));
  if (d.images) {  // which images, and their pixels (in memory) or file names
    mix(d.image_rows.data(), sizeof(Index) * d.image_rows.size());
    for (const Index r : d.image_rows) {
      const auto i = static_cast<std::size_t>(r);
      if (i < d.images->images.size()) {
        const Image& im = d.images->images[i];
        mix(im.pixels.data(), im.pixels.size());
      } else if (i < d.images->files.size()) {
        const std::string f = d.images->files[i].string();
        mix(f.data(), f.size());
      }
    }
  }
  if (d.sparse) {
    mix(d.csr.valuePtr(), sizeof(float) * static_cast<std::size_t>(d.csr.nonZeros()));
    mix(d.csr.innerIndexPtr(), sizeof(Index) * static_cast<std::size_t>(d.csr.nonZeros()));
  } else {
    mix(d.dense.data(), sizeof(float) * static_cast<std::size_t>(d.dense.size()));
  }
  return fmt::format("{:016x}", h);
}

at::Tensor features_tensor(const Dataset& d) {
  if (!d.sparse) return to_tensor(d.dense);
  return to_tensor(DenseFeatures(d.csr));
}

at::Tensor to_tensor_f(const Eigen::MatrixXd& m) {
  at::Tensor t = torch::empty({m.rows(), m.cols()}, torch::kFloat32);
  auto a = t.accessor<float, 2>();
  for (Index i = 0; i < m.rows(); ++i)
    for (Index j = 0; j < m.cols(); ++j) a[i][j] = static_cast<float>(m(i, j));
  return t;
}

at::Tensor label_input_matrix(const Dataset& train, const GcnParams& g, const Context& ctx,
                              std::vector<std::string>& notes) {
  const Index labels = train.num_labels();
  if (g.label_inputs == "one-hot") return torch::eye(labels, torch::kFloat32);
  if (g.label_inputs == "embeddings") {
    EmbeddingsNotes en;
    const Eigen::MatrixXf e = read_label_embeddings(g.embeddings, train.label_names, &en);
    for (const std::string& n : en.notes) notes.push_back(n);
    at::Tensor t = torch::empty({e.rows(), e.cols()}, torch::kFloat32);
    auto a = t.accessor<float, 2>();
    for (Index i = 0; i < e.rows(); ++i)
      for (Index j = 0; j < e.cols(); ++j) a[i][j] = e(i, j);
    return t;
  }
  // spectral
  // The spectral_weighting builder with the GCN graph's tau and p, no post-steps.
  graph::LabelGraphSpec spec;
  spec.weighting = g.spectral_weighting;
  spec.tau = g.graph.tau;
  spec.p = g.graph.p;
  const Adjacency a = graph::build_label_graph(train.labels, train.label_names, spec, ctx).weights;
  // At most one less than the labels that have an edge (spectral_embedding's limit).
  Index connected = 0;
  for (Index i = 0; i < a.rows(); ++i) {
    bool edge = false;
    for (Index j = 0; j < a.cols(); ++j) edge = edge || (i != j && (a(i, j) > 0 || a(j, i) > 0));
    connected += edge;
  }
  if (connected < 2)
    throw Error(fmt::format("label_inputs = \"spectral\": the {} graph of the training labels has "
                            "{} labels with an edge; at least 2 are needed",
                            g.spectral_weighting, connected));
  const int dims = static_cast<int>(std::min<Index>(g.spectral_dims, connected - 1));
  if (dims < g.spectral_dims)
    notes.push_back(fmt::format("spectral_dims {} capped at {} (labels with an edge - 1)",
                                g.spectral_dims, dims));
  graph::SpectralNotes sn;
  const Eigen::MatrixXd e = graph::spectral_embedding(a, dims, &sn);
  for (const std::string& n : sn.notes) notes.push_back(n);
  return to_tensor_f(e);
}

LossSpec loss_spec(const TrainParams& t) {
  LossSpec s;
  s.name = t.loss;
  s.gamma = t.focal_gamma;
  if (t.focal_alpha >= 0) s.alpha = t.focal_alpha;
  s.gamma_neg = t.asl_gamma_neg;
  s.gamma_pos = t.asl_gamma_pos;
  s.clip = t.asl_clip;
  return s;
}

double schedule_factor(const TrainParams& t, int epoch /* 0-based */) {
  if (t.schedule == "step") return std::pow(t.step_gamma, epoch / t.step_size);
  if (t.schedule == "cosine")
    return 0.5 * (1.0 + std::cos(M_PI * static_cast<double>(epoch) / t.epochs));
  return 1.0;
}

/// LibTorch's Adam / AdamW with the update of each parameter done in one pass over memory.
/// LibTorch 1.13's step() runs about six kernels per parameter, each with a temporary; on
/// small networks that was the largest cost after the matrix products (bench/README.md,
/// "bench/nets"). Same arithmetic (float, torch's order of operations), same state objects,
/// so checkpoints are those of torch::optim::Adam(W). Parameters that are not contiguous CPU
/// float tensors (e.g. on a GPU), and amsgrad, take LibTorch's own step.
template <class Base, class Options, class ParamState, bool kDecoupled>
class FusedAdam : public Base {
 public:
  using Base::Base;

  /// One pass over raw memory is right when the parameter, its gradient and its moments are
  /// dense CPU floats laid out alike (plain or channels-last).
  bool fusable(const at::Tensor& p) {
    if (!(p.is_cpu() && p.scalar_type() == torch::kFloat32 && p.is_non_overlapping_and_dense() &&
          p.grad().strides() == p.strides()))
      return false;
    auto it = this->state_.find(c10::guts::to_string(p.unsafeGetTensorImpl()));
    if (it == this->state_.end()) return true;
    const auto& state = static_cast<const ParamState&>(*it->second);
    return state.exp_avg().strides() == p.strides() && state.exp_avg_sq().strides() == p.strides();
  }

  at::Tensor step(torch::optim::Optimizer::LossClosure closure = nullptr) override {
    for (auto& group : this->param_groups()) {
      if (static_cast<const Options&>(group.options()).amsgrad()) return Base::step(closure);
      for (const at::Tensor& p : group.params())
        if (p.grad().defined() && !fusable(p)) return Base::step(closure);
    }
    torch::NoGradGuard no_grad;
    at::Tensor loss;
    if (closure) {
      at::AutoGradMode enable(true);
      loss = closure();
    }
    for (auto& group : this->param_groups()) {
      const auto& o = static_cast<const Options&>(group.options());
      const float beta1 = static_cast<float>(std::get<0>(o.betas()));
      const float beta2 = static_cast<float>(std::get<1>(o.betas()));
      const float eps = static_cast<float>(o.eps()), lr = static_cast<float>(o.lr());
      const float decay = static_cast<float>(o.weight_decay());
      for (at::Tensor& p : group.params()) {
        if (!p.grad().defined()) continue;
        const std::string key = c10::guts::to_string(p.unsafeGetTensorImpl());
        auto it = this->state_.find(key);
        if (it == this->state_.end()) {
          auto fresh = std::make_unique<ParamState>();
          fresh->step(0);
          fresh->exp_avg(torch::zeros_like(p, at::MemoryFormat::Preserve));
          fresh->exp_avg_sq(torch::zeros_like(p, at::MemoryFormat::Preserve));
          it = this->state_.emplace(key, std::move(fresh)).first;
        }
        auto& state = static_cast<ParamState&>(*it->second);
        state.step(state.step() + 1);
        const double bias1 = 1 - std::pow(std::get<0>(o.betas()), state.step());
        const double bias2 = 1 - std::pow(std::get<1>(o.betas()), state.step());
        const float step_size = static_cast<float>(o.lr() / bias1);
        const float sqrt_bias2 = static_cast<float>(std::sqrt(bias2));
        // Eigen arrays: vectorised (std::sqrt in a plain loop is not, because of errno).
        using Array = Eigen::Map<Eigen::ArrayXf>;
        const int64_t n = p.numel();
        Array w(p.data_ptr<float>(), n);
        Array m(state.exp_avg().template data_ptr<float>(), n);
        Array v(state.exp_avg_sq().template data_ptr<float>(), n);
        const Eigen::Map<const Eigen::ArrayXf> g(p.grad().data_ptr<float>(), n);
        if constexpr (kDecoupled) {
          w *= 1 - lr * decay;
          m = m * beta1 + (1 - beta1) * g;
          v = v * beta2 + (1 - beta2) * g.square();
        } else {
          m = m * beta1 + (1 - beta1) * (g + decay * w);
          v = v * beta2 + (1 - beta2) * (g + decay * w).square();
        }
        w -= step_size * (m / (v.sqrt() / sqrt_bias2 + eps));
      }
    }
    return loss;
  }
};
using FusedAdamOptimizer = FusedAdam<torch::optim::Adam, torch::optim::AdamOptions,
                                     torch::optim::AdamParamState, false>;
using FusedAdamWOptimizer = FusedAdam<torch::optim::AdamW, torch::optim::AdamWOptions,
                                      torch::optim::AdamWParamState, true>;

template <class Options>
std::unique_ptr<torch::optim::Optimizer> make_optimizer_of(std::vector<at::Tensor> base,
                                                           std::vector<at::Tensor> gcn,
                                                           const Options& base_options,
                                                           const Options& gcn_options) {
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::move(base), std::make_unique<Options>(base_options));
  if (!gcn.empty()) groups.emplace_back(std::move(gcn), std::make_unique<Options>(gcn_options));
  if constexpr (std::is_same_v<Options, torch::optim::SGDOptions>)
    return std::make_unique<torch::optim::SGD>(std::move(groups), base_options);
  else if constexpr (std::is_same_v<Options, torch::optim::AdamOptions>)
    return std::make_unique<FusedAdamOptimizer>(std::move(groups), base_options);
  else
    return std::make_unique<FusedAdamWOptimizer>(std::move(groups), base_options);
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(Network& net, const TrainParams& t) {
  const double lr_gcn = t.lr_gcn > 0 ? t.lr_gcn : t.lr;
  if (t.optimizer == "sgd")
    return make_optimizer_of(net->base_parameters(), net->gcn_parameters(),
                             torch::optim::SGDOptions(t.lr).momentum(t.momentum).weight_decay(t.weight_decay),
                             torch::optim::SGDOptions(lr_gcn).momentum(t.momentum).weight_decay(t.weight_decay));
  if (t.optimizer == "adam")
    return make_optimizer_of(net->base_parameters(), net->gcn_parameters(),
                             torch::optim::AdamOptions(t.lr).weight_decay(t.weight_decay),
                             torch::optim::AdamOptions(lr_gcn).weight_decay(t.weight_decay));
  return make_optimizer_of(net->base_parameters(), net->gcn_parameters(),
                           torch::optim::AdamWOptions(t.lr).weight_decay(t.weight_decay),
                           torch::optim::AdamWOptions(lr_gcn).weight_decay(t.weight_decay));
}

/// Moment buffers follow their parameters to `device` (LibTorch's load() keeps them where the
/// archive put them: on the CPU).
void move_optimizer_state(torch::optim::Optimizer& optimizer, const torch::Device& device) {
  auto move = [&device](const at::Tensor& t) { return t.defined() ? t.to(device) : t; };
  for (auto& entry : optimizer.state()) {
    torch::optim::OptimizerParamState* state = entry.second.get();
    if (auto* adam = dynamic_cast<torch::optim::AdamParamState*>(state)) {
      adam->exp_avg(move(adam->exp_avg()));
      adam->exp_avg_sq(move(adam->exp_avg_sq()));
      adam->max_exp_avg_sq(move(adam->max_exp_avg_sq()));
    } else if (auto* adamw = dynamic_cast<torch::optim::AdamWParamState*>(state)) {
      adamw->exp_avg(move(adamw->exp_avg()));
      adamw->exp_avg_sq(move(adamw->exp_avg_sq()));
      adamw->max_exp_avg_sq(move(adamw->max_exp_avg_sq()));
    } else if (auto* sgd = dynamic_cast<torch::optim::SGDParamState*>(state)) {
      sgd->momentum_buffer(move(sgd->momentum_buffer()));
    }
  }
}

nlohmann::json history_json(const report::TrainingHistory& h) {
  nlohmann::json epochs = nlohmann::json::array();
  auto num = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
  for (const report::EpochRecord& e : h.epochs)
    epochs.push_back({{"epoch", e.epoch}, {"train_loss", e.train_loss},
                      {"validation_loss", num(e.validation_loss)},
                      {"validation_map", num(e.validation_map)},
                      {"learning_rate", e.learning_rate}, {"seconds", e.seconds}});
  return {{"epochs", epochs}, {"best_epoch", h.best_epoch}, {"stop_reason", h.stop_reason}};
}

report::TrainingHistory history_from_json(const nlohmann::json& j) {
  report::TrainingHistory h;
  auto num = [](const nlohmann::json& v) {
    return v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>();
  };
  for (const auto& e : j.at("epochs"))
    h.epochs.push_back({e.at("epoch").get<int>(), e.at("train_loss").get<double>(),
                        num(e.at("validation_loss")), num(e.at("validation_map")),
                        e.at("learning_rate").get<double>(), e.at("seconds").get<double>()});
  h.best_epoch = j.at("best_epoch").get<int>();
  h.stop_reason = j.at("stop_reason").get<std::string>();
  return h;
}

std::string params_text(const std::string& algorithm, const EncoderParams& e, const TrainParams& t,
                        const std::optional<GcnParams>& g, const std::optional<BackboneParams>& b) {
  std::ostringstream out;
  if (algorithm == "mlgcn") out << models::params_to_toml(MlGcnParams{e, *b, *g, t});
  else if (algorithm == "cnn-br") out << models::params_to_toml(CnnBrParams{*b, t});
  else out << models::params_to_toml(MlpBrParams{e, t});
  return out.str();
}

/// What the network sees of an image in training (random crop / flip when augmenting) and in
/// evaluation (the centre).
ImageTransform image_transform(const BackboneParams& b, bool training) {
  ImageTransform t;
  t.size = b.image_size;
  t.resize = b.resize > 0 ? b.resize : b.image_size;
  t.random_crop = training && b.augment && t.resize > t.size;
  t.random_flip = training && b.augment;
  return t;
}

TorchScriptOptions script_options(const BackboneParams& b) {
  TorchScriptOptions o;
  o.pooling = b.pooling;
  o.probe_size = b.image_size;
  o.frozen = b.freeze;
  return o;
}

/// One prepared batch as an N x 3 x S x S tensor (a copy: the loader reuses its buffer), in
/// the convolutions' layout.
at::Tensor batch_tensor(const ImageBatch& batch, int size, bool channels_last) {
  const auto n = static_cast<int64_t>(batch.rows.size());
  const at::Tensor view = torch::from_blob(const_cast<float*>(batch.pixels.data()),
                                           {n, 3, size, size}, torch::kFloat32);
  return channels_last ? view.contiguous(at::MemoryFormat::ChannelsLast) : view.clone();
}

}  // namespace

Adjacency gcn_propagation(const Dataset& train, const GcnParams& g, const Context& ctx,
                          std::vector<std::string>* notes) {
  const graph::BuiltLabelGraph built =
      graph::build_label_graph(train.labels, train.label_names, g.graph, ctx);
  if (notes) {
    const std::string& w = g.graph.weighting;
    notes->push_back(fmt::format("adjacency {} ({} edges{}), propagation {}", w, built.notes.edges,
                                 w.rfind("mlgcn-", 0) == 0 ? fmt::format(", tau {}", g.graph.tau) : "",
                                 built.propagation));
    for (const std::string& n : built.notes.notes) notes->push_back(n);
  }
  return built.propagation_matrix();
}

struct NetModel::State {
  torch::Device device{torch::kCPU};
  Network net{nullptr};
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  at::Tensor mean, scale;  // standardisation (on device); undefined = none
  std::vector<std::string> label_names, feature_names;
  Index label_input_dim = 0;
  std::uint64_t seed = 0;
  std::string data_fingerprint;
  int epoch = 0;              // finished epochs
  bool finished = false;
  double best_map = -1.0;
  int best_epoch = 0;
  int epochs_without_gain = 0;
  std::vector<at::Tensor> best_weights;  // parameters at the best epoch (on the CPU)
  report::TrainingHistory history;
  std::vector<std::string> notes;
  bool image_input = false;               // the network reads images (a backbone), not rows
  bool channels_last = false;             // batches in NHWC for a channels-last backbone
  ImageTransform train_transform, eval_transform;

  at::Tensor prepare(const Dataset& d) const {
    at::Tensor x = features_tensor(d).to(device);
    if (mean.defined()) x = (x - mean) / scale;
    return x;
  }

  /// f(x) for every row of `d` in eval mode (centre crops, no dropout), N x F on the device.
  /// Chunks bound the memory of the inputs and the activations; images are prepared on the
  /// loader's worker thread while the network encodes the previous chunk.
  at::Tensor encoded(const Dataset& d, int threads) const {
    torch::NoGradGuard no_grad;
    Network module = net;  // the holder is const here, the module's forward is not
    module->eval();
    std::vector<at::Tensor> parts;
    if (image_input) {
      ImageBatchLoader loader(*d.images, 0);
      loader.start(d.image_rows, 128, eval_transform, 0, threads > 1 ? threads - 1 : 1);
      while (const ImageBatch* batch = loader.next())
        parts.push_back(module->encode(batch_tensor(*batch, eval_transform.size, channels_last).to(device), nullptr));
      // No rows: an empty 0 x F block, so the logits are 0 x L as for feature data.
      return parts.empty() ? torch::zeros({0, module->classifier().size(1)}, torch::kFloat32).to(device)
                           : torch::cat(parts);
    }
    if (d.rows() <= 8192) return module->encode(prepare(d), nullptr);
    constexpr Index kChunk = 8192;
    for (Index first = 0; first < d.rows(); first += kChunk) {
      std::vector<Index> rows(static_cast<std::size_t>(std::min(kChunk, d.rows() - first)));
      for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = first + static_cast<Index>(i);
      parts.push_back(module->encode(prepare(select_rows(d, rows)), nullptr));
    }
    return torch::cat(parts);
  }
};

NetModel::NetModel(std::string algorithm, EncoderParams encoder, TrainParams train,
                   std::optional<GcnParams> gcn, std::optional<BackboneParams> backbone)
    : algorithm_(std::move(algorithm)),
      encoder_(std::move(encoder)),
      train_(std::move(train)),
      gcn_(std::move(gcn)),
      backbone_(std::move(backbone)) {}

void NetModel::check_input_kind(const Dataset& data) const {
  if (data.has_images() && !backbone_)
    throw Error(fmt::format("{} reads feature rows, and '{}' is an image data set: use cnn-br or "
                            "mlgcn (a CNN backbone), or fit {} on a network's features",
                            algorithm_, data.name, algorithm_));
  if (!data.has_images() && algorithm_ == "cnn-br")
    throw Error(fmt::format("cnn-br reads images, and '{}' has feature rows: use mlp-br or mlgcn",
                            data.name));
}

NetModel::~NetModel() = default;

const report::TrainingHistory* NetModel::training_history() const {
  return state_ ? &state_->history : nullptr;
}

void NetModel::fit(const Dataset& train_data, const Context& ctx) { train(train_data, ctx, {}); }

void NetModel::train(const Dataset& data, const Context& ctx, const TrainSession& session) {
  data.check_consistent();
  check_input_kind(data);
  if (data.rows() < 2) throw Error(fmt::format("{}: needs at least 2 training rows, got {}", algorithm_, data.rows()));
  if (data.num_labels() < 1) throw Error(fmt::format("{}: the training set has no labels", algorithm_));
  configure_torch(ctx);
  const std::string resolved_params = params_text(algorithm_, encoder_, train_, gcn_, backbone_);

  if (!session.resume.empty()) {
    std::unique_ptr<NetModel> saved = load(session.resume);
    const std::string file = session.resume.string();
    if (saved->algorithm_ != algorithm_ ||
        params_text(saved->algorithm_, saved->encoder_, saved->train_, saved->gcn_, saved->backbone_) != resolved_params)
      throw Error(file, 0, fmt::format("the checkpoint is of {} with other parameters than this "
                                       "config's {}: resume with the config it was trained with",
                                       saved->algorithm_, algorithm_));
    if (saved->state_->data_fingerprint != fingerprint(data))
      throw Error(file, 0, "the checkpoint was trained on other data (rows, features or labels differ)");
    if (saved->state_->seed != ctx.seed)
      throw Error(file, 0, fmt::format("the checkpoint was trained with seed {}, this run has seed {}",
                                       saved->state_->seed, ctx.seed));
    state_ = std::move(saved->state_);
    notes_ = state_->notes;
    const torch::Device device = parse_device(ctx.device);
    if (device != state_->device) {
      state_->net->move_to(device);
      state_->device = device;
      if (state_->mean.defined()) {
        state_->mean = state_->mean.to(device);
        state_->scale = state_->scale.to(device);
      }
      move_optimizer_state(*state_->optimizer, device);
    }
  } else {
    notes_.clear();
    state_ = std::make_unique<State>();
    State& s = *state_;
    s.device = parse_device(ctx.device);
    s.seed = ctx.seed;
    s.data_fingerprint = fingerprint(data);
    s.label_names = data.label_names;
    s.feature_names = data.feature_names;
    s.image_input = data.has_images();
    if (s.image_input) {
      s.channels_last = backbone_->channels_last && backbone_->torchscript_path().empty();
      s.train_transform = image_transform(*backbone_, true);
      s.eval_transform = image_transform(*backbone_, false);
      s.notes.push_back(fmt::format("{} backbone (width {}, depth {}, {} pooling) on {}x{} images{}",
                                    backbone_->backbone, backbone_->width, backbone_->depth,
                                    backbone_->pooling, backbone_->image_size,
                                    backbone_->image_size,
                                    !backbone_->augment ? ""
                                    : s.train_transform.random_crop ? ", random crops and flips"
                                                                    : ", random flips"));
      const EncoderParams unset;
      if (gcn_ && (encoder_.hidden != unset.hidden || encoder_.dropout != unset.dropout ||
                   encoder_.standardize != unset.standardize))
        s.notes.push_back("on images the backbone replaces the MLP encoder: hidden, dropout and "
                          "standardize are not used");
    } else if (encoder_.standardize) {
      const Standardizer st = Standardizer::fit(data);
      s.mean = to_tensor_f(st.mean.transpose()).to(s.device);
      s.scale = to_tensor_f(st.scale.transpose()).to(s.device);
    }
    at::Tensor inputs, propagation;
    if (gcn_) {
      inputs = label_input_matrix(data, *gcn_, ctx, s.notes);
      propagation = to_tensor_f(gcn_propagation(data, *gcn_, ctx, &s.notes));
      s.label_input_dim = inputs.size(1);
    }
    std::shared_ptr<TorchScriptBackbone> script;
    if (s.image_input && !backbone_->torchscript_path().empty()) {
      script = std::make_shared<TorchScriptBackbone>(backbone_->torchscript_path(),
                                                     script_options(*backbone_));
      s.notes.push_back(fmt::format("TorchScript backbone {}: {} features{}",
                                    backbone_->torchscript_path(), script->feature_size(),
                                    backbone_->freeze ? ", frozen (computed once)" : ", fine-tuned"));
    }
    s.net = Network(data.num_features(), data.num_labels(), encoder_,
                    s.image_input ? &*backbone_ : nullptr, script, gcn_, inputs, propagation,
                    derive_seed(ctx.seed, kInitStream));
    s.net->move_to(s.device);
    s.optimizer = make_optimizer(s.net, train_);
    if (data.sparse)
      s.notes.push_back("sparse features are densified for the network");
    notes_ = s.notes;
  }
  State& s = *state_;
  if (s.finished) return;
  // Small feature-data networks train faster on one thread (nets/thread_policy.hpp); the guard
  // gives LibTorch the context's count back when train() ends, also on an exception.
  const int requested_threads = ctx.resolved_threads();
  const std::int64_t step_work = step_multiply_adds(StepShape{
      std::min<Index>(train_.batch_size, data.rows()), data.num_features(), encoder_.hidden,
      data.num_labels(), gcn_ ? s.label_input_dim : 0, gcn_ ? gcn_->gcn_hidden : 0,
      gcn_ ? gcn_->gcn_depth : 0});
  const int loop_threads = s.device.is_cpu()
      ? training_threads(step_work, requested_threads, s.image_input) : requested_threads;
  const TorchThreadsGuard loop_threads_guard(loop_threads);
  const FlushDenormalsGuard flush_denormals;  // after the thread count: new threads get it too
  if (loop_threads < requested_threads)
    notes_.push_back(thread_policy_note(loop_threads, requested_threads, step_work));

  // The validation split is drawn from the seed alone, so a resumed run gets the same one.
  std::vector<Index> fit_rows, validation_rows;
  if (train_.validation_fraction > 0) {
    SplitSpec holdout;
    holdout.method = "holdout";
    holdout.test_fraction = train_.validation_fraction;
    const std::vector<Fold> parts = folds_from_assignment(
        assign_folds(data.labels, holdout, derive_seed(ctx.seed, kValidationStream)), 1);
    fit_rows = parts[0].train;
    validation_rows = parts[0].test;
  } else {
    fit_rows.resize(static_cast<std::size_t>(data.rows()));
    for (Index i = 0; i < data.rows(); ++i) fit_rows[static_cast<std::size_t>(i)] = i;
  }
  const Dataset fit_part = select_rows(data, fit_rows);
  const at::Tensor x = s.image_input ? at::Tensor() : s.prepare(fit_part);
  const at::Tensor y = labels_to_tensor(fit_part.labels).to(s.device);
  const int threads = ctx.resolved_threads();
  Dataset validation;
  at::Tensor yv;
  if (!validation_rows.empty()) {
    validation = select_rows(data, validation_rows);
    yv = labels_to_tensor(validation.labels).to(s.device);
  }
  const LossSpec loss = loss_spec(train_);
  const at::Tensor pos_weight =
      train_.loss == "weighted-bce" ? pos_weight_from_labels(fit_part.labels).to(s.device) : at::Tensor();
  const double lr_gcn = train_.lr_gcn > 0 ? train_.lr_gcn : train_.lr;
  const std::vector<double> base_lr = {train_.lr, lr_gcn};

  std::unique_ptr<ProgressBar> bar;
  if (session.progress) {
    bar = std::make_unique<ProgressBar>("train " + algorithm_, static_cast<std::uint64_t>(train_.epochs));
    bar->set(static_cast<std::uint64_t>(s.epoch));
  }
  const Index n = fit_part.rows();
  const Index batch = train_.batch_size;
  std::vector<at::Tensor> params = s.net->all_parameters();
  // The best epoch's weights include the buffers (batch-norm running statistics) after them;
  // checkpoints of feature models written before images existed hold the parameters only.
  std::vector<at::Tensor> snapshot = params;
  for (const at::Tensor& b : s.net->buffers()) snapshot.push_back(b);
  // Images: the next batches are decoded and transformed on a worker thread while the network
  // trains on this one; decoded, resized files stay in the cache across epochs.
  // A frozen (pretrained) backbone computes every row's features once instead.
  const bool frozen = s.net->script && s.net->script->frozen();
  std::unique_ptr<ImageBatchLoader> loader;
  if (s.image_input && !frozen)
    loader = std::make_unique<ImageBatchLoader>(
        *data.images, static_cast<std::size_t>(backbone_->cache_mb) << 20);
  at::Tensor cached, cached_validation;
  if (frozen) {
    cached = s.encoded(fit_part, threads);
    if (yv.defined()) cached_validation = s.encoded(validation, threads);
  }

  while (s.epoch < train_.epochs) {
    const auto start = std::chrono::steady_clock::now();
    const int e = s.epoch;  // 0-based epoch being trained
    const double factor = schedule_factor(train_, e);
    auto& groups = s.optimizer->param_groups();
    for (std::size_t g = 0; g < groups.size(); ++g) groups[g].options().set_lr(base_lr[g] * factor);

    Random order_rng(derive_seed(ctx.seed, kEpochStream + 2 * static_cast<std::uint64_t>(e)));
    at::Generator dropout_gen =
        at::detail::createCPUGenerator(derive_seed(ctx.seed, kEpochStream + 2 * static_cast<std::uint64_t>(e) + 1));
    std::vector<std::int64_t> order(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
    order_rng.shuffle(order);
    const at::Tensor order_t = torch::from_blob(order.data(), {n}, torch::kInt64).to(s.device);

    const std::uint64_t augment_seed = derive_seed(derive_seed(ctx.seed, kAugmentStream),
                                                   static_cast<std::uint64_t>(e));
    if (loader) {
      std::vector<Index> epoch_rows;
      epoch_rows.reserve(order.size());
      for (const std::int64_t r : order) epoch_rows.push_back(fit_part.image_rows[static_cast<std::size_t>(r)]);
      loader->start(std::move(epoch_rows), batch, s.train_transform, augment_seed, 1);
    }
    s.net->train();
    double loss_sum = 0;
    for (Index first = 0; first < n; first += batch) {
      const Index size = std::min(batch, n - first);
      const at::Tensor rows = order_t.narrow(0, first, size);
      at::Tensor xb;
      if (frozen) {
        xb = cached.index_select(0, rows);
      } else if (loader) {
        const ImageBatch* prepared = loader->next();
        if (!prepared) throw Error(algorithm_ + ": the image loader ended early");  // a bug if seen
        xb = batch_tensor(*prepared, s.train_transform.size, s.channels_last).to(s.device);
      } else {
        xb = x.index_select(0, rows);
      }
      const at::Tensor yb = y.index_select(0, rows);
      drop_gradients(params);
      const at::Tensor logits =
          frozen ? s.net->logits(xb, s.net->classifier(), s.net->label_bias())
                 : s.net->forward(xb, &dropout_gen);
      const at::Tensor l = multilabel_loss(logits, yb, loss, pos_weight);
      l.backward();
      if (train_.clip_grad_norm > 0) clip_gradients(params, train_.clip_grad_norm);
      s.optimizer->step();
      loss_sum += l.item<double>() * static_cast<double>(size);
    }

    report::EpochRecord record;
    record.epoch = e + 1;
    record.train_loss = loss_sum / static_cast<double>(n);
    record.learning_rate = train_.lr * factor;
    if (yv.defined()) {
      torch::NoGradGuard no_grad;
      const at::Tensor logits =
          s.net->logits(frozen ? cached_validation : s.encoded(validation, threads),
                        s.net->classifier(), s.net->label_bias());
      record.validation_loss = multilabel_loss(logits, yv, loss, pos_weight).item<double>();
      const ScoreMatrix scores = to_matrix(torch::sigmoid(logits));
      const LabelMatrix predicted = (scores.array() >= 0.5f).cast<std::uint8_t>();
      eval::MeasureOptions mo;
      mo.threads = 1;
      record.validation_map = eval::evaluate(validation.labels, scores, predicted, mo).get("mAP");
    }
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    s.history.epochs.push_back(record);
    s.epoch = e + 1;

    if (yv.defined()) {
      if (record.validation_map > s.best_map) {
        s.best_map = record.validation_map;
        s.best_epoch = s.epoch;
        s.epochs_without_gain = 0;
        s.best_weights.clear();
        for (const at::Tensor& p : snapshot) s.best_weights.push_back(p.detach().to(torch::kCPU).clone());
      } else {
        ++s.epochs_without_gain;
      }
      if (train_.patience > 0 && s.epochs_without_gain >= train_.patience) {
        s.finished = true;
        s.history.stop_reason = fmt::format("early stopping at epoch {}: no better validation mAP "
                                            "for {} epochs", s.epoch, train_.patience);
      }
    }
    if (s.epoch == train_.epochs && !s.finished) {
      s.finished = true;
      s.history.stop_reason = fmt::format("max epochs ({})", train_.epochs);
    }
    if (s.finished && yv.defined() && train_.restore_best && !s.best_weights.empty()) {
      torch::NoGradGuard no_grad;
      for (std::size_t k = 0; k < std::min(snapshot.size(), s.best_weights.size()); ++k)
        snapshot[k].copy_(s.best_weights[k]);
      s.history.best_epoch = s.best_epoch;
    }
    if (bar) {
      bar->set(static_cast<std::uint64_t>(s.epoch));
      bar->status(yv.defined() ? fmt::format("loss {:.4f}  val mAP {:.4f}", record.train_loss, record.validation_map)
                               : fmt::format("loss {:.4f}", record.train_loss));
    }
    const bool checkpoint_now =
        session.checkpoint_every > 0 && !session.checkpoint_dir.empty() &&
        (s.epoch % session.checkpoint_every == 0 || s.finished);
    if (checkpoint_now)
      save(session.checkpoint_dir / fmt::format("checkpoint-epoch-{:03}.pt", s.epoch));
    if (!std::isfinite(record.train_loss))
      throw Error(fmt::format("{}: the training loss became {} in epoch {} (lower lr, or set "
                              "clip_grad_norm)", algorithm_, record.train_loss, s.epoch));
    if (s.finished) break;
  }
  if (s.history.best_epoch > 0)
    notes_.push_back(fmt::format("weights of epoch {} (best validation mAP {:.4f}); {}",
                                 s.history.best_epoch, s.best_map, s.history.stop_reason));
  else
    notes_.push_back("trained: " + s.history.stop_reason);
}

namespace {

void check_prediction_input(const std::string& algorithm, bool image_input,
                            const std::vector<std::string>& feature_names,
                            const std::vector<std::string>& label_names, const Dataset& data) {
  if (image_input != data.has_images())
    throw Error(fmt::format("{}: the model was trained on {}, '{}' has {}", algorithm,
                            image_input ? "images" : "feature rows", data.name,
                            data.has_images() ? "images" : "feature rows"));
  if (data.num_features() != static_cast<Index>(feature_names.size()))
    throw Error(fmt::format("{}: the model was trained on {} features, the data has {}",
                            algorithm, feature_names.size(), data.num_features()));
  if (data.num_labels() > 0 && data.label_names != label_names)
    throw Error(fmt::format("{}: the model was trained on another label set ({} labels: {}, ...); "
                            "the data has {} labels", algorithm, label_names.size(),
                            label_names.front(), data.num_labels()));
}

}  // namespace

Dataset NetModel::learned_features(const Dataset& data, const Context& ctx) const {
  if (!state_) throw Error(algorithm_ + ": learned_features() called before fit()");
  const State& s = *state_;
  check_prediction_input(algorithm_, s.image_input, s.feature_names, s.label_names, data);
  configure_torch(ctx);
  const FlushDenormalsGuard flush_denormals;  // as in training: same scores
  const ScoreMatrix f = to_matrix(s.encoded(data, ctx.resolved_threads()).to(torch::kCPU));
  Dataset out;
  out.name = data.name;
  out.labels = data.labels;
  out.label_names = data.label_names;
  out.notes = data.notes;
  out.sources = data.sources;
  out.dense = f;
  for (Index j = 0; j < f.cols(); ++j) out.feature_names.push_back(fmt::format("{}_f{}", algorithm_, j + 1));
  return out;
}

ScoreMatrix NetModel::predict_scores(const Dataset& data, const Context& ctx) const {
  if (!state_) throw Error(algorithm_ + ": predict_scores() called before fit()");
  const State& s = *state_;
  check_prediction_input(algorithm_, s.image_input, s.feature_names, s.label_names, data);
  configure_torch(ctx);
  const FlushDenormalsGuard flush_denormals;  // as in training: same scores
  torch::NoGradGuard no_grad;
  Network net = s.net;
  net->eval();
  return to_matrix(torch::sigmoid(
      net->logits(s.encoded(data, ctx.resolved_threads()), net->classifier(), net->label_bias())));
}

void NetModel::save(const std::filesystem::path& path) const {
  if (!state_) throw Error(path.string(), 0, algorithm_ + ": nothing to save before training");
  const State& s = *state_;
  nlohmann::json meta = {
      {"format", kCheckpointFormat},
      {"version", kCheckpointVersion},
      {"labelgraph", LABELGRAPH_VERSION},
      {"torch", torch_version()},
      {"algorithm", algorithm_},
      {"params", params_text(algorithm_, encoder_, train_, gcn_, backbone_)},
      {"seed", s.seed},
      {"label_names", s.label_names},
      {"feature_names", s.feature_names},
      {"label_input_dim", s.label_input_dim},
      {"standardize", s.mean.defined()},
      {"data_fingerprint", s.data_fingerprint},
      {"epoch", s.epoch},
      {"finished", s.finished},
      {"best_map", s.best_map},
      {"best_epoch", s.best_epoch},
      {"epochs_without_gain", s.epochs_without_gain},
      {"history", history_json(s.history)},
      {"notes", s.notes},
      {"image_input", s.image_input},
  };
  torch::serialize::OutputArchive archive;
  archive.write("meta", c10::IValue(meta.dump()));
  // Tensors are written with their device; load() maps them to the CPU, so a checkpoint
  // trained on a GPU loads anywhere.
  torch::serialize::OutputArchive net_archive;
  s.net->save(net_archive);
  archive.write("net", net_archive);
  if (s.mean.defined()) {
    archive.write("standardize_mean", s.mean.to(torch::kCPU));
    archive.write("standardize_scale", s.scale.to(torch::kCPU));
  }
  if (s.net->script) archive.write("torchscript", c10::IValue(s.net->script->to_bytes()));
  torch::serialize::OutputArchive opt_archive;
  s.optimizer->save(opt_archive);
  archive.write("optimizer", opt_archive);
  torch::serialize::OutputArchive best_archive;
  for (std::size_t k = 0; k < s.best_weights.size(); ++k)
    best_archive.write(std::to_string(k), s.best_weights[k]);
  archive.write("best_weights", best_archive);
  AtomicFile file(path);
  try {
    archive.save_to(file.stream());
  } catch (const c10::Error& e) {
    throw Error(path.string(), 0, std::string("cannot write the checkpoint: ") + e.what_without_backtrace());
  }
  file.commit();
}

std::unique_ptr<NetModel> NetModel::load(const std::filesystem::path& path) {
  const std::string file = path.string();
  if (!std::filesystem::exists(path)) throw Error(file, 0, "no such checkpoint");
  torch::serialize::InputArchive archive;
  nlohmann::json meta;
  try {
    archive.load_from(file, torch::Device(torch::kCPU));
    c10::IValue text;
    if (!archive.try_read("meta", text) || !text.isString())
      throw Error(file, 0, "not a labelgraph checkpoint (no meta record)");
    meta = nlohmann::json::parse(text.toStringRef());
  } catch (const c10::Error& e) {
    throw Error(file, 0, std::string("not a readable checkpoint: ") + e.what_without_backtrace());
  } catch (const nlohmann::json::exception& e) {
    throw Error(file, 0, std::string("checkpoint meta record is damaged: ") + e.what());
  }
  if (meta.value("format", "") != kCheckpointFormat)
    throw Error(file, 0, "not a labelgraph checkpoint (format field)");
  if (meta.value("version", 0) != kCheckpointVersion)
    throw Error(file, 0, fmt::format("checkpoint version {} is not supported (this build reads {})",
                                     meta.value("version", 0), kCheckpointVersion));
  try {
    const std::string algorithm = meta.at("algorithm").get<std::string>();
    const toml::table params = toml::parse(meta.at("params").get<std::string>());
    models::ModelPtr created = models::make_model(algorithm, params, file, 0);
    auto* raw = dynamic_cast<NetModel*>(created.get());
    if (!raw) throw Error(file, 0, "algorithm " + algorithm + " is not a neural model");
    created.release();
    std::unique_ptr<NetModel> model(raw);

    auto state = std::make_unique<State>();
    State& s = *state;
    s.label_names = meta.at("label_names").get<std::vector<std::string>>();
    s.feature_names = meta.at("feature_names").get<std::vector<std::string>>();
    s.label_input_dim = meta.at("label_input_dim").get<Index>();
    s.seed = meta.at("seed").get<std::uint64_t>();
    s.data_fingerprint = meta.at("data_fingerprint").get<std::string>();
    s.epoch = meta.at("epoch").get<int>();
    s.finished = meta.at("finished").get<bool>();
    s.best_map = meta.at("best_map").get<double>();
    s.best_epoch = meta.at("best_epoch").get<int>();
    s.epochs_without_gain = meta.at("epochs_without_gain").get<int>();
    s.history = history_from_json(meta.at("history"));
    s.notes = meta.at("notes").get<std::vector<std::string>>();
    s.image_input = meta.value("image_input", false);
    if (s.image_input && !model->backbone_)
      throw Error(file, 0, algorithm + " checkpoint says it reads images, but the model has no backbone");
    if (s.image_input) {
      s.channels_last = model->backbone_->channels_last && model->backbone_->torchscript_path().empty();
      s.train_transform = image_transform(*model->backbone_, true);
      s.eval_transform = image_transform(*model->backbone_, false);
    }
    const auto labels = static_cast<Index>(s.label_names.size());
    at::Tensor inputs, propagation;
    if (model->gcn_) {
      inputs = torch::zeros({labels, s.label_input_dim});
      propagation = torch::zeros({labels, labels});
    }
    std::shared_ptr<TorchScriptBackbone> script;
    c10::IValue script_bytes;
    if (archive.try_read("torchscript", script_bytes)) {
      if (!script_bytes.isString() || !model->backbone_)
        throw Error(file, 0, "damaged checkpoint: its TorchScript backbone record is unusable");
      script = std::make_shared<TorchScriptBackbone>(TorchScriptBackbone::from_bytes(
          script_bytes.toStringRef(), script_options(*model->backbone_), file));
    }
    s.net = Network(static_cast<Index>(s.feature_names.size()), labels, model->encoder_,
                    s.image_input ? &*model->backbone_ : nullptr, script, model->gcn_, inputs,
                    propagation, 0);
    torch::serialize::InputArchive net_archive;
    archive.read("net", net_archive);
    s.net->load(net_archive);
    if (meta.at("standardize").get<bool>()) {
      archive.read("standardize_mean", s.mean);
      archive.read("standardize_scale", s.scale);
    }
    s.optimizer = make_optimizer(s.net, model->train_);
    torch::serialize::InputArchive opt_archive;
    archive.read("optimizer", opt_archive);
    s.optimizer->load(opt_archive);
    torch::serialize::InputArchive best_archive;
    archive.read("best_weights", best_archive);
    for (std::size_t k = 0;; ++k) {
      at::Tensor t;
      if (!best_archive.try_read(std::to_string(k), t)) break;
      s.best_weights.push_back(t);
    }
    model->notes_ = s.notes;
    model->state_ = std::move(state);
    return model;
  } catch (const c10::Error& e) {
    throw Error(file, 0, std::string("damaged checkpoint: ") + e.what_without_backtrace());
  } catch (const nlohmann::json::exception& e) {
    throw Error(file, 0, std::string("checkpoint meta record is damaged: ") + e.what());
  } catch (const toml::parse_error& e) {
    throw Error(file, 0, std::string("checkpoint parameters are damaged: ") + std::string(e.description()));
  }
}

void register_net_models() {
  models::register_model<MlpBr>(
      "mlp-br", "MLP encoder + one sigmoid output per label (LibTorch)");
  models::register_model<CnnBr>(
      "cnn-br", "CNN backbone (ResNet-style or TorchScript) + one sigmoid output per label, on images (LibTorch)",
      /*reads_images=*/true);
  models::register_model<MlGcn>(
      "mlgcn", "ML-GCN: MLP encoder (feature rows) or CNN backbone (images), classifiers from a GCN "
               "over label inputs on the label graph (LibTorch)",
      /*reads_images=*/true);
}

}  // namespace lg::nets
