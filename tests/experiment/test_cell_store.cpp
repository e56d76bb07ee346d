// The finished-cell files and claims of experiment/cell_store.hpp, and the keys and shards of
// experiment/cell_plan.hpp.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>

#include "core/error.hpp"
#include "experiment/cell_plan.hpp"
#include "experiment/cell_store.hpp"
#include "helpers.hpp"
#include "models/registry.hpp"

namespace fs = std::filesystem;

namespace {

/// A cell with every field set, awkward values included (NaN, -0, values with 17 digits).
lg::CellResult full_cell() {
  lg::CellResult c;
  c.dataset = "yeast";
  c.algorithm = "BR";
  c.seed = 18446744073709551615ull;  // the largest seed
  c.fold = 3;
  c.train_rows = 1500;
  c.test_rows = 917;
  c.threshold = "scut";
  c.evaluation.measures = {{"hamming_loss", 0.1}, {"micro_f1", 2.0 / 3.0}, {"mAP", -0.0}};
  lg::eval::LabelMeasures m;
  m.confusion = {1, 2, 3, 4};
  m.precision = 1.0 / 3.0;
  m.recall = 0.1 + 0.2;
  m.f1 = 5e-324;  // the smallest subnormal
  m.fbeta = 0.25;
  m.ap = 0.7;
  m.ap_mlgcn = 0.71;
  m.auc = 0.9;
  m.has_positive = true;
  m.has_negative = false;
  c.evaluation.per_label = {m, lg::eval::LabelMeasures{}};
  c.evaluation.skipped_labels = 1;
  c.evaluation.auc_skipped_labels = 2;
  c.evaluation.undefined_measures = {"macro_auc"};
  lg::eval::LabelRow a;
  a.name = "a \"quoted\" label";
  a.train_count = 40;
  a.support = 7;
  a.irlbl = 1.25;
  a.minority = true;
  a.bucket = "tail";
  a.measures = m;
  lg::eval::LabelRow b = a;
  b.name = "b";
  b.measures.ap = 0.123;  // differs from the evaluation's: stored on its own
  c.imbalance.labels = {a, b};
  lg::eval::BucketSummary bucket;
  bucket.name = "tail";
  bucket.labels = 2;
  bucket.min_count = 3;
  bucket.max_count = 40;
  bucket.macro_precision = 0.5;
  bucket.macro_recall = 0.25;
  bucket.macro_f1 = 1.0 / 7.0;
  bucket.map = 0.6;
  bucket.skipped_labels = 1;
  c.imbalance.buckets = {bucket, bucket};
  c.imbalance.edge_counts = {3.5, 17.25};
  c.imbalance.minority = bucket;
  c.imbalance.majority = bucket;
  c.imbalance.majority.name = "majority";
  c.imbalance.meanir = 2.5;
  c.fit_seconds = 1.5;
  c.predict_seconds = 0.25;
  c.notes = {"one", "two"};
  lg::report::TrainingHistory h;
  lg::report::EpochRecord e;
  e.epoch = 1;
  e.train_loss = 0.69314718055994529;
  e.learning_rate = 0.001;
  e.seconds = 2.0;  // validation_* stay NaN
  h.epochs = {e};
  h.best_epoch = 0;
  h.stop_reason = "max epochs (1)";
  c.history = h;
  c.cost = lg::models::Model::Cost{123456789012, 42};
  lg::eval::ScoreCurves k;
  k.recall_levels = {0.0, 0.5, 1.0};
  k.groups = {"tail", "all"};
  k.group_positives = {0, 7};
  k.precision = {std::nan(""), std::nan(""), std::nan(""), 1.0, 7.0 / 12.0, 4.0 / 7.0};
  k.thresholds = {0.3, 0.6};
  k.micro_f1 = {0.7, 8.0 / 15.0};
  k.macro_f1 = {44.0 / 63.0, -0.0};
  k.hamming_loss = {1.0 / 3.0, 5e-324};
  c.curves = k;
  return c;
}

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b));
}

}  // namespace

