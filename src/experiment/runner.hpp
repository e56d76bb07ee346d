#pragma once
// The experiment runner: data sets × seeds × folds × algorithms, from one config.
//
// Cells are keyed by content (experiment/cell_plan.hpp) and kept as files under the output
// folder (experiment/cell_store.hpp): a run reuses every finished cell whose file is sound and
// runs the others, so a killed grid continues where it stopped, an edited parameter reruns only
// its algorithm's cells, and another seed only the new seed's. Every table is built from the
// cell files, so it is byte-identical however (and in how many processes or shards) the cells
// were produced. A neural cell keeps its training state in its cell folder and continues from
// it (core/train_session.hpp). Two processes on one folder never run a cell at the same time:
// a process waits for the cells another one is running, then builds the tables too.
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

/// One cell for `labelgraph run --list-cells`.
struct CellListing {
  std::string dataset, algorithm;  ///< data set name and algorithm label
  std::uint64_t seed = 0;
  int fold = 0;
  std::string key;                 ///< the content key (cells/<key>.json)
  std::string state;               ///< done | missing | missing (training state saved) | damaged | running (pid N)
  std::string why;                 ///< damaged: what is wrong
  bool mine = true;                ///< in the shard asked for (all when not sharded)
};

enum class RunMode {
  Run,    ///< run the missing cells, then the tables
  Merge,  ///< run no cell: tables from finished cells, an error naming any missing one
  List,   ///< only the cells' keys and states (CellListing); writes nothing
};

struct RunOptions {
  RunMode mode = RunMode::Run;  ///< what to do
  bool fresh = false;           ///< ignore finished cells: run (and overwrite) every cell
  int shard_index = 0;          ///< this process's shard, 0-based
  /// Shards (> 1: run only this shard's cells, write no tables; `labelgraph merge` builds them)
  int shard_count = 1;
};

struct ExperimentResult {
  std::filesystem::path output_dir;         ///< where everything was written
  std::vector<DatasetOutcome> datasets;     ///< in config order
  std::vector<CellResult> cells;            ///< every finished cell, in run order
  std::vector<std::string> outputs;         ///< files written, relative to output_dir
  std::vector<std::string> inputs;          ///< data files read ("path sha256")
  std::string summary_text;                 ///< the tables printed on the terminal
  double seconds = 0;                       ///< wall time of the whole run
  std::size_t cells_run = 0;       ///< cells trained and evaluated by this process
  std::size_t cells_reused = 0;    ///< cells read from their finished files
  std::size_t cells_resumed = 0;   ///< of cells_run: continued from a saved training state
  std::size_t cells_damaged = 0;   ///< finished files found damaged (their cells redone)
  std::size_t cells_waited = 0;    ///< cells another process was running when reached
  std::vector<std::string> run_notes;  ///< e.g. which damaged files were redone
  std::vector<CellListing> listing;    ///< RunMode::List
};

/// Run `config` with `ctx` (seed, threads, output folder). Throws lg::Error on bad input, and
/// lg::Stopped after a stop signal (core/interrupt.hpp) once the finished cells and the running
/// training's state are saved.
ExperimentResult run_experiment(const ExperimentConfig& config, const Context& ctx,
                                const RunOptions& options = {});

/// Copy the sound finished cell files of the output folder `from` into `into`'s cells/ (those
/// `into` lacks); returns how many. `skipped` (optional) receives why each damaged file there
/// was left out. Throws lg::Error when `from` has no cells/ folder.
std::size_t import_cells(const std::filesystem::path& from, const std::filesystem::path& into,
                         std::vector<std::string>* skipped = nullptr);

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
