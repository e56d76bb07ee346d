#pragma once
// The cells of an experiment grid before they run: which they are, what each one's key is,
// what it should cost, and which shard runs it.
//
// A cell is (data set, seed, fold, algorithm). Its key is the first 16 hex digits of the
// SHA-256 of a short text naming everything its result depends on:
//   * labelgraph's version (not the git revision: a commit that changes no result keeps the
//     cells; a version bump redoes them);
//   * the SHA-256 of cell_config_text (experiment/config.hpp; the cell file keeps the text
//     itself): the data set's settings without paths, the
//     effective split, preprocessing, resampling, the evaluation settings a cell uses, the
//     algorithm's name and every resolved parameter, the master seed of a generated data set;
//   * the data's digest: the SHA-256 of every file read (in order), or of an image set's file
//     names, labels and in-memory pixels;
//   * the seed and the fold;
//   * for an algorithm fitted on another's network features, that network cell's key.
// Labels are not in it (renaming an algorithm reuses its cells), nor the thread count, device,
// output folder, summary measures, baseline or figure settings. Results are bit-identical for
// the same key and thread count (models/model.hpp); a resumed cell on another thread count may
// differ in the last bits.
#include <cstdint>
#include <string>
#include <vector>

#include "experiment/config.hpp"

namespace lg {

struct PlannedCell {
  std::size_t dataset = 0;    ///< index into config.datasets
  std::size_t algorithm = 0;  ///< index into config.algorithms
  std::uint64_t seed = 0;     ///< the run's seed
  int fold = 0;               ///< fold index
  double cost = 1;            ///< estimated relative cost (balances shards)
  bool neural = false;        ///< a network trained in epochs
};

/// Every cell of the grid in run order: data set, seed, fold, algorithm (config order).
std::vector<PlannedCell> plan_cells(const ExperimentConfig& config);

/// The number of folds of a data set's split (1 for "given").
int fold_count_of(const ExperimentConfig& config, const DatasetConfig& dataset);

/// The shard (0 .. count-1) of each planned cell. A network and the algorithms fitted on its
/// features in the same fold stay together; neural groups and the others are balanced apart
/// (each sorted by estimated cost, largest first, to the least loaded shard; ties by plan
/// order and shard number), so every shard gets its share of both. Depends on the config
/// alone: every shard computes the same assignment.
std::vector<int> assign_shards(const ExperimentConfig& config,
                               const std::vector<PlannedCell>& cells, int count);

/// A cell's key (16 hex digits): the SHA-256 of the short text `description` receives
/// (optional), which names the version, `config_digest` (sha256_text of cell_config_text,
/// computed once per algorithm), the data digest, seed, fold and the network cell's key.
std::string cell_key(const std::string& config_digest, const std::string& data_digest,
                     std::uint64_t seed, int fold, const std::string& network_key,
                     std::string* description = nullptr);

/// Parse "I/N" (1 <= I <= N): the shard index (0-based) and count. Throws lg::Error.
std::pair<int, int> parse_shard(const std::string& text);

}  // namespace lg
