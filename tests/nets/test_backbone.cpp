// The CNN backbone: global max / average pooling by hand, shapes, seeded weights, gradients.
#include <torch/torch.h>
#undef CHECK  // torch's CHECK would replace Catch's
#include <catch2/catch.hpp>

#include "nets/backbone.hpp"

TEST_CASE("global pooling: max and average by hand", "[nets]") {
  // One image, two channels of 2 x 3:
  //   channel 0: 1 5 2 / 0 3 -4   max 5, mean (1+5+2+0+3-4)/6 = 7/6
  //   channel 1: -1 -2 -3 / -4 -5 -6   max -1, mean -21/6 = -3.5
  const at::Tensor maps =
      torch::tensor({1.f, 5.f, 2.f, 0.f, 3.f, -4.f, -1.f, -2.f, -3.f, -4.f, -5.f, -6.f}).view({1, 2, 2, 3});
  const at::Tensor gmp = lg::nets::global_pool(maps, "max");
  const at::Tensor gap = lg::nets::global_pool(maps, "avg");
  REQUIRE(gmp.sizes() == std::vector<int64_t>{1, 2});
  REQUIRE(gap.sizes() == std::vector<int64_t>{1, 2});
  CHECK(gmp[0][0].item<float>() == 5.f);
  CHECK(gmp[0][1].item<float>() == -1.f);
  CHECK(gap[0][0].item<float>() == Approx(7.0 / 6.0));
  CHECK(gap[0][1].item<float>() == Approx(-3.5));
  CHECK_THROWS_WITH(lg::nets::global_pool(maps, "sum"), Catch::Contains("max, avg"));
  CHECK_THROWS_WITH(lg::nets::global_pool(maps.view({2, 6}), "max"), Catch::Contains("N x C x H x W"));
}

TEST_CASE("backbone: shapes, feature size and pooling", "[nets]") {
  lg::nets::BackboneOptions o;
  o.width = 4;
  o.depth = 3;  // widths 4, 8, 16; resolution 32 -> 32 -> 16 -> 8
  lg::nets::SmallResNet net(o);
  CHECK(net->feature_size() == 16);
  const at::Tensor images = torch::randn({2, 3, 32, 32});
  const at::Tensor maps = net->feature_maps(images);
  CHECK(maps.sizes() == std::vector<int64_t>{2, 16, 8, 8});
  const at::Tensor pooled = net->forward(images);
  CHECK(pooled.sizes() == std::vector<int64_t>{2, 16});
  // GMP of the maps, and after the final ReLU every feature is >= 0
  CHECK(torch::equal(pooled, std::get<0>(maps.flatten(2).max(2))));
  CHECK(pooled.min().item<float>() >= 0.f);
  CHECK_THROWS_WITH(net->forward(torch::randn({2, 1, 32, 32})), Catch::Contains("N x 3 x H x W"));
  lg::nets::BackboneOptions bad = o;
  bad.pooling = "median";
  CHECK_THROWS_WITH(lg::nets::SmallResNet(bad), Catch::Contains("pooling"));
  bad = o;
  bad.width = 0;
  CHECK_THROWS_WITH(lg::nets::SmallResNet(bad), Catch::Contains("width"));
}

TEST_CASE("backbone: the seed fixes the weights, gradients reach the stem", "[nets]") {
  lg::nets::BackboneOptions o;
  o.width = 4;
  o.depth = 2;
  o.seed = 9;
  lg::nets::SmallResNet a(o), b(o);
  o.seed = 10;
  lg::nets::SmallResNet c(o);
  const auto pa = a->parameters(), pb = b->parameters(), pc = c->parameters();
  REQUIRE(pa.size() == pb.size());
  bool all_equal = true, any_differs = false;
  for (std::size_t k = 0; k < pa.size(); ++k) {
    all_equal = all_equal && torch::equal(pa[k], pb[k]);
    any_differs = any_differs || !torch::equal(pa[k], pc[k]);
  }
  CHECK(all_equal);
  CHECK(any_differs);
  // Every convolution was initialised (He-normal: not all zero, sd near sqrt(2 / fan_out)).
  for (const auto& named : a->named_parameters())
    if (named.key().find("conv") != std::string::npos || named.key().find("stem.") == 0 ||
        named.key().find("shortcut.") != std::string::npos)
      CHECK(named.value().abs().sum().item<float>() > 0.f);
  const at::Tensor images = torch::randn({3, 3, 16, 16});
  a->forward(images).sum().backward();
  for (const auto& named : a->named_parameters()) {
    INFO(named.key());
    REQUIRE(named.value().grad().defined());
    CHECK(torch::isfinite(named.value().grad()).all().item<bool>());
  }
}

TEST_CASE("backbone: the strided 1x1 shortcut in channels-last computes what NCHW's does", "[nets]") {
  // Fewer than 16 (or not a multiple of 16) channels take the subsample + stride-1 route
  // around oneDNN's strided 1x1 weight gradient, which corrupted memory at 64 x 64 (segfaults,
  // aborts in malloc, or wrong numbers); 16 and 32 keep the native kernel. Output, input
  // gradient and weight gradient must match NCHW's strided convolution (another summation
  // order: 1e-4 of the largest value). (A whole block is no test of this: one ReLU input
  // within 1e-6 of 0 flips its mask and moves every gradient upstream by O(1).)
  for (const int64_t in : {4, 8, 12, 16, 32}) {
    INFO("input channels " << in);
    torch::manual_seed(3);
    const at::Tensor x0 = torch::randn({16, in, 64, 64});
    const at::Tensor w0 = torch::randn({2 * in, in, 1, 1});
    const at::Tensor g = torch::randn({16, 2 * in, 32, 32});
    const at::Tensor xa = x0.clone().requires_grad_(true), wa = w0.clone().requires_grad_(true);
    const at::Tensor ya = at::conv2d(xa, wa, {}, {2, 2});
    ya.backward(g);
    const at::Tensor xb = x0.contiguous(at::MemoryFormat::ChannelsLast).requires_grad_(true);
    const at::Tensor wb = w0.contiguous(at::MemoryFormat::ChannelsLast).requires_grad_(true);
    const at::Tensor yb = lg::nets::strided_pointwise_conv(xb, wb, 2);
    CHECK(yb.is_contiguous(at::MemoryFormat::ChannelsLast));
    yb.backward(g.contiguous(at::MemoryFormat::ChannelsLast));
    CHECK(xb.grad().is_contiguous(at::MemoryFormat::ChannelsLast));
    const auto close = [](const at::Tensor& a, const at::Tensor& b) {
      const float diff = (a - b).abs().max().item<float>(), scale = a.abs().max().item<float>();
      INFO("max |difference| " << diff << " of max |value| " << scale);
      return diff <= 1e-4f * scale;
    };
    CHECK(close(ya, yb));
    CHECK(close(xa.grad(), xb.grad()));
    CHECK(close(wa.grad(), wb.grad()));
    // NCHW input takes the plain strided convolution.
    const at::Tensor xc = x0.clone().requires_grad_(true);
    CHECK(close(ya, lg::nets::strided_pointwise_conv(xc, w0, 2)));
  }
}
