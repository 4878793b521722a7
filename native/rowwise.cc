// Elementwise, row-wise and reduction kernels of the native backend, in place on the engine's arrays.
// Each follows its reference in src/backend/js/: sums accumulate in double as the reference's do, and
// single-rounding arithmetic (+ − × ÷, comparisons, max/min) gives the reference's bits exactly.
#include <cmath>
#include <cstring>
#include <algorithm>
#include <vector>

#include "kernels.h"

namespace llmcore {

namespace {

// fn(row) for every row, the rows split between threads when there are enough elements
template <typename F>
void forRows(long rows, long cols, F&& fn) {
  parallelRanges(rows, partsFor(rows, rows * cols, 1 << 16), [&](int, long lo, long hi) {
    for (long r = lo; r < hi; r++) fn(r);
  });
}

inline float binaryOp(int op, float a, float b) {
  switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return a / b;
    case 4: return a != a || b != b ? NAN : a > b ? a : b;
    case 5: return a != a || b != b ? NAN : a < b ? a : b;
    case 6: return a == b ? 1.0f : 0.0f;
    case 7: return a != b ? 1.0f : 0.0f;
    case 8: return a < b ? 1.0f : 0.0f;
    case 9: return a <= b ? 1.0f : 0.0f;
    case 10: return a > b ? 1.0f : 0.0f;
    default: return a >= b ? 1.0f : 0.0f;
  }
}

template <int OP>
void binaryRow(const float* x, long sa, const float* y, long sb, float* out, long n) {
  if (sa == 1 && sb == 1)
    for (long j = 0; j < n; j++) out[j] = binaryOp(OP, x[j], y[j]);
  else if (sa == 1 && sb == 0)
    for (long j = 0; j < n; j++) out[j] = binaryOp(OP, x[j], y[0]);
  else if (sa == 0 && sb == 1)
    for (long j = 0; j < n; j++) out[j] = binaryOp(OP, x[0], y[j]);
  else
    for (long j = 0; j < n; j++) out[j] = binaryOp(OP, x[j * sa], y[j * sb]);
}

using RowFn = void (*)(const float*, long, const float*, long, float*, long);
const RowFn ROWS[12] = {binaryRow<0>, binaryRow<1>, binaryRow<2>, binaryRow<3>, binaryRow<4>,  binaryRow<5>,
                        binaryRow<6>, binaryRow<7>, binaryRow<8>, binaryRow<9>, binaryRow<10>, binaryRow<11>};

}  // namespace

void binary6(int op, const float* x, long offA, const float* y, long offB, const long* d, const long* sa, const long* sb, float* out) {
  const RowFn row = ROWS[op];
  const long rows = d[0] * d[1] * d[2] * d[3] * d[4];
  // each outer index (the first five dims) is one row of the innermost dim
  forRows(rows, d[5], [&](long r) {
    long rem = r, oa = offA, ob = offB;
    for (int k = 4; k >= 0; k--) {
      const long i = rem % d[k];
      rem /= d[k];
      oa += i * sa[k];
      ob += i * sb[k];
    }
    row(x + oa, sa[5], y + ob, sb[5], out + r * d[5], d[5]);
  });
}

void relu(const float* x, const float* g, float* out, long n) {
  if (g) {
    for (long i = 0; i < n; i++) out[i] = x[i] > 0 ? g[i] : 0.0f;
  } else {
    // NaN passes through, as the reference's x > 0 || x !== x
    for (long i = 0; i < n; i++) out[i] = x[i] > 0 || x[i] != x[i] ? x[i] : 0.0f;
  }
}

void layerNorm(const float* x, const float* w, const float* b, long rows, long cols, double eps, float* out, float* mean, float* rstd) {
  forRows(rows, cols, [&](long r) {
    const float* px = x + r * cols;
    float* po = out + r * cols;
    double mu = 0;
    for (long c = 0; c < cols; c++) mu += px[c];
    mu /= cols;
    double v = 0;
    for (long c = 0; c < cols; c++) {
      const double d = px[c] - mu;
      v += d * d;
    }
    const double rs = 1 / std::sqrt(v / cols + eps);
    // the reference stores mean and 1/std as float32 and normalizes with the doubles it computed
    mean[r] = static_cast<float>(mu);
    rstd[r] = static_cast<float>(rs);
    for (long c = 0; c < cols; c++) {
      double y = (px[c] - mu) * rs;
      if (w) y *= w[c];
      if (b) y += b[c];
      po[c] = static_cast<float>(y);
    }
  });
}

void layerNormBackward(const float* x, const float* w, const float* mean, const float* rstd, const float* g, long rows, long cols, float* dx,
                       float* dw, float* db) {
  // dx row by row on every thread; the parameter gradients summed over rows per thread, then added
  // into dweight/dbias in thread order (the reference adds row by row: the sums differ in rounding only)
  const int parts = partsFor(rows, rows * cols, 1 << 16);
  std::vector<double> acc(static_cast<size_t>(parts) * 2 * cols, 0.0);
  parallelRanges(rows, parts, [&](int t, long lo, long hi) {
    double* aw = acc.data() + static_cast<size_t>(t) * 2 * cols;
    double* ab = aw + cols;
    for (long r = lo; r < hi; r++) {
      const float* px = x + r * cols;
      const float* pg = g + r * cols;
      const double mu = mean[r], rs = rstd[r];
      double sumG = 0, sumGX = 0;
      for (long k = 0; k < cols; k++) {
        const double xh = (px[k] - mu) * rs;
        const double gh = w ? static_cast<double>(pg[k]) * w[k] : pg[k];
        sumG += gh;
        sumGX += gh * xh;
        if (dw) aw[k] += pg[k] * xh;
        if (db) ab[k] += pg[k];
      }
      const double mG = sumG / cols, mGX = sumGX / cols;
      float* pd = dx + r * cols;
      for (long k = 0; k < cols; k++) {
        const double xh = (px[k] - mu) * rs;
        const double gh = w ? static_cast<double>(pg[k]) * w[k] : pg[k];
        pd[k] = static_cast<float>(rs * (gh - mG - xh * mGX));
      }
    }
  });
  for (int t = 0; t < parts; t++) {
    const double* aw = acc.data() + static_cast<size_t>(t) * 2 * cols;
    for (long k = 0; k < cols; k++) {
      if (dw) dw[k] = static_cast<float>(dw[k] + aw[k]);
      if (db) db[k] = static_cast<float>(db[k] + aw[cols + k]);
    }
  }
}

void reduce(int op, const float* x, long outer, long mid, long inner, float* out) {
  forRows(outer, mid * inner, [&](long o) {
    const float* base = x + o * mid * inner;
    float* po = out + o * inner;
    if (op == 0) {
      if (inner == 1) {
        double acc = 0;
        for (long r = 0; r < mid; r++) acc += base[r];
        po[0] = static_cast<float>(acc);
        return;
      }
      std::vector<double> acc(inner, 0.0);
      for (long r = 0; r < mid; r++) {
        const float* row = base + r * inner;
        for (long i = 0; i < inner; i++) acc[i] += row[i];
      }
      for (long i = 0; i < inner; i++) po[i] = static_cast<float>(acc[i]);
      return;
    }
    const bool isMax = op == 1;
    for (long i = 0; i < inner; i++) po[i] = isMax ? -INFINITY : INFINITY;
    for (long r = 0; r < mid; r++) {
      const float* row = base + r * inner;
      for (long i = 0; i < inner; i++) {
        const float v = row[i], cur = po[i];
        if (v != v || (isMax ? v > cur : v < cur)) po[i] = v;
      }
    }
  });
}

}  // namespace llmcore
