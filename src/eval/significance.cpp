#include "eval/significance.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/error.hpp"

namespace lg::eval {

namespace {

/// Mean ranks (1-based) of `values` in ascending order, ties within tolerance sharing theirs.
std::vector<double> ascending_ranks(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return values[x] < values[y]; });
  std::vector<double> ranks(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i + 1;
    while (j < order.size() && values_tie(values[order[j]], values[order[i]])) ++j;
    const double mean_rank = 0.5 * static_cast<double>(i + 1 + j);  // ranks i+1 .. j
    for (std::size_t t = i; t < j; ++t) ranks[order[t]] = mean_rank;
    i = j;
  }
  return ranks;
}

double upper_chi2(double x, double df) {
  return boost::math::cdf(boost::math::complement(boost::math::chi_squared(df), x));
}

/// 1 - Φ(x), accurate in the upper tail.
double upper_normal(double x) { return 0.5 * std::erfc(x / std::sqrt(2.0)); }

}  // namespace

// Values this close tie (see the header): measures and differences of printed values carry
// rounding noise in their last bits.
bool values_tie(double a, double b) {
  return std::abs(a - b) <= 1e-12 * std::max({1.0, std::abs(a), std::abs(b)});
}

MeanSd mean_sd(const std::vector<double>& values) {
  MeanSd out;
  out.n = static_cast<Index>(values.size());
  if (values.empty()) return out;
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      throw Error(fmt::format("mean_sd: value {} of {} is {}, expected a finite number", i + 1,
                              values.size(), values[i]));
  // Equal values (a deterministic method over seeds) are their own mean, sd exactly 0: the
  // rounded sum / n would otherwise print as "x ± 0.000" with an sd of 1e-17.
  if (std::all_of(values.begin(), values.end(), [&](double v) { return v == values[0]; })) {
    out.mean = values[0];
    return out;
  }
  out.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(out.n);
  if (out.n < 2) return out;
  double ss = 0.0;
  for (double v : values) ss += (v - out.mean) * (v - out.mean);
  out.sd = std::sqrt(ss / static_cast<double>(out.n - 1));
  return out;
}

std::vector<double> rank_values(const std::vector<double>& values, Direction direction) {
  if (direction == Direction::LowerIsBetter) return ascending_ranks(values);
  std::vector<double> negated(values.size());
  std::transform(values.begin(), values.end(), negated.begin(), [](double v) { return -v; });
  return ascending_ranks(negated);
}

std::vector<double> average_ranks(const ScoreTable& scores, Direction direction) {
  if (scores.empty() || scores.front().empty())
    throw Error("average ranks: no scores (expected one row per data set, one value per "
                "algorithm)");
  const std::size_t k = scores.front().size();
  std::vector<double> sum(k, 0.0);
  for (std::size_t d = 0; d < scores.size(); ++d) {
    if (scores[d].size() != k)
      throw Error(fmt::format("average ranks: data set {} has {} values, expected {} (one per "
                              "algorithm, as data set 1)",
                              d + 1, scores[d].size(), k));
    for (std::size_t a = 0; a < k; ++a)
      if (!std::isfinite(scores[d][a]))
        throw Error(fmt::format("average ranks: data set {}, algorithm {} is {}, expected a "
                                "finite number",
                                d + 1, a + 1, scores[d][a]));
    const std::vector<double> r = rank_values(scores[d], direction);
    for (std::size_t a = 0; a < k; ++a) sum[a] += r[a];
  }
  for (double& s : sum) s /= static_cast<double>(scores.size());
  return sum;
}

FriedmanResult friedman_test(const ScoreTable& scores, Direction direction) {
  FriedmanResult out;
  out.average_ranks = average_ranks(scores, direction);
  out.datasets = static_cast<Index>(scores.size());
  out.algorithms = static_cast<Index>(out.average_ranks.size());
  if (out.datasets < 2 || out.algorithms < 2)
    throw Error(fmt::format("Friedman test: needs at least 2 data sets and 2 algorithms, got {} "
                            "and {}",
                            out.datasets, out.algorithms));
  const double n = static_cast<double>(out.datasets), k = static_cast<double>(out.algorithms);
  // Demšar 2006, §3.2.2: chi2_F = 12N/(k(k+1)) [Σ R_j² − k(k+1)²/4].
  double sum_sq = 0.0;
  for (double r : out.average_ranks) sum_sq += r * r;
  out.chi2 = std::max(0.0, 12.0 * n / (k * (k + 1.0)) * (sum_sq - k * (k + 1.0) * (k + 1.0) / 4.0));
  out.chi2_p = upper_chi2(out.chi2, k - 1.0);
  // chi2_F reaches N(k-1) exactly when all data sets agree; F is then unbounded.
  const double denominator = n * (k - 1.0) - out.chi2;
  if (denominator <= 1e-12 * n * (k - 1.0)) {
    out.iman_davenport_f = std::numeric_limits<double>::infinity();
    out.iman_davenport_p = 0.0;
  } else {
    out.iman_davenport_f = (n - 1.0) * out.chi2 / denominator;
    out.iman_davenport_p = boost::math::cdf(boost::math::complement(
        boost::math::fisher_f(k - 1.0, (k - 1.0) * (n - 1.0)), out.iman_davenport_f));
  }
  return out;
}

