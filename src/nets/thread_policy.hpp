#pragma once
// How many intra-op threads a network trains on. LibTorch splits every op of a step across its
// OpenMP threads; for the small products of a feature-data network (batch 64 x 294 x 256 on
// scene) the split costs more than it saves, so two threads made an epoch slower than one
// (bench/README.md, "bench/nets" and "Small networks: one thread where two lose"). The rule:
// below a measured per-step work, train on one thread; at or above it, on all the user gave.
// Image (CNN) models keep all threads: convolutions scale (bench/README.md, "bench/images").
// No torch in this header; TorchThreadsGuard's implementation is the only torch code here.
#include <cstdint>
#include <string>
#include <vector>

namespace lg::nets {

/// The matrix products of one training step of a feature-data network (nets/net_model.hpp).
struct StepShape {
  std::int64_t batch = 0;                   ///< rows per step (train.batch_size)
  std::int64_t features = 0;                ///< input width D
  std::vector<std::int64_t> hidden;         ///< encoder widths; the last is the feature size F
  std::int64_t labels = 0;                  ///< L: head outputs (mlp-br) or GCN rows (mlgcn)
  std::int64_t gcn_inputs = 0;              ///< mlgcn: label-input width; 0 = a linear head
  std::int64_t gcn_hidden = 0;              ///< mlgcn: width of the GCN's hidden layers
  int gcn_depth = 0;                        ///< mlgcn: graph convolutions
};

/// Multiply-adds of one step's forward pass: the encoder batch x sum(in x out), the head
/// batch x F x L (x W or f Zᵀ alike) and, for mlgcn, every graph convolution's L x in x out
/// (X W) + L x L x out (Â ·). Backward is about twice this, so the forward count ranks sizes.
std::int64_t step_multiply_adds(const StepShape& shape);

/// Multiply-adds of the label GCN of nets/gcn.hpp for `labels` rows: `depth` layers
/// inputs -> hidden -> ... -> out, each H W (rows x in x out) and Â (rows² x out).
std::int64_t label_gcn_multiply_adds(std::int64_t labels, std::int64_t inputs, std::int64_t hidden,
                                     std::int64_t out, int depth);

/// Per-step forward multiply-adds from which a second thread pays on this project's reference
/// machine (measured with 1 vs 2 threads, bench/README.md "Small networks: ...").
constexpr std::int64_t kMultiThreadMinMultiplyAdds = 500'000'000;

/// The thread count to train on: `requested` (>= 1) for image input or when the step's work
/// reaches kMultiThreadMinMultiplyAdds, otherwise 1.
int training_threads(std::int64_t multiply_adds, int requested, bool image_input);

/// The model's note when training_threads lowered the count ("trained on 1 thread of 2: ...").
std::string thread_policy_note(int chosen, int requested, std::int64_t multiply_adds);

/// Sets LibTorch's intra-op thread count for its scope and restores the previous count when
/// it ends, also when an exception leaves the scope.
class TorchThreadsGuard {
 public:
  explicit TorchThreadsGuard(int threads);
  ~TorchThreadsGuard();
  TorchThreadsGuard(const TorchThreadsGuard&) = delete;
  TorchThreadsGuard& operator=(const TorchThreadsGuard&) = delete;

 private:
  int previous_;  ///< at::get_num_threads() before the guard
};

/// Flushes denormal floats to zero (FTZ + DAZ, x86) on the calling thread and on every
/// LibTorch intra-op thread for its scope, and restores the previous mode when it ends. Why: a
/// network's tiny gradients and activations can turn denormal, and each denormal operation
/// takes a slow microcode path; PyTorch users get the same with torch.set_flush_denormal(True).
/// On the quickstart it changed no table and saved 8-15 % of the epoch time in one A/B pair,
/// within this VM's spread (bench/README.md, "Page faults and denormals"). No effect where the
/// CPU has no such mode.
class FlushDenormalsGuard {
 public:
  FlushDenormalsGuard();
  ~FlushDenormalsGuard();
  FlushDenormalsGuard(const FlushDenormalsGuard&) = delete;
  FlushDenormalsGuard& operator=(const FlushDenormalsGuard&) = delete;

 private:
  bool previous_ = false;  ///< the calling thread's mode before the guard
};

/// Whether the calling thread flushes denormals now (false where the CPU has no such mode).
bool flushing_denormals();

}  // namespace lg::nets
