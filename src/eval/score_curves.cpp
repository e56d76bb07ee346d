// Precision-recall per label group and measures against a global threshold (score_curves.hpp).
#include "eval/score_curves.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/error.hpp"

namespace lg::eval {

namespace {

void check_increasing(const std::vector<double>& v, const char* what) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i]) || (i > 0 && !(v[i] > v[i - 1])))
      throw Error(fmt::format("score curves: the {} must be finite and increase ({} at {})", what,
                              v[i], i + 1));
}

struct Entry {
  float score;
  std::uint32_t label;
  std::uint8_t truth;
};

/// Interpolated precision at `levels` from the PR points of entries sorted by score,
/// descending; NaN everywhere when there is no positive.
std::vector<double> interpolated_curve(const std::vector<const Entry*>& sorted,
                                       const std::vector<double>& levels) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Index positives = 0;
  for (const Entry* e : sorted) positives += e->truth;
  std::vector<double> out(levels.size(), positives == 0 ? nan : 0.0);
  if (positives == 0) return out;
  // The points, one per distinct score: (recall, precision).
  std::vector<std::pair<double, double>> points;
  Index tp = 0, seen = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    tp += sorted[i]->truth;
    ++seen;
    if (i + 1 < sorted.size() && sorted[i + 1]->score == sorted[i]->score) continue;
    points.emplace_back(static_cast<double>(tp) / static_cast<double>(positives),
                        static_cast<double>(tp) / static_cast<double>(seen));
  }
  // p(r) = max precision over points with recall >= r: a running maximum from the end.
  std::size_t at = points.size();
  double best = 0.0;
  for (std::size_t k = levels.size(); k-- > 0;) {
    while (at > 0 && points[at - 1].first >= levels[k]) best = std::max(best, points[--at].second);
    out[k] = best;
  }
  return out;
}

}  // namespace

ScoreCurves score_curves(const LabelMatrix& truth, const ScoreMatrix& scores,
                         const std::vector<int>& label_group,
                         const std::vector<std::string>& group_names, const CurveOptions& options) {
  const Index N = truth.rows(), L = truth.cols();
  if (N == 0 || L == 0) throw Error("score curves: no rows or no labels");
  if (scores.rows() != N || scores.cols() != L)
    throw Error(fmt::format("score curves: {} x {} scores for {} x {} labels", scores.rows(),
                            scores.cols(), N, L));
  if (static_cast<Index>(label_group.size()) != L)
    throw Error(fmt::format("score curves: {} label groups for {} labels", label_group.size(), L));
  for (const int g : label_group)
    if (g < 0 || static_cast<std::size_t>(g) >= group_names.size())
      throw Error(fmt::format("score curves: group {} of {} groups", g, group_names.size()));
  check_increasing(options.recall_levels, "recall levels");
  check_increasing(options.thresholds, "thresholds");
  const bool ignoring = options.ignore && options.ignore->size() > 0;
  if (ignoring && (options.ignore->rows() != N || options.ignore->cols() != L))
    throw Error("score curves: the ignore mask's shape differs from the labels'");

  ScoreCurves out;
  out.recall_levels = options.recall_levels;
  out.thresholds = options.thresholds;
  out.groups = group_names;
  out.groups.push_back("all");

  // ---- precision-recall: one sort of every kept entry, then one pass per group ----
  std::vector<Entry> entries;
  entries.reserve(static_cast<std::size_t>(N * L));
  for (Index i = 0; i < N; ++i)
    for (Index l = 0; l < L; ++l) {
      if (ignoring && (*options.ignore)(i, l) != 0) continue;
      entries.push_back({scores(i, l), static_cast<std::uint32_t>(l), truth(i, l) != 0 ? std::uint8_t{1} : std::uint8_t{0}});
    }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.score > b.score; });
  const std::size_t G = group_names.size();
  std::vector<std::vector<const Entry*>> per_group(G + 1);
  for (const Entry& e : entries) {
    per_group[static_cast<std::size_t>(label_group[e.label])].push_back(&e);
    per_group[G].push_back(&e);
  }
  for (std::size_t g = 0; g <= G; ++g) {
    Index positives = 0;
    for (const Entry* e : per_group[g]) positives += e->truth;
    out.group_positives.push_back(positives);
    const std::vector<double> curve = interpolated_curve(per_group[g], options.recall_levels);
    out.precision.insert(out.precision.end(), curve.begin(), curve.end());
  }

  // ---- against a threshold: per label, how many positives / negatives reach each one ----
  const std::size_t T = options.thresholds.size();
  // reach[l][k]: entries whose score passes exactly the first k thresholds (k = 0..T).
  std::vector<Index> pos_reach(static_cast<std::size_t>(L) * (T + 1), 0),
      neg_reach(static_cast<std::size_t>(L) * (T + 1), 0);
  std::vector<Index> label_positives(static_cast<std::size_t>(L), 0);
  for (Index i = 0; i < N; ++i)
    for (Index l = 0; l < L; ++l) {
      const double s = scores(i, l);
      const std::size_t k = static_cast<std::size_t>(
          std::upper_bound(options.thresholds.begin(), options.thresholds.end(), s) -
          options.thresholds.begin());  // thresholds t <= s
      const std::size_t at = static_cast<std::size_t>(l) * (T + 1) + k;
      if (truth(i, l) != 0) {
        ++pos_reach[at];
        ++label_positives[static_cast<std::size_t>(l)];
      } else {
        ++neg_reach[at];
      }
    }
  for (std::size_t t = 0; t < T; ++t) {
    Index TP = 0, FP = 0, FN = 0;
    double macro = 0.0;
    for (Index l = 0; l < L; ++l) {
      // Predicted positive at threshold t: passes thresholds 0..t, i.e. k > t.
      Index tp = 0, fp = 0;
      const std::size_t base = static_cast<std::size_t>(l) * (T + 1);
      for (std::size_t k = t + 1; k <= T; ++k) {
        tp += pos_reach[base + k];
        fp += neg_reach[base + k];
      }
      const Index fn = label_positives[static_cast<std::size_t>(l)] - tp;
      macro += f1_from_counts(tp, fp, fn, options.zero_division);
      TP += tp;
      FP += fp;
      FN += fn;
    }
    out.micro_f1.push_back(f1_from_counts(TP, FP, FN, options.zero_division));
    out.macro_f1.push_back(macro / static_cast<double>(L));
    out.hamming_loss.push_back(static_cast<double>(FP + FN) / (static_cast<double>(N) * static_cast<double>(L)));
  }
  return out;
}

}  // namespace lg::eval
