#include "io/toml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.hpp"

namespace lg {
namespace fs = std::filesystem;

toml::table parse_toml_file(const fs::path& path) {
  if (!fs::is_regular_file(path)) throw Error(path.string(), 0, "file not found");
  try {
    return toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    throw Error(path.string(), e.source().begin.line, std::string(e.description()));
  }
}

TomlTableReader::TomlTableReader(const toml::table& table, std::string file, std::string where)
    : table_(table), file_(std::move(file)), where_(std::move(where)) {}

const toml::node* TomlTableReader::known(std::string_view key) {
  known_.emplace_back(key);
  return table_.get(key);
}

const toml::table* TomlTableReader::table(std::string_view key) {
  const toml::node* node = known(key);
  if (!node) return nullptr;
  if (!node->is_table()) wrong_type(key, *node, "a table");
  return node->as_table();
}

const toml::array* TomlTableReader::tables(std::string_view key) {
  const toml::node* node = known(key);
  if (!node) return nullptr;
  const toml::array* arr = node->as_array();
  if (!arr || !arr->is_array_of_tables())
    fail(key, fmt::format("'{}' must be written as [[{}]] tables", key, key));
  return arr;
}

void TomlTableReader::reject_unknown_keys() const {
  for (const auto& [key, node] : table_) {
    if (std::find(known_.begin(), known_.end(), key.str()) != known_.end()) continue;
    std::string expected;
    for (const std::string& k : known_) expected += (expected.empty() ? "" : ", ") + k;
    throw Error(file_, key.source().begin.line,
                fmt::format("unknown key '{}' in {} (expected one of: {})", key.str(), where_, expected));
  }
}

void TomlTableReader::fail(std::string_view key, const std::string& message) const {
  const toml::node* node = table_.get(key);
  throw Error(file_, node ? node->source().begin.line : line(), message);
}

void TomlTableReader::fail(const std::string& message) const { throw Error(file_, line(), message); }

std::size_t TomlTableReader::line() const { return table_.source().begin.line; }

void TomlTableReader::wrong_type(std::string_view key, const toml::node& node, std::string_view expected) const {
  throw Error(file_, node.source().begin.line, fmt::format("'{}' must be {} (in {})", key, expected, where_));
}

}  // namespace lg
