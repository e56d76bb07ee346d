// The plugin's one exported entry point (see core/nets_loader.hpp).
#include "core/error.hpp"
#include "core/nets_loader.hpp"
#include "nets/distributed.hpp"
#include "nets/net_model.hpp"
#include "nets/tensor_convert.hpp"

namespace {

const lg::nets::NetModel& as_net(const lg::models::Model& model) {
  const auto* net = dynamic_cast<const lg::nets::NetModel*>(&model);
  if (!net)
    throw lg::Error("'" + model.name() + "' is not a neural model (mlp-br, cnn-br, mlgcn or another head): it cannot be "
                    "trained with checkpoints or saved");
  return *net;
}

void train(lg::models::Model& model, const lg::Dataset& data, const lg::Context& ctx,
           const lg::TrainSession& session) {
  const_cast<lg::nets::NetModel&>(as_net(model)).train(data, ctx, session);
}

void save(const lg::models::Model& model, const std::filesystem::path& path) {
  as_net(model).save(path);
}

std::unique_ptr<lg::models::Model> load(const std::filesystem::path& path) {
  return lg::nets::NetModel::load(path);
}

void broadcast_text(const lg::Context& ctx, std::string& text) {
  lg::nets::ProcessGroup* group = lg::nets::ProcessGroup::of(ctx);
  if (!group) return;
  group->broadcast_text(text, "the runner's next cell");
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const lg::NetsApi* labelgraph_nets_api() {
  static const lg::NetsApi api = [] {
    lg::NetsApi a;
    a.abi_version = lg::kNetsAbiVersion;
    a.labelgraph_version = LABELGRAPH_VERSION;
    a.torch_version = &lg::nets::torch_version;
    a.configure_torch = &lg::nets::configure_torch;
    a.register_models = &lg::nets::register_net_models;
    a.train = &train;
    a.save = &save;
    a.load = &load;
    a.broadcast_text = &broadcast_text;
    return a;
  }();
  return &api;
}
