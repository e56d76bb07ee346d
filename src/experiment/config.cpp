#include "experiment/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <toml++/toml.h>

#include "core/error.hpp"

namespace lg {
namespace fs = std::filesystem;

namespace {

/// Reads one TOML table into typed values; remembers which keys were read so that
/// any other key is reported as unknown, with its line.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string file, std::string where)
      : table_(table), file_(std::move(file)), where_(std::move(where)) {}

  template <class T>
  void read(std::string_view key, T& out) {
    known_.emplace_back(key);
    const toml::node* node = table_.get(key);
    if (!node) return;
    if constexpr (std::is_same_v<T, bool>) {
      if (auto v = node->value<bool>()) { out = *v; return; }
      fail(*node, key, "true or false");
    } else if constexpr (std::is_integral_v<T>) {
      auto v = node->value<std::int64_t>();
      if (!v || !node->is_integer()) fail(*node, key, "an integer");
      if (*v < 0 && std::is_unsigned_v<T>) fail(*node, key, "a non-negative integer");
      out = static_cast<T>(*v);
    } else if constexpr (std::is_floating_point_v<T>) {
      auto v = node->value<double>();
      if (!v) fail(*node, key, "a number");
      out = static_cast<T>(*v);
    } else if constexpr (std::is_same_v<T, std::string>) {
      auto v = node->value<std::string>();
      if (!v) fail(*node, key, "a string");
      out = *v;
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      const toml::array* arr = node->as_array();
      if (!arr) fail(*node, key, "an array of strings");
      out.clear();
      for (const toml::node& item : *arr) {
        auto v = item.value<std::string>();
        if (!v) fail(item, key, "an array of strings");
        out.push_back(*v);
      }
    } else {
      static_assert(sizeof(T) == 0, "unsupported config value type");
    }
  }

  /// A sub-table, or nullptr when absent.
  const toml::table* table(std::string_view key) {
    known_.emplace_back(key);
    const toml::node* node = table_.get(key);
    if (!node) return nullptr;
    if (!node->is_table()) fail(*node, key, "a table");
    return node->as_table();
  }

  /// A key read by other means (e.g. an array of tables).
  void mark_known(std::string_view key) { known_.emplace_back(key); }

  /// Every key of the table must have been read.
  void reject_unknown_keys() const {
    for (const auto& [key, node] : table_) {
      if (std::find(known_.begin(), known_.end(), key.str()) != known_.end()) continue;
      std::string known;
      for (const std::string& k : known_) known += (known.empty() ? "" : ", ") + k;
      throw Error(file_, key.source().begin.line,
                  fmt::format("unknown key '{}' in {} (expected one of: {})", key.str(), where_, known));
    }
  }

  [[noreturn]] void fail(const toml::node& node, std::string_view key, std::string_view expected) const {
    throw Error(file_, node.source().begin.line,
                fmt::format("'{}' in {}: expected {}", key, where_, expected));
  }

 private:
  const toml::table& table_;
  std::string file_;
  std::string where_;
  std::vector<std::string> known_;
};

void read_synthetic(TableReader& r, SyntheticSpec& s) {
  r.read("rows", s.rows);
  r.read("labels", s.labels);
  r.read("features", s.features);
  r.read("groups", s.groups);
  r.read("imbalance", s.imbalance);
  r.read("top_frequency", s.top_frequency);
  r.read("weak_fraction", s.weak_fraction);
  r.read("background", s.background);
  r.read("signal", s.signal);
  r.read("weak_signal", s.weak_signal);
  r.read("noise", s.noise);
  r.reject_unknown_keys();
}

DatasetConfig read_dataset(const toml::table& t, const std::string& file, const fs::path& base,
                           std::size_t index) {
  DatasetConfig d;
  d.line = t.source().begin.line;
  TableReader r(t, file, fmt::format("[[datasets]] #{}", index + 1));
  r.read("name", d.name);
  std::vector<std::string> files;
  r.read("files", files);
  for (const std::string& f : files) d.files.push_back(fs::path(f).is_absolute() ? fs::path(f) : base / f);
  std::string xml;
  r.read("xml", xml);
  if (!xml.empty()) d.read.labels.xml = fs::path(xml).is_absolute() ? fs::path(xml) : base / xml;
  int label_count = 0;
  r.read("label_count", label_count);
  if (label_count != 0) d.read.labels.count = label_count;
  r.read("label_columns", d.read.labels.columns);
  r.read("label_prefix", d.read.labels.prefix);
  std::string missing = "error";
  r.read("missing", missing);
  if (missing == "impute") d.read.missing = MissingPolicy::ImputeMean;
  else if (missing != "error")
    throw Error(file, d.line, fmt::format("'missing' must be \"error\" or \"impute\", found \"{}\"", missing));
  r.read("optional", d.optional);
  if (const toml::table* synth = r.table("synthetic")) {
    d.generator = "synthetic";
    TableReader sr(*synth, file, fmt::format("[datasets.synthetic] of '{}'", d.name));
    read_synthetic(sr, d.synthetic);
    try {
      validate(d.synthetic);
    } catch (const Error& e) {
      throw Error(file, synth->source().begin.line, e.message());
    }
  }
  r.reject_unknown_keys();
  if (d.name.empty()) throw Error(file, d.line, "each [[datasets]] needs a name");
  if (d.generator.empty() == false && !d.files.empty())
    throw Error(file, d.line, fmt::format("data set '{}': give either files or [datasets.synthetic], not both", d.name));
  return d;
}

}  // namespace

