#include "models/registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>

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

const ModelEntry* find_model(const std::string& name) {
  register_builtin_models();
  std::lock_guard<std::mutex> lock(entries_mutex());
  const auto it = entries().find(name);
  return it == entries().end() ? nullptr : &it->second;
}

std::vector<std::string> model_names() {
  register_builtin_models();
  std::lock_guard<std::mutex> lock(entries_mutex());
  std::vector<std::string> names;
  for (const auto& [name, entry] : entries()) names.push_back(name);
  return names;
}

ModelPtr make_model(const std::string& name, const toml::table& params, const std::string& file,
                    std::size_t line) {
  const ModelEntry* entry = find_model(name);
  if (!entry)
    throw Error(file, line,
                fmt::format("unknown algorithm '{}' (known: {})", name, fmt::join(model_names(), ", ")));
  TomlTableReader reader(params, file, fmt::format("the parameters of '{}'", name));
  toml::table resolved;
  ModelPtr model = entry->create(reader, resolved);
  reader.reject_unknown_keys();
  return model;
}

}  // namespace lg::models
