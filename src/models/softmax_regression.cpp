#include "models/softmax_regression.hpp"
#include "models/simd_exp.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "core/parallel.hpp"
#include "core/error.hpp"
#include "models/linear_learner.hpp"
#include "models/model_file.hpp"

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

constexpr double kFtol = 2.2204460492503131e-09;  // scipy's default L-BFGS-B ftol (factr 1e7)
constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr int kMaxLineSearch = 20;                 // scipy's maxls
constexpr int kMemory = 10;                        // scipy's maxcor
/// Rows per piece of the softmax pass: partial sums are kept per piece and added in order, so
/// the result does not depend on how many threads took the pieces (a multiple of 8).
constexpr Index kPieceRows = 64;

template <class Real>
using MatrixOf = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>;

inline void cpu_relax() {
#if defined(__x86_64__) && defined(__GNUC__)
  _mm_pause();
#endif
}

/// The threads of one fit: threads - 1 helpers started once, so that the 2-4 parallel steps
/// of every L-BFGS iteration (each 0.1-0.5 ms on yeast) do not each pay a thread start. A
/// helper spins briefly for the next step, then sleeps on a condition variable.
class Team {
 public:
  explicit Team(int threads) {
    for (int t = 1; t < threads; ++t) helpers_.emplace_back([this, t] { serve(t); });
  }
  ~Team() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_.store(true);
      generation_.fetch_add(1);
    }
    wake_.notify_all();
    for (std::thread& th : helpers_) th.join();
  }
  Team(const Team&) = delete;
  Team& operator=(const Team&) = delete;

  int size() const { return static_cast<int>(helpers_.size()) + 1; }

  /// body(t) for t in [0, parts), parts <= size(): t = 0 on the calling thread. Rethrows the
  /// exception of the lowest-numbered failing part.
  void run(int parts, const std::function<void(int)>& body) {
    parts = std::min(parts, size());
    if (parts <= 1) {
      body(0);
      return;
    }
    errors_.assign(static_cast<std::size_t>(parts), nullptr);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      body_ = &body;
      parts_ = parts;
      pending_.store(static_cast<int>(helpers_.size()));  // every helper acknowledges
      generation_.fetch_add(1);
    }
    wake_.notify_all();
    try {
      body(0);
    } catch (...) {
      errors_[0] = std::current_exception();
    }
    for (int spin = 0; pending_.load(std::memory_order_acquire) != 0; ++spin) {
      if (spin < kSpin)
        cpu_relax();
      else
        std::this_thread::yield();
    }
    for (const std::exception_ptr& e : errors_)
      if (e) std::rethrow_exception(e);
  }

 private:
  static constexpr int kSpin = 4000;  ///< pauses (about 50 us) before sleeping / yielding

  void serve(int t) {
    std::uint64_t seen = 0;
    for (;;) {
      std::uint64_t now = generation_.load(std::memory_order_acquire);
      for (int spin = 0; now == seen && spin < kSpin; ++spin) {
        cpu_relax();
        now = generation_.load(std::memory_order_acquire);
      }
      if (now == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load() != seen; });
        now = generation_.load();
      }
      seen = now;
      if (stop_.load()) return;
      if (t < parts_) {
        try {
          (*body_)(t);
        } catch (...) {
          errors_[static_cast<std::size_t>(t)] = std::current_exception();
        }
      }
      pending_.fetch_sub(1, std::memory_order_release);
    }
  }

  std::vector<std::thread> helpers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<std::uint64_t> generation_{0};  ///< one more per step (and at the end)
  std::atomic<int> pending_{0};               ///< helpers yet to finish the current step
  std::atomic<bool> stop_{false};
  const std::function<void(int)>* body_ = nullptr;  ///< the current step
  int parts_ = 0;                                   ///< its parts
  std::vector<std::exception_ptr> errors_;          ///< per part
};

/// Sums of one softmax pass over some rows.
struct PassSums {
  double loss = 0;   ///< Σ_i [lse_i − z_{i,y_i}]
  double slope = 0;  ///< Σ_ik G_ik XD_ik (the data part of φ'(α))
};

/// The softmax pass over rows [begin, end) at Z + α XD (xd may be null: α = 0): writes
/// G = P − Y (N x K, column-major like Z) and returns the loss and slope sums. Scalar code;
/// `e` is scratch of K doubles.
template <class Real>
PassSums softmax_rows_scalar(Index n, Index k, const double* z, const Real* xd, double alpha,
                             const int* y, Real* g, Index begin, Index end, double* e) {
  PassSums sums;
  for (Index i = begin; i < end; ++i) {
    double m = -std::numeric_limits<double>::infinity();
    for (Index c = 0; c < k; ++c) {
      e[c] = z[c * n + i] + (xd ? alpha * static_cast<double>(xd[c * n + i]) : 0.0);
      m = std::max(m, e[c]);
    }
    const double zy = e[y[i]];
    double s = 0;
    for (Index c = 0; c < k; ++c) s += (e[c] = std::exp(e[c] - m));
    sums.loss += std::log(s) + m - zy;
    const double inv = 1.0 / s;
    for (Index c = 0; c < k; ++c) {
      const double p = e[c] * inv - (c == y[i] ? 1.0 : 0.0);
      g[c * n + i] = static_cast<Real>(p);
      if (xd) sums.slope += p * static_cast<double>(xd[c * n + i]);
    }
  }
  return sums;
}

