#pragma once
// LibTorch lives in a plugin: src/nets builds liblabelgraph_nets.so, loaded on first use.
// Commands that never train (stats, synth, data, eval, graph) therefore start in
// milliseconds instead of paying LibTorch's ~0.7 s of load-time initialisation.
//
// The plugin exports one C function, `labelgraph_nets_api`, returning a NetsApi table. Later
// issues add entries (model registration, training) at the end and bump kNetsAbiVersion.
#include <filesystem>
#include <memory>
#include <string>

#include "core/context.hpp"
#include "core/train_session.hpp"

namespace lg {

struct Dataset;
namespace models {
class Model;
}

inline constexpr int kNetsAbiVersion = 5;  // 3: TrainSession keeps a state file; 4: Model::save_state; 5: broadcast_text

struct NetsApi {
  int abi_version = 0;                               ///< must equal kNetsAbiVersion
  const char* labelgraph_version = "";               ///< the version the plugin was built as
  std::string (*torch_version)() = nullptr;          ///< "1.13.0 (cpu)" etc.
  void (*configure_torch)(const Context&) = nullptr; ///< threads and seed from the Context
  // ---- ABI 2 ----
  /// Add the plugin's models (mlp-br, cnn-br and the heads of nets/heads) to models/registry.
  void (*register_models)() = nullptr;
  /// Train one of the plugin's models (created through the registry) with checkpoints.
  void (*train)(models::Model& model, const Dataset& train, const Context& ctx,
                const TrainSession& session) = nullptr;
  /// Save a trained model of the plugin as a checkpoint (written atomically).
  void (*save)(const models::Model& model, const std::filesystem::path& path) = nullptr;
  /// Load a checkpoint into a model ready to predict (throws lg::Error naming the file).
  std::unique_ptr<models::Model> (*load)(const std::filesystem::path& path) = nullptr;
  // ---- ABI 5 ----
  /// Several processes (ctx.processes): rank 0's `text` into every process's (the runner's
  /// followers learn which cell rank 0 trains next). Throws lg::PeerLost as a collective does.
  void (*broadcast_text)(const Context& ctx, std::string& text) = nullptr;
};

/// Load the plugin once (thread-safe) and return its table. Where: the file named by the
/// LABELGRAPH_NETS_PLUGIN environment variable if set (and only there), else the executable's
/// folder, its parent, then the build folder the toolkit was configured in. Throws lg::Error saying where it looked and why it failed.
const NetsApi& nets_api();

}  // namespace lg
