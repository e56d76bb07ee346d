#include "data/standardize.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace lg {
namespace {

Index feature_columns(const Dataset& d) { return d.sparse ? d.csr.cols() : d.dense.cols(); }

/// The divisor of a column: its standard deviation, or 1 when the variance is within the
/// rounding error of a constant column (sklearn 1.2's _is_constant_feature bound:
/// var <= n eps var + (n mean eps)^2).
double column_scale(double variance, double mean, Index n) {
  const double eps = std::numeric_limits<double>::epsilon();
  const double rows = static_cast<double>(n);
  const double bound = rows * eps * variance + (rows * mean * eps) * (rows * mean * eps);
  return variance <= bound ? 1.0 : std::sqrt(variance);
}

}  // namespace

Standardizer Standardizer::fit(const Dataset& train) {
  const Index d = feature_columns(train);
  const Index n = train.sparse ? train.csr.rows() : train.dense.rows();
  if (n == 0) throw Error(fmt::format("standardize: data set '{}' has no rows", train.name));
  Standardizer s;
  s.mean = Eigen::VectorXd::Zero(d);
  s.scale = Eigen::VectorXd::Ones(d);
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(d);
  Eigen::VectorXd sum_sq = Eigen::VectorXd::Zero(d);
  if (!train.sparse) {
    if (!train.dense.allFinite())
      throw Error(fmt::format("standardize: data set '{}' has a non-finite feature value",
                              train.name));
    // two passes in double: the mean, then the squared deviations (no cancellation)
    for (Index i = 0; i < n; ++i) sum += train.dense.row(i).transpose().cast<double>();
    s.mean = sum / static_cast<double>(n);
    for (Index i = 0; i < n; ++i)
      sum_sq += (train.dense.row(i).transpose().cast<double>() - s.mean).array().square().matrix();
    const Eigen::VectorXd var = sum_sq / static_cast<double>(n);
    for (Index j = 0; j < d; ++j) s.scale(j) = column_scale(var(j), s.mean(j), n);
    return s;
  }
  // sparse: scale only (with_mean=False), the variance still counts the implicit zeros
  for (Index i = 0; i < n; ++i)
    for (SparseFeatures::InnerIterator it(train.csr, i); it; ++it) {
      if (!std::isfinite(it.value()))
        throw Error(fmt::format("standardize: data set '{}' has a non-finite feature value",
                                train.name));
      sum(it.col()) += it.value();
    }
  const Eigen::VectorXd mean = sum / static_cast<double>(n);
  Eigen::VectorXd nonzero = Eigen::VectorXd::Zero(d);
  for (Index i = 0; i < n; ++i)
    for (SparseFeatures::InnerIterator it(train.csr, i); it; ++it) {
      const double dev = it.value() - mean(it.col());
      sum_sq(it.col()) += dev * dev;
      nonzero(it.col()) += 1;
    }
  for (Index j = 0; j < d; ++j) {
    // the implicit zeros deviate by -mean each
    const double var = (sum_sq(j) + (static_cast<double>(n) - nonzero(j)) * mean(j) * mean(j)) /
                       static_cast<double>(n);
    s.scale(j) = column_scale(var, mean(j), n);
  }
  return s;
}

void Standardizer::apply(Dataset& data) const {
  const Index d = feature_columns(data);
  if (d != scale.size())
    throw Error(fmt::format("standardize: data set '{}' has {} features, the scaler was fitted "
                            "on {}",
                            data.name, d, scale.size()));
  const Eigen::RowVectorXf inv = scale.cwiseInverse().transpose().cast<float>();
  if (!data.sparse) {
    const Eigen::RowVectorXf m = mean.transpose().cast<float>();
    for (Index i = 0; i < data.dense.rows(); ++i)
      data.dense.row(i) = ((data.dense.row(i) - m).array() * inv.array()).matrix();
    return;
  }
  for (Index i = 0; i < data.csr.outerSize(); ++i)
    for (SparseFeatures::InnerIterator it(data.csr, i); it; ++it)
      it.valueRef() *= inv(it.col());
}

}  // namespace lg
