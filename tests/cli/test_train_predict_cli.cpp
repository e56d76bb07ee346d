// labelgraph train / predict / eval as a user chains them, on generated data.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

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

/// The rows of an ARFF file's @data section split into two files with its header: the first
/// `first` rows and the rest.
void split_arff(const fs::path& from, std::size_t first, const fs::path& a, const fs::path& b) {
  std::istringstream in(lg::test::read_file(from));
  std::string header, rows_a, rows_b, line;
  bool data = false;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    if (!data) {
      header += line + "\n";
      data = line.rfind("@data", 0) == 0;
    } else if (!line.empty()) {
      (n++ < first ? rows_a : rows_b) += line + "\n";
    }
  }
  std::ofstream(a) << header << rows_a;
  std::ofstream(b) << header << rows_b;
}

/// `labelgraph eval`'s measures (JSON) of scores against a truth file.
nlohmann::json eval_measures(const fs::path& truth, const fs::path& scores) {
  const auto e = lg::test::run_labelgraph("eval --truth " + truth.string() + " --scores " + scores.string() +
                                          " --format json");
  INFO(e.err);
  REQUIRE(e.status == 0);
  return nlohmann::json::parse(e.out);
}

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

TEST_CASE("train: which algorithm", "[cli]") {
  lg::test::TempDir dir;
  const fs::path two = dir.write(
      "two.toml", config_text(dir / "r", std::string(kMlgcn) + "[[algorithms]]\nname = \"br\"\nlabel = \"B\"\n"));
  const auto ambiguous = lg::test::run_labelgraph("train " + two.string());
  CHECK(ambiguous.status != 0);
  CHECK(ambiguous.err.find("--algorithm (one of: G, B)") != std::string::npos);
  const auto classical = lg::test::run_labelgraph("train " + two.string() + " --algorithm B --out " +
                                                  (dir / "b").string() + " --checkpoint-every 2");
  CHECK(classical.status != 0);
  CHECK(classical.err.find("fitted in one go: --checkpoint-every and --resume apply to neural") != std::string::npos);
  CHECK(!fs::exists(dir / "b" / "model.lgm"));
  const auto unknown = lg::test::run_labelgraph("train " + two.string() + " --algorithm Z");
  CHECK(unknown.status != 0);
  CHECK(unknown.err.find("no algorithm 'Z'") != std::string::npos);
}

