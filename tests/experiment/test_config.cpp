#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "experiment/config.hpp"
#include "helpers.hpp"

using Catch::Matchers::Contains;

TEST_CASE("experiment config: typed values and defaults", "[experiment]") {
  lg::test::TempDir tmp;
  const auto path = tmp.write("exp.toml", R"(
[experiment]
name = "t"
seed = 7

[[datasets]]
name = "syn"
[datasets.synthetic]
rows = 100
labels = 8

[[datasets]]
name = "mine"
files = ["a-train.arff", "a-test.arff"]
label_count = -3
missing = "impute"
optional = true
)");
  const lg::ExperimentConfig c = lg::load_experiment_config(path);
  CHECK(c.name == "t");
  CHECK(c.seed == 7);
  CHECK(c.threads == 0);
  REQUIRE(c.datasets.size() == 2);
  CHECK(c.datasets[0].generator == "synthetic");
  CHECK(c.datasets[0].synthetic.rows == 100);
  CHECK(c.datasets[0].synthetic.labels == 8);
  CHECK(c.datasets[0].synthetic.features == lg::SyntheticSpec{}.features);  // default kept
  CHECK(c.datasets[1].files.size() == 2);
  CHECK(c.datasets[1].files[0] == tmp.path() / "a-train.arff");  // relative to the config
  CHECK(c.datasets[1].read.labels.count == -3);
  CHECK(c.datasets[1].read.missing == lg::MissingPolicy::ImputeMean);
  CHECK(c.datasets[1].optional);

  // The resolved config parses back to the same values.
  const auto again = tmp.write("resolved.toml", lg::to_toml(c));
  const lg::ExperimentConfig c2 = lg::load_experiment_config(again);
  CHECK(c2.seed == 7);
  CHECK(c2.datasets[0].synthetic.noise == c.datasets[0].synthetic.noise);
  CHECK(c2.datasets[1].files == c.datasets[1].files);
  CHECK(lg::to_toml(c2) == lg::to_toml(c));
}

TEST_CASE("experiment config: an unknown key names the key, the file and the line", "[experiment]") {
  lg::test::TempDir tmp;
  const auto path = tmp.write("bad.toml", "[experiment]\nseed = 1\n\n[[datasets]]\nname = \"x\"\nrowz = 3\n");
  try {
    lg::load_experiment_config(path);
    FAIL("expected an error");
  } catch (const lg::Error& e) {
    CHECK_THAT(e.what(), Contains("bad.toml:6:") && Contains("unknown key 'rowz'"));
  }
}

TEST_CASE("experiment config: wrong types and bad syntax are errors with a line", "[experiment]") {
  lg::test::TempDir tmp;
  const auto typed = tmp.write("typed.toml", "[experiment]\nseed = \"forty\"\n[[datasets]]\nname = \"x\"\n");
  CHECK_THROWS_WITH(lg::load_experiment_config(typed), Contains("typed.toml:2:") && Contains("an integer"));
  const auto syntax = tmp.write("syntax.toml", "[experiment\nseed = 1\n");
  CHECK_THROWS_WITH(lg::load_experiment_config(syntax), Contains("syntax.toml:1:"));
  const auto range = tmp.write("range.toml", "[[datasets]]\nname = \"s\"\n[datasets.synthetic]\nrows = 0\n");
  CHECK_THROWS_WITH(lg::load_experiment_config(range), Contains("range.toml:3:"));
  CHECK_THROWS_WITH(lg::load_experiment_config(tmp / "absent.toml"), Contains("absent.toml"));
}

TEST_CASE("experiment config: split, evaluation, graph and algorithms become typed values",
          "[experiment]") {
  lg::test::TempDir tmp;
  const auto path = tmp.write("exp.toml", R"(
[experiment]
seed = 3
seeds = [3, 4]

[split]
method = "kfold"
folds = 4

[evaluation]
threshold = "rcut:2"
measures = ["micro_f1", "mAP"]

[graph]
weighting = "npmi"
format = "png"

[[datasets]]
name = "s"
[datasets.synthetic]
rows = 100
[datasets.split]
method = "iterative"
folds = 3

[[algorithms]]
name = "br"
C = 2.5

[[algorithms]]
name = "br"
label = "BR-balanced"
class_weight = "balanced"
)");
  const lg::ExperimentConfig c = lg::load_experiment_config(path);
  CHECK(c.seeds == std::vector<std::uint64_t>{3, 4});
  CHECK(c.split.method == "kfold");
  CHECK(c.split.folds == 4);
  REQUIRE(c.datasets[0].split.has_value());
  CHECK(c.datasets[0].split->method == "iterative");
  CHECK(c.evaluation.threshold == "rcut:2");
  CHECK(c.evaluation.measures == std::vector<std::string>{"micro_f1", "mAP"});
  CHECK(c.graph.weighting == "npmi");
  CHECK(c.graph.format == "png");
  REQUIRE(c.algorithms.size() == 2);
  CHECK(c.algorithms[0].label == "br");
  CHECK(c.algorithms[0].params["C"].value<double>() == 2.5);
  // Every parameter is resolved: the defaults are written out too.
  CHECK(c.algorithms[0].params.contains("class_weight"));
  CHECK(c.algorithms[1].label == "BR-balanced");
  CHECK(c.algorithms[1].params["class_weight"].value<std::string>() == "balanced");

  // The resolved config reads back to the same config.
  const auto again = tmp.write("resolved.toml", lg::to_toml(c));
  CHECK(lg::to_toml(lg::load_experiment_config(again)) == lg::to_toml(c));
}

TEST_CASE("experiment config: bad algorithms, splits and measures name the key and the line",
          "[experiment]") {
  lg::test::TempDir tmp;
  const std::string head = "[[datasets]]\nname = \"s\"\n[datasets.synthetic]\nrows = 100\n";
  auto error_of = [&](const std::string& name, const std::string& text) {
    try {
      lg::load_experiment_config(tmp.write(name, head + text));
    } catch (const lg::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // line 5 is the first line after `head`
  CHECK_THAT(error_of("a.toml", "[[algorithms]]\nname = \"forest\"\n"),
             Contains("a.toml:6:") && Contains("unknown algorithm 'forest'") && Contains("br"));
  CHECK_THAT(error_of("b.toml", "[[algorithms]]\nname = \"br\"\nCee = 1.0\n"),
             Contains("b.toml:7:") && Contains("unknown key 'Cee'"));
  CHECK_THAT(error_of("c.toml", "[[algorithms]]\nname = \"br\"\nC = \"one\"\n"),
             Contains("c.toml:7:") && Contains("'C' must be a number"));
  CHECK_THAT(error_of("d.toml", "[split]\nmethod = \"bootstrap\"\n"), Contains("d.toml:5:"));
  CHECK_THAT(error_of("e.toml", "[evaluation]\nmeasures = [\"f2\"]\n"),
             Contains("e.toml:6:") && Contains("unknown measure 'f2'"));
  CHECK_THAT(error_of("f.toml", "[evaluation]\nthreshold = \"cut\"\n"), Contains("f.toml:6:"));
  CHECK_THAT(error_of("g.toml", "[[algorithms]]\nname = \"br\"\n[[algorithms]]\nname = \"br\"\n"),
             Contains("g.toml:7:") && Contains("two algorithms are called 'br'"));
  CHECK_THAT(error_of("h.toml", "[graph]\nweighting = \"cosine\"\n"),
             Contains("h.toml:6:") && Contains("unknown weighting"));
}