/// Σ a_i b_i (8 independent partial sums: one chain of dependent additions was 15% of a fit).
template <class A, class B>
double dot_generic(const A* a, const B* b, Index size) {
  double sum[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  const Index size8 = size & ~Index{7};
  for (Index i = 0; i < size8; i += 8)
    for (int l = 0; l < 8; ++l) sum[l] += static_cast<double>(a[i + l]) * b[i + l];
  for (Index i = size8; i < size; ++i) sum[0] += static_cast<double>(a[i]) * b[i];
  return ((sum[0] + sum[1]) + (sum[2] + sum[3])) + ((sum[4] + sum[5]) + (sum[6] + sum[7]));
}

/// y += alpha x.
template <class Real>
void axpy_generic(double alpha, const Real* x, double* y, Index size) {
  for (Index i = 0; i < size; ++i) y[i] += alpha * static_cast<double>(x[i]);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define LG_SOFTMAX_AVX2 1
#define LG_AVX2 __attribute__((target("avx2,fma")))

LG_AVX2 inline __m256d load4(const double* p) { return _mm256_loadu_pd(p); }
LG_AVX2 inline __m256d load4(const float* p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
LG_AVX2 inline void store4(double* p, __m256d v) { _mm256_storeu_pd(p, v); }
LG_AVX2 inline void store4(float* p, __m256d v) { _mm_storeu_ps(p, _mm256_cvtpd_ps(v)); }

/// softmax_rows_scalar for rows [begin, end), end - begin a multiple of 4: 4 rows per vector
/// (consecutive rows are adjacent in the column-major Z). `e` is scratch of 4 K doubles.
template <class Real>
LG_AVX2 PassSums softmax_rows_avx2(Index n, Index k, const double* z, const Real* xd,
                                   double alpha, const int* y, Real* g, Index begin, Index end,
                                   double* e) {
  PassSums sums;
  const __m256d a = _mm256_set1_pd(alpha);
  __m256d slope = _mm256_setzero_pd();
  for (Index i = begin; i < end; i += 4) {
    __m256d m = _mm256_set1_pd(-std::numeric_limits<double>::infinity());
    for (Index c = 0; c < k; ++c) {
      __m256d v = _mm256_loadu_pd(z + c * n + i);
      if (xd) v = _mm256_fmadd_pd(a, load4(xd + c * n + i), v);
      _mm256_storeu_pd(e + 4 * c, v);
      m = _mm256_max_pd(m, v);
    }
    alignas(32) double zy[4];
    for (int r = 0; r < 4; ++r) zy[r] = e[4 * y[i + r] + r];
    __m256d s = _mm256_setzero_pd();
    for (Index c = 0; c < k; ++c) {
      const __m256d v = exp_nonpositive(_mm256_sub_pd(_mm256_loadu_pd(e + 4 * c), m));
      _mm256_storeu_pd(e + 4 * c, v);
      s = _mm256_add_pd(s, v);
    }
    alignas(32) double s4[4], m4[4];
    _mm256_store_pd(s4, s);
    _mm256_store_pd(m4, m);
    for (int r = 0; r < 4; ++r) sums.loss += std::log(s4[r]) + m4[r] - zy[r];
    const __m256d inv = _mm256_div_pd(_mm256_set1_pd(1.0), s);
    for (Index c = 0; c < k; ++c) {
      const __m256d p = _mm256_mul_pd(_mm256_loadu_pd(e + 4 * c), inv);
      store4(g + c * n + i, p);
      if (xd) slope = _mm256_fmadd_pd(p, load4(xd + c * n + i), slope);
    }
    // the −1 of the true classes, in the same precision as the rest
    for (int r = 0; r < 4; ++r) {
      const Index at = y[i + r] * n + i + r;
      const double p = e[4 * y[i + r] + r] * (1.0 / s4[r]);
      g[at] = static_cast<Real>(p - 1.0);
      if (xd) sums.slope -= static_cast<double>(xd[at]);
    }
  }
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, slope);
  sums.slope += (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  return sums;
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#define LG_SOFTMAX_AVX512 1
// GCC 12 warns inside avx512fintrin.h about _mm512_undefined_pd() (the "don't care" source of
// unmasked intrinsics) once they are inlined under a target attribute: a false positive,
// GCC bug 105593, fixed in GCC 13.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#define LG_AVX512 __attribute__((target("avx512f,fma")))

bool cpu_has_avx512() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
  return has;
}

// ---- AVX-512 softmax pass and vector helpers ----------------------------------------------

/// exp(x) for x <= 0, 8 lanes (below -708 the result is clamped to exp(-708)): x = n ln2 + r,
/// |r| <= ln2/2, Taylor series to r^12 (relative error about 1e-15), scaled by 2^n.
LG_AVX512 inline __m512d exp_nonpositive(__m512d x) {
  x = _mm512_max_pd(x, _mm512_set1_pd(-708.0));
  const __m512d n = _mm512_roundscale_pd(_mm512_mul_pd(x, _mm512_set1_pd(1.4426950408889634)),
                                         _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512d r = _mm512_fnmadd_pd(n, _mm512_set1_pd(6.93145751953125e-1), x);
  r = _mm512_fnmadd_pd(n, _mm512_set1_pd(1.42860682030941723212e-6), r);
  __m512d p = _mm512_set1_pd(1.0 / 479001600.0);  // 1/12!
  static constexpr double kInverseFactorial[] = {
      1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0, 1.0 / 5040.0,
      1.0 / 720.0,      1.0 / 120.0,     1.0 / 24.0,     1.0 / 6.0,     0.5,
      1.0,              1.0};
  for (const double c : kInverseFactorial) p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(c));
  return _mm512_scalef_pd(p, n);
}

LG_AVX512 inline __m512d load8(const double* p) { return _mm512_loadu_pd(p); }
LG_AVX512 inline __m512d load8(const float* p) { return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }
LG_AVX512 inline void store8(double* p, __m512d v) { _mm512_storeu_pd(p, v); }
LG_AVX512 inline void store8(float* p, __m512d v) { _mm256_storeu_ps(p, _mm512_cvtpd_ps(v)); }

/// softmax_rows_scalar for rows [begin, end), end - begin a multiple of 8: 8 rows per vector
/// (consecutive rows are adjacent in the column-major Z). `e` is scratch of 8 K doubles.
template <class Real>
LG_AVX512 PassSums softmax_rows_avx512(Index n, Index k, const double* z, const Real* xd,
                                       double alpha, const int* y, Real* g, Index begin,
                                       Index end, double* e) {
  PassSums sums;
  const __m512d a = _mm512_set1_pd(alpha);
  __m512d slope = _mm512_setzero_pd();
  for (Index i = begin; i < end; i += 8) {
    __m512d m = _mm512_set1_pd(-std::numeric_limits<double>::infinity());
    for (Index c = 0; c < k; ++c) {
      __m512d v = _mm512_loadu_pd(z + c * n + i);
      if (xd) v = _mm512_fmadd_pd(a, load8(xd + c * n + i), v);
      _mm512_storeu_pd(e + 8 * c, v);
      m = _mm512_max_pd(m, v);
    }
    alignas(64) double zy[8], s8[8], m8[8];
    for (int r = 0; r < 8; ++r) zy[r] = e[8 * y[i + r] + r];
    __m512d s = _mm512_setzero_pd();
    for (Index c = 0; c < k; ++c) {
      const __m512d v = exp_nonpositive(_mm512_sub_pd(_mm512_loadu_pd(e + 8 * c), m));
      _mm512_storeu_pd(e + 8 * c, v);
      s = _mm512_add_pd(s, v);
    }
    _mm512_store_pd(s8, s);
    _mm512_store_pd(m8, m);
    for (int r = 0; r < 8; ++r) sums.loss += std::log(s8[r]) + m8[r] - zy[r];
    const __m512d inv = _mm512_div_pd(_mm512_set1_pd(1.0), s);
    for (Index c = 0; c < k; ++c) {
      const __m512d p = _mm512_mul_pd(_mm512_loadu_pd(e + 8 * c), inv);
      store8(g + c * n + i, p);
      if (xd) slope = _mm512_fmadd_pd(p, load8(xd + c * n + i), slope);
    }
    // the −1 of the true classes
    for (int r = 0; r < 8; ++r) {
      const Index at = y[i + r] * n + i + r;
      g[at] = static_cast<Real>(e[8 * y[i + r] + r] * (1.0 / s8[r]) - 1.0);
      if (xd) sums.slope -= static_cast<double>(xd[at]);
    }
  }
  alignas(64) double lanes8[8];
  _mm512_store_pd(lanes8, slope);
  sums.slope += ((lanes8[0] + lanes8[1]) + (lanes8[2] + lanes8[3])) +
                ((lanes8[4] + lanes8[5]) + (lanes8[6] + lanes8[7]));
  return sums;
}

/// dot_generic with 8 lanes (the same 8 partial sums, so the same result).
template <class B>
LG_AVX512 double dot_avx512(const double* a, const B* b, Index size) {
  __m512d acc = _mm512_setzero_pd();
  const Index size8 = size & ~Index{7};
  for (Index i = 0; i < size8; i += 8) acc = _mm512_fmadd_pd(load8(a + i), load8(b + i), acc);
  alignas(64) double sum[8];
  _mm512_store_pd(sum, acc);
  for (Index i = size8; i < size; ++i) sum[0] += a[i] * static_cast<double>(b[i]);
  return ((sum[0] + sum[1]) + (sum[2] + sum[3])) + ((sum[4] + sum[5]) + (sum[6] + sum[7]));
}

template <class Real>
LG_AVX512 void axpy_avx512(double alpha, const Real* x, double* y, Index size) {
  const __m512d a = _mm512_set1_pd(alpha);
  const Index size8 = size & ~Index{7};
  for (Index i = 0; i < size8; i += 8)
    _mm512_storeu_pd(y + i, _mm512_fmadd_pd(a, load8(x + i), _mm512_loadu_pd(y + i)));
  for (Index i = size8; i < size; ++i) y[i] += alpha * static_cast<double>(x[i]);
}

// ---- AVX-512 products ------------------------------------------------------------------------
// On yeast (1500 x 103 features, 164 classes) the two products are 25 M multiply-adds each,
// 100 times per fit: feature_ops' AVX2 kernels (horizontal sums per output element) ran at
// about 30 G multiply-adds per second there. These keep a 32 x 12 block of the output in 24
// registers and need no horizontal sums: X W reads a column-major copy of X (16 rows per
// register, one broadcast weight per class), Xᵀ G reads X's rows (16 features per register,
// one broadcast G entry per class). Each output element is summed over j (resp. i) in order,
// whatever the thread split. The accumulators are one flat array and every loop is unrolled
// by pragma: with a 2-D array GCC 12 kept the 24 registers but also stored them to the stack
// in every iteration (3 times slower).

/// out(i0 .. i0 + 16 R, c0 .. c0 + B) = bias(c0 ..) + Xc(i0 .., :) W(:, c0 ..); Xc column-major
/// (ld n), W column-major (ld ldw), out column-major (ld n); the last register's rows masked.
template <int R, int B>
LG_AVX512 void times_block512(const float* xc, Index n, Index d, const float* w, Index ldw,
                              const float* bias, float* out, Index i0, Index c0,
                              __mmask16 tail) {
  __m512 acc[R * B];
#pragma GCC unroll 32
  for (int q = 0; q < R * B; ++q) acc[q] = _mm512_set1_ps(bias[c0 + q % B]);
  const float* wc[B];
#pragma GCC unroll 32
  for (int b = 0; b < B; ++b) wc[b] = w + (c0 + b) * ldw;
  const float* xp = xc + i0;
  for (Index j = 0; j < d; ++j, xp += n) {
    __m512 xv[R];
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r)
      xv[r] = r == R - 1 ? _mm512_maskz_loadu_ps(tail, xp + 16 * r) : _mm512_loadu_ps(xp + 16 * r);
#pragma GCC unroll 32
    for (int b = 0; b < B; ++b) {
      const __m512 wv = _mm512_set1_ps(wc[b][j]);
#pragma GCC unroll 32
      for (int r = 0; r < R; ++r) acc[r * B + b] = _mm512_fmadd_ps(xv[r], wv, acc[r * B + b]);
    }
  }
#pragma GCC unroll 32
  for (int b = 0; b < B; ++b)
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r)
      _mm512_mask_storeu_ps(out + (c0 + b) * n + i0 + 16 * r, r == R - 1 ? tail : 0xFFFF,
                            acc[r * B + b]);
}

/// out(j0 .. j0 + 16 R, c0 .. c0 + B) = Σ_i X(i, j0 ..) G(i, c0 ..); X row-major (ld d), G
/// column-major (ld n), out column-major (ld d); the last register's features masked.
template <int R, int B>
LG_AVX512 void transpose_block512(const float* x, Index n, Index d, const float* g, Index j0,
                                  Index c0, float* out, __mmask16 tail) {
  __m512 acc[R * B];
#pragma GCC unroll 32
  for (int q = 0; q < R * B; ++q) acc[q] = _mm512_setzero_ps();
  const float* gc[B];
#pragma GCC unroll 32
  for (int b = 0; b < B; ++b) gc[b] = g + (c0 + b) * n;
  const float* xp = x + j0;
  for (Index i = 0; i < n; ++i, xp += d) {
    __m512 xv[R];
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r)
      xv[r] = r == R - 1 ? _mm512_maskz_loadu_ps(tail, xp + 16 * r) : _mm512_loadu_ps(xp + 16 * r);
#pragma GCC unroll 32
    for (int b = 0; b < B; ++b) {
      const __m512 gv = _mm512_set1_ps(gc[b][i]);
#pragma GCC unroll 32
      for (int r = 0; r < R; ++r) acc[r * B + b] = _mm512_fmadd_ps(xv[r], gv, acc[r * B + b]);
    }
  }
#pragma GCC unroll 32
  for (int b = 0; b < B; ++b)
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r)
      _mm512_mask_storeu_ps(out + (c0 + b) * d + j0 + 16 * r, r == R - 1 ? tail : 0xFFFF,
                            acc[r * B + b]);
}

