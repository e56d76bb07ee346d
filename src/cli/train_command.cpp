// labelgraph train CONFIG.toml [--algorithm LABEL] [--dataset NAME] [--out DIR] [--seed S]
//                  [--threads T] [--device D] [--checkpoint-every N] [--resume CKPT]
//                  [--nproc N] [--dist-timeout S]
//
// Trains one model of an experiment config on one data set's training rows (the files' own
// split, or the first fold of the config's split for the seed) and writes, under the output
// folder, manifest.json, config.resolved.toml and
//   * a classical model (br, cc, ecc, lp, rakel, mlknn, lp-communities): model.lgm, a
//     labelgraph model file (models/model_file.hpp). The training rows are prepared as the
//     runner prepares a cell's: [preprocess] standardize fitted on them (the statistics go into
//     the file), then [resampling];
//   * a neural model: model.pt (a LibTorch checkpoint), history.{csv,md} and history.svg (the
//     epochs), checkpoints/checkpoint-epoch-NNN.pt with --checkpoint-every. Features go to the
//     network unstandardised: it standardises with its training statistics and keeps them.
// Either way `labelgraph predict` scores the raw files. [resampling] applies to the training rows.
//
// Several processes (a neural model): `--nproc N` starts N workers on this machine
// (cli/workers.hpp); under torchrun or Slurm's srun each process is started by them and finds
// its rank in the environment (core/processes.hpp). Every process trains its part of each batch
// (nets/distributed.hpp); only rank 0 writes the outputs, the same files as one process writes.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>

#include "cli/commands.hpp"
#include "cli/workers.hpp"
#include "core/atomic_file.hpp"
#include "core/context.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/nets_loader.hpp"
#include "data/resampling.hpp"
#include "data/standardize.hpp"
#include "experiment/config.hpp"
#include "experiment/manifest.hpp"
#include "experiment/runner.hpp"
#include "models/model_file.hpp"
#include "models/registry.hpp"
#include "report/table.hpp"
#include "report/training_history.hpp"

