#pragma once
// LibTorch lives in a plugin: src/nets builds liblabelgraph_nets.so, loaded on first use.
// Commands that never train (stats, synth, data, eval, graph) therefore start in
// milliseconds instead of paying LibTorch's ~0.7 s of load-time initialisation.
//
// The plugin exports one C function, `labelgraph_nets_api`, returning a NetsApi table. Later
// issues add entries (model registration, training) at the end and bump kNetsAbiVersion.
#include <string>

#include "core/context.hpp"

namespace lg {

inline constexpr int kNetsAbiVersion = 1;

struct NetsApi {
  int abi_version = 0;                               ///< must equal kNetsAbiVersion
  const char* labelgraph_version = "";               ///< the version the plugin was built as
  std::string (*torch_version)() = nullptr;          ///< "1.13.0 (cpu)" etc.
  void (*configure_torch)(const Context&) = nullptr; ///< threads and seed from the Context
};

/// Load the plugin once (thread-safe) and return its table. Where: the file named by the
/// LABELGRAPH_NETS_PLUGIN environment variable if set (and only there), else the executable's
/// folder, its parent, then the build folder the toolkit was configured in. Throws lg::Error saying where it looked and why it failed.
const NetsApi& nets_api();

}  // namespace lg
