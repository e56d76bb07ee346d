#include <torch/torch.h>

#include "nets/tensor_convert.hpp"

// Torch (c10/util/logging_is_not_google_glog.h) defines a fatal CHECK macro; included after
// it, Catch's CHECK must replace it or failures abort instead of being reported.
#undef CHECK
#include <catch2/catch.hpp>

TEST_CASE("Eigen <-> torch keeps the row-major layout", "[nets]") {
  lg::DenseFeatures m(2, 3);
  m << 1, 2, 3, 4, 5, 6;
  at::Tensor t = lg::nets::to_tensor(m);
  REQUIRE(t.size(0) == 2);
  REQUIRE(t.size(1) == 3);
  CHECK(t[0][2].item<float>() == 3.0f);
  CHECK(t[1][0].item<float>() == 4.0f);
  lg::ScoreMatrix back = lg::nets::to_matrix(t * 2);
  CHECK(back(1, 2) == 12.0f);
  CHECK(back(0, 1) == 4.0f);

  lg::LabelMatrix y(2, 2);
  y << 0, 1, 1, 0;
  at::Tensor ty = lg::nets::labels_to_tensor(y);
  CHECK(ty.dtype() == torch::kFloat32);
  CHECK(ty[0][1].item<float>() == 1.0f);
  CHECK(ty[1][1].item<float>() == 0.0f);
}

TEST_CASE("configure_torch sets the thread count from the Context", "[nets]") {
  lg::Context ctx;
  ctx.threads = 2;
  lg::nets::configure_torch(ctx);
  CHECK(torch::get_num_threads() == 2);
  CHECK(lg::nets::torch_version().rfind(TORCH_VERSION, 0) == 0);
}
