#include "data/split.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <queue>
#include <random>
#include <utility>

#include "core/error.hpp"
#include "core/random.hpp"

namespace lg {
namespace {

std::vector<Index> shuffled_rows(Index rows, std::uint64_t seed) {
  std::vector<Index> order(static_cast<std::size_t>(rows));
  std::iota(order.begin(), order.end(), Index{0});
  Random rng(seed);
  rng.shuffle(order);
  return order;
}

/// Row and item ids inside the stratification: 32 bits halve the memory traffic.
using Id = std::int32_t;

/// Compressed lists: list i is values[offsets[i] .. offsets[i + 1]).
struct Lists {
  std::vector<Index> offsets{0};
  std::vector<Id> values;
  const Id* begin(Index i) const { return values.data() + offsets[i]; }
  const Id* end(Index i) const { return values.data() + offsets[i + 1]; }
};

/// The stratification items of every row (row -> items) and their rows (item -> rows,
/// ascending). Order 1: items are the labels. Order 2: labels 0..L-1, then the label pairs
/// that occur, numbered in (a, b) order.
struct Items {
  Index count = 0;
  Lists of_row;
  Lists rows_of;
};

/// Calls visit(l) for each label on in `row` (length num_labels), ascending.
template <typename Visit>
void for_each_label(const std::uint8_t* row, Index num_labels, Visit visit) {
  for (Index l = 0; l < num_labels;) {
    // Label rows are mostly zeros: skip them eight bytes at a time.
    if (l + 8 <= num_labels) {
      std::uint64_t word;
      std::memcpy(&word, row + l, sizeof word);
      if (word == 0) {
        l += 8;
        continue;
      }
    }
    if (row[l]) visit(l);
    ++l;
  }
}

Items build_items(const LabelMatrix& labels, int order) {
  const Index n = labels.rows();
  const Index num_labels = labels.cols();
  if (n >= INT32_MAX || num_labels >= INT32_MAX / 2)
    throw Error(
        fmt::format("split: iterative stratification handles up to 2^31 - 1 rows and "
                    "2^30 labels, got {} x {}",
                    n, num_labels));
  // First pass: labels per row, so that every list is allocated once at its final size.
  std::vector<Id> per_row(static_cast<std::size_t>(n), 0);
  for (Index i = 0; i < n; ++i)
    for_each_label(labels.data() + i * num_labels, num_labels, [&](Index) { ++per_row[i]; });
  Items items;
  items.count = num_labels;
  Lists& of_row = items.of_row;
  of_row.offsets.resize(static_cast<std::size_t>(n) + 1);
  Index pairs = 0;
  for (Index i = 0; i < n; ++i) {
    const Index t = per_row[i];
    const Index row_pairs = order == 2 ? t * (t - 1) / 2 : 0;
    pairs += row_pairs;
    of_row.offsets[i + 1] = of_row.offsets[i] + t + row_pairs;
  }
  of_row.values.resize(static_cast<std::size_t>(of_row.offsets[n]));
  for (Index i = 0; i < n; ++i) {
    Id* out = of_row.values.data() + of_row.offsets[i];
    for_each_label(labels.data() + i * num_labels, num_labels,
                   [&](Index l) { *out++ = static_cast<Id>(l); });
  }
  if (order == 2 && pairs > 0) {
    // Pair (a, b), a < b, gets key a * L + b; the pairs that occur are numbered L, L + 1, ...
    // in key order. A dense L x L table when small, else sort and binary search.
    auto for_each_pair = [&](auto visit) {
      for (Index i = 0; i < n; ++i) {
        const Index t = per_row[i];
        Id* row = of_row.values.data() + of_row.offsets[i];
        Id* slot = row + t;
        for (Index a = 0; a < t; ++a)
          for (Index b = a + 1; b < t; ++b) visit(row[a] * num_labels + row[b], *slot++);
      }
    };
    const Index cells = num_labels * num_labels;
    if (cells <= (Index{1} << 20)) {
      std::vector<Id> id(static_cast<std::size_t>(cells), -1);
      for_each_pair([&](Index key, Id&) { id[static_cast<std::size_t>(key)] = 0; });
      for (Index key = 0; key < cells; ++key)
        if (id[static_cast<std::size_t>(key)] == 0)
          id[static_cast<std::size_t>(key)] = static_cast<Id>(items.count++);
      for_each_pair([&](Index key, Id& slot) { slot = id[static_cast<std::size_t>(key)]; });
    } else {
      std::vector<Index> distinct;
      distinct.reserve(static_cast<std::size_t>(pairs));
      for_each_pair([&](Index key, Id&) { distinct.push_back(key); });
      std::sort(distinct.begin(), distinct.end());
      distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
      for_each_pair([&](Index key, Id& slot) {
        slot =
            static_cast<Id>(num_labels + (std::lower_bound(distinct.begin(), distinct.end(), key) -
                                          distinct.begin()));
      });
      if (num_labels + static_cast<Index>(distinct.size()) >= INT32_MAX)
        throw Error(
            fmt::format("split: {} distinct label pairs are too many for second-order "
                        "stratification",
                        distinct.size()));
      items.count += static_cast<Index>(distinct.size());
    }
  }
  // Transpose by counting: rows come out ascending per item.
  Lists& rows_of = items.rows_of;
  rows_of.offsets.assign(static_cast<std::size_t>(items.count) + 1, 0);
  for (Id e : items.of_row.values) ++rows_of.offsets[static_cast<std::size_t>(e) + 1];
  for (Index e = 0; e < items.count; ++e) rows_of.offsets[e + 1] += rows_of.offsets[e];
  rows_of.values.resize(items.of_row.values.size());
  std::vector<Index> fill(rows_of.offsets.begin(), rows_of.offsets.end() - 1);
  for (Index i = 0; i < n; ++i)
    for (const Id* e = items.of_row.begin(i); e != items.of_row.end(i); ++e)
      rows_of.values[static_cast<std::size_t>(fill[*e]++)] = static_cast<Id>(i);
  return items;
}

void check_enough_rows(Index rows, int folds, const char* method) {
  if (rows < folds)
    throw Error(fmt::format("split: {} into {} folds needs at least {} rows, the data has {}",
                            method, folds, folds, rows));
}

}  // namespace

void validate(const SplitSpec& spec) {
  const std::string& m = spec.method;
  if (m != "given" && m != "holdout" && m != "kfold" && m != "iterative")
    throw Error(
        fmt::format("split.method must be given, holdout, kfold or iterative, got '{}'", m));
  if ((m == "kfold" || m == "iterative") && spec.folds < 2)
    throw Error(fmt::format("split.folds must be at least 2, got {}", spec.folds));
  if (m == "iterative" && spec.order != 1 && spec.order != 2)
    throw Error(
        fmt::format("split.order must be 1 (labels) or 2 (label pairs), got {}", spec.order));
  if (m == "holdout" && !(spec.test_fraction > 0.0 && spec.test_fraction < 1.0))
    throw Error(fmt::format("split.test_fraction must be between 0 and 1 (exclusive), got {}",
                            spec.test_fraction));
  if (!(spec.train_fraction > 0.0 && spec.train_fraction <= 1.0))
    throw Error(fmt::format("split.train_fraction must be in (0, 1], got {}", spec.train_fraction));
}

int fold_count(const SplitSpec& spec) { return spec.method == "holdout" ? 1 : spec.folds; }

std::vector<Index> subsample_rows(const std::vector<Index>& rows, double fraction,
                                  std::uint64_t seed) {
  if (!(fraction > 0.0 && fraction <= 1.0))
    throw Error(fmt::format("train_fraction must be in (0, 1], got {}", fraction));
  if (fraction == 1.0 || rows.empty()) return rows;
  const auto n = static_cast<Index>(rows.size());
  const Index keep = std::max<Index>(1, static_cast<Index>(std::llround(fraction * static_cast<double>(n))));
  const std::vector<Index> order = shuffled_rows(n, seed);
  std::vector<Index> out;
  out.reserve(static_cast<std::size_t>(keep));
  for (Index i = 0; i < keep; ++i) out.push_back(rows[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])]);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int> assign_folds(const LabelMatrix& labels, const SplitSpec& spec,
                              std::uint64_t seed) {
  validate(spec);
  if (spec.method == "holdout") return holdout_assignment(labels.rows(), spec.test_fraction, seed);
  if (spec.method == "kfold") return kfold_assignment(labels.rows(), spec.folds, seed);
  if (spec.method == "iterative")
    return iterative_stratification(labels, spec.folds, spec.order, seed);
  throw Error(
      "split: method 'given' uses the files' own train/test split; there is nothing "
      "to assign");
}

