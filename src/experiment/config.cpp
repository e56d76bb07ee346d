#include "experiment/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "core/error.hpp"
#include "io/toml_reader.hpp"

namespace lg {
namespace fs = std::filesystem;

namespace {

void read_synthetic(TomlTableReader& r, SyntheticSpec& s) {
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
  TomlTableReader r(t, file, fmt::format("[[datasets]] #{}", index + 1));
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
    r.fail("missing", fmt::format("'missing' must be \"error\" or \"impute\", found \"{}\"", missing));
  r.read("optional", d.optional);
  if (const toml::table* synth = r.table("synthetic")) {
    d.generator = "synthetic";
    TomlTableReader sr(*synth, file, fmt::format("[datasets.synthetic] of '{}'", d.name));
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
  const toml::table root = parse_toml_file(path);
  const std::string file = path.string();
  const fs::path base = path.has_parent_path() ? path.parent_path() : fs::path(".");
  ExperimentConfig c;
  c.source = path;
  TomlTableReader top(root, file, "the top level");
  if (const toml::table* exp = top.table("experiment")) {
    TomlTableReader r(*exp, file, "[experiment]");
    r.read("name", c.name);
    r.read("seed", c.seed);
    r.read("threads", c.threads);
    std::string output;
    r.read("output", output);
    if (!output.empty()) c.output = output;
    r.reject_unknown_keys();
  }
  if (const toml::array* datasets = top.tables("datasets"))
    for (std::size_t i = 0; i < datasets->size(); ++i)
      c.datasets.push_back(read_dataset(*datasets->get(i)->as_table(), file, base, i));
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