namespace lg::cli {
namespace {
namespace fs = std::filesystem;

struct TrainArgs {
  std::string config;                 ///< the experiment config
  std::string algorithm;              ///< label (or name) of the algorithm to train
  std::string dataset;                ///< name of the data set to train on
  std::string out;                    ///< output folder
  std::optional<std::uint64_t> seed;  ///< overrides [experiment] seed
  std::optional<int> threads;         ///< overrides [experiment] threads
  std::optional<std::string> device;  ///< overrides [experiment] device
  int checkpoint_every = 0;           ///< epochs between checkpoints; 0 = none
  std::string resume;                 ///< checkpoint to continue from
  int nproc = 1;                      ///< worker processes to start on this machine
  double dist_timeout = 120;          ///< seconds a collective may wait for the other processes
  std::string command_line;           ///< for the manifest
};

const AlgorithmConfig& pick_algorithm(const ExperimentConfig& config, std::string wanted) {
  std::vector<std::string> labels;
  for (const AlgorithmConfig& a : config.algorithms) labels.push_back(a.label);
  if (wanted.empty()) wanted = config.train_algorithm;  // [experiment] train
  if (wanted.empty()) {
    if (config.algorithms.size() == 1) return config.algorithms.front();
    throw Error(config.source.string(), 0,
                fmt::format("the config has {} algorithms: say which one to train with "
                            "--algorithm (one of: {}) or [experiment] train",
                            config.algorithms.size(), fmt::join(labels, ", ")));
  }
  for (const AlgorithmConfig& a : config.algorithms)
    if (a.label == wanted) return a;
  for (const AlgorithmConfig& a : config.algorithms)
    if (a.name == wanted) return a;
  throw Error(config.source.string(), 0,
              fmt::format("no algorithm '{}' in the config (labels: {})", wanted, fmt::join(labels, ", ")));
}

const DatasetConfig& pick_dataset(const ExperimentConfig& config, const std::string& wanted) {
  if (config.datasets.empty()) throw Error(config.source.string(), 0, "the config has no [[datasets]]");
  if (wanted.empty()) return config.datasets.front();
  std::vector<std::string> names;
  for (const DatasetConfig& d : config.datasets) {
    if (d.name == wanted) return d;
    names.push_back(d.name);
  }
  throw Error(config.source.string(), 0,
              fmt::format("no data set '{}' in the config (data sets: {})", wanted, fmt::join(names, ", ")));
}

/// out/manifest.json of one training: command, resolved config, seed, threads, build facts,
/// inputs, outputs and the fit's time (the caller fills started_utc and anything else).
void write_train_manifest(RunManifest& manifest, const TrainArgs& args, const ExperimentConfig& config,
                          const Context& ctx, const std::vector<std::string>& inputs,
                          std::vector<std::string> outputs, double seconds,
                          const DatasetConfig& dataset, const AlgorithmConfig& algorithm,
                          const fs::path& out) {
  manifest.command_line = args.command_line;
  manifest.resolved_config = to_toml(config);
  manifest.seed = ctx.seed;
  manifest.seeds = {ctx.seed};
  manifest.threads = ctx.resolved_threads();
  set_build_facts(manifest);
  manifest.inputs = inputs;
  manifest.outputs = std::move(outputs);
  manifest.seconds = seconds;
  manifest.cell_timings.push_back({{"dataset", dataset.name},
                                   {"algorithm", algorithm.label},
                                   {"seed", std::to_string(ctx.seed)},
                                   {"fit_seconds", fmt::format("{:.3f}", seconds)}});
  manifest.finished_utc = utc_now();
  write_manifest(manifest, out);
}

/// A classical model: fitted in one go on the prepared training rows, saved as model.lgm.
void train_classical(const TrainArgs& args, const ExperimentConfig& config, const AlgorithmConfig& algorithm,
                     const DatasetConfig& dataset, const fs::path& out, RunManifest& manifest) {
  if (args.checkpoint_every > 0 || !args.resume.empty())
    throw Error(fmt::format("'{}' ({}) is fitted in one go: --checkpoint-every and --resume apply to neural "
                            "models only",
                            algorithm.label, algorithm.name));
  Context ctx;
  ctx.seed = config.seed;
  ctx.threads = config.threads;
  ctx.device = config.device;
  ctx.output_dir = out;
  set_output_description(out.string());
  create_output_folder(out);  // before training: an unwritable place fails at once
  models::ModelPtr model =
      models::make_model(algorithm.name, algorithm.params, config.source.string(), algorithm.line);
  ExperimentFold fold = experiment_fold(config, dataset, ctx);
  if (fold.train.has_images())
    throw Error(config.source.string(), algorithm.line,
                fmt::format("'{}' cannot read the images of '{}' (a classical model is fitted on feature rows)",
                            algorithm.label, dataset.name));
  // As the runner prepares a cell: standardise on the training rows, then resample them.
  std::optional<Standardizer> scaler;
  if (config.preprocess.standardize && fold.train.num_features() > 0) {
    scaler = Standardizer::fit(fold.train);
    scaler->apply(fold.train);
  }
  if (config.resampling.method != "none") fold.train = resample(fold.train, config.resampling, ctx.seed);
  std::fprintf(stderr, "labelgraph: training %s on %s: %lld rows, %lld features, %lld labels (%s)\n",
               algorithm.label.c_str(), dataset.name.c_str(), static_cast<long long>(fold.train.rows()),
               static_cast<long long>(fold.train.num_features()),
               static_cast<long long>(fold.train.num_labels()), fold.note.c_str());
  const auto start = std::chrono::steady_clock::now();
  model->fit(fold.train, ctx);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string file_name = std::string("model") + models::kModelFileExtension;
  models::save_model_file(out / file_name, *model, fold.train, scaler ? &*scaler : nullptr);
  for (const std::string& note : model->notes())
    std::fprintf(stderr, "labelgraph: note: %s\n", note.c_str());

  write_train_manifest(manifest, args, config, ctx, fold.inputs, {file_name}, seconds, dataset, algorithm, out);
  std::printf("model: %s  (%s on %s, %.1f s; manifest.json beside it)\n", (out / file_name).string().c_str(),
              algorithm.label.c_str(), dataset.name.c_str(), seconds);
}

void run_train(const TrainArgs& args) {
  RunManifest manifest;
  manifest.started_utc = utc_now();
  ExperimentConfig config = load_experiment_config(args.config);
  if (args.seed) {
    config.seed = *args.seed;
    config.seeds = {*args.seed};
  }
  if (args.threads) config.threads = *args.threads;
  if (args.device) config.device = *args.device;
  const AlgorithmConfig& algorithm = pick_algorithm(config, args.algorithm);
  const DatasetConfig& dataset = pick_dataset(config, args.dataset);
  const fs::path out = args.out.empty() ? config.output / ("train-" + algorithm.label) : fs::path(args.out);
  if (args.checkpoint_every < 0) throw Error("--checkpoint-every must be >= 0");
  if (!algorithm.features.empty())
    throw Error(config.source.string(), algorithm.line,
                fmt::format("'{}' is fitted on the features of '{}''s trained network: `labelgraph train` "
                            "trains one model on the data's own features (use `labelgraph run` with "
                            "[experiment] keep_models = true to keep such a model)",
                            algorithm.label, algorithm.features));
  const models::ModelEntry* entry = models::find_model(algorithm.name);
  const bool neural = !entry || entry->neural;
  const ProcessGroupSpec processes = process_group_from_environment(args.dist_timeout);
  if ((args.nproc > 1 || processes.distributed()) && !neural)
    throw Error(config.source.string(), algorithm.line,
                fmt::format("'{}' ({}) is fitted in one process: --nproc, torchrun and srun train the "
                            "neural models (mlp-br, cnn-br, mlgcn and the heads)", algorithm.label, algorithm.name));
  // The launcher: N workers run this command; it trains nothing itself.
  if (args.nproc > 1 && !processes.distributed())
    run_as_workers(args.nproc, config.threads, args.dist_timeout, out);
  if (!neural) return train_classical(args, config, algorithm, dataset, out, manifest);

  Context ctx;
  ctx.seed = config.seed;
  ctx.threads = config.threads;
  ctx.device = config.device;
  ctx.output_dir = out;
  ctx.processes = processes;
  ctx.device = device_for_process(config.device, processes);
  const bool writer = processes.rank == 0;  // the other processes train and write nothing
  set_output_description(out.string());
  if (writer) create_output_folder(out);  // before training: an unwritable place fails at once
  const NetsApi& api = nets_api();
  api.configure_torch(ctx);

  models::ModelPtr model =
      models::make_model(algorithm.name, algorithm.params, config.source.string(), algorithm.line);
  ExperimentFold fold = experiment_fold(config, dataset, ctx);
  if (config.resampling.method != "none") fold.train = resample(fold.train, config.resampling, ctx.seed);
  if (writer)
    std::fprintf(stderr, "labelgraph: training %s on %s: %lld rows, %lld features, %lld labels (%s)%s\n",
                 algorithm.label.c_str(), dataset.name.c_str(), static_cast<long long>(fold.train.rows()),
                 static_cast<long long>(fold.train.num_features()),
                 static_cast<long long>(fold.train.num_labels()), fold.note.c_str(),
                 processes.distributed() ? fmt::format(", {} processes", processes.world_size).c_str() : "");

  TrainSession session;
  session.checkpoint_every = args.checkpoint_every;
  if (args.checkpoint_every > 0) session.checkpoint_dir = out / "checkpoints";
  session.resume = args.resume;
  session.progress = true;
  const auto start = std::chrono::steady_clock::now();
  api.train(*model, fold.train, ctx, session);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!writer) return;

