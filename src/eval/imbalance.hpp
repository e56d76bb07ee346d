#pragma once
// Imbalance-aware views of an evaluation: per-label rows with training frequency and IRLbl,
// head / medium / tail buckets by training frequency, minority vs majority labels.
//
// IRLbl, MeanIR and the minority flag are those of data/statistics.hpp (compute_stats on the
// training labels), with one addition: a label absent from the training labels has no IRLbl
// (reported 0, as there) and counts as a minority label, its imbalance ratio being unbounded.
//
// Buckets: the edges are quantiles of the labels' training counts (all labels, those with
// count 0 included), by linear interpolation between order statistics (numpy's default):
// with counts sorted x_0 <= ... <= x_{L-1}, the quantile q is x_h' + (h − h')(x_{h'+1} − x_h')
// for h = (L − 1) q, h' = floor h. A label belongs to the first bucket whose edge its count does
// not exceed (a count equal to an edge falls in the rarer bucket, so labels with equal counts
// always share a bucket), else to the last. A bucket may be empty: it reports 0 labels and 0
// for its figures (empty cells in the table), never NaN.
//
// Bucket figures are macro averages of the per-label precision, recall and F1 over the
// bucket's labels; mAP averages AP over the bucket's labels with a positive in the evaluated
// set only, the others counted in skipped_labels.
#include <string>
#include <vector>

#include "core/layout.hpp"
#include "eval/measures.hpp"
#include "report/table.hpp"

namespace lg::eval {

struct BucketOptions {
  std::vector<double> edges = {1.0 / 3.0, 2.0 / 3.0};  ///< quantile edges, increasing, in (0,1)
  /// edges.size()+1 bucket names, rarest first
  std::vector<std::string> names = {"tail", "medium", "head"};
};

struct LabelRow {
  std::string name;        ///< label name
  Index train_count = 0;   ///< training rows carrying the label
  Index support = 0;       ///< positives in the evaluated set (tp + fn)
  double irlbl = 0.0;      ///< training IRLbl; 0 when train_count = 0
  bool minority = false;   ///< IRLbl > MeanIR, or absent from training
  std::string bucket;      ///< name of its frequency bucket
  LabelMeasures measures;  ///< the evaluation's figures for the label
};

struct BucketSummary {
  std::string name;                    ///< bucket name, or "minority" / "majority"
  Index labels = 0;                    ///< labels in the bucket
  Index min_count = 0, max_count = 0;  ///< training-count range (0, 0 when empty)
  double macro_precision = 0.0, macro_recall = 0.0, macro_f1 = 0.0;  ///< over its labels
  double map = 0.0;                    ///< mean AP over its labels with a positive
  Index skipped_labels = 0;            ///< labels without a positive in the evaluated set
};

struct ImbalanceReport {
  std::vector<LabelRow> labels;        ///< one per label, in label order
  std::vector<BucketSummary> buckets;  ///< rarest first
  std::vector<double> edge_counts;     ///< the training counts at the quantile edges
  BucketSummary minority, majority;    ///< minority labels vs the rest
  double meanir = 0.0;                 ///< training MeanIR
};

/// Build the report from an evaluation and the training label matrix (frequencies, IRLbl).
/// `train_labels` must have as many columns as the evaluation has labels, and `label_names`
/// one name per label or none (labels are then named by index). Throws lg::Error otherwise,
/// and for edges that are not increasing in (0, 1) or names that do not fit them.
ImbalanceReport imbalance_report(const EvaluationResult& result, const LabelMatrix& train_labels,
                                 const std::vector<std::string>& label_names,
                                 const BucketOptions& options = {});

/// Tables in the one table structure (report/table.hpp), measure columns with directions.
/// Per label: label, train_count, support, irlbl, minority, bucket, precision, recall, f1, ap
/// (ap empty for a label without a positive).
report::Table per_label_table(const ImbalanceReport& report);
/// Buckets (rarest first) then minority / majority: split, bucket, labels, train_min,
/// train_max, macro_precision, macro_recall, macro_f1, map, skipped_labels.
report::Table bucket_table(const ImbalanceReport& report);

}  // namespace lg::eval