constexpr Index kBlockRows = 32;  ///< 2 registers of rows (resp. features) per block
constexpr Index kBlockCols = 12;  ///< classes per block: 24 accumulators

/// Lanes [0, r) of a 16-lane mask (r >= 16: all).
inline __mmask16 lanes(Index r) {
  return r >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << r) - 1u);
}

/// One block of either product: `rows` (<= 32) rows or features, `cols` (<= 12) classes.
template <bool Transpose, int R>
LG_AVX512 void block512(const float* a, Index n, Index d, const float* b, Index ldb,
                        const float* bias, float* out, Index r0, Index rows, Index c0,
                        Index cols) {
  const __mmask16 tail = lanes(rows - 16 * (R - 1));
#define LG_BLOCK_CASE(B)                                                \
  case B:                                                               \
    if constexpr (Transpose)                                            \
      transpose_block512<R, B>(a, n, d, b, r0, c0, out, tail);          \
    else                                                                \
      times_block512<R, B>(a, n, d, b, ldb, bias, out, r0, c0, tail);   \
    break;
  switch (cols) {
    LG_BLOCK_CASE(12) LG_BLOCK_CASE(11) LG_BLOCK_CASE(10) LG_BLOCK_CASE(9) LG_BLOCK_CASE(8)
    LG_BLOCK_CASE(7) LG_BLOCK_CASE(6) LG_BLOCK_CASE(5) LG_BLOCK_CASE(4) LG_BLOCK_CASE(3)
    LG_BLOCK_CASE(2) default : LG_BLOCK_CASE(1)
  }
#undef LG_BLOCK_CASE
}

