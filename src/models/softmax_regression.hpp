#pragma once
// Multinomial (softmax) logistic regression with an L2 penalty: the base learner of the label
// powerset family (lp, rakel, lp-communities).
//
// The objective is scikit-learn 1.2's LogisticRegression(multi_class="multinomial",
// solver="lbfgs"), divided by C:
//
//   f(W, b) = sum_i [ logsumexp_k(x_i W_k + b_k) - (x_i W_{y_i} + b_{y_i}) ] + ||W||^2 / (2C)
//
// with one weight column and one intercept per class (K columns, the over-parameterised form
// sklearn uses); intercepts are not penalised. Because f only sees differences of intercepts,
// they are returned centred (sum 0); probabilities and W are unique.
//
// Solver: L-BFGS from LBFGS++ (strong-Wolfe line search, 10 correction pairs), in double on
// the parameter vector; the products X W and X^T G run in float through models/feature_ops
// (dense or CSR, all K classes at once, over `threads`). Stopping, as scipy's L-BFGS-B under
// sklearn: the gradient's 2-norm <= tol (sklearn tests the max-norm, so this is slightly
// stricter), or a relative decrease of f below 2.2e-9 (scipy's default ftol), or max_iter
// iterations. When the float products limit the attainable precision the line search can
// stall before that; the best point seen is kept and `converged` says false.
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/dataset.hpp"
#include "models/feature_ops.hpp"

namespace lg::models {

struct SoftmaxOptions {
  double C = 1.0;      ///< inverse L2 strength (> 0)
  double tol = 1e-4;   ///< gradient 2-norm at which to stop (> 0)
  int max_iter = 100;  ///< L-BFGS iterations at most (>= 1)
  int threads = 0;     ///< threads for the products; 0 = all cores
};

/// What a fit did.
struct SoftmaxReport {
  int iterations = 0;      ///< L-BFGS iterations used; -1 when the line search stalled
  bool converged = false;  ///< a stopping test (gradient or ftol) was met before max_iter
  double objective = 0.0;  ///< f at the returned point
};

class SoftmaxRegression {
 public:
  /// Fit on the rows of `x` with class ids `y` (one per row, in [0, num_classes)).
  /// Throws lg::Error for a size mismatch, a class id out of range, non-finite features or
  /// fewer than 2 classes. A class without rows is allowed (its probability tends to 0).
  SoftmaxReport fit(const Dataset& x, const std::vector<int>& y, int num_classes,
                    const SoftmaxOptions& options);

  /// N x K class probabilities (rows sum to 1). Throws lg::Error when called before fit() or
  /// with a different feature count.
  Matrix predict_proba(const Dataset& x, int threads = 0) const;

  /// D x K weights (column k = class k).
  const Matrix& coefficients() const { return weights_; }
  /// K intercepts, centred to sum 0.
  const Eigen::VectorXf& intercepts() const { return intercepts_; }
  int num_classes() const { return static_cast<int>(intercepts_.size()); }

 private:
  Matrix weights_;
  Eigen::VectorXf intercepts_;
};

/// Columns of a data set's feature matrix (the matrix, not the name list, which may be empty).
Index feature_columns(const Dataset& x);

/// Throws lg::Error naming the first non-finite feature value (row, column) of `x`;
/// `what` names the caller in the message.
void check_finite_features(const Dataset& x, const std::string& what);

}  // namespace lg::models
