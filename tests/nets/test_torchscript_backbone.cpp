// The TorchScript backbone against python3-torch: the modules, the input batch and the expected
// features are written at test time by tests/fixtures/nets/make_torchscript_backbone.py (run
// with /usr/bin/python3). Without python3-torch the tests are skipped, except under CI=true.
#include <torch/script.h>
#include <torch/torch.h>
#undef CHECK  // torch's CHECK would replace Catch's
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "helpers.hpp"
#include "nets/torchscript_backbone.hpp"

namespace fs = std::filesystem;
using lg::nets::TorchScriptBackbone;
using lg::nets::TorchScriptOptions;

namespace {

/// OUTDIR of make_torchscript_backbone.py (run once per test run), or nullopt when the test must
/// return early: skipped without python3-torch (a failure under CI=true).
std::optional<fs::path> fixtures() {
  return lg::test::torch_script_output("nets/make_torchscript_backbone.py");
}

/// A raw little-endian float32 file, shaped by manifest.json.
at::Tensor read_raw(const fs::path& dir, const std::string& name) {
  const nlohmann::json manifest = nlohmann::json::parse(lg::test::read_file(dir / "manifest.json"));
  REQUIRE(manifest.contains(name));
  const std::vector<int64_t> shape = manifest[name].get<std::vector<int64_t>>();
  at::Tensor t = torch::empty(shape, torch::kFloat32);
  const std::string bytes = lg::test::read_file(dir / name);
  REQUIRE(bytes.size() == static_cast<std::size_t>(t.numel()) * sizeof(float));
  std::memcpy(t.data_ptr<float>(), bytes.data(), bytes.size());  // x86/ARM: little-endian
  return t;
}

void check_close(const at::Tensor& actual, const at::Tensor& expected) {
  REQUIRE(actual.sizes() == expected.sizes());
  const double worst = (actual - expected).abs().max().item<double>();
  INFO("largest difference " << worst);
  CHECK(torch::allclose(actual, expected, /*rtol=*/1e-5, /*atol=*/1e-5));
}

TorchScriptOptions options(const std::string& pooling, int64_t probe_size = 32) {
  TorchScriptOptions o;
  o.pooling = pooling;
  o.probe_size = probe_size;
  return o;
}

}  // namespace

TEST_CASE("torchscript backbone: the backbone name", "[nets]") {
  CHECK(lg::nets::torchscript_path("torchscript:/models/resnet101.pt") == "/models/resnet101.pt");
  CHECK_FALSE(lg::nets::torchscript_path("small-resnet"));
  CHECK_FALSE(lg::nets::torchscript_path("torchscrip:x.pt"));
  CHECK_THROWS_WITH(lg::nets::torchscript_path("torchscript:"),
                    Catch::Contains("torchscript:PATH"));
}

TEST_CASE("torchscript backbone: features match python3-torch's (feature maps, max and avg)",
          "[nets]") {
  const auto dir = fixtures();
  if (!dir) return;
  const at::Tensor images = read_raw(*dir, "input.f32");
  for (const std::string pooling : {"max", "avg"}) {
    INFO("pooling " << pooling);
    TorchScriptBackbone net((*dir / "maps.pt").string(), options(pooling));
    // The module ends in 16 channels; a probe of 32 x 32 or of 7 x 7 gives the same size.
    CHECK(net.feature_size() == 16);
    CHECK(TorchScriptBackbone((*dir / "maps.pt").string(), options(pooling, 7)).feature_size() ==
          16);
    CHECK_FALSE(net.is_training());  // starts in eval mode
    check_close(net.forward(images), read_raw(*dir, "expected_maps_" + pooling + ".f32"));
  }
}

TEST_CASE("torchscript backbone: a module returning N x F features is used as is", "[nets]") {
  const auto dir = fixtures();
  if (!dir) return;
  const at::Tensor images = read_raw(*dir, "input.f32");
  TorchScriptBackbone net((*dir / "pooled.pt").string(), options("max"));
  CHECK(net.feature_size() == 10);  // the Linear(16, 10) head
  check_close(net.forward(images), read_raw(*dir, "expected_pooled.f32"));
  // "avg" would pool maps; for 2-D output the pooling option changes nothing
  TorchScriptBackbone avg((*dir / "pooled.pt").string(), options("avg"));
  CHECK(torch::equal(avg.forward(images), net.forward(images)));
}

