#pragma once
// Models are created by name from a registry: the names are what configs say (`br`, `cc`,
// `ecc`, `lp`, `rakel`, `mlknn`, `lp-communities`; `mlp-br`, `mlgcn` from src/nets).
// Registration is explicit (register_builtin_models()), not static initialisers, which
// vanish from static libraries.
//
// A model type M registers with register_model<M>(name, summary[, reads_images]). It needs
//   * M::Params: a parameter struct with visit() and validate() (see models/params.hpp);
//   * a constructor M(const M::Params&).
#include <functional>
#include <string>
#include <toml++/toml.h>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "models/model.hpp"
#include "models/params.hpp"

namespace lg::models {

struct ModelEntry {
  std::string name;     ///< registry key, as configs write it
  std::string summary;  ///< one line for --help and `labelgraph models`
  std::string params_help;  ///< one line per parameter with its default
  bool reads_images = false;  ///< fits on image data sets itself (a CNN backbone); else features
  bool neural = false;        ///< a network trained in epochs (its Params have `train`)
  /// The key of the model's label-graph builder when it builds one (Params::kGraphWeightingKey:
  /// `order_weighting`, `weighting`, `adjacency`), else "": an experiment's graph = "NAME"
  /// writes the named graph's `weighting` under this key and its other keys under their own.
  std::string graph_weighting_key;
  std::vector<std::string> param_keys;  ///< every parameter key, in visit() order
  /// Reads the parameters from `reader` (the caller rejects unknown keys afterwards), fills
  /// `resolved` with every parameter (defaults included) and returns the untrained model.
  std::function<ModelPtr(TomlTableReader& reader, toml::table& resolved)> create;
};

/// Add (or replace) an entry.
void register_model(ModelEntry entry);
/// Registers the classical methods of src/models (idempotent).
void register_builtin_models();
/// The entry called `name`, or nullptr.
const ModelEntry* find_model(const std::string& name);
/// Why the LibTorch plugin's models are unavailable (its load error), "" when they are registered.
std::string neural_models_unavailable();
/// All registered names, sorted.
std::vector<std::string> model_names();
/// The names of the classical (non-neural) models, sorted, without loading the LibTorch plugin:
/// the ones a labelgraph model file (models/model_file.hpp) holds.
std::vector<std::string> classical_model_names();

/// Create `name` from a parameter table (every key must be a parameter of the model).
/// `file` / `line` locate the table in messages. Throws lg::Error naming the unknown name
/// (with the known ones), an unknown key, or a bad value.
ModelPtr make_model(const std::string& name, const toml::table& params, const std::string& file = "",
                    std::size_t line = 0);

namespace detail {
template <class P, class = void>
struct has_graph_key : std::false_type {};
template <class P>
struct has_graph_key<P, std::void_t<decltype(P::kGraphWeightingKey)>> : std::true_type {};
template <class P, class = void>
struct has_train : std::false_type {};
template <class P>
struct has_train<P, std::void_t<decltype(std::declval<P>().train)>> : std::true_type {};
}  // namespace detail

template <class M>
void register_model(const std::string& name, const std::string& summary, bool reads_images = false) {
  using Params = typename M::Params;
  ModelEntry e;
  e.name = name;
  e.summary = summary;
  e.reads_images = reads_images;
  e.neural = detail::has_train<Params>::value;
  e.params_help = params_help(Params{});
  e.param_keys = param_keys(Params{});  // throws for a key visited twice
  if constexpr (detail::has_graph_key<Params>::value) {
    e.graph_weighting_key = Params::kGraphWeightingKey;
    e.params_help += std::string("  graph = ''  # an experiment's [graphs.NAME]: its weighting fills ") +
                     Params::kGraphWeightingKey + ", its other keys their own (keys given here win)\n";
  }
  e.create = [](TomlTableReader& reader, toml::table& resolved) -> ModelPtr {
    typename M::Params p;
    read_params(reader, p);
    try {
      p.validate();
    } catch (const Error& err) {
      reader.fail(err.message());
    }
    resolved = params_to_toml(p);
    return std::make_unique<M>(p);
  };
  register_model(std::move(e));
}

}  // namespace lg::models
