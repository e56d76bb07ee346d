#include "report/paper_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace lg::report {

namespace {

std::vector<double> column(const MeasureValues& v, std::size_t a) {
  std::vector<double> out;
  for (const auto& row : v.values) out.push_back(row[a].mean);
  return out;
}

const char* direction_words(eval::Direction d) {
  return d == eval::Direction::HigherIsBetter ? "higher is better" : "lower is better";
}

/// p-values as papers print them.
std::string p_text(double p) { return p < 0.0001 ? "< 0.0001" : fmt::format("{:.4f}", p); }

}  // namespace

MeasureAnalysis analyse_measure(const MeasureValues& values, const PaperOptions& options) {
  const std::size_t k = values.algorithms.size(), n = values.datasets.size();
  if (k < 2)
    throw Error(fmt::format("comparing '{}': {} algorithm(s), expected at least 2",
                            values.measure, k));
  if (n < 1) throw Error(fmt::format("comparing '{}': no data sets", values.measure));
  if (options.baseline >= k)
    throw Error(fmt::format("comparing '{}': baseline index {} of {} algorithms", values.measure,
                            options.baseline, k));
  eval::ScoreTable means;
  for (const auto& row : values.values) {
    if (row.size() != k)
      throw Error(fmt::format("comparing '{}': a data set has {} values, expected {}",
                              values.measure, row.size(), k));
    auto& r = means.emplace_back();
    for (const eval::MeanSd& v : row) r.push_back(v.mean);
  }
  MeasureAnalysis out;
  out.baseline = options.baseline;
  out.average_ranks = eval::average_ranks(means, values.direction);
  if (n >= 2) {
    out.has_friedman = true;
    out.friedman = eval::friedman_test(means, values.direction);
    out.critical_difference = eval::nemenyi_critical_difference(
        static_cast<Index>(k), static_cast<Index>(n), options.alpha);
  }
  out.wilcoxon.resize(k);
  out.p_holm.assign(k, 1.0);
  out.wtl.resize(k);
  out.significant.assign(k, 0);
  out.r_better.assign(k, 0.0);
  out.r_worse.assign(k, 0.0);
  const std::vector<double> base = column(values, options.baseline);
  std::vector<double> raw;
  std::vector<std::size_t> others;
  for (std::size_t a = 0; a < k; ++a) {
    if (a == options.baseline) continue;
    const std::vector<double> mine = column(values, a);
    out.wilcoxon[a] = eval::wilcoxon_signed_rank(mine, base);
    out.wtl[a] = eval::win_tie_loss(mine, base, values.direction);
    const bool up = values.direction == eval::Direction::HigherIsBetter;
    out.r_better[a] = up ? out.wilcoxon[a].r_plus : out.wilcoxon[a].r_minus;
    out.r_worse[a] = up ? out.wilcoxon[a].r_minus : out.wilcoxon[a].r_plus;
    raw.push_back(out.wilcoxon[a].p_value);
    others.push_back(a);
  }
  const std::vector<double> adjusted = eval::holm_adjust(raw);
  for (std::size_t i = 0; i < others.size(); ++i) {
    const std::size_t a = others[i];
    out.p_holm[a] = adjusted[i];
    if (adjusted[i] < options.alpha && out.r_better[a] != out.r_worse[a])
      out.significant[a] = out.r_better[a] > out.r_worse[a] ? 1 : -1;
  }
  return out;
}

