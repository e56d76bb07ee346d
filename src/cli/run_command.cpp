// labelgraph run CONFIG.toml [--out DIR] [--seed S] [--threads T]
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "core/context.hpp"
#include "experiment/config.hpp"
#include "experiment/manifest.hpp"
#include "experiment/runner.hpp"
#include "core/nets_loader.hpp"

namespace lg::cli {
namespace {

struct RunArgs {
  std::string config;               ///< the experiment config
  std::string out;                  ///< overrides [experiment] output
  std::optional<std::uint64_t> seed;  ///< overrides [experiment] seed
  std::optional<int> threads;       ///< overrides [experiment] threads
  std::string command_line;         ///< for the manifest
};

void run(const RunArgs& args) {
  RunManifest manifest;
  manifest.started_utc = utc_now();
  ExperimentConfig config = load_experiment_config(args.config);
  if (!args.out.empty()) config.output = args.out;
  if (args.seed) config.seed = *args.seed;
  if (args.threads) config.threads = *args.threads;

  Context ctx;
  ctx.seed = config.seed;
  ctx.threads = config.threads;
  ctx.output_dir = config.output;
  nets_api().configure_torch(ctx);

  const ExperimentResult result = run_experiment(config, ctx);
  std::fputs(result.summary_text.c_str(), stdout);

  const BuildInfo info = build_info();
  manifest.command_line = args.command_line;
  manifest.resolved_config = to_toml(config);
  manifest.seed = config.seed;
  manifest.threads = ctx.resolved_threads();
  manifest.labelgraph_version = info.version;
  manifest.git_revision = source_revision();
  manifest.compiler = info.compiler;
  manifest.build_type = info.build_type;
  manifest.torch_version = nets_api().torch_version();
  manifest.inputs = result.inputs;
  manifest.outputs = result.outputs;
  manifest.finished_utc = utc_now();
  write_manifest(manifest, result.output_dir);
  std::printf("\nresults: %s (manifest.json, config.resolved.toml, tables/, data/)\n",
              result.output_dir.string().c_str());
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand(
      "run",
      "Run an experiment config (TOML): generate or read each data set, compute its statistics "
      "and write tables (Markdown, CSV, LaTeX, JSON) plus a manifest (resolved config, seed, "
      "versions, git revision) under the output folder.");
  cmd->add_option("config", args->config, "experiment config, e.g. experiments/quickstart.toml")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", args->out, "output folder (overrides [experiment] output)");
  cmd->add_option("--seed", args->seed, "master seed (overrides [experiment] seed)");
  cmd->add_option("--threads", args->threads, "threads, 0 = all cores (overrides [experiment] threads)");
  cmd->footer("Example:\n  labelgraph run experiments/quickstart.toml --out results/quickstart");
  cmd->callback([args, &app] {
    args->command_line = "labelgraph run " + args->config;
    if (!args->out.empty()) args->command_line += " --out " + args->out;
    if (args->seed) args->command_line += fmt::format(" --seed {}", *args->seed);
    if (args->threads) args->command_line += fmt::format(" --threads {}", *args->threads);
    (void)app;
    run(*args);
  });
}

}  // namespace lg::cli
