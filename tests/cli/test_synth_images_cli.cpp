// `labelgraph synth-images`: the folder it writes (PNGs + labels.csv) matches the in-memory
// generator, the same seed writes identical files, and bad options are one-line errors.
#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "data/synthetic_scenes.hpp"
#include "cli/commands.hpp"
#include "helpers.hpp"

namespace {
using lg::test::run_labelgraph;
using lg::test::TempDir;

/// The command alone in an App, in-process: throws lg::Error like the command callback.
void run_in_process(std::vector<std::string> args) {
  CLI::App app{"test"};
  lg::cli::add_synth_images_command(app);
  args.insert(args.begin(), "labelgraph");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
}

std::vector<std::string> scenes_args(const std::filesystem::path& out, const std::string& seed) {
  return {"synth-images", "--kind", "scenes", "--rows", "9",          "--size",
          "32",           "--kinds", "6",     "--seed", seed, "--out", out.string()};
}

}  // namespace

TEST_CASE("synth-images: the folder holds the generator's images and labels", "[cli][scenes]") {
  TempDir tmp;
  run_in_process(scenes_args(tmp / "a", "7"));
  lg::SceneSpec spec;
  spec.rows = 9;
  spec.size = 32;
  spec.kinds = 6;
  const lg::ImageDataset d = lg::generate_scenes(spec, 7);
  for (int i = 0; i < 9; ++i) {
    const auto file = tmp / "a" / ("img-0000" + std::to_string(i) + ".png");
    const lg::Image image = lg::decode_image(file);
    CHECK(image.width == 32);
    CHECK(image.pixels == d.images[static_cast<std::size_t>(i)].pixels);
  }
  const std::string csv = lg::test::read_file(tmp / "a" / "labels.csv");
  CHECK(csv.rfind("file,circle,square,triangle,ring,cross,hbars\nimg-00000.png,", 0) == 0);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 10);  // header + 9 rows
  CHECK_FALSE(std::filesystem::exists(tmp / "a" / "img-00009.png"));
}

TEST_CASE("synth-images: the same seed writes identical files, another seed does not",
          "[cli][scenes]") {
  TempDir tmp;
  run_in_process(scenes_args(tmp / "a", "3"));
  run_in_process(scenes_args(tmp / "b", "3"));
  run_in_process(scenes_args(tmp / "c", "4"));
  const auto read = [&](const char* dir, const char* name) {
    return lg::test::read_file(tmp / dir / name);
  };
  CHECK_FALSE(read("a", "img-00002.png").empty());
  CHECK(read("a", "img-00002.png") == read("b", "img-00002.png"));
  CHECK(read("a", "labels.csv") == read("b", "labels.csv"));
  CHECK(read("a", "img-00002.png") != read("c", "img-00002.png"));
}

TEST_CASE("synth-images: bad options are clear errors", "[cli][scenes]") {
  TempDir tmp;
  auto args = scenes_args(tmp / "m", "1");
  args[2] = "mosaics";
  CHECK_THROWS_WITH(run_in_process(args), Catch::Contains("--size does not apply to --kind mosaics"));
  args[2] = "photos";
  CHECK_THROWS_WITH(run_in_process(args), Catch::Contains("unknown --kind 'photos'"));
  args = scenes_args(tmp / "k", "1");
  args[8] = "1";  // --kinds 1
  CHECK_THROWS_WITH(run_in_process(args), Catch::Contains("kinds must be in 2..24"));
  CHECK_FALSE(std::filesystem::exists(tmp / "m"));
  CHECK_FALSE(std::filesystem::exists(tmp / "k"));
}

// End to end through the installed command table (needs add_synth_images_command in run_cli).
TEST_CASE("synth-images cli: end to end, help and one-line errors", "[cli][scenes]") {
  TempDir tmp;
  const auto ok = run_labelgraph(
      "synth-images --rows 5 --size 24 --kinds 4 --contexts 2 --seed 2 --out '" +
      (tmp / "s").string() + "'");
  INFO(ok.err);
  REQUIRE(ok.status == 0);
  CHECK(ok.out.find("5 images of 24x24 pixels, 4 labels") != std::string::npos);
  CHECK(std::filesystem::exists(tmp / "s" / "img-00004.png"));
  const std::string csv = lg::test::read_file(tmp / "s" / "labels.csv");
  CHECK(csv.rfind("file,circle,square,triangle,ring\n", 0) == 0);

  const auto help = run_labelgraph("synth-images --help");
  CHECK(help.status == 0);
  CHECK(help.out.find("Example:") != std::string::npos);

  const auto bad =
      run_labelgraph("synth-images --kind mosaics --grid 9 --out '" + (tmp / "m").string() + "'");
  CHECK(bad.status != 0);
  CHECK(bad.out.empty());
  CHECK(bad.err == "labelgraph: error: mosaics: grid must be 1..8 tiles per side, not 9\n");
}
