#include "experiment/sweep_results.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <limits>
#include <map>

#include "eval/measures.hpp"
#include "experiment/results.hpp"

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

report::WrittenFigure write_sweep_figure(const SweepSeries& series, const std::vector<std::string>& measures,
                                         const std::filesystem::path& output_dir) {
  std::vector<std::string> datasets;
  for (const SweepCurve& c : series.curves)
    if (std::find(datasets.begin(), datasets.end(), c.dataset) == datasets.end()) datasets.push_back(c.dataset);
  // x positions: the numbers, or 1..n for text values in the order they first appear.
  std::vector<std::string> order;
  for (const SweepCurve& c : series.curves)
    for (const std::string& v : c.values)
      if (std::find(order.begin(), order.end(), v) == order.end()) order.push_back(v);
  const auto x_of = [&](const std::string& v) {
    return series.numeric ? std::strtod(v.c_str(), nullptr)
                          : static_cast<double>(std::find(order.begin(), order.end(), v) - order.begin() + 1);
  };
  report::BandFigure f;
  f.title = fmt::format("Sweep of {}: mean ± sd over each value's cells (seeds x folds)", series.key);
  f.x_label = series.key;
  if (!series.numeric) {
    std::string names;
    for (std::size_t i = 0; i < order.size(); ++i) names += fmt::format("{}{} = {}", i ? ", " : "", i + 1, order[i]);
    f.x_label += " (" + names + ")";
  }
  if (series.numeric) {
    double lo = 0, hi = 0;
    bool first = true, positive = true;
    for (const std::string& v : order) {
      const double x = x_of(v);
      positive = positive && x > 0;
      lo = first ? x : std::min(lo, x);
      hi = first ? x : std::max(hi, x);
      first = false;
    }
    f.log_x = positive && hi >= 100 * lo;
  }
  f.columns = static_cast<int>(std::min<std::size_t>(measures.size(), 4));
  // One panel per measure; with several data sets, a line per (data set, algorithm).
  for (std::size_t m = 0; m < measures.size(); ++m) {
      report::BandPanel panel;
      panel.title = measures[m];
      panel.y_label = measures[m];
      for (const SweepCurve& c : series.curves) {
        // Points in increasing x (the config may list the values in any order).
        std::vector<std::size_t> idx(c.values.size());
        for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
        std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return x_of(c.values[a]) < x_of(c.values[b]); });
        report::BandSeries line;
        line.name = datasets.size() > 1 ? c.dataset + ": " + c.algorithm : c.algorithm;
        const auto& stats = c.measures[m].second;
        for (const std::size_t i : idx) {
          line.x.push_back(x_of(c.values[i]));
          line.mean.push_back(stats[i].n == 0 ? std::numeric_limits<double>::quiet_NaN() : stats[i].mean);
          line.sd.push_back(stats[i].n > 1 ? stats[i].sd : 0.0);
        }
        panel.series.push_back(std::move(line));
      }
      f.panels.push_back(std::move(panel));
    }
  f.notes.push_back("each point: the mean of the measure over the cells (seeds x folds) of that value; the band: ± their sample sd");
  return report::write_band_figure(output_dir / "figures", "sweep-" + file_stem(series.key), f);
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
