#pragma once
// Train/test splits of a data set's rows, all deterministic from the seed.
//
//   * holdout: one random split (ceil(test_fraction * N) rows for testing, as scikit-learn's
//     train_test_split rounds);
//   * kfold: k random folds;
//   * iterative: iterative stratification (Sechidis, Tsoumakas & Vlahavas 2011), first order
//     (labels) or second order (label pairs, Szymański & Kajdanowicz 2017), k folds.
//   The files' own train/test split ("given") is the runner's business: it knows the files.
//
// A split is a fold id per row (0 .. k-1); folds() turns it into train/test row lists
// (test = the rows of fold f, train = all others, both in ascending row order).
//
// Iterative stratification, as implemented (split.cpp), with r_j = 1/k for every fold j:
//   1. Items: order 1 = the labels; order 2 = every label pair that occurs in some row plus
//      every single label (so rows with one label are stratified too). A row carries the
//      items its label set contains. Desired counts: c_j = N / k rows per fold and
//      c_j^e = n_e / k rows per fold for item e (n_e = rows carrying e), real-valued.
//   2. While a labelled row is unassigned: take the item with the fewest (but at least one)
//      unassigned rows; ties go to a random order of the items drawn once from the seed
//      (the paper breaks them randomly). Assign each of its unassigned rows, in ascending row
//      order, to the fold with the largest c_j^e; ties to the largest c_j; remaining ties to
//      a seeded random choice among them. Then c_m^i -= 1 for every item i of the row and
//      c_m -= 1.
//   3. Rows without labels, in ascending order, go to the fold with the largest c_j (ties:
//      seeded random), which fills the folds up towards their desired sizes.
//   Cost: one pass over Y, then O(sum of items per row * (k + log)) with per-item row lists,
//   remaining counts updated incrementally and a lazy min-heap of items.
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
  /// Share of each fold's training rows that is used (learning curves): a seeded random subset
  /// of round(fraction x rows) rows, at least one; nested, so a smaller fraction's rows are
  /// inside a larger one's for the same seed and fold. Test rows are unchanged. 1 = all.
  double train_fraction = 1.0;
};

/// Throws lg::Error(message) naming the bad field ("split.folds must be ...").
void validate(const SplitSpec& spec);

/// How many folds an assignment of `spec` describes, as folds_from_assignment() wants it:
/// 1 for holdout, spec.folds for kfold / iterative.
int fold_count(const SplitSpec& spec);

struct Fold {
  std::vector<Index> train;  ///< ascending row indices
  std::vector<Index> test;   ///< ascending row indices
};

/// Fold id per row for holdout (0 = train, 1 = test), kfold and iterative. `method` must not
/// be "given". Throws lg::Error if a fold or a holdout side would be empty (too few rows).
std::vector<int> assign_folds(const LabelMatrix& labels, const SplitSpec& spec, std::uint64_t seed);

/// Holdout: fold id 1 for ceil(test_fraction * rows) random rows, 0 for the others.
std::vector<int> holdout_assignment(Index rows, double test_fraction, std::uint64_t seed);

/// Random k folds of n rows, sizes differing by at most one.
std::vector<int> kfold_assignment(Index rows, int folds, std::uint64_t seed);

/// Iterative stratification into `folds` folds (equal desired sizes); `order` 1 or 2.
/// Label values are read as 0 / nonzero.
std::vector<int> iterative_stratification(const LabelMatrix& labels, int folds, int order,
                                          std::uint64_t seed);

/// folds = 1 (holdout, ids 0 / 1): one Fold (train = fold 0, test = fold 1).
/// folds = k >= 2: k Folds, Fold f tests on the rows of fold f. Throws lg::Error on an id
/// out of range.
std::vector<Fold> folds_from_assignment(const std::vector<int>& assignment, int folds);

/// The first max(1, round(fraction x n)) rows of `rows` in a random order drawn from `seed`
/// (fraction in (0, 1]), returned ascending. The order does not depend on `fraction`, so the
/// subsets of one seed are nested. fraction 1 returns `rows`.
std::vector<Index> subsample_rows(const std::vector<Index>& rows, double fraction,
                                  std::uint64_t seed);

/// How well folds keep the label proportions (Sechidis et al. 2011, section 4), for k folds
/// of equal desired size N / k. With S_i the rows of fold i, S_i^j those carrying label j,
/// D the whole set and D^j its rows carrying label j:
///   LD  = (1/L) sum_j (1/k) sum_i | |S_i^j| / (|S_i| - |S_i^j|) - |D^j| / (|D| - |D^j|) |
///         (positive-to-negative odds. A label carried by every row contributes 0: every
///         fold has its proportion. Otherwise a fold without negatives for a label has its
///         negative count taken as 1, so that the figure stays finite.)
///   ED  = (1/k) sum_i | |S_i| - N / k |
///   FZ  = folds in which some label that occurs in D has no positive
///   FLZ = (fold, label) pairs with no positive, over labels that occur in D
/// The paper counts over all labels; labels absent from D are left out of FZ and FLZ here
/// (no split can give them positives) but kept in LD's mean (they contribute 0 there).
struct FoldQuality {
  double label_distribution = 0;    ///< LD (see above)
  double example_distribution = 0;  ///< ED: mean over folds of |fold size - N / k|
  int folds_without_label = 0;      ///< FZ: folds missing at least one label present overall
  int fold_label_pairs_without_positive = 0;  ///< FLZ: (fold, label) pairs with no positive
                                              ///< where the label has positives overall
};

/// Throws lg::Error if the assignment's length differs from the row count or an id is
/// outside 0 .. folds-1.
FoldQuality fold_quality(const LabelMatrix& labels, const std::vector<int>& assignment, int folds);

}  // namespace lg
