// labelgraph synth-images --kind scenes --rows N --size S --kinds K --seed S --out DIR
// labelgraph synth-images --kind mosaics --rows N --grid G --seed S --out DIR
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "data/fashion_mosaics.hpp"
#include "data/synthetic_scenes.hpp"

namespace lg::cli {
namespace {

struct SynthImagesArgs {
  SceneSpec spec;               ///< the scene model's parameters
  MosaicSpec mosaic;            ///< the mosaic model's parameters
  std::string kind = "scenes";  ///< --kind: scenes or mosaics
  Index rows = 2000;            ///< --rows, for either kind
  std::string source = default_fashion_dir().string();  ///< --source (mosaics)
  std::uint64_t seed = 42;      ///< --seed
  std::string out;              ///< --out DIR
  int threads = 2;              ///< --threads
  std::vector<CLI::Option*> scene_only;   ///< options that mean nothing for mosaics
  std::vector<CLI::Option*> mosaic_only;  ///< options that mean nothing for scenes
};

/// An option of the other kind given on the command line is a mistake, not something to ignore.
void reject_options(const std::vector<CLI::Option*>& options, const std::string& kind) {
  for (const CLI::Option* o : options)
    if (o->count() > 0)
      throw Error(fmt::format("{} does not apply to --kind {}", o->get_name(), kind));
}

void run_synth_images(SynthImagesArgs& args) {
  if (args.kind != "scenes" && args.kind != "mosaics")
    throw Error(fmt::format("unknown --kind '{}': expected scenes or mosaics", args.kind));
  if (args.threads < 1) throw Error(fmt::format("--threads must be >= 1, not {}", args.threads));
  ImageDataset data;
  int width = 0, height = 0;
  if (args.kind == "scenes") {
    reject_options(args.mosaic_only, args.kind);
    args.spec.rows = args.rows;
    data = generate_scenes(args.spec, args.seed, args.threads);
    width = height = args.spec.size;
  } else {
    reject_options(args.scene_only, args.kind);
    args.mosaic.rows = args.rows;
    args.mosaic.source_dir = args.source;
    data = generate_mosaics(args.mosaic, args.seed, args.threads);
    width = data.images.empty() ? 0 : data.images.front().width;
    height = data.images.empty() ? 0 : data.images.front().height;
  }
  const auto written = write_image_folder(data, args.out, args.threads);
  std::printf("wrote %s: %lld images of %dx%d pixels, %lld labels, %s\n", args.out.c_str(),
              static_cast<long long>(data.rows()), width, height,
              static_cast<long long>(data.num_labels()), written.back().filename().c_str());
  for (const std::string& note : data.notes) std::printf("  %s\n", note.c_str());
}

}  // namespace

void add_synth_images_command(CLI::App& app) {
  auto args = std::make_shared<SynthImagesArgs>();
  SceneSpec& s = args->spec;
  MosaicSpec& m = args->mosaic;
  auto* cmd = app.add_subcommand(
      "synth-images",
      "Write a synthetic multi-label IMAGE data set: a folder of PNGs (img-00000.png, ...) and "
      "labels.csv (file,<label>,...). Deterministic from --seed.\n"
      "Scenes (--kind scenes): small RGB images with objects of several kinds (the labels) "
      "whose co-occurrence follows latent contexts; 'weak' kinds are small, low-contrast and "
      "often partly covered, but nearly always appear with an easy partner kind. A kind is a "
      "label only when enough of it stays visible. Model: src/data/synthetic_scenes.hpp.\n"
      "Mosaics (--kind mosaics): a G x G grid of real Fashion-MNIST tiles (Debian's "
      "dataset-fashion-mnist); each image draws a latent outfit (casual, formal, summer, "
      "winter) and its tiles show the outfit's clothes, now and then another class, or stay "
      "empty. Labels = the 10 classes shown. Model: src/data/fashion_mosaics.hpp.");
  cmd->add_option("--kind", args->kind, "scenes or mosaics")->capture_default_str();
  cmd->add_option("--rows", args->rows, "N: images")->capture_default_str();
  cmd->add_option("--seed", args->seed, "random seed; the same seed gives the same images")
      ->capture_default_str();
  cmd->add_option("--out", args->out, "output folder (created; each file written atomically)")
      ->required();
  cmd->add_option("--threads", args->threads, "threads for drawing and writing")
      ->capture_default_str();

  auto scene = [&](CLI::Option* o) { args->scene_only.push_back(o->capture_default_str()); };
  scene(cmd->add_option("--size", s.size, "scenes: images are S x S pixels (16..1024)"));
  scene(cmd->add_option("--kinds", s.kinds, "scenes: K object kinds = labels (2..24)"));
  scene(cmd->add_option("--contexts", s.contexts, "scenes: C latent contexts (1..min(8, K))"));
  scene(cmd->add_option(
      "--imbalance", s.imbalance,
      "scenes: power-law exponent a: kind k has frequency top*(k+1)^-a (0 = balanced)"));
  scene(cmd->add_option("--top-frequency", s.top_frequency,
                        "scenes: target frequency of the first kind"));
  scene(cmd->add_option("--weak-fraction", s.weak_fraction,
                        "scenes: fraction of kinds that are weak (at most K - C kinds)"));
  scene(cmd->add_option("--partner-rate", s.partner_rate,
                        "scenes: P(partner | weak kind) of the model"));
  scene(cmd->add_option("--noise", s.noise, "scenes: uniform pixel noise amplitude (0..128)"));
  scene(cmd->add_option("--min-visible", s.min_visible_pixels,
                        "scenes: pixels an object must keep visible to count as a label, for "
                        "64x64 images (scaled by the image area)"));

  auto mosaic = [&](CLI::Option* o) { args->mosaic_only.push_back(o->capture_default_str()); };
  mosaic(cmd->add_option("--grid", m.grid,
                         "mosaics: G tiles per side (1..8); images are 28G x 28G pixels"));
  mosaic(cmd->add_option("--split", m.split, "mosaics: tile pool, train or t10k"));
  mosaic(cmd->add_option("--source", args->source,
                         "mosaics: folder of the Fashion-MNIST IDX files "
                         "(default: $LABELGRAPH_FASHION_MNIST or Debian's)"));
  mosaic(cmd->add_option("--empty-rate", m.empty_rate,
                         "mosaics: probability that a tile is empty, [0, 1)"));
  mosaic(cmd->add_option("--stray-rate", m.stray_rate,
                         "mosaics: probability that a clothes tile is outside the outfit"));
  mosaic(cmd->add_option("--empty-noise", m.empty_noise,
                         "mosaics: empty tiles get uniform grey noise in [0, this] (0..255)"));
  mosaic(cmd->add_option("--tint", m.tint,
                         "mosaics: colour each image by its outfit's tint, strength 0..1 (shows "
                         "the outfit in the colour: a shortcut for models)"));
  cmd->footer(
      "Example:\n"
      "  labelgraph synth-images --kind scenes --rows 2000 --size 64 --kinds 10 --seed 1 "
      "--out scenes/\n"
      "  (writes scenes/img-00000.png ... scenes/img-01999.png and scenes/labels.csv)\n"
      "Example (mosaics; needs apt-get install dataset-fashion-mnist):\n"
      "  labelgraph synth-images --kind mosaics --rows 5000 --grid 2 --seed 1 --out mosaics/\n"
      "  (56x56 mosaics of 2x2 Fashion-MNIST training images, same layout of files)");
  cmd->callback([args] { run_synth_images(*args); });
}

}  // namespace lg::cli
