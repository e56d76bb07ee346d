#include "experiment/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "core/error.hpp"
#include "io/catalog.hpp"
#include "eval/measures.hpp"
#include "eval/thresholding.hpp"
#include "graph/graph_render.hpp"
#include "graph/weighting.hpp"
#include "io/toml_reader.hpp"
#include "models/registry.hpp"

namespace lg {
namespace fs = std::filesystem;

std::string config_value_text(const toml::node& node) {
  if (const auto s = node.value_exact<std::string>()) return *s;
  if (const auto i = node.value_exact<std::int64_t>()) return std::to_string(*i);
  if (const auto d = node.value_exact<double>()) return fmt::format("{}", *d);
  if (const auto b = node.value_exact<bool>()) return *b ? "true" : "false";
  return "?";  // take_value_lists admits scalars only
}

std::vector<std::vector<std::size_t>> index_combinations(const std::vector<std::size_t>& sizes) {
  std::vector<std::vector<std::size_t>> out{{}};
  for (const std::size_t size : sizes) {
    std::vector<std::vector<std::size_t>> next;
    for (const auto& prefix : out)
      for (std::size_t v = 0; v < size; ++v) {
        next.push_back(prefix);
        next.back().push_back(v);
      }
    out = std::move(next);
  }
  return out;
}

namespace {

toml::table split_table(const SplitSpec& s);

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

/// Run `check` (which throws lg::Error(message)) and re-throw at the reader's table.
template <class F>
void validated(TomlTableReader& r, F check) {
  try {
    check();
  } catch (const Error& e) {
    r.fail(e.message());
  }
}

void read_scenes(TomlTableReader& r, SceneSpec& s) {
  r.read("rows", s.rows);
  r.read("size", s.size);
  r.read("kinds", s.kinds);
  r.read("contexts", s.contexts);
  r.read("weak_fraction", s.weak_fraction);
  r.read("imbalance", s.imbalance);
  r.read("top_frequency", s.top_frequency);
  r.read("background", s.background);
  r.read("partner_rate", s.partner_rate);
  r.read("max_copies", s.max_copies);
  r.read("weak_contrast", s.weak_contrast);
  r.read("occlusion", s.occlusion);
  r.read("min_visible_pixels", s.min_visible_pixels);
  r.read("noise", s.noise);
  r.reject_unknown_keys();
}

toml::table scenes_table(const SceneSpec& s) {
  return toml::table{{"rows", s.rows},
                     {"size", s.size},
                     {"kinds", s.kinds},
                     {"contexts", s.contexts},
                     {"weak_fraction", s.weak_fraction},
                     {"imbalance", s.imbalance},
                     {"top_frequency", s.top_frequency},
                     {"background", s.background},
                     {"partner_rate", s.partner_rate},
                     {"max_copies", s.max_copies},
                     {"weak_contrast", s.weak_contrast},
                     {"occlusion", s.occlusion},
                     {"min_visible_pixels", s.min_visible_pixels},
                     {"noise", s.noise}};
}

void read_mosaics(TomlTableReader& r, MosaicSpec& s) {
  r.read("rows", s.rows);
  r.read("grid", s.grid);
  std::string source;
  r.read("source", source);
  if (!source.empty()) s.source_dir = source;
  r.read("split", s.split);
  r.read("empty_rate", s.empty_rate);
  r.read("stray_rate", s.stray_rate);
  r.read("empty_noise", s.empty_noise);
  r.read("tint", s.tint);
  r.reject_unknown_keys();
}

toml::table mosaics_table(const MosaicSpec& s) {
  return toml::table{{"rows", s.rows},       {"grid", s.grid},
                     {"source", fs::absolute(s.source_dir).lexically_normal().string()}, {"split", s.split},
                     {"empty_rate", s.empty_rate}, {"stray_rate", s.stray_rate},
                     {"empty_noise", s.empty_noise}, {"tint", s.tint}};
}

SplitSpec read_split(TomlTableReader& r, SplitSpec s = {}) {
  r.read("method", s.method);
  r.read("folds", s.folds);
  r.read("order", s.order);
  r.read("test_fraction", s.test_fraction);
  r.read("train_fraction", s.train_fraction);
  r.reject_unknown_keys();
  validated(r, [&] { validate(s); });
  return s;
}

void read_resampling(TomlTableReader& r, ResamplingSpec& s) {
  r.read("method", s.method);
  r.read("percentage", s.percentage);
  r.read("k", s.k);
  r.read("label_set", s.label_set);
  r.reject_unknown_keys();
  validated(r, [&] { validate(s); });
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

/// A key given as { sweep = [...] } or { search = [...] }: its values, where it was written.
struct ValueList {
  std::string key;
  toml::array values;
  std::size_t line = 0;
};

/// Takes every `key = { sweep = [...] }` (and, when `searches` is given, `{ search = [...] }`)
/// out of `t`, leaving the first value in its place. Errors name the file and the line.
void take_value_lists(toml::table& t, const std::string& file, const std::string& where,
                      std::vector<ValueList>& sweeps, std::vector<ValueList>* searches) {
  std::vector<std::pair<std::string, toml::array>> firsts;  // each list's key and values
  for (auto&& [key, node] : t) {
    toml::table* inner = node.as_table();
    if (!inner || !(inner->contains("sweep") || inner->contains("search"))) continue;
    const std::size_t line = node.source().begin.line;
    const bool sweep = inner->contains("sweep");
    const char* kind = sweep ? "sweep" : "search";
    if (inner->size() != 1)
      throw Error(file, line, fmt::format("{}: {} = {{ {} = [...] }} takes nothing else (a "
                                          "sweep and a search of one key are exclusive)",
                                          where, key.str(), kind));
    if (!sweep && !searches)
      throw Error(file, line, fmt::format("{}: {} = {{ search = [...] }}: only an algorithm's "
                                          "parameters can be searched (sweep them here instead)",
                                          where, key.str()));
    const toml::array* values = (*inner)[kind].as_array();
    if (!values || values->empty())
      throw Error(file, line, fmt::format("{}: {} = {{ {} = [...] }} needs a non-empty array of "
                                          "values",
                                          where, key.str(), kind));
    std::vector<std::string> seen;
    for (const toml::node& v : *values) {
      if (!(v.is_string() || v.is_number() || v.is_boolean()))
        throw Error(file, line, fmt::format("{}: {} = {{ {} = [...] }}: values must be numbers, "
                                            "strings or booleans",
                                            where, key.str(), kind));
      const std::string text = config_value_text(v);
      if (contains(seen, text))
        throw Error(file, line, fmt::format("{}: {} = {{ {} = [...] }} lists {} twice", where,
                                            key.str(), kind, text));
      seen.push_back(text);
    }
    (sweep ? sweeps : *searches).push_back({std::string(key.str()), *values, line});
    firsts.emplace_back(std::string(key.str()), *values);  // a copy: `t` changes below
  }
  for (const auto& [key, values] : firsts) t.insert_or_assign(key, *values.get(0));
}

/// Every combination of the lists' values (the last list varies fastest).
std::vector<std::vector<const toml::node*>> combinations(const std::vector<ValueList>& lists) {
  std::vector<std::size_t> sizes;
  for (const ValueList& list : lists) sizes.push_back(list.values.size());
  std::vector<std::vector<const toml::node*>> out;
  for (const std::vector<std::size_t>& pick : index_combinations(sizes)) {
    out.emplace_back();
    for (std::size_t k = 0; k < pick.size(); ++k) out.back().push_back(lists[k].values.get(pick[k]));
  }
  return out;
}

/// " key=value key2=value2": what a sweep point adds to a label.
std::string point_suffix(const std::vector<std::pair<std::string, std::string>>& point) {
  std::string out;
  for (const auto& [key, value] : point) out += " " + key + "=" + value;
  return out;
}

void read_evaluation(TomlTableReader& r, EvaluationConfig& e) {
  r.read("threshold", e.threshold);
  r.read("validation_fraction", e.validation_fraction);
  r.read("measures", e.measures);
  r.read("zero_division", e.zero_division);
  r.read("bucket_edges", e.bucket_edges);
  r.read("baseline", e.baseline);
  r.reject_unknown_keys();
  try {
    eval::parse_threshold_spec(e.threshold);
  } catch (const Error& err) {
    r.fail("threshold", err.message());
  }
  if (!(e.validation_fraction > 0 && e.validation_fraction < 1))
    r.fail("validation_fraction", "'validation_fraction' must be in (0, 1)");
  for (const std::string& m : e.measures)
    if (!contains(eval::measure_names(), m))
      r.fail("measures", fmt::format("unknown measure '{}' (known: {})", m,
                                     fmt::join(eval::measure_names(), ", ")));
  try {
    eval::parse_zero_division(e.zero_division);
  } catch (const Error& err) {
    r.fail("zero_division", err.message());
  }
  for (std::size_t i = 0; i < e.bucket_edges.size(); ++i)
    if (!(e.bucket_edges[i] > 0 && e.bucket_edges[i] < 1) ||
        (i > 0 && e.bucket_edges[i] <= e.bucket_edges[i - 1]))
      r.fail("bucket_edges", "'bucket_edges' must be increasing quantiles in (0, 1)");
}

using NamedGraphs = std::map<std::string, graph::LabelGraphSpec>;

/// A graph spec's keys as the named graph states them (`weighting` for the builder).
toml::table spec_table(graph::LabelGraphSpec spec, bool propagation) {
  toml::table t;
  models::ParamWriter w{t};
  spec.visit(w, "weighting", true, propagation);
  return t;
}

/// The spec's own checks, reported at its builder key when that is the problem; `where`
/// ("[graphs.NAME]", "[graph]") starts the message.
void check_spec(TomlTableReader& r, const graph::LabelGraphSpec& spec, const std::string& where) {
  if (!contains(graph::weighting_names(), spec.weighting))
    r.fail("weighting", fmt::format("{}: unknown weighting '{}' (known: {})", where, spec.weighting,
                                    fmt::join(graph::weighting_names(), ", ")));
  try {
    spec.validate();
  } catch (const Error& e) {
    r.fail(where + ": " + e.message());
  }
}

/// [graphs.NAME] tables: every key of a graph spec, propagation included.
/// [graphs.NAME] tables; a key written { sweep = [...] } is read at its first value and its
/// list goes to `sweeps[NAME]` (the algorithms that use the graph sweep it).
NamedGraphs read_named_graphs(TomlTableReader& top, toml::table& root, const std::string& file,
                              std::map<std::string, std::vector<ValueList>>& sweeps) {
  NamedGraphs graphs;
  if (!top.table("graphs")) return graphs;
  toml::table* t = root["graphs"].as_table();
  for (auto&& [key, node] : *t) {
    const std::string name(key.str());
    if (toml::table* mutable_graph = node.as_table()) {
      std::vector<ValueList> lists;
      take_value_lists(*mutable_graph, file, fmt::format("[graphs.{}]", name), lists, nullptr);
      if (!lists.empty()) sweeps[name] = std::move(lists);
    }
    const toml::table* g = node.as_table();
    if (!g)
      throw Error(file, node.source().begin.line,
                  fmt::format("graphs.{} must be a table: [graphs.{}] with weighting = \"...\" "
                              "and its parameters",
                              name, name));
    TomlTableReader r(*g, file, fmt::format("[graphs.{}]", name));
    graph::LabelGraphSpec spec;
    models::ParamReader reader{r};
    spec.visit(reader, "weighting", true, true);
    r.reject_unknown_keys();
    check_spec(r, spec, fmt::format("[graphs.{}]", name));
    graphs.emplace(name, spec);
  }
  return graphs;
}

/// The named graph `name` (read from `key` of `r`'s table), or an error naming the known ones.
const graph::LabelGraphSpec& named_graph(TomlTableReader& r, const NamedGraphs& graphs,
                                         const std::string& name) {
  const auto it = graphs.find(name);
  if (it != graphs.end()) return it->second;
  std::vector<std::string> known;
  for (const auto& [n, spec] : graphs) known.push_back(n);
  r.fail("graph", known.empty()
                      ? fmt::format("graph = \"{}\": the config has no [graphs.{}] table (no "
                                    "[graphs] at all)",
                                    name, name)
                      : fmt::format("graph = \"{}\": no [graphs.{}] table (known: {})", name, name,
                                    fmt::join(known, ", ")));
}

void read_graph(TomlTableReader& r, GraphConfig& g, const NamedGraphs& graphs) {
  r.read("enabled", g.enabled);
  if (r.read("graph", g.graph) && !g.graph.empty()) g.spec = named_graph(r, graphs, g.graph);
  models::ParamReader reader{r};
  g.spec.visit(reader, "weighting", true, false);  // keys given here override the named graph's
  r.read("communities", g.communities);
  r.read("format", g.format);
  r.reject_unknown_keys();
  check_spec(r, g.spec, "[graph]");
  if (!contains(graph::figure_formats(), g.format))
    r.fail("format", fmt::format("unknown figure format '{}' (known: {})", g.format,
                                 fmt::join(graph::figure_formats(), ", ")));
}

/// One [[algorithms]] table: its algorithm, or one algorithm per point of its sweeps.
/// `graph_sweeps`: the swept keys of each [graphs.NAME] (a graph = "NAME" passes them on).
std::vector<AlgorithmConfig> read_algorithm(toml::table& t, const std::string& file,
                                            std::size_t index, const NamedGraphs& graphs,
                                            const std::map<std::string, std::vector<ValueList>>& graph_sweeps) {
  AlgorithmConfig a;
  a.line = t.source().begin.line;
  const std::string where = fmt::format("[[algorithms]] #{}", index + 1);
  TomlTableReader head(t, file, where);
  head.read("name", a.name);
  head.read("graph", a.graph);
  if (a.name.empty()) head.fail("each [[algorithms]] needs a name (e.g. name = \"br\")");
  const models::ModelEntry* entry = models::find_model(a.name);
  if (!entry)
    head.fail("name", fmt::format("unknown algorithm '{}' (known: {}){}", a.name,
                                  fmt::join(models::model_names(), ", "),
                                  models::neural_models_unavailable().empty()
                                      ? std::string()
                                      : "; the neural models are unavailable: " +
                                            models::neural_models_unavailable()));
  // graph = "NAME": the named graph's keys join the table under the model's key names, unless
  // the table gives them itself (its own keys override). Keys the model has no use for (the
  // propagation of a graph that only orders a chain) are left out. Inserted in place: a copy
  // of the table would lose the lines its messages name. A key the graph sweeps joins as its
  // { sweep = [...] }.
  if (!a.graph.empty()) {
    if (entry->graph_weighting_key.empty())
      head.fail("graph", fmt::format("graph = \"{}\": '{}' builds no label graph", a.graph, a.name));
    const auto swept = graph_sweeps.find(a.graph);
    for (auto&& [key, value] : spec_table(named_graph(head, graphs, a.graph), true)) {
      const std::string target =
          key.str() == "weighting" ? entry->graph_weighting_key : std::string(key.str());
      if (!contains(entry->param_keys, target) || t.contains(target)) continue;
      const ValueList* list = nullptr;
      if (swept != graph_sweeps.end())
        for (const ValueList& l : swept->second)
          if (l.key == key.str()) list = &l;
      if (list) t.insert(target, toml::table{{"sweep", list->values}});
      else t.insert(target, value);
    }
  }
  std::vector<ValueList> sweeps, searches;
  take_value_lists(t, file, where, sweeps, &searches);
  TomlTableReader r(t, file, where);
  std::string ignored;
  r.read("name", ignored);
  r.read("graph", ignored);
  r.read("label", a.label);
  r.read("features", a.features);
  // The resolved config's form of a sweep point: sweep_of = "LABEL", swept = ["KEY", ...].
  std::vector<std::string> swept;
  r.read("sweep_of", a.sweep_of);
  r.read("swept", swept);
  entry->create(r, a.params);  // reads and checks the parameters; the model is thrown away
  r.reject_unknown_keys();
  if (a.label.empty()) a.label = a.name;
  for (const std::string& key : swept) {
    const toml::node* value = a.params.get(key);
    if (!value) r.fail("swept", fmt::format("swept = [..., \"{}\"]: '{}' has no such parameter", key, a.name));
    a.sweep.emplace_back(key, config_value_text(*value));
  }
  for (const ValueList& list : sweeps)
    for (const ValueList& other : searches)
      if (list.key == other.key)
        throw Error(file, list.line, fmt::format("{}: '{}' is both swept and searched", where, list.key));
  // Every value of a list must make a valid model: resolve each point's parameters.
  const auto resolve = [&](const toml::table& params, const ValueList& list, const toml::node& v) {
    toml::table changed = params;
    changed.insert_or_assign(list.key, v);
    toml::table resolved;
    try {
      TomlTableReader pr(changed, file, where);
      entry->create(pr, resolved);
      pr.reject_unknown_keys();
    } catch (const Error& e) {
      throw Error(file, list.line, fmt::format("{}: {} = {}: {}", where, list.key, config_value_text(v), e.message()));
    }
    return resolved;
  };
  for (const ValueList& list : searches) {
    for (const toml::node& v : list.values) resolve(a.params, list, v);
    a.search.emplace_back(list.key, list.values);
  }
  if (sweeps.empty()) return {a};
  if (!a.sweep_of.empty())
    throw Error(file, a.line, fmt::format("{}: a sweep point (sweep_of = \"{}\") cannot sweep again", where, a.sweep_of));
  std::vector<AlgorithmConfig> points;
  for (const std::vector<const toml::node*>& combination : combinations(sweeps)) {
    AlgorithmConfig p = a;
    p.sweep_of = a.label;
    for (std::size_t k = 0; k < sweeps.size(); ++k) {
      p.params = resolve(p.params, sweeps[k], *combination[k]);
      p.sweep.emplace_back(sweeps[k].key, config_value_text(*combination[k]));
    }
    p.label = a.label + point_suffix(p.sweep);
    points.push_back(std::move(p));
  }
  return points;
}

/// One [[datasets]] table. A [datasets.split] key written { sweep = [...] } is read at its
/// first value and its list goes to `split_sweeps`.
DatasetConfig read_dataset(toml::table& t, const std::string& file, const fs::path& base,
                           std::size_t index, std::vector<ValueList>& split_sweeps) {
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
  if (r.table("split")) {
    toml::table& split = *t["split"].as_table();
    const std::string where = fmt::format("[datasets.split] of '{}'", d.name);
    take_value_lists(split, file, where, split_sweeps, nullptr);
    TomlTableReader sr(split, file, where);
    d.split = read_split(sr);
  }
  std::vector<std::string> swept;
  r.read("sweep_of", d.sweep_of);
  r.read("swept", swept);
  std::string images, labels_csv;
  r.read("images", images);
  r.read("labels", labels_csv);
  if (!images.empty()) d.images = fs::path(images).is_absolute() ? fs::path(images) : base / images;
  if (!labels_csv.empty())
    d.labels_csv = fs::path(labels_csv).is_absolute() ? fs::path(labels_csv) : base / labels_csv;
  if (d.images.empty() != d.labels_csv.empty())
    r.fail(d.images.empty() ? "labels" : "images",
           "an image folder needs both images = \"DIR\" and labels = \"FILE.csv\"");
  // A data-set root: a path (relative to the config) or "env:VAR", read when the run starts.
  const auto read_root = [&](const char* key, std::string& root) {
    r.read(key, root);
    if (!root.empty() && root.rfind("env:", 0) != 0 && fs::path(root).is_relative())
      root = (base / root).string();
  };
  read_root("voc2007", d.voc2007);
  read_root("coco2014", d.coco2014);
  // A built-in generator's table: read its keys, then check the spec at the table's line.
  int generators = 0;
  auto generator = [&](const char* key, auto& spec, auto read) {
    const toml::table* table = r.table(key);
    if (!table) return;
    d.generator = key;
    ++generators;
    TomlTableReader sr(*table, file, fmt::format("[datasets.{}] of '{}'", key, d.name));
    read(sr, spec);
    try {
      validate(spec);
    } catch (const Error& e) {
      throw Error(file, table->source().begin.line, e.message());
    }
  };
  generator("scenes", d.scenes, read_scenes);
  generator("mosaics", d.mosaics, read_mosaics);
  if (d.generator == "mosaics" && d.mosaics.source_dir.is_relative() && r.table("mosaics") &&
      (*r.table("mosaics"))["source"])
    d.mosaics.source_dir = base / d.mosaics.source_dir;  // a relative source: beside the config
  generator("synthetic", d.synthetic, read_synthetic);
  r.reject_unknown_keys();
  if (d.name.empty()) throw Error(file, d.line, "each [[datasets]] needs a name");
  for (const std::string& key : swept) {  // the resolved config's form of a sweep point
    if (!d.split) r.fail("swept", "swept = [...] needs the point's [datasets.split]");
    toml::table split = split_table(*d.split);
    split.insert("train_fraction", d.split->train_fraction);  // left out when 1
    const toml::node* value = split.get(key);
    if (!value) r.fail("swept", fmt::format("swept = [..., \"{}\"]: no such split key", key));
    d.sweep.emplace_back(key, config_value_text(*value));
  }
  const int sources = !d.files.empty() + generators + !d.images.empty() + !d.voc2007.empty() +
                      !d.coco2014.empty();
  if (sources > 1)
    throw Error(file, d.line, fmt::format("data set '{}': give one of files, [datasets.synthetic], "
                                          "[datasets.scenes], [datasets.mosaics], images + labels, "
                                          "voc2007, coco2014",
                                          d.name));
  return d;
}

}  // namespace

ExperimentConfig load_experiment_config(const fs::path& path) {
  toml::table root = parse_toml_file(path);  // graph = "NAME" inserts into algorithm tables
  const std::string file = path.string();
  const fs::path base = path.has_parent_path() ? path.parent_path() : fs::path(".");
  ExperimentConfig c;
  c.source = path;
  TomlTableReader top(root, file, "the top level");
  if (const toml::table* exp = top.table("experiment")) {
    TomlTableReader r(*exp, file, "[experiment]");
    r.read("name", c.name);
    r.read("seed", c.seed);
    r.read("seeds", c.seeds);
    r.read("threads", c.threads);
    r.read("device", c.device);
    r.read("checkpoint_minutes", c.checkpoint_minutes);
    r.read("checkpoint_epochs", c.checkpoint_epochs);
    r.read("keep_models", c.keep_models);
    r.read("train", c.train_algorithm);
    if (c.checkpoint_minutes < 0 || !std::isfinite(c.checkpoint_minutes))
      r.fail("checkpoint_minutes must be >= 0 (0 = not by time)");
    if (c.checkpoint_epochs < 0) r.fail("checkpoint_epochs must be >= 0 (0 = not by epochs)");
    std::string output;
    r.read("output", output);
    if (!output.empty()) c.output = output;
    r.reject_unknown_keys();
  }
  if (c.seeds.empty()) c.seeds = {c.seed};
  std::vector<ValueList> split_sweeps;  // [split] keys written { sweep = [...] }
  if (top.table("split")) {
    toml::table& t = *root["split"].as_table();
    take_value_lists(t, file, "[split]", split_sweeps, nullptr);
    TomlTableReader r(t, file, "[split]");
    c.split = read_split(r);
  }
  if (const toml::table* t = top.table("preprocess")) {
    TomlTableReader r(*t, file, "[preprocess]");
    r.read("standardize", c.preprocess.standardize);
    r.reject_unknown_keys();
  }
  if (const toml::table* t = top.table("resampling")) {
    TomlTableReader r(*t, file, "[resampling]");
    read_resampling(r, c.resampling);
  }
  if (const toml::table* t = top.table("evaluation")) {
    TomlTableReader r(*t, file, "[evaluation]");
    read_evaluation(r, c.evaluation);
  }
  if (const toml::table* t = top.table("search")) {
    TomlTableReader r(*t, file, "[search]");
    r.read("measure", c.search.measure);
    SearchConfig& sc = c.search;
    sc.split = read_split(r, sc.split);
    if (sc.split.method == "given")
      r.fail("method", "[search] method must be kfold, iterative or holdout (the inner split of "
                       "a cell's training rows)");
    if (sc.split.train_fraction != 1.0) r.fail("train_fraction", "[search] has no train_fraction");
    if (!contains(eval::measure_names(), sc.measure))
      r.fail("measure", fmt::format("unknown measure '{}' (known: {})", sc.measure,
                                    fmt::join(eval::measure_names(), ", ")));
  }
  std::map<std::string, std::vector<ValueList>> graph_sweeps;
  c.graphs = read_named_graphs(top, root, file, graph_sweeps);
  if (const toml::table* t = top.table("graph")) {
    TomlTableReader r(*t, file, "[graph]");
    read_graph(r, c.graph, c.graphs);
  }
  if (const toml::array* datasets = top.tables("datasets"))
    for (std::size_t i = 0; i < datasets->size(); ++i) {
      std::vector<ValueList> own_sweeps;
      DatasetConfig d = read_dataset(*root["datasets"].as_array()->get(i)->as_table(), file, base,
                                     i, own_sweeps);
      // A swept split: one data set per point ("<name> key=value"), each with its split.
      const std::vector<ValueList>& sweeps = d.split ? own_sweeps : split_sweeps;
      if (sweeps.empty()) {
        c.datasets.push_back(std::move(d));
        continue;
      }
      for (const std::vector<const toml::node*>& combination : combinations(sweeps)) {
        DatasetConfig point = d;
        SplitSpec spec = d.split ? *d.split : c.split;
        for (std::size_t k = 0; k < sweeps.size(); ++k) {
          toml::table one;
          one.insert(sweeps[k].key, *combination[k]);
          try {
            TomlTableReader pr(one, file, "[split]");
            spec = read_split(pr, spec);
          } catch (const Error& e) {
            throw Error(file, sweeps[k].line, fmt::format("{} = {}: {}", sweeps[k].key,
                                                          config_value_text(*combination[k]), e.message()));
          }
          point.sweep.emplace_back(sweeps[k].key, config_value_text(*combination[k]));
        }
        point.split = spec;
        point.sweep_of = d.name;
        point.name = d.name + point_suffix(point.sweep);
        c.datasets.push_back(std::move(point));
      }
    }
  if (const toml::array* algorithms = top.tables("algorithms"))
    for (std::size_t i = 0; i < algorithms->size(); ++i)
      for (AlgorithmConfig& a : read_algorithm(*root["algorithms"].as_array()->get(i)->as_table(),
                                               file, i, c.graphs, graph_sweeps)) {
      for (const AlgorithmConfig& other : c.algorithms)
        if (other.label == a.label)
          throw Error(file, a.line,
                      fmt::format("two algorithms are called '{}' (line {}): give one a "
                                  "different label = \"...\"",
                                  a.label, other.line));
      if (!a.features.empty()) {
        const auto source = std::find_if(c.algorithms.begin(), c.algorithms.end(),
                                         [&](const AlgorithmConfig& o) { return o.label == a.features; });
        if (source == c.algorithms.end() &&
            std::any_of(c.algorithms.begin(), c.algorithms.end(),
                        [&](const AlgorithmConfig& o) { return o.sweep_of == a.features; }))
          throw Error(file, a.line,
                      fmt::format("features = \"{}\": that algorithm is swept, so it is several "
                                  "networks; name one point (e.g. \"{}\")",
                                  a.features,
                                  std::find_if(c.algorithms.begin(), c.algorithms.end(),
                                               [&](const AlgorithmConfig& o) { return o.sweep_of == a.features; })
                                      ->label));
        if (source == c.algorithms.end())
          throw Error(file, a.line,
                      fmt::format("features = \"{}\": no earlier algorithm has that label (the "
                                  "network giving the features must be listed before '{}')",
                                  a.features, a.label));
        if (!source->features.empty())
          throw Error(file, a.line, fmt::format("features = \"{}\": that algorithm is itself fitted "
                                                "on another's features", a.features));
      }
      c.algorithms.push_back(std::move(a));
    }
  top.reject_unknown_keys();
  if (!c.evaluation.baseline.empty() &&
      std::none_of(c.algorithms.begin(), c.algorithms.end(),
                   [&](const AlgorithmConfig& a) { return a.label == c.evaluation.baseline; }))
    throw Error(file, 0, fmt::format("[evaluation] baseline = \"{}\": no algorithm has that label",
                                     c.evaluation.baseline));
  if (c.datasets.empty()) throw Error(file, 0, "the config declares no [[datasets]]");
  for (const DatasetConfig& d : c.datasets)
    for (const DatasetConfig& other : c.datasets)
      if (&other != &d && other.name == d.name)
        throw Error(file, d.line, fmt::format("two data sets are called '{}'", d.name));
  return c;
}

namespace {

toml::table split_table(const SplitSpec& s) {
  toml::table t{{"method", s.method},
                {"folds", s.folds},
                {"order", s.order},
                {"test_fraction", s.test_fraction}};
  // Only when used: configs without it keep their cells' keys.
  if (s.train_fraction != 1.0) t.insert("train_fraction", s.train_fraction);
  return t;
}

template <class T>
toml::array array_of(const std::vector<T>& values) {
  toml::array out;
  for (const T& v : values) {
    if constexpr (std::is_same_v<T, std::uint64_t>)
      out.push_back(static_cast<std::int64_t>(v));
    else
      out.push_back(v);
  }
  return out;
}

}  // namespace

const std::vector<std::string>& default_summary_measures() {
  static const std::vector<std::string> m = {
      "hamming_loss",  "subset_accuracy", "accuracy",     "example_f1",
      "micro_f1",      "macro_f1",        "one_error",    "coverage",
      "ranking_loss",  "average_precision", "mAP",        "macro_auc"};
  return m;
}

namespace {

/// A path as the resolved config writes it: absolute, so the file reloads from any folder
/// (`labelgraph merge` reads an output folder's config.resolved.toml).
std::string absolute_text(const fs::path& p) {
  if (p.empty()) return "";
  std::error_code ec;
  const fs::path a = fs::absolute(p, ec);
  return (ec ? p : a.lexically_normal()).string();
}

/// A data-set root: "env:VAR" as it is, a path made absolute.
std::string root_text(const std::string& root) {
  return root.rfind("env:", 0) == 0 ? root : absolute_text(root);
}

/// One [[datasets]] entry. `with_paths` false: without its file paths, `optional` and split
/// (a cell's key holds the files' checksums and the effective split instead).
toml::table dataset_table(const DatasetConfig& d, bool with_paths) {
  toml::table t{{"name", d.name}};
  if (with_paths) {
    t.insert("optional", d.optional);
    if (!d.files.empty()) {
      toml::array files;
      for (const fs::path& f : d.files) files.push_back(absolute_text(f));
      t.insert("files", files);
    }
    if (!d.read.labels.xml.empty()) t.insert("xml", absolute_text(d.read.labels.xml));
    if (!d.images.empty()) {
      t.insert("images", absolute_text(d.images));
      t.insert("labels", absolute_text(d.labels_csv));
    }
    if (!d.voc2007.empty()) t.insert("voc2007", root_text(d.voc2007));
    if (!d.coco2014.empty()) t.insert("coco2014", root_text(d.coco2014));
    if (d.split) t.insert("split", split_table(*d.split));
  } else {
    if (d.files.empty() && !d.is_image_set() && d.generator.empty()) t.insert("known", true);
    if (!d.read.labels.xml.empty()) t.insert("xml", true);
    if (!d.images.empty()) t.insert("images", "folder");
    if (!d.voc2007.empty()) t.insert("voc2007", true);
    if (!d.coco2014.empty()) t.insert("coco2014", true);
  }
  if (d.read.labels.count) t.insert("label_count", *d.read.labels.count);
  if (!d.read.labels.prefix.empty()) t.insert("label_prefix", d.read.labels.prefix);
  if (!d.read.labels.columns.empty()) {
    toml::array cols;
    for (const std::string& col : d.read.labels.columns) cols.push_back(col);
    t.insert("label_columns", cols);
  }
  t.insert("missing", d.read.missing == MissingPolicy::ImputeMean ? "impute" : "error");
  if (d.generator == "scenes") t.insert("scenes", scenes_table(d.scenes));
  if (d.generator == "mosaics") {
    toml::table m = mosaics_table(d.mosaics);
    if (!with_paths) m.erase("source");  // the key holds the generated pixels' checksum
    t.insert("mosaics", m);
  }
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
  return t;
}

/// A sweep point's resolved form: sweep_of = "LABEL", swept = ["KEY", ...].
void append_variation(toml::table& t, const std::string& sweep_of,
                      const std::vector<std::pair<std::string, std::string>>& sweep) {
  if (sweep_of.empty()) return;
  t.insert_or_assign("sweep_of", sweep_of);
  toml::array keys;
  for (const auto& [key, value] : sweep) keys.push_back(key);
  t.insert_or_assign("swept", std::move(keys));
}

toml::table search_table(const SearchConfig& s) {
  toml::table t = split_table(s.split);
  t.insert("measure", s.measure);
  return t;
}

toml::table resampling_table(const ResamplingSpec& r) {
  return toml::table{{"method", r.method}, {"percentage", r.percentage}, {"k", r.k},
                     {"label_set", r.label_set}};
}

}  // namespace

std::string to_toml(const ExperimentConfig& c) {
  toml::table exp{{"name", c.name},
                  {"seed", static_cast<std::int64_t>(c.seed)},
                  {"seeds", array_of(c.seeds)},
                  {"threads", c.threads},
                  {"device", c.device},
                  {"output", c.output.string()},
                  {"checkpoint_minutes", c.checkpoint_minutes},
                  {"checkpoint_epochs", c.checkpoint_epochs},
                  {"keep_models", c.keep_models}};
  if (!c.train_algorithm.empty()) exp.insert("train", c.train_algorithm);
  toml::array datasets;
  for (const DatasetConfig& d : c.datasets) {
    toml::table t = dataset_table(d, true);
    append_variation(t, d.sweep_of, d.sweep);
    datasets.push_back(std::move(t));
  }
  const EvaluationConfig& e = c.evaluation;
  const GraphConfig& g = c.graph;
  toml::table figure = spec_table(g.spec, false);
  figure.insert("enabled", g.enabled);
  if (!g.graph.empty()) figure.insert("graph", g.graph);
  figure.insert("communities", g.communities);
  figure.insert("format", g.format);
  toml::table named;
  for (const auto& [name, spec] : c.graphs) named.insert(name, spec_table(spec, true));
  toml::array algorithms;
  for (const AlgorithmConfig& a : c.algorithms) {
    toml::table t = a.params;
    t.insert_or_assign("name", a.name);
    t.insert_or_assign("label", a.label);
    if (!a.features.empty()) t.insert_or_assign("features", a.features);
    if (!a.graph.empty()) t.insert_or_assign("graph", a.graph);
    append_variation(t, a.sweep_of, a.sweep);
    for (const auto& [key, values] : a.search) t.insert_or_assign(key, toml::table{{"search", values}});
    algorithms.push_back(std::move(t));
  }
  toml::table root{
      {"experiment", exp},
      {"split", split_table(c.split)},
      {"preprocess", toml::table{{"standardize", c.preprocess.standardize}}},
      {"resampling", resampling_table(c.resampling)},
      {"evaluation",
       toml::table{{"threshold", e.threshold},
                   {"validation_fraction", e.validation_fraction},
                   {"measures", array_of(e.measures.empty() ? default_summary_measures() : e.measures)},
                   {"zero_division", e.zero_division},
                   {"bucket_edges", array_of(e.bucket_edges)},
                   {"baseline", e.baseline}}},
      {"graph", figure},
      {"datasets", datasets}};
  if (std::any_of(c.algorithms.begin(), c.algorithms.end(), [](const AlgorithmConfig& a) { return !a.search.empty(); }))
    root.insert("search", search_table(c.search));
  if (!algorithms.empty()) root.insert("algorithms", std::move(algorithms));
  if (!named.empty()) root.insert("graphs", std::move(named));
  std::ostringstream out;
  out << "# resolved configuration: every default written out\n" << root << "\n";
  return out.str();
}

std::string cell_config_text(const ExperimentConfig& c, const DatasetConfig& d,
                             const AlgorithmConfig& a) {
  const EvaluationConfig& e = c.evaluation;
  toml::table algorithm = a.params;
  algorithm.insert_or_assign("name", a.name);
  // A parameter naming a file (embeddings, "torchscript:PATH"): its content is part of what
  // the cell depends on, not only its name.
  toml::table checksums;
  for (auto&& [key, value] : a.params) {
    const std::optional<std::string> text = value.value<std::string>();
    if (!text || text->empty()) continue;
    std::string path = *text;
    if (path.rfind("torchscript:", 0) == 0) path = path.substr(12);
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) checksums.insert(key.str(), sha256_file(path));
  }
  if (!checksums.empty()) algorithm.insert_or_assign("file_sha256", std::move(checksums));
  // A searched parameter: its candidates and how the choice is made (params hold the first).
  if (!a.search.empty()) {
    toml::table search = search_table(c.search);
    for (const auto& [key, values] : a.search) search.insert_or_assign("candidates." + key, values);
    algorithm.insert_or_assign("search", std::move(search));
  }
  toml::table root{
      {"dataset", dataset_table(d, false)},
      {"split", split_table(d.split ? *d.split : c.split)},
      {"preprocess", toml::table{{"standardize", c.preprocess.standardize}}},
      {"resampling", resampling_table(c.resampling)},
      {"evaluation", toml::table{{"threshold", e.threshold},
                                 {"validation_fraction", e.validation_fraction},
                                 {"zero_division", e.zero_division},
                                 {"bucket_edges", array_of(e.bucket_edges)}}},
      {"algorithm", algorithm}};
  if (!d.generator.empty()) root.insert("generator_seed", static_cast<std::int64_t>(c.seed));
  std::ostringstream out;
  out << root;
  return out.str();
}

}  // namespace lg
