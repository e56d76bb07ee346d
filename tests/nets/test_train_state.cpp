// A training's state file (core/train_session.hpp): a stop at any batch boundary saves it, and a
// fresh model continues from it to exactly the weights, scores and history of an uninterrupted
// run; a state file that does not fit is not used (a note says why); the save rules.
#include <catch2/catch.hpp>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/dataset.hpp"
#include "core/interrupt.hpp"
#include "core/random.hpp"
#include "data/synthetic_scenes.hpp"
#include "helpers.hpp"
#include "models/registry.hpp"
#include "nets/net_model.hpp"

namespace {

using lg::Dataset;
using lg::Index;

/// Clears the process-wide stop flag when made and when gone (also when a check fails).
struct StopFlag {
  StopFlag() { lg::clear_stop_request(); }
  ~StopFlag() { lg::clear_stop_request(); }
};

// Features uniform in [-1, 1]^6; labels from simple rules, one defined by two others.
Dataset rows_data(Index rows, std::uint64_t seed) {
  lg::Random rng(seed);
  Dataset d;
  d.name = "rows";
  d.dense.resize(rows, 6);
  d.labels.resize(rows, 4);
  for (Index i = 0; i < rows; ++i) {
    for (Index j = 0; j < 6; ++j) d.dense(i, j) = static_cast<float>(rng.uniform() * 2 - 1);
    d.labels(i, 0) = d.dense(i, 0) > 0;
    d.labels(i, 1) = d.dense(i, 1) + d.dense(i, 2) > 0.3f;
    d.labels(i, 2) = d.labels(i, 0) && d.labels(i, 1);
    d.labels(i, 3) = d.dense(i, 3) > 0.5f;
  }
  d.feature_names = {"x0", "x1", "x2", "x3", "x4", "x5"};
  d.label_names = {"a", "b", "ab", "c"};
  return d;
}

Dataset scenes(Index rows, std::uint64_t seed) {
  lg::SceneSpec spec;
  spec.rows = rows;
  spec.size = 24;
  spec.kinds = 5;
  spec.contexts = 2;
  return lg::as_dataset(std::make_shared<lg::ImageDataset>(lg::generate_scenes(spec, seed, 2)));
}

lg::Context context(std::uint64_t seed = 3) {
  lg::Context ctx;
  ctx.device = lg::test::test_device();  // LABELGRAPH_TEST_DEVICE (bench/run_gpu.sh)
  ctx.seed = seed;
  ctx.threads = 1;
  return ctx;
}

/// Dropout, a validation part (best weights, early-stopping state), momentum buffers.
toml::table feature_params() {
  return toml::table{{"hidden", toml::array{16}}, {"dropout", 0.3}, {"epochs", 4},
                     {"batch_size", 32}, {"lr", 0.02}, {"validation_fraction", 0.25},
                     {"patience", 0}, {"schedule", "cosine"}, {"optimizer", "sgd"}};
}

/// A narrow ResNet on 20 px crops of 24 px images, random crops and flips.
toml::table image_params() {
  return toml::table{{"width", 8}, {"depth", 2}, {"image_size", 20}, {"resize", 24},
                     {"augment", true}, {"epochs", 2}, {"batch_size", 8}, {"lr", 0.01},
                     {"validation_fraction", 0.2}, {"patience", 0}};
}

std::unique_ptr<lg::nets::NetModel> make(const std::string& name, const toml::table& params) {
  lg::nets::register_net_models();
  lg::models::ModelPtr m = lg::models::make_model(name, params, "test.toml", 1);
  auto* net = dynamic_cast<lg::nets::NetModel*>(m.get());
  REQUIRE(net != nullptr);
  m.release();
  return std::unique_ptr<lg::nets::NetModel>(net);
}

/// One train() call: a SIGTERM is requested after its `stop_after`-th optimizer step (0 =
/// never). Records the (epoch, batch) of every step, and the Stopped message.
struct Call {
  bool stopped = false;
  std::string message;
  std::vector<std::pair<int, int>> steps;
};

Call train(lg::nets::NetModel& model, const Dataset& data, const lg::Context& ctx,
           lg::TrainSession session, int stop_after) {
  const StopFlag flag;
  Call call;
  session.after_batch = [&](int epoch, int batch) {
    call.steps.emplace_back(epoch, batch);
    if (static_cast<int>(call.steps.size()) == stop_after) lg::request_stop(SIGTERM);
  };
  try {
    model.train(data, ctx, session);
  } catch (const lg::Stopped& e) {
    call.stopped = true;
    call.message = e.what();
    CHECK(e.signal_number() == SIGTERM);
    CHECK(e.exit_code() == lg::kExitTerminated);
  }
  return call;
}

lg::TrainSession with_state(const std::filesystem::path& file) {
  lg::TrainSession s;
  s.state_file = file;
  s.state_every_seconds = 0;
  return s;
}

/// The same history but for the seconds.
void check_same_history(const lg::report::TrainingHistory& a, const lg::report::TrainingHistory& b) {
  REQUIRE(a.epochs.size() == b.epochs.size());
  for (std::size_t e = 0; e < a.epochs.size(); ++e) {
    INFO("epoch " << e + 1);
    CHECK(a.epochs[e].epoch == b.epochs[e].epoch);
    CHECK(a.epochs[e].train_loss == b.epochs[e].train_loss);
    CHECK(a.epochs[e].learning_rate == b.epochs[e].learning_rate);
    if (std::isnan(a.epochs[e].validation_loss)) {
      CHECK(std::isnan(b.epochs[e].validation_loss));
    } else {
      CHECK(a.epochs[e].validation_loss == b.epochs[e].validation_loss);
      CHECK(a.epochs[e].validation_map == b.epochs[e].validation_map);
    }
  }
  CHECK(a.best_epoch == b.best_epoch);
  CHECK(a.stop_reason == b.stop_reason);
}

bool has_note(const lg::models::Model& m, const std::string& text) {
  for (const std::string& n : m.notes())
    if (n.find(text) != std::string::npos) return true;
  return false;
}

/// Trains `name` stopped after each count of steps in `stops` in turn (each stop in a fresh
/// model continuing from the state file), then to its end; checks every stop and continuation
/// and that the end equals `whole`'s.
void check_stops(const std::string& name, const toml::table& params, const Dataset& train_set,
                 const Dataset& test_set, const lg::nets::NetModel& whole, const Call& whole_call,
                 const std::vector<int>& stops, const std::filesystem::path& file) {
  const int per_epoch = [&] {
    int most = 0;
    for (const auto& [epoch, batch] : whole_call.steps)
      if (epoch == 1) most = std::max(most, batch);
    return most;
  }();
  std::size_t done = 0;  // steps done before this call
  for (std::size_t k = 0; k <= stops.size(); ++k) {
    const bool last = k == stops.size();
    INFO(name << ": call " << k + 1 << (last ? " (to the end)" : ", stops after step ") << (last ? 0 : stops[k]));
    auto model = make(name, params);
    const Call call = train(*model, train_set, context(), with_state(file), last ? 0 : stops[k]);
    REQUIRE(call.stopped == !last);
    REQUIRE(!call.steps.empty());
    // It continued where the last call stopped (a fresh start would give the same end, but
    // with every step again).
    CHECK(call.steps.front() == whole_call.steps[done]);
    if (k > 0) CHECK(has_note(*model, "continued from the state file"));
    done += call.steps.size();
    if (!last) {
      REQUIRE(std::filesystem::exists(file));
      const auto [epoch, batch] = whole_call.steps[done - 1];
      CHECK(call.message == fmt::format("{} saved its training at epoch {}, batch {} of {} to {}; "
                                        "run the same command to continue",
                                        name, epoch, batch, per_epoch, file.string()));
      continue;
    }
    CHECK(done == whole_call.steps.size());
    CHECK(model->predict_scores(test_set, context()) == whole.predict_scores(test_set, context()));
    CHECK(model->predict_scores(train_set, context()) == whole.predict_scores(train_set, context()));
    check_same_history(*model->training_history(), *whole.training_history());
  }
}

}  // namespace