std::vector<int> holdout_assignment(Index rows, double test_fraction, std::uint64_t seed) {
  if (!(test_fraction > 0.0 && test_fraction < 1.0))
    throw Error(fmt::format("split.test_fraction must be between 0 and 1 (exclusive), got {}",
                            test_fraction));
  // The small epsilon keeps 0.3 * 10 (= 3.0000000000000004) at 3 rows.
  const auto test = static_cast<Index>(std::ceil(test_fraction * static_cast<double>(rows) - 1e-9));
  if (test < 1 || test >= rows)
    throw Error(
        fmt::format("split: holdout with test_fraction {} of {} rows leaves {} test and "
                    "{} training rows; both need at least one",
                    test_fraction, rows, test, rows - test));
  const std::vector<Index> order = shuffled_rows(rows, seed);
  std::vector<int> fold(static_cast<std::size_t>(rows), 0);
  for (Index p = 0; p < test; ++p) fold[static_cast<std::size_t>(order[p])] = 1;
  return fold;
}

std::vector<int> kfold_assignment(Index rows, int folds, std::uint64_t seed) {
  if (folds < 2) throw Error(fmt::format("split.folds must be at least 2, got {}", folds));
  check_enough_rows(rows, folds, "kfold");
  const std::vector<Index> order = shuffled_rows(rows, seed);
  std::vector<int> fold(static_cast<std::size_t>(rows));
  for (Index p = 0; p < rows; ++p)
    fold[static_cast<std::size_t>(order[p])] = static_cast<int>(p % folds);
  return fold;
}