TEST_CASE("cell store: a record gives back every field bit for bit", "[experiment][cells]") {
  const lg::CellResult c = full_cell();
  const std::string text = lg::cell_record_json("0123456789abcdef", "what the key hashes", c);
  const lg::CellResult r = lg::cell_from_record(text, "0123456789abcdef", "x.json");
  CHECK(r.dataset == c.dataset);
  CHECK(r.algorithm == c.algorithm);
  CHECK(r.seed == c.seed);
  CHECK(r.fold == c.fold);
  CHECK(r.train_rows == c.train_rows);
  CHECK(r.test_rows == c.test_rows);
  CHECK(r.threshold == c.threshold);
  REQUIRE(r.evaluation.measures.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(r.evaluation.measures[i].name == c.evaluation.measures[i].name);
    CHECK(same_bits(r.evaluation.measures[i].value, c.evaluation.measures[i].value));
  }
  CHECK(std::signbit(r.evaluation.measures[2].value));  // -0 stays -0
  REQUIRE(r.evaluation.per_label.size() == 2);
  const lg::eval::LabelMeasures& m = r.evaluation.per_label[0];
  CHECK(m.confusion.tp == 1);
  CHECK(m.confusion.tn == 4);
  CHECK(same_bits(m.precision, 1.0 / 3.0));
  CHECK(same_bits(m.recall, 0.1 + 0.2));
  CHECK(same_bits(m.f1, 5e-324));
  CHECK(m.has_positive);
  CHECK(!m.has_negative);
  CHECK(r.evaluation.undefined_measures == c.evaluation.undefined_measures);
  CHECK(r.evaluation.auc_skipped_labels == 2);
  REQUIRE(r.imbalance.labels.size() == 2);
  CHECK(r.imbalance.labels[0].name == "a \"quoted\" label");
  CHECK(r.imbalance.labels[0].minority);
  CHECK(same_bits(r.imbalance.labels[0].measures.recall, 0.1 + 0.2));
  CHECK(same_bits(r.imbalance.labels[1].measures.ap, 0.123));
  CHECK(r.imbalance.buckets.size() == 2);
  CHECK(same_bits(r.imbalance.buckets[1].macro_f1, 1.0 / 7.0));
  CHECK(r.imbalance.edge_counts == c.imbalance.edge_counts);
  CHECK(r.imbalance.majority.name == "majority");
  CHECK(r.imbalance.meanir == 2.5);
  CHECK(r.notes == c.notes);
  REQUIRE(r.history);
  CHECK(same_bits(r.history->epochs[0].train_loss, 0.69314718055994529));
  CHECK(std::isnan(r.history->epochs[0].validation_loss));
  CHECK(r.history->stop_reason == "max epochs (1)");
  REQUIRE(r.cost);
  CHECK(r.cost->parameters == 123456789012);
  REQUIRE(r.curves);
  CHECK(r.curves->groups == c.curves->groups);
  CHECK(r.curves->group_positives == c.curves->group_positives);
  REQUIRE(r.curves->precision.size() == 6);
  for (std::size_t i = 0; i < 6; ++i) CHECK(same_bits(r.curves->precision[i], c.curves->precision[i]));
  CHECK(same_bits(r.curves->macro_f1[0], 44.0 / 63.0));
  CHECK(std::signbit(r.curves->macro_f1[1]));
  CHECK(same_bits(r.curves->hamming_loss[1], 5e-324));
  CHECK(r.curves->thresholds == c.curves->thresholds);
  // Written again, the record is the same text: nothing is lost or rounded on the way.
  CHECK(lg::cell_record_json("0123456789abcdef", "what the key hashes", r) == text);
}

