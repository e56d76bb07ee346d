// The thread rule for training (nets/thread_policy.hpp): its decisions on both sides of the
// measured threshold, the guard that restores LibTorch's thread count, and that a small network
// asked for 2 threads trains exactly as on 1 (the rule chose 1) and says so in its notes; the
// guard that flushes denormals on every intra-op thread for a training run.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#undef CHECK  // torch's CHECK would replace Catch's
#include <catch2/catch.hpp>

#include <limits>
#include <stdexcept>
#include <vector>

#include "core/random.hpp"
#include "models/registry.hpp"
#include "nets/net_model.hpp"
#include "nets/thread_policy.hpp"

namespace {

using lg::nets::kMultiThreadMinMultiplyAdds;
using lg::nets::StepShape;
using lg::nets::step_multiply_adds;
using lg::nets::training_threads;

StepShape mlp(std::int64_t batch, std::int64_t features, std::int64_t hidden, std::int64_t labels) {
  StepShape s;
  s.batch = batch;
  s.features = features;
  s.hidden = {hidden};
  s.labels = labels;
  return s;
}

lg::Dataset noisy_rules(lg::Index rows, std::uint64_t seed) {
  lg::Random rng(seed);
  lg::Dataset d;
  d.name = "rules";
  d.dense.resize(rows, 4);
  d.labels.resize(rows, 3);
  for (lg::Index i = 0; i < rows; ++i) {
    for (lg::Index j = 0; j < 4; ++j) d.dense(i, j) = static_cast<float>(2.0 * rng.uniform() - 1.0);
    d.labels(i, 0) = d.dense(i, 0) > 0;
    d.labels(i, 1) = d.dense(i, 1) + d.dense(i, 2) > 0.3f;
    d.labels(i, 2) = d.dense(i, 3) > 0.5f;
  }
  d.feature_names = {"x0", "x1", "x2", "x3"};
  d.label_names = {"a", "b", "c"};
  return d;
}

}  // namespace

TEST_CASE("thread policy: multiply-adds of one step", "[nets]") {
  // scene, bench/nets: 64 x (294 x 256 + 256 x 6) = 64 x (75264 + 1536) = 64 x 76800 = 4915200
  CHECK(step_multiply_adds(mlp(64, 294, 256, 6)) == 4'915'200);
  // two encoder layers: 10 x (5 x 8 + 8 x 4 + 4 x 3) = 10 x (40 + 32 + 12) = 840
  StepShape two = mlp(10, 5, 8, 3);
  two.hidden = {8, 4};
  CHECK(step_multiply_adds(two) == 840);
  // mlgcn: the same encoder and f Zᵀ (840) + GCN on L = 3 one-hot inputs, hidden 6, depth 2
  // ending at F = 4: layer 1 3 x 3 x 6 + 3 x 3 x 6 = 54 + 54 = 108, layer 2 3 x 6 x 4 + 3 x 3 x 4
  // = 72 + 36 = 108; 840 + 216 = 1056
  two.gcn_inputs = 3;
  two.gcn_hidden = 6;
  two.gcn_depth = 2;
  CHECK(step_multiply_adds(two) == 1056);
}

TEST_CASE("thread policy: one thread below the threshold, all at or above it", "[nets]") {
  // Measured sizes (bench/README.md, "Small networks"): scene mlp-br hidden 256 batch 64
  // (bench/nets, 4.9 M) and hidden 2048 batch 256 (256 x (294 x 2048 + 2048 x 6) = 157.3 M) lost
  // with a second thread; hidden 4096 batch 512 (512 x (294 x 4096 + 4096 x 6) = 629.1 M) tied.
  const std::int64_t small = step_multiply_adds(mlp(64, 294, 256, 6));
  const std::int64_t lost = step_multiply_adds(mlp(256, 294, 2048, 6));
  const std::int64_t large = step_multiply_adds(mlp(512, 294, 4096, 6));
  CHECK(lost == 157'286'400);
  CHECK(large == 629'145'600);
  CHECK(training_threads(small, 2, false) == 1);
  CHECK(training_threads(lost, 2, false) == 1);
  CHECK(training_threads(small, 16, false) == 1);
  CHECK(training_threads(large, 2, false) == 2);
  CHECK(training_threads(large, 16, false) == 16);
  CHECK(training_threads(kMultiThreadMinMultiplyAdds - 1, 2, false) == 1);
  CHECK(training_threads(kMultiThreadMinMultiplyAdds, 2, false) == 2);
  // images keep every thread however small; one thread asked is one thread
  CHECK(training_threads(small, 2, true) == 2);
  CHECK(training_threads(large, 1, false) == 1);
  CHECK(training_threads(large, 0, false) == 1);
  CHECK_THAT(lg::nets::thread_policy_note(1, 2, small),
             Catch::StartsWith("trained on 1 thread of 2: the per-step work (4915200 "
                               "multiply-adds)"));
}

