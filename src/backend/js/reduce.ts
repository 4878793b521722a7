/** Reductions over the middle axis of a row-major (outer, mid, inner) array. */
import type { FloatArray, ReduceOp } from '../backend.js';

export function reduce(op: ReduceOp, x: FloatArray, outer: number, mid: number, inner: number, out: FloatArray): void {
  for (let o = 0; o < outer; o++) {
    const base = o * mid * inner;
    const ob = o * inner;
    if (op === 'sum') {
      // accumulate in doubles: adding into a float32 output rounds every partial sum (1% off over 1M values)
      if (inner === 1) {
        let acc = 0;
        for (let r = 0; r < mid; r++) acc += x[base + r];
        out[ob] = acc;
      } else {
        const acc = new Float64Array(inner);
        for (let r = 0; r < mid; r++) {
          const row = base + r * inner;
          for (let i = 0; i < inner; i++) acc[i] += x[row + i];
        }
        for (let i = 0; i < inner; i++) out[ob + i] = acc[i];
      }
    } else {
      const isMax = op === 'max';
      for (let i = 0; i < inner; i++) out[ob + i] = isMax ? -Infinity : Infinity;
      for (let r = 0; r < mid; r++) {
        const row = base + r * inner;
        for (let i = 0; i < inner; i++) {
          const v = x[row + i];
          const cur = out[ob + i];
          // NaN wins, as in PyTorch
          if (v !== v || (isMax ? v > cur : v < cur)) out[ob + i] = v;
        }
      }
    }
  }
}

export function argReduce(op: 'argmax' | 'argmin', x: FloatArray, outer: number, mid: number, inner: number, out: Int32Array): void {
  const isMax = op === 'argmax';
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * mid * inner + i;
      let best = x[base];
      let bestIdx = 0;
      if (best === best) {
        for (let r = 1; r < mid; r++) {
          const v = x[base + r * inner];
          if (v !== v) { bestIdx = r; break; }
          if (isMax ? v > best : v < best) { best = v; bestIdx = r; }
        }
      }
      out[o * inner + i] = bestIdx;
    }
  }
}
