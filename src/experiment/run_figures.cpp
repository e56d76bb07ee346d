// A data set's figures from its cells and its training labels (run_figures.hpp).
#include "experiment/run_figures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "core/error.hpp"
#include "graph/build_label_graph.hpp"
#include "graph/communities.hpp"
#include "report/gnuplot.hpp"
#include "report/plots.hpp"

namespace lg {
namespace fs = std::filesystem;

namespace {

/// Mean and sample standard deviation (n - 1) of the finite values; NaN when there are none
/// (the sd also with fewer than two).
struct Spread {
  double mean = std::nan(""), sd = std::nan("");
};

Spread spread(const std::vector<double>& values) {
  double sum = 0;
  std::size_t n = 0;
  for (const double v : values)
    if (std::isfinite(v)) sum += v, ++n;
  Spread s;
  if (n == 0) return s;
  s.mean = sum / static_cast<double>(n);
  if (n < 2) return s;
  double squares = 0;
  for (const double v : values)
    if (std::isfinite(v)) squares += (v - s.mean) * (v - s.mean);
  s.sd = std::sqrt(squares / static_cast<double>(n - 1));
  return s;
}

/// The cells of each algorithm, in the order of `algorithms` (empty groups dropped).
std::vector<std::pair<std::string, std::vector<const CellResult*>>> by_algorithm(
    const std::vector<CellResult>& cells, const std::vector<std::string>& algorithms) {
  std::vector<std::pair<std::string, std::vector<const CellResult*>>> out;
  for (const std::string& a : algorithms) {
    std::vector<const CellResult*> mine;
    for (const CellResult& c : cells)
      if (c.algorithm == a) mine.push_back(&c);
    if (!mine.empty()) out.emplace_back(a, std::move(mine));
  }
  return out;
}

/// A series of mean ± sd at each x from one vector per cell (x.size() values each).
report::BandSeries band(const std::string& name, const std::vector<double>& x,
                        const std::vector<const std::vector<double>*>& per_cell,
                        std::size_t offset = 0) {
  report::BandSeries s;
  s.name = name;
  s.x = x;
  for (std::size_t i = 0; i < x.size(); ++i) {
    std::vector<double> values;
    for (const std::vector<double>* v : per_cell) values.push_back((*v)[offset + i]);
    const Spread sp = spread(values);
    s.mean.push_back(sp.mean);
    s.sd.push_back(sp.sd);
  }
  return s;
}

bool same_grid(const eval::ScoreCurves& a, const eval::ScoreCurves& b) {
  return a.recall_levels == b.recall_levels && a.groups == b.groups && a.thresholds == b.thresholds;
}

void add_files(const report::WrittenFigure& w, std::vector<fs::path>& written, bool& drawn) {
  written.insert(written.end(), w.files.begin(), w.files.end());
  drawn = drawn && w.drawn;
}

}  // namespace

std::vector<std::string> write_cell_figures(const std::vector<CellResult>& cells,
                                            const std::vector<std::string>& algorithms,
                                            const std::string& dataset, const fs::path& dir,
                                            std::vector<fs::path>& written) {
  std::vector<std::string> notes;
  const auto groups = by_algorithm(cells, algorithms);
  if (groups.empty()) return notes;
  bool drawn = true;
  const CellResult& first = *groups.front().second.front();
  const std::size_t L = first.imbalance.labels.size();

  // ---- label-ap ----
  if (L > 0) {
    report::LabelValueFigure f;
    f.title = fmt::format("{}: AP per label, labels by training frequency", dataset);
    f.y_label = "AP (mean over cells)";
    for (const eval::LabelRow& row : first.imbalance.labels) f.labels.push_back(row.name);
    f.train_count.assign(L, 0.0);
    std::size_t counted = 0;
    for (const auto& [algorithm, mine] : groups) {
      std::vector<double> ap(L, std::nan(""));
      for (std::size_t l = 0; l < L; ++l) {
        std::vector<double> values;
        for (const CellResult* c : mine)
          if (c->imbalance.labels.size() == L && c->imbalance.labels[l].measures.has_positive)
            values.push_back(c->imbalance.labels[l].measures.ap);
        ap[l] = spread(values).mean;
      }
      f.series_names.push_back(algorithm);
      f.values.push_back(std::move(ap));
      for (const CellResult* c : mine) {
        if (c->imbalance.labels.size() != L) continue;
        for (std::size_t l = 0; l < L; ++l)
          f.train_count[l] += static_cast<double>(c->imbalance.labels[l].train_count);
        ++counted;
      }
    }
    for (double& v : f.train_count) v /= static_cast<double>(std::max<std::size_t>(1, counted));
    f.notes.push_back("AP: scikit-learn's average precision of the label's test scores, mean over "
                      "the algorithm's cells whose test rows have a positive (NaN: none has)");
    f.notes.push_back("train_count: the label's training rows, mean over the cells (folds, seeds)");
    add_files(report::write_label_value_figure(dir, "label-ap", f), written, drawn);
  }

  // ---- pr-buckets and threshold: from the cells' curves ----
  const eval::ScoreCurves* grid = nullptr;
  std::size_t without = 0, other_grid = 0;
  for (const CellResult& c : cells) {
    if (!c.curves) ++without;
    else if (!grid) grid = &*c.curves;
    else if (!same_grid(*grid, *c.curves)) ++other_grid;
  }
  if (without > 0)
    notes.push_back(fmt::format("{}: {} of {} cells have no curves (records from an older "
                                "labelgraph): left out of pr-buckets and threshold{} (remove their "
                                "cells/ files to recompute them)",
                                dataset, without, cells.size(),
                                grid ? "" : ", which are not drawn"));
  if (other_grid > 0)
    notes.push_back(fmt::format("{}: {} cells have curves on other levels or buckets: left out "
                                "of pr-buckets and threshold", dataset, other_grid));
  if (grid) {
    const std::size_t R = grid->recall_levels.size();
    report::BandFigure pr;
    pr.title = fmt::format("{}: precision-recall per training-frequency bucket (micro over the "
                           "bucket's labels; mean ± sd over cells)", dataset);
    pr.x_label = "recall";
    pr.y_min = 0;
    pr.y_max = 1.02;
    pr.columns = grid->groups.size() == 4 ? 2 : 3;  // 2 x 2 for three buckets and "all"
    report::BandFigure th;
    th.title = fmt::format("{}: measures against one global threshold on the test scores "
                           "(mean ± sd over cells)", dataset);
    th.x_label = "threshold";
    th.columns = 3;
    th.panels = {{"micro-F1", "micro-F1", {}}, {"macro-F1", "macro-F1", {}},
                 {"Hamming loss", "Hamming loss", {}}};
    for (std::size_t g = 0; g < grid->groups.size(); ++g) {
      std::string title = grid->groups[g];
      for (const eval::BucketSummary& b : first.imbalance.buckets) {
        if (b.name != title) continue;
        if (b.labels == 0) title += " (no labels)";
        else if (b.min_count == b.max_count)
          title += fmt::format(" ({} label{}, {} training rows)", b.labels, b.labels == 1 ? "" : "s", b.min_count);
        else
          title += fmt::format(" ({} labels, {}-{} training rows)", b.labels, b.min_count, b.max_count);
      }
      if (g + 1 == grid->groups.size()) title += fmt::format(" ({} label{})", L, L == 1 ? "" : "s");
      pr.panels.push_back({title, "interpolated precision", {}});
    }
    for (const auto& [algorithm, mine] : groups) {
      std::vector<const eval::ScoreCurves*> curves;
      for (const CellResult* c : mine)
        if (c->curves && same_grid(*grid, *c->curves)) curves.push_back(&*c->curves);
      if (curves.empty()) continue;
      std::vector<const std::vector<double>*> precision, micro, macro, hamming;
      for (const eval::ScoreCurves* k : curves) {
        precision.push_back(&k->precision);
        micro.push_back(&k->micro_f1);
        macro.push_back(&k->macro_f1);
        hamming.push_back(&k->hamming_loss);
      }
      const std::string name =
          fmt::format("{} ({} cell{})", algorithm, curves.size(), curves.size() == 1 ? "" : "s");
      for (std::size_t g = 0; g < grid->groups.size(); ++g)
        pr.panels[g].series.push_back(band(name, grid->recall_levels, precision, g * R));
      th.panels[0].series.push_back(band(name, grid->thresholds, micro));
      th.panels[1].series.push_back(band(name, grid->thresholds, macro));
      th.panels[2].series.push_back(band(name, grid->thresholds, hamming));
    }
    pr.notes.push_back("interpolated precision p(r) = max precision at recall >= r, of the "
                       "pooled (score, truth) entries of the bucket's labels in a cell's test "
                       "rows; mean and sample sd over the cells whose bucket has a positive");
    th.notes.push_back("predictions: score >= threshold; mean and sample sd over the cells");
    add_files(report::write_band_figure(dir, "pr-buckets", pr), written, drawn);
    add_files(report::write_band_figure(dir, "threshold", th), written, drawn);
  }
  if (!drawn)
    notes.push_back(fmt::format("gnuplot not found (Debian package gnuplot-nox): {} has the "
                                "figures' data and scripts but no SVG or PDF", dir.string()));
  return notes;
}

std::vector<std::size_t> community_order(const std::vector<int>& membership,
                                         const std::vector<double>& label_counts,
                                         std::vector<std::pair<std::size_t, std::size_t>>* blocks) {
  std::vector<std::size_t> order(membership.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (membership[a] != membership[b]) return membership[a] < membership[b];
    return label_counts[a] > label_counts[b];
  });
  if (blocks) {
    blocks->clear();
    for (std::size_t i = 0; i < order.size(); ++i)
      if (i == 0 || membership[order[i]] != membership[order[i - 1]]) blocks->push_back({i, i + 1});
      else blocks->back().second = i + 1;
  }
  return order;
}

