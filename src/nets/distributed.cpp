#include "nets/distributed.hpp"

#include <fmt/format.h>
#include <torch/torch.h>
#include <torch/csrc/distributed/c10d/Backend.hpp>
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/version.h>
// A backend's header only where CMake found the headers it includes (Gloo's, nccl.h): LibTorch
// may define USE_C10D_GLOO / USE_C10D_NCCL for its users whether or not they are installed.
#ifdef LABELGRAPH_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef LABELGRAPH_C10D_NCCL
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "core/error.hpp"

namespace lg::nets {
namespace {

/// The first line of a c10d / Gloo message (they go on with stack traces).
std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.size() > 300 ? line.substr(0, 300) + "..." : line;
}

std::chrono::milliseconds timeout_of(const ProcessGroupSpec& s) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(s.timeout_seconds * 1000));
}

// The class the Gloo and NCCL groups derive from: c10d::ProcessGroup in LibTorch 1.13,
// c10d::Backend from 2.0 on (ProcessGroup became a dispatcher over backends). Both have the
// allreduce / broadcast used here.
#if TORCH_VERSION_MAJOR >= 2
using C10dBackend = c10d::Backend;
#else
using C10dBackend = c10d::ProcessGroup;
#endif

class C10dGroup final : public ProcessGroup {
 public:
  /// `device`: the context's device; with NCCL (a CUDA device and a LibTorch built with it)
  /// the collectives run there ("cuda" without an index: the process's local rank).
  C10dGroup(const ProcessGroupSpec& spec, [[maybe_unused]] const std::string& device)
      : ProcessGroup(spec) {
    const auto timeout = timeout_of(spec);
    try {
      c10::intrusive_ptr<c10d::Store> store;
      if (!spec.store_file.empty()) {
        store = c10::make_intrusive<c10d::FileStore>(spec.store_file, spec.world_size);
        store->setTimeout(timeout);
      } else {
        c10d::TCPStoreOptions options;
        options.port = static_cast<std::uint16_t>(spec.master_port);
        options.isServer = spec.rank == 0 && !spec.agent_store;
        options.numWorkers = spec.world_size;
        options.waitWorkers = false;
        options.timeout = timeout;
        store = c10::make_intrusive<c10d::TCPStore>(spec.master_addr, options);
      }
      store = c10::make_intrusive<c10d::PrefixStore>("labelgraph", store);
#ifdef LABELGRAPH_C10D_NCCL
      if (device.rfind("cuda", 0) == 0) {
        at::Device cuda(device);
        if (!cuda.has_index()) cuda = at::Device(at::kCUDA, static_cast<at::DeviceIndex>(spec.local_rank));
        c10::cuda::set_device(cuda.index());  // NCCL's communicator and streams of this rank
        auto options = c10d::ProcessGroupNCCL::Options::create();
        options->timeout = timeout;
        group_ = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, spec.rank, spec.world_size, options);
        device_ = cuda;
        backend_ = "NCCL";
        return;
      }
#endif
#ifdef LABELGRAPH_C10D_GLOO
      auto options = c10d::ProcessGroupGloo::Options::create(timeout);
      const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
      if (spec.loopback)
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      else if (interface && *interface)
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
      else
        options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(store, spec.rank, spec.world_size, options);
      device_ = at::Device(at::kCPU);
      backend_ = "Gloo";
#else
      throw Error(fmt::format("{}: training in several processes on {} needs Gloo, and this labelgraph "
                              "was built without it (LABELGRAPH_GLOO=OFF{})", spec.describe(), device,
                              device.rfind("cuda", 0) == 0 ? ", and without NCCL" : ""));
#endif
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      const std::string where = spec.store_file.empty()
                                    ? fmt::format("{}:{}", spec.master_addr, spec.master_port)
                                    : "the file store " + spec.store_file;
      throw PeerLost(fmt::format("{}: could not form the process group of {} processes at {} within "
                                 "{} s: {}", spec.describe(), spec.world_size, where,
                                 spec.timeout_seconds, first_line(e.what())));
    }
  }

 protected:
  void all_reduce(std::vector<at::Tensor>& tensors, const char* what) override {
    run(what, [&] { return group_->allreduce(tensors); });
  }
  void broadcast_one(std::vector<at::Tensor>& tensors, const char* what) override {
    run(what, [&] { return group_->broadcast(tensors); });
  }

 private:
  template <class Fn>
  void run(const char* what, Fn fn) {
    const auto started = std::chrono::steady_clock::now();
    try {
      c10::intrusive_ptr<c10d::Work> work = fn();
      if (!work->wait(timeout_of(spec_)))
        throw std::runtime_error("no answer within the timeout");
      collective_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw PeerLost(fmt::format("{}: lost the other processes during {} ({}): one of them died, "
                                 "hung longer than the timeout of {} s, or cannot be reached",
                                 spec_.describe(), what, first_line(e.what()), spec_.timeout_seconds));
    }
  }

  c10::intrusive_ptr<C10dBackend> group_;
};

