#include "models/feature_ops.hpp"

#include <algorithm>
#include <thread>
#include <vector>

#include "core/error.hpp"

namespace lg::models {
namespace {

int resolve(int threads) {
  if (threads > 0) return threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

/// Run body(t) for t in [0, n) on up to n threads (the calling thread takes the last one).
template <class Body>
void parallel(int n, Body body) {
  if (n <= 1) {
    body(0);
    return;
  }
  std::vector<std::thread> pool;
  for (int t = 0; t + 1 < n; ++t) pool.emplace_back(body, t);
  body(n - 1);
  for (std::thread& th : pool) th.join();
}

/// [begin, end) of part t of n parts of `size`.
std::pair<Index, Index> part(Index size, int t, int n) {
  return {size * t / n, size * (t + 1) / n};
}

}  // namespace

Matrix features_times(const Dataset& x, const Eigen::Ref<const Matrix>& w, int threads) {
  if (w.rows() != x.num_features() && w.rows() != (x.sparse ? x.csr.cols() : x.dense.cols()))
    throw Error("features_times: weight rows do not match the feature count");
  const Index n = x.rows();
  Matrix out(n, w.cols());
  // Small products are not worth a thread start.
  const int parts = static_cast<int>(std::min<Index>(resolve(threads), std::max<Index>(1, n / 256)));
  parallel(parts, [&](int t) {
    const auto [b, e] = part(n, t, parts);
    if (x.sparse)
      out.middleRows(b, e - b) = x.csr.middleRows(b, e - b) * w;
    else
      out.middleRows(b, e - b).noalias() = x.dense.middleRows(b, e - b) * w;
  });
  return out;
}

Matrix features_transpose_times(const Dataset& x, const Eigen::Ref<const Matrix>& g, int threads) {
  const Index n = x.rows();
  if (g.rows() != n) throw Error("features_transpose_times: row counts differ");
  const Index d = x.sparse ? x.csr.cols() : x.dense.cols();
  const Index k = g.cols();
  const int wanted = resolve(threads);
  Matrix out(d, k);
  if (k >= wanted) {  // split G's columns: no reduction needed
    const int parts = static_cast<int>(std::min<Index>(wanted, k));
    parallel(parts, [&](int t) {
      const auto [b, e] = part(k, t, parts);
      if (x.sparse)
        out.middleCols(b, e - b) = x.csr.transpose() * g.middleCols(b, e - b);
      else
        out.middleCols(b, e - b).noalias() = x.dense.transpose() * g.middleCols(b, e - b);
    });
    return out;
  }
  const int parts = static_cast<int>(std::min<Index>(wanted, std::max<Index>(1, n / 256)));
  std::vector<Matrix> partial(parts);
  parallel(parts, [&](int t) {
    const auto [b, e] = part(n, t, parts);
    if (x.sparse)
      partial[t] = x.csr.middleRows(b, e - b).transpose() * g.middleRows(b, e - b);
    else
      partial[t].noalias() = x.dense.middleRows(b, e - b).transpose() * g.middleRows(b, e - b);
  });
  out = partial[0];
  for (int t = 1; t < parts; ++t) out += partial[t];  // fixed order: same sum every run
  return out;
}

Eigen::VectorXf row_squared_norms(const Dataset& x) {
  if (!x.sparse) return x.dense.rowwise().squaredNorm();
  Eigen::VectorXf out(x.rows());
  for (Index i = 0; i < x.rows(); ++i) out(i) = x.csr.row(i).squaredNorm();
  return out;
}

}  // namespace lg::models
