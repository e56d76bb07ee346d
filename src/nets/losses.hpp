#pragma once
// Multi-label losses on logits (N x L) and 0/1 targets (N x L), written with torch ops so that
// autograd works and tensors may live on any device. Included only by src/nets and tests/nets.
//
// Every loss returns a scalar; the reduction of each is stated here once:
//   bce          mean over all N*L entries of  -[y log s(x) + (1-y) log(1-s(x))]
//                (= torch.nn.BCEWithLogitsLoss()).
//   weighted-bce mean over all N*L entries of  -[w_l y log s(x) + (1-y) log(1-s(x))]
//                (= torch.nn.BCEWithLogitsLoss(pos_weight=w)); w from pos_weight_from_labels.
//   softmargin   mean over rows of the mean over labels of the BCE term
//                (= torch.nn.MultiLabelSoftMarginLoss(), the ML-GCN reference loss; numerically
//                the same value as bce, kept as its own name for recipes that cite it).
//   focal        mean over all N*L entries of  a_t (1-p_t)^gamma * BCE(x, y)   with p_t = s(x) if
//                y = 1 else 1 - s(x), a_t = alpha if y = 1 else 1 - alpha (no a_t when alpha is
//                unset) (Lin et al. 2017; = torchvision.ops.sigmoid_focal_loss(..., "mean")).
//   asl          Ridnik et al. 2021, as their reference AsymmetricLoss: p = s(x);
//                p_m = max(p - clip, 0) for negatives (clip > 0), logs clamped at eps = 1e-8,
//                weight (1-p)^gamma_pos for positives and p_m^gamma_neg for negatives.
//                Reduction: SUM over labels, then MEAN over rows. The reference returns the sum
//                over the whole batch, i.e. its value is ours times N.
//                The reference (and its train.py) computes the focusing weight under no_grad;
//                `asl_detach_weight` (default true) does the same.
#include <optional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "core/layout.hpp"
#include "nets/net_params.hpp"

namespace lg::nets {

struct LossSpec {
  /// "bce" | "weighted-bce" | "focal" | "asl" | "softmargin"
  std::string name = "bce";
  /// focal: focusing exponent (>= 0; 0 gives plain BCE)
  double gamma = 2.0;
  /// focal: weight of positives in [0, 1]; unset = no class weighting
  std::optional<double> alpha;
  /// asl: focusing exponent for negatives (>= 0)
  double gamma_neg = 4.0;
  /// asl: focusing exponent for positives (>= 0)
  double gamma_pos = 0.0;
  /// asl: probability margin for negatives in [0, 1); 0 disables the shift
  double clip = 0.05;
  /// asl: floor of the probabilities inside the logs (reference eps)
  double eps = 1e-8;
  /// asl: compute the focusing weight without gradient, as the reference code does
  bool asl_detach_weight = true;
};

/// The accepted LossSpec names, in the order above.
const std::vector<std::string>& loss_names();

/// Throws lg::Error naming the bad field and the accepted range.
void validate(const LossSpec& spec);

/// Per-label positive weights (N - n_l) / n_l for weighted BCE, n_l = positives of label l in
/// `train`, as a float32 CPU tensor of length L. A label with no positives (n_l = 0) gets 1:
/// there is nothing to up-weight, and an infinite weight would poison the loss. A label that is
/// positive everywhere gets 0 (negatives alone carry no loss for it anyway).
at::Tensor pos_weight_from_labels(const LabelMatrix& train);

/// The loss named by `spec` (reduction as documented above), differentiable w.r.t. `logits`.
/// logits and targets: same N x L shape, floating. pos_weight: length-L tensor, required for
/// weighted-bce and rejected otherwise; moved to the logits' device and dtype.
at::Tensor multilabel_loss(const at::Tensor& logits, const at::Tensor& targets,
                           const LossSpec& spec, const at::Tensor& pos_weight = {});

/// The loss a TrainParams names (loss, focal_*, asl_*).
LossSpec loss_spec(const TrainParams& t);

}  // namespace lg::nets