std::vector<fs::path> write_cooccurrence_figure(const LabelMatrix& labels,
                                                const std::vector<std::string>& names,
                                                const graph::LabelGraphSpec& spec,
                                                std::uint64_t seed, const Context& ctx,
                                                const std::string& title, const fs::path& dir) {
  const graph::BuiltLabelGraph built = graph::build_label_graph(labels, names, spec, ctx);
  graph::CommunityOptions options;
  options.seed = seed;
  const graph::Communities communities = graph::detect_communities(built.label_graph(), options);
  const graph::Cooccurrence& stats = built.stats;
  const std::size_t L = static_cast<std::size_t>(stats.num_labels());
  std::vector<std::pair<std::size_t, std::size_t>> blocks;
  const std::vector<std::size_t> order = community_order(communities.membership, stats.label_counts, &blocks);
  std::vector<std::size_t> position(L);
  for (std::size_t i = 0; i < L; ++i) position[order[i]] = i;
  report::HeatMapFigure f;
  f.title = title;
  f.colour_label = "rows with both labels";
  for (const std::size_t l : order) f.names.push_back(stats.names[l]);
  f.values.assign(L * L, 0.0);
  for (Index i = 0; i < stats.counts.outerSize(); ++i)
    for (graph::CountMatrix::InnerIterator it(stats.counts, i); it; ++it)
      if (it.row() != it.col())
        f.values[position[static_cast<std::size_t>(it.row())] * L + position[static_cast<std::size_t>(it.col())]] = it.value();
  f.blocks = blocks;
  std::size_t outlined = 0;
  for (const auto& [b, e] : blocks) outlined += e - b > 1 ? 1 : 0;
  f.notes.push_back(fmt::format("{} Leiden communities of the label graph (seed {}), {} of more "
                                "than one label outlined; modularity {:.4f}",
                                communities.count, seed, outlined, communities.modularity));
  f.notes.push_back("order: community (largest first), then training count (descending), then "
                    "label index; the diagonal (a label's own count) is left out (0)");
  return report::write_heat_map_figure(dir, "cooccurrence", f).files;
}

