#include "eval/thresholding.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/error.hpp"

namespace lg::eval {
namespace {

const char* const kAcceptedForms =
    "expected a number, fixed:T, scut, scut:f1|jaccard|accuracy, pcut, rcut:K (or topk:K) or mcut";
const char* const kScutMeasures = "f1, jaccard or accuracy";

bool parse_double(const std::string& text, double& value) {
  const char* first = text.data();
  const char* last = first + text.size();
  if (first != last && *first == '+') ++first;
  const auto [end, ec] = std::from_chars(first, last, value);
  return ec == std::errc() && end == last && std::isfinite(value);
}

bool parse_int(const std::string& text, int& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

bool is_scut_measure(const std::string& m) {
  return m == "f1" || m == "jaccard" || m == "accuracy";
}

/// The first NaN of a score matrix (float32 or float64), as an error naming where it is.
template <typename Scores>
void check_scores(const Scores& s, const char* what) {
  const typename Scores::Scalar* d = s.data();
  const Index n = s.size();
  Index nans = 0;  // one branch-free (vectorised) pass first: NaN is the exception
  for (Index j = 0; j < n; ++j) nans += d[j] != d[j];
  if (nans == 0) return;
  for (Index j = 0; j < n; ++j)
    if (std::isnan(d[j]))
      throw Error(fmt::format("{}: the score of row {}, label {} (counting from 1) is NaN", what,
                              j / s.cols() + 1, j % s.cols() + 1));
}

void check_labels(const LabelMatrix& y, const char* what) {
  const std::uint8_t* d = y.data();
  const Index n = y.size();
  for (Index j = 0; j < n; ++j)
    if (d[j] > 1)
      throw Error(fmt::format("{}: row {}, label {} (counting from 1) holds {}, expected 0 or 1",
                              what, j / y.cols() + 1, j % y.cols() + 1, int{d[j]}));
}

void check_columns(Index have, Index want, const char* what) {
  if (have != want)
    throw Error(fmt::format("{}: {} labels, but the thresholds are for {}", what, have, want));
}

/// The midpoint of two scores, rounded to their type (computed in double for float; halves
/// first for doubles whose sum would overflow).
float midpoint(float a, float b) {
  return static_cast<float>((static_cast<double>(a) + static_cast<double>(b)) / 2);
}
double midpoint(double a, double b) {
  const double sum = a + b;
  return std::isfinite(sum) ? sum / 2 : a / 2 + b / 2;
}

/// A threshold strictly above `below` and at most `at` (both of the scores' type, below < at),
/// in that type: the midpoint when it rounds strictly between them, else the next value of the
/// type above `below` (so that comparing a score of that type with it keeps the two apart).
template <typename Scalar>
double cut_between(Scalar at, Scalar below) {
  const Scalar m = midpoint(at, below);
  return static_cast<double>(m > below && m <= at ? m : std::nextafter(below, at));
}

/// SCut for one label: the threshold maximising the measure over the validation column.
template <typename Scalar>
double tune_label(std::vector<std::pair<Scalar, std::uint8_t>>& column, const std::string& measure) {
  std::sort(column.begin(), column.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  const Index n = static_cast<Index>(column.size());
  Index positives = 0;
  for (const auto& c : column) positives += c.second;
  const auto value = [&](Index tp, Index fp) {
    const Index fn = positives - tp;
    if (measure == "accuracy") return static_cast<double>(n - fp - fn) / static_cast<double>(n);
    const double num = measure == "f1" ? 2.0 * tp : static_cast<double>(tp);
    const double den = measure == "f1" ? 2.0 * tp + fp + fn : static_cast<double>(tp + fp + fn);
    return den == 0.0 ? 0.0 : num / den;
  };
  // From the highest threshold down: "none", then after each group of equal scores. Only a
  // strictly better value moves the choice, so ties keep the higher threshold.
  const Scalar top = column.front().first;
  double best_threshold = static_cast<double>(
      std::nextafter(top, std::numeric_limits<Scalar>::infinity()));
  double best = value(0, 0);
  Index tp = 0, fp = 0;
  for (Index i = 0; i < n;) {
    const Scalar v = column[i].first;
    for (; i < n && column[i].first == v; ++i) (column[i].second ? tp : fp) += 1;
    const double candidate = value(tp, fp);
    if (candidate > best) {
      best = candidate;
      // midway to the next lower score, so that unseen scores in between fall on the side
      // nearer to them; the lowest score itself when nothing is below
      best_threshold = i < n ? cut_between(v, column[i].first) : static_cast<double>(v);
    }
  }
  return best_threshold;
}

/// SCut's thresholds of every label, tuned on the validation set (y, s).
template <typename Scores>
std::vector<double> tune_labels(const LabelMatrix& y, const Scores& s, Index num_labels,
                                const std::string& measure) {
  if (y.rows() != s.rows() || y.cols() != s.cols())
    throw Error(fmt::format("scut: the validation truth is {} x {} but its scores are {} x {}",
                            y.rows(), y.cols(), s.rows(), s.cols()));
  check_columns(y.cols(), num_labels, "scut validation set");
  if (y.rows() == 0) throw Error("scut: the validation set has no rows");
  check_labels(y, "scut validation truth");
  check_scores(s, "scut validation scores");
  std::vector<double> thresholds(static_cast<std::size_t>(num_labels));
  std::vector<std::pair<typename Scores::Scalar, std::uint8_t>> column(static_cast<std::size_t>(y.rows()));
  for (Index l = 0; l < num_labels; ++l) {
    for (Index i = 0; i < y.rows(); ++i) column[i] = {s(i, l), y(i, l)};
    thresholds[l] = tune_label(column, measure);
  }
  return thresholds;
}

/// Row indices (a subset of `order`) of the k highest values, ties to the lower index.
template <typename Value>
void top_k(std::vector<Index>& order, const Value* values, Index stride, Index k) {
  const auto higher = [&](Index a, Index b) {
    const auto va = values[a * stride], vb = values[b * stride];
    return va > vb || (va == vb && a < b);
  };
  std::nth_element(order.begin(), order.begin() + (k > 0 ? k - 1 : 0), order.end(), higher);
}

}  // namespace

std::string ThresholdSpec::to_string() const {
  switch (kind) {
    case Kind::Fixed: return fmt::format("fixed:{}", threshold);
    case Kind::SCut: return "scut:" + measure;
    case Kind::PCut: return "pcut";
    case Kind::RCut: return fmt::format("rcut:{}", k);
    case Kind::MCut: return "mcut";
  }
  return "";
}

ThresholdSpec parse_threshold_spec(const std::string& text) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::size_t colon = lower.find(':');
  const std::string head = lower.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : lower.substr(colon + 1);
  const bool has_arg = colon != std::string::npos;
  ThresholdSpec spec;
  double number = 0.0;
  if (!has_arg && parse_double(lower, number)) {
    spec.threshold = number;
    return spec;
  }
  if (head == "fixed") {
    if (has_arg && !parse_double(arg, spec.threshold))
      throw Error(fmt::format("threshold '{}': fixed:T needs a finite number T", text));
    return spec;
  }
  if (head == "scut") {
    spec.kind = ThresholdSpec::Kind::SCut;
    if (has_arg) spec.measure = arg;
    if (!is_scut_measure(spec.measure))
      throw Error(fmt::format("threshold '{}': scut maximises {}", text, kScutMeasures));
    return spec;
  }
  if ((head == "pcut" || head == "mcut") && !has_arg) {
    spec.kind = head == "pcut" ? ThresholdSpec::Kind::PCut : ThresholdSpec::Kind::MCut;
    return spec;
  }
  if (head == "rcut" || head == "topk") {
    spec.kind = ThresholdSpec::Kind::RCut;
    if (!has_arg || !parse_int(arg, spec.k) || spec.k < 1)
      throw Error(fmt::format("threshold '{}': {}:K needs a whole number K >= 1", text, head));
    return spec;
  }
  throw Error(fmt::format("threshold '{}': {}", text, kAcceptedForms));
}

Thresholds fit_thresholds(const ThresholdSpec& spec, Index num_labels, const ThresholdInputs& inputs) {
  Thresholds fitted;
  fitted.spec = spec;
  switch (spec.kind) {
    case ThresholdSpec::Kind::Fixed:
      if (!std::isfinite(spec.threshold))
        throw Error(fmt::format("threshold fixed:{}: not a finite number", spec.threshold));
      fitted.per_label.assign(static_cast<std::size_t>(num_labels), spec.threshold);
      break;
    case ThresholdSpec::Kind::SCut: {
      if (!is_scut_measure(spec.measure))
        throw Error(fmt::format("scut:{}: scut maximises {}", spec.measure, kScutMeasures));
      if (!inputs.validation_truth || (!inputs.validation_scores && !inputs.validation_scores_f64))
        throw Error("scut needs a validation set (its truth and scores) to tune thresholds on");
      if (inputs.validation_scores && inputs.validation_scores_f64)
        throw Error("scut: give the validation scores once, as float32 or as float64, not both");
      if (inputs.validation_scores_f64)
        fitted.per_label = tune_labels(*inputs.validation_truth, *inputs.validation_scores_f64,
                                       num_labels, spec.measure);
      else
        fitted.per_label = tune_labels(*inputs.validation_truth, *inputs.validation_scores,
                                       num_labels, spec.measure);
      break;
    }
    case ThresholdSpec::Kind::PCut: {
      if (!inputs.train_labels)
        throw Error("pcut needs the training labels (their label frequencies)");
      const LabelMatrix& y = *inputs.train_labels;
      check_columns(y.cols(), num_labels, "pcut training labels");
      if (y.rows() == 0) throw Error("pcut: the training labels have no rows");
      check_labels(y, "pcut training labels");
      const Eigen::Matrix<Index, 1, Eigen::Dynamic> counts = y.cast<Index>().colwise().sum();
      fitted.label_frequency.resize(static_cast<std::size_t>(num_labels));
      for (Index l = 0; l < num_labels; ++l)
        fitted.label_frequency[l] = static_cast<double>(counts(l)) / static_cast<double>(y.rows());
      break;
    }
    case ThresholdSpec::Kind::RCut:
      if (spec.k < 1) throw Error(fmt::format("rcut:{}: K must be >= 1", spec.k));
      break;
    case ThresholdSpec::Kind::MCut: break;
  }
  return fitted;
}

namespace {

template <typename Scores>
LabelMatrix apply_to(const Thresholds& fitted, const Scores& scores, const ThresholdInputs& inputs) {
  using Scalar = typename Scores::Scalar;
  const Index n = scores.rows(), labels = scores.cols();
  check_scores(scores, "thresholding");
  LabelMatrix out = LabelMatrix::Zero(n, labels);
  const ThresholdSpec& spec = fitted.spec;
  switch (spec.kind) {
    case ThresholdSpec::Kind::Fixed:
    case ThresholdSpec::Kind::SCut: {
      std::vector<double> per_label = fitted.per_label;
      if (per_label.empty() && spec.kind == ThresholdSpec::Kind::Fixed)
        per_label.assign(static_cast<std::size_t>(labels), spec.threshold);
      check_columns(labels, static_cast<Index>(per_label.size()), "scores");
      // compared in the scores' type, as NumPy compares a float32 (float64) array with a
      // Python float: in float32 (float64)
      const std::vector<Scalar> t(per_label.begin(), per_label.end());
      for (Index i = 0; i < n; ++i) {
        const Scalar* s = scores.data() + i * labels;
        std::uint8_t* p = out.data() + i * labels;
        for (Index l = 0; l < labels; ++l) p[l] = s[l] >= t[l];
      }
      break;
    }
    case ThresholdSpec::Kind::PCut: {
      std::vector<double> freq = fitted.label_frequency;
      if (freq.empty()) {
        if (!inputs.train_labels)
          throw Error("pcut needs the training labels (their label frequencies)");
        freq = fit_thresholds(spec, labels, inputs).label_frequency;
      }
      check_columns(labels, static_cast<Index>(freq.size()), "scores");
      std::vector<Index> order(static_cast<std::size_t>(n));
      for (Index l = 0; l < labels; ++l) {
        const Index k = std::clamp<Index>(std::llround(static_cast<double>(n) * freq[l]), 0, n);
        if (k == 0) continue;
        std::iota(order.begin(), order.end(), Index{0});
        top_k(order, scores.data() + l, labels, k);
        for (Index j = 0; j < k; ++j) out(order[j], l) = 1;
      }
      break;
    }
    case ThresholdSpec::Kind::RCut: {
      if (spec.k < 1) throw Error(fmt::format("rcut:{}: K must be >= 1", spec.k));
      const Index k = std::min<Index>(spec.k, labels);
      std::vector<Index> order(static_cast<std::size_t>(labels));
      for (Index i = 0; i < n; ++i) {
        std::iota(order.begin(), order.end(), Index{0});
        top_k(order, scores.data() + i * labels, 1, k);
        for (Index j = 0; j < k; ++j) out(i, order[j]) = 1;
      }
      break;
    }
    case ThresholdSpec::Kind::MCut: {
      std::vector<Scalar> sorted(static_cast<std::size_t>(labels));
      for (Index i = 0; i < n; ++i) {
        const Scalar* s = scores.data() + i * labels;
        std::copy(s, s + labels, sorted.begin());
        std::sort(sorted.begin(), sorted.end(), std::greater<Scalar>());
        double best_gap = 0.0;
        Scalar upper = 0;  // the score just above the largest gap
        for (Index j = 0; j + 1 < labels; ++j) {
          // exact for float32 scores; rounded for float64 ones (> 0 whenever they differ)
          const double gap = static_cast<double>(sorted[j]) - static_cast<double>(sorted[j + 1]);
          if (gap > best_gap) {  // strictly larger: ties keep the highest gap
            best_gap = gap;
            upper = sorted[j];
          }
        }
        if (best_gap == 0.0) continue;  // all scores equal (or one label): no gap to cut at
        // Above the gap's midpoint is the same as >= its upper score (no score lies inside the
        // gap), and stays right for float64 neighbours, whose midpoint rounds onto one of them.
        for (Index l = 0; l < labels; ++l) out(i, l) = s[l] >= upper;
      }
      break;
    }
  }
  return out;
}

}  // namespace

LabelMatrix apply_thresholds(const Thresholds& fitted, const ScoreMatrix& scores,
                             const ThresholdInputs& inputs) {
  return apply_to(fitted, scores, inputs);
}

LabelMatrix apply_thresholds(const Thresholds& fitted, const ScoreMatrixD& scores,
                             const ThresholdInputs& inputs) {
  return apply_to(fitted, scores, inputs);
}

}  // namespace lg::eval
