// Scaled dot-product attention fused per (batch, head): scores, mask, softmax, dropout and the weighted
// sum of the values in one pass over each query row, and the backward pass the same way — no packed
// matrix products for these small per-head shapes, no score tensors between ops. The reference is
// src/backend/js/attention.ts; the softmax is the native softmax's row (simd.h softmaxRow: lanes by
// position), so a row's weights do not depend on how many masked positions follow it.
#include <cstring>
#include <vector>

#include "kernels.h"
#include "simd.h"

namespace llmcore {
namespace {

// Per-thread scratch: a row of score gradients, the scaled query and a row accumulator.
struct Scratch {
  std::vector<float> g, qs, acc;
  void fit(long s, long d, long dv) {
    if (static_cast<long>(g.size()) < s) g.resize(s);
    if (static_cast<long>(qs.size()) < d) qs.resize(d);
    if (static_cast<long>(acc.size()) < std::max(d, dv)) acc.resize(std::max(d, dv));
  }
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// Query row t of slice n times the scale (as the composed ops scale q before q·kᵀ), into qs.
inline void scaledQuery(const AttentionArgs& a, long n, long t, float* qs) {
  const float* q = a.q.slice(n, a.heads) + t * a.q.row;
  for (long d = 0; d < a.d; d++) qs[d] = q[d] * a.scale;
}

__attribute__((target("avx2,fma"))) void forwardRange(const AttentionArgs& a, float* out, float* probs, float* dropped, long n0, long n1) {
  const long T = a.t, S = a.s, D = a.d, DV = a.dv;
  Scratch& w = scratch();
  w.fit(S, D, DV);
  float* qs = w.qs.data();
  float* acc = w.acc.data();
  for (long n = n0; n < n1; n++) {
    const float* k = a.k.slice(n, a.heads);
    const float* v = a.v.slice(n, a.heads);
    for (long t = 0; t < T; t++) {
      scaledQuery(a, n, t, qs);
      const float* m = a.mask.p ? a.mask.slice(n, a.heads) + t * a.mask.row : nullptr;
      float* p = probs + (n * T + t) * S;
      for (long s = 0; s < S; s++) p[s] = dot(qs, k + s * a.k.row, D) + (m ? m[s * a.mask.col] : 0.0f);
      softmaxRow(p, p, S);
      const float* weights = p;
      if (a.drop) {
        const float* keep = a.drop + (n * T + t) * S;
        float* pd = dropped + (n * T + t) * S;
        for (long s = 0; s < S; s++) pd[s] = p[s] * keep[s];
        weights = pd;
      }
      std::fill(acc, acc + DV, 0.0f);
      for (long s = 0; s < S; s++) axpy(weights[s], v + s * a.v.row, acc, DV);
      std::memcpy(out + (n * T + t) * DV, acc, DV * sizeof(float));
    }
  }
}

__attribute__((target("avx2,fma"))) void backwardRange(const AttentionArgs& a, const AttentionGrads& b, long n0, long n1) {
  const long T = a.t, S = a.s, D = a.d, DV = a.dv;
  Scratch& w = scratch();
  w.fit(S, D, DV);
  float* g = w.g.data();
  float* qs = w.qs.data();
  float* acc = w.acc.data();
  for (long n = n0; n < n1; n++) {
    const float* k = a.k.slice(n, a.heads);
    const float* v = a.v.slice(n, a.heads);
    float* dk = b.dk + n * S * D;
    float* dv = b.dv ? b.dv + n * S * DV : nullptr;
    for (long t = 0; t < T; t++) {
      scaledQuery(a, n, t, qs);
      const float* p = b.probs + (n * T + t) * S;
      const float* keep = a.drop ? a.drop + (n * T + t) * S : nullptr;
      const float* go = b.gOut ? b.gOut + (n * T + t) * DV : nullptr;
      const float* gw = b.gWeights ? b.gWeights + (n * T + t) * S : nullptr;
      // g = ∂loss/∂(weights before dropout); the values' gradient takes the weights after it
      for (long s = 0; s < S; s++) {
        float x = go ? dot(go, v + s * a.v.row, DV) : 0.0f;
        if (gw) x += gw[s];
        if (keep) x *= keep[s];
        g[s] = x;
        if (dv) axpy(keep ? p[s] * keep[s] : p[s], go, dv + s * DV, DV);
      }
      // softmax: ∂scores = p · (g − Σ g·p)
      double r = 0;
      for (long s = 0; s < S; s++) r += static_cast<double>(g[s]) * p[s];
      const float rf = static_cast<float>(r);
      std::fill(acc, acc + D, 0.0f);
      for (long s = 0; s < S; s++) {
        const float ds = p[s] * (g[s] - rf);
        if (ds == 0.0f) continue;
        axpy(ds, k + s * a.k.row, acc, D);
        axpy(ds, qs, dk + s * D, D);
      }
      float* dq = b.dq + (n * T + t) * D;
      for (long d = 0; d < D; d++) dq[d] = acc[d] * a.scale;
    }
  }
}

}  // namespace

void attention(const AttentionArgs& a, float* out, float* probs, float* dropped) {
  parallelRanges(a.n, partsFor(a.n, a.n * a.t * a.s * (a.d + a.dv), 1 << 15), [&](int, long lo, long hi) { forwardRange(a, out, probs, dropped, lo, hi); });
}

void attentionBackward(const AttentionArgs& a, const AttentionGrads& b) {
  parallelRanges(a.n, partsFor(a.n, a.n * a.t * a.s * (a.d + a.dv), 1 << 15), [&](int, long lo, long hi) { backwardRange(a, b, lo, hi); });
}

}  // namespace llmcore
