#pragma once
// Multi-label evaluation measures (reference doc §3), all computed in one call so that tables,
// JSON and the experiment runner share one implementation and one set of names.
//
// Inputs: truth Y (N x L, 0/1), scores S (N x L, higher = more relevant) and predictions P
// (N x L, 0/1, usually a thresholding of S). Measure names are fixed strings, used in every
// table and in JSON (see measure_names()).
//
// S is float32 (ScoreMatrix, the models' scores) or float64 (ScoreMatrixD, scores read from
// files). Every comparison of scores happens in the type given: two scores are tied only when
// they are equal in that type (-0 and +0 are equal), so float64 scores that differ in the last
// bit are ranked apart, exactly as scikit-learn ranks a float64 array. Results agree with
// scikit-learn to about 1e-15 (summation order) in both types.
//
// Definitions (scikit-learn 1.2 where it has the measure; tests/fixtures/eval checks parity):
//
//   From P (thresholded):
//     hamming_loss        |Y xor P| / (N L)                          (sklearn hamming_loss)
//     subset_accuracy     fraction of rows with P_i = Y_i            (sklearn accuracy_score)
//     accuracy            mean_i |Y_i & P_i| / |Y_i | P_i|   (sklearn jaccard_score, 'samples')
//     example_precision   mean_i |Y_i & P_i| / |P_i|         (sklearn precision_score, 'samples')
//     example_recall      mean_i |Y_i & P_i| / |Y_i|
//     example_f1          mean_i F1(P_i, R_i)
//     micro_*             precision / recall / F1 of the counts pooled over all labels
//     macro_*             mean over ALL L labels of the per-label figure, labels without a
//                         positive or a prediction included (as scikit-learn does)
//     example_fbeta, micro_fbeta, macro_fbeta   F-beta, only when MeasureOptions::beta != 1
//     F from P and R as scikit-learn 1.2: (1 + b^2) P R / (b^2 P + R), 0 when P = R = 0.
//
//   From S, ML-GCN's figures (ML-GCN util.py, AveragePrecisionMeter.evaluation): a score
//   counts as positive when S >= mlgcn_threshold (compared in the scores' type: the threshold
//   rounded to float for float32 scores, as NumPy compares a float32 array with a Python
//   float; in double for float64 scores), independently of P. Per label: Ng = true,
//   Np = predicted, Nc = correct; a label with Np = 0 gets Np = 1 (so its precision is 0).
//     CP = mean_l Nc/Np   CR = mean_l Nc/Ng   CF1 = 2 CP CR / (CP + CR)  (not the mean of F1)
//     OP = sum Nc / sum Np   OR = sum Nc / sum Ng   OF1 = 2 OP OR / (OP + OR)
//   As in ML-GCN's code, OP's denominator is the sum AFTER the Np = 0 -> 1 substitution (it
//   differs from the plain pooled precision when some label has no predicted positive). ML-GCN
//   divides by zero when Ng = 0; here Nc/Ng of such a label follows the zero-division policy,
//   and an F with P + R = 0 is 0.
//     CP_top3 .. OF1_top3: the same on only each row's 3 highest scores (still >= threshold);
//     ties for the 3rd place go to the lower label index (torch.topk leaves them unspecified).
//
//   From S (ranking), ties as scikit-learn breaks them unless said otherwise:
//     one_error           fraction of rows whose top-ranked label is not relevant; a row with
//                         no relevant label counts as an error (MULAN's OneError). The top label
//                         among tied maxima is the one with the HIGHEST label index (MULAN's
//                         ranking: Weka's stable ascending sort, the last element ranks first).
//     coverage            sklearn coverage_error - 1: mean over rows of (number of labels with
//                         a score >= the lowest relevant score) - 1. Ties count against the
//                         ranking. A row without relevant labels contributes 0 to
//                         coverage_error, i.e. -1 here (MULAN gives it 0: the two agree when
//                         every row has a label).
//     ranking_loss        sklearn label_ranking_loss: per row, the fraction of (relevant,
//                         irrelevant) pairs with score(irrelevant) >= score(relevant); rows with
//                         no or all labels relevant contribute 0.
//     lrap                sklearn label_ranking_average_precision_score: per row,
//                         mean_{l in Y_i} |{l' in Y_i : s_l' >= s_l}| / |{l' : s_l' >= s_l}|
//                         (ties ranked pessimistically); rows with no or all labels relevant
//                         score 1, as in scikit-learn.
//     average_precision   MULAN's example-based average precision: mean over rows with at
//                         least one relevant label (other rows are left out, not scored 1) of
//                         (1/|Y_i|) sum_{l in Y_i} |{l' in Y_i : rank(l') <= rank(l)}| / rank(l),
//                         where rank is MULAN's tie-free ranking (ties: higher label index
//                         first). Equal to lrap when a row has no ties and a relevant label;
//                         with ties lrap is pessimistic and this is not. MULAN's Weka sort also
//                         treats scores within 1e-6 as tied; here only equal scores are.
//     mAP                 mean over labels WITH a positive of sklearn average_precision_score
//                         (ties grouped: one precision-recall point per distinct score).
//     mAP_mlgcn           ML-GCN's AveragePrecisionMeter.average_precision: rows sorted by
//                         score, descending, ties in row order (torch.sort is not stable;
//                         this is); mean over positives of the precision at that positive.
//     macro_auc           mean over labels with a positive AND a negative of sklearn
//                         roc_auc_score (ties count 1/2).
//     micro_auc           sklearn roc_auc_score(average='micro'): one AUC over all N L entries.
//
// Undefined figures: labels without a positive in Y are left out of mAP, mAP_mlgcn and
// macro_auc and counted in `skipped_labels`; labels without a negative are also left out of
// macro_auc (`auc_skipped_labels` counts both). When nothing is left to average (or Y is all 0
// or all 1 for micro_auc) the measure is 0 and its name is listed in `undefined_measures`.
// No measure is ever NaN.
//
// Ignored entries (MeasureOptions::ignore, e.g. VOC labels present only through objects marked
// "difficult"), as the ML-GCN reference's AveragePrecisionMeter treats them: mAP, mAP_mlgcn and
// macro_auc leave each ignored entry out of its label's ranking (a label whose positives are
// all ignored has no positive there); ML-GCN's CP..OF1 count it as a negative (the reference
// maps -1 to 0 and leaves the difficult 0 as it is). Every other measure, the per-label
// confusion and micro_auc read Y as given.
#include <string>
#include <vector>