Table paper_table(const MeasureValues& values, const MeasureAnalysis& analysis,
                  const PaperOptions& options) {
  const std::size_t k = values.algorithms.size();
  const std::string& baseline = values.algorithms[analysis.baseline];
  Table t;
  t.title = fmt::format("{} ({}): mean and sd over folds / seeds, best per data set in bold",
                        values.measure, direction_words(values.direction));
  t.columns = {{"dataset", ColumnKind::Text}};
  for (const std::string& a : values.algorithms)
    t.columns.push_back({a, ColumnKind::Real, options.decimals});
  const Better better =
      values.direction == eval::Direction::HigherIsBetter ? Better::Higher : Better::Lower;
  for (std::size_t d = 0; d < values.datasets.size(); ++d) {
    std::vector<Cell> row = {values.datasets[d]};
    for (const eval::MeanSd& v : values.values[d])
      row.push_back(v.n > 1 ? Cell::mean_sd(v.mean, v.sd) : Cell(v.mean));
    t.add_row(std::move(row));
    t.row_better.push_back(better);
  }
  t.rules_before.push_back(t.rows.size());
  std::vector<Cell> ranks = {"average rank"};
  for (double r : analysis.average_ranks) ranks.emplace_back(r);
  t.add_row(std::move(ranks));
  t.row_better.push_back(Better::Lower);
  std::vector<Cell> wtl = {fmt::format("W/T/L vs {}", baseline)};
  for (std::size_t a = 0; a < k; ++a) {
    if (a == analysis.baseline) {
      wtl.emplace_back("baseline");
      continue;
    }
    const eval::WinTieLoss& w = analysis.wtl[a];
    Cell c(fmt::format("{}/{}/{}", w.wins, w.ties, w.losses));
    if (analysis.significant[a] < 0) c = c.with_mark("•", "$^{\\bullet}$");
    if (analysis.significant[a] > 0) c = c.with_mark("∘", "$^{\\circ}$");
    wtl.push_back(c);
  }
  t.add_row(std::move(wtl));
  t.row_better.push_back(Better::Unspecified);

  const std::size_t n = values.datasets.size();
  if (analysis.has_friedman) {
    const eval::FriedmanResult& f = analysis.friedman;
    const std::string id_f = std::isinf(f.iman_davenport_f) ? "inf" : fmt::format("{:.3f}", f.iman_davenport_f);
    t.notes.push_back(
        {fmt::format("Friedman chi2({}) = {:.3f}, p = {}; Iman-Davenport F({}, {}) = {}, p = {}; "
                     "Nemenyi CD = {:.3f} at alpha = {} (N = {} data sets, k = {} algorithms).",
                     k - 1, f.chi2, p_text(f.chi2_p), k - 1, (k - 1) * (n - 1), id_f,
                     p_text(f.iman_davenport_p), analysis.critical_difference, options.alpha, n,
                     k),
         fmt::format("Friedman $\\chi^2_F({})={:.3f}$, $p={}$; Iman--Davenport $F_F({},{})={}$, "
                     "$p={}$; Nemenyi $\\mathit{{CD}}={:.3f}$ at $\\alpha={}$ ($N={}$ data sets, "
                     "$k={}$ algorithms).",
                     k - 1, f.chi2, p_text(f.chi2_p), k - 1, (k - 1) * (n - 1),
                     id_f == "inf" ? "\\infty" : id_f, p_text(f.iman_davenport_p),
                     analysis.critical_difference, options.alpha, n, k)});
  } else {
    t.notes.push_back({"One data set: no Friedman test or critical difference (they need two).", ""});
  }
  const std::string escaped_baseline = [&] {
    // The baseline's name inside a LaTeX note: the table writer escapes cells, not notes.
    std::string out;
    for (char c : baseline) {
      if (std::string("&%$#_{}").find(c) != std::string::npos) out += '\\';
      if (c == '\\') out += "\\textbackslash{}";
      else if (c == '~') out += "\\textasciitilde{}";
      else if (c == '^') out += "\\textasciicircum{}";
      else out += c;
    }
    return out;
  }();
  t.notes.push_back(
      {fmt::format("W/T/L: data sets on which the algorithm is better / equal / worse than {}. "
                   "• (∘): {} is significantly better (worse) over the {} data sets: Wilcoxon "
                   "signed-rank test on the means, Holm-adjusted p < {} over the {} comparisons.",
                   baseline, baseline, n, options.alpha, k - 1),
       fmt::format("W/T/L: data sets on which the algorithm is better / equal / worse than {}. "
                   "$^{{\\bullet}}$ ($^{{\\circ}}$): {} is significantly better (worse) over the "
                   "{} data sets: Wilcoxon signed-rank test on the means, Holm-adjusted "
                   "$p<{}$ over the {} comparisons.",
                   escaped_baseline, escaped_baseline, n, options.alpha, k - 1)});
  // With few data sets the exact test cannot reach alpha: say so rather than let "no mark"
  // read as "no difference".
  const double smallest_p = 2.0 / std::ldexp(1.0, static_cast<int>(std::min<std::size_t>(n, 60)));
  if (smallest_p >= options.alpha)
    t.notes.push_back({fmt::format("With {} data sets the smallest two-sided Wilcoxon p is {:.4f} "
                                   ">= {}: no mark is possible.",
                                   n, smallest_p, options.alpha),
                       fmt::format("With {} data sets the smallest two-sided Wilcoxon $p$ is "
                                   "${:.4f}\\geq{}$: no mark is possible.",
                                   n, smallest_p, options.alpha)});
  return t;
}

Table baseline_table(const MeasureValues& values, const MeasureAnalysis& analysis,
                     const PaperOptions& options) {
  const std::string& baseline = values.algorithms[analysis.baseline];
  Table t;
  t.title = fmt::format("{} ({}): each algorithm against {} over {} data sets (Wilcoxon "
                        "signed-rank, two-sided; Holm's correction over {} comparisons; alpha = "
                        "{})",
                        values.measure, direction_words(values.direction), baseline,
                        values.datasets.size(), values.algorithms.size() - 1, options.alpha);
  t.columns = {{"algorithm", ColumnKind::Text},   {"wins", ColumnKind::Integer},
               {"ties", ColumnKind::Integer},     {"losses", ColumnKind::Integer},
               {"r_better", ColumnKind::Real, 1}, {"r_worse", ColumnKind::Real, 1},
               {"p", ColumnKind::Real, 4},        {"p_holm", ColumnKind::Real, 4},
               {"exact", ColumnKind::Text},       {"significant", ColumnKind::Text}};
  t.highlight_best = false;
  for (std::size_t a = 0; a < values.algorithms.size(); ++a) {
    if (a == analysis.baseline) continue;
    const eval::WinTieLoss& w = analysis.wtl[a];
    const int s = analysis.significant[a];
    t.add_row({values.algorithms[a], w.wins, w.ties, w.losses, analysis.r_better[a],
               analysis.r_worse[a], analysis.wilcoxon[a].p_value, analysis.p_holm[a],
               analysis.wilcoxon[a].exact ? "yes" : "no (normal)",
               s > 0 ? "better" : s < 0 ? "worse" : "no"});
  }
  return t;
}

CdDiagram measure_cd(const MeasureValues& values, const MeasureAnalysis& analysis,
                     const PaperOptions& options) {
  if (!analysis.has_friedman)
    throw Error(fmt::format("comparing '{}': a CD diagram needs at least two data sets",
                            values.measure));
  CdDiagram d;
  d.names = values.algorithms;
  d.average_ranks = analysis.average_ranks;
  d.critical_difference = analysis.critical_difference;
  d.title = fmt::format("{}: average ranks over {} data sets, Nemenyi CD = {:.3f} at α = {}",
                        values.measure, values.datasets.size(), analysis.critical_difference,
                        options.alpha);
  return d;
}

}  // namespace lg::report
