// The plugin's one exported entry point (see core/nets_loader.hpp).
#include "core/nets_loader.hpp"
#include "nets/tensor_convert.hpp"

extern "C" __attribute__((visibility("default"))) const lg::NetsApi* labelgraph_nets_api() {
  static const lg::NetsApi api = [] {
    lg::NetsApi a;
    a.abi_version = lg::kNetsAbiVersion;
    a.labelgraph_version = LABELGRAPH_VERSION;
    a.torch_version = &lg::nets::torch_version;
    a.configure_torch = &lg::nets::configure_torch;
    return a;
  }();
  return &api;
}
