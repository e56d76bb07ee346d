#include "experiment/cell_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <stdexcept>
#include <tuple>

#include "core/context.hpp"
#include "core/error.hpp"
#include "io/catalog.hpp"
#include "models/registry.hpp"

namespace lg {
namespace fs = std::filesystem;

namespace {

/// A data set's size in rough "values": what a pass over it reads. From the config alone (and
/// the catalog's recorded sizes of known data sets), never from local files: every shard, on
/// any machine, computes the same figure.
double dataset_weight(const DatasetConfig& d) {
  if (d.generator == "synthetic")
    return static_cast<double>(d.synthetic.rows) * (d.synthetic.features + d.synthetic.labels);
  if (d.generator == "scenes") return static_cast<double>(d.scenes.rows) * d.scenes.size * d.scenes.size * 3;
  if (d.generator == "mosaics") return static_cast<double>(d.mosaics.rows) * 28 * 28 * d.mosaics.grid * d.mosaics.grid * 3;
  if (!d.voc2007.empty()) return 1e10;
  if (!d.coco2014.empty()) return 1e11;
  if (!d.images.empty()) return 1e9;
  if (d.files.empty())
    if (const std::optional<Descriptor> desc = find_descriptor(d.name)) {
      std::uint64_t bytes = 0;
      for (const CatalogFile* f : desc->data_files()) bytes += f->bytes;
      if (bytes > 0) return static_cast<double>(bytes) / 4.0;
    }
  return 1e6 * static_cast<double>(std::max<std::size_t>(1, d.files.size()));  // files: size unknown here
}

/// An integer parameter, or `fallback`.
double int_param(const toml::table& params, const char* key, double fallback) {
  if (const auto v = params[key].value<std::int64_t>()) return static_cast<double>(std::max<std::int64_t>(1, *v));
  return fallback;
}

/// How much more than binary relevance an algorithm costs per value of data, roughly.
double algorithm_factor(const AlgorithmConfig& a, bool neural) {
  if (neural) return 20.0 * int_param(a.params, "epochs", 10);
  double f = 1.0;
  for (const char* key : {"models", "members", "ensemble_size", "chains"}) f = std::max(f, int_param(a.params, key, 1));
  if (a.name == "lp" || a.name == "mlknn") f *= 2;
  return f;
}

bool is_neural(const AlgorithmConfig& a) {
  const models::ModelEntry* e = models::find_model(a.name);
  return e != nullptr && e->neural;
}

}  // namespace

int fold_count_of(const ExperimentConfig& config, const DatasetConfig& dataset) {
  const SplitSpec& spec = dataset.split ? *dataset.split : config.split;
  return spec.method == "given" ? 1 : fold_count(spec);
}

std::vector<PlannedCell> plan_cells(const ExperimentConfig& config) {
  std::vector<PlannedCell> out;
  std::vector<double> factors;
  std::vector<bool> neural;
  for (const AlgorithmConfig& a : config.algorithms) {
    neural.push_back(is_neural(a));
    factors.push_back(algorithm_factor(a, neural.back()));
  }
  for (std::size_t d = 0; d < config.datasets.size(); ++d) {
    const double weight = dataset_weight(config.datasets[d]);
    const int folds = fold_count_of(config, config.datasets[d]);
    for (const std::uint64_t seed : config.seeds)
      for (int f = 0; f < folds; ++f)
        for (std::size_t a = 0; a < config.algorithms.size(); ++a) {
          PlannedCell c;
          c.dataset = d;
          c.algorithm = a;
          c.seed = seed;
          c.fold = f;
          c.cost = weight * factors[a];
          c.neural = neural[a];
          out.push_back(c);
        }
  }
  return out;
}

std::vector<int> assign_shards(const ExperimentConfig& config, const std::vector<PlannedCell>& cells,
                               int count) {
  std::vector<int> shard(cells.size(), 0);
  if (count <= 1) return shard;
  // Groups: a cell with features = X joins the group of X's cell in its fold.
  std::vector<std::size_t> group(cells.size());
  std::iota(group.begin(), group.end(), std::size_t{0});
  std::map<std::tuple<std::size_t, std::uint64_t, int, std::string>, std::size_t> network_cell;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const PlannedCell& c = cells[i];
    const AlgorithmConfig& a = config.algorithms[c.algorithm];
    network_cell[{c.dataset, c.seed, c.fold, a.label}] = i;
    if (!a.features.empty()) {
      const auto it = network_cell.find({c.dataset, c.seed, c.fold, a.features});
      if (it != network_cell.end()) group[i] = group[it->second];
    }
  }
  struct Group {
    std::size_t first = 0;
    double cost = 0;
    bool neural = false;
    std::vector<std::size_t> members;
  };
  std::map<std::size_t, Group> groups;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    Group& g = groups[group[i]];
    if (g.members.empty()) g.first = i;
    g.members.push_back(i);
    g.cost += cells[i].cost;
    g.neural = g.neural || cells[i].neural;
  }
  for (const bool neural : {true, false}) {
    std::vector<const Group*> order;
    for (const auto& [id, g] : groups)
      if (g.neural == neural) order.push_back(&g);
    std::stable_sort(order.begin(), order.end(), [](const Group* x, const Group* y) {
      return x->cost != y->cost ? x->cost > y->cost : x->first < y->first;
    });
    std::vector<double> load(static_cast<std::size_t>(count), 0.0);
    for (const Group* g : order) {
      const auto s = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
      load[s] += g->cost;
      for (const std::size_t i : g->members) shard[i] = static_cast<int>(s);
    }
  }
  return shard;
}

std::string cell_key(const std::string& config_digest, const std::string& data_digest,
                     std::uint64_t seed, int fold, const std::string& network_key,
                     std::string* description) {
  static const std::string version = build_info().version;
  std::string text;
  text.reserve(256);
  text += "labelgraph ";
  text += version;
  text += "\nconfig = '";
  text += config_digest;
  text += "'\ndata = '";
  text += data_digest;
  text += "'\nseed = ";
  text += std::to_string(seed);
  text += "\nfold = ";
  text += std::to_string(fold);
  text += '\n';
  if (!network_key.empty()) text += "features_of_cell = '" + network_key + "'\n";
  std::string key = sha256_text(text).substr(0, 16);
  if (description) *description = std::move(text);
  return key;
}

std::pair<int, int> parse_shard(const std::string& text) {
  const std::size_t slash = text.find('/');
  int i = 0, n = 0;
  std::size_t used_i = 0, used_n = 0;
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    i = std::stoi(text.substr(0, slash), &used_i);
    n = std::stoi(text.substr(slash + 1), &used_n);
  } catch (const std::exception&) {
    used_i = 0;
  }
  if (slash == std::string::npos || used_i != slash || used_n != text.size() - slash - 1 || n < 1 ||
      i < 1 || i > n)
    throw Error(fmt::format("--shard '{}': expected I/N with 1 <= I <= N (e.g. 2/8)", text));
  return {i - 1, n};
}

}  // namespace lg
