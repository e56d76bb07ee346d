// The one checkpoint format of every network model (nets/net_model.hpp): a torch archive with
// a JSON meta record (algorithm, resolved parameters, names, training state, history), the
// network's state (backbone and head), the standardisation, a TorchScript backbone's bytes,
// the optimiser's state and the best epoch's weights.
#include <torch/torch.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <cmath>
#include <limits>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "models/registry.hpp"
#include "nets/net_state.hpp"
#include "nets/optimizers.hpp"
#include "nets/tensor_convert.hpp"

namespace lg::nets {
namespace {

constexpr const char* kCheckpointFormat = "labelgraph-net-checkpoint";
// 2: the network is a backbone and a head (module names backbone.*, head.*); version 1
// checkpoints (before the heads) are refused with a message. Fields added since (the state of
// an unfinished epoch) are read with defaults, so every version 2 file loads.
constexpr int kCheckpointVersion = 2;

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

}  // namespace

void NetModel::save(const std::filesystem::path& path) const {
  if (!state_) throw Error(path.string(), 0, spec_.algorithm + ": nothing to save before training");
  const State& s = *state_;
  nlohmann::json meta = {
      {"format", kCheckpointFormat},
      {"version", kCheckpointVersion},
      {"labelgraph", LABELGRAPH_VERSION},
      {"torch", torch_version()},
      {"algorithm", spec_.algorithm},
      {"params", spec_.params_toml},
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
      {"epoch_batches", s.epoch_batches},
      {"threads", s.trained_threads},
      // Exact: nlohmann writes the shortest text that reads back as the same double.
      {"epoch_loss_sum", std::isfinite(s.epoch_loss_sum) ? nlohmann::json(s.epoch_loss_sum)
                                                         : nlohmann::json(nullptr)},
      {"epoch_seconds", s.epoch_seconds},
      {"history", history_json(s.history)},
      {"notes", s.notes},
      {"image_input", s.image_input},
      {"head", head_->name()},
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
  if (TorchScriptBackbone* script = s.net->backbone->script())
    archive.write("torchscript", c10::IValue(script->to_bytes()));
  const std::string head_script = s.net->head->script_bytes();
  if (!head_script.empty()) archive.write("head_torchscript", c10::IValue(head_script));
  torch::serialize::OutputArchive opt_archive;
  s.optimizer->save(opt_archive);
  archive.write("optimizer", opt_archive);
  torch::serialize::OutputArchive best_archive;
  for (std::size_t k = 0; k < s.best_weights.size(); ++k)
    best_archive.write(std::to_string(k), s.best_weights[k]);
  archive.write("best_weights", best_archive);
  if (s.epoch_batches > 0) archive.write("epoch_dropout_state", s.epoch_dropout_state);
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
    s.epoch_batches = meta.value("epoch_batches", Index{0});
    s.trained_threads = meta.value("threads", 0);
    if (s.epoch_batches < 0 || (s.epoch_batches > 0 && s.finished))
      throw Error(file, 0, fmt::format("damaged checkpoint: {} batches done in an unfinished epoch",
                                       s.epoch_batches));
    if (meta.contains("epoch_loss_sum"))
      s.epoch_loss_sum = meta.at("epoch_loss_sum").is_null()
                             ? std::numeric_limits<double>::quiet_NaN()
                             : meta.at("epoch_loss_sum").get<double>();
    s.epoch_seconds = meta.value("epoch_seconds", 0.0);
    s.history = history_from_json(meta.at("history"));
    s.notes = meta.at("notes").get<std::vector<std::string>>();
    s.image_input = meta.value("image_input", false);
    if (s.image_input && !model->spec_.backbone)
      throw Error(file, 0, algorithm + " checkpoint says it reads images, but the model has no backbone");
    if (s.image_input) {
      s.channels_last = model->spec_.backbone->channels_last && model->spec_.backbone->torchscript_path().empty();
      s.train_transform = image_transform(*model->spec_.backbone, true);
      s.eval_transform = image_transform(*model->spec_.backbone, false);
    }
    const auto labels = static_cast<Index>(s.label_names.size());
    std::shared_ptr<TorchScriptBackbone> script;
    c10::IValue script_bytes;
    if (archive.try_read("torchscript", script_bytes)) {
      if (!script_bytes.isString() || !model->spec_.backbone)
        throw Error(file, 0, "damaged checkpoint: its TorchScript backbone record is unusable");
      script = std::make_shared<TorchScriptBackbone>(TorchScriptBackbone::from_bytes(
          script_bytes.toStringRef(), script_options(*model->spec_.backbone), file));
    }
    LabelSide side = model->head_->empty_label_side(labels, s.label_input_dim);
    c10::IValue head_script;
    if (archive.try_read("head_torchscript", head_script)) {
      if (!head_script.isString())
        throw Error(file, 0, "damaged checkpoint: its TorchScript head record is unusable");
      side.script = head_script.toStringRef();
    }
    s.net = make_network(model->spec_, *model->head_, s.image_input,
                         static_cast<Index>(s.feature_names.size()), labels, side, script, 0);
    torch::serialize::InputArchive net_archive;
    archive.read("net", net_archive);
    s.net->load(net_archive);
    if (meta.at("standardize").get<bool>()) {
      archive.read("standardize_mean", s.mean);
      archive.read("standardize_scale", s.scale);
    }
    s.optimizer = make_optimizer(s.net->base_parameters(), s.net->graph_parameters(), model->spec_.train);
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
    if (s.epoch_batches > 0 &&
        (!archive.try_read("epoch_dropout_state", s.epoch_dropout_state) ||
         s.epoch_dropout_state.scalar_type() != torch::kUInt8))
      throw Error(file, 0, "damaged checkpoint: the unfinished epoch's dropout generator state is missing");
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

}  // namespace lg::nets
