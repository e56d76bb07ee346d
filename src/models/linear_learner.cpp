#include "models/linear_learner.hpp"
#include "models/simd_exp.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstring>
#include <thread>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "core/parallel.hpp"
#include "core/error.hpp"

namespace lg::models {
namespace {

constexpr double kFtol = 2.2204460492503131e-09;  // scipy's default L-BFGS-B ftol (factr 1e7)
constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr int kMaxLineSearch = 20;                 // scipy's maxls

/// body(i) for i in [0, n), contiguous chunks over up to `threads` threads; `cost` is the
/// work of one i (about the elements it touches): small loops stay on the calling thread,
/// where a thread start would cost more than it saves. Each i is independent, so the result
/// does not depend on the split.
template <class Body>
void parallel_for_cost(Index n, int threads, Index cost, Body body) {
  constexpr Index kWorkPerThread = 100000;
  const Index useful = std::max<Index>(1, n * cost / kWorkPerThread);
  const int parts = static_cast<int>(std::min({Index{resolve_threads(threads)}, n, useful}));
  auto run = [&](int p) {
    for (Index i = n * p / parts; i < n * (p + 1) / parts; ++i) body(i);
  };
  if (parts <= 1) {
    for (Index i = 0; i < n; ++i) body(i);
    return;
  }
  parallel_parts(parts, run);
}

/// The problem in the solver's layout: column-major targets and sample weights.
struct Prepared {
  Index n = 0, d = 0, k = 0, t = 0, p = 0;
  /// N x T, +1 positive, -1 negative (8 bits: with the float weights, 5 bytes per entry)
  Eigen::Matrix<std::int8_t, Eigen::Dynamic, Eigen::Dynamic> sign;
  Eigen::MatrixXf s;  ///< N x T sample weights (row weight x class weight)
  std::vector<int> constant;
  bool penalise_intercept = false;
};

Index feature_columns(const Dataset& x) { return x.sparse ? x.csr.cols() : x.dense.cols(); }
Index feature_rows(const Dataset& x) { return x.sparse ? x.csr.rows() : x.dense.rows(); }

Prepared prepare(const LinearProblem& problem, const LinearOptions& options) {
  if (problem.x == nullptr || problem.targets == nullptr)
    throw Error("fit_linear: features and targets are required");
  if (!(options.C > 0) || !std::isfinite(options.C))
    throw Error(fmt::format("fit_linear: C must be a positive number, got {}", options.C));
  if (!(options.tol >= 0)) throw Error("fit_linear: tol must be >= 0");
  if (options.max_iter < 1) throw Error("fit_linear: max_iter must be >= 1");
  if (options.memory < 1) throw Error("fit_linear: memory must be >= 1");
  const Dataset& x = *problem.x;
  const LabelMatrix& targets = *problem.targets;
  Prepared pr;
  pr.n = feature_rows(x);
  pr.d = feature_columns(x);
  pr.t = targets.cols();
  if (targets.rows() != pr.n)
    throw Error(fmt::format("fit_linear: {} feature rows but {} target rows", pr.n,
                            targets.rows()));
  if (problem.extra != nullptr) {
    if (problem.extra->rows() != pr.n)
      throw Error(fmt::format("fit_linear: {} feature rows but {} extra-column rows", pr.n,
                              problem.extra->rows()));
    if (problem.extra_mask == nullptr) throw Error("fit_linear: extra columns need a mask");
    pr.k = problem.extra->cols();
    if (problem.extra_mask->rows() != pr.k || problem.extra_mask->cols() != pr.t)
      throw Error(fmt::format("fit_linear: the extra-column mask is {} x {}, expected {} x {}",
                              problem.extra_mask->rows(), problem.extra_mask->cols(), pr.k, pr.t));
    if (!problem.extra->allFinite()) throw Error("fit_linear: non-finite extra-column value");
  } else if (problem.extra_mask != nullptr && problem.extra_mask->rows() != 0) {
    throw Error("fit_linear: a mask without extra columns");
  }
  if (problem.row_weights != nullptr) {
    const Matrix& w = *problem.row_weights;
    if (w.rows() != pr.n || w.cols() != pr.t)
      throw Error(fmt::format("fit_linear: row weights are {} x {}, expected {} x {}", w.rows(),
                              w.cols(), pr.n, pr.t));
    if (!w.allFinite() || (w.array() < 0).any())
      throw Error("fit_linear: row weights must be finite and >= 0");
  }
  const bool finite = x.sparse ? Eigen::Map<const Eigen::ArrayXf>(x.csr.valuePtr(),
                                                                  x.csr.nonZeros()).allFinite()
                               : x.dense.allFinite();
  if (!finite) throw Error("fit_linear: non-finite feature value (impute or drop it first)");
  pr.p = pr.d + pr.k + 1;
  pr.penalise_intercept = options.loss == LinearLoss::SquaredHinge;

  pr.sign.resize(pr.n, pr.t);
  pr.s.resize(pr.n, pr.t);
  pr.constant.assign(static_cast<std::size_t>(pr.t), -1);
  for (Index j = 0; j < pr.t; ++j) {
    double weight_all = 0, weight_pos = 0;
    for (Index i = 0; i < pr.n; ++i) {
      const std::uint8_t v = targets(i, j);
      if (v > 1)
        throw Error(fmt::format("fit_linear: target {} of row {} is {}, expected 0 or 1", j, i,
                                static_cast<int>(v)));
      const float w = problem.row_weights ? (*problem.row_weights)(i, j) : 1.0f;
      pr.sign(i, j) = v ? 1 : -1;
      pr.s(i, j) = w;
      weight_all += w;
      if (v) weight_pos += w;
    }
    if (weight_pos <= 0 || weight_pos >= weight_all) {
      pr.constant[static_cast<std::size_t>(j)] = weight_pos > 0 ? 1 : 0;
      continue;
    }
    if (options.balanced) {
      // sklearn's compute_class_weight("balanced"): n / (n_classes * n_c)
      const float pos = static_cast<float>(weight_all / (2.0 * weight_pos));
      const float neg = static_cast<float>(weight_all / (2.0 * (weight_all - weight_pos)));
      for (Index i = 0; i < pr.n; ++i) pr.s(i, j) *= pr.sign(i, j) > 0 ? pos : neg;
    }
  }
  return pr;
}

/// Rows [0, end) of theta that the penalty covers.
Index penalised_rows(const Prepared& pr) { return pr.penalise_intercept ? pr.p : pr.p - 1; }

#if defined(__x86_64__) && defined(__GNUC__)
#define LG_HAVE_AVX2_KERNEL 1
#define LG_AVX2 __attribute__((target("avx2,fma")))

/// log(1 + e) for e in [0, 1], 4 lanes: y = 1 + e when e <= √2 - 1, else y = (1 + e) / 2 and
/// ln 2 is added, so y is in (0.707, 1.415]; log y = 2 atanh(s) with s = (y - 1) / (y + 1),
/// |s| <= 0.172, odd series to s^21 (error below 1e-16).
LG_AVX2 inline __m256d log1p_unit(__m256d e) {
  const __m256d big = _mm256_cmp_pd(e, _mm256_set1_pd(0.41421356237309503), _CMP_GT_OQ);
  const __m256d one = _mm256_set1_pd(1.0);
  // y = 1 + e (s = e / (2 + e)) or y = (1 + e) / 2 (s = (e - 1) / (e + 3))
  const __m256d num = _mm256_blendv_pd(e, _mm256_sub_pd(e, one), big);
  const __m256d den = _mm256_add_pd(e, _mm256_blendv_pd(_mm256_set1_pd(2.0),
                                                        _mm256_set1_pd(3.0), big));
  const __m256d s = _mm256_div_pd(num, den);
  const __m256d s2 = _mm256_mul_pd(s, s);
  __m256d p = _mm256_set1_pd(1.0 / 21.0);
  for (const double c : {1.0 / 19.0, 1.0 / 17.0, 1.0 / 15.0, 1.0 / 13.0, 1.0 / 11.0, 1.0 / 9.0,
                         1.0 / 7.0, 1.0 / 5.0, 1.0 / 3.0, 1.0})
    p = _mm256_fmadd_pd(p, s2, _mm256_set1_pd(c));
  const __m256d log_y = _mm256_mul_pd(_mm256_add_pd(s, s), p);
  return _mm256_add_pd(log_y, _mm256_and_pd(big, _mm256_set1_pd(0.6931471805599453)));
}

/// The logistic data terms (see data_terms) for rows [0, n4), n4 a multiple of 4; returns the
/// loss sum and adds the slope to *slope (when dir is given).
LG_AVX2 double logistic_terms_avx2(Index n4, const double* base, const float* dir, double alpha,
                                   const std::int8_t* sign, const float* weight, float* gz,
                                   double* slope) {
  __m256d loss_sum = _mm256_setzero_pd(), slope_sum = _mm256_setzero_pd();
  const __m256d zero = _mm256_setzero_pd(), one = _mm256_set1_pd(1.0);
  const __m256d sign_mask = _mm256_set1_pd(-0.0);
  for (Index i = 0; i < n4; i += 4) {
    __m256d z = _mm256_loadu_pd(base + i);
    __m256d d = zero;
    if (dir != nullptr) {
      d = _mm256_cvtps_pd(_mm_loadu_ps(dir + i));
      z = _mm256_fmadd_pd(_mm256_set1_pd(alpha), d, z);
    }
    std::int32_t packed = 0;
    std::memcpy(&packed, sign + i, 4);
    const __m256d y = _mm256_cvtepi32_pd(_mm_cvtepi8_epi32(_mm_cvtsi32_si128(packed)));
    const __m256d w = _mm256_cvtps_pd(_mm_loadu_ps(weight + i));
    const __m256d m = _mm256_mul_pd(y, z);                          // margin
    const __m256d e = exp_nonpositive(_mm256_or_pd(m, sign_mask));  // exp(-|m|)
    const __m256d loss = _mm256_add_pd(log1p_unit(e), _mm256_max_pd(_mm256_sub_pd(zero, m), zero));
    const __m256d inv = _mm256_div_pd(one, _mm256_add_pd(one, e));
    const __m256d sigma = _mm256_blendv_pd(inv, _mm256_mul_pd(e, inv),
                                           _mm256_cmp_pd(m, zero, _CMP_GE_OQ));  // σ(-m)
    const __m256d g = _mm256_mul_pd(w, _mm256_sub_pd(zero, _mm256_mul_pd(y, sigma)));
    _mm_storeu_ps(gz + i, _mm256_cvtpd_ps(g));
    loss_sum = _mm256_fmadd_pd(w, loss, loss_sum);
    slope_sum = _mm256_fmadd_pd(g, d, slope_sum);
  }
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, slope_sum);
  if (slope != nullptr) *slope += (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  _mm256_store_pd(lanes, loss_sum);
  return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}
#endif

/// The data part of target t's objective at z = base + alpha·dir (dir may be null):
/// returns Σ s_i ℓ(z_i), writes s_i dℓ/dz_i to gz and, with dir, the slope Σ gz_i dir_i.
/// Vectorised over the rows (one exp and one log1p per row for the logistic loss).
double data_terms(const Prepared& pr, LinearLoss loss, Index t, const double* base,
                  const float* dir, double alpha, float* gz, double* slope) {
#ifdef LG_HAVE_AVX2_KERNEL
  if (loss == LinearLoss::Logistic && fast_kernels_available()) {
    // 4 rows at a time with hand-written exp / log (Eigen is built for SSE2 here); the last
    // n % 4 rows take the generic path below
    const Index n4 = pr.n & ~Index{3};
    double tail_slope = 0;
    const double head = logistic_terms_avx2(n4, base, dir, alpha, pr.sign.col(t).data(),
                                            pr.s.col(t).data(), gz, slope ? &tail_slope : nullptr);
    double rest = 0;
    for (Index i = n4; i < pr.n; ++i) {
      const double z = base[i] + (dir ? alpha * static_cast<double>(dir[i]) : 0.0);
      const double y = pr.sign(i, t), w = pr.s(i, t), m = y * z;
      const double e = std::exp(-std::abs(m));
      rest += w * (std::log1p(e) + std::max(-m, 0.0));
      const double g = -w * y * (m >= 0 ? e / (1.0 + e) : 1.0 / (1.0 + e));
      gz[i] = static_cast<float>(g);
      if (dir) tail_slope += g * static_cast<double>(dir[i]);
    }
    if (slope) *slope = tail_slope;
    return head + rest;
  }
#endif
  Eigen::ArrayXd z = Eigen::Map<const Eigen::ArrayXd>(base, pr.n);
  if (dir != nullptr) z += alpha * Eigen::Map<const Eigen::ArrayXf>(dir, pr.n).cast<double>();
  const Eigen::ArrayXd sign = pr.sign.col(t).cast<double>().array();
  const Eigen::ArrayXd s = pr.s.col(t).cast<double>().array();
  const Eigen::ArrayXd m = sign * z;  // margins y± z
  Eigen::ArrayXd g(pr.n);
  double sum = 0;
  if (loss == LinearLoss::Logistic) {
    // ℓ = log(1 + e^-m) = log1p(e^-|m|) + max(-m, 0); dℓ/dz = -y± σ(-m)
    const Eigen::ArrayXd e = (-m.abs()).exp();
    // log(1 + e) rather than log1p(e): vectorised, and the absolute error (what the sum
    // sees) is the same
    sum = (s * ((1.0 + e).log() + (-m).max(0.0))).sum();
    g = -s * sign * (m >= 0).select(e / (1.0 + e), 1.0 / (1.0 + e));
  } else {
    const Eigen::ArrayXd gap = (1.0 - m).max(0.0);  // ℓ = max(0, 1 - m)²
    sum = (s * gap.square()).sum();
    g = -2.0 * s * sign * gap;
  }
  Eigen::Map<Eigen::ArrayXf>(gz, pr.n) = g.cast<float>();
  if (slope != nullptr)
    *slope = (g * Eigen::Map<const Eigen::ArrayXf>(dir, pr.n).cast<double>()).sum();
  return sum;
}

/// f and ∇f of the targets `ids` from their data terms: f_data and gz (N x A, s_i dℓ/dz_i)
/// computed at the parameters `theta` (P x A); the columns follow `ids`.
void finish_objective(const LinearProblem& problem, const LinearOptions& options,
                      const Prepared& pr, const std::vector<Index>& ids, const Matrix& gz,
                      const Eigen::MatrixXd& theta, const Eigen::VectorXd& f_data,
                      Eigen::VectorXd& f, Eigen::MatrixXd& grad) {
  const Index a = static_cast<Index>(ids.size());
  grad.resize(pr.p, a);
  grad.topRows(pr.d) =
      features_transpose_times_fast(*problem.x, gz, options.threads).cast<double>();
  if (pr.k > 0) {
    const Matrix ge = problem.extra->transpose() * gz;
    for (Index c = 0; c < a; ++c) {
      const Index t = ids[static_cast<std::size_t>(c)];
      for (Index r = 0; r < pr.k; ++r)
        grad(pr.d + r, c) = (*problem.extra_mask)(r, t) ? static_cast<double>(ge(r, c)) : 0.0;
    }
  }
  grad.row(pr.p - 1) = gz.cast<double>().colwise().sum();
  const Index pen = penalised_rows(pr);
  grad.topRows(pen) += theta.topRows(pen) / options.C;
  f = f_data + theta.topRows(pen).colwise().squaredNorm().transpose() / (2.0 * options.C);
}

/// f and ∇f for the targets `ids` at decision values `z` (columns follow `ids`).
void objective_batch(const LinearProblem& problem, const LinearOptions& options,
                     const Prepared& pr, const std::vector<Index>& ids, const Eigen::MatrixXd& z,
                     const Eigen::MatrixXd& theta, Eigen::VectorXd& f, Eigen::MatrixXd& grad) {
  const Index a = static_cast<Index>(ids.size());
  Matrix gz(pr.n, a);
  Eigen::VectorXd f_data(a);
  parallel_for_cost(a, options.threads, pr.n, [&](Index c) {
    f_data(c) = data_terms(pr, options.loss, ids[static_cast<std::size_t>(c)], z.col(c).data(),
                           nullptr, 0.0, gz.col(c).data(), nullptr);
  });
  finish_objective(problem, options, pr, ids, gz, theta, f_data, f, grad);
}

/// X·A_w + E·A_e + 1·a_b for parameter-shaped columns A (P x cols).
Matrix apply_parameters(const LinearProblem& problem, const LinearOptions& options,
                        const Prepared& pr, const Eigen::MatrixXd& a) {
  const Matrix aw = a.topRows(pr.d).cast<float>();
  Matrix out = features_times_fast(*problem.x, aw, options.threads);
  if (pr.k > 0) out.noalias() += *problem.extra * a.middleRows(pr.d, pr.k).cast<float>();
  out.rowwise() += a.row(pr.p - 1).cast<float>();
  return out;
}

/// One target's L-BFGS state (history columns live in the shared matrices).
struct TargetState {
  int count = 0;   ///< stored correction pairs
  int head = 0;    ///< slot of the next pair
  int iter = 0;    ///< accepted iterations
  bool done = false;
  bool converged = false;
};

}  // namespace

// ---- MoreThuenteLineSearch: a port of MINPACK-2's dcsrch/dcstep as L-BFGS-B calls it -----

void MoreThuenteLineSearch::start(double f, double g, double stp) {
  brackt_ = false;
  stage_ = 1;
  finit_ = f;
  ginit_ = g;
  gtest_ = kFtolLs * ginit_;
  width_ = kStpMax - 0.0;
  width1_ = width_ / 0.5;
  stx_ = 0;
  fx_ = finit_;
  gx_ = ginit_;
  sty_ = 0;
  fy_ = finit_;
  gy_ = ginit_;
  stmin_ = 0;
  stmax_ = stp + kXtrapU * stp;
}

MoreThuenteLineSearch::Result MoreThuenteLineSearch::step(double f, double g, double& stp) {
  const double ftest = finit_ + stp * gtest_;
  if (stage_ == 1 && f <= ftest && g >= 0) stage_ = 2;
  if (brackt_ && (stp <= stmin_ || stp >= stmax_)) return Warning;
  if (brackt_ && stmax_ - stmin_ <= kXtol * stmax_) return Warning;
  if (stp == kStpMax && f <= ftest && g <= gtest_) return Warning;
  if (stp == 0.0 && (f > ftest || g >= gtest_)) return Warning;
  if (f <= ftest && std::abs(g) <= kGtolLs * (-ginit_)) return Converged;

  if (stage_ == 1 && f <= fx_ && f > ftest) {
    // modified function values until a step with sufficient decrease is bracketed
    const double fm = f - stp * gtest_;
    double fxm = fx_ - stx_ * gtest_, fym = fy_ - sty_ * gtest_;
    const double gm = g - gtest_;
    double gxm = gx_ - gtest_, gym = gy_ - gtest_;
    cstep(stx_, fxm, gxm, sty_, fym, gym, stp, fm, gm);
    fx_ = fxm + stx_ * gtest_;
    fy_ = fym + sty_ * gtest_;
    gx_ = gxm + gtest_;
    gy_ = gym + gtest_;
  } else {
    cstep(stx_, fx_, gx_, sty_, fy_, gy_, stp, f, g);
  }
  if (brackt_) {
    if (std::abs(sty_ - stx_) >= 0.66 * width1_) stp = stx_ + 0.5 * (sty_ - stx_);
    width1_ = width_;
    width_ = std::abs(sty_ - stx_);
    stmin_ = std::min(stx_, sty_);
    stmax_ = std::max(stx_, sty_);
  } else {
    stmin_ = stp + kXtrapL * (stp - stx_);
    stmax_ = stp + kXtrapU * (stp - stx_);
  }
  stp = std::min(std::max(stp, 0.0), kStpMax);
  if (brackt_ && (stp <= stmin_ || stp >= stmax_ || stmax_ - stmin_ <= kXtol * stmax_))
    stp = stx_;
  return Evaluate;
}

/// dcstep: a safeguarded cubic / quadratic step; updates the interval and stp.
void MoreThuenteLineSearch::cstep(double& stx, double& fx, double& dx, double& sty, double& fy,
                                  double& dy, double& stp, double fp, double dp) {
  const double stpmin = stmin_, stpmax = stmax_;
  const double sgnd = dp * (dx / std::abs(dx));
  double stpf = 0;
  if (fp > fx) {
    const double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
    const double s = std::max({std::abs(theta), std::abs(dx), std::abs(dp)});
    double gamma = s * std::sqrt(std::max(0.0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
    if (stp < stx) gamma = -gamma;
    const double p = (gamma - dx) + theta;
    const double q = ((gamma - dx) + gamma) + dp;
    const double stpc = stx + (p / q) * (stp - stx);
    const double stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx);
    stpf = std::abs(stpc - stx) < std::abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2.0;
    brackt_ = true;
  } else if (sgnd < 0) {
    const double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
    const double s = std::max({std::abs(theta), std::abs(dx), std::abs(dp)});
    double gamma = s * std::sqrt(std::max(0.0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
    if (stp > stx) gamma = -gamma;
    const double p = (gamma - dp) + theta;
    const double q = ((gamma - dp) + gamma) + dx;
    const double stpc = stp + (p / q) * (stx - stp);
    const double stpq = stp + (dp / (dp - dx)) * (stx - stp);
    stpf = std::abs(stpc - stp) > std::abs(stpq - stp) ? stpc : stpq;
    brackt_ = true;
  } else if (std::abs(dp) < std::abs(dx)) {
    const double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
    const double s = std::max({std::abs(theta), std::abs(dx), std::abs(dp)});
    double gamma = s * std::sqrt(std::max(0.0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
    if (stp > stx) gamma = -gamma;
    const double p = (gamma - dp) + theta;
    const double q = (gamma + (dx - dp)) + gamma;
    const double r = p / q;
    double stpc;
    if (r < 0 && gamma != 0)
      stpc = stp + r * (stx - stp);
    else
      stpc = stp > stx ? stpmax : stpmin;
    const double stpq = stp + (dp / (dp - dx)) * (stx - stp);
    if (brackt_) {
      stpf = std::abs(stpc - stp) < std::abs(stpq - stp) ? stpc : stpq;
      stpf = stp > stx ? std::min(stp + 0.66 * (sty - stp), stpf)
                       : std::max(stp + 0.66 * (sty - stp), stpf);
    } else {
      stpf = std::abs(stpc - stp) > std::abs(stpq - stp) ? stpc : stpq;
      stpf = std::max(stpmin, std::min(stpmax, stpf));
    }
  } else {
    if (brackt_) {
      const double theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp;
      const double s = std::max({std::abs(theta), std::abs(dy), std::abs(dp)});
      double gamma =
          s * std::sqrt(std::max(0.0, (theta / s) * (theta / s) - (dy / s) * (dp / s)));
      if (stp > sty) gamma = -gamma;
      const double p = (gamma - dp) + theta;
      const double q = ((gamma - dp) + gamma) + dy;
      stpf = stp + (p / q) * (sty - stp);
    } else {
      stpf = stp > stx ? stpmax : stpmin;
    }
  }
  if (fp > fx) {
    sty = stp;
    fy = fp;
    dy = dp;
  } else {
    if (sgnd < 0) {
      sty = stx;
      fy = fx;
      dy = dx;
    }
    stx = stp;
    fx = fp;
    dx = dp;
  }
  stp = stpf;
}

float sigmoid(float z) {
  if (z >= 0) return 1.0f / (1.0f + std::exp(-z));
  const float e = std::exp(z);
  return e / (1.0f + e);
}

Eigen::VectorXd linear_objective(const LinearProblem& problem, const LinearOptions& options,
                                 const Eigen::MatrixXd& theta, Eigen::MatrixXd* gradient) {
  const Prepared pr = prepare(problem, options);
  if (theta.rows() != pr.p || theta.cols() != pr.t)
    throw Error(fmt::format("linear_objective: theta is {} x {}, expected {} x {}", theta.rows(),
                            theta.cols(), pr.p, pr.t));
  std::vector<Index> ids(static_cast<std::size_t>(pr.t));
  for (Index t = 0; t < pr.t; ++t) ids[static_cast<std::size_t>(t)] = t;
  const Eigen::MatrixXd z = apply_parameters(problem, options, pr, theta).cast<double>();
  Eigen::VectorXd f;
  Eigen::MatrixXd grad;
  objective_batch(problem, options, pr, ids, z, theta, f, grad);
  if (gradient) *gradient = std::move(grad);
  return f;
}

LinearFit fit_linear(const LinearProblem& problem, const LinearOptions& given) {
  const Prepared pr = prepare(problem, given);
  const Index p = pr.p, t_all = pr.t, m = given.memory;
  const Index pen = penalised_rows(pr);

  LinearFit fit;
  fit.loss = given.loss;
  fit.constant = pr.constant;
  fit.iterations.assign(static_cast<std::size_t>(t_all), 0);
  fit.converged.assign(static_cast<std::size_t>(t_all), 0);

  Eigen::MatrixXd theta = Eigen::MatrixXd::Zero(p, t_all);
  Eigen::MatrixXd grad = Eigen::MatrixXd::Zero(p, t_all);
  Eigen::VectorXd f = Eigen::VectorXd::Zero(t_all);
  Eigen::MatrixXd z = Eigen::MatrixXd::Zero(pr.n, t_all);
  Eigen::MatrixXd hist_s(p, m * t_all), hist_y(p, m * t_all);
  Eigen::VectorXd hist_rho(m * t_all);
  std::vector<TargetState> state(static_cast<std::size_t>(t_all));

  std::vector<Index> fitted;  // targets that need a fit
  for (Index t = 0; t < t_all; ++t) {
    if (pr.constant[static_cast<std::size_t>(t)] >= 0)
      state[static_cast<std::size_t>(t)].done = true;
    else
      fitted.push_back(t);
  }

  // gather / scatter between all-target matrices and the active columns
  auto gather = [](const Eigen::MatrixXd& all, const std::vector<Index>& ids) {
    Eigen::MatrixXd out(all.rows(), static_cast<Index>(ids.size()));
    for (std::size_t c = 0; c < ids.size(); ++c) out.col(static_cast<Index>(c)) = all.col(ids[c]);
    return out;
  };
  auto evaluate = [&](const std::vector<Index>& ids, const LinearOptions& opts) {
    Eigen::VectorXd fa;
    Eigen::MatrixXd ga;
    objective_batch(problem, opts, pr, ids, gather(z, ids), gather(theta, ids), fa, ga);
    return std::make_pair(fa, ga);
  };

  // One lockstep L-BFGS over the targets `active`. Groups touch disjoint columns of the shared
  // matrices. With the AVX2 kernels every product sums each output element in the same order
  // whatever the grouping, so the result does not depend on the thread count (Eigen's
  // fallback products may round differently for different splits).
  auto solve = [&](std::vector<Index> active, const LinearOptions& options) {
    if (!active.empty()) {  // the starting point w = 0, b = 0 (sklearn's w0)
      auto [fa, ga] = evaluate(active, options);
      std::vector<Index> still;
      for (std::size_t c = 0; c < active.size(); ++c) {
        const Index t = active[c];
        f(t) = fa(static_cast<Index>(c));
        grad.col(t) = ga.col(static_cast<Index>(c));
        if (grad.col(t).cwiseAbs().maxCoeff() <= options.tol) {
          state[static_cast<std::size_t>(t)].done = true;
          state[static_cast<std::size_t>(t)].converged = true;
        } else {
          still.push_back(t);
        }
      }
      active.swap(still);
    }

    while (!active.empty()) {
      const Index a = static_cast<Index>(active.size());
      // 1. search directions: the L-BFGS two-loop recursion, per target
      Eigen::MatrixXd dir(p, a);
      Eigen::VectorXd first_step(a);
      parallel_for_cost(a, options.threads, p * (2 * m + 1), [&](Index c) {
        const Index t = active[static_cast<std::size_t>(c)];
        TargetState& st = state[static_cast<std::size_t>(t)];
        Eigen::VectorXd q = grad.col(t);
        std::vector<double> alpha(static_cast<std::size_t>(st.count));
        for (int i = st.count - 1; i >= 0; --i) {  // newest to oldest
          const Index slot = t * m + (st.head - st.count + i + m) % m;
          alpha[static_cast<std::size_t>(i)] = hist_rho(slot) * hist_s.col(slot).dot(q);
          q -= alpha[static_cast<std::size_t>(i)] * hist_y.col(slot);
        }
        if (st.count > 0) {
          const Index newest = t * m + (st.head - 1 + m) % m;
          q *= hist_s.col(newest).dot(hist_y.col(newest)) / hist_y.col(newest).squaredNorm();
        }
        for (int i = 0; i < st.count; ++i) {  // oldest to newest
          const Index slot = t * m + (st.head - st.count + i + m) % m;
          const double beta = hist_rho(slot) * hist_y.col(slot).dot(q);
          q += hist_s.col(slot) * (alpha[static_cast<std::size_t>(i)] - beta);
        }
        dir.col(c) = -q;
        if (dir.col(c).dot(grad.col(t)) >= 0) {  // not a descent direction: restart
          st.count = 0;
          dir.col(c) = -grad.col(t);
        }
        // L-BFGS-B's first trial step: 1 / ‖d‖ on the first iteration, then 1
        first_step(c) = st.iter == 0 && st.count == 0 ? 1.0 / dir.col(c).norm() : 1.0;
      });

      // 2. one batched product gives every target's z along its direction
      const Matrix xd = apply_parameters(problem, options, pr, dir);

      // 3. line searches, each on its own target's φ(α) = f(θ + α d), no product needed; the
      //    data terms of the last evaluation (the accepted point) are kept for the gradient
      Eigen::VectorXd step(a), f_data(a);
      Matrix gz(pr.n, a);
      std::vector<char> accepted(static_cast<std::size_t>(a), 0);
      parallel_for_cost(a, options.threads, 2 * pr.n, [&](Index c) {
        const Index t = active[static_cast<std::size_t>(c)];
        const Eigen::VectorXd d = dir.col(c);
        const double ww = theta.col(t).head(pen).squaredNorm();
        const double wd = theta.col(t).head(pen).dot(d.head(pen));
        const double dd = d.head(pen).squaredNorm();
        auto phi = [&](double s, double* dphi) {
          double slope = 0;
          f_data(c) = data_terms(pr, options.loss, t, z.col(t).data(), xd.col(c).data(), s,
                                 gz.col(c).data(), &slope);
          *dphi = slope + (wd + s * dd) / options.C;
          return f_data(c) + (ww + 2 * s * wd + s * s * dd) / (2 * options.C);
        };
        const double g0 = d.dot(grad.col(t));
        MoreThuenteLineSearch search;
        double stp = first_step(c);
        search.start(f(t), g0, stp);
        for (int eval = 0; eval < kMaxLineSearch; ++eval) {
          double slope = 0;
          const double value = phi(stp, &slope);
          if (!std::isfinite(value)) {
            stp *= 0.1;  // overflow far along the line: shorten (dcsrch never sees it)
            continue;
          }
          if (search.step(value, slope, stp) != MoreThuenteLineSearch::Evaluate) {
            accepted[static_cast<std::size_t>(c)] = 1;
            break;
          }
        }
        step(c) = stp;
      });

      // 4. move the accepted targets; a failed search restarts from steepest descent, or stops
      //    the target when it already was one (L-BFGS-B's abnormal termination)
      std::vector<Index> moved;
      std::vector<Index> moved_col;
      for (Index c = 0; c < a; ++c) {
        const Index t = active[static_cast<std::size_t>(c)];
        TargetState& st = state[static_cast<std::size_t>(t)];
        if (!accepted[static_cast<std::size_t>(c)]) {
          if (st.count == 0) st.done = true;
          st.count = 0;
          continue;
        }
        theta.col(t) += step(c) * dir.col(c);
        z.col(t) += step(c) * xd.col(c).cast<double>();
        moved.push_back(t);
        moved_col.push_back(c);
      }

      // 5. gradients at the new points: one batched Xᵀ G
      if (!moved.empty()) {
        Matrix gz_moved(pr.n, static_cast<Index>(moved.size()));
        Eigen::VectorXd f_moved(static_cast<Index>(moved.size()));
        for (std::size_t c = 0; c < moved.size(); ++c) {
          gz_moved.col(static_cast<Index>(c)) = gz.col(moved_col[c]);
          f_moved(static_cast<Index>(c)) = f_data(moved_col[c]);
        }
        Eigen::VectorXd fa;
        Eigen::MatrixXd ga;
        finish_objective(problem, options, pr, moved, gz_moved, gather(theta, moved), f_moved,
                         fa, ga);
        for (std::size_t c = 0; c < moved.size(); ++c) {
          const Index t = moved[c];
          const Index dc = moved_col[c];
          TargetState& st = state[static_cast<std::size_t>(t)];
          const double f_old = f(t);
          const Eigen::VectorXd s = step(dc) * dir.col(dc);
          const Eigen::VectorXd y = ga.col(static_cast<Index>(c)) - grad.col(t);
          const double sy = s.dot(y);
          if (sy > kEps * -s.dot(grad.col(t))) {  // L-BFGS-B's curvature test
            const Index slot = t * m + st.head;
            hist_s.col(slot) = s;
            hist_y.col(slot) = y;
            hist_rho(slot) = 1.0 / sy;
            st.head = static_cast<int>((st.head + 1) % m);
            st.count = static_cast<int>(std::min<Index>(st.count + 1, m));
          }
          f(t) = fa(static_cast<Index>(c));
          grad.col(t) = ga.col(static_cast<Index>(c));
          ++st.iter;
          if (grad.col(t).cwiseAbs().maxCoeff() <= options.tol ||
              f_old - f(t) <= kFtol * std::max({std::abs(f_old), std::abs(f(t)), 1.0})) {
            st.done = true;
            st.converged = true;
          } else if (st.iter >= options.max_iter) {
            st.done = true;
          }
        }
      }
      std::vector<Index> still;
      for (Index t : active)
        if (!state[static_cast<std::size_t>(t)].done) still.push_back(t);
      active.swap(still);
    }
  };

  // Both cores: with at least as many targets as threads, each thread runs the solver on its
  // own contiguous share of the targets (one thread start per fit, no synchronisation per
  // iteration); otherwise the products and per-target loops of one group use the threads.
  const int threads = resolve_threads(given.threads);
  const Index work = static_cast<Index>(fitted.size()) * pr.n * p;
  const int groups = static_cast<int>(std::min<Index>(
      {Index{threads}, static_cast<Index>(fitted.size()), std::max<Index>(1, work / 200000)}));
  if (groups <= 1) {
    solve(fitted, given);
  } else {
    LinearOptions inner = given;
    inner.threads = 1;
    const Index count = static_cast<Index>(fitted.size());
    auto run = [&](int g) {
      solve(std::vector<Index>(fitted.begin() + count * g / groups,
                               fitted.begin() + count * (g + 1) / groups),
            inner);
    };
    parallel_parts(groups, run);
  }

  for (Index t = 0; t < t_all; ++t) {
    fit.iterations[static_cast<std::size_t>(t)] = state[static_cast<std::size_t>(t)].iter;
    fit.converged[static_cast<std::size_t>(t)] = state[static_cast<std::size_t>(t)].converged;
  }
  fit.weights = theta.topRows(pr.d).cast<float>();
  fit.extra_weights = theta.middleRows(pr.d, pr.k).cast<float>();
  fit.intercept = theta.row(p - 1).transpose().cast<float>();
  return fit;
}

Matrix linear_feature_decisions(const Dataset& x, const LinearFit& fit, int threads) {
  if (feature_columns(x) != fit.weights.rows())
    throw Error(fmt::format("the model was fitted on {} features, the data has {}",
                            fit.weights.rows(), feature_columns(x)));
  Matrix out = features_times_fast(x, fit.weights, threads);
  out.rowwise() += fit.intercept.transpose();
  for (Index t = 0; t < fit.num_targets(); ++t)
    if (fit.constant[static_cast<std::size_t>(t)] >= 0) out.col(t).setZero();
  return out;
}

ScoreMatrix linear_scores(const Dataset& x, const LinearFit& fit, int threads) {
  if (fit.extra_weights.rows() != 0)
    throw Error("linear_scores: the fit uses extra columns (score it as a chain)");
  const Matrix z = linear_feature_decisions(x, fit, threads);
  ScoreMatrix out(z.rows(), z.cols());
  for (Index t = 0; t < z.cols(); ++t) {
    const int c = fit.constant[static_cast<std::size_t>(t)];
    for (Index i = 0; i < z.rows(); ++i)
      out(i, t) = c >= 0 ? static_cast<float>(c) : sigmoid(z(i, t));
  }
  return out;
}

}  // namespace lg::models
