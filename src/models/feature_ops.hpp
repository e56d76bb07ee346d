#pragma once
// The two products every linear learner is made of, for dense or sparse (CSR) features,
// split over threads. Models call these instead of branching on Dataset::sparse themselves.
#include <Eigen/Core>

#include "core/dataset.hpp"

namespace lg::models {

using Matrix = Eigen::MatrixXf;  ///< column-major float: weights, gradients, products

/// X W: (N x D)(D x K) -> N x K. Rows of X are split over `threads` (0 = all cores).
Matrix features_times(const Dataset& x, const Eigen::Ref<const Matrix>& w, int threads = 0);

/// Xᵀ G: (D x N)(N x K) -> D x K. Split over G's columns when K >= threads, else over
/// row blocks of X whose partial products are added in a fixed order (deterministic).
Matrix features_transpose_times(const Dataset& x, const Eigen::Ref<const Matrix>& g,
                                int threads = 0);

/// Squared Euclidean norm of every row of X (N).
Eigen::VectorXf row_squared_norms(const Dataset& x);

}  // namespace lg::models

namespace lg::models {

/// The two products above with hand-written AVX2/FMA kernels for dense features, chosen at
/// run time (other CPUs and sparse features use features_times / features_transpose_times).
/// Eigen is built for the baseline x86-64 (SSE2) here; these are 2-4 times faster on the
/// thin products of the linear learners (K of a few to a few hundred columns). Every output
/// element is summed in the same order whatever `threads` is (rows of X W, resp. feature
/// columns of Xᵀ G, are split over threads), so results do not depend on the thread count.
Matrix features_times_fast(const Dataset& x, const Eigen::Ref<const Matrix>& w, int threads = 0);
Matrix features_transpose_times_fast(const Dataset& x, const Eigen::Ref<const Matrix>& g,
                                     int threads = 0);
/// Whether the fast kernels are in use on this CPU.
bool fast_kernels_available();

}  // namespace lg::models
