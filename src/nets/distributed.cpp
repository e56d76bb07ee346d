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
    try {
      c10::intrusive_ptr<c10d::Work> work = fn();
      if (!work->wait(timeout_of(spec_)))
        throw std::runtime_error("no answer within the timeout");
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

void ProcessGroup::reduce_on_device(const at::Tensor& t, const char* what) {
  if (t.device() == device_ && t.is_contiguous()) {
    std::vector<at::Tensor> one{t};
    all_reduce(one, what);
    return;
  }
  std::vector<at::Tensor> one{t.detach().to(device_).contiguous()};
  all_reduce(one, what);
  torch::NoGradGuard no_grad;
  t.copy_(one[0]);
}

void ProcessGroup::broadcast_on_device(const at::Tensor& t, const char* what) {
  if (t.device() == device_ && t.is_contiguous()) {
    std::vector<at::Tensor> one{t.detach()};
    broadcast_one(one, what);
    return;
  }
  std::vector<at::Tensor> one{t.detach().to(device_).contiguous()};
  broadcast_one(one, what);
  torch::NoGradGuard no_grad;
  t.copy_(one[0]);
}

void ProcessGroup::broadcast(const std::vector<at::Tensor>& tensors, const char* what) {
  for (const at::Tensor& t : tensors)
    if (t.defined() && t.numel() > 0) broadcast_on_device(t, what);
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
SyncBatchNormScope::~SyncBatchNormScope() { sync_group = previous_; }

at::Tensor sync_batch_norm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                           const at::Tensor& running_mean, const at::Tensor& running_var,
                           bool training, double momentum, double eps) {
  if (!training || !sync_group || sync_group->world() < 2)
    return torch::batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps,
                             at::globalContext().userEnabledCuDNN());
  // Two passes, as at::batch_norm: the mean over every process's rows, then the variance
  // around it (not E[x²] - E[x]², which loses digits in float).
  std::vector<int64_t> dims{0};
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  const int64_t channels = x.size(1);
  const double local_count = x.dim() > 1 ? static_cast<double>(x.numel() / std::max<int64_t>(channels, 1)) : 0;
  const double count = sync_group->sum(local_count, "batch-norm row counts");
  if (count < 1) throw Error("sync batch norm: the global batch is empty");
  std::vector<int64_t> shape(static_cast<std::size_t>(x.dim()), 1);
  shape[1] = channels;
  const at::Tensor mean = AllReduceSum::apply(x.sum(dims)) / count;
  const at::Tensor centred = x - mean.view(shape);
  const at::Tensor var = AllReduceSum::apply(centred.pow(2).sum(dims)) / count;
  at::Tensor y = centred * torch::rsqrt(var + eps).view(shape);
  if (weight.defined()) y = y * weight.view(shape);
  if (bias.defined()) y = y + bias.view(shape);
  if (running_mean.defined()) {
    torch::NoGradGuard no_grad;
    running_mean.mul_(1 - momentum).add_(mean.detach(), momentum);
    const double unbiased = count > 1 ? count / (count - 1) : 1.0;
    running_var.mul_(1 - momentum).add_(var.detach() * unbiased, momentum);
  }
  return y;
}

}  // namespace lg::nets
