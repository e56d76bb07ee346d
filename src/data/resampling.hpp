#pragma once
// Imbalance resampling of a training set (Charte et al.): applied to training folds only.
// Minority labels are those with IRLbl > MeanIR, majority labels the other occurring ones
// (data/statistics.hpp), both measured on the input once.
//
//   * ml-ros (Charte et al. 2015, LP-free ML-ROS): clone instances of minority labels until
//     the set has grown by floor(N * percentage / 100) rows. Round robin over the minority
//     labels' bags (their rows in the input), one uniformly drawn row per bag per round; a
//     bag leaves once its label's IRLbl, updated as clones are added, is <= MeanIR. Clones
//     are appended after the input rows.
//   * ml-rus (LP-free ML-RUS): remove instances of majority labels until the set has shrunk
//     by floor(N * percentage / 100) rows. Round robin over the majority labels' bags, one
//     uniformly drawn row per bag per round; a bag leaves once its label's IRLbl, updated as
//     rows go, is >= MeanIR. Unlike the paper, a bag only holds rows without any minority
//     label: no row carrying a minority label is ever removed (nor a row without labels).
//     The kept rows stay in their input order.
//   * mlsmote (Charte et al. 2015, MLSMOTE): for each minority label, each row carrying it
//     gets one synthetic neighbour: among its k nearest rows carrying the label (Euclidean
//     distance on the features; ties by row order) one is drawn uniformly as the reference;
//     every feature is sample + u * (reference - sample), u uniform in [0, 1) drawn per
//     feature; the label set is chosen over the sample and its k neighbours by `label_set`:
//     ranking = labels carried by more than half of them, union, or intersection. Bags and
//     IRLbl come from the input (synthetic rows do not feed later labels). Synthetic rows are
//     appended, label by label. Every feature is numeric here, so one-hot columns of a
//     nominal attribute are interpolated too (the paper takes the most frequent value).
//     Dense features only (lg::Error for sparse ones).
//   * remedial (Charte et al. 2019, REMEDIAL): each row with SCUMBLE_i above the mean SCUMBLE
//     is split in two: the row keeps its minority labels, a clone appended at the end keeps
//     its majority labels (same features). Rows whose labels are all minority or all majority
//     are left as they are (splitting them would make a row with no labels).
// All deterministic from the seed; each appends one line to the result's notes.
#include <cstdint>
#include <string>

#include "core/dataset.hpp"

namespace lg {

struct ResamplingSpec {
  std::string method = "none";        ///< none | ml-ros | ml-rus | mlsmote | remedial
  double percentage = 25;             ///< ml-ros: % of the rows added (> 0); ml-rus: removed
                                      ///< (0 < P < 100)
  int k = 3;                          ///< mlsmote: neighbours (>= 1)
  std::string label_set = "ranking";  ///< mlsmote: ranking | union | intersection
};

/// Throws lg::Error(message) naming the bad field ("resampling.k must be ...").
void validate(const ResamplingSpec& spec);

/// The resampled training set (a note on what was done is appended to its notes).
/// method "none" returns the input unchanged.
Dataset resample(const Dataset& train, const ResamplingSpec& spec, std::uint64_t seed);

}  // namespace lg
