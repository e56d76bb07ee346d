#pragma once
// The experiment runner: data sets × seeds × folds × algorithms, from one config.
//
// For every data set: generate or read it, write its statistics; then, when the config has
// algorithms, split it (per seed), standardise and resample each training fold, run every
// algorithm on it (experiment/cell.hpp) and write runs/<dataset>/<algorithm>-seed<S>-fold<F>.json;
// draw the label graph of the first training fold (graphs/<dataset>.svg) and write the
// per-label and per-bucket tables. Over all data sets: tables/summary.*, and with two or more
// data sets and algorithms the rank and significance tables and CD diagrams.
#include <filesystem>
#include <string>
#include <vector>

#include "core/context.hpp"
#include "data/statistics.hpp"
#include "experiment/cell.hpp"
#include "experiment/config.hpp"

namespace lg {

struct DatasetOutcome {
  std::string name;                 ///< as in the config
  bool skipped = false;             ///< optional data set whose files are absent
  std::string note;                 ///< why it was skipped, or where it came from
  DatasetStats stats;               ///< when not skipped
};

struct ExperimentResult {
  std::filesystem::path output_dir;         ///< where everything was written
  std::vector<DatasetOutcome> datasets;     ///< in config order
  std::vector<CellResult> cells;            ///< every finished cell, in run order
  std::vector<std::string> outputs;         ///< files written, relative to output_dir
  std::vector<std::string> inputs;          ///< data files read ("path sha256")
  std::string summary_text;                 ///< the tables printed on the terminal
  double seconds = 0;                       ///< wall time of the whole run
};

/// Run `config` with `ctx` (seed, threads, output folder). Throws lg::Error on bad input.
ExperimentResult run_experiment(const ExperimentConfig& config, const Context& ctx);

/// One data set's first fold as the runner sees it for `ctx.seed` (the files' own split for
/// "given"), before standardisation and resampling: what `labelgraph train` trains on.
struct ExperimentFold {
  Dataset train;
  Dataset test;                       ///< empty (0 rows) never: every split has test rows
  std::vector<std::string> inputs;    ///< data files read ("path sha256")
  std::string note;                   ///< where the data came from
};
/// Throws lg::Error when the data set cannot be read or generated (optional or not). A
/// generated data set is written to ctx.output_dir/data/<name>.arff, as the runner does.
ExperimentFold experiment_fold(const ExperimentConfig& config, const DatasetConfig& dataset,
                               const Context& ctx);

}  // namespace lg
