#include <torch/torch.h>

#include <string>

#include "core/error.hpp"
#include "helpers.hpp"
#include "nets/gcn.hpp"

// Torch (c10/util/logging_is_not_google_glog.h) defines a fatal CHECK macro; included after
// it, Catch's CHECK must replace it or failures abort instead of being reported.
#undef CHECK
#include <catch2/catch.hpp>

using lg::nets::GraphConvolution;
using lg::nets::LabelGcn;
using lg::nets::LabelGcnOptions;
using Catch::Matchers::Contains;

namespace {

/// tests/fixtures/nets/<name> as a float64 tensor.
at::Tensor load(const std::string& name) {
  const auto rows = lg::test::read_numeric_csv("nets/" + name);
  REQUIRE(!rows.empty());
  const auto n = static_cast<int64_t>(rows.size());
  const auto cols = static_cast<int64_t>(rows[0].size());
  at::Tensor t = torch::empty({n, cols}, torch::kFloat64);
  auto a = t.accessor<double, 2>();
  for (int64_t i = 0; i < n; ++i) {
    const auto& row = rows[static_cast<size_t>(i)];
    REQUIRE(static_cast<int64_t>(row.size()) == cols);
    for (int64_t j = 0; j < cols; ++j) a[i][j] = row[static_cast<size_t>(j)];
  }
  return t;
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  REQUIRE(a.sizes() == b.sizes());
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

void set_weight(GraphConvolution& layer, const at::Tensor& w) {
  torch::NoGradGuard no_grad;
  REQUIRE(layer->weight.sizes() == w.sizes());
  layer->weight.copy_(w);
}

/// The fixture's 2-layer ML-GCN (4 -> 6 -> 3 on 5 labels), in double, golden weights loaded.
LabelGcn golden_gcn() {
  LabelGcnOptions o;
  o.in_features = 4;
  o.hidden_features = 6;
  o.out_features = 3;
  LabelGcn gcn(o);
  gcn->to(torch::kFloat64);
  REQUIRE(gcn->layers().size() == 2);
  auto layers = gcn->layers();
  set_weight(layers[0], load("gcn_w1.csv"));
  set_weight(layers[1], load("gcn_w2.csv"));
  return gcn;
}

// The scalar the script differentiates: 0.5 * sum(out^2).
at::Tensor objective(const at::Tensor& out) { return 0.5 * out.pow(2).sum(); }

}  // namespace

TEST_CASE("GraphConvolution forward matches the ML-GCN reference layer", "[nets]") {
  GraphConvolution layer(4, 6);
  layer->to(torch::kFloat64);
  set_weight(layer, load("gcn_w1.csv"));
  at::Tensor out = layer->forward(load("gcn_inputs.csv"), load("gcn_adj.csv"));
  CHECK(max_abs_diff(out, load("gcn_layer1_out.csv")) < 1e-12);
  CHECK(layer->named_parameters().size() == 1);  // no bias by default, as ML-GCN
}

TEST_CASE("GraphConvolution on a hand example: adj (H W)", "[nets]") {
  // H = [[1, 2], [3, 4]], W = [[1], [-1]] -> H W = [[-1], [-1]];
  // adj = [[1, 0.5], [0, 2]] -> adj (H W) = [[-1.5], [-2]]; bias 0.25 -> [[-1.25], [-1.75]].
  GraphConvolution layer(2, 1, /*bias=*/true);
  layer->to(torch::kFloat64);
  set_weight(layer, torch::tensor({1.0, -1.0}, torch::kFloat64).view({2, 1}));
  {
    torch::NoGradGuard no_grad;
    layer->bias.fill_(0.25);
  }
  at::Tensor h = torch::tensor({1.0, 2.0, 3.0, 4.0}, torch::kFloat64).view({2, 2});
  at::Tensor adj = torch::tensor({1.0, 0.5, 0.0, 2.0}, torch::kFloat64).view({2, 2});
  at::Tensor out = layer->forward(h, adj);
  CHECK(out[0][0].item<double>() == Approx(-1.25));
  CHECK(out[1][0].item<double>() == Approx(-1.75));
}

TEST_CASE("LabelGcn forward and gradients match the reference two-layer GCN", "[nets]") {
  LabelGcn gcn = golden_gcn();
  at::Tensor x = load("gcn_inputs.csv").requires_grad_(true);
  at::Tensor out = gcn->forward(x, load("gcn_adj.csv"));
  CHECK(max_abs_diff(out, load("gcn_out.csv")) < 1e-12);
  objective(out).backward();
  CHECK(max_abs_diff(x.grad(), load("gcn_grad_inputs.csv")) < 1e-12);
  CHECK(max_abs_diff(gcn->layers()[0]->weight.grad(), load("gcn_grad_w1.csv")) < 1e-12);
  CHECK(max_abs_diff(gcn->layers()[1]->weight.grad(), load("gcn_grad_w2.csv")) < 1e-12);
  // Parameter names follow the reference state_dict (gc1.weight, gc2.weight).
  auto params = gcn->named_parameters();
  CHECK(params.contains("gc1.weight"));
  CHECK(params.contains("gc2.weight"));
  CHECK(params.size() == 2);
}

TEST_CASE("LabelGcn gradients agree with central finite differences", "[nets]") {
  LabelGcn gcn = golden_gcn();
  const at::Tensor adj = load("gcn_adj.csv");
  at::Tensor x = load("gcn_inputs.csv").requires_grad_(true);
  objective(gcn->forward(x, adj)).backward();

  const double h = 1e-6;
  auto check = [&](at::Tensor target, const at::Tensor& autograd, const std::string& what) {
    INFO(what);
    auto flat = target.view({-1});
    auto grad = autograd.reshape({-1});
    for (int64_t i = 0; i < flat.numel(); ++i) {
      double up = 0, down = 0;
      {
        torch::NoGradGuard no_grad;
        const double keep = flat[i].item<double>();
        flat[i].fill_(keep + h);
        up = objective(gcn->forward(x, adj)).item<double>();
        flat[i].fill_(keep - h);
        down = objective(gcn->forward(x, adj)).item<double>();
        flat[i].fill_(keep);
      }
      const double numeric = (up - down) / (2 * h);
      INFO("entry " << i);
      CHECK(grad[i].item<double>() == Approx(numeric).margin(1e-7).epsilon(1e-6));
    }
  };
  check(gcn->layers()[0]->weight, gcn->layers()[0]->weight.grad(), "gc1.weight");
  check(gcn->layers()[1]->weight, gcn->layers()[1]->weight.grad(), "gc2.weight");
  check(x, x.grad(), "label inputs");
}

TEST_CASE("seeded init reproduces the reference reset_parameters", "[nets]") {
  // Python: torch.empty(4, 6).uniform_(-1/sqrt(6), 1/sqrt(6), generator=manual_seed(11)).
  GraphConvolution layer(4, 6, false, 11);
  CHECK(layer->weight.dtype() == torch::kFloat32);
  CHECK(max_abs_diff(layer->weight, load("gcn_init_seed11.csv")) < 1e-7);
  const double bound = 1 / std::sqrt(6.0);
  CHECK(layer->weight.abs().max().item<double>() <= bound);

  GraphConvolution same(4, 6, false, 11);
  GraphConvolution other(4, 6, false, 12);
  CHECK(torch::equal(layer->weight, same->weight));
  CHECK_FALSE(torch::equal(layer->weight, other->weight));

  // LabelGcn: layer k from seed + k, so a whole model is reproducible from one seed.
  LabelGcnOptions o;
  o.in_features = 4;
  o.hidden_features = 6;
  o.out_features = 3;
  o.seed = 11;
  LabelGcn a(o), b(o);
  CHECK(torch::equal(a->layers()[0]->weight, layer->weight));
  CHECK(torch::equal(a->layers()[1]->weight, b->layers()[1]->weight));
}

TEST_CASE("LabelGcn depth: 1 layer has no activation, 3 layers chain hidden sizes", "[nets]") {
  LabelGcnOptions o;
  o.in_features = 3;
  o.hidden_features = 5;
  o.out_features = 2;
  o.depth = 1;
  LabelGcn one(o);
  at::Tensor x = torch::randn({4, 3});
  at::Tensor adj = torch::eye(4);
  at::Tensor expected = torch::matmul(x, one->layers()[0]->weight);
  // No LeakyReLU after the last layer: negative outputs stay as they are.
  CHECK(max_abs_diff(one->forward(x, adj), expected) < 1e-6);

  o.depth = 3;
  o.bias = true;
  LabelGcn three(o);
  REQUIRE(three->layers().size() == 3);
  CHECK(three->layers()[0]->in_features() == 3);
  CHECK(three->layers()[1]->in_features() == 5);
  CHECK(three->layers()[1]->out_features() == 5);
  CHECK(three->layers()[2]->out_features() == 2);
  CHECK(three->named_parameters().contains("gc3.bias"));
  at::Tensor out = three->forward(x, adj);
  CHECK(out.size(0) == 4);
  CHECK(out.size(1) == 2);
}

TEST_CASE("bad GCN options and shapes give clear errors", "[nets]") {
  LabelGcnOptions o;
  o.depth = 0;
  CHECK_THROWS_WITH(LabelGcn(o), Contains("depth must be >= 1"));
  o.depth = 2;
  o.hidden_features = 0;
  CHECK_THROWS_WITH(LabelGcn(o), Contains("sizes must be >= 1"));
  CHECK_THROWS_AS(GraphConvolution(0, 3), lg::Error);

  GraphConvolution layer(4, 6);
  CHECK_THROWS_WITH(layer->forward(torch::zeros({5, 3}), torch::eye(5)),
                    Contains("expected input L x 4") && Contains("[5 x 3]"));
  CHECK_THROWS_WITH(layer->forward(torch::zeros({5, 4}), torch::eye(4)),
                    Contains("expected adj 5 x 5") && Contains("[4 x 4]"));
}
