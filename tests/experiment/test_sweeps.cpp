// Sweeps (key = { sweep = [...] }) and searched parameters (key = { search = [...] }):
// config expansion, the resolved config's round trip, nested training subsets, the search's
// choice made on training rows only, and a run's sweep and search tables.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "core/error.hpp"
#include "data/split.hpp"
#include "experiment/cell.hpp"
#include "experiment/config.hpp"
#include "helpers.hpp"
#include "models/registry.hpp"

using Catch::Matchers::Contains;

namespace {

const std::string kData = "[[datasets]]\nname = \"s\"\n[datasets.synthetic]\nrows = 120\nlabels = 4\n";

std::string load_error(const lg::test::TempDir& tmp, const std::string& text) {
  try {
    lg::load_experiment_config(tmp.write("bad.toml", text));
  } catch (const lg::Error& e) {
    return e.what();
  }
  return "no error";
}

std::vector<std::string> labels_of(const lg::ExperimentConfig& c) {
  std::vector<std::string> out;
  for (const lg::AlgorithmConfig& a : c.algorithms) out.push_back(a.label);
  return out;
}

}  // namespace

TEST_CASE("sweeps: an algorithm's swept keys become one algorithm per combination", "[sweep]") {
  lg::models::register_builtin_models();
  lg::test::TempDir tmp;
  const lg::ExperimentConfig c = lg::load_experiment_config(tmp.write("c.toml", kData + R"(
[[algorithms]]
name = "mlknn"
label = "kNN"
k = { sweep = [3, 10] }
s = { sweep = [0.5, 1.0] }
[[algorithms]]
name = "br"
)"));
  CHECK(labels_of(c) == std::vector<std::string>{"kNN k=3 s=0.5", "kNN k=3 s=1", "kNN k=10 s=0.5",
                                                 "kNN k=10 s=1", "br"});
  const lg::AlgorithmConfig& p = c.algorithms[2];
  CHECK(p.sweep_of == "kNN");
  CHECK(p.sweep == std::vector<std::pair<std::string, std::string>>{{"k", "10"}, {"s", "0.5"}});
  CHECK(p.params["k"].value<std::int64_t>() == 10);
  CHECK(p.params["s"].value<double>() == 0.5);
  CHECK(c.algorithms[4].sweep.empty());
  CHECK(c.algorithms[4].sweep_of.empty());
  // Each point is a cell of its own: the cells' config texts differ.
  std::set<std::string> texts;
  for (const lg::AlgorithmConfig& a : c.algorithms) texts.insert(lg::cell_config_text(c, c.datasets[0], a));
  CHECK(texts.size() == 5);
}

TEST_CASE("sweeps: a named graph's and a split's swept keys", "[sweep]") {
  lg::models::register_builtin_models();
  lg::test::TempDir tmp;
  const lg::ExperimentConfig c = lg::load_experiment_config(tmp.write("c.toml", R"(
[split]
method = "kfold"
folds = 2
train_fraction = { sweep = [0.25, 1.0] }
[graphs.cond]
weighting = "conditional"
tau = { sweep = [0.2, 0.4] }
[[datasets]]
name = "s"
[datasets.synthetic]
rows = 120
labels = 4
[[datasets]]
name = "own"
[datasets.synthetic]
rows = 120
[datasets.split]
method = "holdout"
test_fraction = { sweep = [0.2, 0.3, 0.4] }
[[algorithms]]
name = "cc"
label = "CC"
order = "mst"
graph = "cond"
)"));
  std::vector<std::string> names;
  for (const lg::DatasetConfig& d : c.datasets) names.push_back(d.name);
  CHECK(names == std::vector<std::string>{"s train_fraction=0.25", "s train_fraction=1",
                                          "own test_fraction=0.2", "own test_fraction=0.3",
                                          "own test_fraction=0.4"});
  REQUIRE(c.datasets[0].split);
  CHECK(c.datasets[0].split->train_fraction == 0.25);
  CHECK(c.datasets[0].split->method == "kfold");
  CHECK(c.datasets[0].sweep_of == "s");
  CHECK(c.datasets[3].split->test_fraction == 0.3);
  CHECK(c.datasets[3].split->train_fraction == 1.0);  // its own split: not the experiment's sweep
  CHECK(labels_of(c) == std::vector<std::string>{"CC tau=0.2", "CC tau=0.4"});
  CHECK(c.algorithms[1].params["tau"].value<double>() == 0.4);

  SECTION("the resolved config reads back to the same points and cells") {
    const lg::ExperimentConfig back = lg::load_experiment_config(tmp.write("r.toml", lg::to_toml(c)));
    REQUIRE(back.datasets.size() == c.datasets.size());
    REQUIRE(back.algorithms.size() == c.algorithms.size());
    for (std::size_t d = 0; d < c.datasets.size(); ++d) {
      CHECK(back.datasets[d].name == c.datasets[d].name);
      CHECK(back.datasets[d].sweep == c.datasets[d].sweep);
      for (std::size_t a = 0; a < c.algorithms.size(); ++a)
        CHECK(lg::cell_config_text(back, back.datasets[d], back.algorithms[a]) ==
              lg::cell_config_text(c, c.datasets[d], c.algorithms[a]));
    }
    CHECK(back.algorithms[1].sweep == c.algorithms[1].sweep);
  }
}

TEST_CASE("sweeps and searches: bad lists are errors at their line", "[sweep]") {
  lg::models::register_builtin_models();
  lg::test::TempDir tmp;
  const std::string head = kData + "[[algorithms]]\nname = \"mlknn\"\n";  // algorithm at line 6
  CHECK_THAT(load_error(tmp, head + "k = { sweep = [] }\n"), Contains("bad.toml:8") && Contains("non-empty array"));
  CHECK_THAT(load_error(tmp, head + "k = { sweep = [3, 3] }\n"), Contains("bad.toml:8") && Contains("lists 3 twice"));
  CHECK_THAT(load_error(tmp, head + "k = { sweep = [3, 0] }\n"), Contains("bad.toml:8") && Contains("k = 0"));
  CHECK_THAT(load_error(tmp, head + "k = { search = [3, 5], sweep = [1] }\n"), Contains("takes nothing else"));
  CHECK_THAT(load_error(tmp, head + "k = { sweep = [[1], [2]] }\n"), Contains("numbers, strings or booleans"));
  CHECK_THAT(load_error(tmp, "[split]\nmethod = \"kfold\"\nfolds = { search = [2, 3] }\n" + kData + "[[algorithms]]\nname = \"br\"\n"),
             Contains("bad.toml:3") && Contains("only an algorithm's parameters can be searched"));
  CHECK_THAT(load_error(tmp, "[split]\nmethod = \"holdout\"\ntrain_fraction = { sweep = [0.5, 1.5] }\n" + kData),
             Contains("bad.toml:3") && Contains("train_fraction"));
  CHECK_THAT(load_error(tmp, kData + "[[algorithms]]\nname = \"br\"\nlabel = \"B\"\nC = { sweep = [1.0, 2.0] }\n"
                                     "[[algorithms]]\nname = \"br\"\nlabel = \"B C=1\"\n"),
             Contains("two algorithms are called 'B C=1'"));
  CHECK_THAT(load_error(tmp, "[search]\nmeasure = \"nope\"\n" + kData), Contains("unknown measure 'nope'"));
}

TEST_CASE("train_fraction: nested seeded subsets of the training rows", "[sweep]") {
  std::vector<lg::Index> rows;
  for (lg::Index i = 0; i < 200; i += 2) rows.push_back(i);  // 100 rows
  const auto quarter = lg::subsample_rows(rows, 0.25, 9);
  const auto half = lg::subsample_rows(rows, 0.5, 9);
  CHECK(quarter.size() == 25);
  CHECK(half.size() == 50);
  CHECK(std::is_sorted(half.begin(), half.end()));
  CHECK(std::includes(half.begin(), half.end(), quarter.begin(), quarter.end()));
  CHECK(std::includes(rows.begin(), rows.end(), half.begin(), half.end()));
  CHECK(lg::subsample_rows(rows, 1.0, 9) == rows);
  CHECK(lg::subsample_rows(rows, 0.001, 9).size() == 1);  // at least one row
  CHECK(lg::subsample_rows(rows, 0.5, 10) != half);        // another seed, another subset
  CHECK_THROWS_WITH(lg::subsample_rows(rows, 0.0, 9), Contains("(0, 1]"));
}

// ---- the search never sees the test rows ----------------------------------------------------

namespace {

/// A model that records the ids (feature 0) of every row it is fitted on or scores, and scores
/// with feature 1 (a copy of label 0) when `leak` is 1, else 0.5 everywhere.
struct Spy {
  static std::vector<std::vector<double>>& fitted() {
    static std::vector<std::vector<double>> v;
    return v;
  }
  static std::vector<std::vector<double>>& scored() {
    static std::vector<std::vector<double>> v;
    return v;
  }
};

class SpyModel : public lg::models::Model {
 public:
  struct Params {
    std::int64_t leak = 0;
    template <class V>
    void visit(V& v) {
      v("leak", leak, "1: score with feature 1");
    }
    void validate() const {}
  };
  explicit SpyModel(const Params& p) : p_(p) {}
  std::string name() const override { return "test-spy"; }
  void fit(const lg::Dataset& train, const lg::Context&) override {
    Spy::fitted().push_back(ids(train));
  }
  lg::ScoreMatrix predict_scores(const lg::Dataset& data, const lg::Context&) const override {
    Spy::scored().push_back(ids(data));
    lg::ScoreMatrix s = lg::ScoreMatrix::Constant(data.rows(), data.num_labels(), 0.5f);
    if (p_.leak == 1)
      for (lg::Index i = 0; i < data.rows(); ++i) s(i, 0) = static_cast<float>(data.dense(i, 1));
    return s;
  }

 private:
  static std::vector<double> ids(const lg::Dataset& d) {
    std::vector<double> out;
    for (lg::Index i = 0; i < d.rows(); ++i) out.push_back(d.dense(i, 0));
    return out;
  }
  Params p_;
};

/// Rows id0 .. id0 + n - 1: feature 0 the id, feature 1 = label 0 (alternating), label 1 = 1.
lg::Dataset spy_rows(int id0, int n, bool flip = false) {
  lg::Dataset d;
  d.dense.resize(n, 2);
  d.labels.resize(n, 2);
  for (int i = 0; i < n; ++i) {
    const int y = ((i % 2) == 0) != flip;
    d.dense(i, 0) = id0 + i;
    d.dense(i, 1) = y;
    d.labels(i, 0) = static_cast<std::uint8_t>(y);
    d.labels(i, 1) = 1;
  }
  d.feature_names = {"id", "leak"};
  d.label_names = {"a", "b"};
  return d;
}

}  // namespace

TEST_CASE("search: the choice is made on the training rows only", "[sweep][search]") {
  lg::models::register_builtin_models();
  // "test-" names mark models a test registers for itself (other tests that walk the
  // registry in the same process leave them out).
  lg::models::register_model<SpyModel>("test-spy", "records the rows it sees");
  lg::test::TempDir tmp;
  const lg::ExperimentConfig c = lg::load_experiment_config(tmp.write("c.toml", kData + R"(
[search]
method = "kfold"
folds = 3
measure = "micro_f1"
[[algorithms]]
name = "test-spy"
leak = { search = [0, 1] }
)"));
  REQUIRE(c.algorithms.size() == 1);
  REQUIRE(c.algorithms[0].search.size() == 1);
  const lg::Dataset train = spy_rows(0, 30);
  lg::Context ctx;
  ctx.seed = 5;
  ctx.threads = 1;

  Spy::fitted().clear();
  Spy::scored().clear();
  const lg::CellResult cell = lg::run_cell(c.algorithms[0], train, spy_rows(1000, 10), c, ctx);
  // leak = 1 scores label 0 perfectly on every inner fold: it wins.
  CHECK(cell.chosen == std::vector<std::pair<std::string, std::string>>{{"leak", "1"}});
  // 2 candidates x 3 inner folds, then the final fit on all 30 training rows.
  REQUIRE(Spy::fitted().size() == 7);
  for (const auto& rows : Spy::fitted())
    for (const double id : rows) CHECK(id < 1000);
  CHECK(Spy::fitted().back().size() == 30);
  // Every scoring but the last (the test rows) is of training rows.
  REQUIRE(Spy::scored().size() == 7);
  for (std::size_t call = 0; call + 1 < Spy::scored().size(); ++call)
    for (const double id : Spy::scored()[call]) CHECK(id < 1000);
  CHECK(Spy::scored().back().front() == 1000);

  // Other test rows (labels flipped, other ids): the same choice and the same search notes.
  const lg::CellResult other = lg::run_cell(c.algorithms[0], train, spy_rows(5000, 12, true), c, ctx);
  CHECK(other.chosen == cell.chosen);
  std::vector<std::string> a, b;
  for (const std::string& n : cell.notes) if (n.rfind("search:", 0) == 0) a.push_back(n);
  for (const std::string& n : other.notes) if (n.rfind("search:", 0) == 0) b.push_back(n);
  CHECK(a.size() == 3);
  CHECK(a == b);
}

TEST_CASE("sweeps and searches in a run: tables, reuse, one edited value", "[sweep][search]") {
  lg::test::TempDir tmp;
  const std::string config = R"(
[experiment]
seeds = [1, 2]
[split]
method = "kfold"
folds = 2
train_fraction = { sweep = [0.5, 1.0] }
[evaluation]
measures = ["micro_f1", "mAP"]
[[datasets]]
name = "syn"
[datasets.synthetic]
rows = 160
labels = 5
features = 8
[[algorithms]]
name = "br"
label = "BR"
C = { search = [0.01, 10.0] }
[[algorithms]]
name = "mlknn"
label = "kNN"
k = { sweep = [3, 9] }
)";
  const auto path = tmp.write("sweep.toml", config);
  const std::string out = (tmp.path() / "out").string();
  const lg::test::CliResult first = lg::test::run_labelgraph("run " + path.string() + " --threads 1 --out " + out);
  INFO(first.out << first.err);
  REQUIRE(first.status == 0);
  // 2 data points x 3 algorithms x 2 seeds x 2 folds
  CHECK_THAT(first.out, Contains("cells: 24 run, 0 reused"));
  const std::string sweep_k = lg::test::read_file(tmp.path() / "out/tables/sweep-k.csv");
  CHECK_THAT(sweep_k, Contains("dataset,algorithm,k,cells,micro_f1,micro_f1_sd,mAP,mAP_sd"));
  CHECK_THAT(sweep_k, Contains("syn train_fraction=0.5,kNN,3,4,"));
  CHECK_THAT(sweep_k, Contains("syn train_fraction=1,kNN,9,4,"));
  const std::string sweep_tf = lg::test::read_file(tmp.path() / "out/tables/sweep-train_fraction.csv");
  CHECK_THAT(sweep_tf, Contains("syn,BR,0.5,4,"));
  CHECK_THAT(sweep_tf, Contains("syn,kNN k=9,1,4,"));
  // The figure of each swept key: one panel per measure, a line per (data set point, kNN).
  for (const char* ext : {".svg", ".pdf", ".gp"})
    CHECK(std::filesystem::exists(tmp.path() / ("out/figures/sweep-k" + std::string(ext))));
  const std::string dat = lg::test::read_file(tmp.path() / "out/figures/sweep-k.dat");
  CHECK_THAT(dat, Contains("syn train_fraction=0.5: kNN"));
  CHECK(std::filesystem::exists(tmp.path() / "out/figures/sweep-train_fraction.svg"));
  const std::string search = lg::test::read_file(tmp.path() / "out/tables/search.csv");
  CHECK_THAT(search, Contains("syn train_fraction=0.5,BR,C,"));
  // The cells' runs/ views carry the chosen value.
  const std::string view = lg::test::read_file(tmp.path() / "out/runs/syn_train_fraction_0.5/BR-seed1-fold0.json");
  CHECK_THAT(view, Contains("\"chosen\"") && Contains("\"C\""));

  const lg::test::CliResult again = lg::test::run_labelgraph("run " + path.string() + " --threads 1 --out " + out);
  CHECK_THAT(again.out, Contains("cells: 0 run, 24 reused"));
  // One more swept value runs only its cells: 2 data points x 2 seeds x 2 folds.
  std::string edited = config;
  edited.replace(edited.find("[3, 9]"), 6, "[3, 9, 15]");
  tmp.write("sweep.toml", edited);
  const lg::test::CliResult third = lg::test::run_labelgraph("run " + path.string() + " --threads 1 --out " + out);
  INFO(third.out << third.err);
  CHECK_THAT(third.out, Contains("cells: 8 run, 24 reused"));
}

TEST_CASE("a generated data set whose name has a slash is written under a file stem", "[sweep]") {
  lg::test::TempDir tmp;
  const auto path = tmp.write("slash.toml", R"(
[split]
method = "holdout"
[[datasets]]
name = "a/b"
[datasets.synthetic]
rows = 80
labels = 4
[[algorithms]]
name = "br"
)");
  const lg::test::CliResult r = lg::test::run_labelgraph("run " + path.string() + " --threads 1 --out " + (tmp.path() / "out").string());
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(std::filesystem::exists(tmp.path() / "out/data/a_b.arff"));
}
