// device = "cuda": training and prediction on a GPU (README.md, "CUDA and an official
// LibTorch"). Debian's LibTorch is CPU-only, so on this project's machines and in CI these tests
// say they were skipped and check nothing; bench/run_gpu.sh runs them on a GPU machine.
#include <catch2/catch.hpp>

#include <torch/cuda.h>

#include <cmath>

#include "core/error.hpp"
#include "core/random.hpp"
#include "helpers.hpp"
#include "models/registry.hpp"
#include "nets/net_model.hpp"

namespace {

using lg::Dataset;
using lg::Index;

/// Two labels that follow the sign of a feature, on 3 standard-normal features.
Dataset signs(Index rows, std::uint64_t seed) {
  lg::Random rng(seed);
  Dataset d;
  d.name = "signs";
  d.dense.resize(rows, 3);
  d.labels.resize(rows, 2);
  for (Index i = 0; i < rows; ++i) {
    for (Index j = 0; j < 3; ++j) {
      const double u = 1.0 - rng.uniform(), v = rng.uniform();
      d.dense(i, j) = static_cast<float>(std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v));
    }
    d.labels(i, 0) = d.dense(i, 0) > 0;
    d.labels(i, 1) = d.dense(i, 1) + d.dense(i, 2) > 0;
  }
  d.feature_names = {"x0", "x1", "x2"};
  d.label_names = {"a", "b"};
  return d;
}

lg::models::ModelPtr mlgcn() {
  lg::nets::register_net_models();
  return lg::models::make_model("mlgcn",
                                toml::table{{"hidden", toml::array{16}}, {"epochs", 5}, {"batch_size", 32},
                                            {"lr", 0.01}, {"validation_fraction", 0.2}},
                                "test.toml", 7);
}

lg::Context on(const std::string& device) {
  lg::Context ctx;
  ctx.seed = 5;
  ctx.threads = 1;
  ctx.device = device;
  return ctx;
}

}  // namespace

TEST_CASE("cuda: a network trained on the GPU scores as on the CPU; a checkpoint predicts on the GPU",
          "[nets][cuda]") {
  if (!torch::cuda::is_available()) {
    WARN("skipped: this LibTorch sees no CUDA device (bench/run_gpu.sh runs this on a GPU)");
    return;
  }
  const Dataset data = signs(200, 3);
  auto cpu = mlgcn(), gpu = mlgcn(), again = mlgcn();
  cpu->fit(data, on("cpu"));
  gpu->fit(data, on("cuda"));
  again->fit(data, on("cuda"));
  const lg::ScoreMatrix sc = cpu->predict_scores(data, on("cpu"));
  const lg::ScoreMatrix sg = gpu->predict_scores(data, on("cuda"));
  // Same seed on the GPU: the same scores (deterministic kernels, configure_torch).
  CHECK(sg == again->predict_scores(data, on("cuda")));
  // Other kernels, same arithmetic: 5 epochs drift apart by rounding only.
  CHECK((sc - sg).cwiseAbs().maxCoeff() < 1e-3f);
  // A checkpoint loads on the CPU; predicting with device cuda moves it to the GPU.
  lg::test::TempDir dir;
  auto& net = dynamic_cast<lg::nets::NetModel&>(*gpu);
  net.save(dir / "m.pt");
  const auto loaded = lg::nets::NetModel::load(dir / "m.pt");
  CHECK(loaded->predict_scores(data, on("cuda")) == sg);
  CHECK((loaded->predict_scores(data, on("cpu")) - sg).cwiseAbs().maxCoeff() < 1e-5f);
}

TEST_CASE("cuda: a device this LibTorch does not have is refused in one line, also to predict",
          "[nets][cuda]") {
  if (torch::cuda::is_available()) {
    WARN("skipped: this LibTorch has CUDA (the refusal is for CPU-only builds)");
    return;
  }
  const Dataset data = signs(40, 1);
  auto model = mlgcn();
  const std::string fit = lg::test::error_of([&] { model->fit(data, on("cuda")); });
  CHECK_THAT(fit, Catch::Contains("device \"cuda\" requested but this LibTorch") &&
                      Catch::Contains("sees no CUDA device"));
  CHECK(fit.find('\n') == std::string::npos);
  // A model trained on the CPU asked to predict on cuda (`predict --device cuda`): refused, not
  // scored on the CPU instead.
  model->fit(data, on("cpu"));
  const std::string predict = lg::test::error_of([&] { model->predict_scores(data, on("cuda:1")); });
  CHECK_THAT(predict, Catch::Contains("device \"cuda:1\" requested but this LibTorch"));
  CHECK(model->predict_scores(data, on("cpu")).allFinite());
}
