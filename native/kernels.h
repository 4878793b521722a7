// The native kernels besides the matrix product; each matches its reference in src/backend/js/.
#pragma once

#include <algorithm>

namespace llmcore {

/** out (row-major over dims) = the strided view x[offset + Σ i_d·st_d], rank 6 (left-padded with size 1). */
void copyStrided6(const float* x, long offset, const long* dims, const long* st, float* out);
/** y[offset + Σ i_d·st_d] += src (row-major over dims), in the reference's order. */
void addIntoStrided6(const float* src, float* y, long offset, const long* dims, const long* st);

struct AdamArgs {
  double beta1, a1, beta2, a2, eps, stepSize, bc2sqrt, shrink, l2;
  bool maximize;
};
/** One Adam step over n elements in place, in double exactly as src/backend/js/optim.ts (bit-identical). */
void adam(float* p, const float* g, float* m, float* v, float* vmax, long n, const AdamArgs& h);

/** Row-wise cross-entropy with label smoothing (src/backend/backend.ts Backend.crossEntropy). */
void crossEntropy(const float* x, long rows, long cols, const int* targets, double eps, float* loss, float* stats);
/** Its gradient (Backend.crossEntropyBackward); dx may equal x. */
void crossEntropyBackward(const float* x, const float* stats, const float* g, long rows, long cols, const int* targets, double eps, float* dx);

/** GPT-2's tanh GELU of x into out, or (g given) its gradient g·gelu'(x). */
void geluTanh(const float* x, const float* g, float* out, long n);

/**
 * Dropout with the reference's draws: mask = scale where (int)(bits ^ 2³¹) ≥ threshold else 0, out = x·mask;
 * or (g given) the gradient out = g·mask.
 */
void dropout(const unsigned* bits, long long threshold, float scale, const float* x, const float* g, float* out, float* mask, long n);

/** Row-wise softmax (or log-softmax) of x into out; with g, its gradient from the output y = x. */
void softmax(const float* x, const float* g, long rows, long cols, float* out, bool log);

/** out = a op b over a rank-6 broadcast (ops: add sub mul div maximum minimum eq ne lt le gt ge). */
void binary6(int op, const float* x, long offA, const float* y, long offB, const long* dims, const long* sa, const long* sb, float* out);
/** ReLU of x, or (g given) its gradient. */
void relu(const float* x, const float* g, float* out, long n);
/** Row-wise layer norm and its backward, as src/backend/js/nn.ts (dweight/dbias accumulated into). */
void layerNorm(const float* x, const float* w, const float* b, long rows, long cols, double eps, float* out, float* mean, float* rstd);
void layerNormBackward(const float* x, const float* w, const float* mean, const float* rstd, const float* g, long rows, long cols, float* dx,
                       float* dw, float* db);
/** Sum (0), max (1) or min (2) over the middle axis of (outer, mid, inner); sums in double. */
void reduce(int op, const float* x, long outer, long mid, long inner, float* out);

/** An attention operand: slice i = (i / heads, i % heads) starts at p + (i / heads)·sb + (i % heads)·sh, row r at + r·row. */
struct AttentionOperand {
  const float* p;
  long sb, sh, row, col;  // col: the mask's stride between key positions (1 for q, k, v: rows are contiguous)
  const float* slice(long i, long heads) const { return p + (i / heads) * sb + (i % heads) * sh; }
};
/**
 * Scaled dot-product attention over n (batch, head) slices of t queries, s keys, d features per query
 * and key and dv per value; mask.p may be null (no mask), drop null or the (n, t, s) dropout multipliers.
 */
struct AttentionArgs {
  AttentionOperand q, k, v, mask;
  const float* drop;
  long n, heads, t, s, d, dv;
  float scale;
};
/** out (n, t, dv) = weights · v; probs (n, t, s) = the softmax; dropped (n, t, s) = probs · drop where drop is given. */
void attention(const AttentionArgs& a, float* out, float* probs, float* dropped);

/** Gradients from gOut (n, t, dv) and/or gWeights (n, t, s, of the weights returned): dq (n, t, d), dk (n, s, d) and dv (n, s, dv) accumulated into. */
struct AttentionGrads {
  const float *probs, *gOut, *gWeights;
  float *dq, *dk, *dv;
};
void attentionBackward(const AttentionArgs& a, const AttentionGrads& b);

/** Runs fn(part) for part in [0, parts) on the gemm pool, the caller taking part 0. */
void parallelFor(int parts, void (*fn)(void* ctx, int part), void* ctx);
int poolThreads();

/** How many parts to split n units of work into: one below `minWork` elements, else every pool thread (at most n). */
inline int partsFor(long n, long work, long minWork) { return work >= minWork && n > 1 ? static_cast<int>(std::min<long>(poolThreads(), n)) : 1; }

/** Splits [0, n) into `parts` contiguous ranges and runs fn(part, lo, hi) for each on the pool (part 0 on the caller). */
template <typename F>
void parallelRanges(long n, int parts, F&& fn) {
  struct Ctx {
    F* fn;
    long n;
    int parts;
  } ctx{&fn, n, std::max(1, std::min(parts, poolThreads()))};
  auto run = [](void* p, int t) {
    Ctx& c = *static_cast<Ctx*>(p);
    const long chunk = (c.n + c.parts - 1) / c.parts;
    (*c.fn)(t, std::min(c.n, chunk * t), std::min(c.n, chunk * (t + 1)));
  };
  if (ctx.parts <= 1) run(&ctx, 0);
  else parallelFor(ctx.parts, run, &ctx);
}

}  // namespace llmcore