/// Blocks [begin, end) of the grid (row blocks of 32) x (class blocks of 12), row block major.
template <bool Transpose>
LG_AVX512 void blocks512(const float* a, Index n, Index d, const float* b, Index ldb,
                         const float* bias, Index k, float* out, Index begin, Index end) {
  const Index extent = Transpose ? d : n;  // what the row blocks split
  const Index col_blocks = (k + kBlockCols - 1) / kBlockCols;
  for (Index u = begin; u < end; ++u) {
    const Index r0 = (u / col_blocks) * kBlockRows, c0 = (u % col_blocks) * kBlockCols;
    const Index rows = std::min(kBlockRows, extent - r0), cols = std::min(kBlockCols, k - c0);
    if (rows > 16)
      block512<Transpose, 2>(a, n, d, b, ldb, bias, out, r0, rows, c0, cols);
    else
      block512<Transpose, 1>(a, n, d, b, ldb, bias, out, r0, rows, c0, cols);
  }
}
#pragma GCC diagnostic pop
#endif

/// Σ a_i b_i in double.
template <class B>
double dot(const double* a, const B* b, Index size) {
#ifdef LG_SOFTMAX_AVX512
  if (cpu_has_avx512()) return dot_avx512<B>(a, b, size);
#endif
  return dot_generic(a, b, size);
}

