#include "kernels.h"
#include "simd.h"

#include <immintrin.h>

#include <cmath>
#include <cstring>
#include <algorithm>

namespace llmcore {

void copyStrided6(const float* x, long offset, const long* d, const long* s, float* out) {
  long o = 0;
  for (long j0 = 0, q0 = offset; j0 < d[0]; j0++, q0 += s[0])
    for (long j1 = 0, q1 = q0; j1 < d[1]; j1++, q1 += s[1])
      for (long i0 = 0, p0 = q1; i0 < d[2]; i0++, p0 += s[2])
        for (long i1 = 0, p1 = p0; i1 < d[3]; i1++, p1 += s[3])
          for (long i2 = 0, p2 = p1; i2 < d[4]; i2++, p2 += s[4]) {
            if (s[5] == 1) {
              std::memcpy(out + o, x + p2, d[5] * sizeof(float));
              o += d[5];
            } else {
              for (long j = 0, p = p2; j < d[5]; j++, p += s[5]) out[o++] = x[p];
            }
          }
}

void addIntoStrided6(const float* src, float* y, long offset, const long* d, const long* s) {
  long o = 0;
  for (long j0 = 0, q0 = offset; j0 < d[0]; j0++, q0 += s[0])
    for (long j1 = 0, q1 = q0; j1 < d[1]; j1++, q1 += s[1])
      for (long i0 = 0, p0 = q1; i0 < d[2]; i0++, p0 += s[2])
        for (long i1 = 0, p1 = p0; i1 < d[3]; i1++, p1 += s[3])
          for (long i2 = 0, p2 = p1; i2 < d[4]; i2++, p2 += s[4]) {
            if (s[5] == 1) {
              float* row = y + p2;
              for (long j = 0; j < d[5]; j++) row[j] += src[o + j];
              o += d[5];
            } else {
              for (long j = 0, p = p2; j < d[5]; j++, p += s[5]) y[p] += src[o++];
            }
          }
}

namespace {

struct AdamJob {
  float *p, *m, *v, *vmax;
  const float* g;
  long n;
  const AdamArgs* h;
};

// The reference loop (JavaScript numbers are doubles; Float32Array stores round): compiled without
// contraction (-ffp-contract=off), so every product and sum rounds as the reference's does.
void adamRange(const AdamJob& j, long lo, long hi) {
  const AdamArgs& h = *j.h;
  for (long i = lo; i < hi; i++) {
    double g = h.maximize ? -static_cast<double>(j.g[i]) : static_cast<double>(j.g[i]);
    if (h.l2 != 0) g += h.l2 * static_cast<double>(j.p[i]);
    j.m[i] = static_cast<float>(h.beta1 * static_cast<double>(j.m[i]) + h.a1 * g);
    j.v[i] = static_cast<float>(h.beta2 * static_cast<double>(j.v[i]) + h.a2 * g * g);
    double second = j.v[i];
    if (j.vmax) {
      if (second > static_cast<double>(j.vmax[i])) j.vmax[i] = static_cast<float>(second);
      second = j.vmax[i];
    }
    const double denom = std::sqrt(second) / h.bc2sqrt + h.eps;
    j.p[i] = static_cast<float>(static_cast<double>(j.p[i]) * h.shrink - (h.stepSize * static_cast<double>(j.m[i])) / denom);
  }
}

}  // namespace

void adam(float* p, const float* g, float* m, float* v, float* vmax, long n, const AdamArgs& h) {
  const AdamJob job{p, m, v, vmax, g, n, &h};
  parallelRanges(n, partsFor(n, n, 1 << 16), [&](int, long lo, long hi) { adamRange(job, lo, hi); });
}

namespace {

struct CeJob {
  const float* x;
  const float* stats;
  const float* g;
  float *loss, *statsOut, *dx;
  const int* targets;
  long rows, cols;
  double eps;
};

__attribute__((target("avx2,fma"))) void ceForwardRows(const CeJob& j, long r0, long r1) {
  const long cols = j.cols, body = cols & ~7L;
  for (long r = r0; r < r1; r++) {
    const float* px = j.x + r * cols;
    // a NaN anywhere makes the row's shift NaN (as f32x4.max does in the wasm kernel), so the loss is NaN
    float max = -INFINITY;
    for (long i = 0; i < cols; i++) {
      if (std::isnan(px[i])) { max = NAN; break; }
      if (px[i] > max) max = px[i];
    }
    const float shift = max == -INFINITY ? 0.0f : max;
    const __m256 vs = _mm256_set1_ps(shift);
    __m256 s = _mm256_setzero_ps(), t = _mm256_setzero_ps();
    long i = 0;
    for (; i < body; i += 8) {
      const __m256 a = _mm256_loadu_ps(px + i);
      s = _mm256_add_ps(s, exp8(_mm256_sub_ps(a, vs)));
      t = _mm256_add_ps(t, a);
    }
    if (i < cols) {
      s = _mm256_add_ps(s, exp8(_mm256_sub_ps(loadPart(px + i, cols - i, -INFINITY), vs)));
      t = _mm256_add_ps(t, loadPart(px + i, cols - i, 0.0f));
    }
    const float sum = hsum8(s), total = hsum8(t);
    const float logSum = std::log(sum);
    j.statsOut[2 * r] = shift;
    j.statsOut[2 * r + 1] = logSum;
    const int target = j.targets[r];
    double l = 0;
    if (target >= 0) {
      const double lse = static_cast<double>(shift) + static_cast<double>(logSum);
      l = (1 - j.eps) * (lse - static_cast<double>(px[target]));
      if (j.eps > 0) l += j.eps * (lse - static_cast<double>(total) / static_cast<double>(cols));
    }
    j.loss[r] = static_cast<float>(l);
  }
}

__attribute__((target("avx2,fma"))) void ceBackwardRows(const CeJob& j, long r0, long r1) {
  const long cols = j.cols, body = cols & ~7L;
  const float uniform = static_cast<float>(j.eps / static_cast<double>(cols));
  for (long r = r0; r < r1; r++) {
    const float* px = j.x + r * cols;
    float* po = j.dx + r * cols;
    const int target = j.targets[r];
    if (target < 0) {
      std::memset(po, 0, cols * sizeof(float));
      continue;
    }
    const float gr = j.g[r];
    const float shift = j.stats[2 * r], logSum = j.stats[2 * r + 1];
    const __m256 vs = _mm256_set1_ps(shift), vl = _mm256_set1_ps(logSum), vg = _mm256_set1_ps(gr), vu = _mm256_set1_ps(uniform);
    long i = 0;
    for (; i < body; i += 8) {
      const __m256 p = exp8(_mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(px + i), vs), vl));
      _mm256_storeu_ps(po + i, _mm256_mul_ps(vg, _mm256_sub_ps(p, vu)));
    }
    if (i < cols) {
      const __m256 p = exp8(_mm256_sub_ps(_mm256_sub_ps(loadPart(px + i, cols - i, 0.0f), vs), vl));
      storePart(po + i, cols - i, _mm256_mul_ps(vg, _mm256_sub_ps(p, vu)));
    }
    po[target] -= gr * static_cast<float>(1 - j.eps);
  }
}

}  // namespace

