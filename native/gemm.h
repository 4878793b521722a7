// Single-precision matrix product for x86-64 with AVX2 and FMA (AVX-512 where present): out(batch, m, n) (+)= op(A)·op(B) (+ bias).
#pragma once
#include <cstddef>

namespace llmcore {

/** One batched product, in the layout of the engine's MatmulParams (src/backend/backend.ts). */
struct GemmJob {
  const float* a;
  const float* b;
  float* out;
  const float* bias;  // n values added to every row last, or null
  long batch, m, k, n;
  bool transA, transB, accumulate;
  long aBatchStride, bBatchStride;
};

/** Whether this CPU runs the AVX2 + FMA kernels. */
bool gemmSupported();

/** Runs the job on up to gemmThreads() threads (the caller's included). */
void gemm(const GemmJob& job);

/**
 * Which register tile runs: -1 chosen by shape (AVX-512 where present and n >= 32), 0 always AVX2,
 * 1 AVX-512 wherever present. For tests: every choice gives the same bits. Returns 512 where the CPU
 * has AVX-512, else 256.
 */
int setGemmTile(int choice);

/** Threads the pool may use (the caller's included); returns the value in force. */
int setGemmThreads(int n);
int gemmThreads();

}  // namespace llmcore
