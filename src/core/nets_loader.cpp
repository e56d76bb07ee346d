#include "core/nets_loader.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

#include "core/error.hpp"

#ifndef LABELGRAPH_NETS_PLUGIN_PATH
#define LABELGRAPH_NETS_PLUGIN_PATH ""
#endif

namespace lg {
namespace fs = std::filesystem;

namespace {

constexpr const char* kPluginFile = "liblabelgraph_nets.so";

std::vector<fs::path> candidates() {
  std::vector<fs::path> paths;
  // An explicit setting is the only candidate: no silent fallback to another build.
  if (const char* env = std::getenv("LABELGRAPH_NETS_PLUGIN"); env && *env) return {fs::path(env)};
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    paths.push_back(exe.parent_path() / kPluginFile);
    paths.push_back(exe.parent_path().parent_path() / kPluginFile);  // tests/ and bench/ live one down
  }
  if (*LABELGRAPH_NETS_PLUGIN_PATH) paths.emplace_back(LABELGRAPH_NETS_PLUGIN_PATH);
  return paths;
}

const NetsApi* load() {
  std::string tried;
  for (const fs::path& path : candidates()) {
    if (!fs::exists(path)) {
      tried += fmt::format("\n  {} (absent)", path.string());
      continue;
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      tried += fmt::format("\n  {} ({})", path.string(), dlerror());
      continue;
    }
    using Entry = const NetsApi* (*)();
    auto entry = reinterpret_cast<Entry>(dlsym(handle, "labelgraph_nets_api"));
    if (!entry) throw Error(path.string(), 0, "not a labelgraph nets plugin (no labelgraph_nets_api)");
    const NetsApi* api = entry();
    if (api->abi_version != kNetsAbiVersion || std::string(api->labelgraph_version) != LABELGRAPH_VERSION)
      throw Error(path.string(), 0,
                  fmt::format("plugin built for labelgraph {} (ABI {}), this is {} (ABI {}): rebuild",
                              api->labelgraph_version, api->abi_version, LABELGRAPH_VERSION, kNetsAbiVersion));
    return api;  // never unloaded: LibTorch does not support dlclose
  }
  throw Error(fmt::format("cannot load the LibTorch plugin {}; looked at:{}", kPluginFile, tried));
}

}  // namespace

const NetsApi& nets_api() {
  static std::once_flag once;
  static const NetsApi* api = nullptr;
  std::call_once(once, [] { api = load(); });
  return *api;
}

}  // namespace lg
