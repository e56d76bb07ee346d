#pragma once
// Comparing algorithms across data sets: the tables of a paper's results section.
//
// The input is one ComparisonCell per (data set, algorithm): each measure's values over folds
// or seeds. From it:
//   summary_table      rows data set × algorithm, one column per measure, "mean ± sd" (the
//                      plain mean for a single value); grouped by data set, so the LaTeX and
//                      Markdown bold marks the best algorithm on each data set.
//   rank_table         rows algorithms, one column `<measure>_rank` per measure: the average
//                      rank over the data sets of the per-data-set means (1 = best).
//   significance_table rows measures: Friedman chi2 and p, Iman–Davenport F and p, Nemenyi CD.
//   cd_diagram_for     the critical-difference diagram of one measure.
// Data sets and algorithms keep the order in which they first appear in the cells. Ranks need
// every algorithm on every data set: a missing (data set, algorithm, measure) is an error
// naming it, never a silently smaller comparison.
#include <map>
#include <string>
#include <vector>

#include "eval/significance.hpp"
#include "report/cd_diagram.hpp"
#include "report/table.hpp"

namespace lg::report {

/// The results of one algorithm on one data set.
struct ComparisonCell {
  std::string dataset;    ///< data set name
  std::string algorithm;  ///< algorithm name
  std::map<std::string, std::vector<double>> values;  ///< measure -> one value per fold / seed
};

struct ComparisonOptions {
  /// Measures (columns), in order; empty: every measure in the cells, those measure_names()
  /// knows in its order, then the others alphabetically.
  std::vector<std::string> measures;
  /// Directions of measures measure_direction() does not know (it is asked otherwise).
  std::map<std::string, eval::Direction> directions;
  int decimals = 3;      ///< decimals of means and sds in human formats
  double alpha = 0.05;   ///< Nemenyi level for significance_table and cd_diagram_for
};

/// One measure, ready for the tests of eval/significance.hpp.
struct MeasureComparison {
  std::string measure;                 ///< measure name
  eval::Direction direction = eval::Direction::HigherIsBetter;  ///< which way is better
  std::vector<std::string> datasets;   ///< rows of `means`
  std::vector<std::string> algorithms;  ///< columns of `means`
  eval::ScoreTable means;              ///< [data set][algorithm]: mean over folds / seeds
};

/// The per-data-set means of one measure. Throws lg::Error for a cell without values of the
/// measure, a (data set, algorithm) pair without a cell, or a pair given twice.
MeasureComparison compare_measure(const std::vector<ComparisonCell>& cells,
                                  const std::string& measure,
                                  const ComparisonOptions& options = {});

Table summary_table(const std::vector<ComparisonCell>& cells,
                    const ComparisonOptions& options = {});
Table rank_table(const std::vector<ComparisonCell>& cells, const ComparisonOptions& options = {});
Table significance_table(const std::vector<ComparisonCell>& cells,
                         const ComparisonOptions& options = {});
/// Average ranks of `measure` and the Nemenyi CD at options.alpha, titled with both.
CdDiagram cd_diagram_for(const std::vector<ComparisonCell>& cells, const std::string& measure,
                         const ComparisonOptions& options = {});

}  // namespace lg::report
