#pragma once
// Feature standardisation as scikit-learn's StandardScaler does it: fitted on the training
// rows only, then applied to train and test. Dense features are centred and divided by the
// population standard deviation (ddof = 0); a constant column is left unscaled (scale 1).
// Sparse features are only scaled (centring would make them dense), like with_mean=False.
#include <Eigen/Core>

#include "core/dataset.hpp"

namespace lg {

struct Standardizer {
  Eigen::VectorXd mean;   ///< D column means (zeros for sparse data)
  Eigen::VectorXd scale;  ///< D divisors (1 for constant columns)

  static Standardizer fit(const Dataset& train);
  /// Standardise `data`'s features in place (same feature count as the fitted set).
  void apply(Dataset& data) const;
};

}  // namespace lg
