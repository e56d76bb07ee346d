#pragma once
// The run manifest: everything needed to reproduce a run's numbers, written beside them.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace lg {

struct RunManifest {
  std::string command_line;          ///< argv joined
  std::string resolved_config;       ///< the config with every default written out (TOML)
  std::uint64_t seed = 0;            ///< master seed
  int threads = 0;                   ///< threads actually used
  std::string labelgraph_version;    ///< labelgraph version
  std::string git_revision;          ///< source revision, "+dirty" when uncommitted changes
  std::string compiler;              ///< compiler and version
  std::string build_type;            ///< Release / Debug
  std::string torch_version;         ///< LibTorch version, "" when not used
  std::string started_utc;           ///< ISO 8601
  std::string finished_utc;          ///< ISO 8601
  std::vector<std::string> inputs;   ///< data files read, with sha256
  std::vector<std::string> outputs;  ///< files written, relative to the output folder
  std::vector<std::uint64_t> seeds;  ///< the runs' seeds (splits and models)
  double seconds = 0;                ///< wall time of the run
  /// Per cell: data set, algorithm, seed, fold, fit and predict seconds (also in runs/).
  std::vector<std::map<std::string, std::string>> cell_timings;
};

/// Versions of the libraries labelgraph was built with (Eigen, Boost, igraph, Graphviz,
/// cairo, fmt, toml++, nlohmann_json), name -> version.
std::map<std::string, std::string> library_versions();

/// Revision of the source tree the binary was built from: asks git in the source folder at run
/// time (so it is current and marks uncommitted changes); falls back to the configure-time SHA.
std::string source_revision();

/// Fill the build facts: labelgraph version, git revision (source_revision()), compiler and
/// build type.
void set_build_facts(RunManifest& manifest);

/// Current time, ISO 8601 UTC.
std::string utc_now();

/// Writes `manifest.json` and `config.resolved.toml` into `dir` (atomically).
void write_manifest(const RunManifest& manifest, const std::filesystem::path& dir);

}  // namespace lg
