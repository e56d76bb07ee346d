#pragma once
// What a run's sweeps and searches add to its tables (experiment/config.hpp: key = { sweep =
// [...] } and key = { search = [...] }):
//   tables/sweep-KEY.*   per data set and algorithm (as written), each value of KEY with every
//                        summary measure as mean ± sd over the seeds and folds of its cells;
//   tables/search.*      per data set, algorithm and searched key, the values the cells chose.
// and the curves behind figures/sweep-KEY.svg.
#include <filesystem>
#include <string>
#include <vector>

#include "eval/significance.hpp"
#include "experiment/cell.hpp"
#include "experiment/config.hpp"
#include "report/plots.hpp"
#include "report/table.hpp"

namespace lg {

/// One algorithm on one data set (the other swept keys fixed) against a swept key's values.
struct SweepCurve {
  std::string dataset;    ///< the data set as written, with the values of its other swept keys
  std::string algorithm;  ///< the algorithm as written, with the values of its other swept keys
  std::vector<std::string> values;  ///< the key's values as text, in the config's order
  /// measure -> mean / sd / n over the cells of each value (n = 0: no finished cell)
  std::vector<std::pair<std::string, std::vector<eval::MeanSd>>> measures;
};

struct SweepSeries {
  std::string key;                ///< the swept key (e.g. "tau", "train_fraction")
  bool numeric = true;            ///< every value is a number (a numeric x axis)
  std::vector<SweepCurve> curves;  ///< in data set, then algorithm order
};

/// One series per swept key of the config (algorithm, graph and split keys), in the order the
/// keys first appear; `measures` are the summary's. Cells of algorithms / data sets that do
/// not sweep a key are not in its series.
std::vector<SweepSeries> sweep_series(const ExperimentConfig& config,
                                      const std::vector<CellResult>& cells,
                                      const std::vector<std::string>& measures);

/// tables/sweep-KEY: data set, algorithm, KEY, cells, then each measure as mean ± sd.
report::Table sweep_table(const SweepSeries& series, const std::vector<std::string>& measures);

/// figures/sweep-KEY: each measure against the key's values (one panel per measure, and per
/// data set when there are several), one line per algorithm with a ±sd band over its cells.
/// A key with text values is drawn at positions 1..n (the x label names them); a numeric key
/// spanning two decades or more on a log axis. Returns the files written (relative to
/// `output_dir`) and, without gnuplot, only the .dat and .gp (`drawn` false).
report::WrittenFigure write_sweep_figure(const SweepSeries& series, const std::vector<std::string>& measures,
                                         const std::filesystem::path& output_dir);

/// tables/search: data set, algorithm, searched key, the values chosen with how many cells
/// chose each ("1 (4), 10 (1)"), cells. No rows when nothing was searched.
report::Table search_table(const ExperimentConfig& config, const std::vector<CellResult>& cells);

}  // namespace lg
