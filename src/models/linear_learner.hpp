#pragma once
// Batched L2-regularised linear learners: T binary targets that share the features X are fitted
// as one problem, so every product with X is a matrix product (X·P, Xᵀ·G over all targets at
// once, models/feature_ops) rather than T separate passes.
//
// Objective per target t (the one scikit-learn 1.2's LogisticRegression(solver="lbfgs") and
// liblinear's LinearSVC minimise, scaled as sklearn's lbfgs path scales it):
//   logistic:      f(w, b) = Σ_i s_i log(1 + exp(-y±_i z_i)) + ‖w‖² / (2C),  z = x·w + b
//   squared hinge: f(w, b) = Σ_i s_i max(0, 1 - y±_i z_i)²      + (‖w‖² + b²) / (2C)
// (that is C·Σ loss + ½‖w‖², divided by C). The logistic intercept is not penalised (sklearn);
// the hinge intercept is, as liblinear treats it as a feature of value 1 (intercept_scaling 1).
// s_i = 1, or n / (2 n_c) for the row's class c with class_weight "balanced" (sklearn's
// formula), times an optional per-row weight (bagging counts).
//
// Solver: L-BFGS run in lockstep, one independent L-BFGS state per target, the same algorithm
// as scipy's L-BFGS-B without bounds (memory 10, Moré-Thuente line search with ftol 1e-3,
// gtol 0.9, xtol 0.1, at most 20 evaluations, first step 1/‖g‖), so each target follows the
// path sklearn's fit of that target follows: on the MULAN splits of emotions, scene and yeast
// br and cc give sklearn's Hamming loss to the 6th digit, even on scene where 5 of 6 labels
// stop at max_iter (tests/models/test_br_cc.cpp). Each iteration costs two batched products:
// X·D for the search directions of all active targets (the line search then needs no product,
// since z(w + αd) = z + α·Xd), and Xᵀ·G for the gradients at the accepted points; converged
// targets leave the batch. Measured (bench/README.md, "bench/models"; fit + predict, 1
// thread, shared 2-core VM): batched 0.020-0.027 s against 0.050-0.071 s label by label with
// the same solver on scene (6 labels), 0.021-0.027 against 0.040-0.053 s on yeast (14 labels);
// scikit-learn 0.14-0.25 s on a quiet machine; with 2 threads 0.013-0.017 and 0.011-0.022 s.
// Not taken: LBFGS++ on the stacked problem (one step length and one stopping rule for all
// targets: neither sklearn's per-target path nor its per-target convergence), liblinear per
// target (T separate passes over X per iteration, and its trust-region Newton stops
// differently from sklearn's lbfgs); neither was timed.
//
// Stopping rule per target, as scipy's L-BFGS-B with sklearn's settings: max_i |∂f/∂θ_i| <=
// tol (the gradient of f above, in its units; tol = 1e-4 is sklearn's default), or a relative
// decrease (f_old - f_new) / max(|f_old|, |f_new|, 1) <= 2.2e-9 (scipy's default ftol), or
// max_iter iterations (100, sklearn's default). Targets that stop at max_iter are reported as
// not converged (sklearn warns then).
//
// Arithmetic: products in float (the features are float; dense ones through the AVX2 kernels
// of models/feature_ops when the CPU has them), everything else in double. Memory: the L-BFGS
// history, 2 · memory · P · T doubles (P = D + K + 1), and about 21 bytes per entry of N x T
// (decision values in double, weights, signs, gradient and direction products).
// Threads: the products (feature_ops) and the per-target work (line searches, directions) are
// split over `threads` once a piece is large enough to pay for a thread start.
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "core/dataset.hpp"
#include "models/feature_ops.hpp"

