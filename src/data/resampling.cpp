#include "data/resampling.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/random.hpp"
#include "data/statistics.hpp"

namespace lg {
namespace {

/// Label counts that change as rows are added or removed, with IRLbl = max count / count.
class LabelCounts {
 public:
  explicit LabelCounts(const DatasetStats& stats) {
    for (const LabelStats& l : stats.per_label) count_.push_back(l.count);
    max_ = count_.empty() ? 0 : *std::max_element(count_.begin(), count_.end());
  }
  void add_row(const std::uint8_t* row) {
    for (std::size_t l = 0; l < count_.size(); ++l)
      if (row[l]) max_ = std::max(max_, ++count_[l]);
  }
  void remove_row(const std::uint8_t* row) {
    bool max_changed = false;
    for (std::size_t l = 0; l < count_.size(); ++l)
      if (row[l]) max_changed |= count_[l]-- == max_;
    if (max_changed) max_ = *std::max_element(count_.begin(), count_.end());
  }
  Index count(Index l) const { return count_[static_cast<std::size_t>(l)]; }
  /// Infinite for a label that no longer occurs.
  double irlbl(Index l) const {
    const Index c = count(l);
    return c > 0 ? static_cast<double>(max_) / static_cast<double>(c) : INFINITY;
  }

 private:
  std::vector<Index> count_;
  Index max_ = 0;
};

/// Rows carrying label l, ascending.
std::vector<Index> rows_with(const LabelMatrix& y, Index l) {
  std::vector<Index> rows;
  for (Index i = 0; i < y.rows(); ++i)
    if (y(i, l)) rows.push_back(i);
  return rows;
}

Index rows_for_percentage(Index n, double percentage) {
  return static_cast<Index>(std::floor(static_cast<double>(n) * percentage / 100.0 + 1e-9));
}

std::string fmt3(double v) { return fmt::format("{:.3f}", v); }

/// The input's rows followed by `extra` rows (copies of input rows), notes carried over.
Dataset with_extra_rows(const Dataset& data, const std::vector<Index>& extra) {
  std::vector<Index> rows(static_cast<std::size_t>(data.rows()));
  std::iota(rows.begin(), rows.end(), Index{0});
  rows.insert(rows.end(), extra.begin(), extra.end());
  return select_rows(data, rows);
}

Dataset ml_ros(const Dataset& train, double percentage, std::uint64_t seed) {
  const DatasetStats stats = compute_stats(train);
  const Index n = train.rows();
  const Index wanted = rows_for_percentage(n, percentage);
  const LabelMatrix& y = train.labels;
  LabelCounts counts(stats);
  struct Bag {
    Index label;
    std::vector<Index> rows;
    bool done = false;  ///< the label is no longer in the minority
  };
  std::vector<Bag> bags;
  for (Index l = 0; l < y.cols(); ++l)
    if (stats.per_label[static_cast<std::size_t>(l)].minority)
      bags.push_back({l, rows_with(y, l), false});
  const std::size_t minority_labels = bags.size();

  Random rng(seed);
  std::vector<Index> clones;
  while (static_cast<Index>(clones.size()) < wanted && !bags.empty()) {
    for (Bag& bag : bags) {
      const Index row =
          bag.rows[static_cast<std::size_t>(rng.below(static_cast<Index>(bag.rows.size())))];
      clones.push_back(row);
      counts.add_row(y.data() + row * y.cols());
      // As in the paper, a bag is checked right after its own clone.
      bag.done = counts.irlbl(bag.label) <= stats.meanir;
      if (static_cast<Index>(clones.size()) == wanted) break;
    }
    bags.erase(std::remove_if(bags.begin(), bags.end(), [](const Bag& b) { return b.done; }),
               bags.end());
  }
  Dataset out = with_extra_rows(train, clones);
  const DatasetStats after = compute_stats(out.labels, out.num_features());
  out.notes.push_back(fmt::format(
      "ml-ros (P = {}%, seed {}): cloned {} of the {} rows asked for ({} rows in), drawn from the "
      "rows of {} minority labels (IRLbl > MeanIR = {}){}; MeanIR {} -> {}",
      percentage, seed, clones.size(), wanted, n, minority_labels, fmt3(stats.meanir),
      static_cast<Index>(clones.size()) < wanted ? ", stopped when no label was in the minority"
                                                 : "",
      fmt3(stats.meanir), fmt3(after.meanir)));
  return out;
}

Dataset ml_rus(const Dataset& train, double percentage, std::uint64_t seed) {
  const DatasetStats stats = compute_stats(train);
  const Index n = train.rows();
  const Index wanted = rows_for_percentage(n, percentage);
  const LabelMatrix& y = train.labels;
  const Index num_labels = y.cols();
  // Rows carrying a minority label are never removed.
  std::vector<bool> removable(static_cast<std::size_t>(n), true);
  for (Index i = 0; i < n; ++i)
    for (Index l = 0; l < num_labels; ++l)
      if (y(i, l) && stats.per_label[static_cast<std::size_t>(l)].minority) {
        removable[static_cast<std::size_t>(i)] = false;
        break;
      }
  struct Bag {
    Index label;
    std::vector<Index> rows;  ///< removable rows carrying the label, not drawn yet
    bool done = false;        ///< the label is no longer in the majority, or has no rows left
  };
  std::vector<Bag> bags;
  for (Index l = 0; l < num_labels; ++l) {
    const LabelStats& s = stats.per_label[static_cast<std::size_t>(l)];
    if (s.count == 0 || s.minority) continue;
    Bag bag{l, {}, false};
    for (Index i : rows_with(y, l))
      if (removable[static_cast<std::size_t>(i)]) bag.rows.push_back(i);
    if (!bag.rows.empty()) bags.push_back(std::move(bag));
  }
  const std::size_t majority_labels = bags.size();

  Random rng(seed);
  LabelCounts counts(stats);
  std::vector<bool> removed(static_cast<std::size_t>(n), false);
  Index done = 0;
  while (done < wanted && !bags.empty()) {
    for (Bag& bag : bags) {
      // Draw without replacement; a row may already have gone through another label's bag.
      Index row = -1;
      while (row < 0 && !bag.rows.empty()) {
        const auto at = static_cast<std::size_t>(rng.below(static_cast<Index>(bag.rows.size())));
        const Index candidate = bag.rows[at];
        bag.rows[at] = bag.rows.back();
        bag.rows.pop_back();
        if (!removed[static_cast<std::size_t>(candidate)]) row = candidate;
      }
      if (row < 0) {
        bag.done = true;
        continue;
      }
      removed[static_cast<std::size_t>(row)] = true;
      counts.remove_row(y.data() + row * num_labels);
      // As in the paper, a bag is checked right after its own removal.
      bag.done = bag.rows.empty() || counts.irlbl(bag.label) >= stats.meanir;
      if (++done == wanted) break;
    }
    bags.erase(std::remove_if(bags.begin(), bags.end(), [](const Bag& b) { return b.done; }),
               bags.end());
  }
  std::vector<Index> kept;
  kept.reserve(static_cast<std::size_t>(n - done));
  for (Index i = 0; i < n; ++i)
    if (!removed[static_cast<std::size_t>(i)]) kept.push_back(i);
  Dataset out = select_rows(train, kept);
  const DatasetStats after = compute_stats(out.labels, out.num_features());
  out.notes.push_back(fmt::format(
      "ml-rus (P = {}%, seed {}): removed {} of the {} rows asked for ({} rows in), drawn from "
      "the rows of {} majority labels that carry no minority label (IRLbl > MeanIR = {}){}; "
      "MeanIR {} -> {}",
      percentage, seed, done, wanted, n, majority_labels, fmt3(stats.meanir),
      done < wanted ? ", stopped when no majority label had a removable row left" : "",
      fmt3(stats.meanir), fmt3(after.meanir)));
  return out;
}

/// Indices (into `bag`) of the k nearest rows to each bag row, itself excluded, nearest
/// first, ties by position. Squared distances |a|^2 + |b|^2 - 2 a.b from one matrix product
/// per block of rows, in double.
std::vector<std::vector<Index>> nearest_in_bag(const DenseFeatures& x,
                                               const std::vector<Index>& bag, Index k) {
  const auto m = static_cast<Index>(bag.size());
  Eigen::MatrixXd xb(m, x.cols());
  for (Index i = 0; i < m; ++i) xb.row(i) = x.row(bag[static_cast<std::size_t>(i)]).cast<double>();
  const Eigen::VectorXd norms = xb.rowwise().squaredNorm();
  // Blocks of at most ~4M distances keep memory flat for large bags.
  const Index block =
      std::max<Index>(1, std::min<Index>(m, (Index{1} << 22) / std::max<Index>(m, 1)));
  std::vector<std::vector<Index>> out(static_cast<std::size_t>(m));
  std::vector<std::pair<double, Index>> dist;
  for (Index b0 = 0; b0 < m; b0 += block) {
    const Index rows = std::min(block, m - b0);
    const Eigen::MatrixXd gram = xb.middleRows(b0, rows) * xb.transpose();
    for (Index r = 0; r < rows; ++r) {
      const Index i = b0 + r;
      dist.clear();
      for (Index j = 0; j < m; ++j)
        if (j != i) dist.emplace_back(norms(i) + norms(j) - 2.0 * gram(r, j), j);
      const auto kth = dist.begin() + static_cast<std::ptrdiff_t>(std::min<Index>(k, m - 1));
      std::partial_sort(dist.begin(), kth, dist.end());
      for (auto it = dist.begin(); it != kth; ++it)
        out[static_cast<std::size_t>(i)].push_back(it->second);
    }
  }
  return out;
}

Dataset mlsmote(const Dataset& train, int k, const std::string& label_set, std::uint64_t seed) {
  if (train.sparse)
    throw Error(
        fmt::format("resampling: mlsmote interpolates dense features, but '{}' has "
                    "sparse features; use ml-ros, ml-rus or remedial",
                    train.name));
  const DatasetStats stats = compute_stats(train);
  const LabelMatrix& y = train.labels;
  const Index num_labels = y.cols();
  const Index d = train.dense.cols();
  Random rng(seed);
  std::vector<float> features;       // synthetic rows, row-major
  std::vector<std::uint8_t> labels;  // synthetic label rows
  std::vector<int> votes(static_cast<std::size_t>(num_labels));
  Index used_labels = 0, skipped_labels = 0, synthetic = 0;
  for (Index l = 0; l < num_labels; ++l) {
    if (!stats.per_label[static_cast<std::size_t>(l)].minority) continue;
    const std::vector<Index> bag = rows_with(y, l);
    if (bag.size() < 2) {  // no neighbour to interpolate towards
      ++skipped_labels;
      continue;
    }
    ++used_labels;
    const std::vector<std::vector<Index>> neighbours = nearest_in_bag(train.dense, bag, k);
    for (std::size_t s = 0; s < bag.size(); ++s) {
      const Index sample = bag[s];
      const std::vector<Index>& near = neighbours[s];
      const Index reference = bag[static_cast<std::size_t>(
          near[static_cast<std::size_t>(rng.below(static_cast<Index>(near.size())))])];
      for (Index f = 0; f < d; ++f) {
        const double a = train.dense(sample, f), b = train.dense(reference, f);
        features.push_back(static_cast<float>(a + rng.uniform() * (b - a)));
      }
      std::fill(votes.begin(), votes.end(), 0);
      auto vote = [&](Index row) {
        for (Index c = 0; c < num_labels; ++c)
          votes[static_cast<std::size_t>(c)] += y(row, c) ? 1 : 0;
      };
      vote(sample);
      for (Index j : near) vote(bag[static_cast<std::size_t>(j)]);
      const int voters = static_cast<int>(near.size()) + 1;
      for (Index c = 0; c < num_labels; ++c) {
        const int v = votes[static_cast<std::size_t>(c)];
        const bool on = label_set == "union"          ? v > 0
                        : label_set == "intersection" ? v == voters
                                                      : 2 * v > voters;
        labels.push_back(on ? 1 : 0);
      }
      ++synthetic;
    }
  }
  Dataset out = train;
  const Index n = train.rows();
  out.dense.conservativeResize(n + synthetic, d);
  out.labels.conservativeResize(n + synthetic, num_labels);
  if (synthetic > 0) {
    out.dense.bottomRows(synthetic) =
        Eigen::Map<const DenseFeatures>(features.data(), synthetic, d);
    out.labels.bottomRows(synthetic) =
        Eigen::Map<const LabelMatrix>(labels.data(), synthetic, num_labels);
  }
  const DatasetStats after = compute_stats(out.labels, out.num_features());
  out.notes.push_back(fmt::format(
      "mlsmote (k = {}, label set by {}, seed {}): added {} synthetic rows to {} for {} minority "
      "labels (IRLbl > MeanIR = {}){}; MeanIR {} -> {}",
      k, label_set, seed, synthetic, n, used_labels, fmt3(stats.meanir),
      skipped_labels > 0
          ? fmt::format(", {} minority labels on a single row skipped", skipped_labels)
          : "",
      fmt3(stats.meanir), fmt3(after.meanir)));
  return out;
}

/// SCUMBLE_i of one label row (the statistics.hpp formula): 1 - geometric / arithmetic mean
/// of its labels' IRLbl; 0 for an empty row.
double row_scumble(const std::uint8_t* row, const DatasetStats& stats) {
  double sum = 0.0, log_sum = 0.0;
  Index size = 0;
  for (std::size_t l = 0; l < stats.per_label.size(); ++l)
    if (row[l]) {
      sum += stats.per_label[l].irlbl;
      log_sum += std::log(stats.per_label[l].irlbl);
      ++size;
    }
  if (size == 0) return 0.0;
  return 1.0 - std::exp(log_sum / static_cast<double>(size)) / (sum / static_cast<double>(size));
}

Dataset remedial(const Dataset& train) {
  const DatasetStats stats = compute_stats(train);
  const LabelMatrix& y = train.labels;
  const Index n = train.rows();
  const Index num_labels = y.cols();
  std::vector<Index> split;
  Index one_kind = 0;
  for (Index i = 0; i < n; ++i) {
    const std::uint8_t* row = y.data() + i * num_labels;
    if (!(row_scumble(row, stats) > stats.scumble)) continue;
    bool minority = false, majority = false;
    for (Index l = 0; l < num_labels; ++l)
      if (row[l])
        (stats.per_label[static_cast<std::size_t>(l)].minority ? minority : majority) = true;
    if (minority && majority)
      split.push_back(i);
    else
      ++one_kind;
  }
  Dataset out = with_extra_rows(train, split);
  for (std::size_t c = 0; c < split.size(); ++c) {
    const Index original = split[c];
    const Index clone = n + static_cast<Index>(c);
    for (Index l = 0; l < num_labels; ++l) {
      if (stats.per_label[static_cast<std::size_t>(l)].minority)
        out.labels(clone, l) = 0;  // the clone keeps the majority labels
      else
        out.labels(original, l) = 0;  // the row keeps the minority labels
    }
  }
  const DatasetStats after = compute_stats(out.labels, out.num_features());
  out.notes.push_back(fmt::format(
      "remedial: split {} of {} rows with SCUMBLE above the mean {} (the row keeps its minority "
      "labels, a clone appended at the end its majority labels; MeanIR = {}){}; SCUMBLE {} -> {}",
      split.size(), n, fmt3(stats.scumble), fmt3(stats.meanir),
      one_kind > 0 ? fmt::format(", {} such rows carried labels of one kind only and were kept "
                                 "as they are",
                                 one_kind)
                   : "",
      fmt3(stats.scumble), fmt3(after.scumble)));
  return out;
}

}  // namespace

void validate(const ResamplingSpec& spec) {
  const std::string& m = spec.method;
  if (m != "none" && m != "ml-ros" && m != "ml-rus" && m != "mlsmote" && m != "remedial")
    throw Error(fmt::format(
        "resampling.method must be none, ml-ros, ml-rus, mlsmote or remedial, got '{}'", m));
  if (m == "ml-ros" && !(spec.percentage > 0.0 && std::isfinite(spec.percentage)))
    throw Error(
        fmt::format("resampling.percentage must be above 0 for ml-ros, got {}", spec.percentage));
  if (m == "ml-rus" && !(spec.percentage > 0.0 && spec.percentage < 100.0))
    throw Error(
        fmt::format("resampling.percentage must be between 0 and 100 (exclusive) for "
                    "ml-rus, got {}",
                    spec.percentage));
  if (m == "mlsmote" && spec.k < 1)
    throw Error(fmt::format("resampling.k must be at least 1, got {}", spec.k));
  if (m == "mlsmote" && spec.label_set != "ranking" && spec.label_set != "union" &&
      spec.label_set != "intersection")
    throw Error(fmt::format("resampling.label_set must be ranking, union or intersection, got '{}'",
                            spec.label_set));
}

Dataset resample(const Dataset& train, const ResamplingSpec& spec, std::uint64_t seed) {
  validate(spec);
  if (spec.method == "none") return train;
  if (spec.method == "ml-ros") return ml_ros(train, spec.percentage, seed);
  if (spec.method == "ml-rus") return ml_rus(train, spec.percentage, seed);
  if (spec.method == "mlsmote") return mlsmote(train, spec.k, spec.label_set, seed);
  return remedial(train);
}

}  // namespace lg
