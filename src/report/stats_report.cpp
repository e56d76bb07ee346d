#include "report/stats_report.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace lg::report {
namespace {

// Two more columns when some data set has missing feature values (statistics read them as
// NaN and use only the labels; other tables leave the columns out).
bool any_missing(const std::vector<DatasetStats>& stats) {
  for (const DatasetStats& s : stats)
    if (s.missing_values > 0) return true;
  return false;
}

std::vector<Column> summary_columns(bool missing) {
  const ColumnKind I = ColumnKind::Integer, R = ColumnKind::Real;
  std::vector<Column> columns = {{"instances", I}, {"features", I}, {"labels", I},  {"cardinality", R},
          {"density", R},   {"distinct_labelsets", I},       {"meanir", R},
          {"maxir", R},     {"cvir", R},     {"scumble", R}, {"tcs", R},
          {"empty_rows", I}, {"empty_labels", I}};
  if (missing) {
    columns.push_back({"missing_values", I});
    columns.push_back({"rows_with_missing", I});
  }
  return columns;
}

std::vector<Cell> summary_cells(const DatasetStats& s, bool missing) {
  std::vector<Cell> cells = {s.instances, s.features, s.labels, s.cardinality, s.density,
                             s.distinct_labelsets, s.meanir, s.maxir, s.cvir, s.scumble,
                             s.tcs, s.empty_rows, s.empty_labels};
  if (missing) {
    cells.emplace_back(s.missing_values);
    cells.emplace_back(s.rows_with_missing);
  }
  return cells;
}

}  // namespace

Table stats_summary_table(const DatasetStats& s, const std::string& title) {
  Table t;
  t.title = title;
  const bool missing = any_missing({s});
  t.columns = summary_columns(missing);
  t.add_row(summary_cells(s, missing));
  return t;
}

Table stats_comparison_table(const std::vector<std::string>& names,
                             const std::vector<DatasetStats>& stats) {
  if (names.size() != stats.size()) throw Error("stats_comparison_table: one name per data set");
  Table t;
  t.title = "Data sets";
  const bool missing = any_missing(stats);
  t.columns = summary_columns(missing);
  t.columns.insert(t.columns.begin(), Column{"dataset", ColumnKind::Text});
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::vector<Cell> row = summary_cells(stats[i], missing);
    row.insert(row.begin(), names[i]);
    t.add_row(std::move(row));
  }
  return t;
}

Table stats_label_table(const DatasetStats& s) {
  Table t;
  t.title = "Labels";
  t.columns = {{"name", ColumnKind::Text},
               {"count", ColumnKind::Integer},
               {"frequency", ColumnKind::Real, 4},
               {"irlbl", ColumnKind::Real},
               {"minority", ColumnKind::Text}};
  for (const LabelStats& l : s.per_label)
    t.add_row({l.name, l.count, l.frequency, l.irlbl, l.minority ? "yes" : "no"});
  return t;
}

std::string stats_json(const DatasetStats& s) {
  nlohmann::ordered_json j;
  j["instances"] = s.instances;
  j["features"] = s.features;
  j["labels"] = s.labels;
  j["cardinality"] = s.cardinality;
  j["density"] = s.density;
  j["distinct_labelsets"] = s.distinct_labelsets;
  j["meanir"] = s.meanir;
  j["maxir"] = s.maxir;
  j["cvir"] = s.cvir;
  j["scumble"] = s.scumble;
  j["tcs"] = s.tcs;
  j["empty_rows"] = s.empty_rows;
  j["empty_labels"] = s.empty_labels;
  j["missing_values"] = s.missing_values;
  j["rows_with_missing"] = s.rows_with_missing;
  j["per_label"] = nlohmann::ordered_json::array();
  for (const LabelStats& l : s.per_label)
    j["per_label"].push_back({{"name", l.name},
                              {"count", l.count},
                              {"frequency", l.frequency},
                              {"irlbl", l.irlbl},
                              {"minority", l.minority}});
  return j.dump(2) + '\n';
}

}  // namespace lg::report