std::vector<int> iterative_stratification(const LabelMatrix& labels, int folds, int order,
                                          std::uint64_t seed) {
  if (folds < 2) throw Error(fmt::format("split.folds must be at least 2, got {}", folds));
  if (order != 1 && order != 2)
    throw Error(fmt::format("split.order must be 1 (labels) or 2 (label pairs), got {}", order));
  const Index n = labels.rows();
  check_enough_rows(n, folds, "iterative stratification");
  const Items items = build_items(labels, order);
  const Index num_items = items.count;
  const auto k = static_cast<std::size_t>(folds);

  // Desired counts (real-valued, r_j = 1 / k) and unassigned rows per item.
  std::vector<double> fold_desired(k, static_cast<double>(n) / folds);
  std::vector<double> desired(static_cast<std::size_t>(num_items) * k);
  std::vector<Index> remaining(static_cast<std::size_t>(num_items));
  for (Index e = 0; e < num_items; ++e) {
    remaining[e] = items.rows_of.offsets[e + 1] - items.rows_of.offsets[e];
    std::fill_n(desired.begin() + e * folds, folds, static_cast<double>(remaining[e]) / folds);
  }

  Random rng(seed);
  // Ties between items with equally few rows: a random order of the items, drawn once.
  std::vector<Index> tie_rank(static_cast<std::size_t>(num_items));
  std::iota(tie_rank.begin(), tie_rank.end(), Index{0});
  rng.shuffle(tie_rank);

  // Lazy min-heap of (remaining, tie rank, item). Counts only fall, so an entry whose count
  // is no longer the item's is stale and skipped when popped. Items touched while one item's
  // rows are assigned are pushed once afterwards (the minimum is only needed then), which
  // keeps the heap small: at most one push per touched item per step, not per row.
  using Entry = std::pair<std::pair<Index, Index>, Index>;
  std::vector<Entry> storage;
  storage.reserve(static_cast<std::size_t>(num_items) * 2);
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap(std::greater<Entry>(),
                                                                           std::move(storage));
  for (Index e = 0; e < num_items; ++e)
    if (remaining[e] > 0) heap.push({{remaining[e], tie_rank[e]}, e});
  std::vector<char> touched_flag(static_cast<std::size_t>(num_items), 0);
  std::vector<Index> touched;

  std::vector<int> fold(static_cast<std::size_t>(n), -1);
  auto assign = [&](Index row, int m) {
    fold[static_cast<std::size_t>(row)] = m;
    fold_desired[static_cast<std::size_t>(m)] -= 1.0;
    for (const Id* e = items.of_row.begin(row); e != items.of_row.end(row); ++e) {
      desired[static_cast<std::size_t>(*e) * k + static_cast<std::size_t>(m)] -= 1.0;
      --remaining[*e];
      if (!touched_flag[*e]) {
        touched_flag[*e] = 1;
        touched.push_back(*e);
      }
    }
  };
  // The fold with the largest want[f], ties to the largest fold_desired[f], remaining ties
  // to a random one of them (in fold order). `want` null: fold_desired alone.
  auto choose_fold = [&](const double* want) {
    auto better = [&](int f, int g) {  // f strictly preferred to g
      if (want && want[f] != want[g]) return want[f] > want[g];
      return fold_desired[f] > fold_desired[g];
    };
    int best = 0, ties = 1;
    for (int f = 1; f < folds; ++f) {
      if (better(f, best)) {
        best = f;
        ties = 1;
      } else if (!better(best, f)) {
        ++ties;
      }
    }
    if (ties == 1) return best;
    Index skip = rng.below(ties);
    for (int f = 0; f < folds; ++f)
      if (!better(best, f) && skip-- == 0) return f;
    return best;  // not reached: `ties` folds tie with `best`
  };

  while (!heap.empty()) {
    const auto [key, e] = heap.top();
    heap.pop();
    if (remaining[e] == 0 || key.first != remaining[e]) continue;
    const double* want = desired.data() + static_cast<std::size_t>(e) * k;
    for (const Id* r = items.rows_of.begin(e); r != items.rows_of.end(e); ++r)
      if (fold[static_cast<std::size_t>(*r)] < 0) assign(*r, choose_fold(want));
    for (Index t : touched) {
      touched_flag[t] = 0;
      if (remaining[t] > 0) heap.push({{remaining[t], tie_rank[t]}, t});
    }
    touched.clear();
  }

  // Rows without labels fill the folds towards their desired sizes.
  for (Index i = 0; i < n; ++i)
    if (fold[static_cast<std::size_t>(i)] < 0) assign(i, choose_fold(nullptr));
  return fold;
}

