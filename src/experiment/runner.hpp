#pragma once
// The experiment runner. This slice runs the data stage of a config: every data set is
// generated or read, its statistics are computed and written as tables, and the run's
// manifest records how to reproduce it. Later issues add splits, models and measures.
#include <filesystem>
#include <string>
#include <vector>

#include "core/context.hpp"
#include "data/statistics.hpp"
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
  std::vector<std::string> outputs;         ///< files written, relative to output_dir
  std::vector<std::string> inputs;          ///< data files read ("path sha256")
  std::string summary_text;                 ///< the tables printed on the terminal
};

/// Run `config` with `ctx` (seed, threads, output folder). Throws lg::Error on bad input.
ExperimentResult run_experiment(const ExperimentConfig& config, const Context& ctx);

}  // namespace lg
