#pragma once
// Turning scores into 0/1 predictions (reference doc §3, thresholding strategies).
//
// Scores are float32 (ScoreMatrix, the models') or float64 (ScoreMatrixD, read from files);
// every comparison happens in the scores' type, as NumPy compares an array with a Python float:
// for float32 scores thresholds are rounded to the nearest float first, so fixed:0.9 keeps a
// score stored as the float 0.9; float64 scores are compared in double, so scores that differ
// in the last bit stay apart.
//
//   fixed:T      score >= T                      (default 0.5; a bare number means fixed)
//   scut:M       one threshold per label, tuned on a validation set to maximise the per-label
//                measure M: f1 (default), jaccard (tp / (tp + fp + fn)) or accuracy
//                ((tp + tn) / N). Candidates are the midpoints between consecutive distinct
//                validation scores (in the scores' type, strictly between the two: the next
//                value above the lower one when the midpoint rounds onto one of them) plus
//                "all" (the lowest score) and "none" (the next value of the scores' type above
//                the highest); ties go to the
//                highest threshold (fewest predictions), so a label without a validation
//                positive predicts nothing under f1 and jaccard.
//   pcut         per label, predict the top round(N * freq_train(l)) rows (ties: lower row
//                index first), so that every label's predicted frequency, and with it the
//                label cardinality, matches training. This is MEKA's PCutL; MEKA's default,
//                PCut1, calibrates one threshold for all labels instead.
//   rcut:K       the K highest-scored labels of every row (top-k; "topk:K" is accepted too);
//                ties go to the lower label index; K >= L predicts every label.
//   mcut         per row, sort the scores and cut at the largest gap between consecutive
//                ones (Largeron et al. 2012): labels above the gap's midpoint are predicted.
//                Gaps are differences in double (exact for float32, rounded for float64).
//                Ties between gaps go to the highest gap; a row whose scores are all equal
//                (and every row when L = 1) gets no label.
#include <string>
#include <vector>

#include "core/layout.hpp"

namespace lg::eval {

struct ThresholdSpec {
  enum class Kind { Fixed, SCut, PCut, RCut, MCut };
  Kind kind = Kind::Fixed;
  double threshold = 0.5;      ///< fixed
  int k = 1;                   ///< rcut
  std::string measure = "f1";  ///< scut: the per-label measure to maximise

  /// The spec as a user writes it ("fixed:0.5", "scut:f1", "pcut", "rcut:3", "mcut").
  std::string to_string() const;
};

/// Parse a spec; a bare number means fixed. Throws lg::Error naming the accepted forms.
ThresholdSpec parse_threshold_spec(const std::string& text);

/// What thresholding needs besides the scores: SCut's validation set, PCut's training labels.
struct ThresholdInputs {
  const LabelMatrix* train_labels = nullptr;       ///< pcut
  const LabelMatrix* validation_truth = nullptr;   ///< scut
  const ScoreMatrix* validation_scores = nullptr;  ///< scut, float32 scores
  const ScoreMatrixD* validation_scores_f64 = nullptr;  ///< scut, float64 scores (instead)
};

/// Fitted per-label thresholds where the strategy has them (fixed, scut); empty otherwise.
struct Thresholds {
  ThresholdSpec spec;
  std::vector<double> per_label;        ///< fixed, scut: predict score >= per_label[l]
  std::vector<double> label_frequency;  ///< pcut: training frequency of each label
};

/// Fit the strategy (scut tunes, pcut reads frequencies); throws lg::Error when an input the
/// strategy needs is missing or has a number of labels other than `num_labels`.
Thresholds fit_thresholds(const ThresholdSpec& spec, Index num_labels,
                          const ThresholdInputs& inputs = {});

/// Apply to scores (N x L) -> predictions (N x L, 0/1). For pcut, the frequencies come from
/// `fitted` or, when it has none, from inputs.train_labels. Throws lg::Error when the number
/// of labels differs from the fitted one.
LabelMatrix apply_thresholds(const Thresholds& fitted, const ScoreMatrix& scores,
                             const ThresholdInputs& inputs = {});
/// The same on float64 scores, compared in double.
LabelMatrix apply_thresholds(const Thresholds& fitted, const ScoreMatrixD& scores,
                             const ThresholdInputs& inputs = {});

}  // namespace lg::eval
