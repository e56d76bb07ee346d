// labelgraph synth-images --kind scenes --rows N --size S --kinds K --seed S --out DIR
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "data/synthetic_scenes.hpp"

namespace lg::cli {
namespace {

struct SynthImagesArgs {
  SceneSpec spec;               ///< the scene model's parameters
  std::string kind = "scenes";  ///< --kind: scenes (mosaics not yet)
  std::uint64_t seed = 42;      ///< --seed
  std::string out;              ///< --out DIR
  int threads = 2;              ///< --threads
};

void run_synth_images(const SynthImagesArgs& args) {
  if (args.kind == "mosaics")
    throw Error("synth-images --kind mosaics is not implemented yet: use --kind scenes");
  if (args.kind != "scenes")
    throw Error(fmt::format("unknown --kind '{}': expected scenes", args.kind));
  if (args.threads < 1) throw Error(fmt::format("--threads must be >= 1, not {}", args.threads));
  const ImageDataset data = generate_scenes(args.spec, args.seed, args.threads);
  const auto written = write_image_folder(data, args.out, args.threads);
  std::printf("wrote %s: %lld images of %dx%d pixels, %lld labels, %s\n", args.out.c_str(),
              static_cast<long long>(data.rows()), args.spec.size, args.spec.size,
              static_cast<long long>(data.num_labels()), written.back().filename().c_str());
  for (const std::string& note : data.notes) std::printf("  %s\n", note.c_str());
}

}  // namespace

void add_synth_images_command(CLI::App& app) {
  auto args = std::make_shared<SynthImagesArgs>();
  SceneSpec& s = args->spec;
  auto* cmd = app.add_subcommand(
      "synth-images",
      "Write a synthetic multi-label IMAGE data set: a folder of PNGs (img-00000.png, ...) and "
      "labels.csv (file,<label>,...). Scenes: small RGB images with objects of several kinds "
      "(the labels) whose co-occurrence follows latent contexts; 'weak' kinds are small, "
      "low-contrast and often partly covered, but nearly always appear with an easy partner "
      "kind. A kind is a label only when enough of it stays visible. Deterministic from "
      "--seed. The model is documented in src/data/synthetic_scenes.hpp.");
  cmd->add_option("--kind", args->kind, "scenes (mosaics: not yet)")->capture_default_str();
  cmd->add_option("--rows", s.rows, "N: images")->capture_default_str();
  cmd->add_option("--size", s.size, "S: images are S x S pixels (16..1024)")
      ->capture_default_str();
  cmd->add_option("--kinds", s.kinds, "K: object kinds = labels (2..24)")->capture_default_str();
  cmd->add_option("--contexts", s.contexts, "C: latent contexts (1..min(8, K))")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "random seed; the same seed gives the same images")
      ->capture_default_str();
  cmd->add_option("--out", args->out, "output folder (created; each file written atomically)")
      ->required();
  cmd->add_option("--imbalance", s.imbalance,
                  "power-law exponent a: kind k has frequency top*(k+1)^-a (0 = balanced)")
      ->capture_default_str();
  cmd->add_option("--top-frequency", s.top_frequency, "target frequency of the first kind")
      ->capture_default_str();
  cmd->add_option("--weak-fraction", s.weak_fraction,
                  "fraction of kinds that are weak (at most K - C kinds)")
      ->capture_default_str();
  cmd->add_option("--partner-rate", s.partner_rate, "P(partner | weak kind) of the model")
      ->capture_default_str();
  cmd->add_option("--noise", s.noise, "uniform pixel noise amplitude (0..128)")
      ->capture_default_str();
  cmd->add_option("--min-visible", s.min_visible_pixels,
                  "pixels an object must keep visible to count as a label, for 64x64 images "
                  "(scaled by the image area)")
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "threads for drawing and writing")
      ->capture_default_str();
  cmd->footer(
      "Example:\n"
      "  labelgraph synth-images --kind scenes --rows 2000 --size 64 --kinds 10 --seed 1 "
      "--out scenes/\n"
      "  (writes scenes/img-00000.png ... scenes/img-01999.png and scenes/labels.csv)");
  cmd->callback([args] { run_synth_images(*args); });
}

}  // namespace lg::cli
