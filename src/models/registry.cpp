#include "models/registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <sstream>

#include "core/nets_loader.hpp"

namespace lg::models {

// Each family registers its models in its own file (register_*.cpp).
void register_linear_models();     // br, cc, ecc
void register_partition_models();  // lp, rakel, lp-communities, mlknn

namespace {

std::map<std::string, ModelEntry>& entries() {
  static std::map<std::string, ModelEntry> map;
  return map;
}

std::mutex& entries_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

void register_model(ModelEntry entry) {
  std::lock_guard<std::mutex> lock(entries_mutex());
  entries()[entry.name] = std::move(entry);
}

void register_builtin_models() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_linear_models();
    register_partition_models();
  });
}

namespace {

const ModelEntry* lookup(const std::string& name) {
  std::lock_guard<std::mutex> lock(entries_mutex());
  const auto it = entries().find(name);
  return it == entries().end() ? nullptr : &it->second;
}

// The neural models live in the LibTorch plugin, loaded only when a name is not found among
// the classical ones (so configs without them never pay LibTorch's start-up). Returns the
// reason when the plugin cannot be loaded.
std::string register_plugin_models() {
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    try {
      const NetsApi& api = nets_api();
      if (api.register_models) api.register_models();
    } catch (const Error& e) {
      failure = e.what();
    }
  });
  return failure;
}

}  // namespace

std::string neural_models_unavailable() { return register_plugin_models(); }

const ModelEntry* find_model(const std::string& name) {
  register_builtin_models();
  if (const ModelEntry* entry = lookup(name)) return entry;
  register_plugin_models();
  return lookup(name);
}

std::vector<std::string> model_names() {
  register_builtin_models();
  register_plugin_models();
  std::lock_guard<std::mutex> lock(entries_mutex());
  std::vector<std::string> names;
  for (const auto& [name, entry] : entries()) names.push_back(name);
  return names;
}

std::vector<std::string> classical_model_names() {
  register_builtin_models();
  std::lock_guard<std::mutex> lock(entries_mutex());
  std::vector<std::string> names;
  for (const auto& [name, entry] : entries())
    if (!entry.neural) names.push_back(name);
  return names;
}

ModelPtr make_model(const std::string& name, const toml::table& params, const std::string& file,
                    std::size_t line) {
  const ModelEntry* entry = find_model(name);
  if (!entry) {
    const std::string plugin_failure = register_plugin_models();
    throw Error(file, line,
                fmt::format("unknown algorithm '{}' (known: {}){}", name,
                            fmt::join(model_names(), ", "),
                            plugin_failure.empty()
                                ? ""
                                : "; the neural models (mlp-br, cnn-br, mlgcn) are unavailable: " +
                                      plugin_failure));
  }
  TomlTableReader reader(params, file, fmt::format("the parameters of '{}'", name));
  toml::table resolved;
  ModelPtr model = entry->create(reader, resolved);
  reader.reject_unknown_keys();
  std::ostringstream text;
  text << resolved;
  model->set_resolved_params(text.str());
  return model;
}

}  // namespace lg::models
