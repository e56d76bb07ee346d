#pragma once
// Comparing algorithms over data sets (Demšar, JMLR 2006; reference doc §7).
//
// scores[d][a]: the value of one measure for data set d and algorithm a. Ranks are 1 = best,
// ties get the mean of their ranks; the measure's Direction says which way is best.
//
// Ties: two values tie when they differ by at most 1e-12 relative to max(1, |value|), so that a
// measure computed along two code paths (or a difference of values printed to three decimals)
// does not split a tie over its last bits.
//
// Friedman's statistic is Demšar's (2006, eq. in §3.2.2), computed from the average ranks
// without a correction for ties, so Demšar's worked example gives his 9.28; scipy's
// friedmanchisquare divides by a tie correction and agrees exactly when no data set has ties.
// p-values come from Boost.Math's chi-squared, F and normal distributions.
#include <string>
#include <vector>

#include "eval/measures.hpp"

namespace lg::eval {

struct MeanSd {
  double mean = 0.0;  ///< arithmetic mean; 0 for no values
  double sd = 0.0;    ///< sample standard deviation (n - 1); 0 for one value
  Index n = 0;        ///< number of values
};
/// Mean and sample sd; throws lg::Error for a value that is not finite.
MeanSd mean_sd(const std::vector<double>& values);

using ScoreTable = std::vector<std::vector<double>>;  ///< [data set][algorithm]

/// Whether two values tie: |a - b| <= 1e-12 max(1, |a|, |b|) (the tolerance of the ranks).
bool values_tie(double a, double b);

/// Ranks of one row of values, 1 = best, ties share the mean of their ranks.
std::vector<double> rank_values(const std::vector<double>& values, Direction direction);

/// Average rank of each algorithm over the data sets. Throws lg::Error for an empty or ragged
/// table or a value that is not finite (naming the data set and algorithm index).
std::vector<double> average_ranks(const ScoreTable& scores, Direction direction);

struct FriedmanResult {
  Index datasets = 0;                 ///< N
  Index algorithms = 0;               ///< k
  std::vector<double> average_ranks;  ///< R_j, one per algorithm
  double chi2 = 0.0;                  ///< Friedman's chi-square, k - 1 degrees of freedom
  double chi2_p = 1.0;                ///< upper tail of chi-square(k - 1)
  /// Iman–Davenport F = (N-1) chi2 / (N(k-1) - chi2), with (k-1, (k-1)(N-1)) degrees of
  /// freedom; +infinity (p = 0) when every data set ranks the algorithms identically.
  double iman_davenport_f = 0.0;
  double iman_davenport_p = 1.0;      ///< upper tail of F(k-1, (k-1)(N-1))
};
/// Friedman test with the Iman–Davenport correction; needs N >= 2 data sets, k >= 2 algorithms.
FriedmanResult friedman_test(const ScoreTable& scores, Direction direction);

/// Demšar's q_alpha for the Nemenyi test (the studentized range quantile with infinite degrees
/// of freedom, divided by sqrt 2). k = 2..10 at alpha 0.05 / 0.10: Demšar's Table 5(a) as
/// printed; otherwise (k <= 1000, 0 < alpha < 1) computed by studentized_range_quantile.
double nemenyi_q(Index algorithms, double alpha = 0.05);

/// Nemenyi critical difference CD = q_alpha sqrt(k(k+1)/(6N)).
double nemenyi_critical_difference(Index algorithms, Index datasets, double alpha = 0.05);

/// CDF of the range of k independent standard normals (the studentized range with infinite
/// degrees of freedom): P(range <= q) = k ∫ φ(z) [Φ(z+q) − Φ(z)]^(k-1) dz, by composite
/// Simpson's rule on [-9, 9] (the integrand is smooth and below 1e-18 outside).
double studentized_range_cdf(double q, Index k);
/// The q with studentized_range_cdf(q, k) = p (bisection to 1e-12).
double studentized_range_quantile(double p, Index k);

struct WilcoxonResult {
  /// Rank sums of the differences a - b that are positive / negative. Zero differences split
  /// their ranks evenly between both; with an odd number of zeros one is dropped first (Demšar).
  double r_plus = 0.0, r_minus = 0.0;
  double statistic = 0.0;  ///< T = min(R+, R-)
  /// Normal approximation (T - n(n+1)/4) / sigma, sigma^2 = (n(n+1)(2n+1) - ½ Σ (t³ - t)) / 24
  /// over groups of t tied ranks (scipy's zero_method="zsplit" without continuity correction).
  double z = 0.0;
  /// Two-sided: exact from the null distribution of R+ for n <= 25 without zeros or ties,
  /// otherwise 2 (1 - Φ(|z|)).
  double p_value = 1.0;
  bool exact = false;  ///< whether p_value is exact
  Index n = 0;         ///< pairs used (all, less one zero difference when zeros are odd)
};
/// Wilcoxon signed-rank test of paired values a[i] vs b[i]. Throws lg::Error for lengths that
/// differ or values that are not finite.
WilcoxonResult wilcoxon_signed_rank(const std::vector<double>& a, const std::vector<double>& b);

/// Holm's step-down adjustment of m p-values (Holm 1979; Demšar 2006, §3.2.2): sorted
/// ascending, p_(i) becomes max over j <= i of min(1, (m - j + 1) p_(j)), so adjusted values
/// keep the order of the raw ones and never exceed 1. Returned in the input's order; a value
/// is significant at family-wise level alpha when its adjusted p is below alpha. Throws
/// lg::Error for a p that is not in [0, 1].
std::vector<double> holm_adjust(const std::vector<double>& p_values);

struct WinTieLoss {
  Index wins = 0;    ///< pairs where a is better than b
  Index ties = 0;    ///< pairs that tie (values_tie)
  Index losses = 0;  ///< pairs where a is worse than b
};
/// Counts of a[i] better / tied / worse than b[i] in `direction`. Throws lg::Error for lengths
/// that differ or values that are not finite.
WinTieLoss win_tie_loss(const std::vector<double>& a, const std::vector<double>& b,
                        Direction direction);

}  // namespace lg::eval
