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
// Solver: scipy's L-BFGS-B path without bounds, as sklearn runs it: 10 correction pairs, the
// Moré–Thuente line search (models/linear_learner.hpp's MoreThuenteLineSearch, MINPACK's
// dcsrch with L-BFGS-B's settings, at most 20 evaluations, first step 1/‖d‖), stopping when
// max|∂f/∂θ| <= tol, the relative decrease of f is <= 2.2e-9 (scipy's ftol) or after max_iter
// iterations; sklearn's n_iter_ and ours agree on scene and yeast (100, bench/README.md).
// Each iteration costs one X·D and one Xᵀ·G (all K classes at once); the line search needs no
// product since Z(θ + αd) = Z + α XD, with Z kept in double. The products run in float (the
// features are float): AVX-512 kernels where the CPU has them, else models/feature_ops' AVX2
// ones, with every output element summed in the same order for any thread count; the softmax
// pass (exp, log, P − Y, φ and φ') runs in double. If float round-off stalls the line search
// (a tolerance below what float resolves), the fit goes on with double products.
// `threads` workers (0 = all cores) are started once per fit and share the products and the
// softmax pass; results do not depend on their number.
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/dataset.hpp"
#include "models/feature_ops.hpp"

namespace lg::models {

class ModelState;  // models/model_file.hpp

struct SoftmaxOptions {
  double C = 1.0;      ///< inverse L2 strength (> 0)
  double tol = 1e-4;   ///< gradient max-norm at which to stop (> 0), sklearn's tol
  int max_iter = 100;  ///< L-BFGS iterations at most (>= 1)
  int threads = 0;     ///< threads for the products; 0 = all cores
  /// Products in double from the start (slower); by default they run in float and switch to
  /// double only when float round-off stalls the line search.
  bool double_products = false;
};

/// What a fit did.
struct SoftmaxReport {
  int iterations = 0;      ///< L-BFGS iterations used; -1 when the line search stalled
  bool converged = false;  ///< a stopping test (gradient or ftol) was met before max_iter
  double objective = 0.0;  ///< f at the returned point
  /// The fit ran (or finished) with double products: asked for, or float round-off stalled
  /// the line search.
  bool used_double = false;
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
  /// What the last fit() did.
  const SoftmaxReport& report() const { return report_; }
  /// The fitted weights in a model file's state (under `prefix`), and back.
  void save(ModelState& state, const std::string& prefix) const;
  void load(const ModelState& state, const std::string& prefix);

 private:
  SoftmaxReport report_;
  Matrix weights_;
  Eigen::VectorXf intercepts_;
};

/// Columns of a data set's feature matrix (the matrix, not the name list, which may be empty).
Index feature_columns(const Dataset& x);

/// Throws lg::Error naming the first non-finite feature value (row, column) of `x`;
/// `what` names the caller in the message.
void check_finite_features(const Dataset& x, const std::string& what);

}  // namespace lg::models