TEST_CASE("torchscript backbone: train and eval modes", "[nets]") {
  const auto dir = fixtures();
  if (!dir) return;
  const at::Tensor images = read_raw(*dir, "input.f32");
  const at::Tensor first = images.slice(0, 0, 1);
  TorchScriptBackbone net((*dir / "maps.pt").string(), options("avg"));
  net.train();
  CHECK(net.is_training());
  // batch norm on batch statistics: an image's features depend on the rest of its batch
  const at::Tensor alone = net.forward(first).detach();
  const at::Tensor in_batch = net.forward(images).detach().slice(0, 0, 1);
  CHECK_FALSE(torch::allclose(alone, in_batch, 1e-3, 1e-3));
  net.eval();
  CHECK_FALSE(net.is_training());
  // running statistics: they do not, and eval forwards change nothing
  const at::Tensor a = net.forward(images);
  check_close(net.forward(first), a.slice(0, 0, 1));
  CHECK(torch::equal(net.forward(images), a));
  // the training forwards moved the running statistics away from the file's
  CHECK_FALSE(torch::allclose(a, read_raw(*dir, "expected_maps_avg.f32"), 1e-4, 1e-4));
}

TEST_CASE("torchscript backbone: frozen has no gradients, fine-tuning has", "[nets]") {
  const auto dir = fixtures();
  if (!dir) return;
  const at::Tensor images = read_raw(*dir, "input.f32");
  const std::string path = (*dir / "maps.pt").string();

  TorchScriptOptions frozen_options = options("max");
  frozen_options.frozen = true;
  TorchScriptBackbone frozen(path, frozen_options);
  CHECK(frozen.frozen());
  // conv1, bn1 (weight, bias), conv2, bn2 (weight, bias): 6 parameters
  REQUIRE(frozen.parameters().size() == 6);
  for (const at::Tensor& p : frozen.parameters()) CHECK_FALSE(p.requires_grad());
  frozen.train(true);  // ignored: frozen stays in eval mode
  CHECK_FALSE(frozen.is_training());
  const at::Tensor features = frozen.forward(images);
  CHECK_FALSE(features.requires_grad());
  check_close(features, read_raw(*dir, "expected_maps_max.f32"));

  TorchScriptBackbone tuned(path, options("max"));
  CHECK_FALSE(tuned.frozen());
  tuned.train();
  const std::vector<at::Tensor> params = tuned.parameters();
  REQUIRE(params.size() == 6);
  for (const at::Tensor& p : params) CHECK(p.requires_grad());
  tuned.forward(images).sum().backward();
  for (const at::Tensor& p : params) {
    REQUIRE(p.grad().defined());
    CHECK(torch::isfinite(p.grad()).all().item<bool>());
    CHECK(p.grad().abs().sum().item<float>() > 0.f);
  }
  // an optimiser step through parameters() changes the module itself
  const at::Tensor before = tuned.forward(images).detach();
  {
    torch::NoGradGuard no_grad;
    for (const at::Tensor& p : params) p.sub_(0.1 * p.grad());
  }
  CHECK_FALSE(torch::equal(tuned.forward(images).detach(), before));

  // freezing later switches gradients off and the mode to eval; unfreezing back on
  tuned.set_frozen(true);
  CHECK_FALSE(tuned.is_training());
  for (const at::Tensor& p : tuned.parameters()) CHECK_FALSE(p.requires_grad());
  tuned.set_frozen(false);
  for (const at::Tensor& p : tuned.parameters()) CHECK(p.requires_grad());
}

