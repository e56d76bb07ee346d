// labelgraph run CONFIG.toml [--out DIR] [--seed S] [--threads T] [--dump-config]
// labelgraph run --list-algorithms
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "core/context.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "experiment/config.hpp"
#include "experiment/manifest.hpp"
#include "experiment/runner.hpp"
#include "core/nets_loader.hpp"
#include "models/registry.hpp"

namespace lg::cli {
namespace {

struct RunArgs {
  std::string config;               ///< the experiment config
  std::string out;                  ///< overrides [experiment] output
  std::optional<std::uint64_t> seed;  ///< overrides [experiment] seed
  std::optional<int> threads;       ///< overrides [experiment] threads
  std::optional<std::string> device;  ///< overrides [experiment] device
  bool dump_config = false;         ///< print the resolved config and stop
  bool list_algorithms = false;     ///< print the registry and stop
  std::string command_line;         ///< for the manifest
};

void list_algorithms() {
  for (const std::string& name : models::model_names()) {
    const models::ModelEntry* e = models::find_model(name);
    std::printf("%s: %s\n%s\n", name.c_str(), e->summary.c_str(), e->params_help.c_str());
  }
}

void run(const RunArgs& args) {
  if (args.list_algorithms) return list_algorithms();
  if (args.config.empty()) throw Error("give an experiment config (e.g. experiments/quickstart.toml)");
  RunManifest manifest;
  manifest.started_utc = utc_now();
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

  Context ctx;
  ctx.seed = config.seed;
  ctx.threads = config.threads;
  ctx.device = config.device;
  ctx.output_dir = config.output;
  set_output_description(config.output.string());
  nets_api().configure_torch(ctx);

  const ExperimentResult result = run_experiment(config, ctx);
  std::fputs(result.summary_text.c_str(), stdout);

  manifest.command_line = args.command_line;
  manifest.resolved_config = to_toml(config);
  manifest.seed = config.seed;
  manifest.threads = ctx.resolved_threads();
  set_build_facts(manifest);
  manifest.torch_version = nets_api().torch_version();
  manifest.inputs = result.inputs;
  manifest.outputs = result.outputs;
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
  write_manifest(manifest, result.output_dir);
  std::printf("\nresults: %s (manifest.json, config.resolved.toml, tables/%s)  %.1f s\n",
              result.output_dir.string().c_str(),
              result.cells.empty() ? "" : ", runs/, graphs/", result.seconds);
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
      "timings), graphs/<dataset>.svg (the training labels' graph) and manifest.json + "
      "config.resolved.toml (seed, versions, git revision). See experiments/*.toml.");
  cmd->add_option("config", args->config, "experiment config, e.g. experiments/quickstart.toml")
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", args->out, "output folder (overrides [experiment] output)");
  cmd->add_option("--seed", args->seed, "master seed (overrides [experiment] seed)");
  cmd->add_option("--threads", args->threads, "threads, 0 = all cores (overrides [experiment] threads)");
  cmd->add_option("--device", args->device,
                  "cpu, cuda or cuda:K for the neural models (overrides [experiment] device)");
  cmd->add_flag("--dump-config", args->dump_config,
                "print the resolved config (every default written out) and stop");
  cmd->add_flag("--list-algorithms", args->list_algorithms,
                "list the algorithms a config can name, with their parameters and defaults");
  cmd->footer(
      "Examples:\n  labelgraph run experiments/quickstart.toml --out results/quickstart\n"
      "  labelgraph run experiments/mulan-baselines.toml --seed 7 --threads 2\n"
      "  labelgraph run experiments/mulan-baselines.toml --dump-config");
  cmd->callback([args, &app] {
    args->command_line = "labelgraph run " + args->config;
    if (!args->out.empty()) args->command_line += " --out " + args->out;
    if (args->seed) args->command_line += fmt::format(" --seed {}", *args->seed);
    if (args->threads) args->command_line += fmt::format(" --threads {}", *args->threads);
    if (args->device) args->command_line += " --device " + *args->device;
    (void)app;
    run(*args);
  });
}

}  // namespace lg::cli
