#include "eval/imbalance.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "data/statistics.hpp"

namespace lg::eval {

namespace {

void check_options(const BucketOptions& options) {
  for (std::size_t i = 0; i < options.edges.size(); ++i) {
    const double e = options.edges[i];
    if (!(e > 0.0 && e < 1.0))
      throw Error(fmt::format("imbalance buckets: edge {} is {}, expected a quantile strictly "
                              "between 0 and 1",
                              i + 1, e));
    if (i > 0 && !(e > options.edges[i - 1]))
      throw Error(fmt::format("imbalance buckets: edges must increase, found {} after {}", e,
                              options.edges[i - 1]));
  }
  if (options.names.size() != options.edges.size() + 1)
    throw Error(fmt::format("imbalance buckets: {} names for {} edges, expected {} (one per "
                            "bucket, rarest first)",
                            options.names.size(), options.edges.size(), options.edges.size() + 1));
}

/// Quantile q of sorted values, linear between order statistics (numpy's default).
double quantile(const std::vector<Index>& sorted, double q) {
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  const auto x_lo = static_cast<double>(sorted[lo]), x_hi = static_cast<double>(sorted[hi]);
  return x_lo + (h - static_cast<double>(lo)) * (x_hi - x_lo);
}

/// Macro figures over the labels `members` (indices into rows).
BucketSummary summarize(const std::string& name, const std::vector<LabelRow>& rows,
                        const std::vector<std::size_t>& members) {
  BucketSummary b;
  b.name = name;
  b.labels = static_cast<Index>(members.size());
  if (members.empty()) return b;
  b.min_count = b.max_count = rows[members.front()].train_count;
  Index with_positive = 0;
  for (std::size_t l : members) {
    const LabelRow& row = rows[l];
    b.min_count = std::min(b.min_count, row.train_count);
    b.max_count = std::max(b.max_count, row.train_count);
    b.macro_precision += row.measures.precision;
    b.macro_recall += row.measures.recall;
    b.macro_f1 += row.measures.f1;
    if (row.measures.has_positive) {
      b.map += row.measures.ap;
      ++with_positive;
    } else {
      ++b.skipped_labels;
    }
  }
  const auto n = static_cast<double>(members.size());
  b.macro_precision /= n;
  b.macro_recall /= n;
  b.macro_f1 /= n;
  if (with_positive > 0) b.map /= static_cast<double>(with_positive);
  return b;
}

using report::Better;
using report::Cell;
using report::ColumnKind;

/// A measure cell, empty when the figure does not exist (an empty bucket, no positive).
Cell measure_cell(bool exists, double value) { return exists ? Cell(value) : Cell(); }

}  // namespace

ImbalanceReport imbalance_report(const EvaluationResult& result, const LabelMatrix& train_labels,
                                 const std::vector<std::string>& label_names,
                                 const BucketOptions& options) {
  check_options(options);
  const auto num_labels = static_cast<Index>(result.per_label.size());
  if (train_labels.cols() != num_labels)
    throw Error(fmt::format("imbalance report: the training labels have {} columns, expected {} "
                            "(one per evaluated label)",
                            train_labels.cols(), num_labels));
  if (!label_names.empty() && static_cast<Index>(label_names.size()) != num_labels)
    throw Error(fmt::format("imbalance report: {} label names for {} labels", label_names.size(),
                            num_labels));

  const DatasetStats stats = compute_stats(train_labels, 0, label_names);
  ImbalanceReport out;
  out.meanir = stats.meanir;
  out.labels.resize(result.per_label.size());
  std::vector<Index> counts(result.per_label.size());
  for (std::size_t l = 0; l < out.labels.size(); ++l) {
    const LabelStats& s = stats.per_label[l];
    LabelRow& row = out.labels[l];
    row.name = s.name;
    row.train_count = s.count;
    row.irlbl = s.irlbl;
    row.minority = s.minority || s.count == 0;
    row.measures = result.per_label[l];
    row.support = row.measures.confusion.tp + row.measures.confusion.fn;
    counts[l] = s.count;
  }

  std::vector<std::vector<std::size_t>> members(options.names.size());
  if (!counts.empty()) {
    std::vector<Index> sorted = counts;
    std::sort(sorted.begin(), sorted.end());
    for (double q : options.edges) out.edge_counts.push_back(quantile(sorted, q));
  }
  for (std::size_t l = 0; l < out.labels.size(); ++l) {
    std::size_t b = 0;
    while (b < out.edge_counts.size() && static_cast<double>(counts[l]) > out.edge_counts[b]) ++b;
    out.labels[l].bucket = options.names[b];
    members[b].push_back(l);
  }
  for (std::size_t b = 0; b < members.size(); ++b)
    out.buckets.push_back(summarize(options.names[b], out.labels, members[b]));

  std::vector<std::size_t> minority, majority;
  for (std::size_t l = 0; l < out.labels.size(); ++l)
    (out.labels[l].minority ? minority : majority).push_back(l);
  out.minority = summarize("minority", out.labels, minority);
  out.majority = summarize("majority", out.labels, majority);
  return out;
}

report::Table per_label_table(const ImbalanceReport& report) {
  report::Table t;
  t.title = "Per-label results with training frequency and IRLbl";
  t.columns = {{"label", ColumnKind::Text},
               {"train_count", ColumnKind::Integer},
               {"support", ColumnKind::Integer},
               {"irlbl", ColumnKind::Real, 3},
               {"minority", ColumnKind::Text},
               {"bucket", ColumnKind::Text},
               {"precision", ColumnKind::Real, 4, Better::Higher},
               {"recall", ColumnKind::Real, 4, Better::Higher},
               {"f1", ColumnKind::Real, 4, Better::Higher},
               {"ap", ColumnKind::Real, 4, Better::Higher}};
  t.highlight_best = false;  // a "best label" means nothing
  for (const LabelRow& row : report.labels)
    t.add_row({row.name, row.train_count, row.support, row.irlbl, row.minority ? "yes" : "no",
               row.bucket, row.measures.precision, row.measures.recall, row.measures.f1,
               measure_cell(row.measures.has_positive, row.measures.ap)});
  return t;
}

report::Table bucket_table(const ImbalanceReport& report) {
  report::Table t;
  t.title = fmt::format("Macro figures by training frequency (quantile edges at counts {:g}) and "
                        "for minority (IRLbl > MeanIR = {:.3f}) vs majority labels",
                        fmt::join(report.edge_counts, ", "), report.meanir);
  t.columns = {{"split", ColumnKind::Text},
               {"bucket", ColumnKind::Text},
               {"labels", ColumnKind::Integer},
               {"train_min", ColumnKind::Integer},
               {"train_max", ColumnKind::Integer},
               {"macro_precision", ColumnKind::Real, 4, Better::Higher},
               {"macro_recall", ColumnKind::Real, 4, Better::Higher},
               {"macro_f1", ColumnKind::Real, 4, Better::Higher},
               {"map", ColumnKind::Real, 4, Better::Higher},
               {"skipped_labels", ColumnKind::Integer}};
  t.group_by = "split";
  t.highlight_best = false;  // buckets are not competitors
  auto add = [&](const std::string& split, const BucketSummary& b) {
    const bool any = b.labels > 0;
    t.add_row({split, b.name, b.labels, measure_cell(any, static_cast<double>(b.min_count)),
               measure_cell(any, static_cast<double>(b.max_count)),
               measure_cell(any, b.macro_precision), measure_cell(any, b.macro_recall),
               measure_cell(any, b.macro_f1), measure_cell(b.labels > b.skipped_labels, b.map),
               b.skipped_labels});
  };
  for (const BucketSummary& b : report.buckets) add("frequency", b);
  add("imbalance", report.minority);
  add("imbalance", report.majority);
  return t;
}

}  // namespace lg::eval