TEST_CASE("torchscript backbone: to_bytes / from_bytes keeps the fine-tuned weights", "[nets]") {
  const auto dir = fixtures();
  if (!dir) return;
  const at::Tensor images = read_raw(*dir, "input.f32");
  TorchScriptBackbone net((*dir / "maps.pt").string(), options("avg"));
  // fine-tune a little (train mode also updates batch norm's running statistics)
  net.train();
  net.forward(images).sum().backward();
  {
    torch::NoGradGuard no_grad;
    for (const at::Tensor& p : net.parameters()) p.sub_(0.05 * p.grad());
  }
  net.eval();
  const at::Tensor tuned = net.forward(images).detach();
  CHECK_FALSE(torch::allclose(tuned, read_raw(*dir, "expected_maps_avg.f32"), 1e-4, 1e-4));

  const std::string bytes = net.to_bytes();
  REQUIRE(!bytes.empty());
  TorchScriptBackbone restored = TorchScriptBackbone::from_bytes(bytes, options("avg"));
  CHECK(restored.source() == "<checkpoint>");
  CHECK(restored.feature_size() == 16);
  CHECK(torch::equal(restored.forward(images).detach(), tuned));
  const auto a = net.parameters(), b = restored.parameters();
  REQUIRE(a.size() == b.size());
  for (std::size_t k = 0; k < a.size(); ++k) CHECK(torch::equal(a[k], b[k]));
  // a copy, not an alias: changing the restored module leaves the original alone
  {
    torch::NoGradGuard no_grad;
    b[0].zero_();
  }
  CHECK(torch::equal(net.forward(images).detach(), tuned));
}

TEST_CASE("torchscript backbone: errors name the file and what was expected", "[nets]") {
  lg::test::TempDir tmp;
  const std::string missing = (tmp / "nowhere.pt").string();
  CHECK_THROWS_WITH(TorchScriptBackbone(missing, options("max")),
                    Catch::Contains(missing) && Catch::Contains("not found"));
  CHECK_THROWS_WITH(TorchScriptBackbone(tmp.path().string(), options("max")),
                    Catch::Contains("is a folder"));
  const std::string garbage =
      tmp.write("garbage.pt", "this is not a zip archive \x01\x02\x03").string();
  CHECK_THROWS_WITH(TorchScriptBackbone(garbage, options("max")),
                    Catch::Contains(garbage) && Catch::Contains("not a readable TorchScript"));
  CHECK_THROWS_WITH(TorchScriptBackbone::from_bytes("", options("max"), "ckpt.pt"),
                    Catch::Contains("ckpt.pt") && Catch::Contains("empty"));
  CHECK_THROWS_WITH(TorchScriptBackbone::from_bytes("garbage", options("max"), "ckpt.pt"),
                    Catch::Contains("ckpt.pt") && Catch::Contains("not a readable TorchScript"));

  const auto dir = fixtures();
  if (!dir) return;
  const std::string maps = (*dir / "maps.pt").string();
  // a truncated archive is corrupt too
  const std::string whole = lg::test::read_file(maps);
  const std::string cut = tmp.write("cut.pt", whole.substr(0, whole.size() / 2)).string();
  CHECK_THROWS_WITH(TorchScriptBackbone(cut, options("max")),
                    Catch::Contains(cut) && Catch::Contains("not a readable TorchScript"));
  const std::string no_forward = (*dir / "no_forward.pt").string();
  CHECK_THROWS_WITH(TorchScriptBackbone(no_forward, options("max")),
                    Catch::Contains(no_forward) && Catch::Contains("no forward method"));
  const std::string rank3 = (*dir / "rank3.pt").string();
  CHECK_THROWS_WITH(TorchScriptBackbone(rank3, options("max")),
                    Catch::Contains(rank3) && Catch::Contains("3-D tensor") &&
                        Catch::Contains("2-D"));
  CHECK_THROWS_WITH(TorchScriptBackbone(maps, options("median")), Catch::Contains("max, avg"));
  CHECK_THROWS_WITH(TorchScriptBackbone(maps, options("max", 0)), Catch::Contains("probe_size"));

  TorchScriptBackbone net(maps, options("max"));
  CHECK_THROWS_WITH(net.forward(torch::zeros({2, 1, 32, 32})),
                    Catch::Contains(maps) && Catch::Contains("N x 3 x H x W"));
  CHECK_THROWS_WITH(net.forward(torch::zeros({3, 32, 32})), Catch::Contains("N x 3 x H x W"));
  // an error inside the module's forward (a double input for float weights) names the file
  CHECK_THROWS_WITH(net.forward(torch::zeros({1, 3, 8, 8}, torch::kFloat64)),
                    Catch::Contains(maps) && Catch::Contains("forward failed") &&
                        Catch::Contains("RuntimeError:"));  // the why, from the last line
}