TEST_CASE("cell store: a record without curves (written before them) still loads; bad curves "
          "are damage", "[experiment][cells]") {
  lg::CellResult c = full_cell();
  c.curves.reset();
  const std::string text = lg::cell_record_json("0123456789abcdef", "d", c);
  CHECK(text.find("\"curves\"") == std::string::npos);
  const lg::CellResult r = lg::cell_from_record(text, "0123456789abcdef", "x.json");
  CHECK(!r.curves);
  CHECK(r.evaluation.measures.size() == 3);
  // Curves whose precision block does not fit their groups and levels are refused.
  std::string bad = lg::cell_record_json("0123456789abcdef", "d", full_cell());
  const std::size_t at = bad.find("\"precision\":[");
  REQUIRE(at != std::string::npos);
  bad.insert(at + std::string("\"precision\":[").size(), "0.5,");
  CHECK_THROWS_WITH(lg::cell_from_record(bad, "0123456789abcdef", "x.json"),
                    Catch::Contains("x.json") && Catch::Contains("precision-recall curves"));
}

TEST_CASE("cell store: damaged, foreign and mis-keyed files are refused naming the file",
          "[experiment][cells]") {
  const std::string text = lg::cell_record_json("0123456789abcdef", "d", full_cell());
  auto fails = [](const std::string& t, const std::string& key, const std::string& what) {
    try {
      (void)lg::cell_from_record(t, key, "cells/k.json");
      FAIL("accepted");
    } catch (const lg::Error& e) {
      INFO(e.what());
      CHECK(e.file() == "cells/k.json");
      CHECK(std::string(e.what()).find(what) != std::string::npos);
    }
  };
  fails(text.substr(0, text.size() / 2), "", "not a complete JSON document");
  fails(text, "fedcba9876543210", "holds the cell with key 0123456789abcdef");
  fails("{\"format\": \"something else\"}", "", "not a labelgraph cell file");
  std::string missing = text;
  missing.replace(missing.find("\"threshold\""), 11, "\"threshold_\"");
  fails(missing, "", "missing or of the wrong type");
}

TEST_CASE("cell store: find says done, missing or damaged; save is atomic", "[experiment][cells]") {
  lg::test::TempDir dir;
  const lg::CellStore store(dir.path());
  CHECK(store.find("aaaaaaaaaaaaaaaa").state == lg::CellStore::State::Missing);
  store.save("aaaaaaaaaaaaaaaa", "d", full_cell());
  const lg::CellStore::Lookup done = store.find("aaaaaaaaaaaaaaaa");
  REQUIRE(done.state == lg::CellStore::State::Done);
  CHECK(done.cell->test_rows == 917);
  CHECK(lg::test::files_under(dir / "cells") == std::vector<std::string>{"aaaaaaaaaaaaaaaa.json"});
  {  // cut short, as a full disk would leave a file written without the atomic rename
    std::ofstream out(store.file("aaaaaaaaaaaaaaaa"), std::ios::trunc);
    out << "{\"format\": \"labelgraph-cell\", \"version\": 1, \"key\": \"aaaa";
  }
  const lg::CellStore::Lookup damaged = store.find("aaaaaaaaaaaaaaaa");
  CHECK(damaged.state == lg::CellStore::State::Damaged);
  CHECK(damaged.why.find("aaaaaaaaaaaaaaaa.json") != std::string::npos);
}

TEST_CASE("cell store: a claim excludes other processes and dies with its holder",
          "[experiment][cells]") {
  lg::test::TempDir dir;
  const lg::CellStore store(dir.path());
  const std::string key = "bbbbbbbbbbbbbbbb";
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // holds the claim until killed
    auto claim = store.try_claim(key);
    const char c = claim ? '1' : '0';
    [[maybe_unused]] const ssize_t w = write(ready[1], &c, 1);
    for (;;) pause();
  }
  char got = 0;
  REQUIRE(read(ready[0], &got, 1) == 1);
  CHECK(got == '1');
  CHECK(store.try_claim(key) == nullptr);  // held by the child
  CHECK(store.claimant(key) == static_cast<long>(child));
  kill(child, SIGKILL);  // dies without releasing anything
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(fs::exists(store.work_dir(key) / "claim"));  // its file stays ...
  CHECK(store.claimant(key) == 0);                   // ... but holds nobody
  {
    auto claim = store.try_claim(key);
    CHECK(claim != nullptr);
  }
  // Released: the claim file and the empty work folder are gone.
  CHECK(!fs::exists(store.work_dir(key)));
  close(ready[0]);
  close(ready[1]);
}