namespace lg::models {

enum class LinearLoss {
  Logistic,      ///< sklearn LogisticRegression(lbfgs)
  SquaredHinge,  ///< liblinear / LinearSVC default (L2-regularised squared hinge)
};

struct LinearOptions {
  LinearLoss loss = LinearLoss::Logistic;  ///< which loss
  double C = 1.0;                          ///< inverse regularisation strength (> 0)
  bool balanced = false;                   ///< class_weight "balanced": n / (2 n_c)
  double tol = 1e-4;                       ///< gradient max-norm tolerance (see above)
  int max_iter = 100;                      ///< L-BFGS iterations per target
  int memory = 10;                         ///< L-BFGS correction pairs (scipy's maxcor)
  int threads = 0;                         ///< 0 = all cores
};

/// Per-target mask over extra columns: mask(k, t) != 0 means target t may use extra column k.
using TargetMask = Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic>;

/// What to fit: targets over X, optionally extra dense input columns E (N x K, e.g. labels
/// for classifier chains) that each target sees through its mask, and optional per-row
/// weights (N x T, >= 0; 0 leaves the row out of that target's problem).
struct LinearProblem {
  const Dataset* x = nullptr;              ///< features, N x D (labels are not read)
  const LabelMatrix* targets = nullptr;    ///< N x T, 0 / 1
  const Matrix* extra = nullptr;           ///< N x K, or nullptr
  const TargetMask* extra_mask = nullptr;  ///< K x T; required with `extra`
  const Matrix* row_weights = nullptr;     ///< N x T, or nullptr (all 1)
};

/// The fitted targets. Decision value z = x·w + e·v + b; score = sigmoid(z) for both losses
/// (so score 0.5 <=> z = 0, the hinge's decision boundary).
struct LinearFit {
  LinearLoss loss = LinearLoss::Logistic;  ///< the loss fitted
  Matrix weights;                          ///< D x T
  Matrix extra_weights;                    ///< K x T, exactly 0 where masked (0 x T: none)
  Eigen::VectorXf intercept;               ///< T
  /// Per target: -1 fitted; 0 or 1: constant training target (no fit, that constant score).
  std::vector<int> constant;
  std::vector<int> iterations;  ///< L-BFGS iterations per target (0 for constant ones)
  std::vector<char> converged;  ///< 1 when the tolerance (not max_iter) stopped it

  Index num_targets() const { return static_cast<Index>(constant.size()); }
};

/// Fit every target. Throws lg::Error for mismatched shapes (rows of X, targets, extras,
/// weights; mask size), a target value other than 0 / 1, negative or non-finite weights,
/// non-finite features, or bad options (C <= 0, tol < 0, max_iter < 1).
LinearFit fit_linear(const LinearProblem& problem, const LinearOptions& options);

/// Decision values of the feature part only, X·W + b (N x T, constant targets give 0).
/// Throws lg::Error when X's feature count differs from the fit's.
Matrix linear_feature_decisions(const Dataset& x, const LinearFit& fit, int threads = 0);

/// Scores sigmoid(X·W + b) for a fit without extra columns, constants applied (N x T).
ScoreMatrix linear_scores(const Dataset& x, const LinearFit& fit, int threads = 0);

/// The numerically stable logistic function used for every score.
float sigmoid(float z);

/// The objective f and its gradient for all targets at parameters `theta` ((D + K + 1) x T:
/// weights, extra weights, intercept; masked extra entries must be 0), through the same
/// batched code the solver uses. Constant targets are evaluated like the others. For tests
/// (finite differences) and diagnostics. `gradient` is resized to theta's shape.
Eigen::VectorXd linear_objective(const LinearProblem& problem, const LinearOptions& options,
                                 const Eigen::MatrixXd& theta, Eigen::MatrixXd* gradient);

/// Moré–Thuente line search on φ(α) = f(θ + α d), a port of MINPACK-2's dcsrch / dcstep with
/// the settings L-BFGS-B uses (ftol 1e-3, gtol 0.9, xtol 0.1, step at most 1e10), so a solver
/// that calls it follows scipy's path. Shared by fit_linear and the softmax regression.
/// Use: start(φ(0), φ'(0), first step), then evaluate φ, φ' at stp and call step() until it
/// returns Converged or Warning (both: accept the last evaluated stp); the caller bounds the
/// number of evaluations (scipy: 20).
class MoreThuenteLineSearch {
 public:
  enum Result { Evaluate, Converged, Warning };

  void start(double f, double g, double stp);
  /// f, g at `stp`; returns whether to accept stp or evaluate at the updated stp.
  Result step(double f, double g, double& stp);

 private:
  static constexpr double kFtolLs = 1e-3, kGtolLs = 0.9, kXtol = 0.1;
  static constexpr double kXtrapL = 1.1, kXtrapU = 4.0, kStpMax = 1e10;

  void cstep(double& stx, double& fx, double& dx, double& sty, double& fy, double& dy,
             double& stp, double fp, double dp);

  bool brackt_ = false;  ///< the minimiser is bracketed
  int stage_ = 1;        ///< 1 until a step with sufficient decrease and g >= 0 is seen
  double finit_ = 0, ginit_ = 0, gtest_ = 0, width_ = 0, width1_ = 0;  ///< dcsrch's state
  double stx_ = 0, fx_ = 0, gx_ = 0, sty_ = 0, fy_ = 0, gy_ = 0, stmin_ = 0, stmax_ = 0;
};

}  // namespace lg::models