/// y += alpha x in double.
template <class Real>
void axpy(double alpha, const Real* x, double* y, Index size) {
#ifdef LG_SOFTMAX_AVX512
  if (cpu_has_avx512()) return axpy_avx512<Real>(alpha, x, y, size);
#endif
  axpy_generic(alpha, x, y, size);
}

/// X A + 1 bᵀ and Xᵀ B in precision Real, into the caller's buffers. float: the AVX-512
/// kernels above on CPUs that have them, else feature_ops' AVX2 kernels (both sum every
/// element in the same order for any thread count); double: Eigen on a double copy of X, used
/// only when float round-off stops the progress.
template <class Real>
class Products;

template <>
class Products<float> {
 public:
  Products(const Dataset& x, Team& team) : x_(x), team_(team) {
#ifdef LG_SOFTMAX_AVX512
    wide_ = !x.sparse && cpu_has_avx512();
    if (wide_) columns_ = x.dense;  // column-major copy: 16 rows per load in X W
#endif
  }
  /// out = X A + 1 bᵀ (A: D x K, b: K).
  void times(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::VectorXd>& b,
             Matrix& out) {
    a_ = a.cast<float>();
    b_ = b.cast<float>();
#ifdef LG_SOFTMAX_AVX512
    if (wide_) {
      out.resize(columns_.rows(), a_.cols());
      run_blocks<false>(columns_.data(), a_.data(), a_.rows(), b_.data(), out);
      return;
    }
#endif
    out = features_times_fast(x_, a_, team_.size());
    out.rowwise() += b_.transpose();
  }
  /// out = Xᵀ G (D x K, double).
  void transpose_times(const Matrix& g, Eigen::Ref<Eigen::MatrixXd> out) {
#ifdef LG_SOFTMAX_AVX512
    if (wide_) {
      t_.resize(x_.dense.cols(), g.cols());
      run_blocks<true>(x_.dense.data(), g.data(), g.rows(), nullptr, t_);
      out = t_.cast<double>();
      return;
    }
#endif
    out = features_transpose_times_fast(x_, g, team_.size()).cast<double>();
  }

