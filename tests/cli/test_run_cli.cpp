#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/context.hpp"
#include "helpers.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;


TEST_CASE("run: the quickstart config writes tables, data and a manifest, reproducibly", "[cli][experiment]") {
  lg::test::TempDir tmp;
  const std::string config = (lg::source_dir() / "experiments" / "quickstart.toml").string();
  const auto a = lg::test::run_labelgraph("run '" + config + "' --out '" + (tmp / "a").string() + "'");
  REQUIRE(a.status == 0);
  CHECK_THAT(a.out, Contains("synthetic"));
  for (const char* f : {"manifest.json", "config.resolved.toml", "data/synthetic.arff",
                        "tables/datasets.md", "tables/datasets.csv", "tables/datasets.tex",
                        "tables/datasets.json", "tables/synthetic-labels.md", "tables/synthetic-stats.json"})
    CHECK(fs::exists(tmp / "a" / f));

  const auto manifest = nlohmann::json::parse(lg::test::read_file(tmp / "a" / "manifest.json"));
  CHECK(manifest["seed"] == 42);
  CHECK_FALSE(manifest["git_revision"].get<std::string>().empty());
  CHECK_FALSE(manifest["torch_version"].get<std::string>().empty());

  // Same config and seed: identical tables and data.
  const auto b = lg::test::run_labelgraph("run '" + config + "' --out '" + (tmp / "b").string() + "'");
  REQUIRE(b.status == 0);
  for (const char* f : {"tables/datasets.csv", "tables/synthetic-labels.csv", "data/synthetic.arff"})
    CHECK(lg::test::read_file(tmp / "a" / f) == lg::test::read_file(tmp / "b" / f));

  // Another seed: other data.
  const auto c = lg::test::run_labelgraph("run '" + config + "' --seed 7 --out '" + (tmp / "c").string() + "'");
  REQUIRE(c.status == 0);
  CHECK(lg::test::read_file(tmp / "a" / "data/synthetic.arff") != lg::test::read_file(tmp / "c" / "data/synthetic.arff"));
}

TEST_CASE("run: a bad config is a one-line error with file and line", "[cli][experiment]") {
  lg::test::TempDir tmp;
  const auto cfg = tmp.write("bad.toml", "[experiment]\nsede = 3\n[[datasets]]\nname = \"x\"\n");
  const auto r = lg::test::run_labelgraph("run '" + cfg.string() + "' --out '" + (tmp / "o").string() + "'");
  CHECK(r.status != 0);
  CHECK_THAT(r.err, Contains("bad.toml:2:") && Contains("sede"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_FALSE(fs::exists(tmp / "o" / "manifest.json"));
}
