// labelgraph train / predict / eval as a user chains them, on generated data.
#include <catch2/catch.hpp>

#include <filesystem>

#include "helpers.hpp"

namespace {

namespace fs = std::filesystem;

std::string config_text(const fs::path& out, const std::string& algorithms) {
  return "[experiment]\nseed = 5\nthreads = 1\noutput = \"" + out.string() +
         "\"\n"
         "[split]\nmethod = \"holdout\"\ntest_fraction = 0.25\n"
         "[[datasets]]\nname = \"gen\"\n[datasets.synthetic]\nrows = 240\nlabels = 6\n"
         "features = 8\ngroups = 2\n" +
         algorithms;
}

const char* kMlgcn =
    "[[algorithms]]\nname = \"mlgcn\"\nlabel = \"G\"\nhidden = [16]\ngcn_hidden = 8\n"
    "epochs = 4\nvalidation_fraction = 0.2\noptimizer = \"sgd\"\nlr = 0.05\n";

}  // namespace

TEST_CASE("train -> predict -> eval: a saved model scores a file that eval reads", "[cli]") {
  lg::test::TempDir dir;
  const fs::path config = dir.write("c.toml", config_text(dir / "results", kMlgcn));
  const fs::path model_dir = dir / "m";
  const auto trained = lg::test::run_labelgraph("train " + config.string() + " --out " +
                                                model_dir.string() + " --checkpoint-every 2");
  INFO(trained.err);
  REQUIRE(trained.status == 0);
  for (const char* f : {"model.pt", "history.csv", "history.md", "history.svg", "manifest.json",
                        "config.resolved.toml", "checkpoints/checkpoint-epoch-002.pt",
                        "checkpoints/checkpoint-epoch-004.pt", "data/gen.arff"})
    CHECK(fs::exists(model_dir / f));
  // history.csv: a header and one row per epoch
  const std::string history = lg::test::read_file(model_dir / "history.csv");
  CHECK(std::count(history.begin(), history.end(), '\n') == 5);
  CHECK(lg::test::read_file(model_dir / "manifest.json").find("\"torch_version\"") != std::string::npos);

  const fs::path data = model_dir / "data" / "gen.arff";
  const auto predicted = lg::test::run_labelgraph("predict --model " + (model_dir / "model.pt").string() +
                                                  " --data " + data.string() + " --out " +
                                                  (dir / "s.npy").string());
  INFO(predicted.err);
  REQUIRE(predicted.status == 0);
  CHECK(predicted.out.find("240 rows x 6 labels") != std::string::npos);
  const auto evaluated = lg::test::run_labelgraph("eval --truth " + data.string() + " --scores " +
                                                  (dir / "s.npy").string() + " --format json");
  INFO(evaluated.err);
  REQUIRE(evaluated.status == 0);
  CHECK(evaluated.out.find("\"mAP\"") != std::string::npos);

  SECTION("CSV scores carry the label names") {
    const auto csv = lg::test::run_labelgraph("predict --model " + (model_dir / "model.pt").string() +
                                              " --data " + data.string() + " --out " +
                                              (dir / "s.csv").string());
    REQUIRE(csv.status == 0);
    const std::string text = lg::test::read_file(dir / "s.csv");
    CHECK(text.substr(0, text.find('\n')).find(',') != std::string::npos);
    CHECK(std::count(text.begin(), text.end(), '\n') == 241);
  }

  SECTION("resuming from the epoch-2 checkpoint gives the same model") {
    const fs::path again = dir / "m2";
    const auto resumed = lg::test::run_labelgraph(
        "train " + config.string() + " --out " + again.string() + " --resume " +
        (model_dir / "checkpoints" / "checkpoint-epoch-002.pt").string());
    INFO(resumed.err);
    REQUIRE(resumed.status == 0);
    REQUIRE(lg::test::run_labelgraph("predict --model " + (again / "model.pt").string() + " --data " +
                                     data.string() + " --out " + (dir / "s2.npy").string())
                .status == 0);
    CHECK(lg::test::read_file(dir / "s2.npy") == lg::test::read_file(dir / "s.npy"));
  }

  SECTION("a file with other features is refused, naming the model") {
    const fs::path other = dir.write(
        "other.arff",
        "@relation other\n@attribute x numeric\n@attribute a {0,1}\n@data\n1,0\n2,1\n");
    const auto refused = lg::test::run_labelgraph("predict --model " + (model_dir / "model.pt").string() +
                                                  " --data " + other.string() + " --labels -1 --out " +
                                                  (dir / "o.npy").string());
    CHECK(refused.status != 0);
    CHECK(refused.err.find("model.pt") != std::string::npos);
    CHECK(refused.err.find("trained on 8 features, the data has 1") != std::string::npos);
    CHECK(!fs::exists(dir / "o.npy"));
  }
}

TEST_CASE("train: which algorithm, and only neural ones", "[cli]") {
  lg::test::TempDir dir;
  const fs::path two = dir.write(
      "two.toml", config_text(dir / "r", std::string(kMlgcn) + "[[algorithms]]\nname = \"br\"\nlabel = \"B\"\n"));
  const auto ambiguous = lg::test::run_labelgraph("train " + two.string());
  CHECK(ambiguous.status != 0);
  CHECK(ambiguous.err.find("--algorithm (one of: G, B)") != std::string::npos);
  const auto classical = lg::test::run_labelgraph("train " + two.string() + " --algorithm B --out " +
                                                  (dir / "b").string());
  CHECK(classical.status != 0);
  CHECK(classical.err.find("'br' is not a neural model") != std::string::npos);
  CHECK(!fs::exists(dir / "b" / "model.pt"));
  const auto unknown = lg::test::run_labelgraph("train " + two.string() + " --algorithm Z");
  CHECK(unknown.status != 0);
  CHECK(unknown.err.find("no algorithm 'Z'") != std::string::npos);
}
