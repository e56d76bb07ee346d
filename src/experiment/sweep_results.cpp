#include "experiment/sweep_results.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "eval/measures.hpp"

namespace lg {
namespace {

using Point = std::vector<std::pair<std::string, std::string>>;

/// `base` with the values of `point`'s keys other than `key`: the curve a point belongs to.
std::string curve_name(const std::string& base, const Point& point, const std::string& key) {
  std::string out = base;
  for (const auto& [k, v] : point)
    if (k != key) out += " " + k + "=" + v;
  return out;
}

const std::string* value_of(const Point& point, const std::string& key) {
  for (const auto& [k, v] : point)
    if (k == key) return &v;
  return nullptr;
}

bool is_number(const std::string& text) {
  if (text.empty()) return false;
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

}  // namespace

std::vector<SweepSeries> sweep_series(const ExperimentConfig& config,
                                      const std::vector<CellResult>& cells,
                                      const std::vector<std::string>& measures) {
  // The swept keys, in the order they first appear (data sets first, then algorithms).
  std::vector<std::string> keys;
  const auto note_keys = [&](const Point& point) {
    for (const auto& [k, v] : point)
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  };
  for (const DatasetConfig& d : config.datasets) note_keys(d.sweep);
  for (const AlgorithmConfig& a : config.algorithms) note_keys(a.sweep);

  // Measure values of each (data set, algorithm) over its cells.
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::vector<double>>> values;
  for (const CellResult& c : cells)
    for (const eval::MeasureValue& m : c.evaluation.measures)
      values[{c.dataset, c.algorithm}][m.name].push_back(m.value);

  std::vector<SweepSeries> out;
  for (const std::string& key : keys) {
    SweepSeries series;
    series.key = key;
    std::map<std::pair<std::string, std::string>, std::size_t> where;
    for (const DatasetConfig& d : config.datasets)
      for (const AlgorithmConfig& a : config.algorithms) {
        const std::string* value = value_of(d.sweep, key);
        if (!value) value = value_of(a.sweep, key);
        if (!value) continue;
        const std::string dataset = curve_name(d.sweep_of.empty() ? d.name : d.sweep_of, d.sweep, key);
        const std::string algorithm = curve_name(a.sweep_of.empty() ? a.label : a.sweep_of, a.sweep, key);
        auto it = where.find({dataset, algorithm});
        if (it == where.end()) {
          it = where.emplace(std::make_pair(dataset, algorithm), series.curves.size()).first;
          SweepCurve curve;
          curve.dataset = dataset;
          curve.algorithm = algorithm;
          for (const std::string& m : measures) curve.measures.emplace_back(m, std::vector<eval::MeanSd>{});
          series.curves.push_back(std::move(curve));
        }
        SweepCurve& curve = series.curves[it->second];
        curve.values.push_back(*value);
        series.numeric = series.numeric && is_number(*value);
        const auto found = values.find({d.name, a.label});
        for (auto& [m, stats] : curve.measures) {
          eval::MeanSd s;
          if (found != values.end())
            if (const auto mv = found->second.find(m); mv != found->second.end() && !mv->second.empty())
              s = eval::mean_sd(mv->second);
          stats.push_back(s);
        }
      }
    out.push_back(std::move(series));
  }
  return out;
}

report::Table sweep_table(const SweepSeries& series, const std::vector<std::string>& measures) {
  using report::Cell;
  using report::ColumnKind;
  report::Table t;
  t.title = fmt::format("Sweep of {}: each value's cells (seeds x folds), mean ± sd", series.key);
  // A numeric key prints with as many decimals as its values were written with.
  int decimals = 0;
  for (const SweepCurve& curve : series.curves)
    for (const std::string& v : curve.values)
      if (const auto dot = v.find('.'); dot != std::string::npos && v.find_first_of("eE") == std::string::npos)
        decimals = std::max(decimals, static_cast<int>(v.size() - dot - 1));
  t.columns = {{"dataset", ColumnKind::Text},
               {"algorithm", ColumnKind::Text},
               {series.key, series.numeric ? ColumnKind::Real : ColumnKind::Text, decimals},
               {"cells", ColumnKind::Integer}};
  for (const std::string& m : measures) {
    report::Column c{m, ColumnKind::Real};
    c.better = eval::measure_direction(m) == eval::Direction::HigherIsBetter ? report::Better::Higher
                                                                            : report::Better::Lower;
    t.columns.push_back(c);
  }
  t.highlight_best = false;  // rows of different curves share columns
  for (const SweepCurve& curve : series.curves)
    for (std::size_t v = 0; v < curve.values.size(); ++v) {
      std::vector<Cell> row{curve.dataset, curve.algorithm,
                            series.numeric ? Cell(std::strtod(curve.values[v].c_str(), nullptr))
                                           : Cell(curve.values[v])};
      const Index n = curve.measures.empty() ? 0 : curve.measures.front().second[v].n;
      row.emplace_back(n);
      for (const auto& [m, stats] : curve.measures)
        row.push_back(stats[v].n == 0 ? Cell() : stats[v].n > 1 ? Cell::mean_sd(stats[v].mean, stats[v].sd)
                                                                : Cell(stats[v].mean));
      t.rows.push_back(std::move(row));
    }
  return t;
}

report::Table search_table(const ExperimentConfig& config, const std::vector<CellResult>& cells) {
  using report::ColumnKind;
  report::Table t;
  t.title = fmt::format("Searched parameters: the values chosen on each cell's training rows "
                        "({} {} of the training rows, {})",
                        config.search.split.method == "holdout"
                            ? fmt::format("a {} holdout", config.search.split.test_fraction)
                            : fmt::format("{}-fold {}", config.search.split.folds, config.search.split.method),
                        "split", config.search.measure);
  t.columns = {{"dataset", ColumnKind::Text},
               {"algorithm", ColumnKind::Text},
               {"parameter", ColumnKind::Text},
               {"chosen", ColumnKind::Text},
               {"cells", ColumnKind::Integer}};
  t.highlight_best = false;
  for (const DatasetConfig& d : config.datasets)
    for (const AlgorithmConfig& a : config.algorithms)
      for (const auto& [key, candidates] : a.search) {
        std::vector<std::pair<std::string, int>> counts;  // in candidate order
        for (const toml::node& v : candidates) counts.emplace_back(config_value_text(v), 0);
        Index n = 0;
        for (const CellResult& c : cells) {
          if (c.dataset != d.name || c.algorithm != a.label) continue;
          ++n;
          for (const auto& [k, v] : c.chosen)
            if (k == key)
              for (auto& [candidate, count] : counts)
                if (candidate == v) ++count;
        }
        if (n == 0) continue;
        std::string chosen;
        for (const auto& [candidate, count] : counts)
          if (count > 0) chosen += fmt::format("{}{} ({})", chosen.empty() ? "" : ", ", candidate, count);
        t.rows.push_back({d.name, a.label, key, chosen, n});
      }
  return t;
}

}  // namespace lg