double studentized_range_cdf(double q, Index k) {
  if (k < 2) throw Error(fmt::format("studentized range: k = {}, expected at least 2", k));
  if (!(q > 0.0)) return 0.0;
  constexpr double lo = -9.0, hi = 9.0;
  constexpr int intervals = 3600;  // even; h = 0.005 puts Simpson's error far below 1e-10
  const double h = (hi - lo) / intervals;
  constexpr double pi = 3.141592653589793;
  const double inv_sqrt2 = 1.0 / std::sqrt(2.0), inv_sqrt2pi = 1.0 / std::sqrt(2.0 * pi);
  auto integrand = [&](double z) {
    // Φ(z+q) − Φ(z), from the side where it does not cancel.
    const double mass = z > 0.0
                            ? 0.5 * (std::erfc(z * inv_sqrt2) - std::erfc((z + q) * inv_sqrt2))
                            : 0.5 * (std::erfc(-(z + q) * inv_sqrt2) - std::erfc(-z * inv_sqrt2));
    return inv_sqrt2pi * std::exp(-0.5 * z * z) * std::pow(mass, static_cast<double>(k - 1));
  };
  double sum = integrand(lo) + integrand(hi);
  for (int i = 1; i < intervals; ++i) sum += (i % 2 ? 4.0 : 2.0) * integrand(lo + i * h);
  return std::min(1.0, static_cast<double>(k) * sum * h / 3.0);
}