TEST_CASE("train state: mlp-br stopped at any batch continues to the uninterrupted end, bit for bit",
          "[nets][train-state]") {
  const Dataset train_set = rows_data(150, 1), test_set = rows_data(60, 2);
  const lg::test::TempDir dir;
  auto whole = make("mlp-br", feature_params());
  const Call whole_call = train(*whole, train_set, context(), lg::TrainSession{}, 0);
  REQUIRE(!whole_call.stopped);
  int per_epoch = 0;
  for (const auto& [epoch, batch] : whole_call.steps)
    if (epoch == 1) per_epoch = std::max(per_epoch, batch);
  REQUIRE(per_epoch >= 3);  // 113 training rows in batches of 32: 4
  REQUIRE(whole_call.steps.size() == 4u * static_cast<std::size_t>(per_epoch));
  // The history has a best epoch (the best weights are part of the state) and dropout is on.
  REQUIRE(whole->training_history()->best_epoch > 0);

  SECTION("a stop after the first batch") {
    check_stops("mlp-br", feature_params(), train_set, test_set, *whole, whole_call, {1}, dir / "s.pt");
  }
  SECTION("a stop in the middle of an epoch") {
    check_stops("mlp-br", feature_params(), train_set, test_set, *whole, whole_call,
                {per_epoch + 2}, dir / "s.pt");
  }
  SECTION("a stop at an epoch's end (after its last batch: saved after the validation)") {
    check_stops("mlp-br", feature_params(), train_set, test_set, *whole, whole_call, {per_epoch},
                dir / "s.pt");
  }
  SECTION("a stop at the last epoch's end: the continuation only finishes") {
    auto model = make("mlp-br", feature_params());
    const Call call = train(*model, train_set, context(), with_state(dir / "s.pt"),
                            static_cast<int>(whole_call.steps.size()));
    REQUIRE(call.stopped);
    auto again = make("mlp-br", feature_params());
    const Call rest = train(*again, train_set, context(), with_state(dir / "s.pt"), 0);
    CHECK(!rest.stopped);
    CHECK(rest.steps.empty());
    CHECK(again->predict_scores(test_set, context()) == whole->predict_scores(test_set, context()));
    check_same_history(*again->training_history(), *whole->training_history());
  }
  SECTION("a stop, a second stop, then the end") {
    check_stops("mlp-br", feature_params(), train_set, test_set, *whole, whole_call,
                {per_epoch - 1, per_epoch + 2}, dir / "s.pt");
  }
  SECTION("a mid-epoch state file continues through --resume too") {
    auto model = make("mlp-br", feature_params());
    REQUIRE(train(*model, train_set, context(), with_state(dir / "s.pt"), per_epoch + 1).stopped);
    auto resumed = make("mlp-br", feature_params());
    lg::TrainSession resume;
    resume.resume = dir / "s.pt";
    const Call call = train(*resumed, train_set, context(), resume, 0);
    CHECK(call.steps.front() == whole_call.steps[static_cast<std::size_t>(per_epoch + 1)]);
    CHECK(resumed->predict_scores(test_set, context()) == whole->predict_scores(test_set, context()));
    check_same_history(*resumed->training_history(), *whole->training_history());
  }
}

