// The label-correlation heads against their python3-torch references
// (tests/fixtures/nets/heads/make_head_references.py writes the fixtures from
// reference_heads.py): same state names and shapes, same parameter counts, logits to 1e-5;
// gradients agree with finite differences; the same seed builds the same head.
#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <fstream>
#include <map>
#include <set>
#include <string>

#include "helpers.hpp"
#include "models/registry.hpp"
#include "nets/head.hpp"
#include "nets/net_model.hpp"

#undef CHECK
#include <catch2/catch.hpp>

namespace {

using nlohmann::json;

const std::vector<std::string> kCases = {
    "agcn", "agcn_detached", "addgcn", "ssgrl", "ssgrl_reference_gate", "q2l", "q2l_groups",
    "lamp_none", "lamp_identity", "lamp_cooccurrence", "mlgcn", "linear"};

json read_case(const std::string& name) {
  std::ifstream in(lg::test::fixture("nets/heads/" + name + ".json"));
  REQUIRE(in.good());
  return json::parse(in);
}

at::Tensor tensor_of(const json& t) {
  if (t.is_null()) return {};
  const std::vector<int64_t> shape = t.at("shape").get<std::vector<int64_t>>();
  const std::vector<double> data = t.at("data").get<std::vector<double>>();
  return torch::tensor(data, torch::kFloat64).reshape(shape).to(torch::kFloat32);
}

/// The model `head` (its registered name; "linear" = mlp-br) with the fixture's parameters.
std::shared_ptr<lg::nets::HeadImpl> build(const json& c, std::uint64_t seed = 5) {
  lg::nets::register_net_models();
  toml::table params;
  for (const auto& [key, value] : c.at("params").items()) {
    if (value.is_boolean()) params.insert(key, value.get<bool>());
    else if (value.is_number_integer()) params.insert(key, value.get<int64_t>());
    else if (value.is_number()) params.insert(key, value.get<double>());
    else params.insert(key, value.get<std::string>());
  }
  std::string algorithm = c.at("head").get<std::string>();
  if (algorithm == "linear") algorithm = "mlp-br";
  const lg::models::ModelPtr model = lg::models::make_model(algorithm, params, "test", 1);
  const auto& net = dynamic_cast<const lg::nets::NetModel&>(*model);
  lg::nets::LabelSide side;
  side.inputs = tensor_of(c.at("inputs").at("label_inputs"));
  side.adjacency = tensor_of(c.at("inputs").at("adjacency"));
  lg::nets::HeadShape shape;
  shape.features = c.at("features").get<int64_t>();
  shape.labels = c.at("labels").get<int64_t>();
  at::Generator gen = at::detail::createCPUGenerator(seed);
  return net.head_factory().make(shape, side, gen, seed);
}

/// Copies the fixture's state into the head by name; every name on both sides must match.
void load_state(lg::nets::HeadImpl& head, const json& state) {
  std::set<std::string> ours, theirs;
  for (const auto& [name, value] : state.items()) theirs.insert(name);
  torch::NoGradGuard no_grad;
  auto copy = [&](const std::string& name, at::Tensor& t) {
    ours.insert(name);
    INFO("state entry " << name);
    REQUIRE(state.contains(name));
    const at::Tensor v = tensor_of(state.at(name));
    REQUIRE(v.sizes() == t.sizes());
    t.copy_(v);
  };
  for (auto& item : head.named_parameters()) copy(item.key(), item.value());
  for (auto& item : head.named_buffers()) copy(item.key(), item.value());
  CHECK(ours == theirs);
}

lg::nets::BackboneOutput inputs_of(const json& c) {
  return {tensor_of(c.at("inputs").at("pooled")), tensor_of(c.at("inputs").at("map"))};
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  REQUIRE(a.sizes() == b.sizes());
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

}  // namespace

TEST_CASE("heads equal their python3-torch references (names, parameter counts, logits to 1e-5)",
          "[nets][heads]") {
  for (const std::string& name : kCases) {
    INFO("case " << name);
    const json c = read_case(name);
    auto head = build(c);
    load_state(*head, c.at("state"));
    int64_t count = 0;
    for (const at::Tensor& p : head->parameters()) count += p.numel();
    CHECK(count == c.at("parameter_count").get<int64_t>());
    head->eval();
    torch::NoGradGuard no_grad;
    const auto x = inputs_of(c);
    CHECK(max_abs_diff(head->forward(x, nullptr), tensor_of(c.at("logits"))) < 1e-5);
    if (c.contains("extra_loss")) {
      const auto out = head->train_forward(x, nullptr);
      CHECK(out.extra_loss.item<double>() == Approx(c.at("extra_loss").get<double>()).epsilon(1e-5));
    }
    if (c.contains("train_logits")) {
      head->train();
      CHECK(max_abs_diff(head->forward(x, nullptr), tensor_of(c.at("train_logits"))) < 1e-5);
    }
  }
}

TEST_CASE("heads: the switches change what they say", "[nets][heads]") {
  auto logits = [](const std::string& name) {
    const json c = read_case(name);
    auto head = build(c);
    load_state(*head, c.at("state"));
    head->eval();
    torch::NoGradGuard no_grad;
    return head->forward(inputs_of(c), nullptr);
  };
  // SSGRL's reference reset gate, LaMP's masks: other logits from the same weights.
  CHECK(max_abs_diff(logits("ssgrl"), logits("ssgrl_reference_gate")) > 1e-4);
  CHECK(max_abs_diff(logits("lamp_none"), logits("lamp_identity")) > 1e-4);
  CHECK(max_abs_diff(logits("lamp_none"), logits("lamp_cooccurrence")) > 1e-4);
  // A-GCN detached: same logits, but no gradient reaches θ or φ.
  for (const bool detached : {false, true}) {
    const json c = read_case(detached ? "agcn_detached" : "agcn");
    auto head = build(c);
    load_state(*head, c.at("state"));
    const auto out = head->train_forward(inputs_of(c), nullptr);
    (out.logits.sum() + out.extra_loss).backward();
    for (auto& item : head->named_parameters()) {
      if (item.key().rfind("theta", 0) != 0 && item.key().rfind("phi", 0) != 0) continue;
      INFO(item.key() << (detached ? " detached" : " attached"));
      const bool has_grad = item.value().grad().defined() && item.value().grad().abs().sum().item<double>() > 0;
      CHECK(has_grad == !detached);
    }
  }
}

TEST_CASE("heads: gradients agree with central finite differences (float64)", "[nets][heads]") {
  for (const std::string name : {"agcn", "addgcn", "ssgrl", "q2l_groups", "lamp_cooccurrence", "mlgcn"}) {
    INFO("case " << name);
    const json c = read_case(name);
    auto head = build(c);
    load_state(*head, c.at("state"));
    head->to(torch::kFloat64);
    head->eval();
    auto x = inputs_of(c);
    x.pooled = x.pooled.to(torch::kFloat64);
    if (x.map.defined()) x.map = x.map.to(torch::kFloat64);
    at::Generator gen = at::detail::createCPUGenerator(9);
    const at::Tensor probe = torch::randn({x.pooled.size(0), c.at("labels").get<int64_t>()}, gen,
                                          torch::TensorOptions().dtype(torch::kFloat64));
    auto loss = [&]() { return (head->forward(x, nullptr) * probe).sum(); };
    head->zero_grad();
    loss().backward();
    int checked = 0;
    for (auto& item : head->named_parameters()) {
      at::Tensor& p = item.value();
      if (!p.grad().defined()) continue;
      const at::Tensor flat = p.detach().view({-1});
      const at::Tensor grad = p.grad().view({-1});
      for (int64_t i = 0; i < flat.numel(); i += std::max<int64_t>(1, flat.numel() / 3)) {
        const double h = 1e-6, keep = flat[i].item<double>();
        double up, down;
        {
          torch::NoGradGuard no_grad;
          flat[i] = keep + h;
          up = loss().item<double>();
          flat[i] = keep - h;
          down = loss().item<double>();
          flat[i] = keep;
        }
        const double numeric = (up - down) / (2 * h), analytic = grad[i].item<double>();
        INFO(item.key() << "[" << i << "]: autograd " << analytic << ", finite differences " << numeric);
        CHECK(std::abs(numeric - analytic) <= 1e-6 + 1e-5 * std::abs(numeric));
        ++checked;
      }
    }
    CHECK(checked >= 6);
  }
}

TEST_CASE("heads: the same seed builds the same head, another seed another", "[nets][heads]") {
  for (const std::string name : {"agcn", "addgcn", "ssgrl", "q2l_groups", "lamp_cooccurrence"}) {
    INFO("case " << name);
    const json c = read_case(name);
    const auto a = build(c, 5), b = build(c, 5), other = build(c, 6);
    const auto pa = a->parameters(), pb = b->parameters(), po = other->parameters();
    REQUIRE(pa.size() == pb.size());
    bool differs = false;
    for (std::size_t i = 0; i < pa.size(); ++i) {
      CHECK(torch::equal(pa[i], pb[i]));
      differs = differs || !torch::equal(pa[i], po[i]);
    }
    CHECK(differs);
  }
}

// ---- every head trains in the one harness: images and feature rows, checkpoints, seeds ----

#include "core/random.hpp"
#include "data/synthetic_scenes.hpp"
#include "io/image_readers.hpp"

namespace {

lg::Dataset tiny_scenes(lg::Index rows, std::uint64_t seed) {
  lg::SceneSpec spec;
  spec.rows = rows;
  spec.size = 32;
  spec.kinds = 6;
  spec.contexts = 2;
  return lg::as_dataset(std::make_shared<lg::ImageDataset>(lg::generate_scenes(spec, seed, 2)));
}

lg::Dataset tiny_rows(lg::Index rows, std::uint64_t seed) {
  lg::Random rng(seed);
  lg::Dataset d;
  d.name = "rows";
  d.dense.resize(rows, 6);
  d.labels.resize(rows, 4);
  for (lg::Index i = 0; i < rows; ++i) {
    for (lg::Index j = 0; j < 6; ++j) d.dense(i, j) = static_cast<float>(rng.uniform() * 2 - 1);
    d.labels(i, 0) = d.dense(i, 0) > 0;
    d.labels(i, 1) = d.dense(i, 1) > 0;
    d.labels(i, 2) = d.labels(i, 0) && d.labels(i, 1);
    d.labels(i, 3) = d.dense(i, 2) > 0.5f;
  }
  d.feature_names = {"x0", "x1", "x2", "x3", "x4", "x5"};
  d.label_names = {"a", "b", "ab", "c"};
  return d;
}

lg::Context head_context(std::uint64_t seed = 3) {
  lg::Context ctx;
  ctx.device = lg::test::test_device();  // LABELGRAPH_TEST_DEVICE (bench/run_gpu.sh)
  ctx.seed = seed;
  ctx.threads = 1;
  return ctx;
}

lg::models::ModelPtr make_head_model(const std::string& name, toml::table params) {
  lg::nets::register_net_models();
  for (auto&& [key, value] : toml::table{{"width", 8}, {"depth", 2}, {"image_size", 32},
                                         {"epochs", 2}, {"batch_size", 16}, {"lr", 0.01},
                                         {"validation_fraction", 0.2}, {"hidden", toml::array{16}}})
    params.insert(key, value);
  if (name == "addgcn" || name == "ssgrl" || name == "q2l" || name == "cnn-br")
    params.erase("hidden");
  return lg::models::make_model(name, params, "test.toml", 1);
}

}  // namespace

TEST_CASE("heads train on images: finite scores, same seed same scores, checkpoints round-trip",
          "[nets][heads]") {
  // 49 rows, 20% held out: 39 training rows in batches of 16 -> a last batch of 7; the
  // ADD-GCN case below also trains on a last batch of one row.
  const lg::Dataset data = tiny_scenes(49, 4);
  lg::test::TempDir dir;
  const std::vector<std::pair<std::string, toml::table>> heads = {
      {"agcn", toml::table{{"gcn_hidden", 8}}},
      {"addgcn", toml::table{{"validation_fraction", 0.0}, {"batch_size", 16}}},
      {"ssgrl", toml::table{{"attention_dim", 8}}},
      {"q2l", toml::table{{"d_model", 16}, {"heads", 2}, {"feedforward", 32}}},
      {"q2l", toml::table{{"d_model", 16}, {"heads", 2}, {"queries", 2}, {"self_attention", true}}},
      {"lamp", toml::table{{"heads", 2}}},
      {"mlgcn", toml::table{}}};
  for (const auto& [name, params] : heads) {
    INFO(name << " " << params);
    auto a = make_head_model(name, params), b = make_head_model(name, params);
    a->fit(data, head_context());
    b->fit(data, head_context());
    const lg::ScoreMatrix sa = a->predict_scores(data, head_context());
    CHECK(sa.allFinite());
    CHECK(sa == b->predict_scores(data, head_context()));
    auto& net = dynamic_cast<lg::nets::NetModel&>(*a);
    CHECK(net.parameter_count() > 0);
    net.save(dir / "m.pt");
    const auto loaded = lg::nets::NetModel::load(dir / "m.pt");
    CHECK(loaded->predict_scores(data, head_context()) == sa);
  }
}

TEST_CASE("heads on feature rows: lamp and agcn train; map heads are refused in one line",
          "[nets][heads]") {
  const lg::Dataset data = tiny_rows(80, 2);
  for (const std::string name : {"lamp", "agcn"}) {
    INFO(name);
    toml::table params = name == "lamp" ? toml::table{{"heads", 2}} : toml::table{};
    auto a = make_head_model(name, params), b = make_head_model(name, params);
    a->fit(data, head_context());
    b->fit(data, head_context());
    CHECK(a->predict_scores(data, head_context()) == b->predict_scores(data, head_context()));
    CHECK(a->predict_scores(data, head_context()).allFinite());
  }
  for (const std::string name : {"addgcn", "ssgrl", "q2l"}) {
    auto m = make_head_model(name, toml::table{});
    CHECK_THROWS_WITH(m->fit(data, head_context()),
                      Catch::Contains(name + " needs a spatial feature map") &&
                          Catch::Contains("'rows' has feature rows"));
  }
}

TEST_CASE("network cost: parameters and multiply-adds per row / image, by hand", "[nets][heads]") {
  lg::nets::register_net_models();
  // mlp-br, 6 features -> hidden [4] -> 4 labels: parameters 6*4 + 4 + 4*4 + 4 = 48,
  // multiply-adds 6*4 + 4*4 = 40 per row.
  const lg::Dataset rows = tiny_rows(40, 1);
  auto mlp = lg::models::make_model(
      "mlp-br", toml::table{{"hidden", toml::array{4}}, {"epochs", 1}, {"validation_fraction", 0.0}},
      "test", 1);
  CHECK_FALSE(mlp->cost());
  mlp->fit(rows, head_context());
  REQUIRE(mlp->cost());
  CHECK(mlp->cost()->parameters == 48);
  CHECK(mlp->cost()->multiply_adds == 40);
  // cnn-br, ResNet width 4, depth 2 on 16 x 16 images, 6 labels: stem 16*16*3*4*9 = 27,648;
  // stage 0 (4 -> 4, stride 1) 16*16*4*(4*9 + 4*9) = 73,728; stage 1 (4 -> 8, stride 2, 8 x 8,
  // 1x1 shortcut) 8*8*8*(4*9 + 8*9 + 4) = 57,344; the linear head 8*6 = 48.
  const lg::Dataset images = tiny_scenes(20, 3);
  auto cnn = lg::models::make_model(
      "cnn-br", toml::table{{"width", 4}, {"depth", 2}, {"image_size", 16}, {"epochs", 1},
                            {"validation_fraction", 0.0}},
      "test", 1);
  cnn->fit(images, head_context());
  REQUIRE(cnn->cost());
  CHECK(cnn->cost()->multiply_adds == 27648 + 73728 + 57344 + 48);
}
