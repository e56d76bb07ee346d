#include "nets/net_model.hpp"

#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <cmath>
#include <filesystem>
#include <optional>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/progress.hpp"
#include "core/random.hpp"
#include "data/image_batches.hpp"
#include "data/split.hpp"
#include "data/standardize.hpp"
#include "eval/measures.hpp"
#include "io/image_dataset.hpp"
#include "nets/distributed.hpp"
#include "nets/gradients.hpp"
#include "nets/heads/heads.hpp"
#include "nets/losses.hpp"
#include "nets/net_state.hpp"
#include "nets/optimizers.hpp"
#include "nets/tensor_convert.hpp"
#include "nets/thread_policy.hpp"

namespace lg::nets {
namespace {

// Seed streams of one training run (derive_seed(ctx.seed, stream)).
constexpr std::uint64_t kInitStream = 1;
constexpr std::uint64_t kValidationStream = 2;
constexpr std::uint64_t kAugmentStream = 3;   // then (epoch, batch): crops and flips
constexpr std::uint64_t kEpochStream = 1000;  // + epoch: row order and dropout of that epoch

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

/// One prepared batch as an N x 3 x S x S tensor (a copy: the loader reuses its buffer), in
/// the convolutions' layout.
at::Tensor batch_tensor(const ImageBatch& batch, int size, bool channels_last) {
  const auto n = static_cast<int64_t>(batch.rows.size());
  const at::Tensor view = torch::from_blob(const_cast<float*>(batch.pixels.data()),
                                           {n, 3, size, size}, torch::kFloat32);
  return channels_last ? view.contiguous(at::MemoryFormat::ChannelsLast) : view.clone();
}

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

NetworkImpl::NetworkImpl(std::shared_ptr<FeatureBackboneImpl> backbone_module,
                         std::shared_ptr<HeadImpl> head_module)
    : backbone(register_module("backbone", std::move(backbone_module))),
      head(register_module("head", std::move(head_module))) {}

BackboneOutput NetworkImpl::features(const at::Tensor& x, at::Generator* dropout_gen) {
  return backbone->forward(x, dropout_gen, head->needs_map());
}

void NetworkImpl::train(bool on) {
  torch::nn::Module::train(on);
  if (TorchScriptBackbone* script = backbone->script()) script->train(on);  // ignored when frozen
}

void NetworkImpl::move_to(const torch::Device& device) {
  to(device);
  if (TorchScriptBackbone* script = backbone->script()) script->to(device);
}

std::vector<at::Tensor> NetworkImpl::all_parameters() {
  std::vector<at::Tensor> out = parameters();
  TorchScriptBackbone* script = backbone->script();
  if (script && !script->frozen())
    for (const at::Tensor& p : script->parameters()) out.push_back(p);
  return out;
}

std::vector<at::Tensor> NetworkImpl::base_parameters() {
  std::vector<at::Tensor> out;
  TorchScriptBackbone* script = backbone->script();
  if (script && !script->frozen())
    for (const at::Tensor& p : script->parameters()) out.push_back(p);
  const std::vector<at::Tensor> graph = head->graph_parameters();
  for (const at::Tensor& p : parameters()) {
    bool in_graph = false;
    for (const at::Tensor& g : graph) in_graph = in_graph || g.is_same(p);
    if (!in_graph) out.push_back(p);
  }
  return out;
}

Network make_network(const NetSpec& spec, const HeadFactory& head, bool images, Index features,
                     Index labels, const LabelSide& side,
                     std::shared_ptr<TorchScriptBackbone> script, std::uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  std::shared_ptr<FeatureBackboneImpl> backbone =
      make_backbone(images, features, spec.encoder, images ? &*spec.backbone : nullptr,
                    std::move(script), gen, seed);
  HeadShape shape;
  shape.features = backbone->feature_size();
  shape.labels = labels;
  std::shared_ptr<HeadImpl> h = head.make(shape, side, gen, seed);
  return Network(std::move(backbone), std::move(h));
}

at::Tensor NetModel::State::prepare(const Dataset& d) const {
  at::Tensor x = features_tensor(d).to(device);
  if (mean.defined()) x = (x - mean) / scale;
  return x;
}

/// The model's tensors (network, standardisation, optimiser state) moved to `device`.
void move_state(NetModel::State& s, const torch::Device& device) {
  s.net->move_to(device);
  s.device = device;
  if (s.mean.defined()) {
    s.mean = s.mean.to(device);
    s.scale = s.scale.to(device);
  }
  if (s.optimizer) move_optimizer_state(*s.optimizer, device);
}

/// `fn(images)` for every batch of `d`'s images in evaluation form (centre crops), on the
/// device; the loader prepares the next batch on its thread meanwhile.
template <class Fn>
void for_each_eval_batch(const NetModel::State& s, const Dataset& d, int threads, Fn fn) {
  ImageBatchLoader loader(*d.images, 0);
  loader.start(d.image_rows, 128, s.eval_transform, 0, threads > 1 ? threads - 1 : 1);
  while (const ImageBatch* batch = loader.next())
    fn(batch_tensor(*batch, s.eval_transform.size, s.channels_last).to(s.device));
}

BackboneOutput NetModel::State::encoded(const Dataset& d, int threads) const {
  torch::NoGradGuard no_grad;
  Network module = net;  // the holder is const here, the module's forward is not
  module->eval();
  std::vector<at::Tensor> pooled, maps;
  auto add = [&](const BackboneOutput& o) {
    pooled.push_back(o.pooled);
    if (o.map.defined()) maps.push_back(o.map);
  };
  auto joined = [&]() {
    BackboneOutput o;
    // No rows: an empty 0 x F block, so the logits are 0 x C as for feature data.
    o.pooled = pooled.empty()
                   ? torch::zeros({0, module->backbone->feature_size()}, torch::kFloat32).to(device)
                   : (pooled.size() == 1 ? pooled[0] : torch::cat(pooled));
    if (!maps.empty()) o.map = maps.size() == 1 ? maps[0] : torch::cat(maps);
    return o;
  };
  if (image_input) {
    for_each_eval_batch(*this, d, threads,
                        [&](const at::Tensor& x) { add(module->features(x, nullptr)); });
    return joined();
  }
  if (d.rows() <= 8192) return module->features(prepare(d), nullptr);
  constexpr Index kChunk = 8192;
  for (Index first = 0; first < d.rows(); first += kChunk) {
    std::vector<Index> rows(static_cast<std::size_t>(std::min(kChunk, d.rows() - first)));
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = first + static_cast<Index>(i);
    add(module->features(prepare(select_rows(d, rows)), nullptr));
  }
  return joined();
}

at::Tensor NetModel::State::logits(const Dataset& d, int threads) const {
  torch::NoGradGuard no_grad;
  Network module = net;
  module->eval();
  if (!module->head->needs_map()) return module->head->forward(encoded(d, threads), nullptr);
  // A head over spatial maps runs per chunk of images: the maps of a whole set need not fit.
  std::vector<at::Tensor> parts;
  for_each_eval_batch(*this, d, threads,
                      [&](const at::Tensor& x) { parts.push_back(module->forward(x, nullptr)); });
  if (parts.empty()) return torch::zeros({0, static_cast<int64_t>(label_names.size())}).to(device);
  return torch::cat(parts);
}

Adjacency gcn_propagation(const Dataset& train, const GcnParams& g, const Context& ctx,
                          std::vector<std::string>* notes) {
  return label_graph_matrix(train, g.graph, ctx, notes);
}

NetModel::NetModel(NetSpec spec, std::shared_ptr<const HeadFactory> head)
    : spec_(std::move(spec)), head_(std::move(head)) {}

NetModel::~NetModel() = default;

void NetModel::check_input_kind(const Dataset& data) const {
  if (!data.has_images() && head_->needs_map())
    throw Error(fmt::format("{} needs a spatial feature map (B x F x H x W from an image "
                            "backbone), and '{}' has feature rows: use it on image data, or "
                            "mlgcn, agcn or lamp on feature rows", spec_.algorithm, data.name));
  if (data.has_images() && !spec_.backbone)
    throw Error(fmt::format("{} reads feature rows, and '{}' is an image data set: use cnn-br or "
                            "an image head (a CNN backbone), or fit {} on a network's features",
                            spec_.algorithm, data.name, spec_.algorithm));
  if (!data.has_images() && !spec_.reads_rows)
    throw Error(fmt::format("{} reads images, and '{}' has feature rows: use mlp-br or a head that "
                            "reads feature rows", spec_.algorithm, data.name));
}

const report::TrainingHistory* NetModel::training_history() const {
  return state_ ? &state_->history : nullptr;
}

std::int64_t NetModel::parameter_count() const {
  if (!state_) return 0;
  std::int64_t n = 0;
  for (const at::Tensor& p : state_->net->all_parameters()) n += p.numel();
  if (TorchScriptBackbone* script = state_->net->backbone->script())
    if (script->frozen())
      for (const at::Tensor& p : script->parameters()) n += p.numel();
  return n;
}

std::optional<models::Model::Cost> NetModel::cost() const {
  if (!state_) return std::nullopt;
  Cost c;
  c.parameters = parameter_count();
  const int64_t side = state_->image_input ? state_->eval_transform.size : 0;
  const FeatureBackboneImpl& backbone = *state_->net->backbone;
  const int64_t backbone_work = backbone.multiply_adds(side);
  const int64_t positions = backbone.map_positions(side);
  const int64_t head_work = positions > 0 ? state_->net->head->multiply_adds(1, positions) : 0;
  if (backbone_work > 0 && head_work > 0) c.multiply_adds = backbone_work + head_work;
  return c;
}

void NetModel::fit(const Dataset& train_data, const Context& ctx) { train(train_data, ctx, {}); }

void NetModel::start(const Dataset& data, const Context& ctx) {
  notes_.clear();
  state_ = std::make_unique<State>();
  State& s = *state_;
  s.device = parse_device(ctx.device);
  s.seed = ctx.seed;
  s.trained_threads = ctx.resolved_threads();
  s.data_fingerprint = fingerprint(data);
  s.label_names = data.label_names;
  s.feature_names = data.feature_names;
  s.image_input = data.has_images();
  const BackboneParams* backbone = spec_.backbone ? &*spec_.backbone : nullptr;
  if (s.image_input) {
    s.channels_last = backbone->channels_last && backbone->torchscript_path().empty();
    s.train_transform = image_transform(*backbone, true);
    s.eval_transform = image_transform(*backbone, false);
    s.notes.push_back(fmt::format("{} backbone (width {}, depth {}, {} pooling) on {}x{} images{}",
                                  backbone->backbone, backbone->width, backbone->depth,
                                  backbone->pooling, backbone->image_size, backbone->image_size,
                                  !backbone->augment ? ""
                                  : s.train_transform.random_crop ? ", random crops and flips"
                                                                  : ", random flips"));
    const EncoderParams unset;
    if (spec_.reads_rows &&
        (spec_.encoder.hidden != unset.hidden || spec_.encoder.dropout != unset.dropout ||
         spec_.encoder.standardize != unset.standardize))
      s.notes.push_back("on images the backbone replaces the MLP encoder: hidden, dropout and "
                        "standardize are not used");
  } else if (spec_.encoder.standardize) {
    const Standardizer st = Standardizer::fit(data);
    s.mean = to_tensor_f(st.mean.transpose()).to(s.device);
    s.scale = to_tensor_f(st.scale.transpose()).to(s.device);
  }
  const LabelSide side = head_->label_side(data, ctx, s.notes);
  if (side.inputs.defined()) s.label_input_dim = side.inputs.size(1);
  std::shared_ptr<TorchScriptBackbone> script;
  if (s.image_input && !backbone->torchscript_path().empty()) {
    script = std::make_shared<TorchScriptBackbone>(backbone->torchscript_path(),
                                                   script_options(*backbone));
    s.notes.push_back(fmt::format("TorchScript backbone {}: {} features{}",
                                  backbone->torchscript_path(), script->feature_size(),
                                  !backbone->freeze        ? ", fine-tuned"
                                  : head_->needs_map()     ? ", frozen (maps computed per batch)"
                                                           : ", frozen (computed once)"));
  }
  s.net = make_network(spec_, *head_, s.image_input, data.num_features(), data.num_labels(), side,
                       script, derive_seed(ctx.seed, kInitStream));
  s.net->move_to(s.device);
  s.optimizer = make_optimizer(s.net->base_parameters(), s.net->graph_parameters(), spec_.train);
  if (data.sparse) s.notes.push_back("sparse features are densified for the network");
  notes_ = s.notes;
}

void NetModel::train(const Dataset& data, const Context& ctx, const TrainSession& session) {
  data.check_consistent();
  check_input_kind(data);
  if (data.rows() < 2)
    throw Error(fmt::format("{}: needs at least 2 training rows, got {}", spec_.algorithm, data.rows()));
  if (data.num_labels() < 1) throw Error(fmt::format("{}: the training set has no labels", spec_.algorithm));
  configure_torch(ctx);
  // Several processes (core/processes.hpp): data-parallel through c10d (nets/distributed.hpp).
  // Every process trains; only rank 0 writes checkpoints and state files.
  ProcessGroup* group = ProcessGroup::of(ctx);
  const int rank = group ? group->rank() : 0;
  const int world = group ? group->world() : 1;
  const bool writer = rank == 0;

  // With a state file, a stop signal is saved at the next batch boundary (core/interrupt.hpp).
  std::optional<DeferredStop> deferred_stop;
  if (!session.state_file.empty()) deferred_stop.emplace();

  // Why a saved training cannot be continued on this data with this config and seed; empty
  // when it can.
  auto mismatch = [&](const NetModel& saved, bool resume) -> std::string {
    if (saved.spec_.algorithm != spec_.algorithm || saved.spec_.params_toml != spec_.params_toml)
      return fmt::format("the checkpoint is of {} with other parameters than this config's {}{}",
                         saved.spec_.algorithm, spec_.algorithm,
                         resume ? ": resume with the config it was trained with" : "");
    if (saved.state_->data_fingerprint != fingerprint(data))
      return "the checkpoint was trained on other data (rows, features or labels differ)";
    if (saved.state_->seed != ctx.seed)
      return fmt::format("the checkpoint was trained with seed {}, this run has seed {}",
                         saved.state_->seed, ctx.seed);
    if (saved.state_->epoch_batches > 0) {
      try {  // a CPU generator's state of the wrong size is refused here, not mid-training
        at::detail::createCPUGenerator(0).set_state(saved.state_->epoch_dropout_state);
      } catch (const c10::Error&) {
        return "the unfinished epoch's dropout generator state is damaged";
      }
    }
    return {};
  };
  // Continue from `saved` (checked by mismatch()) on this context's device.
  auto adopt = [&](std::unique_ptr<NetModel> saved) {
    state_ = std::move(saved->state_);
    notes_ = state_->notes;
    // Same data, seed, thread count and device: bit-identical to an uninterrupted training;
    // otherwise it continues, and says that the last bits may differ.
    auto note = [&](const std::string& text) {  // kept in the state: a later resume keeps it
      state_->notes.push_back(text);
      notes_.push_back(text);
    };
    if (state_->trained_threads != 0 && state_->trained_threads != ctx.resolved_threads())
      note(fmt::format("continued on {} threads a training saved on {}: the result may differ in "
                       "the last bits from an uninterrupted run",
                       ctx.resolved_threads(), state_->trained_threads));
    state_->trained_threads = ctx.resolved_threads();
    const torch::Device device = parse_device(ctx.device);
    if (device != state_->device) {
      note(fmt::format("continued on {} a training saved on {}: the result may differ in the "
                       "last bits from an uninterrupted run",
                       device.str(), state_->device.str()));
      move_state(*state_, device);
    }
  };
  if (!session.resume.empty()) {
    std::unique_ptr<NetModel> saved = load(session.resume);
    const std::string problem = mismatch(*saved, true);
    if (!problem.empty()) throw Error(session.resume.string(), 0, problem);
    adopt(std::move(saved));
  } else if (!session.state_file.empty() && std::filesystem::exists(session.state_file)) {
    std::unique_ptr<NetModel> saved;
    std::string problem;
    try {
      saved = load(session.state_file);
      problem = mismatch(*saved, false);
    } catch (const Error& e) {
      problem = e.message();
    } catch (const std::exception& e) {
      problem = e.what();
    }
    if (problem.empty()) {
      adopt(std::move(saved));
      notes_.push_back(fmt::format("continued from the state file {} (epoch {}, batch {})",
                                   session.state_file.string(), state_->epoch + 1,
                                   state_->epoch_batches));
    } else {
      start(data, ctx);
      problem = problem.substr(0, problem.find('\n'));  // LibTorch's messages go on for lines
      const std::string note = fmt::format("state file {} not usable ({}): trained from the start",
                                           session.state_file.string(), problem);
      state_->notes.push_back(note);
      notes_.push_back(note);
    }
  } else {
    start(data, ctx);
  }
  State& s = *state_;
  const double gradient_seconds_before = group ? group->gradient_seconds() : 0;
  const double collective_seconds_before = group ? group->collective_seconds() : 0;
  double step_seconds = 0;  // forward, backward, all-reduce and step of this call's batches
  if (group) {
    // Rank 0's weights everywhere (the same seed drew the same ones; a resume read the same
    // file: this makes it so whatever happened).
    std::vector<at::Tensor> tensors = s.net->all_parameters();
    for (const at::Tensor& b : s.net->buffers()) tensors.push_back(b);
    group->broadcast(tensors, "the broadcast of the initial weights");
    notes_.push_back(fmt::format("trained data-parallel by {} processes ({}): each takes 1/{} of "
                                 "every batch of {} rows; batch-norm statistics over the whole batch",
                                 world, "c10d " + group->backend(), world,
                                 spec_.train.batch_size));
  }
  auto final_note = [&] {
    if (group && step_seconds > 0) {
      const double reduce = group->gradient_seconds() - gradient_seconds_before;
      const double all = group->collective_seconds() - collective_seconds_before;
      notes_.push_back(fmt::format("process {} of {}: the gradient all-reduce took {:.2f} s of {:.2f} s "
                                   "of training steps ({:.1f}%); every collective (batch-norm "
                                   "statistics, checks) {:.2f} s ({:.1f}%)", rank, world, reduce, step_seconds,
                                   100.0 * reduce / step_seconds, all, 100.0 * all / step_seconds));
    }
    if (s.history.best_epoch > 0)
      notes_.push_back(fmt::format("weights of epoch {} (best validation mAP {:.4f}); {}",
                                   s.history.best_epoch, s.best_map, s.history.stop_reason));
    else
      notes_.push_back("trained: " + s.history.stop_reason);
  };
  if (s.finished) {  // a finished training saved by a stop at its last epoch's end
    final_note();
    return;
  }
  // Small feature-data networks train faster on one thread (nets/thread_policy.hpp); the guard
  // gives LibTorch the context's count back when train() ends, also on an exception.
  const int requested_threads = ctx.resolved_threads();
  const Index step_rows = std::min<Index>(spec_.train.batch_size, data.rows());
  const std::int64_t step_work =
      (s.image_input ? 0
                     : step_multiply_adds(StepShape{step_rows, data.num_features(),
                                                    spec_.encoder.hidden, 0, 0, 0, 0})) +
      s.net->head->multiply_adds(step_rows, 1);
  const int loop_threads = s.device.is_cpu()
      ? training_threads(step_work, requested_threads, s.image_input) : requested_threads;
  const TorchThreadsGuard loop_threads_guard(loop_threads);
  const FlushDenormalsGuard flush_denormals;  // after the thread count: new threads get it too
  if (loop_threads < requested_threads)
    notes_.push_back(thread_policy_note(loop_threads, requested_threads, step_work));

  // The validation split is drawn from the seed alone, so a resumed run gets the same one.
  std::vector<Index> fit_rows, validation_rows;
  if (spec_.train.validation_fraction > 0) {
    SplitSpec holdout;
    holdout.method = "holdout";
    holdout.test_fraction = spec_.train.validation_fraction;
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
  const LossSpec loss = loss_spec(spec_.train);
  const at::Tensor pos_weight =
      spec_.train.loss == "weighted-bce" ? pos_weight_from_labels(fit_part.labels).to(s.device) : at::Tensor();
  const std::vector<double> base_lr = base_learning_rates(spec_.train);

  std::unique_ptr<ProgressBar> bar;
  if (session.progress && writer) {
    bar = std::make_unique<ProgressBar>("train " + spec_.algorithm, static_cast<std::uint64_t>(spec_.train.epochs));
    bar->set(static_cast<std::uint64_t>(s.epoch));
  }
  const Index n = fit_part.rows();
  const Index batch = spec_.train.batch_size;  // the global batch: 1/world of it per process
  std::vector<at::Tensor> params = s.net->all_parameters();
  // The best epoch's weights include the buffers (batch-norm running statistics) after them;
  // checkpoints of feature models written before images existed hold the parameters only.
  std::vector<at::Tensor> snapshot = params;
  for (const at::Tensor& b : s.net->buffers()) snapshot.push_back(b);
  // Images: the next batches are decoded and transformed on a worker thread while the network
  // trains on this one; decoded, resized files stay in the cache across epochs.
  // A frozen (pretrained) backbone computes every row's pooled features once instead. Not for
  // a head that reads the map: every image's F x H x W map would be kept (1.6 MB per image for
  // ResNet-101 at 448 px), so the frozen backbone runs per batch, without gradients.
  const bool frozen = s.net->frozen_backbone() && !s.net->head->needs_map();
  // The image loader cuts this process's rows into batches of one size: its part of each batch.
  if (group && s.image_input && !frozen && batch % world != 0)
    throw Error(fmt::format("{}: batch_size {} is not divisible by {} processes (batch_size is the "
                            "batch of all processes together; each takes an equal part of it)",
                            spec_.algorithm, batch, world));
  std::unique_ptr<ImageBatchLoader> loader;
  if (s.image_input && !frozen)
    loader = std::make_unique<ImageBatchLoader>(
        *data.images, static_cast<std::size_t>(spec_.backbone->cache_mb) << 20);
  BackboneOutput cached, cached_validation;
  if (frozen) {
    cached = s.encoded(fit_part, threads);
    if (yv.defined()) cached_validation = s.encoded(validation, threads);
  }
  // Several processes: each scores its part of the validation rows; the logits are summed.
  const auto validation_part = batch_part(validation.rows(), rank, world);
  const Index validation_rows_here = validation_part.second - validation_part.first;
  Dataset validation_here;
  if (group && yv.defined() && !frozen && validation_rows_here > 0) {
    std::vector<Index> rows_here;
    for (Index i = validation_part.first; i < validation_part.second; ++i) rows_here.push_back(i);
    validation_here = select_rows(validation, rows_here);
  }
  auto validation_logits = [&]() -> at::Tensor {
    if (!group)
      return frozen ? s.net->head->forward(cached_validation, nullptr) : s.logits(validation, threads);
    at::Tensor all = torch::zeros({validation.rows(), static_cast<std::int64_t>(data.num_labels())},
                                  torch::TensorOptions().dtype(torch::kFloat32).device(s.device));
    if (validation_rows_here > 0) {
      at::Tensor part;
      if (frozen) {
        BackboneOutput mine;
        mine.pooled = cached_validation.pooled.narrow(0, validation_part.first, validation_rows_here);
        if (cached_validation.map.defined())
          mine.map = cached_validation.map.narrow(0, validation_part.first, validation_rows_here);
        part = s.net->head->forward(mine, nullptr);
      } else {
        part = s.logits(validation_here, threads);
      }
      all.narrow(0, validation_part.first, validation_rows_here).copy_(part);
    }
    return group->sum(all, "the validation scores");
  };

  const Index batches = (n + batch - 1) / batch;  // per epoch
  if (s.epoch_batches >= batches)  // a checkpoint of other data would have been refused
    throw Error(fmt::format("{}: the saved epoch has {} batches done of {}", spec_.algorithm,
                            s.epoch_batches, batches));
  using Clock = std::chrono::steady_clock;
  const bool keep_state = !session.state_file.empty();
  // (stop now, save now): any process's stop signal; rank 0's clock for timed saves. Every
  // process gets the same answer, so all stop or save at the same batch.
  auto agreed = [&](bool stop_here, bool save_due) -> std::pair<bool, bool> {
    if (!group) return {stop_here, save_due};
    at::Tensor flags = torch::tensor({stop_here ? 1.0 : 0.0, writer && save_due ? 1.0 : 0.0}, torch::kFloat64);
    group->sum(flags, "the stop check");
    return {flags[0].item<double>() > 0, flags[1].item<double>() > 0};
  };
  const bool timed_saves = keep_state && session.state_every_seconds > 0;
  Clock::time_point last_save = Clock::now();
  auto seconds_since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };

  while (s.epoch < spec_.train.epochs) {
    const auto start = Clock::now();
    const int e = s.epoch;  // 0-based epoch being trained
    const double factor = schedule_factor(spec_.train, e);
    auto& groups = s.optimizer->param_groups();
    for (std::size_t g = 0; g < groups.size(); ++g) groups[g].options().set_lr(base_lr[g] * factor);

    Random order_rng(derive_seed(ctx.seed, kEpochStream + 2 * static_cast<std::uint64_t>(e)));
    // Rank 0 draws the dropout masks one process would; the others their own streams.
    const std::uint64_t dropout_seed = derive_seed(ctx.seed, kEpochStream + 2 * static_cast<std::uint64_t>(e) + 1);
    at::Generator dropout_gen = at::detail::createCPUGenerator(
        rank == 0 ? dropout_seed : derive_seed(dropout_seed, static_cast<std::uint64_t>(rank)));
    std::vector<std::int64_t> order(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
    order_rng.shuffle(order);
    const at::Tensor order_t = torch::from_blob(order.data(), {n}, torch::kInt64).to(s.device);

    // A state saved in the middle of this epoch: its first batches are done; the dropout
    // generator and the loss sum continue where they stopped.
    const Index first_batch = s.epoch_batches;
    double loss_sum = 0;
    double seconds_before = 0;  // of this epoch, before the resume
    if (first_batch > 0) {
      // The saved generator is rank 0's; another rank continues from a stream of its own, drawn
      // from where the epoch was stopped (its masks then differ from an uninterrupted run's).
      if (rank == 0)
        dropout_gen.set_state(s.epoch_dropout_state);
      else
        dropout_gen = at::detail::createCPUGenerator(
            derive_seed(derive_seed(dropout_seed, static_cast<std::uint64_t>(rank)),
                        static_cast<std::uint64_t>(first_batch)));
      loss_sum = rank == 0 ? s.epoch_loss_sum : 0.0;  // the saved sum is of all processes
      seconds_before = s.epoch_seconds;
    }
    s.epoch_batches = 0;
    s.epoch_loss_sum = 0;
    s.epoch_dropout_state = at::Tensor();
    s.epoch_seconds = 0;
    // The state file after `done` batches of this epoch (0: at its end, after its record).
    // With several processes every one calls it at the same batch; rank 0 writes.
    auto save_state = [&](Index done) {
      if (done > 0) {
        s.epoch_batches = done;
        s.epoch_loss_sum = group ? group->sum(loss_sum, "the loss of a saved epoch") : loss_sum;
        s.epoch_dropout_state = dropout_gen.get_state();
        s.epoch_seconds = seconds_before + seconds_since(start);
      }
      if (writer) save(session.state_file);
      s.epoch_batches = 0;
      s.epoch_loss_sum = 0;
      s.epoch_dropout_state = at::Tensor();
      s.epoch_seconds = 0;
      last_save = Clock::now();
    };
    auto stop = [&](Index done) {
      save_state(done);
      // Another process's signal stops this one too (the stop is agreed on): it then ends as by
      // SIGTERM. Rank 0 wrote the state.
      throw Stopped(stop_signal() ? stop_signal() : SIGTERM,
                    fmt::format("{} {} its training at epoch {}, batch {} of {} to {}; run the "
                                "same command to continue", spec_.algorithm,
                                writer ? "saved" : "stopped with process 0, which saved", e + 1,
                                done > 0 ? done : batches, batches, session.state_file.string()));
    };

    const std::uint64_t augment_seed = derive_seed(derive_seed(ctx.seed, kAugmentStream),
                                                   static_cast<std::uint64_t>(e));
    if (loader) {
      // This process's part of each batch, in batch order (all of it with one process).
      std::vector<Index> epoch_rows;
      epoch_rows.reserve(order.size() / static_cast<std::size_t>(world) + 1);
      for (Index b = first_batch; b < batches; ++b) {
        const Index first = b * batch;
        const auto part = batch_part(std::min(batch, n - first), rank, world);
        for (Index i = first + part.first; i < first + part.second; ++i)
          epoch_rows.push_back(fit_part.image_rows[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])]);
      }
      const std::uint64_t rank_augment_seed =
          rank == 0 ? augment_seed : derive_seed(augment_seed, static_cast<std::uint64_t>(rank));
      loader->start(std::move(epoch_rows), batch / world, s.train_transform, rank_augment_seed, 1, 2,
                    first_batch);
    }
    s.net->train();
    SyncBatchNormScope sync_batch_norm_scope(group);
    for (Index b = first_batch; b < batches; ++b) {
      const Index first = b * batch;
      const Index size = std::min(batch, n - first);
      // This process's rows of the batch (all of them with one process; maybe none in a last,
      // short batch: it then still takes part in every all-reduce).
      const auto part = batch_part(size, rank, world);
      const Index size_here = part.second - part.first;
      sync_batch_norm_scope.set_batch_rows(size);
      const at::Tensor rows = order_t.narrow(0, first + part.first, size_here);
      at::Tensor xb;
      BackboneOutput features;
      if (frozen) {
        features.pooled = cached.pooled.index_select(0, rows);
        if (cached.map.defined()) features.map = cached.map.index_select(0, rows);
      } else if (loader && size_here == 0) {
        xb = torch::zeros({0, 3, s.train_transform.size, s.train_transform.size}, torch::kFloat32).to(s.device);
      } else if (loader) {
        const ImageBatch* prepared = loader->next();
        if (!prepared) throw Error(spec_.algorithm + ": the image loader ended early");  // a bug if seen
        xb = batch_tensor(*prepared, s.train_transform.size, s.channels_last).to(s.device);
      } else {
        xb = x.index_select(0, rows);
      }
      const at::Tensor yb = y.index_select(0, rows);
      const auto step_start = Clock::now();
      drop_gradients(params);
      if (!frozen) features = s.net->features(xb, &dropout_gen);
      const HeadOutput out = s.net->head->train_forward(features, &dropout_gen);
      at::Tensor l;
      if (size_here == 0) {
        // No rows here: a zero loss through the same graph, so that the batch-norm all-reduces
        // of the backward pass meet the other processes'.
        l = (out.logits.defined() ? out.logits : out.train_logits.front()).sum() * 0.0;
      } else if (out.train_logits.empty()) {
        l = multilabel_loss(out.logits, yb, loss, pos_weight);
      } else {
        for (const at::Tensor& part_logits : out.train_logits) {
          const at::Tensor term = multilabel_loss(part_logits, yb, loss, pos_weight);
          l = l.defined() ? l + term : term;
        }
      }
      if (out.extra_loss.defined() && size_here > 0) l = l + out.extra_loss;
      // Each process's mean weighted by its share of the rows: the sum over processes of the
      // gradients is the gradient of the whole batch's mean loss.
      if (group) l = l * (static_cast<double>(size_here) / static_cast<double>(size));
      l.backward();
      if (group) group->sum_gradients(params);
      if (spec_.train.clip_grad_norm > 0) clip_gradients(params, spec_.train.clip_grad_norm);
      s.optimizer->step();
      loss_sum += l.item<double>() * static_cast<double>(size);
      step_seconds += seconds_since(step_start);
      if (session.after_batch) session.after_batch(e + 1, static_cast<int>(b + 1));
      // The last batch's stop and timed save come at the epoch's end, after its validation.
      if (keep_state && b + 1 < batches) {
        const auto [stop_now, save_now] = agreed(stop_requested(), timed_saves && seconds_since(last_save) >= session.state_every_seconds);
        if (stop_now) stop(b + 1);
        if (save_now) save_state(b + 1);
      }
    }
    if (group) loss_sum = group->sum(loss_sum, "the epoch's loss");

    report::EpochRecord record;
    record.epoch = e + 1;
    record.train_loss = loss_sum / static_cast<double>(n);
    record.learning_rate = spec_.train.lr * factor;
    if (yv.defined()) {
      torch::NoGradGuard no_grad;
      s.net->eval();
      const at::Tensor logits = validation_logits();
      record.validation_loss = multilabel_loss(logits, yv, loss, pos_weight).item<double>();
      const ScoreMatrix scores = to_matrix(torch::sigmoid(logits));
      const LabelMatrix predicted = (scores.array() >= 0.5f).cast<std::uint8_t>();
      eval::MeasureOptions mo;
      mo.threads = 1;
      record.validation_map = eval::evaluate(validation.labels, scores, predicted, mo).get("mAP");
    }
    record.seconds = seconds_before + seconds_since(start);
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
      if (spec_.train.patience > 0 && s.epochs_without_gain >= spec_.train.patience) {
        s.finished = true;
        s.history.stop_reason = fmt::format("early stopping at epoch {}: no better validation mAP "
                                            "for {} epochs", s.epoch, spec_.train.patience);
      }
    }
    if (s.epoch == spec_.train.epochs && !s.finished) {
      s.finished = true;
      s.history.stop_reason = fmt::format("max epochs ({})", spec_.train.epochs);
    }
    if (s.finished && yv.defined() && spec_.train.restore_best && !s.best_weights.empty()) {
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
    if (checkpoint_now && writer)
      save(session.checkpoint_dir / fmt::format("checkpoint-epoch-{:03}.pt", s.epoch));
    if (!std::isfinite(record.train_loss))
      throw Error(fmt::format("{}: the training loss became {} in epoch {} (lower lr, or set "
                              "clip_grad_norm)", spec_.algorithm, record.train_loss, s.epoch));
    if (keep_state) {
      const auto [stop_now, timed_now] =
          agreed(stop_requested(), timed_saves && seconds_since(last_save) >= session.state_every_seconds);
      if (stop_now) stop(0);  // also after the last epoch: the state is then finished
      if (!s.finished &&
          ((session.state_every_epochs > 0 && s.epoch % session.state_every_epochs == 0) || timed_now))
        save_state(0);
    }
    if (s.finished) break;
  }
  final_note();
}

Dataset NetModel::learned_features(const Dataset& data, const Context& ctx) const {
  if (!state_) throw Error(spec_.algorithm + ": learned_features() called before fit()");
  const State& s = *state_;
  check_prediction_input(spec_.algorithm, s.image_input, s.feature_names, s.label_names, data);
  configure_torch(ctx);
  // On the context's device: a loaded checkpoint is on the CPU (`predict --device cuda`).
  if (const torch::Device device = parse_device(ctx.device); device != s.device) move_state(*state_, device);
  const FlushDenormalsGuard flush_denormals;  // as in training: same scores
  const ScoreMatrix f = to_matrix(s.encoded(data, ctx.resolved_threads()).pooled.to(torch::kCPU));
  Dataset out;
  out.name = data.name;
  out.labels = data.labels;
  out.label_names = data.label_names;
  out.notes = data.notes;
  out.sources = data.sources;
  out.dense = f;
  for (Index j = 0; j < f.cols(); ++j)
    out.feature_names.push_back(fmt::format("{}_f{}", spec_.algorithm, j + 1));
  return out;
}

ScoreMatrix NetModel::predict_scores(const Dataset& data, const Context& ctx) const {
  if (!state_) throw Error(spec_.algorithm + ": predict_scores() called before fit()");
  const State& s = *state_;
  check_prediction_input(spec_.algorithm, s.image_input, s.feature_names, s.label_names, data);
  configure_torch(ctx);
  // On the context's device: a loaded checkpoint is on the CPU (`predict --device cuda`).
  if (const torch::Device device = parse_device(ctx.device); device != s.device) move_state(*state_, device);
  const FlushDenormalsGuard flush_denormals;  // as in training: same scores
  torch::NoGradGuard no_grad;
  return to_matrix(torch::sigmoid(s.logits(data, ctx.resolved_threads())));
}

void register_net_models() { register_heads(); }

}  // namespace lg::nets