 private:
#ifdef LG_SOFTMAX_AVX512
  /// The block grid of one product, split into contiguous shares over the threads.
  template <bool Transpose>
  void run_blocks(const float* a, const float* b, Index ldb, const float* bias,
                  Matrix& out) const {
    const Index n = x_.dense.rows(), d = x_.dense.cols(), k = out.cols();
    const Index extent = Transpose ? d : n;
    const Index units = ((extent + kBlockRows - 1) / kBlockRows) *
                        ((k + kBlockCols - 1) / kBlockCols);
    // about 256 k multiply-adds (10 us) per thread before the team's hand-over pays
    const int parts = static_cast<int>(std::max<Index>(
        1, std::min<Index>({Index{team_.size()}, units, n * d * k / (1 << 18)})));
    team_.run(parts, [&](int t) {
      blocks512<Transpose>(a, n, d, b, ldb, bias, k, out.data(), units * t / parts,
                           units * (t + 1) / parts);
    });
  }
  bool wide_ = false;
  Matrix columns_;  ///< X, column-major
  Matrix t_;        ///< Xᵀ G in float
#endif
  const Dataset& x_;
  Team& team_;
  Matrix a_;              ///< A in float
  Eigen::VectorXf b_;     ///< b in float
};

template <>
class Products<double> {
 public:
  Products(const Dataset& x, Team& /*team*/) : sparse_(x.sparse) {
    if (sparse_)
      csr_ = x.csr.cast<double>();
    else
      dense_ = x.dense.cast<double>();
  }
  void times(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::VectorXd>& b,
             Eigen::MatrixXd& out) {
    if (sparse_)
      out = csr_ * a;
    else
      out.noalias() = dense_ * a;
    out.rowwise() += b.transpose();
  }
  void transpose_times(const Eigen::MatrixXd& g, Eigen::Ref<Eigen::MatrixXd> out) {
    if (sparse_)
      out = csr_.transpose() * g;
    else
      out.noalias() = dense_.transpose() * g;
  }

 private:
  bool sparse_;
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> dense_;
  Eigen::SparseMatrix<double, Eigen::RowMajor, Index> csr_;
};

/// The softmax pass over all rows (see softmax_rows_scalar), in pieces of kPieceRows rows.
template <class Real>
PassSums softmax_pass(const Eigen::MatrixXd& z, const MatrixOf<Real>* xd, double alpha,
                      const std::vector<int>& y, MatrixOf<Real>& g, Team& team) {
  const Index n = z.rows(), k = z.cols();
  g.resize(n, k);
  const Index pieces = (n + kPieceRows - 1) / kPieceRows;
  std::vector<PassSums> partial(static_cast<std::size_t>(pieces));
  const Real* xdp = xd ? xd->data() : nullptr;
  // about 20 k exponentials (10 us) per thread before the hand-over pays
  const int parts =
      static_cast<int>(std::max<Index>(1, std::min<Index>({Index{team.size()}, pieces,
                                                            n * k / 20000})));
  team.run(parts, [&](int t) {
    std::vector<double> scratch(static_cast<std::size_t>(8 * k));
    for (Index piece = pieces * t / parts; piece < pieces * (t + 1) / parts; ++piece) {
      const Index begin = piece * kPieceRows, end = std::min(n, begin + kPieceRows);
      PassSums s;
      Index done = begin;
#ifdef LG_SOFTMAX_AVX512
      if (cpu_has_avx512()) {
        done = begin + (end - begin) / 8 * 8;
        s = softmax_rows_avx512<Real>(n, k, z.data(), xdp, alpha, y.data(), g.data(), begin,
                                      done, scratch.data());
      }
#endif
#ifdef LG_SOFTMAX_AVX2
      if (done == begin && fast_kernels_available()) {
        done = begin + (end - begin) / 4 * 4;
        s = softmax_rows_avx2<Real>(n, k, z.data(), xdp, alpha, y.data(), g.data(), begin,
                                    done, scratch.data());
      }
#endif
      const PassSums rest = softmax_rows_scalar<Real>(n, k, z.data(), xdp, alpha, y.data(),
                                                      g.data(), done, end, scratch.data());
      s.loss += rest.loss;
      s.slope += rest.slope;
      partial[static_cast<std::size_t>(piece)] = s;
    }
  });
  PassSums total;
  for (const PassSums& s : partial) {  // fixed order: same sums for every thread count
    total.loss += s.loss;
    total.slope += s.slope;
  }
  return total;
}

