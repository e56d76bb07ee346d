#pragma once
// Where the experiment runner's data come from (used by run_experiment and experiment_fold):
// a data set of the config generated or read, with the digest its cells' keys hold, and the
// train/test folds of one seed.
#include <cstdint>
#include <string>
#include <vector>

#include "core/context.hpp"
#include "core/dataset.hpp"
#include "data/split.hpp"
#include "experiment/config.hpp"
#include "experiment/runner.hpp"

namespace lg {

/// A data set and where its files' own train/test split lies.
struct LoadedData {
  Dataset data;
  Index given_train_rows = 0;  ///< rows of the first file when there are several, else 0
  /// What the cells' keys hold of the data: the files' SHA-256s, an image set's digest, or
  /// "generated" (the generator's parameters and seed are in the config text)
  std::string digest;
};

/// Generate or read one data set; returns false when an optional one is absent (`note` says
/// why), else fills `loaded` and `note` (where it came from) and appends the files read, with
/// their SHA-256, to result.inputs. `write_generated`: write a generated feature data set to
/// result.output_dir/data/<name>.arff. Throws lg::Error when a required set cannot be read.
bool obtain_dataset(const DatasetConfig& cfg, const Context& ctx, ExperimentResult& result,
                    LoadedData& loaded, std::string& note, bool write_generated = true);

/// The train/test folds of one seed: the files' own split for "given" (an error naming `file`
/// and the data set's line when it has none), else `spec` drawn with `seed`.
std::vector<Fold> make_folds(const DatasetConfig& cfg, const SplitSpec& spec,
                             const LoadedData& loaded, std::uint64_t seed,
                             const std::string& file);

}  // namespace lg
