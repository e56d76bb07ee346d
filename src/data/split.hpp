#pragma once
// Train/test splits of a data set's rows, all deterministic from the seed.
//
//   * holdout: one random split (test_fraction of the rows for testing);
//   * kfold: k random folds;
//   * iterative: iterative stratification (Sechidis, Tsoumakas & Vlahavas 2011), first order
//     (labels) or second order (label pairs, Szymański & Kajdanowicz 2017), k folds.
//   The files' own train/test split ("given") is the runner's business: it knows the files.
//
// A split is a fold id per row (0 .. k-1); folds() turns it into train/test row lists
// (test = the rows of fold f, train = all others, both in ascending row order).
#include <cstdint>
#include <string>
#include <vector>

#include "core/layout.hpp"

namespace lg {

struct SplitSpec {
  std::string method = "given";  ///< given | holdout | kfold | iterative
  int folds = 5;                 ///< k for kfold / iterative
  int order = 1;                 ///< iterative: 1 = labels, 2 = label pairs
  double test_fraction = 0.3;    ///< holdout
};

/// Throws lg::Error(message) naming the bad field.
void validate(const SplitSpec& spec);

struct Fold {
  std::vector<Index> train;  ///< ascending row indices
  std::vector<Index> test;   ///< ascending row indices
};

/// Fold id per row for holdout (0 = train, 1 = test), kfold and iterative. `method` must not
/// be "given".
std::vector<int> assign_folds(const LabelMatrix& labels, const SplitSpec& spec, std::uint64_t seed);

/// Random k folds of n rows, sizes differing by at most one.
std::vector<int> kfold_assignment(Index rows, int folds, std::uint64_t seed);

/// Iterative stratification into `folds` folds (equal desired sizes); `order` 1 or 2.
std::vector<int> iterative_stratification(const LabelMatrix& labels, int folds, int order,
                                          std::uint64_t seed);

/// For holdout: one Fold (train = fold 0, test = fold 1). For k folds: k Folds.
std::vector<Fold> folds_from_assignment(const std::vector<int>& assignment, int folds);

/// How well folds keep the label proportions (Sechidis et al. 2011, section 4):
struct FoldQuality {
  double label_distribution = 0;    ///< LD: mean over labels of the mean over folds of the
                                    ///< |positive ratio in fold - in whole set| in odds form
  double example_distribution = 0;  ///< ED: mean over folds of |fold size - desired size|
  int folds_without_label = 0;      ///< FZ: folds missing at least one label present overall
  int fold_label_pairs_without_positive = 0;  ///< FLZ: (fold, label) pairs with no positive
                                              ///< where the label has positives overall
};

FoldQuality fold_quality(const LabelMatrix& labels, const std::vector<int>& assignment, int folds);

}  // namespace lg