void write_dataset_figures(const ExperimentConfig& config, const DatasetConfig& cfg,
                           const LoadedData& loaded, const std::vector<CellResult>& cells,
                           const Context& ctx, const fs::path& folder, ExperimentResult& result) {
  const fs::path dir = result.output_dir / folder;
  std::vector<std::string> algorithms;
  for (const AlgorithmConfig& a : config.algorithms) algorithms.push_back(a.label);
  std::vector<fs::path> written;
  for (std::string& note : write_cell_figures(cells, algorithms, cfg.name, dir, written))
    result.run_notes.push_back(std::move(note));
  // The rows graphs/ draws: the first seed's first training fold, before resampling.
  const SplitSpec spec = cfg.split ? *cfg.split : config.split;
  const std::vector<Fold> folds =
      make_folds(cfg, spec, loaded, config.seeds.front(), config.source.string());
  const Dataset train = select_rows(loaded.data, folds.front().train);
  const std::string title = fmt::format("{}: label co-occurrence by Leiden community (first "
                                        "training fold, {} rows)", cfg.name, train.rows());
  for (fs::path& p : write_cooccurrence_figure(train.labels, train.label_names, config.graph.spec,
                                               config.seed, ctx, title, dir))
    written.push_back(std::move(p));
  for (const fs::path& p : written) result.outputs.push_back(fs::relative(p, result.output_dir).string());
}

}  // namespace lg
