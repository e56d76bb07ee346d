#include "models/softmax_regression.hpp"

#include <LBFGS.h>
#include <fmt/format.h>

#include <cmath>
#include <exception>
#include <limits>

#include "core/error.hpp"

namespace lg::models {

Index feature_columns(const Dataset& x) { return x.sparse ? x.csr.cols() : x.dense.cols(); }

void check_finite_features(const Dataset& x, const std::string& what) {
  if (x.sparse) {
    for (Index r = 0; r < x.csr.outerSize(); ++r)
      for (SparseFeatures::InnerIterator it(x.csr, r); it; ++it)
        if (!std::isfinite(it.value()))
          throw Error(fmt::format("{}: feature {} of row {} is not a finite number", what,
                                  it.col() + 1, r + 1));
    return;
  }
  if (x.dense.allFinite()) return;
  for (Index r = 0; r < x.dense.rows(); ++r)
    for (Index c = 0; c < x.dense.cols(); ++c)
      if (!std::isfinite(x.dense(r, c)))
        throw Error(fmt::format("{}: feature {} of row {} is not a finite number", what, c + 1,
                                r + 1));
}

namespace {

/// Softmax of every row of `z` in place (z -> P); returns sum_i [lse_i - z_{i,y_i}].
double softmax_rows(Matrix& z, const std::vector<int>& y) {
  const Eigen::VectorXf m = z.rowwise().maxCoeff();
  z.colwise() -= m;  // shift: exp never overflows
  double loss = 0.0;
  for (Index i = 0; i < z.rows(); ++i) loss -= z(i, y[static_cast<std::size_t>(i)]);
  z = z.array().exp();
  const Eigen::VectorXf s = z.rowwise().sum();
  for (Index i = 0; i < z.rows(); ++i) loss += std::log(static_cast<double>(s(i)));
  z.array().colwise() /= s.array();
  return loss;
}

/// f and its gradient for LBFGS++; remembers the best point, which is what a stalled line
/// search leaves us with.
class Objective {
 public:
  Objective(const Dataset& x, const std::vector<int>& y, Index d, Index k, double inv_c,
            int threads)
      : x_(x), y_(y), d_(d), k_(k), inv_c_(inv_c), threads_(threads) {}

  double operator()(const Eigen::VectorXd& theta, Eigen::VectorXd& grad) {
    const Eigen::Map<const Eigen::MatrixXd> w(theta.data(), d_, k_);
    Matrix z = features_times(x_, w.cast<float>(), threads_);
    z.rowwise() += theta.tail(k_).cast<float>().transpose();
    double f = softmax_rows(z, y_);
    for (Index i = 0; i < z.rows(); ++i) z(i, y_[static_cast<std::size_t>(i)]) -= 1.0f;  // G
    const Matrix xtg = features_transpose_times(x_, z, threads_);
    Eigen::Map<Eigen::MatrixXd> gw(grad.data(), d_, k_);
    gw = xtg.cast<double>() + inv_c_ * w;
    grad.tail(k_) = z.colwise().sum().transpose().cast<double>();
    f += 0.5 * inv_c_ * w.squaredNorm();
    if (f < best_f_) {
      best_f_ = f;
      best_ = theta;
      best_grad_norm_ = grad.norm();
    }
    return f;
  }

  double best_f() const { return best_f_; }
  double best_grad_norm() const { return best_grad_norm_; }
  const Eigen::VectorXd& best() const { return best_; }

 private:
  const Dataset& x_;
  const std::vector<int>& y_;
  Index d_, k_;
  double inv_c_;
  int threads_;
  double best_f_ = std::numeric_limits<double>::infinity();
  double best_grad_norm_ = std::numeric_limits<double>::infinity();
  Eigen::VectorXd best_;
};

}  // namespace

SoftmaxReport SoftmaxRegression::fit(const Dataset& x, const std::vector<int>& y,
                                     int num_classes, const SoftmaxOptions& options) {
  const Index n = x.sparse ? x.csr.rows() : x.dense.rows();
  if (static_cast<Index>(y.size()) != n)
    throw Error(fmt::format("softmax regression: {} class ids for {} rows", y.size(), n));
  if (n == 0) throw Error("softmax regression: no training rows");
  if (num_classes < 2)
    throw Error(fmt::format("softmax regression: needs at least 2 classes, got {}", num_classes));
  if (!(options.C > 0) || !(options.tol > 0) || options.max_iter < 1)
    throw Error("softmax regression: C and tol must be > 0 and max_iter >= 1");
  for (std::size_t i = 0; i < y.size(); ++i)
    if (y[i] < 0 || y[i] >= num_classes)
      throw Error(fmt::format("softmax regression: class id {} of row {} is outside [0, {})", y[i],
                              i + 1, num_classes));
  check_finite_features(x, "softmax regression");

  const Index d = feature_columns(x);
  const Index k = num_classes;
  Objective objective(x, y, d, k, 1.0 / options.C, options.threads);

  LBFGSpp::LBFGSParam<double> param;
  param.m = 10;  // scipy's maxcor
  param.epsilon = options.tol;
  param.epsilon_rel = 0.0;
  param.past = 1;
  param.delta = 2.220446049250313e-09;  // scipy's default ftol (factr 1e7)
  param.max_iterations = options.max_iter;
  param.max_linesearch = 50;
  param.linesearch = LBFGSpp::LBFGS_LINESEARCH_BACKTRACKING_STRONG_WOLFE;
  LBFGSpp::LBFGSSolver<double, LBFGSpp::LineSearchNocedalWright> solver(param);

  Eigen::VectorXd theta = Eigen::VectorXd::Zero(d * k + k);
  SoftmaxReport report;
  double fx = 0.0;
  try {
    report.iterations = solver.minimize(objective, theta, fx);
    report.converged = report.iterations < options.max_iter ||
                       objective.best_grad_norm() <= options.tol;
  } catch (const Error&) {
    throw;
  } catch (const std::exception&) {
    // The line search found no further decrease: float round-off dominates the gradient.
    report.iterations = -1;
    report.converged = false;
  }
  if (objective.best().size() == theta.size()) theta = objective.best();
  report.objective = objective.best_f();

  weights_ = Eigen::Map<const Eigen::MatrixXd>(theta.data(), d, k).cast<float>();
  Eigen::VectorXd b = theta.tail(k);
  b.array() -= b.mean();
  intercepts_ = b.cast<float>();
  return report;
}

Matrix SoftmaxRegression::predict_proba(const Dataset& x, int threads) const {
  if (intercepts_.size() == 0) throw Error("softmax regression: predict_proba() before fit()");
  if (feature_columns(x) != weights_.rows())
    throw Error(fmt::format("softmax regression: fitted on {} features, given {}",
                            weights_.rows(), feature_columns(x)));
  Matrix z = features_times(x, weights_, threads);
  z.rowwise() += intercepts_.transpose();
  const Eigen::VectorXf m = z.rowwise().maxCoeff();
  z.colwise() -= m;
  z = z.array().exp();
  const Eigen::VectorXf s = z.rowwise().sum();
  z.array().colwise() /= s.array();
  return z;
}

}  // namespace lg::models
