// labelgraph run CONFIG.toml [--out DIR] [--seed S] [--threads T] [--fresh] [--shard I/N]
//                [--list-cells] [--dump-config]
// labelgraph run --list-algorithms
// labelgraph merge DIR... [--out DIR] [--threads T]
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <tuple>

#include "cli/commands.hpp"
#include "cli/workers.hpp"
#include "core/context.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/atomic_file.hpp"
#include "experiment/cell_plan.hpp"
#include "experiment/config.hpp"
#include "experiment/manifest.hpp"
#include "experiment/runner.hpp"
#include "core/nets_loader.hpp"
#include "models/registry.hpp"
#include "report/report_html.hpp"

namespace lg::cli {
namespace {
namespace fs = std::filesystem;

struct RunArgs {
  std::string config;               ///< the experiment config
  std::string out;                  ///< overrides [experiment] output
  std::optional<std::uint64_t> seed;  ///< overrides [experiment] seed
  std::optional<int> threads;       ///< overrides [experiment] threads
  std::optional<std::string> device;  ///< overrides [experiment] device
  bool dump_config = false;         ///< print the resolved config and stop
  bool list_algorithms = false;     ///< print the registry and stop
  bool fresh = false;               ///< ignore finished cells
  std::string shard;                ///< "I/N": run only this share of the cells
  bool list_cells = false;          ///< print the cells, their keys and states, and stop
  int nproc = 1;                    ///< worker processes to start on this machine
  double dist_timeout = 120;        ///< seconds a collective may wait for the other processes
  std::string command_line;         ///< for the manifest
};

struct MergeArgs {
  std::vector<std::string> dirs;     ///< output folders of the shards
  std::string out;                   ///< where the tables go (default: the first folder)
  std::optional<int> threads;        ///< overrides the config's threads
  std::string command_line;          ///< for the manifest
};

void list_algorithms() {
  for (const std::string& name : models::model_names()) {
    const models::ModelEntry* e = models::find_model(name);
    std::printf("%s: %s\n%s\n", name.c_str(), e->summary.c_str(), e->params_help.c_str());
  }
}

/// The cells' keys and states, one line each, and a count per state.
void print_listing(const ExperimentResult& result, const RunOptions& options) {
  std::map<std::string, std::size_t> counts;
  std::printf("%-18s %-16s %6s %4s  %-16s %s\n", "dataset", "algorithm", "seed", "fold", "key", "state");
  for (const CellListing& c : result.listing) {
    if (!c.mine) continue;
    std::printf("%-18s %-16s %6llu %4d  %-16s %s%s\n", c.dataset.c_str(), c.algorithm.c_str(),
                static_cast<unsigned long long>(c.seed), c.fold, c.key.c_str(), c.state.c_str(),
                c.why.empty() ? "" : (": " + c.why).c_str());
    ++counts[c.state.substr(0, c.state.find(' '))];
  }
  std::string line;
  for (const auto& [state, n] : counts) line += fmt::format("{}{} {}", line.empty() ? "" : ", ", n, state);
  std::printf("\n%s%s\n", line.empty() ? "no cells" : line.c_str(),
              options.shard_count > 1 ? fmt::format(" (shard {}/{})", options.shard_index + 1,
                                                    options.shard_count).c_str() : "");
}

/// Run (or merge, or list) `config` and write the manifest.
/// Several processes (`processes`): rank 0 runs the grid and writes everything; the others
/// train its networks with it (experiment/runner.hpp) and write nothing.
void execute(const ExperimentConfig& config, const RunOptions& options, const std::string& command_line,
             const ProcessGroupSpec& processes = {}) {
  RunManifest manifest;
  manifest.started_utc = utc_now();
  Context ctx;
  ctx.seed = config.seed;
  ctx.threads = config.threads;
  ctx.device = device_for_process(config.device, processes);
  ctx.output_dir = config.output;
  ctx.processes = processes;
  const bool writer = processes.rank == 0;
  set_output_description(config.output.string());
  // LibTorch (~0.7 s to load) only when a network is trained.
  const bool neural = std::any_of(config.algorithms.begin(), config.algorithms.end(), [](const AlgorithmConfig& a) {
    const models::ModelEntry* e = models::find_model(a.name);
    return e != nullptr && e->neural;
  });
  if (neural) nets_api().configure_torch(ctx);

  if (options.mode == RunMode::Run && writer) {
    // Written first, so that the folder of a shard stopped or killed before it finished can
    // still be merged (its finished cells count).
    create_output_folder(config.output);
    write_file_atomically(config.output / "config.resolved.toml", to_toml(config));
  }
  const ExperimentResult result = run_experiment(config, ctx, options);
  if (!writer) return;
  if (options.mode == RunMode::List) return print_listing(result, options);
  std::fputs(result.summary_text.c_str(), stdout);

  manifest.command_line = command_line;
  manifest.resolved_config = to_toml(config);
  manifest.seed = config.seed;
  manifest.threads = ctx.resolved_threads();
  set_build_facts(manifest);
  if (neural) manifest.torch_version = nets_api().torch_version();
  manifest.inputs = result.inputs;
  manifest.outputs = result.outputs;
  const bool sharded = options.shard_count > 1;
  if (!sharded) {  // one page for the whole run (a shard has no tables yet: merge writes it)
    report::ReportHtmlOptions page;
    page.title = config.name;
    report::write_report_html(result.output_dir, page);
    manifest.outputs.push_back("report.html");
  }
  manifest.seeds = config.seeds;
  manifest.seconds = result.seconds;
  for (const CellResult& c : result.cells)
    manifest.cell_timings.push_back({{"dataset", c.dataset},
                                     {"algorithm", c.algorithm},
                                     {"seed", std::to_string(c.seed)},
                                     {"fold", std::to_string(c.fold)},
                                     {"fit_seconds", fmt::format("{:.3f}", c.fit_seconds)},
                                     {"predict_seconds", fmt::format("{:.3f}", c.predict_seconds)}});
  manifest.finished_utc = utc_now();
  // A shard's manifest goes into shards/I-of-N/ (shards may share the folder); the resolved
  // config at the top is the same for all of them, and `labelgraph merge` reads it.
  const fs::path manifest_dir = sharded ? result.output_dir / "shards" /
                                              fmt::format("{}-of-{}", options.shard_index + 1, options.shard_count)
                                        : result.output_dir;
  write_manifest(manifest, manifest_dir);
  if (sharded) write_file_atomically(result.output_dir / "config.resolved.toml", manifest.resolved_config);

  for (const std::string& note : result.run_notes) std::printf("%s\n", note.c_str());
  std::string cells = fmt::format("cells: {} run, {} reused", result.cells_run, result.cells_reused);
  if (result.cells_resumed) cells += fmt::format(" ({} continued from a saved training state)", result.cells_resumed);
  if (result.cells_waited) cells += fmt::format(", {} waited for another process", result.cells_waited);
  if (result.cells_damaged) cells += fmt::format(", {} damaged files redone", result.cells_damaged);
  if (options.mode == RunMode::Merge) cells = fmt::format("cells: {} merged", result.cells_reused);
  if (sharded) {
    std::printf("\nshard %d/%d: %s  %.1f s\nresults: %s (cells/, runs/; tables when every shard "
                "has finished: labelgraph merge %s)\n",
                options.shard_index + 1, options.shard_count, cells.c_str(), result.seconds,
                result.output_dir.string().c_str(), result.output_dir.string().c_str());
    return;
  }
  std::printf("\n%s\nresults: %s (report.html, manifest.json, config.resolved.toml, tables/%s)  %.1f s\n",
              cells.c_str(), result.output_dir.string().c_str(),
              result.cells.empty() ? "" : ", runs/, graphs/, figures/", result.seconds);
}

void merge(const MergeArgs& args) {
  if (args.dirs.empty()) throw Error("give the output folders of the shards to merge");
  const fs::path first = args.dirs.front();
  const fs::path config_file = first / "config.resolved.toml";
  if (!fs::exists(config_file))
    throw Error(config_file.string(), 0, "not found: merge reads the resolved config a run or "
                                         "shard wrote into its output folder");
  ExperimentConfig config = load_experiment_config(config_file);
  config.output = args.out.empty() ? first : fs::path(args.out);
  // A data set the shards used must be here too: an optional one whose files are absent on
  // this machine is an error naming them, not a table that silently lacks it.
  for (DatasetConfig& d : config.datasets) d.optional = false;
  if (args.threads) config.threads = *args.threads;
  const std::string want = to_toml(config);
  std::size_t imported = 0;
  std::vector<std::string> skipped;
  for (const std::string& dir : args.dirs) {
    const fs::path other = fs::path(dir) / "config.resolved.toml";
    if (dir != args.dirs.front()) {
      if (!fs::exists(other)) throw Error(other.string(), 0, "not found: not the output folder of a run or shard");
      ExperimentConfig c = load_experiment_config(other);
      c.output = config.output;
      c.threads = config.threads;
      for (DatasetConfig& d : c.datasets) d.optional = false;
      if (plan_cells(c).size() != plan_cells(config).size() || to_toml(c) != want)
        throw Error(other.string(), 0, fmt::format("another experiment than {} (the resolved "
                                                   "configs differ): merge shards of one config",
                                                   config_file.string()));
    }
    imported += import_cells(dir, config.output, &skipped);
  }
  for (const std::string& why : skipped) std::printf("merge: left out a damaged cell file: %s\n", why.c_str());
  std::printf("merge: %zu cell files copied into %s\n", imported, (config.output / "cells").string().c_str());
  {  // Every cell must be there before anything is written.
    Context ctx;
    ctx.seed = config.seed;
    ctx.threads = config.threads;
    ctx.output_dir = config.output;
    RunOptions list;
    list.mode = RunMode::List;
    const ExperimentResult cells = run_experiment(config, ctx, list);
    std::size_t missing = 0;
    const CellListing* absent = nullptr;
    for (const CellListing& c : cells.listing)
      if (c.state != "done") {
        ++missing;
        if (!absent) absent = &c;
      }
    if (absent)
      throw Error(fmt::format("{} of the {} cells have no finished file in {} (the first: {} · {} · "
                              "seed {} · fold {}, key {}, {}): run the shards that own them "
                              "(`labelgraph run CONFIG --shard I/N --list-cells` says which), "
                              "then merge again; nothing was written but the copied cells",
                              missing, cells.listing.size(), (config.output / "cells").string(),
                              absent->dataset, absent->algorithm, absent->seed, absent->fold,
                              absent->key, absent->state));
  }
  RunOptions options;
  options.mode = RunMode::Merge;
  execute(config, options, args.command_line);
}

void run(const RunArgs& args) {
  if (args.list_algorithms) return list_algorithms();
  if (args.config.empty()) throw Error("give an experiment config (e.g. experiments/quickstart.toml)");
  ExperimentConfig config = load_experiment_config(args.config);
  if (!args.out.empty()) config.output = args.out;
  if (args.seed) {
    // --seed replaces the master seed and, when the config did not list its own, the run seed.
    if (config.seeds.size() == 1 && config.seeds.front() == config.seed) config.seeds = {*args.seed};
    config.seed = *args.seed;
  }
  if (args.threads) config.threads = *args.threads;
  if (args.device) config.device = *args.device;
  if (args.dump_config) {
    std::fputs(to_toml(config).c_str(), stdout);
    return;
  }

  RunOptions options;
  options.fresh = args.fresh;
  if (!args.shard.empty()) std::tie(options.shard_index, options.shard_count) = parse_shard(args.shard);
  if (args.list_cells) options.mode = RunMode::List;
  const ProcessGroupSpec processes = process_group_from_environment(args.dist_timeout);
  if ((args.nproc > 1 || processes.distributed()) && options.mode != RunMode::Run)
    throw Error("--list-cells lists; it trains nothing in several processes (drop --nproc)");
  // The launcher: N workers run this command; rank 0 runs the grid, the others train its
  // networks with it.
  if (args.nproc > 1 && !processes.distributed())
    run_as_workers(args.nproc, config.threads, args.dist_timeout, config.output);
  execute(config, options, args.command_line, processes);
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand(
      "run",
      "Run an experiment config (TOML): data sets x seeds x folds x algorithms. Writes under the "
      "output folder: tables/ (data set statistics; summary.{csv,md,tex,json} with mean ± sd "
      "per data set x algorithm x measure; <dataset>-labels and <dataset>-buckets, the "
      "imbalance-aware per-label and head/medium/tail tables; ranks, significance and "
      "figures/cd-*.svg with two or more data sets), runs/ (one JSON per cell: measures, "
      "timings), graphs/<dataset>.svg (the training labels' graph), report.html (one "
      "self-contained page to open in a browser: sortable tables, interactive label graphs, "
      "figures) and manifest.json + config.resolved.toml (seed, versions, git revision). See "
      "experiments/*.toml.");
  cmd->add_option("config", args->config, "experiment config, e.g. experiments/quickstart.toml")
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", args->out, "output folder (overrides [experiment] output)");
  cmd->add_option("--seed", args->seed, "master seed (overrides [experiment] seed)");
  cmd->add_option("--threads", args->threads, "threads, 0 = all cores (overrides [experiment] threads)");
  cmd->add_option("--device", args->device,
                  "cpu, cuda or cuda:K for the neural models (overrides [experiment] device)");
  cmd->add_flag("--fresh", args->fresh,
                "run every cell again, ignoring the finished cells in the output folder");
  cmd->add_option("--shard", args->shard,
                  "I/N: run only shard I of N (a deterministic share of the cells balanced by "
                  "estimated cost); shards may share the output folder; `labelgraph merge` "
                  "builds the tables");
  cmd->add_flag("--list-cells", args->list_cells,
                "print every cell (with --shard: the shard's) with its key and state (done, "
                "missing, damaged, running) and stop");
  cmd->add_option("--nproc", args->nproc,
                  "train the neural cells data-parallel in N processes on this machine (c10d Gloo; "
                  "batch_size is the batch of all of them; the threads are shared out); the "
                  "tables are those of one process")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--dist-timeout", args->dist_timeout,
                  "seconds a process waits for the others (several processes) before it ends with "
                  "exit code 76")
      ->check(CLI::Range(1.0, 86400.0));
  cmd->add_flag("--dump-config", args->dump_config,
                "print the resolved config (every default written out) and stop");
  cmd->add_flag("--list-algorithms", args->list_algorithms,
                "list the algorithms a config can name, with their parameters and defaults");
  cmd->footer(
      "Examples:\n  labelgraph run experiments/quickstart.toml --out results/quickstart\n"
      "  labelgraph run experiments/mulan-baselines.toml --seed 7 --threads 2\n"
      "  labelgraph run experiments/mulan-baselines.toml --dump-config\n"
      "  labelgraph run experiments/mulan-baselines.toml --shard 2/4 --out results/grid\n"
      "  labelgraph run experiments/quickstart.toml --nproc 2   # networks in 2 processes\n"
      "\nFinished cells are kept under OUT/cells/ by content key: running the same command again "
      "(after a kill, or with a new seed or an edited parameter) runs only the missing cells. "
      "SIGINT, SIGTERM and SIGUSR1 save a neural cell's training state first; the exit code "
      "after SIGUSR1 is 75 (resubmit).");
  cmd->callback([args, &app] {
    args->command_line = "labelgraph run " + args->config;
    if (!args->out.empty()) args->command_line += " --out " + args->out;
    if (args->seed) args->command_line += fmt::format(" --seed {}", *args->seed);
    if (args->threads) args->command_line += fmt::format(" --threads {}", *args->threads);
    if (args->device) args->command_line += " --device " + *args->device;
    if (args->fresh) args->command_line += " --fresh";
    if (!args->shard.empty()) args->command_line += " --shard " + args->shard;
    if (args->nproc > 1) args->command_line += fmt::format(" --nproc {}", args->nproc);
    (void)app;
    run(*args);
  });
}

void add_merge_command(CLI::App& app) {
  auto args = std::make_shared<MergeArgs>();
  auto* cmd = app.add_subcommand(
      "merge",
      "Build an experiment's tables from the finished cells of its shards (`labelgraph run "
      "CONFIG --shard I/N`), whether they wrote into one output folder or several: the same "
      "tables as one run. Reads the first folder's config.resolved.toml; every folder must hold "
      "the same experiment. Copies the cells the output folder lacks into its cells/, then "
      "writes tables/, runs/, graphs/, figures/, report.html and the manifest there. Fails naming a "
      "missing cell.");
  cmd->add_option("dirs", args->dirs, "output folders of the shards (one, when they shared it)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--out", args->out, "where the merged results go (default: the first folder)");
  cmd->add_option("--threads", args->threads, "threads for the tables and figures");
  cmd->footer("Examples:\n  labelgraph merge results/grid\n"
              "  labelgraph merge results/shard-1 results/shard-2 results/shard-3 --out results/grid");
  cmd->callback([args] {
    args->command_line = "labelgraph merge";
    for (const std::string& d : args->dirs) args->command_line += " " + d;
    if (!args->out.empty()) args->command_line += " --out " + args->out;
    merge(*args);
  });
}

}  // namespace lg::cli