TEST_CASE("thread policy: the guard restores LibTorch's thread count, also on an exception",
          "[nets]") {
  at::set_num_threads(2);
  {
    const lg::nets::TorchThreadsGuard guard(1);
    CHECK(at::get_num_threads() == 1);
  }
  CHECK(at::get_num_threads() == 2);
  try {
    const lg::nets::TorchThreadsGuard guard(1);
    CHECK(at::get_num_threads() == 1);
    throw std::runtime_error("leaves the scope");
  } catch (const std::runtime_error&) {
  }
  CHECK(at::get_num_threads() == 2);
  at::set_num_threads(1);
  {
    const lg::nets::TorchThreadsGuard guard(2);
    CHECK(at::get_num_threads() == 2);
  }
  CHECK(at::get_num_threads() == 1);
}

TEST_CASE("thread policy: a small network asked for 2 threads trains as on 1 and says so",
          "[nets]") {
  lg::nets::register_net_models();
  const lg::Dataset train = noisy_rules(300, 1), test = noisy_rules(80, 2);
  for (const std::string name : {"mlp-br", "mlgcn"}) {
    INFO(name);
    const toml::table p{{"hidden", toml::array{32}}, {"epochs", 4}, {"batch_size", 32},
                        {"lr", 0.01}, {"validation_fraction", 0.25}};
    auto one = lg::models::make_model(name, p, "test.toml", 7);
    auto two = lg::models::make_model(name, p, "test.toml", 7);
    lg::Context ctx1, ctx2;
    ctx1.seed = ctx2.seed = 11;
    ctx1.threads = 1;
    ctx2.threads = 2;
    one->fit(train, ctx1);
    two->fit(train, ctx2);
    // fit() set LibTorch to the context's 2 threads; the policy's 1 was only for the loop
    CHECK(at::get_num_threads() == 2);
    // both predicted on one thread: any difference is the training's
    CHECK(one->predict_scores(test, ctx1) == two->predict_scores(test, ctx1));
    int policy_notes = 0;
    for (const std::string& note : two->notes())
      policy_notes += note.rfind("trained on 1 thread of 2:", 0) == 0;
    CHECK(policy_notes == 1);
    for (const std::string& note : one->notes()) CHECK(note.find("thread of") == std::string::npos);
  }
  at::set_num_threads(1);
}

namespace {
/// Halving the smallest normal float gives a denormal, or zero when the thread flushes.
bool thread_flushes() {
  volatile float smallest = std::numeric_limits<float>::min();
  volatile float half = smallest * 0.5f;
  return half == 0.0f;
}

/// thread_flushes() for each of the indices 0 and 1 of a 2-thread LibTorch parallel_for.
std::vector<int> flushes_in_parallel_for() {
  std::vector<int> flushes(2, -1);
  at::parallel_for(0, 2, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) flushes[static_cast<std::size_t>(i)] = thread_flushes();
  });
  return flushes;
}
}  // namespace

TEST_CASE("thread policy: the denormal guard flushes on every intra-op thread and restores",
          "[nets]") {
#if defined(__x86_64__)
  at::set_num_threads(2);
  REQUIRE_FALSE(lg::nets::flushing_denormals());
  REQUIRE_FALSE(thread_flushes());
  {
    const lg::nets::FlushDenormalsGuard guard;
    CHECK(lg::nets::flushing_denormals());
    CHECK(thread_flushes());
    CHECK((flushes_in_parallel_for() == std::vector<int>{1, 1}));
    // a denormal input through a LibTorch op: flushed (DAZ) to zero
    const at::Tensor tiny = at::full({4}, std::numeric_limits<float>::min() * 0.25f);
    CHECK((tiny * 2.0f).abs().sum().item<float>() == 0.0f);
  }
  CHECK_FALSE(lg::nets::flushing_denormals());
  CHECK_FALSE(thread_flushes());
  CHECK((flushes_in_parallel_for() == std::vector<int>{0, 0}));
  at::set_num_threads(1);
#else
  SUCCEED("no MXCSR on this CPU: the guard does nothing");
#endif
}
