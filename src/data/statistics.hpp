#pragma once
// Multi-label data set statistics, as the mldr package (Charte & Charte) defines them.
//
// With N rows, D features, L labels, Y_i the label set of row i and n_l the count of label l:
//   cardinality = (1/N) sum_i |Y_i|          density = cardinality / L
//   distinct_labelsets = number of different rows of Y (the empty set counts when present)
//   IRLbl(l) = max_k n_k / n_l               MeanIR, MaxIR = mean, max of IRLbl
//   CVIR = sd(IRLbl, n - 1) / MeanIR         minority(l) = IRLbl(l) > MeanIR
//   SCUMBLE_i = 1 - geomean_{l in Y_i} IRLbl(l) / mean_{l in Y_i} IRLbl(l)   (0 when Y_i empty)
//   SCUMBLE = (1/N) sum_i SCUMBLE_i
//   TCS = ln(D * L * distinct_labelsets)
//
// Labels that never occur (n_l = 0) have no IRLbl: it is reported as 0 and they are left out
// of MeanIR, MaxIR and CVIR (they cannot appear in any row, so not in SCUMBLE either). These
// choices keep every figure finite; degenerate inputs give 0 rather than NaN or -inf:
// N = 0 gives cardinality 0, fewer than two occurring labels give CVIR 0, and TCS is 0 when
// D, L or the number of label sets is 0.
#include <string>
#include <vector>

#include "core/dataset.hpp"

namespace lg {

/// Figures for one label.
struct LabelStats {
  std::string name;        ///< label name
  Index count = 0;         ///< n_l: rows carrying the label
  double frequency = 0.0;  ///< n_l / N
  double irlbl = 0.0;      ///< max_k n_k / n_l; 0 when n_l = 0
  bool minority = false;   ///< IRLbl > MeanIR
};

/// Figures for a whole data set (see the header comment for definitions).
struct DatasetStats {
  Index instances = 0;           ///< N
  Index features = 0;            ///< D
  Index labels = 0;              ///< L
  double cardinality = 0.0;      ///< mean labels per row
  double density = 0.0;          ///< cardinality / L
  Index distinct_labelsets = 0;  ///< different label rows
  double meanir = 0.0;           ///< mean IRLbl over occurring labels
  double maxir = 0.0;            ///< max IRLbl
  double cvir = 0.0;             ///< coefficient of variation of IRLbl (n - 1 sd)
  double scumble = 0.0;          ///< mean SCUMBLE over all rows
  double tcs = 0.0;              ///< theoretical complexity score, natural log
  Index empty_rows = 0;          ///< rows with no label
  Index empty_labels = 0;        ///< labels that never occur
  Index missing_values = 0;      ///< feature values read as missing (`?`, NaN): never used here
  Index rows_with_missing = 0;   ///< rows with at least one missing feature value
  std::vector<LabelStats> per_label;  ///< one entry per label, in label order
};

/// Statistics of a label matrix (values 0 / nonzero) for a data set with `num_features`
/// features. `label_names` may be empty (labels are then named by index).
/// One pass over the rows; SCUMBLE is evaluated once per distinct label set.
DatasetStats compute_stats(const LabelMatrix& labels, Index num_features,
                           const std::vector<std::string>& label_names = {});

/// Statistics of a data set, with its missing feature values (NaN entries) counted.
DatasetStats compute_stats(const Dataset& data);

}  // namespace lg