void crossEntropy(const float* x, long rows, long cols, const int* targets, double eps, float* loss, float* stats) {
  const CeJob job{x, nullptr, nullptr, loss, stats, nullptr, targets, rows, cols, eps};
  parallelRanges(rows, partsFor(rows, rows * cols, 1 << 16), [&](int, long lo, long hi) { ceForwardRows(job, lo, hi); });
}

void crossEntropyBackward(const float* x, const float* stats, const float* g, long rows, long cols, const int* targets, double eps, float* dx) {
  const CeJob job{x, stats, g, nullptr, nullptr, dx, targets, rows, cols, eps};
  parallelRanges(rows, partsFor(rows, rows * cols, 1 << 16), [&](int, long lo, long hi) { ceBackwardRows(job, lo, hi); });
}


namespace {

constexpr float GELU_K = 0.7978845608028654f;  // √(2/π)
constexpr float GELU_C = 0.044715f;

// tanh(u) = sign(u)·(1 − 2/(e^{2|u|} + 1)): exact at ±1 for large |u|, absolute error ~1e-7 near 0
__attribute__((target("avx2,fma"))) inline __m256 tanh8(__m256 u) {
  const __m256 sign = _mm256_and_ps(u, _mm256_set1_ps(-0.0f));
  const __m256 a = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), u);
  const __m256 e = exp8(_mm256_add_ps(a, a));
  const __m256 t = _mm256_sub_ps(_mm256_set1_ps(1.0f), _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, _mm256_set1_ps(1.0f))));
  return _mm256_or_ps(t, sign);
}

