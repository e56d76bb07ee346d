#include "nets/optimizers.hpp"

#include <torch/torch.h>

#include <Eigen/Core>

#include <cmath>
#include <sstream>
#include <string>
#include <type_traits>

namespace lg::nets {
namespace {

/// The key of a parameter's state in Optimizer::state_: LibTorch 1.13 keys it by the printed
/// address of its TensorImpl (c10::guts::to_string, gone from later releases), LibTorch 2.x by
/// the address itself. Same key as LibTorch's own step() either way.
template <class Map>
typename Map::key_type param_key(const at::Tensor& p) {
  if constexpr (std::is_same_v<typename Map::key_type, std::string>) {
    std::ostringstream out;
    out << p.unsafeGetTensorImpl();
    return out.str();
  } else {
    return p.unsafeGetTensorImpl();
  }
}

/// LibTorch's Adam / AdamW with the update of each parameter done in one pass over memory.
/// LibTorch 1.13's step() runs about six kernels per parameter, each with a temporary; on
/// small networks that was the largest cost after the matrix products (bench/README.md,
/// "bench/nets"). Same arithmetic (float, torch's order of operations), same state objects,
/// so checkpoints are those of torch::optim::Adam(W). Parameters that are not contiguous CPU
/// float tensors (e.g. on a GPU), and amsgrad, take LibTorch's own step.
template <class Base, class Options, class ParamState, bool kDecoupled>
class FusedAdam : public Base {
 public:
  using Base::Base;

  /// One pass over raw memory is right when the parameter, its gradient and its moments are
  /// dense CPU floats laid out alike (plain or channels-last).
  bool fusable(const at::Tensor& p) {
    if (!(p.is_cpu() && p.scalar_type() == torch::kFloat32 && p.is_non_overlapping_and_dense() &&
          p.grad().strides() == p.strides()))
      return false;
    auto it = this->state_.find(param_key<decltype(this->state_)>(p));
    if (it == this->state_.end()) return true;
    const auto& state = static_cast<const ParamState&>(*it->second);
    return state.exp_avg().strides() == p.strides() && state.exp_avg_sq().strides() == p.strides();
  }

  at::Tensor step(torch::optim::Optimizer::LossClosure closure = nullptr) override {
    for (auto& group : this->param_groups()) {
      if (static_cast<const Options&>(group.options()).amsgrad()) return Base::step(closure);
      for (const at::Tensor& p : group.params())
        if (p.grad().defined() && !fusable(p)) return Base::step(closure);
    }
    torch::NoGradGuard no_grad;
    at::Tensor loss;
    if (closure) {
      at::AutoGradMode enable(true);
      loss = closure();
    }
    for (auto& group : this->param_groups()) {
      const auto& o = static_cast<const Options&>(group.options());
      const float beta1 = static_cast<float>(std::get<0>(o.betas()));
      const float beta2 = static_cast<float>(std::get<1>(o.betas()));
      const float eps = static_cast<float>(o.eps()), lr = static_cast<float>(o.lr());
      const float decay = static_cast<float>(o.weight_decay());
      for (at::Tensor& p : group.params()) {
        if (!p.grad().defined()) continue;
        const auto key = param_key<decltype(this->state_)>(p);
        auto it = this->state_.find(key);
        if (it == this->state_.end()) {
          auto fresh = std::make_unique<ParamState>();
          fresh->step(0);
          fresh->exp_avg(torch::zeros_like(p, at::MemoryFormat::Preserve));
          fresh->exp_avg_sq(torch::zeros_like(p, at::MemoryFormat::Preserve));
          it = this->state_.emplace(key, std::move(fresh)).first;
        }
        auto& state = static_cast<ParamState&>(*it->second);
        state.step(state.step() + 1);
        const double bias1 = 1 - std::pow(std::get<0>(o.betas()), state.step());
        const double bias2 = 1 - std::pow(std::get<1>(o.betas()), state.step());
        const float step_size = static_cast<float>(o.lr() / bias1);
        const float sqrt_bias2 = static_cast<float>(std::sqrt(bias2));
        // Eigen arrays: vectorised (std::sqrt in a plain loop is not, because of errno).
        using Array = Eigen::Map<Eigen::ArrayXf>;
        const int64_t n = p.numel();
        Array w(p.data_ptr<float>(), n);
        Array m(state.exp_avg().template data_ptr<float>(), n);
        Array v(state.exp_avg_sq().template data_ptr<float>(), n);
        const Eigen::Map<const Eigen::ArrayXf> g(p.grad().data_ptr<float>(), n);
        if constexpr (kDecoupled) {
          w *= 1 - lr * decay;
          m = m * beta1 + (1 - beta1) * g;
          v = v * beta2 + (1 - beta2) * g.square();
        } else {
          m = m * beta1 + (1 - beta1) * (g + decay * w);
          v = v * beta2 + (1 - beta2) * (g + decay * w).square();
        }
        w -= step_size * (m / (v.sqrt() / sqrt_bias2 + eps));
      }
    }
    return loss;
  }
};
using FusedAdamOptimizer = FusedAdam<torch::optim::Adam, torch::optim::AdamOptions,
                                     torch::optim::AdamParamState, false>;
using FusedAdamWOptimizer = FusedAdam<torch::optim::AdamW, torch::optim::AdamWOptions,
                                      torch::optim::AdamWParamState, true>;

template <class Options>
std::unique_ptr<torch::optim::Optimizer> make_optimizer_of(std::vector<at::Tensor> base,
                                                           std::vector<at::Tensor> gcn,
                                                           const Options& base_options,
                                                           const Options& gcn_options) {
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::move(base), std::make_unique<Options>(base_options));
  if (!gcn.empty()) groups.emplace_back(std::move(gcn), std::make_unique<Options>(gcn_options));
  if constexpr (std::is_same_v<Options, torch::optim::SGDOptions>)
    return std::make_unique<torch::optim::SGD>(std::move(groups), base_options);
  else if constexpr (std::is_same_v<Options, torch::optim::AdamOptions>)
    return std::make_unique<FusedAdamOptimizer>(std::move(groups), base_options);
  else
    return std::make_unique<FusedAdamWOptimizer>(std::move(groups), base_options);
}

}  // namespace

