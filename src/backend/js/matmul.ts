/**
 * Reference matmul: operands are packed to row-major (m,k)·(k,n) when read transposed, then
 * multiplied in cache-sized blocks with a contiguous innermost loop over n.
 */
import type { FloatArray, MatmulParams } from '../backend.js';

const BLOCK_M = 32;
const BLOCK_K = 128;
const BLOCK_N = 512;

function packTransposed(src: FloatArray, offset: number, rows: number, cols: number, dst: FloatArray): void {
  // src holds (cols, rows) row-major; dst receives (rows, cols) row-major
  for (let c = 0; c < cols; c++) {
    const base = offset + c * rows;
    for (let r = 0; r < rows; r++) dst[r * cols + c] = src[base + r];
  }
}

export function matmul(a: FloatArray, b: FloatArray, out: FloatArray, p: MatmulParams): void {
  const { batch, m, k, n, transA, transB } = p;
  const Ctor = out.constructor as new (n: number) => FloatArray;
  const packA = transA ? new Ctor(m * k) : null;
  const packB = transB ? new Ctor(k * n) : null;
  for (let bi = 0; bi < batch; bi++) {
    const aOff = p.aOffset + bi * p.aBatchStride;
    const bOff = p.bOffset + bi * p.bBatchStride;
    const cOff = bi * m * n;
    let A = a, aBase = aOff;
    let B = b, bBase = bOff;
    if (packA) { packTransposed(a, aOff, m, k, packA); A = packA; aBase = 0; }
    if (packB) { packTransposed(b, bOff, k, n, packB); B = packB; bBase = 0; }
    if (!p.accumulate) out.fill(0, cOff, cOff + m * n);
    for (let j0 = 0; j0 < n; j0 += BLOCK_N) {
      const j1 = Math.min(n, j0 + BLOCK_N);
      for (let p0 = 0; p0 < k; p0 += BLOCK_K) {
        const p1 = Math.min(k, p0 + BLOCK_K);
        for (let i0 = 0; i0 < m; i0 += BLOCK_M) {
          const i1 = Math.min(m, i0 + BLOCK_M);
          for (let i = i0; i < i1; i++) {
            const cRow = cOff + i * n;
            const aRow = aBase + i * k;
            let q = p0;
            // two rows of B per pass halves the loads and stores of C
            for (; q + 1 < p1; q += 2) {
              const av0 = A[aRow + q];
              const av1 = A[aRow + q + 1];
              const b0 = bBase + q * n;
              const b1 = b0 + n;
              for (let j = j0; j < j1; j++) out[cRow + j] += av0 * B[b0 + j] + av1 * B[b1 + j];
            }
            if (q < p1) {
              const av = A[aRow + q];
              const b0 = bBase + q * n;
              for (let j = j0; j < j1; j++) out[cRow + j] += av * B[b0 + j];
            }
          }
        }
      }
    }
  }
  if (p.bias) addBias(out, p.bias, batch * m, n);
}

/** out(rows, n) += bias(n) on every row: the bias of `MatmulParams`. */
export function addBias(out: FloatArray, bias: FloatArray, rows: number, n: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) out[o + j] += bias[j];
  }
}

/** The textbook triple loop, kept only as the oracle the blocked kernel is tested against. */
export function matmulNaive(a: FloatArray, b: FloatArray, out: FloatArray, p: MatmulParams): void {
  const { batch, m, k, n, transA, transB } = p;
  for (let bi = 0; bi < batch; bi++) {
    const aOff = p.aOffset + bi * p.aBatchStride;
    const bOff = p.bOffset + bi * p.bBatchStride;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) {
          const av = transA ? a[aOff + q * m + i] : a[aOff + i * k + q];
          const bv = transB ? b[bOff + j * k + q] : b[bOff + q * n + j];
          s += av * bv;
        }
        const o = bi * m * n + i * n + j;
        out[o] = p.accumulate ? out[o] + s : s;
      }
    }
  }
  if (p.bias) addBias(out, p.bias, batch * m, n);
}