TEST_CASE("train state: mlgcn (a label graph head) stopped mid-epoch continues exactly",
          "[nets][train-state]") {
  const Dataset train_set = rows_data(150, 1), test_set = rows_data(60, 2);
  const lg::test::TempDir dir;
  auto whole = make("mlgcn", feature_params());
  const Call whole_call = train(*whole, train_set, context(), lg::TrainSession{}, 0);
  REQUIRE(whole_call.steps.size() >= 8u);
  check_stops("mlgcn", feature_params(), train_set, test_set, *whole, whole_call,
              {static_cast<int>(whole_call.steps.size() / 2) + 1}, dir / "s.pt");
}

TEST_CASE("train state: cnn-br with random crops and flips stopped mid-epoch continues exactly",
          "[nets][train-state]") {
  const Dataset data = scenes(60, 5);
  std::vector<Index> train_rows, test_rows;
  for (Index i = 0; i < data.rows(); ++i) (i < 45 ? train_rows : test_rows).push_back(i);
  const Dataset train_set = lg::select_rows(data, train_rows), test_set = lg::select_rows(data, test_rows);
  const lg::test::TempDir dir;
  auto whole = make("cnn-br", image_params());
  const Call whole_call = train(*whole, train_set, context(), lg::TrainSession{}, 0);
  REQUIRE(whole_call.steps.size() >= 6u);  // 36 training images in batches of 8: 5 an epoch
  SECTION("in the first epoch") {
    check_stops("cnn-br", image_params(), train_set, test_set, *whole, whole_call, {2}, dir / "s.pt");
  }
  SECTION("in the second epoch, after a stop in the first") {
    check_stops("cnn-br", image_params(), train_set, test_set, *whole, whole_call,
                {3, static_cast<int>(whole_call.steps.size()) - 5}, dir / "s.pt");
  }
}

