#include "nets/tensor_convert.hpp"

#include <torch/torch.h>

#include <malloc.h>
#include <stdlib.h>

#include <mutex>

#include "core/error.hpp"

namespace lg::nets {

at::Tensor to_tensor(const DenseFeatures& m) {
  auto t = torch::empty({m.rows(), m.cols()}, torch::kFloat32);
  std::copy(m.data(), m.data() + m.size(), t.data_ptr<float>());
  return t;
}

at::Tensor to_tensor_f(const Eigen::MatrixXd& m) {
  at::Tensor t = torch::empty({m.rows(), m.cols()}, torch::kFloat32);
  auto a = t.accessor<float, 2>();
  for (Index i = 0; i < m.rows(); ++i)
    for (Index j = 0; j < m.cols(); ++j) a[i][j] = static_cast<float>(m(i, j));
  return t;
}

at::Tensor labels_to_tensor(const LabelMatrix& y) {
  auto t = torch::empty({y.rows(), y.cols()}, torch::kUInt8);
  std::copy(y.data(), y.data() + y.size(), t.data_ptr<std::uint8_t>());
  return t.to(torch::kFloat32);
}

ScoreMatrix to_matrix(const at::Tensor& t) {
  if (t.dim() != 2) throw Error("to_matrix: expected a 2-D tensor, got " + std::to_string(t.dim()) + "-D");
  at::Tensor host = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  ScoreMatrix m(host.size(0), host.size(1));
  std::copy(host.data_ptr<float>(), host.data_ptr<float>() + host.numel(), m.data());
  return m;
}

void configure_torch(const Context& ctx) {
  static std::once_flag malloc_once;
  std::call_once(malloc_once, [] {
    // Training reallocates the same temporaries every step. Above glibc's initial 128 KB mmap
    // threshold each one is a fresh mmap plus page faults (3-5x slower epochs in a measured
    // scratch loop, bench/README.md "bench/nets"). And when a step frees more than the trim
    // threshold at the top of the heap (a CNN's activations: 64 x 16 x 64 x 64 floats are
    // 16 MB each), glibc hands it back and the next step faults it in again, page by page:
    // with 64 MB, 3.2 M page faults and 2-3x slower CNN epochs on the quickstart (bench/README.md,
    // "Page faults and denormals"). So the heap keeps up to 1 GB that a step freed, as PyTorch's
    // GPU caching allocator keeps its blocks.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
  });
  torch::set_num_threads(ctx.resolved_threads());
  torch::manual_seed(ctx.seed);
  if (ctx.device.rfind("cuda", 0) == 0) {
    // Same config and seed, same scores on CUDA too, as far as LibTorch can: deterministic
    // cuDNN algorithms (no benchmarking), the deterministic variants of scatter-style kernels
    // (an op without one warns instead of failing), and cuBLAS's fixed workspace, which it
    // reads when its first handle is made (a value the caller set is kept).
    setenv("CUBLAS_WORKSPACE_CONFIG", ":4096:8", 0);
    at::globalContext().setBenchmarkCuDNN(false);
    at::globalContext().setDeterministicCuDNN(true);
    at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/true);
  }
}

std::string torch_version() {
  std::string v = TORCH_VERSION;
  v += torch::cuda::is_available() ? " (cuda available)" : " (cpu)";
  return v;
}

}  // namespace lg::nets
