#pragma once
// Data set statistics as tables and as the documented JSON object (`labelgraph stats`,
// and the runner's per-data-set tables).
#include <string>
#include <vector>

#include "data/statistics.hpp"
#include "report/table.hpp"

namespace lg::report {

/// One row of data-set figures, columns headed by the JSON key names.
Table stats_summary_table(const DatasetStats& stats, const std::string& title);
/// Several data sets, one row each, with a leading `dataset` column.
Table stats_comparison_table(const std::vector<std::string>& names,
                             const std::vector<DatasetStats>& stats);
/// One row per label: name, count, frequency, IRLbl, minority.
Table stats_label_table(const DatasetStats& stats);
/// Exactly the documented keys (instances … empty_labels, per_label), full precision.
std::string stats_json(const DatasetStats& stats);

}  // namespace lg::report
