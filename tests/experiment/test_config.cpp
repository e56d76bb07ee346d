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