ExperimentConfig load_experiment_config(const fs::path& path) {
  if (!fs::exists(path)) throw Error(path.string(), 0, "config file not found");
  toml::table root;
  try {
    root = toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    throw Error(path.string(), e.source().begin.line, std::string(e.description()));
  }
  const std::string file = path.string();
  const fs::path base = path.has_parent_path() ? path.parent_path() : fs::path(".");
  ExperimentConfig c;
  c.source = path;
  TableReader top(root, file, "the top level");
  if (const toml::table* exp = top.table("experiment")) {
    TableReader r(*exp, file, "[experiment]");
    r.read("name", c.name);
    r.read("seed", c.seed);
    r.read("threads", c.threads);
    std::string output;
    r.read("output", output);
    if (!output.empty()) c.output = output;
    r.reject_unknown_keys();
  }
  // [[datasets]] is an array of tables.
  const toml::node* ds = root.get("datasets");
  if (ds) {
    const toml::array* arr = ds->as_array();
    if (!arr || !arr->is_array_of_tables())
      throw Error(file, ds->source().begin.line, "'datasets' must be written as [[datasets]] tables");
    for (std::size_t i = 0; i < arr->size(); ++i)
      c.datasets.push_back(read_dataset(*arr->get(i)->as_table(), file, base, i));
  }
  top.mark_known("datasets");
  top.reject_unknown_keys();
  if (c.datasets.empty()) throw Error(file, 0, "the config declares no [[datasets]]");
  return c;
}

std::string to_toml(const ExperimentConfig& c) {
  toml::table exp{{"name", c.name},
                  {"seed", static_cast<std::int64_t>(c.seed)},
                  {"threads", c.threads},
                  {"output", c.output.string()}};
  toml::array datasets;
  for (const DatasetConfig& d : c.datasets) {
    toml::table t{{"name", d.name}, {"optional", d.optional}};
    if (!d.files.empty()) {
      toml::array files;
      for (const fs::path& f : d.files) files.push_back(f.string());
      t.insert("files", files);
    }
    if (!d.read.labels.xml.empty()) t.insert("xml", d.read.labels.xml.string());
    if (d.read.labels.count) t.insert("label_count", *d.read.labels.count);
    if (!d.read.labels.prefix.empty()) t.insert("label_prefix", d.read.labels.prefix);
    if (!d.read.labels.columns.empty()) {
      toml::array cols;
      for (const std::string& col : d.read.labels.columns) cols.push_back(col);
      t.insert("label_columns", cols);
    }
    t.insert("missing", d.read.missing == MissingPolicy::ImputeMean ? "impute" : "error");
    if (d.generator == "synthetic") {
      const SyntheticSpec& s = d.synthetic;
      t.insert("synthetic", toml::table{{"rows", s.rows},
                                        {"labels", s.labels},
                                        {"features", s.features},
                                        {"groups", s.groups},
                                        {"imbalance", s.imbalance},
                                        {"top_frequency", s.top_frequency},
                                        {"weak_fraction", s.weak_fraction},
                                        {"background", s.background},
                                        {"signal", s.signal},
                                        {"weak_signal", s.weak_signal},
                                        {"noise", s.noise}});
    }
    datasets.push_back(std::move(t));
  }
  toml::table root{{"experiment", exp}, {"datasets", datasets}};
  std::ostringstream out;
  out << "# resolved configuration: every default written out\n" << root << "\n";
  return out.str();
}

}  // namespace lg