struct GeluJob {
  const float* x;
  const float* g;
  float* out;
  long n;
};

__attribute__((target("avx2,fma"))) void geluRange(const GeluJob& j, long lo, long hi) {
  const __m256 k = _mm256_set1_ps(GELU_K), c = _mm256_set1_ps(GELU_C), half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
  long i = lo;
  for (; i + 8 <= hi; i += 8) {
    const __m256 v = _mm256_loadu_ps(j.x + i);
    const __m256 t = tanh8(_mm256_mul_ps(k, _mm256_fmadd_ps(_mm256_mul_ps(c, v), _mm256_mul_ps(v, v), v)));
    _mm256_storeu_ps(j.out + i, _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, t)));
  }
  if (i < hi) {
    const __m256 v = loadPart(j.x + i, hi - i, 0.0f);
    const __m256 t = tanh8(_mm256_mul_ps(k, _mm256_fmadd_ps(_mm256_mul_ps(c, v), _mm256_mul_ps(v, v), v)));
    storePart(j.out + i, hi - i, _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, t)));
  }
}

__attribute__((target("avx2,fma"))) void geluBackRange(const GeluJob& j, long lo, long hi) {
  // past |x| = 100, 1 − t² is exactly 0 in float; capping x² there keeps 0·(1 + 3c·x²) from becoming 0·∞
  const __m256 big = _mm256_set1_ps(1e4f);
  const __m256 k = _mm256_set1_ps(GELU_K), c = _mm256_set1_ps(GELU_C), c3 = _mm256_set1_ps(3 * GELU_C), half = _mm256_set1_ps(0.5f),
               one = _mm256_set1_ps(1.0f);
  long i = lo;
  for (; i + 8 <= hi; i += 8) {
    const __m256 v = _mm256_loadu_ps(j.x + i);
    const __m256 v2 = _mm256_mul_ps(v, v);
    const __m256 t = tanh8(_mm256_mul_ps(k, _mm256_fmadd_ps(_mm256_mul_ps(c, v), v2, v)));
    const __m256 dt = _mm256_mul_ps(_mm256_mul_ps(_mm256_fnmadd_ps(t, t, one), k), _mm256_fmadd_ps(c3, _mm256_min_ps(v2, big), one));
    const __m256 d = _mm256_fmadd_ps(_mm256_mul_ps(half, v), dt, _mm256_mul_ps(half, _mm256_add_ps(one, t)));
    _mm256_storeu_ps(j.out + i, _mm256_mul_ps(_mm256_loadu_ps(j.g + i), d));
  }
  if (i < hi) {
    const __m256 v = loadPart(j.x + i, hi - i, 0.0f);
    const __m256 v2 = _mm256_mul_ps(v, v);
    const __m256 t = tanh8(_mm256_mul_ps(k, _mm256_fmadd_ps(_mm256_mul_ps(c, v), v2, v)));
    const __m256 dt = _mm256_mul_ps(_mm256_mul_ps(_mm256_fnmadd_ps(t, t, one), k), _mm256_fmadd_ps(c3, _mm256_min_ps(v2, big), one));
    const __m256 d = _mm256_fmadd_ps(_mm256_mul_ps(half, v), dt, _mm256_mul_ps(half, _mm256_add_ps(one, t)));
    storePart(j.out + i, hi - i, _mm256_mul_ps(loadPart(j.g + i, hi - i, 0.0f), d));
  }
}

}  // namespace

