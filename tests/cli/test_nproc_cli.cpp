// --nproc refusals that need no process group (the trainings themselves: tests/nets/test_distributed.cpp).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "helpers.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

/// `experiment`: more [experiment] lines.
std::string config_text(const std::string& algorithms, const std::string& experiment = "") {
  return "[experiment]\n" + experiment + "seed = 5\nthreads = 1\n"
         "[split]\nmethod = \"holdout\"\ntest_fraction = 0.25\n"
         "[[datasets]]\nname = \"gen\"\n[datasets.synthetic]\nrows = 60\nlabels = 3\nfeatures = 4\ngroups = 1\n" +
         algorithms;
}

const char* kBrAndCc = "[[algorithms]]\nname = \"br\"\nlabel = \"BR\"\n[[algorithms]]\nname = \"cc\"\nlabel = \"CC\"\n";

}  // namespace

TEST_CASE("nproc: refusals, torchrun variables without a store, the config's train algorithm", "[cli][nproc]") {
  lg::test::TempDir dir;
  SECTION("a classical model is fitted in one process") {
    const fs::path config = dir.write("c.toml", config_text("[[algorithms]]\nname = \"br\"\nlabel = \"BR\"\n"));
    const auto r = lg::test::run_labelgraph("train " + config.string() + " --out " + (dir / "m").string() +
                                            " --nproc 2");
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Contains("c.toml") && Contains("'BR' (br) is fitted in one process"));
    CHECK(!fs::exists(dir / "m" / "model.lgm"));
  }
  SECTION("--list-cells with --nproc") {
    const fs::path config = dir.write("c.toml", config_text("[[algorithms]]\nname = \"br\"\nlabel = \"BR\"\n"));
    const auto r = lg::test::run_labelgraph("run " + config.string() + " --out " + (dir / "r").string() +
                                            " --list-cells --nproc 2");
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Contains("--list-cells"));
  }
  SECTION("no process count") {
    const fs::path config = dir.write("c.toml", config_text("[[algorithms]]\nname = \"br\"\nlabel = \"BR\"\n"));
    const auto r = lg::test::run_labelgraph("train " + config.string() + " --nproc 0");
    CHECK(r.status != 0);
    CHECK_THAT(r.err, Contains("--nproc"));
  }
  SECTION("torchrun's variables without a store address") {
    const fs::path config = dir.write("c.toml", config_text("[[algorithms]]\nname = \"br\"\nlabel = \"BR\"\n"));
    lg::test::ScopedEnv world("WORLD_SIZE", "2"), rank("RANK", "1"), addr("MASTER_ADDR", ""),
        port("MASTER_PORT", ""), file("LABELGRAPH_STORE_FILE", "");
    const auto r = lg::test::run_labelgraph("train " + config.string() + " --out " + (dir / "m").string());
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Contains("MASTER_ADDR and MASTER_PORT"));
  }
  SECTION("[experiment] train names an algorithm the config lacks") {
    const fs::path config = dir.write("c.toml", config_text(kBrAndCc, "train = \"NOPE\"\n"));
    const auto r = lg::test::run_labelgraph("train " + config.string() + " --out " + (dir / "m").string());
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Contains("no algorithm 'NOPE'"));
  }
  SECTION("[experiment] train picks the algorithm train trains without --algorithm") {
    const fs::path config = dir.write("c.toml", config_text(kBrAndCc, "train = \"CC\"\n"));
    const auto r = lg::test::run_labelgraph("train " + config.string() + " --out " + (dir / "m").string());
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK_THAT(r.err, Contains("training CC on gen"));
  }
}