  create_output_folder(out);
  api.save(*model, out / "model.pt");
  std::vector<std::string> outputs = {"model.pt"};
  if (const report::TrainingHistory* history = model->training_history()) {
    const report::Table table = report::history_table(*history);
    write_file_atomically(out / "history.csv", report::render(table, report::TableFormat::Csv));
    write_file_atomically(out / "history.md", report::render(table, report::TableFormat::Markdown));
    report::write_history_figure(*history, fmt::format("{} on {} (seed {})", algorithm.label, dataset.name, ctx.seed),
                                 out / "history.svg");
    outputs.insert(outputs.end(), {"history.csv", "history.md", "history.svg"});
  }
  for (const std::string& note : model->notes())
    std::fprintf(stderr, "labelgraph: note: %s\n", note.c_str());

  manifest.torch_version = api.torch_version();
  write_train_manifest(manifest, args, config, ctx, fold.inputs, outputs, seconds, dataset, algorithm, out);
  std::printf("model: %s  (%s on %s, %.1f s; history.csv, history.svg, manifest.json beside it)\n",
              (out / "model.pt").string().c_str(), algorithm.label.c_str(), dataset.name.c_str(), seconds);
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand(
      "train",
      "Train one algorithm of an experiment config on a data set's training rows and save it. "
      "A classical model (br, cc, ecc, lp, rakel, mlknn, lp-communities) is written as model.lgm, "
      "a labelgraph model file holding the [preprocess] standardisation fitted on the training "
      "rows; a neural one (mlp-br, cnn-br, mlgcn or another head: agcn, addgcn, ssgrl, q2l, lamp, "
      "custom-head) as model.pt with history.{csv,md,svg}. Both with manifest.json and "
      "config.resolved.toml; `labelgraph predict` scores raw files with either.");
  cmd->add_option("CONFIG", args->config, "experiment config (TOML), e.g. experiments/mulan-deep.toml")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--algorithm", args->algorithm,
                  "label (or registry name) of the [[algorithms]] entry to train; needed when the "
                  "config has several");
  cmd->add_option("--dataset", args->dataset, "name of the [[datasets]] entry (default: the first)");
  cmd->add_option("--out", args->out, "output folder (default: <experiment output>/train-<label>)");
  cmd->add_option("--seed", args->seed, "seed (overrides [experiment] seed)");
  cmd->add_option("--threads", args->threads, "threads, 0 = all cores (overrides [experiment] threads)");
  cmd->add_option("--device", args->device, "cpu, cuda or cuda:K (overrides [experiment] device)");
  cmd->add_option("--checkpoint-every", args->checkpoint_every,
                  "neural models: write checkpoints/checkpoint-epoch-NNN.pt every N epochs (and after the last)");
  cmd->add_option("--resume", args->resume,
                  "neural models: continue from a checkpoint of the same config, data and seed")
      ->check(CLI::ExistingFile);
  cmd->add_option("--nproc", args->nproc,
                  "neural models: train data-parallel in N processes on this machine (c10d Gloo; "
                  "batch_size is the batch of all of them, each takes 1/N; the threads are shared out)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--dist-timeout", args->dist_timeout,
                  "seconds a process waits for the others (several processes) before it ends with "
                  "exit code 76")
      ->check(CLI::Range(1.0, 86400.0));
  cmd->footer(
      "\nExamples:\n"
      "  labelgraph train experiments/quickstart.toml --nproc 2   # ML-GCN in 2 processes\n"
      "  torchrun --no-python --nproc-per-node 2 labelgraph train experiments/quickstart.toml\n"
      "  labelgraph train experiments/mulan-deep.toml --algorithm ML-GCN --dataset scene --out m\n"
      "  labelgraph predict --model m/model.pt --data scene-test.arff --out scores.npy\n"
      "  labelgraph eval --truth scene-test.arff --scores scores.npy\n"
      "  labelgraph train experiments/mulan-baselines.toml --algorithm CC-MST --dataset scene --out cc\n"
      "  labelgraph predict --model cc/model.lgm --data scene-test.arff --out cc-scores.csv\n");
  cmd->callback([args] {
    args->command_line = "labelgraph train " + args->config;
    if (!args->algorithm.empty()) args->command_line += " --algorithm " + args->algorithm;
    if (!args->dataset.empty()) args->command_line += " --dataset " + args->dataset;
    if (!args->out.empty()) args->command_line += " --out " + args->out;
    if (args->seed) args->command_line += fmt::format(" --seed {}", *args->seed);
    if (args->threads) args->command_line += fmt::format(" --threads {}", *args->threads);
    if (args->device) args->command_line += " --device " + *args->device;
    if (args->checkpoint_every) args->command_line += fmt::format(" --checkpoint-every {}", args->checkpoint_every);
    if (!args->resume.empty()) args->command_line += " --resume " + args->resume;
    if (args->nproc > 1) args->command_line += fmt::format(" --nproc {}", args->nproc);
    run_train(*args);
  });
}

}  // namespace lg::cli