std::mutex group_mutex;
std::unique_ptr<C10dGroup> the_group;

bool same_spec(const ProcessGroupSpec& a, const ProcessGroupSpec& b) {
  return a.rank == b.rank && a.world_size == b.world_size && a.master_addr == b.master_addr &&
         a.master_port == b.master_port && a.store_file == b.store_file;
}

thread_local ProcessGroup* sync_group = nullptr;
thread_local Index sync_rows = 0;  // the global batch of the step being trained

/// Sums over the processes that autograd sees through: the backward of a sum over processes
/// is the sum over processes of the gradients.
struct AllReduceSum : torch::autograd::Function<AllReduceSum> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x) {
    ctx->saved_data["group"] = reinterpret_cast<std::int64_t>(sync_group);
    at::Tensor y = x.clone();
    return sync_group->sum(y, "batch-norm statistics");
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grad) {
    auto* group = reinterpret_cast<ProcessGroup*>(ctx->saved_data["group"].toInt());
    at::Tensor g = grad[0].contiguous().clone();
    return {group->sum(g, "batch-norm gradients")};
  }
};

}  // namespace

ProcessGroup* ProcessGroup::of(const Context& ctx) {
  if (!ctx.processes.distributed()) return nullptr;
  std::lock_guard<std::mutex> lock(group_mutex);
  if (the_group) {
    if (!same_spec(the_group->spec(), ctx.processes))
      throw Error(fmt::format("{}: a second process group ({}) in one process", ctx.processes.describe(),
                              ctx.processes.store_file));
    return the_group.get();
  }
  the_group = std::make_unique<C10dGroup>(ctx.processes, ctx.device);
  return the_group.get();
}

template <class Collective>
void ProcessGroup::on_device(const at::Tensor& t, const char* what, Collective collective) {
  if (t.device() == device_ && t.is_contiguous()) {
    std::vector<at::Tensor> one{t.detach()};
    collective(one, what);
    return;
  }
  std::vector<at::Tensor> one{t.detach().to(device_).contiguous()};
  collective(one, what);
  torch::NoGradGuard no_grad;
  t.copy_(one[0]);
}

void ProcessGroup::reduce_on_device(const at::Tensor& t, const char* what) {
  on_device(t, what, [this](std::vector<at::Tensor>& one, const char* w) { all_reduce(one, w); });
}

void ProcessGroup::broadcast_on_device(const at::Tensor& t, const char* what) {
  on_device(t, what, [this](std::vector<at::Tensor>& one, const char* w) { broadcast_one(one, w); });
}

