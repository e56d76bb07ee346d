#include "experiment/results.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

#include "eval/significance.hpp"

namespace lg {
namespace {

using report::Cell;
using report::ColumnKind;

Cell mean_cell(const std::vector<double>& values) {
  if (values.empty()) return {};
  const eval::MeanSd s = eval::mean_sd(values);
  return values.size() > 1 ? Cell::mean_sd(s.mean, s.sd) : Cell(s.mean);
}

/// Algorithms in first-seen order.
std::vector<std::string> algorithms_of(const std::vector<CellResult>& cells) {
  std::vector<std::string> out;
  for (const CellResult& c : cells)
    if (std::find(out.begin(), out.end(), c.algorithm) == out.end()) out.push_back(c.algorithm);
  return out;
}

}  // namespace

std::string cell_json(const CellResult& cell) {
  nlohmann::ordered_json j;
  j["dataset"] = cell.dataset;
  j["algorithm"] = cell.algorithm;
  j["seed"] = cell.seed;
  j["fold"] = cell.fold;
  j["train_rows"] = cell.train_rows;
  j["test_rows"] = cell.test_rows;
  j["threshold"] = cell.threshold;
  nlohmann::ordered_json measures;
  for (const eval::MeasureValue& m : cell.evaluation.measures) measures[m.name] = m.value;
  j["measures"] = measures;
  j["skipped_labels"] = cell.evaluation.skipped_labels;
  j["auc_skipped_labels"] = cell.evaluation.auc_skipped_labels;
  j["undefined_measures"] = cell.evaluation.undefined_measures;
  j["timings"] = {{"fit_seconds", cell.fit_seconds}, {"predict_seconds", cell.predict_seconds}};
  if (cell.history)
    j["training"] = {{"epochs", cell.history->epochs.size()},
                     {"best_epoch", cell.history->best_epoch},
                     {"stop_reason", cell.history->stop_reason}};
  j["notes"] = cell.notes;
  return j.dump(2) + "\n";
}

report::Table label_table(const std::vector<CellResult>& cells) {
  report::Table t;
  t.title = "Per label: training frequency and imbalance, figures as mean ± sd over folds / seeds";
  t.columns = {{"label", ColumnKind::Text},
               {"train_count", ColumnKind::Integer},
               {"irlbl", ColumnKind::Real, 2},
               {"minority", ColumnKind::Text},
               {"bucket", ColumnKind::Text},
               {"algorithm", ColumnKind::Text},
               {"precision", ColumnKind::Real, 3, report::Better::Higher},
               {"recall", ColumnKind::Real, 3, report::Better::Higher},
               {"f1", ColumnKind::Real, 3, report::Better::Higher},
               {"ap", ColumnKind::Real, 3, report::Better::Higher}};
  t.group_by = "label";
  if (cells.empty()) return t;
  const std::vector<eval::LabelRow>& first = cells.front().imbalance.labels;
  for (std::size_t l = 0; l < first.size(); ++l) {
    for (const std::string& a : algorithms_of(cells)) {
      std::vector<double> p, r, f, ap;
      for (const CellResult& c : cells) {
        if (c.algorithm != a) continue;
        const eval::LabelRow& row = c.imbalance.labels[l];
        p.push_back(row.measures.precision);
        r.push_back(row.measures.recall);
        f.push_back(row.measures.f1);
        if (row.measures.has_positive) ap.push_back(row.measures.ap);
      }
      t.add_row({first[l].name, first[l].train_count, first[l].irlbl,
                 first[l].minority ? "yes" : "no", first[l].bucket, a, mean_cell(p),
                 mean_cell(r), mean_cell(f), mean_cell(ap)});
    }
  }
  return t;
}

report::Table bucket_table(const std::vector<CellResult>& cells) {
  report::Table t;
  t.title = "Per frequency bucket (training counts) and minority / majority labels: macro "
            "figures as mean ± sd over folds / seeds";
  t.columns = {{"bucket", ColumnKind::Text},
               {"labels", ColumnKind::Integer},
               {"algorithm", ColumnKind::Text},
               {"macro_precision", ColumnKind::Real, 3, report::Better::Higher},
               {"macro_recall", ColumnKind::Real, 3, report::Better::Higher},
               {"macro_f1", ColumnKind::Real, 3, report::Better::Higher},
               {"mAP", ColumnKind::Real, 3, report::Better::Higher}};
  t.group_by = "bucket";
  if (cells.empty()) return t;
  auto summaries = [](const CellResult& c) {
    std::vector<const eval::BucketSummary*> out;
    for (const eval::BucketSummary& b : c.imbalance.buckets) out.push_back(&b);
    out.push_back(&c.imbalance.minority);
    out.push_back(&c.imbalance.majority);
    return out;
  };
  const std::vector<const eval::BucketSummary*> first = summaries(cells.front());
  for (std::size_t b = 0; b < first.size(); ++b) {
    for (const std::string& a : algorithms_of(cells)) {
      std::vector<double> p, r, f, map, labels;
      for (const CellResult& c : cells) {
        if (c.algorithm != a) continue;
        const eval::BucketSummary& s = *summaries(c)[b];
        labels.push_back(static_cast<double>(s.labels));
        if (s.labels == 0) continue;
        p.push_back(s.macro_precision);
        r.push_back(s.macro_recall);
        f.push_back(s.macro_f1);
        if (s.labels > s.skipped_labels) map.push_back(s.map);
      }
      t.add_row({first[b]->name, first[b]->labels, a, mean_cell(p), mean_cell(r), mean_cell(f),
                 mean_cell(map)});
    }
  }
  return t;
}

std::vector<report::ComparisonCell> comparison_cells(const std::vector<CellResult>& cells) {
  std::vector<report::ComparisonCell> out;
  std::map<std::pair<std::string, std::string>, std::size_t> where;
  for (const CellResult& c : cells) {
    const auto key = std::make_pair(c.dataset, c.algorithm);
    auto it = where.find(key);
    if (it == where.end()) {
      it = where.emplace(key, out.size()).first;
      out.push_back({c.dataset, c.algorithm, {}});
    }
    for (const eval::MeasureValue& m : c.evaluation.measures)
      out[it->second].values[m.name].push_back(m.value);
  }
  return out;
}

std::string summary_json(const std::vector<report::ComparisonCell>& cells,
                         const std::vector<std::string>& measures) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const report::ComparisonCell& c : cells)
    for (const std::string& m : measures) {
      const auto it = c.values.find(m);
      if (it == c.values.end() || it->second.empty()) continue;
      const eval::MeanSd s = eval::mean_sd(it->second);
      rows.push_back({{"dataset", c.dataset},
                      {"algorithm", c.algorithm},
                      {"measure", m},
                      {"mean", s.mean},
                      {"sd", s.n > 1 ? s.sd : 0.0},
                      {"n", s.n}});
    }
  return rows.dump(2) + "\n";
}

}  // namespace lg
