#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "experiment/config.hpp"
#include "helpers.hpp"

using Catch::Matchers::Contains;

namespace {
/// A data set (lines 1-4) for configs under test: their own text starts at line 5.
const std::string kHead = "[[datasets]]\nname = \"s\"\n[datasets.synthetic]\nrows = 100\n";

/// The error of loading kHead + `text` written as `name` ("no error" when it loads).
std::string config_error(const lg::test::TempDir& tmp, const std::string& name,
                         const std::string& text) {
  try {
    lg::load_experiment_config(tmp.write(name, kHead + text));
  } catch (const lg::Error& e) {
    return std::string(e.what());
  }
  return std::string("no error");
}
}  // namespace

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
  CHECK(c.graph.spec.weighting == "npmi");
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
  auto error_of = [&](const std::string& name, const std::string& text) {
    return config_error(tmp, name, text);
  };
  // line 5 is the first line after kHead
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

TEST_CASE("experiment config: a label graph stated once in [graphs.NAME], used by name",
          "[experiment]") {
  lg::test::TempDir tmp;
  const auto path = tmp.write("g.toml", R"([[datasets]]
name = "s"
[datasets.synthetic]
rows = 100

[graphs.cooc]
weighting = "mlgcn-binary"
tau = 0.3
top_k = 4
propagation = "row"

[graph]
graph = "cooc"
format = "png"

[[algorithms]]
name = "cc"
order = "mst"
graph = "cooc"

[[algorithms]]
name = "lp-communities"
graph = "cooc"
tau = 0.5

[[algorithms]]
name = "cc"
label = "cc-npmi"
order = "mst"
)");
  const lg::ExperimentConfig c = lg::load_experiment_config(path);
  REQUIRE(c.graphs.count("cooc") == 1);
  CHECK(c.graphs.at("cooc").weighting == "mlgcn-binary");
  CHECK(c.graphs.at("cooc").propagation == "row");
  // The figure draws the named graph.
  CHECK(c.graph.graph == "cooc");
  CHECK(c.graph.spec.weighting == "mlgcn-binary");
  CHECK(c.graph.spec.tau == 0.3);
  CHECK(c.graph.spec.top_k == 4);
  // cc takes the builder under its own key, and the other keys; a chain order has no use for
  // propagation, so cc has no such key.
  REQUIRE(c.algorithms.size() == 3);
  const toml::table& cc = c.algorithms[0].params;
  CHECK(c.algorithms[0].graph == "cooc");
  CHECK(cc["order_weighting"].value<std::string>() == "mlgcn-binary");
  CHECK(cc["tau"].value<double>() == 0.3);
  CHECK(cc["top_k"].value<std::int64_t>() == 4);
  CHECK_FALSE(cc.contains("propagation"));
  // Keys of the algorithm's own override the named graph's.
  const toml::table& lpc = c.algorithms[1].params;
  CHECK(lpc["weighting"].value<std::string>() == "mlgcn-binary");
  CHECK(lpc["tau"].value<double>() == 0.5);
  CHECK(lpc["top_k"].value<std::int64_t>() == 4);
  // Without graph = "...", the model's own defaults (cc's order graph: npmi).
  CHECK(c.algorithms[2].graph.empty());
  CHECK(c.algorithms[2].params["order_weighting"].value<std::string>() == "npmi");
  CHECK(c.algorithms[2].params["tau"].value<double>() == 0.4);

  // The resolved config writes [graphs] and the references, and reads back to itself.
  const std::string resolved = lg::to_toml(c);
  CHECK_THAT(resolved, Contains("[graphs.cooc]"));
  const auto again = tmp.write("resolved.toml", resolved);
  CHECK(lg::to_toml(lg::load_experiment_config(again)) == resolved);
}

TEST_CASE("experiment config: bad named graphs name the file, the line and the cause",
          "[experiment]") {
  lg::test::TempDir tmp;
  auto error_of = [&](const std::string& name, const std::string& text) {
    return config_error(tmp, name, text);
  };
  const std::string cooc = "[graphs.cooc]\nweighting = \"npmi\"\n";  // lines 5-6
  CHECK_THAT(error_of("a.toml", cooc + "[[algorithms]]\nname = \"cc\"\ngraph = \"co\"\n"),
             Contains("a.toml:9:") && Contains("graph = \"co\": no [graphs.co] table (known: cooc)"));
  CHECK_THAT(error_of("b.toml", cooc + "[[algorithms]]\nname = \"br\"\ngraph = \"cooc\"\n"),
             Contains("b.toml:9:") && Contains("'br' builds no label graph"));
  CHECK_THAT(error_of("c.toml", "[graphs.bad]\nweighting = \"npmi\"\ntau = 2.0\n"),
             Contains("c.toml:5:") && Contains("[graphs.bad]") && Contains("tau must be in (0, 1]"));
  CHECK_THAT(error_of("d.toml", "[graphs.bad]\nweighting = \"cosine\"\n"),
             Contains("d.toml:6:") && Contains("unknown weighting 'cosine'"));
  CHECK_THAT(error_of("e.toml", "[graphs.bad]\nweights = \"npmi\"\n"),
             Contains("e.toml:6:") && Contains("unknown key 'weights'"));
  CHECK_THAT(error_of("f.toml", "[graph]\ngraph = \"none\"\n"),
             Contains("f.toml:6:") && Contains("no [graphs] at all"));
  try {
    lg::load_experiment_config(tmp.write("g.toml", "graphs = 3\n" + kHead));
    FAIL("no error");
  } catch (const lg::Error& e) {
    CHECK_THAT(e.what(), Contains("g.toml:1:") && Contains("'graphs' must be a table"));
  }
}

TEST_CASE("experiment config: [evaluation] baseline must name an algorithm's label", "[experiment]") {
  lg::test::TempDir dir;
  const auto write = [&](const std::string& baseline) {
    return dir.write("c.toml", "[evaluation]\nbaseline = \"" + baseline +
                                   "\"\n[[datasets]]\nname = \"emotions\"\n"
                                   "[[algorithms]]\nname = \"br\"\nlabel = \"BR\"\n");
  };
  CHECK(lg::load_experiment_config(write("BR")).evaluation.baseline == "BR");
  CHECK_THROWS_WITH(lg::load_experiment_config(write("CC")),
                    Catch::Contains("baseline = \"CC\"") && Catch::Contains("no algorithm has that label"));
}
