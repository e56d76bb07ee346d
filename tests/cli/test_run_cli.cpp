#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/context.hpp"
#include "helpers.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;


TEST_CASE("run: the classical config writes tables, data and a manifest, reproducibly", "[cli][experiment]") {
  lg::test::TempDir tmp;
  const std::string config = (lg::source_dir() / "experiments" / "classical.toml").string();
  const auto a = lg::test::run_labelgraph("run '" + config + "' --out '" + (tmp / "a").string() + "'");
  REQUIRE(a.status == 0);
  CHECK_THAT(a.out, Contains("synthetic") && Contains("CC-MST") && Contains("micro_f1"));
  for (const char* f : {"manifest.json", "config.resolved.toml", "data/synthetic.arff",
                        "tables/datasets.md", "tables/datasets.csv", "tables/datasets.tex",
                        "tables/datasets.json", "tables/synthetic-label-stats.md",
                        "tables/synthetic-stats.json", "tables/summary.csv", "tables/summary.md",
                        "tables/summary.tex", "tables/summary.json", "tables/synthetic-labels.csv",
                        "tables/synthetic-buckets.md", "graphs/synthetic.svg",
                        "runs/synthetic/BR-seed42-fold0.json", "runs/synthetic/ML-kNN-seed42-fold2.json"})
    CHECK(fs::exists(tmp / "a" / f));

  const auto manifest = nlohmann::json::parse(lg::test::read_file(tmp / "a" / "manifest.json"));
  CHECK(manifest["seed"] == 42);
  CHECK_FALSE(manifest["git_revision"].get<std::string>().empty());
  // No network in this config: LibTorch is not loaded, and the manifest says so.
  CHECK(manifest["torch_version"].get<std::string>().empty());
  CHECK(manifest["libraries"].contains("igraph"));
  CHECK(manifest["cells"].size() >= 12);  // 4 algorithms x 3 folds on the synthetic set

  // The summary JSON is a list of {dataset, algorithm, measure, mean, sd, n} rows.
  const auto summary = nlohmann::json::parse(lg::test::read_file(tmp / "a" / "tables/summary.json"));
  REQUIRE(summary.is_array());
  REQUIRE_FALSE(summary.empty());
  for (const char* key : {"dataset", "algorithm", "measure", "mean", "sd", "n"})
    CHECK(summary[0].contains(key));
  CHECK(summary[0]["n"] == 3);  // three folds
  const auto run = nlohmann::json::parse(lg::test::read_file(tmp / "a" / "runs/synthetic/BR-seed42-fold0.json"));
  CHECK(run["measures"].contains("hamming_loss"));
  CHECK(run["timings"].contains("fit_seconds"));

  // Same config and seed: byte-identical tables and data.
  const auto b = lg::test::run_labelgraph("run '" + config + "' --out '" + (tmp / "b").string() + "'");
  REQUIRE(b.status == 0);
  for (const char* f : {"tables/datasets.csv", "tables/synthetic-label-stats.csv", "data/synthetic.arff",
                        "tables/summary.csv", "tables/summary.json", "tables/summary.tex",
                        "tables/synthetic-labels.csv", "tables/synthetic-buckets.csv"})
    CHECK(lg::test::read_file(tmp / "a" / f) == lg::test::read_file(tmp / "b" / f));

  // Another seed: other data.
  const auto c = lg::test::run_labelgraph("run '" + config + "' --seed 7 --out '" + (tmp / "c").string() + "'");
  REQUIRE(c.status == 0);
  CHECK(lg::test::read_file(tmp / "a" / "data/synthetic.arff") != lg::test::read_file(tmp / "c" / "data/synthetic.arff"));
}

TEST_CASE("run: two data sets and two algorithms give ranks, significance and a CD diagram", "[cli][experiment]") {
  lg::test::TempDir tmp;
  const auto cfg = tmp.write("two.toml", R"(
[experiment]
seed = 5
[split]
method = "kfold"
folds = 2
[graph]
enabled = false
[[datasets]]
name = "one"
[datasets.synthetic]
rows = 300
labels = 6
features = 8
[[datasets]]
name = "two"
[datasets.synthetic]
rows = 300
labels = 6
features = 8
noise = 2.0
[[algorithms]]
name = "br"
[[algorithms]]
name = "mlknn"
k = 5
)");
  const auto r = lg::test::run_labelgraph("run '" + cfg.string() + "' --out '" + (tmp / "o").string() + "'");
  REQUIRE(r.status == 0);
  for (const char* f : {"tables/ranks.csv", "tables/significance.md", "figures/cd-micro_f1.svg",
                        "runs/two/mlknn-seed5-fold1.json"})
    CHECK(fs::exists(tmp / "o" / f));
  CHECK_FALSE(fs::exists(tmp / "o" / "graphs"));
  const std::string ranks = lg::test::read_file(tmp / "o" / "tables/ranks.csv");
  CHECK_THAT(ranks, Contains("br") && Contains("mlknn"));
}

