#pragma once
// Data-parallel training with PyTorch's own engine, c10d (Gloo on CPU; NCCL on CUDA where the
// LibTorch build has it). The trainer (net_model.cpp) uses it when ctx.processes says there are
// several processes (core/processes.hpp):
//
//   start      parameters and buffers broadcast from rank 0 (broadcast())
//   each step  the global batch (the config's batch_size) is cut into one part per process
//              (batch_part()); every process weights its loss by its share of the rows, so the
//              gradients' sum over processes (sum_gradients(): all-reduce in buckets) is the
//              gradient of the whole batch's mean loss: N processes follow one process step by
//              step (tests/nets/test_distributed.cpp)
//   batch norm inside a SyncBatchNormScope the statistics of a training batch are those of the
//              global batch (sync_batch_norm(): mean and variance all-reduced, and their
//              gradients through a differentiable all-reduce), as PyTorch's SyncBatchNorm
//   failure    a collective that fails (a peer died: its connection is reset) or waits longer
//              than the spec's timeout throws lg::PeerLost with one line saying so
//   devices    every collective runs on the group's device(): the process's CUDA device under
//              NCCL (which takes CUDA tensors only), the CPU under Gloo. A tensor elsewhere (a
//              CPU scalar or flag under NCCL, CUDA logits under Gloo) is copied there and back,
//              so callers pass tensors from any device; on the CPU nothing is copied.
//
// There is no C++ DistributedDataParallel in LibTorch 1.13; this is the same arithmetic without
// overlapping communication with the backward pass.
#include <torch/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/context.hpp"
#include "core/layout.hpp"

namespace lg::nets {

class ProcessGroup {
 public:
  /// The group of ctx.processes, created on the first call and kept for the process (a run
  /// trains many cells in one group); nullptr when there is one process. Throws lg::PeerLost
  /// when the others do not show up within the timeout, lg::Error for a spec that differs from
  /// the one the group was created with.
  static ProcessGroup* of(const Context& ctx);

  virtual ~ProcessGroup() = default;
  int rank() const { return spec_.rank; }
  int world() const { return spec_.world_size; }
  const ProcessGroupSpec& spec() const { return spec_; }
  /// Where the collectives run: cuda:K under NCCL, the CPU under Gloo.
  const at::Device& device() const { return device_; }
  /// "NCCL" or "Gloo".
  const std::string& backend() const { return backend_; }

  /// Rank 0's values into every process's tensors (in place, CPU or one CUDA device).
  void broadcast(const std::vector<at::Tensor>& tensors, const char* what);
  /// Sum every parameter's gradient over the processes (in place; a missing gradient counts as
  /// zeros and becomes one). Buckets of up to 16 MiB, one all-reduce each.
  void sum_gradients(const std::vector<at::Tensor>& params);
  /// `t` summed over the processes, in place; returns t.
  at::Tensor sum(at::Tensor t, const char* what);
  /// A double summed over the processes.
  double sum(double value, const char* what);
  /// Rank 0's text into every process's.
  void broadcast_text(std::string& text, const char* what);
  /// Whether any process says true (every process gets the same answer).
  bool any(bool flag, const char* what);
  /// Seconds spent in sum_gradients() since the process started (bench/README's all-reduce share).
  double gradient_seconds() const { return gradient_seconds_; }
  /// Seconds spent in every collective (gradients, batch-norm statistics, checks) so far.
  double collective_seconds() const { return collective_seconds_; }

 protected:
  explicit ProcessGroup(ProcessGroupSpec spec) : spec_(std::move(spec)) {}
  /// One all-reduce (SUM) or broadcast of `tensors` (all on device()), waited for; failures
  /// become PeerLost.
  virtual void all_reduce(std::vector<at::Tensor>& tensors, const char* what) = 0;
  virtual void broadcast_one(std::vector<at::Tensor>& tensors, const char* what) = 0;

  ProcessGroupSpec spec_;
  at::Device device_{at::kCPU};
  std::string backend_;
  double gradient_seconds_ = 0;
  double collective_seconds_ = 0;

 private:
  /// all_reduce() / broadcast_one() of one tensor from any device: copied to device() and
  /// back when it is elsewhere.
  void reduce_on_device(const at::Tensor& t, const char* what);
  void broadcast_on_device(const at::Tensor& t, const char* what);
  /// `collective` on t, staged through a contiguous copy on the collective device when t is
  /// elsewhere (the two above).
  template <class Collective>
  void on_device(const at::Tensor& t, const char* what, Collective collective);
};

/// The rows [first, last) of a global batch of `rows` rows that process `rank` of `world`
/// trains on: consecutive parts of ceil(rows / world) rows (the last ones may be shorter or
/// empty).
std::pair<Index, Index> batch_part(Index rows, int rank, int world);

/// While one lives, sync_batch_norm() in training mode uses `group` (nullptr: no effect).
class SyncBatchNormScope {
 public:
  explicit SyncBatchNormScope(ProcessGroup* group);
  ~SyncBatchNormScope();
  /// The rows of the global batch about to be trained (each process's part: batch_part()).
  void set_batch_rows(Index rows);
  SyncBatchNormScope(const SyncBatchNormScope&) = delete;
  SyncBatchNormScope& operator=(const SyncBatchNormScope&) = delete;

 private:
  ProcessGroup* previous_;
};

/// Batch norm of `x` (N x C x ...) with a BatchNorm module's tensors: in training inside a
/// SyncBatchNormScope of several processes, over the batches of all of them (running statistics
/// updated with the global mean and unbiased variance); otherwise at::batch_norm, exactly what
/// the module's forward computes.
at::Tensor sync_batch_norm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                           const at::Tensor& running_mean, const at::Tensor& running_var,
                           bool training, double momentum, double eps);

/// sync_batch_norm() with a torch::nn::BatchNorm{1,2}d module's tensors and options.
template <class BatchNorm>
at::Tensor norm(BatchNorm& bn, const at::Tensor& x) {
  auto& m = *bn;
  double factor = 0;  // as BatchNormImplBase::forward: momentum, or the cumulative average
  if (m.is_training() && m.options.track_running_stats() && m.num_batches_tracked.defined()) {
    m.num_batches_tracked.add_(1);
    factor = m.options.momentum() ? *m.options.momentum()
                                  : 1.0 / m.num_batches_tracked.template item<double>();
  }
  return sync_batch_norm(x, m.weight, m.bias, m.running_mean, m.running_var,
                         m.is_training() || !m.options.track_running_stats(), factor, m.options.eps());
}

}  // namespace lg::nets