void ProcessGroup::broadcast(const std::vector<at::Tensor>& tensors, const char* what) {
  // One broadcast per element type and device: the tensors flattened into one.
  std::vector<bool> done(tensors.size(), false);
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (done[i] || !tensors[i].defined() || tensors[i].numel() == 0) continue;
    std::vector<std::size_t> same;
    for (std::size_t j = i; j < tensors.size(); ++j)
      if (!done[j] && tensors[j].defined() && tensors[j].numel() > 0 &&
          tensors[j].scalar_type() == tensors[i].scalar_type() && tensors[j].device() == tensors[i].device()) {
        same.push_back(j);
        done[j] = true;
      }
    if (same.size() == 1) {
      broadcast_on_device(tensors[i], what);
      continue;
    }
    std::vector<at::Tensor> flat;
    for (std::size_t j : same) flat.push_back(tensors[j].detach().reshape({-1}));
    at::Tensor joined = torch::cat(flat);
    broadcast_on_device(joined, what);
    torch::NoGradGuard no_grad;
    std::int64_t at = 0;
    for (std::size_t j : same) {
      const std::int64_t n = tensors[j].numel();
      tensors[j].copy_(joined.narrow(0, at, n).view(tensors[j].sizes()));
      at += n;
    }
  }
}

void ProcessGroup::sum_gradients(const std::vector<at::Tensor>& params) {
  constexpr std::int64_t kBucketBytes = 16 << 20;
  const auto started = std::chrono::steady_clock::now();
  std::vector<at::Tensor> grads;
  for (const at::Tensor& p : params) {
    if (!p.requires_grad()) continue;
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    grads.push_back(p.grad());
  }
  std::size_t i = 0;
  while (i < grads.size()) {
    std::size_t j = i;
    std::int64_t bytes = 0;
    std::vector<at::Tensor> flat;
    while (j < grads.size() && (j == i || (bytes + grads[j].nbytes() <= kBucketBytes &&
                                           grads[j].scalar_type() == grads[i].scalar_type() &&
                                           grads[j].device() == grads[i].device()))) {
      flat.push_back(grads[j].reshape({-1}));
      bytes += static_cast<std::int64_t>(grads[j].nbytes());
      ++j;
    }
    const at::Tensor bucket = flat.size() == 1 ? flat[0].contiguous() : torch::cat(flat);
    const bool aliased = flat.size() == 1 && grads[i].is_contiguous();
    reduce_on_device(bucket, "the gradient all-reduce");
    if (!aliased) {
      std::int64_t at = 0;
      for (std::size_t k = i; k < j; ++k) {
        const std::int64_t n = grads[k].numel();
        grads[k].copy_(bucket.narrow(0, at, n).view(grads[k].sizes()));
        at += n;
      }
    }
    i = j;
  }
  gradient_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

at::Tensor ProcessGroup::sum(at::Tensor t, const char* what) {
  reduce_on_device(t, what);
  return t;
}

double ProcessGroup::sum(double value, const char* what) {
  at::Tensor t = torch::full({1}, value, torch::TensorOptions().dtype(torch::kFloat64).device(device_));
  return sum(t, what).item<double>();
}

void ProcessGroup::broadcast_text(std::string& text, const char* what) {
  at::Tensor size = torch::full({1}, static_cast<std::int64_t>(rank() == 0 ? text.size() : 0), torch::kInt64);
  broadcast({size}, what);
  at::Tensor bytes = torch::zeros({size.item<std::int64_t>()}, torch::kUInt8);
  if (rank() == 0 && !text.empty()) std::memcpy(bytes.data_ptr(), text.data(), text.size());
  broadcast({bytes}, what);
  text.assign(reinterpret_cast<const char*>(bytes.data_ptr()), static_cast<std::size_t>(bytes.numel()));
}

bool ProcessGroup::any(bool flag, const char* what) { return sum(flag ? 1.0 : 0.0, what) > 0; }

std::pair<Index, Index> batch_part(Index rows, int rank, int world) {
  const Index part = (rows + world - 1) / world;
  const Index first = std::min<Index>(rows, part * rank);
  return {first, std::min<Index>(rows, first + part)};
}

SyncBatchNormScope::SyncBatchNormScope(ProcessGroup* group) : previous_(sync_group) { sync_group = group; }
SyncBatchNormScope::~SyncBatchNormScope() {
  sync_group = previous_;
  sync_rows = 0;
}
void SyncBatchNormScope::set_batch_rows(Index rows) { sync_rows = rows; }

at::Tensor sync_batch_norm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                           const at::Tensor& running_mean, const at::Tensor& running_var,
                           bool training, double momentum, double eps) {
  if (!training || !sync_group || sync_group->world() < 2)
    return torch::batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps,
                             at::globalContext().userEnabledCuDNN());
  // One all-reduce forward (and one backward): every process's mean and sum of squared
  // deviations (Welford's, from its own rows) in its row of a W x 2 x C table, summed; the
  // global mean and variance combine them exactly (Chan et al.'s parallel formula), not from
  // E[x²] - E[x]², which loses digits in float. Each process's row count is known without a
  // collective: the trainer gives the global batch (set_batch_rows) and batch_part cuts it.
  const int world = sync_group->world(), rank = sync_group->rank();
  if (sync_rows < 1) throw Error("sync batch norm: the global batch size was not set (a bug)");
  std::vector<int64_t> dims{0};
  std::int64_t spatial = 1;
  for (int64_t d = 2; d < x.dim(); ++d) {
    dims.push_back(d);
    spatial *= x.size(d);
  }
  const int64_t channels = x.size(1);
  std::vector<double> counts(static_cast<std::size_t>(world));
  double count = 0;
  for (int r = 0; r < world; ++r) {
    const auto part = batch_part(sync_rows, r, world);
    counts[static_cast<std::size_t>(r)] = static_cast<double>((part.second - part.first) * spatial);
    count += counts[static_cast<std::size_t>(r)];
  }
  const auto mine = batch_part(sync_rows, rank, world);
  if (x.size(0) != mine.second - mine.first)
    throw Error(fmt::format("sync batch norm: {} rows here, the batch part is {} (a bug)", x.size(0),
                            mine.second - mine.first));
  std::vector<at::Tensor> rows;
  for (int r = 0; r < world; ++r) {
    if (r == rank && x.size(0) > 0) {
      const auto [var_here, mean_here] = torch::var_mean(x, at::IntArrayRef(dims), /*unbiased=*/false, false);
      rows.push_back(torch::stack({mean_here, var_here * counts[static_cast<std::size_t>(r)]}));
    } else {
      rows.push_back(torch::zeros({2, channels}, x.options()));
    }
  }
  const at::Tensor table = AllReduceSum::apply(torch::stack(rows));  // W x 2 x C
  const at::Tensor n = torch::tensor(counts, torch::TensorOptions().dtype(x.scalar_type())).to(x.device()).view({world, 1});
  const at::Tensor means = table.select(1, 0), squares = table.select(1, 1);
  const at::Tensor mean = (means * n).sum(0) / count;
  const at::Tensor var = (squares.sum(0) + (n * (means - mean).pow(2)).sum(0)) / count;
  // y = (x - mean) / sqrt(var + eps) * w + b as one multiply-add per element
  std::vector<int64_t> shape(static_cast<std::size_t>(x.dim()), 1);
  shape[1] = channels;
  at::Tensor scale = torch::rsqrt(var + eps);
  if (weight.defined()) scale = scale * weight;
  at::Tensor shift = -mean * scale;
  if (bias.defined()) shift = shift + bias;
  const at::Tensor y = torch::addcmul(shift.view(shape), x, scale.view(shape));
  if (running_mean.defined()) {
    torch::NoGradGuard no_grad;
    running_mean.mul_(1 - momentum).add_(mean.detach(), momentum);
    const double unbiased = count > 1 ? count / (count - 1) : 1.0;
    running_var.mul_(1 - momentum).add_(var.detach() * unbiased, momentum);
  }
  return y;
}

}  // namespace lg::nets