TEST_CASE("run: --dump-config prints every default, --list-algorithms the registry", "[cli][experiment]") {
  const std::string config = (lg::source_dir() / "experiments" / "classical.toml").string();
  const auto d = lg::test::run_labelgraph("run '" + config + "' --dump-config");
  REQUIRE(d.status == 0);
  CHECK_THAT(d.out, Contains("[split]") && Contains("zero_division") && Contains("max_iter") &&
                        Contains("name = 'mlknn'"));
  const auto l = lg::test::run_labelgraph("run --list-algorithms");
  REQUIRE(l.status == 0);
  for (const char* name : {"br:", "cc:", "ecc:", "lp:", "rakel:", "mlknn:", "lp-communities:"})
    CHECK_THAT(l.out, Contains(name));
}

TEST_CASE("run: a data set without its own split cannot use split 'given'", "[cli][experiment]") {
  lg::test::TempDir tmp;
  const auto cfg = tmp.write("given.toml",
                             "[[datasets]]\nname = \"s\"\n[datasets.synthetic]\nrows = 100\n"
                             "[[algorithms]]\nname = \"br\"\n");
  const auto r = lg::test::run_labelgraph("run '" + cfg.string() + "' --out '" + (tmp / "o").string() + "'");
  CHECK(r.status != 0);
  CHECK_THAT(r.err, Contains("given.toml:1:") && Contains("holdout, kfold or iterative"));
  CHECK_FALSE(fs::exists(tmp / "o" / "manifest.json"));
}

TEST_CASE("run: a missing data file is an error naming it", "[cli][experiment]") {
  lg::test::TempDir tmp;
  const auto cfg = tmp.write("missing.toml",
                             "[[datasets]]\nname = \"m\"\nfiles = [\"nowhere-train.arff\", \"nowhere-test.arff\"]\n"
                             "[[algorithms]]\nname = \"br\"\n");
  const auto r = lg::test::run_labelgraph("run '" + cfg.string() + "' --out '" + (tmp / "o").string() + "'");
  CHECK(r.status != 0);
  CHECK_THAT(r.err, Contains("nowhere-train.arff"));
  CHECK_FALSE(fs::exists(tmp / "o" / "manifest.json"));
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

TEST_CASE("run: resampling and SCut thresholds act on the training fold only", "[cli][experiment]") {
  lg::test::TempDir tmp;
  const auto cfg = tmp.write("rs.toml", R"(
[experiment]
seed = 3
[split]
method = "holdout"
test_fraction = 0.25
[resampling]
method = "ml-ros"
percentage = 20
[evaluation]
threshold = "scut:f1"
validation_fraction = 0.25
[graph]
enabled = false
[[datasets]]
name = "s"
[datasets.synthetic]
rows = 400
labels = 6
features = 8
[[algorithms]]
name = "br"
)");
  const auto r = lg::test::run_labelgraph("run '" + cfg.string() + "' --out '" + (tmp / "o").string() + "'");
  REQUIRE(r.status == 0);
  const auto run = nlohmann::json::parse(lg::test::read_file(tmp / "o" / "runs/s/br-seed3-fold0.json"));
  // holdout: ceil(0.25 * 400) = 100 test rows, 300 training rows; ML-ROS adds up to 20 % = 60
  // clones (fewer when no label is left in the minority); SCut holds out a quarter of the
  // resampled rows and fits on the rest: between 0.75 * 300 and 0.75 * 360 rows.
  CHECK(run["test_rows"] == 100);
  CHECK(run["train_rows"].get<int>() >= 225);
  CHECK(run["train_rows"].get<int>() <= 270);
  CHECK(run["threshold"] == "scut:f1");
  CHECK_THAT(run["notes"].dump(), Contains("scut") && Contains("ml-ros (P = 20%"));
}