#include "core/layout.hpp"

namespace lg::eval {

/// What a ratio with an empty denominator is worth.
enum class ZeroDivision {
  Zero,   ///< 0 (scikit-learn's zero_division=0, the default)
  One,    ///< 1 (scikit-learn's zero_division=1)
  Mulan,  ///< MULAN: 1 when Y and P are both empty (tp = fp = fn = 0), otherwise 0; F-beta as
          ///< (1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp). Applies per row and per label.
};

/// Parse "0", "1" or "mulan"; throws lg::Error naming the accepted values.
ZeroDivision parse_zero_division(const std::string& text);

/// F1 of confusion counts under a zero-division policy, exactly as the per-label and micro F1
/// of evaluate() (for curves computed elsewhere, e.g. eval/score_curves).
double f1_from_counts(Index tp, Index fp, Index fn, ZeroDivision zd);

struct MeasureOptions {
  ZeroDivision zero_division = ZeroDivision::Zero;  ///< policy for empty denominators
  double beta = 1.0;             ///< when != 1, also report example/micro/macro F-beta
  double mlgcn_threshold = 0.5;  ///< ML-GCN's CP..OF1 count score >= this as positive
  int threads = 0;               ///< worker threads; 0 = all hardware threads
  /// N x L, 1 = an entry left out as the header says (VOC's difficult); null or empty: none.
  const LabelMatrix* ignore = nullptr;
};

/// Per-label confusion counts at the thresholded predictions.
struct LabelConfusion {
  Index tp = 0, fp = 0, fn = 0, tn = 0;
};

/// Per-label figures (one entry per label, in label order).
struct LabelMeasures {
  LabelConfusion confusion;
  double precision = 0.0, recall = 0.0, f1 = 0.0;  ///< at P, zero-division policy applied
  double fbeta = 0.0;         ///< F-beta at P (equals f1 when beta = 1)
  double ap = 0.0;            ///< average precision of S (ties grouped as scikit-learn)
  double ap_mlgcn = 0.0;      ///< ML-GCN's tie-ignoring average precision of S
  double auc = 0.0;           ///< ROC AUC of S
  bool has_positive = false;  ///< false: ap, ap_mlgcn, auc undefined (0) and left out of means
  bool has_negative = false;  ///< false: auc undefined (0) and left out of macro_auc
};

/// Whether larger values of a measure are better (for bold-best and ranks).
enum class Direction { HigherIsBetter, LowerIsBetter };

struct MeasureValue {
  std::string name;    ///< one of measure_names()
  double value = 0.0;  ///< never NaN
};

struct EvaluationResult {
  std::vector<MeasureValue> measures;   ///< in measure_names() order, computed ones only
  std::vector<LabelMeasures> per_label; ///< L entries
  Index skipped_labels = 0;             ///< labels without a positive in Y
  Index auc_skipped_labels = 0;         ///< labels without a positive or without a negative
  /// Measures reported as 0 because nothing was left to average (see the header comment).
  std::vector<std::string> undefined_measures;

  /// Value of a measure by name; throws lg::Error for an unknown or not computed name.
  double get(const std::string& name) const;
  /// Whether the measure was computed (ranking and ML-GCN measures need scores).
  bool has(const std::string& name) const;
};

/// Every measure name evaluate() can report, in report order. F-beta names appear in a
/// result only when beta != 1, the score-based ones (ML-GCN's and ranking) only with scores.
const std::vector<std::string>& measure_names();
/// Direction of a measure name; throws lg::Error for an unknown name.
Direction measure_direction(const std::string& name);

/// All measures. Y, S, P must have the same shape (throws lg::Error otherwise), at least one
/// row and one label, Y and P only 0/1, S no NaN (the error names the first bad entry).
/// S may be empty (0 x 0) when only predictions exist: score-based measures are then left out.
EvaluationResult evaluate(const LabelMatrix& truth, const ScoreMatrix& scores,
                          const LabelMatrix& predictions, const MeasureOptions& options = {});
/// The same on float64 scores: ranked, tied and thresholded in double (see the header comment).
EvaluationResult evaluate(const LabelMatrix& truth, const ScoreMatrixD& scores,
                          const LabelMatrix& predictions, const MeasureOptions& options = {});

}  // namespace lg::eval
