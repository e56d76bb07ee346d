#pragma once
// Curves of a cell's test scores, small enough to keep in its record and to average over
// cells for figures: precision-recall per group of labels (the frequency buckets) and
// measures against one global threshold.
//
// Precision-recall, micro-averaged over a group's labels: the (score, truth) entries of all
// the group's labels are pooled (entries marked in `ignore` left out, as mAP leaves them out)
// and ranked by score, descending; each distinct score gives one point (ties grouped, as
// scikit-learn's precision_recall_curve): recall = TP / P, precision = TP / (TP + FP) of the
// entries scoring at least that much. The curve is kept at fixed recall levels r as the
// interpolated precision p(r) = max { precision of a point with recall >= r } (Pascal VOC's
// interpolation; p is then non-increasing in r). A group without a positive entry has no
// curve (NaN at every level).
//
// Against a threshold t: predictions are score >= t (compared in double), read against the
// truth as given (as the thresholded measures are): micro-F1 of the pooled counts, macro-F1
// the mean of the per-label F1 over all labels, Hamming loss (FP + FN) / (N L); empty
// denominators follow the zero-division policy as in eval/measures.hpp.
#include <string>
#include <vector>

#include "core/layout.hpp"
#include "eval/measures.hpp"

namespace lg::eval {

struct CurveOptions {
  /// recall levels of the PR curves, increasing in [0, 1]
  std::vector<double> recall_levels = {0.0,  0.05, 0.1,  0.15, 0.2,  0.25, 0.3,
                                       0.35, 0.4,  0.45, 0.5,  0.55, 0.6,  0.65,
                                       0.7,  0.75, 0.8,  0.85, 0.9,  0.95, 1.0};
  /// global thresholds of the threshold curves, increasing
  std::vector<double> thresholds = {0.05, 0.1,  0.15, 0.2,  0.25, 0.3,  0.35, 0.4,  0.45, 0.5,
                                    0.55, 0.6,  0.65, 0.7,  0.75, 0.8,  0.85, 0.9,  0.95};
  ZeroDivision zero_division = ZeroDivision::Zero;  ///< for F1 with an empty denominator
  /// N x L, 1 = an entry left out of the PR curves (VOC's difficult); null or empty: none
  const LabelMatrix* ignore = nullptr;
};

struct ScoreCurves {
  std::vector<double> recall_levels;   ///< the levels of every PR curve
  std::vector<std::string> groups;     ///< the PR curves' groups: the buckets, then "all"
  std::vector<Index> group_positives;  ///< positive entries pooled in each group's curve
  /// groups x levels, row-major: interpolated precision; NaN for a group without a positive
  std::vector<double> precision;
  std::vector<double> thresholds;      ///< the global thresholds
  std::vector<double> micro_f1;        ///< one per threshold
  std::vector<double> macro_f1;        ///< one per threshold
  std::vector<double> hamming_loss;    ///< one per threshold
};

/// The curves of `scores` against `truth` (same shape, at least one row and label).
/// `label_group` gives each label's group as an index into `group_names` (e.g. the frequency
/// buckets); the "all" curve over every label is added after them. Throws lg::Error for shapes
/// that do not agree, a group index out of range, or levels / thresholds that do not increase.
ScoreCurves score_curves(const LabelMatrix& truth, const ScoreMatrix& scores,
                         const std::vector<int>& label_group,
                         const std::vector<std::string>& group_names,
                         const CurveOptions& options = {});

}  // namespace lg::eval