double studentized_range_quantile(double p, Index k) {
  if (!(p > 0.0 && p < 1.0))
    throw Error(fmt::format("studentized range quantile: p = {}, expected 0 < p < 1", p));
  double lo = 0.0, hi = 1.0;
  while (studentized_range_cdf(hi, k) < p) hi *= 2.0;
  while (hi - lo > 1e-12) {
    const double mid = 0.5 * (lo + hi);
    if (studentized_range_cdf(mid, k) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

double nemenyi_q(Index algorithms, double alpha) {
  // Demšar 2006, Table 5(a), k = 2..10.
  static constexpr std::array<double, 9> q05 = {1.960, 2.343, 2.569, 2.728, 2.850,
                                                2.949, 3.031, 3.102, 3.164};
  static constexpr std::array<double, 9> q10 = {1.645, 2.052, 2.291, 2.459, 2.589,
                                                2.693, 2.780, 2.855, 2.920};
  if (algorithms < 2 || algorithms > 1000)
    throw Error(fmt::format("Nemenyi q: {} algorithms, expected 2 to 1000", algorithms));
  if (!(alpha > 0.0 && alpha < 1.0))
    throw Error(fmt::format("Nemenyi q: alpha = {}, expected 0 < alpha < 1", alpha));
  if (algorithms <= 10) {
    const auto i = static_cast<std::size_t>(algorithms - 2);
    if (std::abs(alpha - 0.05) < 1e-12) return q05[i];
    if (std::abs(alpha - 0.10) < 1e-12) return q10[i];
  }
  return studentized_range_quantile(1.0 - alpha, algorithms) / std::sqrt(2.0);
}

double nemenyi_critical_difference(Index algorithms, Index datasets, double alpha) {
  if (datasets < 1)
    throw Error(fmt::format("Nemenyi CD: {} data sets, expected at least 1", datasets));
  const double k = static_cast<double>(algorithms);
  const auto n = static_cast<double>(datasets);
  return nemenyi_q(algorithms, alpha) * std::sqrt(k * (k + 1.0) / (6.0 * n));
}

WilcoxonResult wilcoxon_signed_rank(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size())
    throw Error(fmt::format("Wilcoxon signed-rank: {} and {} values, expected pairs", a.size(),
                            b.size()));
  std::vector<double> diff;
  diff.reserve(a.size());
  std::size_t zeros = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i]) || !std::isfinite(b[i]))
      throw Error(fmt::format("Wilcoxon signed-rank: pair {} is ({}, {}), expected finite "
                              "numbers",
                              i + 1, a[i], b[i]));
    const double d = values_tie(a[i], b[i]) ? 0.0 : a[i] - b[i];
    zeros += d == 0.0;
    diff.push_back(d);
  }
  // Demšar: zero differences split evenly between R+ and R-; an odd one out is ignored.
  if (zeros % 2 == 1) {
    diff.erase(std::find(diff.begin(), diff.end(), 0.0));
    --zeros;
  }
  WilcoxonResult out;
  out.n = static_cast<Index>(diff.size());
  if (diff.empty()) return out;

  std::vector<double> magnitude(diff.size());
  std::transform(diff.begin(), diff.end(), magnitude.begin(), [](double d) { return std::abs(d); });
  const std::vector<double> ranks = ascending_ranks(magnitude);
  for (std::size_t i = 0; i < diff.size(); ++i) {
    if (diff[i] > 0.0) out.r_plus += ranks[i];
    else if (diff[i] < 0.0) out.r_minus += ranks[i];
    else {
      out.r_plus += 0.5 * ranks[i];
      out.r_minus += 0.5 * ranks[i];
    }
  }
  out.statistic = std::min(out.r_plus, out.r_minus);

  // Tie correction: groups of equal ranks (tied magnitudes, zeros included).
  std::vector<double> sorted_ranks = ranks;
  std::sort(sorted_ranks.begin(), sorted_ranks.end());
  double tie_term = 0.0;
  bool has_ties = false;
  for (std::size_t i = 0; i < sorted_ranks.size();) {
    std::size_t j = i + 1;
    while (j < sorted_ranks.size() && sorted_ranks[j] == sorted_ranks[i]) ++j;
    const double t = static_cast<double>(j - i);
    if (j - i > 1) has_ties = true;
    tie_term += t * t * t - t;
    i = j;
  }
  const double n = static_cast<double>(out.n);
  const double mean = n * (n + 1.0) / 4.0;
  const double sigma = std::sqrt((n * (n + 1.0) * (2.0 * n + 1.0) - 0.5 * tie_term) / 24.0);
  out.z = (out.statistic - mean) / sigma;

  if (out.n <= 25 && zeros == 0 && !has_ties) {
    // Exact: count the subsets of {1..n} by rank sum; P(R+ <= T) under the null.
    const auto max_sum = static_cast<std::size_t>(out.n * (out.n + 1) / 2);
    std::vector<double> count(max_sum + 1, 0.0);
    count[0] = 1.0;
    for (Index r = 1; r <= out.n; ++r)
      for (std::size_t s = max_sum; s >= static_cast<std::size_t>(r); --s)
        count[s] += count[s - static_cast<std::size_t>(r)];
    const auto t = static_cast<std::size_t>(std::llround(out.statistic));
    const double below =
        std::accumulate(count.begin(), count.begin() + static_cast<long>(t) + 1, 0.0);
    out.p_value = std::min(1.0, 2.0 * below / std::ldexp(1.0, static_cast<int>(out.n)));
    out.exact = true;
  } else {
    out.p_value = std::min(1.0, 2.0 * upper_normal(std::abs(out.z)));
  }
  return out;
}

std::vector<double> holm_adjust(const std::vector<double>& p_values) {
  for (std::size_t i = 0; i < p_values.size(); ++i)
    if (!(p_values[i] >= 0.0 && p_values[i] <= 1.0))
      throw Error(fmt::format("Holm's correction: p-value {} of {} is {}, expected a number in "
                              "[0, 1]",
                              i + 1, p_values.size(), p_values[i]));
  const std::size_t m = p_values.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return p_values[x] < p_values[y]; });
  std::vector<double> adjusted(m);
  double running = 0.0;  // the step-down maximum keeps adjusted values monotone
  for (std::size_t i = 0; i < m; ++i) {
    const double scaled = std::min(1.0, static_cast<double>(m - i) * p_values[order[i]]);
    running = std::max(running, scaled);
    adjusted[order[i]] = running;
  }
  return adjusted;
}

WinTieLoss win_tie_loss(const std::vector<double>& a, const std::vector<double>& b,
                        Direction direction) {
  if (a.size() != b.size())
    throw Error(fmt::format("win/tie/loss: {} and {} values, expected pairs", a.size(), b.size()));
  WinTieLoss out;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i]) || !std::isfinite(b[i]))
      throw Error(fmt::format("win/tie/loss: pair {} is ({}, {}), expected finite numbers", i + 1,
                              a[i], b[i]));
    if (values_tie(a[i], b[i])) ++out.ties;
    else if ((a[i] > b[i]) == (direction == Direction::HigherIsBetter)) ++out.wins;
    else ++out.losses;
  }
  return out;
}

}  // namespace lg::eval
