// labelgraph predict --model FILE (--data FILE... [--xml F | --labels n ...] | --images DIR
//                    --image-labels CSV) --out SCORES.npy|.csv
//
// Scores the rows of a data file with a model saved by `labelgraph train` (or kept by a run's
// keep_models): an N x L matrix of probabilities, as .npy (float32) or CSV with the label names
// as header, both of which `labelgraph eval --scores` reads. The file decides the kind: a
// labelgraph model file (model.lgm, classical models; models/model_file.hpp) is read without
// LibTorch, a LibTorch checkpoint (model.pt, neural models) through the nets plugin. The data
// must have the model's features and labels (the labels' values are not looked at; their
// names and order must match the model's).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/input_options.hpp"
#include "core/atomic_file.hpp"
#include "core/context.hpp"
#include "core/error.hpp"
#include "core/nets_loader.hpp"
#include "io/image_readers.hpp"
#include "io/npy_writer.hpp"
#include "io/read_dataset.hpp"
#include "models/model.hpp"
#include "models/model_file.hpp"

namespace lg::cli {
namespace {
namespace fs = std::filesystem;

struct PredictArgs {
  std::string model;       ///< checkpoint
  InputArgs input;         ///< --data and the label declaration
  std::string images;      ///< --images: folder of an image model's images
  std::string image_labels;  ///< --image-labels: its `file,label,...` CSV
  std::string out;         ///< .npy or .csv
  int threads = 0;         ///< 0 = all cores
  std::string device = "cpu";
};

std::string scores_csv(const ScoreMatrix& scores, const std::vector<std::string>& names) {
  std::ostringstream out;
  for (std::size_t l = 0; l < names.size(); ++l) out << (l ? "," : "") << names[l];
  out << '\n';
  for (Index i = 0; i < scores.rows(); ++i) {
    for (Index l = 0; l < scores.cols(); ++l)
      out << (l ? "," : "") << fmt::format("{}", scores(i, l));  // shortest round-trip form
    out << '\n';
  }
  return out.str();
}

/// Whether `path` starts as a zip archive does (a LibTorch checkpoint is one).
bool is_zip_archive(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && magic[0] == 'P' && magic[1] == 'K' && magic[2] == '\x03' && magic[3] == '\x04';
}

void run_predict(const PredictArgs& args) {
  const std::string ext = fs::path(args.out).extension().string();
  if (ext != ".npy" && ext != ".csv")
    throw Error(args.out, 0, "--out must end in .npy or .csv");
  // The file decides: a labelgraph model file (classical models, read without LibTorch, or a
  // network kept by a run with its standardisation), else a LibTorch checkpoint.
  std::optional<models::LoadedModel> from_file;
  std::unique_ptr<models::Model> network;
  if (models::is_model_file(args.model)) {
    from_file = models::load_model_file(args.model);
  } else if (is_zip_archive(args.model)) {
    network = nets_api().load(args.model);
  } else {
    throw Error(args.model, 0,
                "not a model file: neither a labelgraph model file (model.lgm, classical models) nor a "
                "LibTorch checkpoint (model.pt, neural models), both written by `labelgraph train`");
  }
  if (args.images.empty() == args.input.inputs.empty())
    throw Error("give either --data FILE... (feature rows) or --images DIR --image-labels CSV");
  const Dataset data =
      args.images.empty()
          ? load_inputs(args.input.inputs, to_read_options(args.input))
          : as_dataset(std::make_shared<ImageDataset>(read_image_folder(args.images, args.image_labels)));
  const std::string source = args.images.empty() ? fmt::format("{}", fmt::join(args.input.inputs, " + ")) : args.images;
  Context ctx;
  ctx.threads = args.threads;
  ctx.device = args.device;
  if (from_file) from_file->check_input(data);  // names the model file and what differs
  const ScoreMatrix scores = [&] {
    try {
      return from_file ? from_file->predict(data, ctx) : network->predict_scores(data, ctx);
    } catch (const Error& e) {
      throw Error(args.model, 0, fmt::format("cannot score {}: {}", source, e.message()));
    }
  }();
  const std::vector<std::string>& names = from_file ? from_file->info.label_names : data.label_names;
  if (ext == ".npy") write_npy(args.out, scores);
  else write_file_atomically(args.out, scores_csv(scores, names), false);
  std::printf("scores: %s (%lld rows x %lld labels, %s)\n", args.out.c_str(),
              static_cast<long long>(scores.rows()), static_cast<long long>(scores.cols()),
              (from_file ? from_file->model : network)->name().c_str());
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto args = std::make_shared<PredictArgs>();
  auto* cmd = app.add_subcommand(
      "predict",
      "Score a data file with a model saved by `labelgraph train` (or kept by a run with "
      "[experiment] keep_models = true): probabilities per row and label, as .npy or CSV, for "
      "`labelgraph eval --scores`. Classical models (model.lgm) and neural ones (model.pt) alike; "
      "data with other labels or features than the model's is refused.");
  cmd->add_option("--model", args->model,
                  "model written by `labelgraph train`: model.lgm (classical) or model.pt (neural)")
      ->required()
      ->check(CLI::ExistingFile);
  add_input_options(cmd, args->input, "--data")->required(false);
  auto* images = cmd->add_option("--images", args->images,
                                 "instead of --data, for image models: a folder of images");
  auto* image_labels = cmd->add_option(
      "--image-labels", args->image_labels,
      "with --images: CSV `file,label_a,...` naming the images (the model's label names)");
  images->needs(image_labels);
  image_labels->needs(images);
  cmd->add_option("--out", args->out, "scores file: .npy (float32) or .csv (label names as header)")
      ->required();
  cmd->add_option("--threads", args->threads, "threads, 0 = all cores")->capture_default_str();
  cmd->add_option("--device", args->device, "cpu, cuda or cuda:K")->capture_default_str();
  cmd->footer(
      "\nExamples:\n"
      "  labelgraph predict --model m/model.pt --data scene-test.arff --out scores.npy\n"
      "  labelgraph predict --model cc/model.lgm --data scene-test.arff --out scores.npy\n"
      "  labelgraph eval --truth scene-test.arff --scores scores.npy\n"
      "  labelgraph predict --model m/model.pt --images imgs --image-labels imgs/labels.csv "
      "--out scores.csv\n");
  cmd->callback([args] { run_predict(*args); });
}

}  // namespace lg::cli
