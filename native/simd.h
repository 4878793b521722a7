// Small AVX2 building blocks shared by the native kernels (inline: each kernel file compiles them in).
#pragma once

#include <immintrin.h>

#include <cmath>

namespace llmcore {

// e^x for 8 floats: Cody-Waite reduction x = n·ln2 + r, Cephes' degree-6 polynomial for e^r, 2^n by
// exponent bits in two halves so that results near the subnormal range round once. Within 2 ulp.
__attribute__((target("avx2,fma"))) inline __m256 exp8(__m256 x) {
  const __m256 hi = _mm256_set1_ps(88.7228391f), lo = _mm256_set1_ps(-103.972076f);
  const __m256 big = _mm256_cmp_ps(x, hi, _CMP_GT_OQ);
  const __m256 small = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);
  const __m256 nan = _mm256_cmp_ps(x, x, _CMP_UNORD_Q);
  x = _mm256_min_ps(_mm256_max_ps(x, lo), hi);
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500E-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507E-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073E-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894E-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459E-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201E-1f));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  // 2^n as 2^(n/2)·2^(n - n/2): each half is a normal float even when 2^n is not
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i h1 = _mm256_srai_epi32(ni, 1);
  const __m256i h2 = _mm256_sub_epi32(ni, h1);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(h1, _mm256_set1_epi32(127)), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(h2, _mm256_set1_epi32(127)), 23));
  __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
  y = _mm256_blendv_ps(y, _mm256_set1_ps(INFINITY), big);
  y = _mm256_blendv_ps(y, _mm256_setzero_ps(), small);
  return _mm256_blendv_ps(y, x, nan);
}

__attribute__((target("avx2,fma"))) inline float hsum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// The last n < 8 elements of a row as a vector (the rest `fill`), and back: tails go through the same
// vector code as the body, so an element's result never depends on where it falls in its row or array.
__attribute__((target("avx2,fma"))) inline __m256 loadPart(const float* p, long n, float fill) {
  alignas(32) float tmp[8];
  for (long i = 0; i < 8; i++) tmp[i] = i < n ? p[i] : fill;
  return _mm256_load_ps(tmp);
}

__attribute__((target("avx2,fma"))) inline void storePart(float* p, long n, __m256 v) {
  alignas(32) float tmp[8];
  _mm256_store_ps(tmp, v);
  for (long i = 0; i < n; i++) p[i] = tmp[i];
}

// The shift a row's exponentials are taken from: its maximum, or 0 for a row of −∞ (whose softmax is 0/0).
inline float rowShift(const float* x, long n) {
  float max = -INFINITY;
  for (long i = 0; i < n; i++)
    if (x[i] > max) max = x[i];
  return max == -INFINITY ? 0.0f : max;
}

// Σ e^(x − shift) over a row, summed in float lanes by position (as the wasm kernel; the tail padded with
// −∞ through the same vector code, so an element's share never depends on the row's length); with
// `out`, each e^(x − shift) is stored there too.
__attribute__((target("avx2,fma"))) inline float expSum(const float* x, long n, float shift, float* out) {
  const __m256 vs = _mm256_set1_ps(shift);
  __m256 acc = _mm256_setzero_ps();
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vs));
    if (out) _mm256_storeu_ps(out + i, e);
    acc = _mm256_add_ps(acc, e);
  }
  if (i < n) {
    const __m256 e = exp8(_mm256_sub_ps(loadPart(x + i, n - i, -INFINITY), vs));
    if (out) storePart(out + i, n - i, e);
    acc = _mm256_add_ps(acc, e);
  }
  return hsum8(acc);
}

// The softmax of a row of n values into out (which may be x).
__attribute__((target("avx2,fma"))) inline void softmaxRow(const float* x, float* out, long n) {
  const __m256 inv = _mm256_set1_ps(1.0f / expSum(x, n, rowShift(x, n), out));
  long i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_loadu_ps(out + i), inv));
  if (i < n) storePart(out + i, n - i, _mm256_mul_ps(loadPart(out + i, n - i, 0.0f), inv));
}

__attribute__((target("avx2,fma"))) inline float dot(const float* x, const float* y, long k) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
  long p = 0;
  for (; p + 32 <= k; p += 32) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + p), _mm256_loadu_ps(y + p), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + p + 8), _mm256_loadu_ps(y + p + 8), s1);
    s2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + p + 16), _mm256_loadu_ps(y + p + 16), s2);
    s3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + p + 24), _mm256_loadu_ps(y + p + 24), s3);
  }
  for (; p + 8 <= k; p += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + p), _mm256_loadu_ps(y + p), s0);
  const __m256 s = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_movehdup_ps(h));
  float total = _mm_cvtss_f32(h);
  for (; p < k; p++) total += x[p] * y[p];
  return total;
}

// y[0..n) += alpha · x[0..n)
__attribute__((target("avx2,fma"))) inline void axpy(float alpha, const float* x, float* y, long n) {
  const __m256 va = _mm256_set1_ps(alpha);
  long j = 0;
  for (; j + 8 <= n; j += 8) _mm256_storeu_ps(y + j, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + j), _mm256_loadu_ps(y + j)));
  for (; j < n; j++) y[j] += alpha * x[j];
}

}  // namespace llmcore
