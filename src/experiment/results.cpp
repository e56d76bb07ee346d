#include "experiment/results.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

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

/// The values of `measure` in the cells of `algorithm`, in cell order.
std::vector<double> measure_values(const std::vector<CellResult>& cells, const std::string& algorithm,
                                   const std::string& measure) {
  std::vector<double> out;
  for (const CellResult& c : cells)
    if (c.algorithm == algorithm) out.push_back(c.evaluation.get(measure));
  return out;
}

/// Per label (in label order), the mean AP over the cells of `algorithm`; NaN for a label
/// without a positive test row in any cell.
std::vector<double> label_ap(const std::vector<CellResult>& cells, const std::string& algorithm) {
  std::vector<double> sum, count;
  for (const CellResult& c : cells) {
    if (c.algorithm != algorithm) continue;
    sum.resize(c.imbalance.labels.size(), 0.0);
    count.resize(c.imbalance.labels.size(), 0.0);
    for (std::size_t l = 0; l < c.imbalance.labels.size(); ++l)
      if (c.imbalance.labels[l].measures.has_positive) {
        sum[l] += c.imbalance.labels[l].measures.ap;
        count[l] += 1;
      }
  }
  std::vector<double> out(sum.size());
  for (std::size_t l = 0; l < sum.size(); ++l)
    out[l] = count[l] > 0 ? sum[l] / count[l] : std::numeric_limits<double>::quiet_NaN();
  return out;
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (const double x : v) s += x;
  return v.empty() ? std::numeric_limits<double>::quiet_NaN() : s / static_cast<double>(v.size());
}

}  // namespace

std::string file_stem(const std::string& name) {
  std::string out = name;
  for (char& c : out)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) c = '_';
  return out;
}

double seconds_per_epoch(const CellResult& cell) {
  if (!cell.history || cell.history->epochs.empty()) return std::numeric_limits<double>::quiet_NaN();
  double total = 0;
  for (const report::EpochRecord& e : cell.history->epochs) total += e.seconds;
  return total / static_cast<double>(cell.history->epochs.size());
}

report::Table cost_table(const std::vector<CellResult>& cells) {
  report::Table t;
  t.title = "Size and cost per algorithm: parameters and multiply-adds of one forward pass per "
            "image (or row), seconds per training epoch and per fit, mean ± sd over folds / seeds "
            "(timings: not reproducible byte for byte)";
  t.columns = {{"algorithm", ColumnKind::Text},
               {"parameters", ColumnKind::Integer},
               {"mmac_per_image", ColumnKind::Real, 3},
               {"epochs", ColumnKind::Real, 1},
               {"seconds_per_epoch", ColumnKind::Real, 3},
               {"fit_seconds", ColumnKind::Real, 2}};
  for (const std::string& a : algorithms_of(cells)) {
    std::vector<double> epochs, spe, fit;
    std::optional<models::Model::Cost> cost;
    for (const CellResult& c : cells) {
      if (c.algorithm != a) continue;
      if (c.cost && !cost) cost = c.cost;
      fit.push_back(c.fit_seconds);
      if (c.history) {
        epochs.push_back(static_cast<double>(c.history->epochs.size()));
        spe.push_back(seconds_per_epoch(c));
      }
    }
    report::Cell params, macs;
    if (cost) params = report::Cell(static_cast<double>(cost->parameters));
    if (cost && cost->multiply_adds > 0) macs = report::Cell(static_cast<double>(cost->multiply_adds) / 1e6);
    t.add_row({a, params, macs, mean_cell(epochs), mean_cell(spe), mean_cell(fit)});
  }
  return t;
}

report::Table baseline_table(const std::vector<CellResult>& cells, const std::string& baseline) {
  report::Table t;
  t.title = fmt::format(
      "Against {}: differences of the means over folds / seeds (positive = better than {}); "
      "labels whose AP (mean over folds / seeds) is higher / lower; Wilcoxon signed-rank test "
      "over the labels' APs (two-sided)", baseline, baseline);
  t.columns = {{"algorithm", ColumnKind::Text},
               {"mAP", ColumnKind::Real, 4, report::Better::Higher},
               {"delta_mAP", ColumnKind::Real, 4, report::Better::Higher},
               {"delta_CF1", ColumnKind::Real, 4, report::Better::Higher},
               {"delta_OF1", ColumnKind::Real, 4, report::Better::Higher},
               {"labels_better", ColumnKind::Integer},
               {"labels_worse", ColumnKind::Integer},
               {"wilcoxon_p", ColumnKind::Real, 4}};
  const std::vector<double> base_ap = label_ap(cells, baseline);
  auto mean_measure = [&](const std::string& a, const std::string& m) {
    return mean_of(measure_values(cells, a, m));
  };
  for (const std::string& a : algorithms_of(cells)) {
    if (a == baseline) continue;
    const std::vector<double> ap = label_ap(cells, a);
    std::vector<double> x, y;
    double better = 0, worse = 0;
    for (std::size_t l = 0; l < std::min(ap.size(), base_ap.size()); ++l) {
      if (std::isnan(ap[l]) || std::isnan(base_ap[l])) continue;
      x.push_back(ap[l]);
      y.push_back(base_ap[l]);
      better += ap[l] > base_ap[l];
      worse += ap[l] < base_ap[l];
    }
    report::Cell p;
    if (x.size() >= 2) p = report::Cell(eval::wilcoxon_signed_rank(x, y).p_value);
    t.add_row({a, mean_measure(a, "mAP"), mean_measure(a, "mAP") - mean_measure(baseline, "mAP"),
               mean_measure(a, "CF1") - mean_measure(baseline, "CF1"),
               mean_measure(a, "OF1") - mean_measure(baseline, "OF1"), better, worse, p});
  }
  return t;
}

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
  if (const double spe = seconds_per_epoch(cell); !std::isnan(spe)) j["timings"]["seconds_per_epoch"] = spe;
  if (cell.cost)
    j["cost"] = {{"parameters", cell.cost->parameters},
                 {"multiply_adds_per_row", cell.cost->multiply_adds}};
  if (cell.history)
    j["training"] = {{"epochs", cell.history->epochs.size()},
                     {"best_epoch", cell.history->best_epoch},
                     {"stop_reason", cell.history->stop_reason}};
  if (!cell.chosen.empty())
    for (const auto& [key, value] : cell.chosen) j["chosen"][key] = value;
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
