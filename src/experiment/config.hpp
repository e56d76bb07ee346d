#pragma once
// Experiment configs: TOML text becomes these typed structs here, at the edge; nothing below
// looks keys up by string. An unknown key is an error naming the key, the file and the line.
//
// This is the first slice of the runner's schema: an [experiment] table and a list of
// [[datasets]] (built-in generator, known data set, or files). Algorithms, splits and
// measures join in later issues.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "data/synthetic.hpp"
#include "io/read_options.hpp"

namespace lg {

/// One data set of an experiment.
struct DatasetConfig {
  std::string name;                         ///< label used in tables and file names
  std::string generator;                    ///< "synthetic" for the built-in generator, else ""
  SyntheticSpec synthetic;                  ///< generator parameters (generator = "synthetic")
  std::vector<std::filesystem::path> files; ///< data files (train first); empty = known data set `name`
  ReadOptions read;                         ///< label declaration and missing-value policy
  bool optional = false;                    ///< skip with a note when its files are absent
  std::size_t line = 0;                     ///< where it was declared, for messages
};

struct ExperimentConfig {
  std::filesystem::path source;             ///< the config file
  std::string name = "experiment";          ///< experiment name
  std::uint64_t seed = 42;                  ///< master seed
  int threads = 0;                          ///< 0 = all cores
  std::filesystem::path output = "results"; ///< output folder (relative to the working dir)
  std::vector<DatasetConfig> datasets;      ///< in order
};

/// Parse a config file; relative data paths are resolved against the config's folder.
ExperimentConfig load_experiment_config(const std::filesystem::path& path);

/// The resolved config as TOML text (every default written out), for the run manifest.
std::string to_toml(const ExperimentConfig& config);

}  // namespace lg