TEST_CASE("cell keys: every input changes the key, and only those", "[experiment][cells]") {
  const std::string k = lg::cell_key("config", "files:abc", 1, 0, "");
  CHECK(k.size() == 16);
  CHECK(k == lg::cell_key("config", "files:abc", 1, 0, ""));
  std::set<std::string> keys = {k,
                                lg::cell_key("config2", "files:abc", 1, 0, ""),
                                lg::cell_key("config", "files:abd", 1, 0, ""),
                                lg::cell_key("config", "files:abc", 2, 0, ""),
                                lg::cell_key("config", "files:abc", 1, 1, ""),
                                lg::cell_key("config", "files:abc", 1, 0, "0123")};
  CHECK(keys.size() == 6);
  std::string description;
  (void)lg::cell_key("config", "files:abc", 7, 2, "", &description);
  CHECK(description.find("seed = 7") != std::string::npos);
  CHECK(description.find("labelgraph ") == 0);
}

TEST_CASE("cell plan: shards are balanced, disjoint, complete, and keep networks with their "
          "feature users", "[experiment][cells]") {
  lg::models::register_builtin_models();
  lg::test::TempDir dir;
  const fs::path config = dir.write("c.toml", R"(
[experiment]
seeds = [1, 2, 3]
[split]
method = "kfold"
folds = 4
[[datasets]]
name = "big"
[datasets.synthetic]
rows = 4000
features = 50
[[datasets]]
name = "small"
[datasets.synthetic]
rows = 100
features = 5
[[algorithms]]
name = "br"
[[algorithms]]
name = "rakel"
[[algorithms]]
name = "cc"
[[algorithms]]
name = "br"
label = "br-on-cc"
features = "cc"
)");
  const lg::ExperimentConfig c = lg::load_experiment_config(config);
  const std::vector<lg::PlannedCell> plan = lg::plan_cells(c);
  REQUIRE(plan.size() == 2 * 3 * 4 * 4);
  CHECK(plan.front().dataset == 0);
  CHECK(plan.back().dataset == 1);
  const std::vector<int> one = lg::assign_shards(c, plan, 1);
  CHECK(std::all_of(one.begin(), one.end(), [](int s) { return s == 0; }));
  const std::vector<int> shards = lg::assign_shards(c, plan, 4);
  CHECK(shards == lg::assign_shards(c, plan, 4));  // deterministic
  std::vector<double> load(4, 0.0);
  std::vector<int> count(4, 0);
  double total = 0;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    REQUIRE(shards[i] >= 0);
    REQUIRE(shards[i] < 4);
    load[static_cast<std::size_t>(shards[i])] += plan[i].cost;
    ++count[static_cast<std::size_t>(shards[i])];
    total += plan[i].cost;
  }
  // br-on-cc (algorithm 3) runs where its fold's cc (algorithm 2, just before it) runs.
  for (std::size_t i = 0; i < plan.size(); ++i)
    if (plan[i].algorithm == 3) {
      REQUIRE(plan[i - 1].algorithm == 2);
      CHECK(shards[i] == shards[i - 1]);
    }
  for (int s = 0; s < 4; ++s) {
    INFO("shard " << s << " load " << load[s] << " of " << total);
    CHECK(count[s] > 0);
    CHECK(load[s] <= 0.3 * total);  // a quarter each, up to one big cell of slack
  }
  CHECK(lg::parse_shard("2/8") == std::pair<int, int>{1, 8});
  for (const char* bad : {"0/3", "4/3", "1/0", "3", "a/b", "1/2x", ""})
    CHECK_THROWS_AS(lg::parse_shard(bad), lg::Error);
}