// cnn-br with the TorchScript module as its backbone, fine-tuned and frozen, through the
// model interface the runner uses.
#include "data/synthetic_scenes.hpp"
#include "models/registry.hpp"
#include "nets/net_model.hpp"

TEST_CASE("cnn-br on a TorchScript backbone: fine-tuned or frozen, checkpoints keep it", "[nets]") {
  const auto out = fixtures();
  if (!out) return;
  lg::SceneSpec spec;
  spec.rows = 60;
  spec.size = 32;
  spec.kinds = 4;
  spec.contexts = 2;
  const lg::Dataset data =
      lg::as_dataset(std::make_shared<lg::ImageDataset>(lg::generate_scenes(spec, 4, 2)));
  lg::nets::register_net_models();
  lg::Context ctx;
  ctx.seed = 2;
  ctx.threads = 2;
  lg::test::TempDir dir;
  for (const bool freeze : {false, true}) {
    INFO("freeze " << freeze);
    const toml::table params{{"backbone", "torchscript:" + (*out / "maps.pt").string()},
                             {"freeze", freeze}, {"image_size", 32}, {"epochs", 2},
                             {"batch_size", 16}, {"validation_fraction", 0.2}};
    auto model = lg::models::make_model("cnn-br", params, "test.toml", 1);
    model->fit(data, ctx);
    const lg::ScoreMatrix scores = model->predict_scores(data, ctx);
    REQUIRE(scores.rows() == 60);
    REQUIRE(scores.cols() == 4);
    // The module's 16 channels, max-pooled, are the features.
    CHECK(model->learned_features(data, ctx).num_features() == 16);
    bool noted = false;
    for (const std::string& n : model->notes())
      noted = noted || n.find(freeze ? "frozen (computed once)" : "fine-tuned") != std::string::npos;
    CHECK(noted);
    auto& net = dynamic_cast<lg::nets::NetModel&>(*model);
    const fs::path file = dir / (freeze ? "frozen.pt" : "tuned.pt");
    net.save(file);
    CHECK(lg::nets::NetModel::load(file)->predict_scores(data, ctx) == scores);
  }
}

TEST_CASE("map heads on a TorchScript backbone: frozen maps computed per batch, checkpoints keep it",
          "[nets][heads]") {
  const auto out = fixtures();
  if (!out) return;
  lg::SceneSpec spec;
  spec.rows = 40;
  spec.size = 32;
  spec.kinds = 4;
  spec.contexts = 2;
  const lg::Dataset data =
      lg::as_dataset(std::make_shared<lg::ImageDataset>(lg::generate_scenes(spec, 4, 2)));
  lg::nets::register_net_models();
  lg::Context ctx;
  ctx.seed = 2;
  ctx.threads = 2;
  lg::test::TempDir dir;
  for (const std::string head : {"addgcn", "q2l"}) {
    INFO(head);
    toml::table params{{"backbone", "torchscript:" + (*out / "maps.pt").string()},
                       {"freeze", true}, {"image_size", 32}, {"epochs", 2},
                       {"batch_size", 16}, {"validation_fraction", 0.2}};
    if (head == "q2l") params.insert("heads", 2);
    auto model = lg::models::make_model(head, params, "test.toml", 1);
    model->fit(data, ctx);
    const lg::ScoreMatrix scores = model->predict_scores(data, ctx);
    CHECK(scores.allFinite());
    bool noted = false;
    for (const std::string& n : model->notes())
      noted = noted || n.find("frozen (maps computed per batch)") != std::string::npos;
    CHECK(noted);
    auto& net = dynamic_cast<lg::nets::NetModel&>(*model);
    net.save(dir / "m.pt");
    CHECK(lg::nets::NetModel::load(dir / "m.pt")->predict_scores(data, ctx) == scores);
  }
  // A module that returns pooled features cannot feed a map head: one line naming the file.
  auto pooled = lg::models::make_model(
      "ssgrl", toml::table{{"backbone", "torchscript:" + (*out / "pooled.pt").string()},
                           {"image_size", 32}, {"epochs", 1}},
      "test.toml", 1);
  CHECK_THROWS_WITH(pooled->fit(data, ctx), Catch::Contains("pooled.pt") &&
                                                Catch::Contains("needs its N x C x H x W feature maps"));
}
