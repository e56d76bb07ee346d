#include "nets/thread_policy.hpp"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace lg::nets {

std::int64_t step_multiply_adds(const StepShape& shape) {
  std::int64_t work = 0;
  std::int64_t in = shape.features;
  for (const std::int64_t out : shape.hidden) {
    work += shape.batch * in * out;
    in = out;
  }
  const std::int64_t feature_size = in;
  work += shape.batch * feature_size * shape.labels;  // head x W, or f Zᵀ
  if (shape.gcn_inputs > 0)
    work += label_gcn_multiply_adds(shape.labels, shape.gcn_inputs, shape.gcn_hidden, feature_size,
                                    shape.gcn_depth);
  return work;
}

std::int64_t label_gcn_multiply_adds(std::int64_t labels, std::int64_t inputs, std::int64_t hidden,
                                     std::int64_t out, int depth) {
  std::int64_t work = 0, in = inputs;
  for (int k = 0; k < depth; ++k) {
    const std::int64_t width = k + 1 == depth ? out : hidden;
    work += labels * in * width + labels * labels * width;
    in = width;
  }
  return work;
}

int training_threads(std::int64_t multiply_adds, int requested, bool image_input) {
  const int all = std::max(1, requested);
  if (image_input || multiply_adds >= kMultiThreadMinMultiplyAdds) return all;
  return 1;
}

std::string thread_policy_note(int chosen, int requested, std::int64_t multiply_adds) {
  return fmt::format("trained on {} thread{} of {}: the per-step work ({} multiply-adds) is below "
                     "the measured crossover ({}) where a second thread pays, see bench/README.md",
                     chosen, chosen == 1 ? "" : "s", requested, multiply_adds,
                     kMultiThreadMinMultiplyAdds);
}

TorchThreadsGuard::TorchThreadsGuard(int threads) : previous_(at::get_num_threads()) {
  at::set_num_threads(std::max(1, threads));
}

TorchThreadsGuard::~TorchThreadsGuard() { at::set_num_threads(previous_); }

bool flushing_denormals() {
#if defined(__x86_64__) || defined(__i386__)
  constexpr unsigned kFtzDaz = 0x8040;  // MXCSR flush-to-zero (bit 15) and denormals-are-zero (6)
  return (_mm_getcsr() & kFtzDaz) == kFtzDaz;
#else
  return false;
#endif
}

namespace {

/// The mode is per thread (MXCSR): set it on the caller and on each intra-op thread. With a
/// range of get_num_threads() and grain 1, LibTorch's parallel_for gives every thread one index.
void set_flush_denormals_everywhere(bool on) {
  at::globalContext().setFlushDenormal(on);
  at::parallel_for(0, at::get_num_threads(), 1, [on](std::int64_t, std::int64_t) {
    at::globalContext().setFlushDenormal(on);
  });
}

}  // namespace

FlushDenormalsGuard::FlushDenormalsGuard() : previous_(flushing_denormals()) {
  set_flush_denormals_everywhere(true);
}

FlushDenormalsGuard::~FlushDenormalsGuard() { set_flush_denormals_everywhere(previous_); }

}  // namespace lg::nets
