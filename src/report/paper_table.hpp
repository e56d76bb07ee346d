#pragma once
// The tables of a paper's comparison of k algorithms over N data sets on one measure
// (Demšar, JMLR 2006): the statistics (eval/significance.hpp) and the tables and figure.
//
//   analyse_measure  average ranks, Friedman with Iman–Davenport, Nemenyi's CD (N >= 2), and
//                    each algorithm against the baseline: Wilcoxon signed-rank over the data
//                    sets' means, Holm's correction over the k - 1 comparisons, win/tie/loss.
//   paper_table      rows data sets, columns algorithms, mean ± sd (best of each row bold);
//                    an average-rank row (best bold) and a W/T/L row against the baseline,
//                    marked • where the baseline is significantly better over the data sets and
//                    ∘ where it is significantly worse (Holm-adjusted p < alpha); notes under
//                    the table give Friedman / Iman–Davenport / CD and what the marks mean.
//   baseline_table   per algorithm: wins, ties, losses, rank sums, raw and Holm-adjusted p.
//   measure_cd       the CD diagram of the measure.
#include <string>
#include <vector>

#include "eval/measures.hpp"
#include "eval/significance.hpp"
#include "report/cd_diagram.hpp"
#include "report/table.hpp"

namespace lg::report {

/// One measure's values: [data set][algorithm], every pair present.
struct MeasureValues {
  std::string measure;                  ///< measure name
  eval::Direction direction = eval::Direction::HigherIsBetter;  ///< which way is better
  std::vector<std::string> datasets;    ///< rows
  std::vector<std::string> algorithms;  ///< columns
  std::vector<std::vector<eval::MeanSd>> values;  ///< mean, sd, n per data set and algorithm
};

struct PaperOptions {
  std::size_t baseline = 0;  ///< index of the baseline algorithm
  double alpha = 0.05;       ///< level of the Nemenyi CD and of the marks (Holm-adjusted p)
  int decimals = 3;          ///< decimals of means and sds
};

struct MeasureAnalysis {
  std::vector<double> average_ranks;  ///< one per algorithm, 1 = best
  bool has_friedman = false;          ///< N >= 2 (Friedman and the CD need two data sets)
  eval::FriedmanResult friedman;      ///< when has_friedman
  double critical_difference = 0.0;   ///< Nemenyi CD at alpha, when has_friedman
  std::size_t baseline = 0;           ///< index of the baseline
  /// Per algorithm (the baseline's entries are left at their defaults):
  std::vector<eval::WilcoxonResult> wilcoxon;  ///< algorithm vs baseline over the data sets
  std::vector<double> p_holm;                  ///< Holm-adjusted p of `wilcoxon`
  std::vector<eval::WinTieLoss> wtl;           ///< the algorithm vs the baseline per data set
  /// +1: the algorithm significantly better than the baseline, -1 worse, 0 neither.
  std::vector<int> significant;
  /// Rank sums of the data sets where the algorithm is better / worse than the baseline.
  std::vector<double> r_better, r_worse;
};

/// The statistics of one measure. Throws lg::Error for fewer than two algorithms, a baseline
/// index out of range or values that are not finite.
MeasureAnalysis analyse_measure(const MeasureValues& values, const PaperOptions& options);

Table paper_table(const MeasureValues& values, const MeasureAnalysis& analysis,
                  const PaperOptions& options);
Table baseline_table(const MeasureValues& values, const MeasureAnalysis& analysis,
                     const PaperOptions& options);
/// Requires analysis.has_friedman.
CdDiagram measure_cd(const MeasureValues& values, const MeasureAnalysis& analysis,
                     const PaperOptions& options);

}  // namespace lg::report
