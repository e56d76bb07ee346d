#pragma once
// What a run writes from its cells: one JSON per cell (runs/), and the tables that average
// cells over folds and seeds (per label, per frequency bucket, the summary's JSON rows).
// Timings appear only in runs/ and the manifest, so the same config and seed give
// byte-identical tables.
#include <string>
#include <vector>

#include "experiment/cell.hpp"
#include "report/comparison_table.hpp"
#include "report/table.hpp"

namespace lg {

/// A name usable as a file name: anything but letters, digits, '.', '-' and '_' becomes '_'.
std::string file_stem(const std::string& name);

/// runs/<dataset>/<algorithm>-seed<S>-fold<F>.json: data set, algorithm, seed, fold, rows,
/// threshold, every measure, skipped labels, timings, notes.
std::string cell_json(const CellResult& cell);

/// Per label and algorithm (cells of one data set): train_count, irlbl, minority, bucket of
/// the first cell's training fold; precision, recall, F1 and AP as mean ± sd over the cells.
report::Table label_table(const std::vector<CellResult>& cells);

/// Per frequency bucket (rarest first, then minority / majority) and algorithm: label count,
/// macro precision / recall / F1 and mAP as mean ± sd over the cells of one data set.
report::Table bucket_table(const std::vector<CellResult>& cells);

/// The values of each (data set, algorithm) over its cells, for report/comparison_table.
std::vector<report::ComparisonCell> comparison_cells(const std::vector<CellResult>& cells);

/// Mean seconds of the cell's training epochs; NaN without a training history.
double seconds_per_epoch(const CellResult& cell);

/// Per algorithm (cells of one data set): parameters and million multiply-adds per image or
/// row (networks), epochs trained, seconds per epoch and per fit (mean ± sd). Holds timings:
/// written outside tables/ (timings/).
report::Table cost_table(const std::vector<CellResult>& cells);

/// Every algorithm of one data set's cells against `baseline` (a label): its mAP, the
/// differences of mean mAP, CF1 and OF1, the labels whose mean AP is higher / lower, and the
/// two-sided Wilcoxon signed-rank p over the labels' mean APs.
report::Table baseline_table(const std::vector<CellResult>& cells, const std::string& baseline);

/// tables/summary.json: a list of rows {dataset, algorithm, measure, mean, sd, n} (sd with
/// n − 1; 0 for a single value), in data set, algorithm, measure order.
std::string summary_json(const std::vector<report::ComparisonCell>& cells,
                         const std::vector<std::string>& measures);

}  // namespace lg