void geluTanh(const float* x, const float* g, float* out, long n) {
  const GeluJob job{x, g, out, n};
  parallelRanges(n, partsFor(n, n, 1 << 16), [&](int, long lo, long hi) {
    if (g) geluBackRange(job, lo, hi);
    else geluRange(job, lo, hi);
  });
}


namespace {

struct DropoutJob {
  const unsigned* bits;
  const float* x;
  float *out, *mask;
  const float* g;
  long n;
  long long threshold;
  float scale;
};

// The reference's rule (src/ops/nn.ts dropout): keep where the draw, read as signed after flipping the
// top bit, is at least the threshold; a kept element is scaled by 1/(1 − p). x·0 keeps NaN.
void dropoutRange(const DropoutJob& j, long lo, long hi) {
  if (j.g) {
    for (long i = lo; i < hi; i++) j.out[i] = j.g[i] * j.mask[i];
    return;
  }
  for (long i = lo; i < hi; i++) {
    const int s = static_cast<int>(j.bits[i] ^ 0x80000000u);
    const float m = static_cast<long long>(s) >= j.threshold ? j.scale : 0.0f;
    j.mask[i] = m;
    j.out[i] = j.x[i] * m;
  }
}

}  // namespace

void dropout(const unsigned* bits, long long threshold, float scale, const float* x, const float* g, float* out, float* mask, long n) {
  const DropoutJob job{bits, x, out, mask, g, n, threshold, scale};
  parallelRanges(n, partsFor(n, n, 1 << 17), [&](int, long lo, long hi) { dropoutRange(job, lo, hi); });
}


namespace {

struct SoftmaxJob {
  const float* x;
  const float* g;
  float* out;
  long rows, cols;
  bool log;
};

// softmax: e^(x − max) summed in float lanes (as the wasm kernel), then scaled; log-softmax subtracts
// log Σ. Within the parity test's float32 tolerance of the reference, which sums in double.
__attribute__((target("avx2,fma"))) void softmaxRows(const SoftmaxJob& j, long r0, long r1) {
  const long cols = j.cols;
  for (long r = r0; r < r1; r++) {
    const float* px = j.x + r * cols;
    float* po = j.out + r * cols;
    if (!j.log) {
      softmaxRow(px, po, cols);
      continue;
    }
    const float shift = rowShift(px, cols);
    const float lse = std::log(expSum(px, cols, shift, nullptr));
    for (long k = 0; k < cols; k++) po[k] = px[k] - shift - lse;
  }
}

void softmaxBackRows(const SoftmaxJob& j, long r0, long r1) {
  const long cols = j.cols;
  for (long r = r0; r < r1; r++) {
    const float* py = j.x + r * cols;
    const float* pg = j.g + r * cols;
    float* po = j.out + r * cols;
    if (j.log) {
      double sg = 0;
      for (long c = 0; c < cols; c++) sg += pg[c];
      for (long c = 0; c < cols; c++) po[c] = static_cast<float>(pg[c] - std::exp(static_cast<double>(py[c])) * sg);
    } else {
      double dot = 0;
      for (long c = 0; c < cols; c++) dot += static_cast<double>(py[c]) * pg[c];
      for (long c = 0; c < cols; c++) po[c] = static_cast<float>(py[c] * (pg[c] - dot));
    }
  }
}

}  // namespace

void softmax(const float* x, const float* g, long rows, long cols, float* out, bool log) {
  const SoftmaxJob job{x, g, out, rows, cols, log};
  parallelRanges(rows, partsFor(rows, rows * cols, 1 << 16), [&](int, long lo, long hi) {
    if (g) softmaxBackRows(job, lo, hi);
    else softmaxRows(job, lo, hi);
  });
}

}  // namespace llmcore