/// L-BFGS iterate shared by the float and the double phase.
struct Iterate {
  Eigen::VectorXd theta;  ///< D K weights (column-major D x K) then K intercepts
  Eigen::VectorXd grad;   ///< ∇f at theta
  double f = 0;           ///< f at theta
  int iterations = 0;     ///< accepted iterations so far (both phases)
};

enum class Outcome { Converged, MaxIter, Stalled };

/// scipy's L-BFGS-B (no bounds) on f from `it`, in the products' precision Real: two-loop
/// directions from the last 10 pairs, Moré–Thuente line search on φ(α) = f(θ + α d) with at
/// most 20 evaluations and first step 1/‖d‖, then 1; stop on max|∇f| <= tol, a relative
/// decrease <= ftol, or max_iter. One X·D and one Xᵀ·G per iteration: the line search needs
/// no product since Z(θ + α d) = Z + α X d, with Z kept in double. φ'(α) comes from the same
/// pass as φ(α), so the search stays consistent even where the gradient's float round-off
/// makes the direction poor; a search that fails restarts from steepest descent, and fails
/// the phase (Stalled) when that was steepest descent already.
template <class Real>
Outcome lbfgs_phase(Products<Real>& products, const std::vector<int>& y, Index d, Index k,
                    const SoftmaxOptions& options, Team& team, Iterate& it) {
  const Index p = d * k + k, dk = d * k;
  const double inv_c = 1.0 / options.C;
  auto weights = [d, k](const Eigen::VectorXd& v) {
    return Eigen::Map<const Eigen::MatrixXd>(v.data(), d, k);
  };
  MatrixOf<Real> g, g_trial, xd;
  auto gradient_at = [&](const Eigen::VectorXd& theta, const MatrixOf<Real>& gz,
                         Eigen::VectorXd& grad) {
    grad.resize(p);
    Eigen::Map<Eigen::MatrixXd> gw(grad.data(), d, k);
    products.transpose_times(gz, gw);
    gw += inv_c * weights(theta);
    grad.tail(k) = gz.colwise().sum().transpose().template cast<double>();
  };

  // Z in double (the line search accumulates Z + α XD into it); recomputed at the start of a
  // phase so that the double phase starts from exact values
  products.times(weights(it.theta), it.theta.tail(k), xd);
  Eigen::MatrixXd z = xd.template cast<double>();
  {
    const PassSums s = softmax_pass<Real>(z, nullptr, 0.0, y, g, team);
    it.f = s.loss + 0.5 * inv_c * weights(it.theta).squaredNorm();
    gradient_at(it.theta, g, it.grad);
  }
  if (it.grad.cwiseAbs().maxCoeff() <= options.tol) return Outcome::Converged;

  std::deque<Eigen::VectorXd> hist_s, hist_y;
  std::deque<double> hist_rho;
  Eigen::VectorXd dir(p), grad_new(p), step(p), yv(p);
  bool fresh = true;  // the phase's first iteration takes L-BFGS-B's first step 1/‖d‖
  while (it.iterations < options.max_iter) {
    // 1. direction: the two-loop recursion
    dir = it.grad;
    const std::size_t count = hist_s.size();
    std::vector<double> alpha(count);
    for (std::size_t i = count; i-- > 0;) {
      alpha[i] = hist_rho[i] * dot(hist_s[i].data(), dir.data(), p);
      axpy(-alpha[i], hist_y[i].data(), dir.data(), p);
    }
    if (count > 0) dir *= hist_s.back().dot(hist_y.back()) / hist_y.back().squaredNorm();
    for (std::size_t i = 0; i < count; ++i) {
      const double beta = hist_rho[i] * dot(hist_y[i].data(), dir.data(), p);
      axpy(alpha[i] - beta, hist_s[i].data(), dir.data(), p);
    }
    dir = -dir;
    if (dot(dir.data(), it.grad.data(), p) >= 0) {  // not a descent direction: restart
      hist_s.clear(), hist_y.clear(), hist_rho.clear();
      dir = -it.grad;
    }
    const bool steepest = hist_s.empty();

    // 2. the one forward product of the iteration, and φ'(0) from the same terms as φ
    products.times(weights(dir), dir.tail(k), xd);
    const double ww = dot(it.theta.data(), it.theta.data(), dk);
    const double wd = dot(it.theta.data(), dir.data(), dk);
    const double dd = dot(dir.data(), dir.data(), dk);
    const double slope0 = dot_generic(g.data(), xd.data(), g.size()) + inv_c * wd;

    // 3. line search on φ, no product needed
    bool accepted = false;
    double stp = fresh && steepest ? 1.0 / dir.norm() : 1.0;
    double f_new = it.f;
    if (slope0 < 0) {
      MoreThuenteLineSearch search;
      search.start(it.f, slope0, stp);
      for (int eval = 0; eval < kMaxLineSearch; ++eval) {
        const PassSums s = softmax_pass<Real>(z, &xd, stp, y, g_trial, team);
        f_new = s.loss + 0.5 * inv_c * (ww + 2 * stp * wd + stp * stp * dd);
        if (!std::isfinite(f_new)) {
          stp *= 0.1;  // overflow far along the line: shorten (dcsrch never sees it)
          continue;
        }
        if (search.step(f_new, s.slope + inv_c * (wd + stp * dd), stp) !=
            MoreThuenteLineSearch::Evaluate) {
          accepted = true;
          break;
        }
      }
    }
    if (!accepted) {
      if (steepest) return Outcome::Stalled;  // L-BFGS-B's abnormal termination
      hist_s.clear(), hist_y.clear(), hist_rho.clear();
      continue;
    }
    fresh = false;

    // 4. move, then the one backward product: the gradient at the new point
    it.theta += stp * dir;
    axpy(stp, xd.data(), z.data(), z.size());
    g.swap(g_trial);
    gradient_at(it.theta, g, grad_new);
    step = stp * dir;
    yv = grad_new - it.grad;
    const double sy = step.dot(yv);
    if (sy > kEps * -step.dot(it.grad)) {  // L-BFGS-B's curvature test
      if (hist_s.size() == static_cast<std::size_t>(kMemory))
        hist_s.pop_front(), hist_y.pop_front(), hist_rho.pop_front();
      hist_s.push_back(step);
      hist_y.push_back(yv);
      hist_rho.push_back(1.0 / sy);
    }
    const double f_old = it.f;
    it.f = f_new;
    it.grad.swap(grad_new);
    ++it.iterations;
    if (it.grad.cwiseAbs().maxCoeff() <= options.tol ||
        f_old - it.f <= kFtol * std::max({std::abs(f_old), std::abs(it.f), 1.0}))
      return Outcome::Converged;
  }
  return Outcome::MaxIter;
}

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
  Team team(resolve_threads(options.threads));
  Iterate it;
  it.theta = Eigen::VectorXd::Zero(d * k + k);  // sklearn's w0
  // float products first; where their round-off stalls the search, go on in double
  Outcome outcome = Outcome::Stalled;
  if (!options.double_products) {
    Products<float> float_products(x, team);
    outcome = lbfgs_phase<float>(float_products, y, d, k, options, team, it);
  }
  const bool used_double = outcome == Outcome::Stalled;
  if (used_double) {
    Products<double> double_products(x, team);
    outcome = lbfgs_phase<double>(double_products, y, d, k, options, team, it);
  }

  SoftmaxReport report;
  report.iterations = outcome == Outcome::Stalled ? -1 : it.iterations;
  report.converged = outcome == Outcome::Converged;
  report.objective = it.f;
  report.used_double = used_double;
  weights_ = Eigen::Map<const Eigen::MatrixXd>(it.theta.data(), d, k).cast<float>();
  Eigen::VectorXd b = it.theta.tail(k);
  b.array() -= b.mean();
  intercepts_ = b.cast<float>();
  report_ = report;
  return report;
}