TEST_CASE("train -> predict -> eval for a classical model: the run's scores, kept or trained",
          "[cli][model_file]") {
  lg::test::TempDir dir;
  // data: a generated set written by a first training, then cut into train and test files
  const fs::path gen_config = dir.write(
      "gen.toml", config_text(dir / "g", "[[algorithms]]\nname = \"br\"\n"));
  const auto generated = lg::test::run_labelgraph("train " + gen_config.string() + " --out " + (dir / "g").string());
  INFO(generated.err);
  REQUIRE(generated.status == 0);
  CHECK(generated.out.find("model.lgm") != std::string::npos);
  CHECK(fs::exists(dir / "g" / "model.lgm"));
  CHECK(lg::test::read_file(dir / "g" / "manifest.json").find("\"model.lgm\"") != std::string::npos);
  split_arff(dir / "g" / "data" / "gen.arff", 180, dir / "train.arff", dir / "test.arff");

  const std::string algorithms =
      "[[algorithms]]\nname = \"cc\"\nlabel = \"CC\"\norder = \"random\"\n"
      "[[algorithms]]\nname = \"rakel\"\nlabel = \"RAkEL\"\nvariant = \"o\"\nk = 2\nm = 4\n"
      "[[algorithms]]\nname = \"mlknn\"\nlabel = \"kNN\"\nk = 5\n";
  auto given = [&](const fs::path& out, bool keep) {
    return "[experiment]\nseed = 5\nthreads = 1\noutput = \"" + out.string() + "\"\n" +
           (keep ? "keep_models = true\n" : "") +
           "[split]\nmethod = \"given\"\n"
           "[[datasets]]\nname = \"cut\"\nfiles = [\"train.arff\", \"test.arff\"]\n" + algorithms;
  };
  const fs::path config = dir.write("given.toml", given(dir / "r", true));
  const auto run = lg::test::run_labelgraph("run " + config.string());
  INFO(run.err);
  REQUIRE(run.status == 0);

  for (const std::string label : {"CC", "RAkEL", "kNN"}) {
    INFO("algorithm " << label);
    const fs::path model_dir = dir / ("m-" + label);
    const auto trained = lg::test::run_labelgraph("train " + config.string() + " --algorithm " + label +
                                                  " --out " + model_dir.string());
    INFO(trained.err);
    REQUIRE(trained.status == 0);
    for (const char* f : {"model.lgm", "manifest.json", "config.resolved.toml"}) CHECK(fs::exists(model_dir / f));
    CHECK_FALSE(fs::exists(model_dir / "model.pt"));
    const fs::path scores = dir / ("s-" + label + ".npy");
    const auto predicted = lg::test::run_labelgraph("predict --model " + (model_dir / "model.lgm").string() +
                                                    " --data " + (dir / "test.arff").string() + " --out " +
                                                    scores.string());
    INFO(predicted.err);
    REQUIRE(predicted.status == 0);
    CHECK(predicted.out.find("60 rows x 6 labels") != std::string::npos);

    // the run's cell of this algorithm: its measures are those of the trained model's scores
    const auto cell = nlohmann::json::parse(lg::test::read_file(dir / "r" / "runs" / "cut" / (label + "-seed5-fold0.json")));
    const nlohmann::json measures = eval_measures(dir / "test.arff", scores);
    for (const char* m : {"hamming_loss", "micro_f1", "macro_f1", "mAP", "ranking_loss", "lrap"}) {
      INFO("measure " << m);
      REQUIRE(measures.contains("measures"));
      CHECK(measures["measures"][m].get<double>() == cell["measures"][m].get<double>());
    }

    // keep_models: the cell's own model file scores the raw test file identically
    std::string kept;  // cells/<key>.model.lgm of the cell file whose algorithm is `label`
    for (const auto& entry : fs::directory_iterator(dir / "r" / "cells")) {
      const fs::path p = entry.path();
      if (p.extension() != ".json") continue;
      const auto record = nlohmann::json::parse(lg::test::read_file(p));
      if (record["cell"]["algorithm"] == label)
        kept = (p.parent_path() / (p.stem().string() + ".model.lgm")).string();
    }
    REQUIRE_FALSE(kept.empty());
    REQUIRE(lg::test::run_labelgraph("predict --model " + kept + " --data " + (dir / "test.arff").string() +
                                     " --out " + (dir / "k.npy").string())
                .status == 0);
    CHECK(lg::test::read_file(dir / "k.npy") == lg::test::read_file(scores));
  }

  SECTION("data with another label set is refused, naming the model file") {
    std::string text = lg::test::read_file(dir / "test.arff");
    const auto at = text.find("@attribute l1_g1");
    REQUIRE(at != std::string::npos);
    text.replace(at, 16, "@attribute other");
    const fs::path other = dir.write("other.arff", text);
    const fs::path model = dir / "m-CC" / "model.lgm";
    const auto refused = lg::test::run_labelgraph("predict --model " + model.string() + " --data " +
                                                  other.string() + " --out " + (dir / "o.npy").string());
    CHECK(refused.status != 0);
    CHECK(refused.err.find(model.string()) != std::string::npos);
    CHECK(refused.err.find("trained on other labels") != std::string::npos);
    CHECK(refused.err.find("position 2: the model has 'l1_g1', the data 'other'") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "o.npy"));
  }

  SECTION("a file that is no model is refused without loading LibTorch") {
    const fs::path junk = dir.write("junk.lgm", "not a model\n");
    const auto refused = lg::test::run_labelgraph("predict --model " + junk.string() + " --data " +
                                                  (dir / "test.arff").string() + " --out " + (dir / "o.npy").string());
    CHECK(refused.status != 0);
    CHECK(refused.err.find(junk.string()) != std::string::npos);
    CHECK(refused.err.find("not a model file") != std::string::npos);
  }

  SECTION("keep_models changes neither the cell keys nor the tables") {
    const fs::path plain = dir.write("plain.toml", given(dir / "p", false));
    REQUIRE(lg::test::run_labelgraph("run " + plain.string()).status == 0);
    std::vector<std::string> kept_cells, plain_cells;
    for (const std::string& f : lg::test::files_under(dir / "r" / "cells"))
      if (f.find(".model.") == std::string::npos) kept_cells.push_back(f);
    plain_cells = lg::test::files_under(dir / "p" / "cells");
    std::sort(kept_cells.begin(), kept_cells.end());
    std::sort(plain_cells.begin(), plain_cells.end());
    CHECK(kept_cells == plain_cells);
    CHECK(lg::test::read_file(dir / "r" / "tables" / "summary.csv") ==
          lg::test::read_file(dir / "p" / "tables" / "summary.csv"));
    CHECK(lg::test::files_under(dir / "p" / "cells").size() + 3 == lg::test::files_under(dir / "r" / "cells").size());
  }
}

TEST_CASE("keep_models keeps a network with the run's standardisation: predict on the raw file "
          "gives the cell's measures",
          "[cli][model_file]") {
  lg::test::TempDir dir;
  const fs::path gen_config = dir.write("gen.toml", config_text(dir / "g", "[[algorithms]]\nname = \"br\"\n"));
  REQUIRE(lg::test::run_labelgraph("train " + gen_config.string() + " --out " + (dir / "g").string()).status == 0);
  split_arff(dir / "g" / "data" / "gen.arff", 180, dir / "train.arff", dir / "test.arff");
  const fs::path config = dir.write(
      "given.toml", "[experiment]\nseed = 5\nthreads = 1\nkeep_models = true\noutput = \"" + (dir / "r").string() +
                        "\"\n[split]\nmethod = \"given\"\n"
                        "[[datasets]]\nname = \"cut\"\nfiles = [\"train.arff\", \"test.arff\"]\n" + kMlgcn);
  const auto run = lg::test::run_labelgraph("run " + config.string());
  INFO(run.err);
  REQUIRE(run.status == 0);
  std::string kept;
  for (const auto& entry : fs::directory_iterator(dir / "r" / "cells"))
    if (entry.path().extension() == ".json")
      kept = (entry.path().parent_path() / (entry.path().stem().string() + ".model.lgm")).string();
  REQUIRE(fs::exists(kept));
  const auto predicted = lg::test::run_labelgraph("predict --threads 1 --model " + kept + " --data " +
                                                  (dir / "test.arff").string() + " --out " + (dir / "k.npy").string());
  INFO(predicted.err);
  REQUIRE(predicted.status == 0);
  CHECK(predicted.out.find("60 rows x 6 labels, mlgcn") != std::string::npos);
  const auto cell = nlohmann::json::parse(lg::test::read_file(dir / "r" / "runs" / "cut" / "G-seed5-fold0.json"));
  const nlohmann::json measures = eval_measures(dir / "test.arff", dir / "k.npy");
  for (const char* m : {"hamming_loss", "micro_f1", "macro_f1", "mAP", "ranking_loss"}) {
    INFO("measure " << m);
    CHECK(measures["measures"][m].get<double>() == cell["measures"][m].get<double>());
  }
}
