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

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
#include <malloc.h>

#include <cstdlib>
#include <vector>

TEST_CASE("configure_torch keeps the memory a training step frees in the heap", "[nets]") {
  // A CNN step allocates and frees its activations every time; if glibc trims the freed top of
  // the heap, the next step faults every page in again (2-3x slower epochs). 256 blocks of
  // 1 MB (below the 32 MB mmap threshold, so on the heap), freed from the top down: with the
  // old 64 MB trim threshold the heap shrank back; now it keeps them.
  lg::Context ctx;
  ctx.threads = 1;
  lg::nets::configure_torch(ctx);
  std::vector<void*> blocks;
  for (int i = 0; i < 256; ++i) blocks.push_back(std::malloc(1 << 20));
  const std::size_t grown = mallinfo2().arena;
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) std::free(*it);
  const std::size_t after = mallinfo2().arena;
  CHECK(grown >= std::size_t{256} << 20);
  CHECK(after == grown);
}
#endif
