#include "nets/losses.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace lg::nets {
namespace {

std::string shape_of(const at::Tensor& t) {
  std::string s = "[";
  for (int64_t d = 0; d < t.dim(); ++d) s += (d ? " x " : "") + std::to_string(t.size(d));
  return s + "]";
}

void require_finite_at_least(const std::string& field, double value, double low) {
  if (!std::isfinite(value) || value < low)
    throw Error("loss: " + field + " must be a finite number >= " + std::to_string(low) +
                ", got " + std::to_string(value));
}

// -[w y log s(x) + (1-y) log(1 - s(x))] per entry; log_sigmoid keeps large |x| finite.
at::Tensor bce_terms(const at::Tensor& x, const at::Tensor& y, const at::Tensor& pos_weight) {
  at::Tensor pos = y * torch::log_sigmoid(x);
  if (pos_weight.defined()) pos = pos * pos_weight;
  return -(pos + (1 - y) * torch::log_sigmoid(-x));
}

at::Tensor focal(const at::Tensor& x, const at::Tensor& y, const LossSpec& spec) {
  // 1 - p_t as sigmoid(-x) for positives, sigmoid(x) for negatives: equal to the reference's
  // 1 - (p y + (1-p)(1-y)) but it does not round to 0 for confident float32 logits, where
  // pow(0, gamma < 1) would give an infinite (then NaN) gradient.
  at::Tensor one_minus_p_t = torch::sigmoid(-x) * y + torch::sigmoid(x) * (1 - y);
  at::Tensor loss = bce_terms(x, y, {}) * torch::pow(one_minus_p_t, spec.gamma);
  if (spec.alpha) loss = (*spec.alpha * y + (1 - *spec.alpha) * (1 - y)) * loss;
  return loss.mean();
}

at::Tensor asymmetric(const at::Tensor& x, const at::Tensor& y, const LossSpec& spec) {
  at::Tensor p_pos = torch::sigmoid(x);
  at::Tensor p_neg = 1 - p_pos;  // 1 - p_m, p_m = max(p - clip, 0)
  if (spec.clip > 0) p_neg = (p_neg + spec.clip).clamp_max(1.0);
  at::Tensor loss = y * torch::log(p_pos.clamp_min(spec.eps)) +
                    (1 - y) * torch::log(p_neg.clamp_min(spec.eps));
  if (spec.gamma_neg > 0 || spec.gamma_pos > 0) {
    auto weight = [&] {
      at::Tensor p_t = p_pos * y + p_neg * (1 - y);
      return torch::pow(1 - p_t, spec.gamma_pos * y + spec.gamma_neg * (1 - y));
    };
    at::Tensor w;
    if (spec.asl_detach_weight) {
      torch::NoGradGuard no_grad;  // only the weight: the loss itself keeps its gradient
      w = weight();
    } else {
      w = weight();
    }
    loss = loss * w;
  }
  return -loss.sum(1).mean();
}

}  // namespace

const std::vector<std::string>& loss_names() {
  static const std::vector<std::string> names = {"bce", "weighted-bce", "focal", "asl",
                                                 "softmargin"};
  return names;
}

void validate(const LossSpec& spec) {
  const auto& names = loss_names();
  if (std::find(names.begin(), names.end(), spec.name) == names.end()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    throw Error("loss: unknown loss '" + spec.name + "' (expected one of: " + list + ")");
  }
  require_finite_at_least("gamma", spec.gamma, 0.0);
  if (spec.alpha && !(*spec.alpha >= 0.0 && *spec.alpha <= 1.0))
    throw Error("loss: alpha must be in [0, 1], got " + std::to_string(*spec.alpha));
  require_finite_at_least("gamma_neg", spec.gamma_neg, 0.0);
  require_finite_at_least("gamma_pos", spec.gamma_pos, 0.0);
  if (!(spec.clip >= 0.0 && spec.clip < 1.0))
    throw Error("loss: clip must be in [0, 1), got " + std::to_string(spec.clip));
  if (!(spec.eps > 0.0 && spec.eps < 1.0))
    throw Error("loss: eps must be in (0, 1), got " + std::to_string(spec.eps));
}

at::Tensor pos_weight_from_labels(const LabelMatrix& train) {
  const auto n = static_cast<double>(train.rows());
  at::Tensor w = torch::ones({static_cast<int64_t>(train.cols())}, torch::kFloat32);
  auto acc = w.accessor<float, 1>();
  for (Eigen::Index l = 0; l < train.cols(); ++l) {
    const double positives = static_cast<double>((train.col(l).array() != 0).count());
    if (positives > 0) acc[l] = static_cast<float>((n - positives) / positives);
  }
  return w;
}

at::Tensor multilabel_loss(const at::Tensor& logits, const at::Tensor& targets,
                           const LossSpec& spec, const at::Tensor& pos_weight) {
  validate(spec);
  if (!logits.defined() || !targets.defined())
    throw Error("loss: logits and targets must both be given");
  if (logits.dim() != 2 || !logits.sizes().equals(targets.sizes()))
    throw Error("loss: expected logits and targets of the same N x L shape, got logits " +
                shape_of(logits) + " and targets " + shape_of(targets));
  if (!logits.is_floating_point() || !targets.is_floating_point())
    throw Error("loss: logits and targets must be floating-point tensors");
  if (logits.numel() == 0) throw Error("loss: empty batch " + shape_of(logits));
  const at::Tensor y = targets.to(logits.device(), logits.scalar_type());

  const bool weighted = spec.name == "weighted-bce";
  if (weighted != pos_weight.defined())
    throw Error(weighted ? "loss: weighted-bce needs pos_weight (see pos_weight_from_labels)"
                         : "loss: pos_weight is only used by weighted-bce, not " + spec.name);

  // LibTorch's fused kernel (one op forward and backward instead of about eight); the same
  // value as bce_terms(...).mean() up to float rounding.
  if (spec.name == "bce") return torch::binary_cross_entropy_with_logits(logits, y);
  if (weighted) {
    if (pos_weight.dim() != 1 || pos_weight.size(0) != logits.size(1))
      throw Error("loss: pos_weight must have one entry per label (" +
                  std::to_string(logits.size(1)) + "), got " + shape_of(pos_weight));
    return bce_terms(logits, y, pos_weight.to(logits.device(), logits.scalar_type())).mean();
  }
  if (spec.name == "softmargin") return bce_terms(logits, y, {}).mean(1).mean();
  if (spec.name == "focal") return focal(logits, y, spec);
  return asymmetric(logits, y, spec);
}

LossSpec loss_spec(const TrainParams& t) {
  LossSpec s;
  s.name = t.loss;
  s.gamma = t.focal_gamma;
  if (t.focal_alpha >= 0) s.alpha = t.focal_alpha;
  s.gamma_neg = t.asl_gamma_neg;
  s.gamma_pos = t.asl_gamma_pos;
  s.clip = t.asl_clip;
  return s;
}

}  // namespace lg::nets
