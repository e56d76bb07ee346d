// custom-head: a head written in Python (python3-torch, scripted at test time by
// tests/fixtures/nets/heads/make_torchscript_head.py) computes what Python computes, receives
// gradients, trains on images and feature rows in the harness, and round-trips through a
// checkpoint; a module with the wrong output shape is refused naming the file. Without
// python3-torch the tests are skipped, except under CI=true.
#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <cstdlib>
#include <fstream>
#include <optional>

#include "core/random.hpp"
#include "data/synthetic_scenes.hpp"
#include "helpers.hpp"
#include "io/image_readers.hpp"
#include "models/registry.hpp"
#include "nets/head.hpp"
#include "nets/net_model.hpp"

#undef CHECK
#include <catch2/catch.hpp>

namespace fs = std::filesystem;

namespace {

constexpr int kFeatures = 16;  // the backbones below: ResNet width 8, depth 2; MLP hidden [16]
constexpr int kLabels = 6;     // the scenes' kinds; the rows' labels

std::optional<fs::path> scripts() {
  return lg::test::torch_script_output(
      "nets/heads/make_torchscript_head.py",
      std::to_string(kFeatures) + " " + std::to_string(kLabels));
}

at::Tensor matrix(const nlohmann::json& rows) {
  std::vector<float> flat;
  for (const auto& row : rows)
    for (const auto& v : row) flat.push_back(v.get<float>());
  return torch::tensor(flat).reshape({static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())});
}

lg::models::ModelPtr make(toml::table params) {
  lg::nets::register_net_models();
  for (auto&& [key, value] : toml::table{{"width", 8}, {"depth", 2}, {"image_size", 32},
                                         {"hidden", toml::array{kFeatures}}, {"epochs", 2},
                                         {"batch_size", 16}, {"lr", 0.01},
                                         {"validation_fraction", 0.2}})
    params.insert(key, value);
  return lg::models::make_model("custom-head", params, "test.toml", 1);
}

lg::Context context() {
  lg::Context ctx;
  ctx.device = lg::test::test_device();  // LABELGRAPH_TEST_DEVICE (bench/run_gpu.sh)
  ctx.seed = 4;
  ctx.threads = 1;
  return ctx;
}

lg::Dataset scenes() {
  lg::SceneSpec spec;
  spec.rows = 48;
  spec.size = 32;
  spec.kinds = kLabels;
  spec.contexts = 2;
  return lg::as_dataset(std::make_shared<lg::ImageDataset>(lg::generate_scenes(spec, 5, 2)));
}

lg::Dataset rows() {
  lg::Random rng(3);
  lg::Dataset d;
  d.name = "rows";
  d.dense.resize(60, 5);
  d.labels.resize(60, kLabels);
  for (lg::Index i = 0; i < 60; ++i) {
    for (lg::Index j = 0; j < 5; ++j) d.dense(i, j) = static_cast<float>(rng.uniform() * 2 - 1);
    for (lg::Index l = 0; l < kLabels; ++l) d.labels(i, l) = d.dense(i, l % 5) > (l < 5 ? 0.0f : 0.5f);
  }
  d.feature_names = {"a", "b", "c", "d", "e"};
  for (int l = 0; l < kLabels; ++l) d.label_names.push_back("l" + std::to_string(l));
  return d;
}

}  // namespace

TEST_CASE("custom-head: the scripted module computes what python computed, and gets gradients",
          "[nets][heads]") {
  const auto dir = scripts();
  if (!dir) return;
  std::ifstream in(*dir / "probe.json");
  const nlohmann::json probe = nlohmann::json::parse(in);
  const std::string path = (*dir / "gcn_head.pt").string();
  const auto model = make(toml::table{{"head", "torchscript:" + path}});
  const auto& net = dynamic_cast<const lg::nets::NetModel&>(*model);
  std::ifstream file(path, std::ios::binary);
  lg::nets::LabelSide side;
  side.inputs = matrix(probe["label_inputs"]);
  side.adjacency = matrix(probe["adjacency"]);
  side.script.assign(std::istreambuf_iterator<char>(file), {});
  lg::nets::HeadShape shape;
  shape.features = kFeatures;
  shape.labels = 3;
  at::Generator gen = at::detail::createCPUGenerator(1);
  auto head = net.head_factory().make(shape, side, gen, 1);
  const lg::nets::BackboneOutput x{matrix(probe["features"]), at::Tensor()};
  const at::Tensor logits = head->forward(x, nullptr);
  CHECK((logits - matrix(probe["logits"])).abs().max().item<double>() < 1e-6);
  logits.sum().backward();
  int with_grad = 0;
  for (const at::Tensor& p : head->parameters()) with_grad += p.grad().defined() && p.grad().abs().sum().item<double>() > 0;
  CHECK(with_grad == 2);  // w1 and w2: what the optimiser trains
}

TEST_CASE("custom-head trains on images and feature rows; same seed, same scores; checkpoints",
          "[nets][heads]") {
  const auto dir = scripts();
  if (!dir) return;
  lg::test::TempDir out;
  for (const bool images : {true, false}) {
    INFO((images ? "images" : "feature rows"));
    const lg::Dataset data = images ? scenes() : rows();
    REQUIRE(data.num_labels() == kLabels);
    for (const std::string input : {"pooled", "map"}) {
      if (!images && input == "map") {
        auto m = make(toml::table{{"head", "torchscript:" + (*dir / "map_head.pt").string()},
                                  {"head_input", "map"}});
        CHECK_THROWS_WITH(m->fit(data, context()), Catch::Contains("needs a spatial feature map"));
        continue;
      }
      const std::string file = (*dir / (input == "map" ? "map_head.pt" : "gcn_head.pt")).string();
      const toml::table params{{"head", "torchscript:" + file}, {"head_input", input}};
      auto a = make(params), b = make(params);
      a->fit(data, context());
      b->fit(data, context());
      const lg::ScoreMatrix sa = a->predict_scores(data, context());
      CHECK(sa.allFinite());
      CHECK(sa == b->predict_scores(data, context()));
      auto& net = dynamic_cast<lg::nets::NetModel&>(*a);
      net.save(out / "m.pt");
      const auto loaded = lg::nets::NetModel::load(out / "m.pt");
      CHECK(loaded->predict_scores(data, context()) == sa);
    }
  }
}

TEST_CASE("custom-head: a module with the wrong output, or no file, is refused naming it",
          "[nets][heads]") {
  const auto dir = scripts();
  if (!dir) return;
  const std::string wrong = (*dir / "wrong_shape.pt").string();
  auto m = make(toml::table{{"head", "torchscript:" + wrong}});
  CHECK_THROWS_WITH(m->fit(rows(), context()),
                    Catch::Contains(wrong) && Catch::Contains("expected 2 x 6 logits"));
  auto absent = make(toml::table{{"head", "torchscript:/nonexistent/head.pt"}});
  CHECK_THROWS_WITH(absent->fit(rows(), context()), Catch::Contains("/nonexistent/head.pt"));
  CHECK_THROWS_WITH(make(toml::table{{"head", "linear"}}), Catch::Contains("torchscript:PATH"));
}