std::vector<Fold> folds_from_assignment(const std::vector<int>& assignment, int folds) {
  if (folds < 1) throw Error(fmt::format("split: fold count must be at least 1, got {}", folds));
  const int ids = folds == 1 ? 2 : folds;  // holdout: ids 0 (train) and 1 (test)
  for (std::size_t i = 0; i < assignment.size(); ++i)
    if (assignment[i] < 0 || assignment[i] >= ids)
      throw Error(
          fmt::format("split: row {} has fold id {}, expected 0 to {}", i, assignment[i], ids - 1));
  std::vector<Fold> out(static_cast<std::size_t>(folds));
  for (std::size_t i = 0; i < assignment.size(); ++i) {
    const auto row = static_cast<Index>(i);
    if (folds == 1) {
      (assignment[i] == 1 ? out[0].test : out[0].train).push_back(row);
      continue;
    }
    for (int f = 0; f < folds; ++f)
      (assignment[i] == f ? out[static_cast<std::size_t>(f)].test
                          : out[static_cast<std::size_t>(f)].train)
          .push_back(row);
  }
  return out;
}

FoldQuality fold_quality(const LabelMatrix& labels, const std::vector<int>& assignment, int folds) {
  const Index n = labels.rows();
  const Index num_labels = labels.cols();
  if (folds < 1)
    throw Error(fmt::format("fold quality: fold count must be at least 1, got {}", folds));
  if (static_cast<Index>(assignment.size()) != n)
    throw Error(fmt::format("fold quality: {} fold ids for {} rows", assignment.size(), n));
  const auto k = static_cast<std::size_t>(folds);
  const auto nl = static_cast<std::size_t>(num_labels);
  std::vector<Index> size(k, 0);
  std::vector<Index> positives(k * nl, 0);  // fold-major: positives[f * L + l]
  std::vector<Index> total(nl, 0);
  for (Index i = 0; i < n; ++i) {
    const int f = assignment[static_cast<std::size_t>(i)];
    if (f < 0 || f >= folds)
      throw Error(
          fmt::format("fold quality: row {} has fold id {}, expected 0 to {}", i, f, folds - 1));
    ++size[static_cast<std::size_t>(f)];
    const std::uint8_t* row = labels.data() + i * num_labels;
    Index* pos = positives.data() + static_cast<std::size_t>(f) * nl;
    for (Index l = 0; l < num_labels; ++l)
      if (row[l]) {
        ++pos[l];
        ++total[static_cast<std::size_t>(l)];
      }
  }
  // Positive-to-negative odds; a zero negative count counts as one (see the header).
  auto odds = [](Index pos, Index all) {
    return static_cast<double>(pos) / static_cast<double>(std::max<Index>(all - pos, 1));
  };

  FoldQuality q;
  double ld = 0.0;
  for (std::size_t l = 0; l < nl; ++l) {
    if (total[l] == n) continue;  // on every row: every fold has the same (infinite) odds
    const double whole = odds(total[l], n);
    double sum = 0.0;
    for (std::size_t f = 0; f < k; ++f)
      sum += std::abs(odds(positives[f * nl + l], size[f]) - whole);
    ld += sum / folds;
  }
  if (num_labels > 0) q.label_distribution = ld / static_cast<double>(num_labels);

  double ed = 0.0;
  for (std::size_t f = 0; f < k; ++f)
    ed += std::abs(static_cast<double>(size[f]) - static_cast<double>(n) / folds);
  q.example_distribution = ed / folds;

  for (std::size_t f = 0; f < k; ++f) {
    int missing = 0;
    for (std::size_t l = 0; l < nl; ++l)
      if (total[l] > 0 && positives[f * nl + l] == 0) ++missing;
    q.fold_label_pairs_without_positive += missing;
    if (missing > 0) ++q.folds_without_label;
  }
  return q;
}

}  // namespace lg
