#pragma once
// Imbalance resampling of a training set (Charte et al.): applied to training folds only.
//
//   * ml-ros: clone instances of minority labels (IRLbl > MeanIR) until the set has grown by
//     `percentage` %;
//   * ml-rus: remove instances of majority labels (never one carrying a minority label) until
//     it has shrunk by `percentage` %;
//   * mlsmote: synthetic instances for each minority label from its k nearest minority
//     neighbours (features interpolated; label set by `label_set`: ranking | union |
//     intersection);
//   * remedial: instances with SCUMBLE above the mean are split in two (one keeps the
//     minority labels, one the majority labels).
// All deterministic from the seed. Dense features only for mlsmote (an error otherwise).
#include <cstdint>
#include <string>

#include "core/dataset.hpp"

namespace lg {

struct ResamplingSpec {
  std::string method = "none";      ///< none | ml-ros | ml-rus | mlsmote | remedial
  double percentage = 25;           ///< ml-ros / ml-rus: % of the rows added / removed
  int k = 3;                        ///< mlsmote: neighbours
  std::string label_set = "ranking";  ///< mlsmote: ranking | union | intersection
};

/// Throws lg::Error(message) naming the bad field.
void validate(const ResamplingSpec& spec);

/// The resampled training set (a note on what was done is appended to its notes).
Dataset resample(const Dataset& train, const ResamplingSpec& spec, std::uint64_t seed);

}  // namespace lg
