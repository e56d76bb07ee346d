#include "report/comparison_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/error.hpp"

namespace lg::report {

namespace {

/// Data sets, algorithms (first-seen order) and where each pair's cell is.
struct Grid {
  std::vector<std::string> datasets, algorithms;
  std::map<std::pair<std::string, std::string>, const ComparisonCell*> cell;
};

void add_unique(std::vector<std::string>& names, const std::string& name) {
  if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

Grid make_grid(const std::vector<ComparisonCell>& cells) {
  Grid g;
  for (const ComparisonCell& c : cells) {
    add_unique(g.datasets, c.dataset);
    add_unique(g.algorithms, c.algorithm);
    if (!g.cell.emplace(std::make_pair(c.dataset, c.algorithm), &c).second)
      throw Error(fmt::format("comparison: algorithm '{}' on data set '{}' is given twice, "
                              "expected one cell per pair (values over folds go in one cell)",
                              c.algorithm, c.dataset));
  }
  return g;
}

std::vector<std::string> measures_of(const std::vector<ComparisonCell>& cells,
                                     const ComparisonOptions& options) {
  if (!options.measures.empty()) return options.measures;
  std::set<std::string> present;
  for (const ComparisonCell& c : cells)
    for (const auto& [name, values] : c.values) present.insert(name);
  std::vector<std::string> out;
  for (const std::string& name : eval::measure_names())
    if (present.erase(name)) out.push_back(name);
  out.insert(out.end(), present.begin(), present.end());  // std::set: alphabetical
  return out;
}

eval::Direction direction_of(const std::string& measure, const ComparisonOptions& options) {
  if (const auto it = options.directions.find(measure); it != options.directions.end())
    return it->second;
  try {
    return eval::measure_direction(measure);
  } catch (const Error&) {
    throw Error(fmt::format("comparison: no direction for measure '{}': it is not one of "
                            "labelgraph's measures, give it in ComparisonOptions::directions",
                            measure));
  }
}

Better better_of(eval::Direction d) {
  return d == eval::Direction::HigherIsBetter ? Better::Higher : Better::Lower;
}

const std::vector<double>* values_of(const ComparisonCell& cell, const std::string& measure) {
  const auto it = cell.values.find(measure);
  return it == cell.values.end() || it->second.empty() ? nullptr : &it->second;
}

MeasureComparison compare(const Grid& g, const std::string& measure,
                          const ComparisonOptions& options) {
  MeasureComparison out;
  out.measure = measure;
  out.direction = direction_of(measure, options);
  out.datasets = g.datasets;
  out.algorithms = g.algorithms;
  for (const std::string& d : g.datasets) {
    std::vector<double>& row = out.means.emplace_back();
    for (const std::string& a : g.algorithms) {
      const auto it = g.cell.find({d, a});
      if (it == g.cell.end())
        throw Error(fmt::format("comparison of '{}': algorithm '{}' has no results on data set "
                                "'{}', expected every algorithm on every data set",
                                measure, a, d));
      const std::vector<double>* values = values_of(*it->second, measure);
      if (!values)
        throw Error(fmt::format("comparison of '{}': algorithm '{}' on data set '{}' has no "
                                "values of it",
                                measure, a, d));
      row.push_back(eval::mean_sd(*values).mean);
    }
  }
  return out;
}

}  // namespace

MeasureComparison compare_measure(const std::vector<ComparisonCell>& cells,
                                  const std::string& measure, const ComparisonOptions& options) {
  return compare(make_grid(cells), measure, options);
}

Table summary_table(const std::vector<ComparisonCell>& cells, const ComparisonOptions& options) {
  const Grid g = make_grid(cells);
  const std::vector<std::string> measures = measures_of(cells, options);
  Table t;
  t.title = "Mean ± sd over folds / seeds";
  t.columns = {{"dataset", ColumnKind::Text}, {"algorithm", ColumnKind::Text}};
  for (const std::string& m : measures)
    t.columns.push_back(
        {m, ColumnKind::Real, options.decimals, better_of(direction_of(m, options))});
  t.group_by = "dataset";
  for (const std::string& d : g.datasets)
    for (const std::string& a : g.algorithms) {
      const auto it = g.cell.find({d, a});
      if (it == g.cell.end()) continue;  // not run: no row (ranks report the gap)
      std::vector<Cell> row = {d, a};
      for (const std::string& m : measures) {
        const std::vector<double>* values = values_of(*it->second, m);
        if (!values) {
          row.emplace_back();
          continue;
        }
        const eval::MeanSd s = eval::mean_sd(*values);
        row.push_back(s.n > 1 ? Cell::mean_sd(s.mean, s.sd) : Cell(s.mean));
      }
      t.add_row(std::move(row));
    }
  return t;
}

Table rank_table(const std::vector<ComparisonCell>& cells, const ComparisonOptions& options) {
  const Grid g = make_grid(cells);
  const std::vector<std::string> measures = measures_of(cells, options);
  Table t;
  t.title = fmt::format("Average rank over {} data sets (1 = best)", g.datasets.size());
  t.columns = {{"algorithm", ColumnKind::Text}};
  std::vector<std::vector<double>> ranks;
  for (const std::string& m : measures) {
    // "_rank": the arrow (lower is better) is about the rank, not the measure.
    t.columns.push_back({m + "_rank", ColumnKind::Real, 2, Better::Lower});
    const MeasureComparison c = compare(g, m, options);
    ranks.push_back(eval::average_ranks(c.means, c.direction));
  }
  for (std::size_t a = 0; a < g.algorithms.size(); ++a) {
    std::vector<Cell> row = {g.algorithms[a]};
    for (const auto& r : ranks) row.emplace_back(r[a]);
    t.add_row(std::move(row));
  }
  return t;
}

Table significance_table(const std::vector<ComparisonCell>& cells,
                         const ComparisonOptions& options) {
  const Grid g = make_grid(cells);
  Table t;
  t.title = fmt::format("Friedman test with the Iman–Davenport correction; Nemenyi critical "
                        "difference at alpha = {}",
                        options.alpha);
  t.columns = {{"measure", ColumnKind::Text},
               {"datasets", ColumnKind::Integer},
               {"algorithms", ColumnKind::Integer},
               {"chi2", ColumnKind::Real, 3},
               {"chi2_p", ColumnKind::Real, 4},
               {"iman_davenport_f", ColumnKind::Real, 3},
               {"iman_davenport_p", ColumnKind::Real, 4},
               {"nemenyi_cd", ColumnKind::Real, 3}};
  for (const std::string& m : measures_of(cells, options)) {
    const MeasureComparison c = compare(g, m, options);
    const eval::FriedmanResult f = eval::friedman_test(c.means, c.direction);
    t.add_row({m, f.datasets, f.algorithms, f.chi2, f.chi2_p, f.iman_davenport_f,
               f.iman_davenport_p,
               eval::nemenyi_critical_difference(f.algorithms, f.datasets, options.alpha)});
  }
  return t;
}

CdDiagram cd_diagram_for(const std::vector<ComparisonCell>& cells, const std::string& measure,
                         const ComparisonOptions& options) {
  const MeasureComparison c = compare_measure(cells, measure, options);
  CdDiagram d;
  d.names = c.algorithms;
  d.average_ranks = eval::average_ranks(c.means, c.direction);
  const auto k = static_cast<Index>(c.algorithms.size()), n = static_cast<Index>(c.datasets.size());
  d.critical_difference = eval::nemenyi_critical_difference(k, n, options.alpha);
  d.title = fmt::format("{}: average ranks over {} data sets, Nemenyi CD at α = {}", measure, n,
                        options.alpha);
  return d;
}

}  // namespace lg::report
