// A GotoBLAS/BLIS-style product: B packed in KC x NC blocks of NR-wide panels, A in MC x KC blocks of
// MR-tall panels, and a register tile driven by fused multiply-adds: 6 x 16 with AVX2 (12 ymm
// accumulators, two B vectors and one A broadcast: 15 of the 16 ymm registers), 8 x 32 with AVX-512
// (16 zmm accumulators: twice the multiply-adds per instruction and a wider tile). Every transpose
// variant is absorbed by the packing, so a kernel always reads one layout. Both tiles compute each
// output element the same way — a fused multiply-add chain over p in order within a KC block, the
// blocks added to the output in order — so the two give the same bits, and which one runs (a per-call
// choice by shape) never changes a result.
#include "gemm.h"
#include "kernels.h"
#include "simd.h"

#include <immintrin.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace llmcore {
namespace {

constexpr long KC = 256;
constexpr long MC_MAX = 128;
constexpr long NC = 2048;  // a multiple of every NR: the packed B block (2 MiB) in L2/L3

// Element (i, j) of a matrix operand is p[i * rs + j * cs].
struct View {
  const float* p;
  long rs, cs;
};

template <long MR>
void packA(View a, long mc, long kc, float* dst) {
  for (long ir = 0; ir < mc; ir += MR) {
    const long mr = std::min(MR, mc - ir);
    const float* base = a.p + ir * a.rs;
    for (long p = 0; p < kc; p++) {
      const float* src = base + p * a.cs;
      long r = 0;
      for (; r < mr; r++) dst[r] = src[r * a.rs];
      for (; r < MR; r++) dst[r] = 0.0f;
      dst += MR;
    }
  }
}

template <long NR>
void packB(View b, long kc, long nc, float* dst) {
  for (long jr = 0; jr < nc; jr += NR) {
    const long nr = std::min(NR, nc - jr);
    const float* base = b.p + jr * b.cs;
    if (b.cs == 1 && nr == NR) {
      for (long p = 0; p < kc; p++) {
        std::memcpy(dst, base + p * b.rs, NR * sizeof(float));
        dst += NR;
      }
      continue;
    }
    for (long p = 0; p < kc; p++) {
      const float* src = base + p * b.rs;
      long c = 0;
      for (; c < nr; c++) dst[c] = src[c * b.cs];
      for (; c < NR; c++) dst[c] = 0.0f;
      dst += NR;
    }
  }
}

// C tile (6 x 16 at c, row pitch ldc) = (add ? C : 0) + packed A panel · packed B panel (+ bias, the tile's
// 16 columns of it, added last — as a pass over the finished product would add it, with the tile still in registers).
__attribute__((target("avx2,fma"))) void kernel6x16(long kc, const float* pa, const float* pb, float* c, long ldc, bool add, const float* bias) {
  constexpr long MR = 6, NR = 16;
  __m256 acc[2 * MR];
  for (long i = 0; i < 2 * MR; i++) acc[i] = _mm256_setzero_ps();
  for (long p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_loadu_ps(pb);
    const __m256 b1 = _mm256_loadu_ps(pb + 8);
#pragma GCC unroll 6
    for (long r = 0; r < MR; r++) {
      const __m256 a = _mm256_broadcast_ss(pa + r);
      acc[2 * r] = _mm256_fmadd_ps(a, b0, acc[2 * r]);
      acc[2 * r + 1] = _mm256_fmadd_ps(a, b1, acc[2 * r + 1]);
    }
    pa += MR;
    pb += NR;
  }
#pragma GCC unroll 6
  for (long r = 0; r < MR; r++) {
    float* row = c + r * ldc;
    __m256 v0 = acc[2 * r], v1 = acc[2 * r + 1];
    if (add) {
      v0 = _mm256_add_ps(_mm256_loadu_ps(row), v0);
      v1 = _mm256_add_ps(_mm256_loadu_ps(row + 8), v1);
    }
    if (bias) {
      v0 = _mm256_add_ps(v0, _mm256_loadu_ps(bias));
      v1 = _mm256_add_ps(v1, _mm256_loadu_ps(bias + 8));
    }
    _mm256_storeu_ps(row, v0);
    _mm256_storeu_ps(row + 8, v1);
  }
}

// C tile (8 x 32 at c, row pitch ldc) = (add ? C : 0) + packed A panel · packed B panel (+ bias, as kernel6x16).
__attribute__((target("avx512f"))) void kernel8x32(long kc, const float* pa, const float* pb, float* c, long ldc, bool add, const float* bias) {
  constexpr long MR = 8, NR = 32;
  __m512 acc[2 * MR];
  for (long i = 0; i < 2 * MR; i++) acc[i] = _mm512_setzero_ps();
  for (long p = 0; p < kc; p++) {
    const __m512 b0 = _mm512_loadu_ps(pb);
    const __m512 b1 = _mm512_loadu_ps(pb + 16);
#pragma GCC unroll 8
    for (long r = 0; r < MR; r++) {
      const __m512 a = _mm512_set1_ps(pa[r]);
      acc[2 * r] = _mm512_fmadd_ps(a, b0, acc[2 * r]);
      acc[2 * r + 1] = _mm512_fmadd_ps(a, b1, acc[2 * r + 1]);
    }
    pa += MR;
    pb += NR;
  }
#pragma GCC unroll 8
  for (long r = 0; r < MR; r++) {
    float* row = c + r * ldc;
    __m512 v0 = acc[2 * r], v1 = acc[2 * r + 1];
    if (add) {
      v0 = _mm512_add_ps(_mm512_loadu_ps(row), v0);
      v1 = _mm512_add_ps(_mm512_loadu_ps(row + 16), v1);
    }
    if (bias) {
      v0 = _mm512_add_ps(v0, _mm512_loadu_ps(bias));
      v1 = _mm512_add_ps(v1, _mm512_loadu_ps(bias + 16));
    }
    _mm512_storeu_ps(row, v0);
    _mm512_storeu_ps(row + 16, v1);
  }
}

// A product with one output row or column (decoding a token, a matrix times a vector): no packing,
// one pass over the matrix. Columns [j0, j1) of a 1 x n result, or rows [j0, j1) of an m x 1 one.
// `v` is the vector operand (contiguous), `mat` the matrix with element (p, j) at p * ps + j * js.
void gemvRange(const float* v, const float* mat, long ps, long js, float* out, long j0, long j1, long k, bool accumulate) {
  if (ps == 1) {
    // each output is a dot product of two contiguous runs
    for (long j = j0; j < j1; j++) {
      const float d = dot(v, mat + j * js, k);
      out[j] = accumulate ? out[j] + d : d;
    }
    return;
  }
  // rows of the matrix are contiguous in j: accumulate them scaled by the vector's entries
  if (!accumulate) std::fill(out + j0, out + j1, 0.0f);
  if (js == 1) {
    for (long p = 0; p < k; p++) axpy(v[p], mat + p * ps + j0, out + j0, j1 - j0);
    return;
  }
  for (long p = 0; p < k; p++)
    for (long j = j0; j < j1; j++) out[j] += v[p] * mat[p * ps + j * js];
}

struct Buffers {
  std::vector<float> a, b;
  Buffers() : a(MC_MAX * KC + 16), b(KC * NC + 16) {}
};

Buffers& threadBuffers() {
  thread_local Buffers buffers;
  return buffers;
}

using TileKernel = void (*)(long kc, const float* pa, const float* pb, float* c, long ldc, bool add, const float* bias);

// out (m x n, row pitch ldc) (+)= A (m x k) · B (k x n) (+ bias, n values added to every row last), one
// thread, with an MR x NR register tile.
template <long MR, long NR, TileKernel KERNEL>
void gemmSerial(View a, View b, float* out, long ldc, long m, long n, long k, bool accumulate, const float* bias) {
  constexpr long MC = MC_MAX / MR * MR;  // the packed A block (about 128 KiB) stays in L2
  if (k == 0) {
    for (long i = 0; i < m; i++) {
      if (!accumulate) std::fill(out + i * ldc, out + i * ldc + n, 0.0f);
      if (bias)
        for (long j = 0; j < n; j++) out[i * ldc + j] += bias[j];
    }
    return;
  }
  Buffers& buf = threadBuffers();
  alignas(64) float edge[MR * NR];
  for (long jc = 0; jc < n; jc += NC) {
    const long nc = std::min(NC, n - jc);
    for (long pc = 0; pc < k; pc += KC) {
      const long kc = std::min(KC, k - pc);
      packB<NR>({b.p + pc * b.rs + jc * b.cs, b.rs, b.cs}, kc, nc, buf.b.data());
      const bool add = accumulate || pc > 0;
      const bool last = pc + KC >= k;  // the bias goes in with the last block of the sum
      for (long ic = 0; ic < m; ic += MC) {
        const long mc = std::min(MC, m - ic);
        packA<MR>({a.p + ic * a.rs + pc * a.cs, a.rs, a.cs}, mc, kc, buf.a.data());
        for (long jr = 0; jr < nc; jr += NR) {
          const long nr = std::min(NR, nc - jr);
          const float* pb = buf.b.data() + jr * kc;
          for (long ir = 0; ir < mc; ir += MR) {
            const long mr = std::min(MR, mc - ir);
            const float* pa = buf.a.data() + ir * kc;
            float* c = out + (ic + ir) * ldc + jc + jr;
            const float* tileBias = bias && last ? bias + jc + jr : nullptr;
            if (mr == MR && nr == NR) {
              KERNEL(kc, pa, pb, c, ldc, add, tileBias);
              continue;
            }
            KERNEL(kc, pa, pb, edge, NR, false, nullptr);
            for (long r = 0; r < mr; r++)
              for (long j = 0; j < nr; j++) {
                const float v = add ? c[r * ldc + j] + edge[r * NR + j] : edge[r * NR + j];
                c[r * ldc + j] = tileBias ? v + tileBias[j] : v;
              }
          }
        }
      }
    }
  }
}

// A register tile and the product that drives it.
struct Tile {
  long mr, nr;
  void (*serial)(View a, View b, float* out, long ldc, long m, long n, long k, bool accumulate, const float* bias);
};
constexpr Tile TILE_AVX2{6, 16, gemmSerial<6, 16, kernel6x16>};
constexpr Tile TILE_AVX512{8, 32, gemmSerial<8, 32, kernel8x32>};

// A fixed pool of worker threads woken per product; the caller runs part 0 itself.
class Pool {
 public:
  explicit Pool(int threads) { resize(threads); }
  ~Pool() { stop(); }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int threads) {
    stop();
    stopping_ = false;
    for (int t = 1; t < threads; t++) workers_.emplace_back([this, t] { loop(t); });
  }