TEST_CASE("train state: a state file that does not fit is not used; training starts afresh",
          "[nets][train-state]") {
  const Dataset train_set = rows_data(150, 1), test_set = rows_data(60, 2);
  const lg::test::TempDir dir;
  const std::filesystem::path file = dir / "s.pt";
  auto fresh = make("mlp-br", feature_params());
  const Call fresh_call = train(*fresh, train_set, context(4), lg::TrainSession{}, 0);

  auto check_fresh_start = [&](const std::string& reason) {
    auto model = make("mlp-br", feature_params());
    const Call call = train(*model, train_set, context(4), with_state(file), 0);
    CHECK(!call.stopped);
    CHECK(call.steps == fresh_call.steps);  // from epoch 1, batch 1
    CHECK(has_note(*model, "state file " + file.string() + " not usable ("));
    CHECK(has_note(*model, reason));
    CHECK(has_note(*model, "): trained from the start"));
    CHECK(!has_note(*model, "continued from"));
    CHECK(model->predict_scores(test_set, context(4)) == fresh->predict_scores(test_set, context(4)));
    check_same_history(*model->training_history(), *fresh->training_history());
  };
  SECTION("a state of another seed") {
    auto seed3 = make("mlp-br", feature_params());
    REQUIRE(train(*seed3, train_set, context(3), with_state(file), 3).stopped);
    check_fresh_start("seed 3, this run has seed 4");
  }
  SECTION("a state of other parameters") {
    toml::table other = feature_params();
    other.insert_or_assign("lr", 0.05);
    auto model = make("mlp-br", other);
    REQUIRE(train(*model, train_set, context(4), with_state(file), 3).stopped);
    check_fresh_start("other parameters");
  }
  SECTION("a state of other data") {
    auto model = make("mlp-br", feature_params());
    REQUIRE(train(*model, rows_data(150, 9), context(4), with_state(file), 3).stopped);
    check_fresh_start("other data");
  }
  SECTION("junk bytes") {
    dir.write("s.pt", "junk bytes, not a torch archive");
    check_fresh_start("not a readable checkpoint");
  }
}

TEST_CASE("train state: the save rules by epochs and by seconds", "[nets][train-state]") {
  const Dataset train_set = rows_data(150, 1);
  const lg::test::TempDir dir;
  const std::filesystem::path file = dir / "s.pt";
  SECTION("every epoch: written after epoch 1, not before, and not after the last") {
    lg::TrainSession s = with_state(file);
    s.state_every_epochs = 1;
    std::vector<std::pair<std::pair<int, int>, bool>> seen;  // (epoch, batch), the file exists
    s.after_batch = [&](int epoch, int batch) {
      seen.push_back({{epoch, batch}, std::filesystem::exists(file)});
    };
    auto model = make("mlp-br", feature_params());
    model->train(train_set, context(), s);
    REQUIRE(!seen.empty());
    for (const auto& [step, exists] : seen) {
      INFO("epoch " << step.first << ", batch " << step.second);
      CHECK(exists == (step.first >= 2));
    }
    // The last one written is epoch 3's (4 epochs: the finished training is not saved).
    const std::unique_ptr<lg::nets::NetModel> saved = lg::nets::NetModel::load(file);
    CHECK(saved->training_history()->epochs.size() == 3u);
  }
  SECTION("every 2 epochs") {
    lg::TrainSession s = with_state(file);
    s.state_every_epochs = 2;
    auto model = make("mlp-br", feature_params());
    model->train(train_set, context(), s);
    CHECK(lg::nets::NetModel::load(file)->training_history()->epochs.size() == 2u);
  }
  SECTION("by seconds: at the first batch boundary after the time") {
    lg::TrainSession s = with_state(file);
    s.state_every_seconds = 1e-9;  // every batch boundary
    std::vector<bool> exists;
    s.after_batch = [&](int, int) { exists.push_back(std::filesystem::exists(file)); };
    auto model = make("mlp-br", feature_params());
    model->train(train_set, context(), s);
    REQUIRE(exists.size() >= 2u);
    CHECK(!exists[0]);  // the hook runs before the first save
    CHECK(exists[1]);
  }
  SECTION("none by default but the stop's (5 minutes)") {
    lg::TrainSession s;
    s.state_file = file;
    auto model = make("mlp-br", feature_params());
    model->train(train_set, context(), s);
    CHECK(!std::filesystem::exists(file));
  }
}

TEST_CASE("train state: a training continued on another thread count says so", "[nets][train-state]") {
  const Dataset train_set = rows_data(150, 1);
  const lg::test::TempDir dir;
  auto first = make("mlp-br", feature_params());
  const Call stopped = train(*first, train_set, context(), with_state(dir / "s.pt"), 3);
  REQUIRE(stopped.stopped);
  // The same thread count: no such note.
  {
    auto same = make("mlp-br", feature_params());
    const Call call = train(*same, train_set, context(), with_state(dir / "copy.pt"), 0);
    (void)call;
    CHECK(!has_note(*same, "threads a training saved on"));
  }
  lg::Context two = context();
  two.threads = 2;
  auto other = make("mlp-br", feature_params());
  const Call call = train(*other, train_set, two, with_state(dir / "s.pt"), 0);
  REQUIRE(!call.stopped);
  CHECK(has_note(*other, "continued from the state file"));
  CHECK(has_note(*other, "continued on 2 threads a training saved on 1: the result may differ"));
}