std::unique_ptr<torch::optim::Optimizer> make_optimizer(std::vector<at::Tensor> base,
                                                        std::vector<at::Tensor> graph,
                                                        const TrainParams& t) {
  const double lr_gcn = t.lr_gcn > 0 ? t.lr_gcn : t.lr;
  if (t.optimizer == "sgd")
    return make_optimizer_of(std::move(base), std::move(graph),
                             torch::optim::SGDOptions(t.lr).momentum(t.momentum).weight_decay(t.weight_decay),
                             torch::optim::SGDOptions(lr_gcn).momentum(t.momentum).weight_decay(t.weight_decay));
  if (t.optimizer == "adam")
    return make_optimizer_of(std::move(base), std::move(graph),
                             torch::optim::AdamOptions(t.lr).weight_decay(t.weight_decay),
                             torch::optim::AdamOptions(lr_gcn).weight_decay(t.weight_decay));
  return make_optimizer_of(std::move(base), std::move(graph),
                           torch::optim::AdamWOptions(t.lr).weight_decay(t.weight_decay),
                           torch::optim::AdamWOptions(lr_gcn).weight_decay(t.weight_decay));
}

void move_optimizer_state(torch::optim::Optimizer& optimizer, const torch::Device& device) {
  auto move = [&device](const at::Tensor& t) { return t.defined() ? t.to(device) : t; };
  for (auto& entry : optimizer.state()) {
    torch::optim::OptimizerParamState* state = entry.second.get();
    if (auto* adam = dynamic_cast<torch::optim::AdamParamState*>(state)) {
      adam->exp_avg(move(adam->exp_avg()));
      adam->exp_avg_sq(move(adam->exp_avg_sq()));
      adam->max_exp_avg_sq(move(adam->max_exp_avg_sq()));
    } else if (auto* adamw = dynamic_cast<torch::optim::AdamWParamState*>(state)) {
      adamw->exp_avg(move(adamw->exp_avg()));
      adamw->exp_avg_sq(move(adamw->exp_avg_sq()));
      adamw->max_exp_avg_sq(move(adamw->max_exp_avg_sq()));
    } else if (auto* sgd = dynamic_cast<torch::optim::SGDParamState*>(state)) {
      sgd->momentum_buffer(move(sgd->momentum_buffer()));
    }
  }
}

std::vector<double> base_learning_rates(const TrainParams& t) {
  return {t.lr, t.lr_gcn > 0 ? t.lr_gcn : t.lr};
}

double schedule_factor(const TrainParams& t, int epoch /* 0-based */) {
  if (t.schedule == "step") return std::pow(t.step_gamma, epoch / t.step_size);
  if (t.schedule == "cosine")
    return 0.5 * (1.0 + std::cos(M_PI * static_cast<double>(epoch) / t.epochs));
  return 1.0;
}

}  // namespace lg::nets