  void run(int parts, const std::function<void(int)>& fn) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &fn;
      parts_ = parts;
      pending_ = parts - 1;
      generation_++;
    }
    wake_.notify_all();
    fn(0);
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    job_ = nullptr;
  }

 private:
  void loop(int id) {
    long seen = 0;
    for (;;) {
      const std::function<void(int)>* job;
      int parts;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        job = job_;
        parts = parts_;
      }
      if (id < parts) {
        (*job)(id);
        std::lock_guard<std::mutex> lock(mutex_);
        if (--pending_ == 0) done_.notify_one();
      }
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* job_ = nullptr;
  int parts_ = 0, pending_ = 0;
  long generation_ = 0;
  bool stopping_ = false;
};

int defaultThreads() {
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(std::min(64u, hw));
}

Pool& pool() {
  static Pool instance(defaultThreads());
  return instance;
}

int limit = 0;  // 0: the pool's size

// Below this many multiply-adds a second thread costs more to wake than it saves (the wasm backend's
// measured threshold, MIN_PARALLEL_FLOPS in src/backend/wasm/threads.ts, counts the same way).
constexpr double MIN_PARALLEL_MACS = 1 << 22;

}  // namespace

bool gemmSupported() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

namespace {
bool avx512Present() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}
int tileChoice = -1;  // -1 by shape, 0 always AVX2, 1 AVX-512 where present

