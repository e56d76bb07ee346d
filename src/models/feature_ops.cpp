#include "models/feature_ops.hpp"

#include <algorithm>
#include <thread>
#include <vector>

#include "core/parallel.hpp"
#include "core/error.hpp"

namespace lg::models {
namespace {

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
  const int parts = static_cast<int>(std::min<Index>(resolve_threads(threads), std::max<Index>(1, n / 256)));
  parallel_parts(parts, [&](int t) {
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
  const int wanted = resolve_threads(threads);
  Matrix out(d, k);
  if (k >= wanted) {  // split G's columns: no reduction needed
    const int parts = static_cast<int>(std::min<Index>(wanted, k));
    parallel_parts(parts, [&](int t) {
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
  parallel_parts(parts, [&](int t) {
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

// ---- AVX2/FMA kernels (run-time dispatch) -------------------------------------------------

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define LG_AVX2 __attribute__((target("avx2,fma")))

namespace lg::models {
namespace {

LG_AVX2 inline float horizontal_sum(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
}

/// Lanes [0, r) of a mask for _mm256_maskload_ps / _mm256_maskstore_ps (0 < r < 8).
LG_AVX2 inline __m256i tail_mask(Index r) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(r)), lanes);
}

/// out(row + r, a) = X.row(row + r) · W.col(a) for R rows and B columns from (row, col): one
/// pass over the rows, 8 features at a time (a masked load for the last d % 8). R x B
/// accumulators stay in registers (R B + R + 1 <= 16). The sum of every output element runs
/// over j in the same order whatever R, B and the row split are.
/// x: row-major, ld d; w: column-major, ld ldw; out: column-major, ld n.
template <int R, int B>
LG_AVX2 void times_block(const float* x, Index d, const float* w, Index ldw, float* out, Index n,
                         Index row, Index col) {
  __m256 acc[R][B];
  for (int r = 0; r < R; ++r)
    for (int b = 0; b < B; ++b) acc[r][b] = _mm256_setzero_ps();
  const Index d8 = d & ~Index{7};
  for (Index j = 0; j < d8; j += 8) {
    __m256 xv[R];
    for (int r = 0; r < R; ++r) xv[r] = _mm256_loadu_ps(x + (row + r) * d + j);
    for (int b = 0; b < B; ++b) {
      const __m256 wv = _mm256_loadu_ps(w + (col + b) * ldw + j);
      for (int r = 0; r < R; ++r) acc[r][b] = _mm256_fmadd_ps(xv[r], wv, acc[r][b]);
    }
  }
  if (d8 < d) {
    const __m256i mask = tail_mask(d - d8);
    __m256 xv[R];
    for (int r = 0; r < R; ++r) xv[r] = _mm256_maskload_ps(x + (row + r) * d + d8, mask);
    for (int b = 0; b < B; ++b) {
      const __m256 wv = _mm256_maskload_ps(w + (col + b) * ldw + d8, mask);
      for (int r = 0; r < R; ++r) acc[r][b] = _mm256_fmadd_ps(xv[r], wv, acc[r][b]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int b = 0; b < B; ++b) out[(col + b) * n + row + r] = horizontal_sum(acc[r][b]);
}

template <int R>
LG_AVX2 void times_rows(const float* x, Index d, const float* w, Index ldw, Index b, float* out,
                        Index n, Index row, Index col) {
  switch (b) {
    case 6: times_block<R, 6>(x, d, w, ldw, out, n, row, col); break;
    case 5: times_block<R, 5>(x, d, w, ldw, out, n, row, col); break;
    case 4: times_block<R, 4>(x, d, w, ldw, out, n, row, col); break;
    case 3: times_block<R, 3>(x, d, w, ldw, out, n, row, col); break;
    case 2: times_block<R, 2>(x, d, w, ldw, out, n, row, col); break;
    default: times_block<R, 1>(x, d, w, ldw, out, n, row, col); break;
  }
}

/// Rows [begin, end) of X W: pairs of rows, up to 6 columns of W per pass over X.
LG_AVX2 void times_avx2(const float* x, Index d, const float* w, Index ldw, Index k, float* out,
                        Index n, Index begin, Index end) {
  for (Index col = 0; col < k; col += 6) {
    const Index b = std::min<Index>(6, k - col);
    Index row = begin;
    for (; row + 2 <= end; row += 2) times_rows<2>(x, d, w, ldw, b, out, n, row, col);
    if (row < end) times_rows<1>(x, d, w, ldw, b, out, n, row, col);
  }
}

/// out(j .. j+8V, a) = Σ_i X(i, j ..) G(i, a) for B columns of G from `col`, i in order;
/// `width` < 8 (V = 1 only) masks the last features. 2 B + V + 1 <= 16 registers.
/// out: column-major, ld d; g: column-major, ld ldg.
template <int V, int B>
LG_AVX2 void transpose_block(const float* x, Index n, Index d, const float* g, Index ldg,
                             float* out, Index j, Index width, Index col) {
  __m256 acc[B][V];
  for (int b = 0; b < B; ++b)
    for (int v = 0; v < V; ++v) acc[b][v] = _mm256_setzero_ps();
  if (width == 8 * V) {
    for (Index i = 0; i < n; ++i) {
      __m256 xv[V];
      for (int v = 0; v < V; ++v) xv[v] = _mm256_loadu_ps(x + i * d + j + 8 * v);
      for (int b = 0; b < B; ++b) {
        const __m256 gv = _mm256_broadcast_ss(g + (col + b) * ldg + i);
        for (int v = 0; v < V; ++v) acc[b][v] = _mm256_fmadd_ps(gv, xv[v], acc[b][v]);
      }
    }
    for (int b = 0; b < B; ++b)
      for (int v = 0; v < V; ++v) _mm256_storeu_ps(out + (col + b) * d + j + 8 * v, acc[b][v]);
    return;
  }
  const __m256i mask = tail_mask(width);  // V == 1 here
  for (Index i = 0; i < n; ++i) {
    const __m256 xv = _mm256_maskload_ps(x + i * d + j, mask);
    for (int b = 0; b < B; ++b)
      acc[b][0] = _mm256_fmadd_ps(_mm256_broadcast_ss(g + (col + b) * ldg + i), xv, acc[b][0]);
  }
  for (int b = 0; b < B; ++b) _mm256_maskstore_ps(out + (col + b) * d + j, mask, acc[b][0]);
}

template <int V>
LG_AVX2 void transpose_columns(const float* x, Index n, Index d, const float* g, Index ldg,
                               Index k, float* out, Index j, Index width) {
  for (Index col = 0; col < k; col += 6) {
    switch (std::min<Index>(6, k - col)) {
      case 6: transpose_block<V, 6>(x, n, d, g, ldg, out, j, width, col); break;
      case 5: transpose_block<V, 5>(x, n, d, g, ldg, out, j, width, col); break;
      case 4: transpose_block<V, 4>(x, n, d, g, ldg, out, j, width, col); break;
      case 3: transpose_block<V, 3>(x, n, d, g, ldg, out, j, width, col); break;
      case 2: transpose_block<V, 2>(x, n, d, g, ldg, out, j, width, col); break;
      default: transpose_block<V, 1>(x, n, d, g, ldg, out, j, width, col); break;
    }
  }
}

/// Feature columns [begin, end) of Xᵀ G (begin a multiple of 8): 16 features and up to 6
/// columns of G per pass over X, then 8, then the masked rest.
LG_AVX2 void transpose_avx2(const float* x, Index n, Index d, const float* g, Index ldg, Index k,
                            float* out, Index begin, Index end) {
  Index j = begin;
  for (; j + 16 <= end; j += 16) transpose_columns<2>(x, n, d, g, ldg, k, out, j, 16);
  for (; j < end; j += 8)
    transpose_columns<1>(x, n, d, g, ldg, k, out, j, std::min<Index>(8, end - j));
}

bool cpu_has_avx2() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}

}  // namespace

bool fast_kernels_available() { return cpu_has_avx2(); }

Matrix features_times_fast(const Dataset& x, const Eigen::Ref<const Matrix>& w, int threads) {
  if (x.sparse || !cpu_has_avx2()) return features_times(x, w, threads);
  const Index n = x.dense.rows(), d = x.dense.cols(), k = w.cols();
  if (w.rows() != d) throw Error("features_times: weight rows do not match the feature count");
  Matrix out(n, k);
  // about 1 M multiply-adds per thread before a second thread pays
  const Index work = n * d * std::max<Index>(k, 1);
  const int parts = static_cast<int>(
      std::max<Index>(1, std::min<Index>({resolve_threads(threads), work / (1 << 20), n / 16})));
  parallel_parts(parts, [&](int t) {
    auto [b, e] = part(n, t, parts);
    times_avx2(x.dense.data(), d, w.data(), w.outerStride(), k, out.data(), n, b, e);
  });
  return out;
}

Matrix features_transpose_times_fast(const Dataset& x, const Eigen::Ref<const Matrix>& g,
                                     int threads) {
  if (x.sparse || !cpu_has_avx2()) return features_transpose_times(x, g, threads);
  const Index n = x.dense.rows(), d = x.dense.cols(), k = g.cols();
  if (g.rows() != n) throw Error("features_transpose_times: row counts differ");
  Matrix out(d, k);
  const Index blocks = (d + 7) / 8;  // split the feature columns in blocks of 8 over threads
  const Index work = n * d * std::max<Index>(k, 1);
  const int parts = static_cast<int>(
      std::max<Index>(1, std::min<Index>({resolve_threads(threads), work / (1 << 20), blocks})));
  parallel_parts(parts, [&](int t) {
    auto [b, e] = part(blocks, t, parts);
    transpose_avx2(x.dense.data(), n, d, g.data(), g.outerStride(), k, out.data(), 8 * b,
                   std::min(d, 8 * e));
  });
  return out;
}

}  // namespace lg::models

#else  // not x86-64 GCC / Clang: the Eigen products

namespace lg::models {
bool fast_kernels_available() { return false; }
Matrix features_times_fast(const Dataset& x, const Eigen::Ref<const Matrix>& w, int threads) {
  return features_times(x, w, threads);
}
Matrix features_transpose_times_fast(const Dataset& x, const Eigen::Ref<const Matrix>& g,
                                     int threads) {
  return features_transpose_times(x, g, threads);
}
}  // namespace lg::models

#endif
