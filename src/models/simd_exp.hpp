#pragma once
// exp for non-positive arguments on 4 double lanes (AVX2 + FMA), shared by the logistic terms
// of the linear learner and the softmax pass of the softmax regression. Callers check at run
// time that the CPU has AVX2 before calling it (the function carries its own target
// attribute, so the rest of the file stays baseline x86-64).
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

namespace lg::models {

/// exp(x) for x in [-708, 0] (smaller x is clamped to -708), 4 lanes: x = n ln2 + r,
/// |r| <= ln2/2 (ln2 split in two parts for an exact reduction), Taylor series to r^13
/// (relative error below 1e-16), times 2^n built in the exponent bits.
__attribute__((target("avx2,fma"))) inline __m256d exp_nonpositive(__m256d x) {
  x = _mm256_max_pd(x, _mm256_set1_pd(-708.0));
  const __m256d n = _mm256_round_pd(_mm256_mul_pd(x, _mm256_set1_pd(1.4426950408889634)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256d r = _mm256_fnmadd_pd(n, _mm256_set1_pd(6.93145751953125e-1), x);
  r = _mm256_fnmadd_pd(n, _mm256_set1_pd(1.42860682030941723212e-6), r);
  __m256d p = _mm256_set1_pd(1.0 / 6227020800.0);  // 1/13!
  static constexpr double kInverseFactorial[] = {
      1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0,
      1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0};
  for (const double c : kInverseFactorial) p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(c));
  const __m256i k = _mm256_cvtepi32_epi64(_mm256_cvtpd_epi32(n));
  const __m256i bits = _mm256_slli_epi64(_mm256_add_epi64(k, _mm256_set1_epi64x(1023)), 52);
  return _mm256_mul_pd(p, _mm256_castsi256_pd(bits));
}

}  // namespace lg::models
#endif