// The AVX-512 tile where the CPU has it and the product is at least one 32-wide panel across (narrower
// products would pad most of each panel with zeros); otherwise the AVX2 one.
const Tile& tileFor(long n) {
  static const bool has512 = avx512Present();
  if (!has512 || tileChoice == 0) return TILE_AVX2;
  return tileChoice == 1 || n >= 32 ? TILE_AVX512 : TILE_AVX2;
}
}  // namespace

int setGemmTile(int choice) {
  tileChoice = choice < 0 ? -1 : choice > 0 ? 1 : 0;
  return avx512Present() ? 512 : 256;
}

int setGemmThreads(int n) {
  limit = std::max(1, std::min(n, pool().size()));
  return limit;
}

int gemmThreads() { return limit > 0 ? limit : pool().size(); }

int poolThreads() { return gemmThreads(); }

void parallelFor(int parts, void (*fn)(void* ctx, int part), void* ctx) {
  parts = std::max(1, std::min(parts, pool().size()));
  if (parts == 1) {
    fn(ctx, 0);
    return;
  }
  pool().run(parts, [&](int t) { fn(ctx, t); });
}

void gemm(const GemmJob& job) {
  const int threads = gemmThreads();
  const long m = job.m, n = job.n, k = job.k;
  if (job.batch == 0 || m == 0 || n == 0) return;
  const View a0 = job.transA ? View{job.a, 1, m} : View{job.a, k, 1};
  const View b0 = job.transB ? View{job.b, 1, k} : View{job.b, n, 1};
  const double macs = static_cast<double>(job.batch) * m * n * k;
  int parts = macs >= MIN_PARALLEL_MACS ? std::min(threads, pool().size()) : 1;
  // Split the batch when there are enough matrices, else the longer side of each product, in whole tiles.
  const Tile& tile = tileFor(n);
  const bool byBatch = job.batch >= parts;
  const long side = m >= n ? m : n;
  const long unit = m >= n ? tile.mr : tile.nr;
  if (!byBatch) parts = static_cast<int>(std::min<long>(parts, (side + unit - 1) / unit));
  if (m == 1 || n == 1) {
    // out (1 x n) = a · B, or out (m x 1) = A · b: the vector is contiguous in every layout with a size-1 side
    const long len = m == 1 ? n : m;
    const int vparts = macs >= MIN_PARALLEL_MACS ? static_cast<int>(std::min<long>(std::min(threads, pool().size()), (len + 63) / 64)) : 1;
    auto gemvPart = [&](int t) {
      for (long bi = 0; bi < job.batch; bi++) {
        const float* a = a0.p + bi * job.aBatchStride;
        const float* b = b0.p + bi * job.bBatchStride;
        float* out = job.out + bi * m * n;
        const long lo = len * t / vparts, hi = len * (t + 1) / vparts;
        if (m == 1) gemvRange(a, b, b0.rs, b0.cs, out, lo, hi, k, job.accumulate);
        else gemvRange(b, a, a0.cs, a0.rs, out, lo, hi, k, job.accumulate);
        if (job.bias)
          for (long i = lo; i < hi; i++) out[i] += job.bias[m == 1 ? i : 0];
      }
    };
    if (vparts <= 1) gemvPart(0);
    else pool().run(vparts, gemvPart);
    return;
  }
  auto part = [&](int t) {
    for (long bi = 0; bi < job.batch; bi++) {
      if (byBatch && bi % parts != t) continue;
      View a{a0.p + bi * job.aBatchStride, a0.rs, a0.cs};
      View b{b0.p + bi * job.bBatchStride, b0.rs, b0.cs};
      float* out = job.out + bi * m * n;
      long i0 = 0, i1 = m, j0 = 0, j1 = n;
      if (!byBatch) {
        const long tiles = (side + unit - 1) / unit;
        const long lo = tiles * t / parts * unit, hi = std::min(side, tiles * (t + 1) / parts * unit);
        if (m >= n) { i0 = lo; i1 = hi; } else { j0 = lo; j1 = hi; }
      }
      if (i1 <= i0 || j1 <= j0) continue;
      tile.serial({a.p + i0 * a.rs, a.rs, a.cs}, {b.p + j0 * b.cs, b.rs, b.cs}, out + i0 * n + j0, n, i1 - i0, j1 - j0, k,
                 job.accumulate, job.bias ? job.bias + j0 : nullptr);
    }
  };
  // one part is the whole product: every batch, all rows and columns, on the calling thread
  if (parts <= 1) part(0);
  else pool().run(parts, part);
}

}  // namespace llmcore