Matrix SoftmaxRegression::predict_proba(const Dataset& x, int threads) const {
  if (intercepts_.size() == 0) throw Error("softmax regression: predict_proba() before fit()");
  if (feature_columns(x) != weights_.rows())
    throw Error(fmt::format("softmax regression: fitted on {} features, given {}",
                            weights_.rows(), feature_columns(x)));
  Matrix z = features_times_fast(x, weights_, threads);
  z.rowwise() += intercepts_.transpose();
  const Eigen::VectorXf m = z.rowwise().maxCoeff();
  z.colwise() -= m;
  z = z.array().exp();
  const Eigen::VectorXf s = z.rowwise().sum();
  z.array().colwise() /= s.array();
  return z;
}

void SoftmaxRegression::save(ModelState& state, const std::string& prefix) const {
  state.put(prefix + ".weights", weights_);
  state.put(prefix + ".intercepts", intercepts_);
  state.values()[prefix + ".report"] = {{"iterations", report_.iterations},
                                        {"converged", report_.converged},
                                        {"objective", report_.objective},
                                        {"used_double", report_.used_double}};
}

void SoftmaxRegression::load(const ModelState& state, const std::string& prefix) {
  state.get(prefix + ".weights", weights_);
  state.get(prefix + ".intercepts", intercepts_);
  if (weights_.cols() != intercepts_.size())
    throw state.damaged(fmt::format("the softmax regression '{}' has {} weight columns and {} intercepts",
                                    prefix, weights_.cols(), intercepts_.size()));
  const nlohmann::json& r = state.value(prefix + ".report");
  try {
    report_.iterations = r.at("iterations").get<int>();
    report_.converged = r.at("converged").get<bool>();
    report_.objective = r.at("objective").get<double>();
    report_.used_double = r.at("used_double").get<bool>();
  } catch (const nlohmann::json::exception& e) {
    throw state.damaged(fmt::format("the report of '{}': {}", prefix, e.what()));
  }
}

}  // namespace lg::models
