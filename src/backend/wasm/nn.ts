/**
 * Row-wise kernels of the wasm backend: softmax, layer norm, reductions, index gathers.
 *
 * indexSelect and indexAdd stay in TypeScript on purpose: their tables (embeddings, their gradients)
 * live in JS memory, and copying a whole table into linear memory for a gather of a few rows would
 * cost more than the gather. indexSelect copies rows with TypedArray.set (a native memcpy).
 */
import type { FloatArray, ReduceOp } from '../backend.js';
import * as jsNn from '../js/nn.js';
import * as jsReduce from '../js/reduce.js';
import { REDUCE_CODE } from './ops.js';
import type { WasmRuntime } from './runtime.js';

const f32 = (...xs: (FloatArray | null)[]): boolean => xs.every((x) => x === null || x instanceof Float32Array);

export function wasmSoftmax(rt: WasmRuntime, x: FloatArray, rows: number, cols: number, out: FloatArray, log: boolean): void {
  if (!f32(x, out)) {
    jsNn.softmax(x, rows, cols, out, log);
    return;
  }
  const n = rows * cols;
  if (n === 0) return;
  rt.reset();
  const p = rt.put(x as Float32Array, 0, n);
  rt.k.softmax(p, p, rows, cols, log ? 1 : 0);
  rt.get(p, out as Float32Array, n);
}

export function wasmSoftmaxBackward(
  rt: WasmRuntime, y: FloatArray, g: FloatArray, rows: number, cols: number, out: FloatArray, log: boolean,
): void {
  if (!f32(y, g, out)) {
    jsNn.softmaxBackward(y, g, rows, cols, out, log);
    return;
  }
  const n = rows * cols;
  if (n === 0) return;
  rt.reset();
  const py = rt.put(y as Float32Array, 0, n);
  const pg = rt.put(g as Float32Array, 0, n);
  rt.k.softmaxBackward(py, pg, pg, rows, cols, log ? 1 : 0);
  rt.get(pg, out as Float32Array, n);
}

/** An Int32Array's bytes seen as floats, for copying into linear memory. */
const asF32 = (t: Int32Array): Float32Array => new Float32Array(t.buffer, t.byteOffset, t.length);

export function wasmCrossEntropy(
  rt: WasmRuntime, x: FloatArray, rows: number, cols: number, targets: Int32Array, eps: number, loss: FloatArray, stats: FloatArray,
): void {
  if (!f32(x, loss, stats) || cols === 0) {
    jsNn.crossEntropy(x, rows, cols, targets, eps, loss, stats);
    return;
  }
  if (rows === 0) return;
  rt.reset();
  const px = rt.put(x as Float32Array, 0, rows * cols);
  const pt = rt.put(asF32(targets), 0, rows);
  const pl = rt.alloc(rows);
  const ps = rt.alloc(2 * rows);
  rt.k.crossEntropy(px, rows, cols, pt, eps, pl, ps);
  rt.get(pl, loss as Float32Array, rows);
  rt.get(ps, stats as Float32Array, 2 * rows);
}

export function wasmCrossEntropyBackward(
  rt: WasmRuntime, x: FloatArray, stats: FloatArray, g: FloatArray, rows: number, cols: number, targets: Int32Array, eps: number,
  dx: FloatArray,
): void {
  if (!f32(x, stats, g, dx) || cols === 0) {
    jsNn.crossEntropyBackward(x, stats, g, rows, cols, targets, eps, dx);
    return;
  }
  if (rows === 0) return;
  const n = rows * cols;
  rt.reset();
  const px = rt.put(x as Float32Array, 0, n);
  const ps = rt.put(stats as Float32Array, 0, 2 * rows);
  const pg = rt.put(g as Float32Array, 0, rows);
  const pt = rt.put(asF32(targets), 0, rows);
  rt.k.crossEntropyBackward(px, ps, pg, rows, cols, pt, eps, px);
  rt.get(px, dx as Float32Array, n);
}

export function wasmLayerNorm(
  rt: WasmRuntime, x: FloatArray, weight: FloatArray | null, bias: FloatArray | null, rows: number, cols: number, eps: number,
  out: FloatArray, mean: FloatArray, rstd: FloatArray,
): void {
  if (!f32(x, weight, bias, out, mean, rstd)) {
    jsNn.layerNorm(x, weight, bias, rows, cols, eps, out, mean, rstd);
    return;
  }
  const n = rows * cols;
  if (n === 0) return;
  rt.reset();
  const px = rt.put(x as Float32Array, 0, n);
  const pw = weight ? rt.put(weight as Float32Array, 0, cols) : 0;
  const pb = bias ? rt.put(bias as Float32Array, 0, cols) : 0;
  const pm = rt.alloc(rows);
  const pr = rt.alloc(rows);
  rt.k.layerNorm(px, pw, pb, rows, cols, eps, px, pm, pr);
  rt.get(px, out as Float32Array, n);
  rt.get(pm, mean as Float32Array, rows);
  rt.get(pr, rstd as Float32Array, rows);
}

export function wasmLayerNormBackward(
  rt: WasmRuntime, x: FloatArray, weight: FloatArray | null, mean: FloatArray, rstd: FloatArray, g: FloatArray,
  rows: number, cols: number, dx: FloatArray, dweight: FloatArray | null, dbias: FloatArray | null,
): void {
  if (!f32(x, weight, mean, rstd, g, dx, dweight, dbias)) {
    jsNn.layerNormBackward(x, weight, mean, rstd, g, rows, cols, dx, dweight, dbias);
    return;
  }
  const n = rows * cols;
  if (n === 0) return;
  rt.reset();
  const px = rt.put(x as Float32Array, 0, n);
  const pw = weight ? rt.put(weight as Float32Array, 0, cols) : 0;
  const pm = rt.put(mean as Float32Array, 0, rows);
  const pr = rt.put(rstd as Float32Array, 0, rows);
  const pg = rt.put(g as Float32Array, 0, n);
  const pdw = dweight ? rt.put(dweight as Float32Array, 0, cols) : 0;
  const pdb = dbias ? rt.put(dbias as Float32Array, 0, cols) : 0;
  rt.k.layerNormBackward(px, pw, pm, pr, pg, rows, cols, pg, pdw, pdb);
  rt.get(pg, dx as Float32Array, n);
  if (dweight) rt.get(pdw, dweight as Float32Array, cols);
  if (dbias) rt.get(pdb, dbias as Float32Array, cols);
}

export function wasmReduce(
  rt: WasmRuntime, op: ReduceOp, x: FloatArray, outer: number, mid: number, inner: number, out: FloatArray,
): void {
  const n = outer * mid * inner;
  if (!f32(x, out) || n < 16 || mid === 0) {
    jsReduce.reduce(op, x, outer, mid, inner, out);
    return;
  }
  rt.reset();
  const px = rt.put(x as Float32Array, 0, n);
  const po = rt.alloc(outer * inner);
  rt.k.reduce(REDUCE_CODE[op], px, outer, mid, inner, po);
  rt.get(po, out as Float32Array, outer * inner);
}

/** out(outer, idx.length, inner) = x(outer, n, inner) at idx along the middle axis. */
export function indexSelect(x: FloatArray, outer: number, n: number, inner: number, idx: Int32Array, out: FloatArray): void {
  const m = idx.length;
  if (inner < 16 || x.constructor !== out.constructor) {
    jsNn.indexSelect(x, outer, n, inner, idx, out);
    return;
  }
  const X = x as Float32Array;
  const O = out as Float32Array;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * n + idx[j]) * inner;
      O.set(X.subarray(src, src + inner), (o * m + j) * inner);
    }
  }
}
