/**
 * Elementwise kernels of the wasm backend. Unary maps and their derivatives run over flat arrays;
 * binary ops run over 2-D blocks in which each operand's rows are contiguous or broadcast (inner
 * stride 1 or 0), after the view's dimensions are coalesced, which covers same-shape, row-broadcast
 * (bias), column-broadcast (per-row statistics) and scalar operands. Other strides, float64 and pow
 * run on the reference kernels.
 */
import type { Shape } from '../../tensor/shape.js';
import type { BinaryOp, FloatArray, StridedView, UnaryOp } from '../backend.js';
import * as js from '../js/elementwise.js';
import { BINARY_CODE, UNARY_CODE, UNARY_GRAD_NEEDS } from './ops.js';
import type { WasmRuntime } from './runtime.js';

export function wasmUnary(rt: WasmRuntime, op: UnaryOp, x: FloatArray, out: FloatArray): void {
  if (!(x instanceof Float32Array && out instanceof Float32Array)) {
    js.unary(op, x, out);
    return;
  }
  const n = x.length;
  if (n === 0) return;
  rt.reset();
  const p = rt.put(x);
  rt.k.unary(UNARY_CODE[op], p, p, n);
  rt.get(p, out, n);
}

export function wasmUnaryBackward(rt: WasmRuntime, op: UnaryOp, x: FloatArray, y: FloatArray, g: FloatArray, out: FloatArray): void {
  if (!(x instanceof Float32Array && y instanceof Float32Array && g instanceof Float32Array && out instanceof Float32Array)) {
    js.unaryBackward(op, x, y, g, out);
    return;
  }
  const n = g.length;
  if (n === 0) return;
  if (op === 'sign') {
    out.fill(0);
    return;
  }
  const needs = UNARY_GRAD_NEEDS[op];
  rt.reset();
  const pg = rt.put(g);
  const px = needs.x ? rt.put(x) : pg;
  const py = needs.y ? rt.put(y) : pg;
  rt.k.unaryBackward(UNARY_CODE[op], px, py, pg, pg, n);
  rt.get(pg, out, n);
}

/** Dimensions after dropping size-1 dims and merging neighbours that both operands step through evenly. */
export function coalesce(shape: Shape, sa: readonly number[], sb: readonly number[]): { dims: number[]; sa: number[]; sb: number[] } {
  const dims: number[] = [];
  const ra: number[] = [];
  const rb: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d];
    if (size === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && ra[last] === sa[d] * size && rb[last] === sb[d] * size) {
      dims[last] *= size;
      ra[last] = sa[d];
      rb[last] = sb[d];
    } else {
      dims.push(size);
      ra.push(sa[d]);
      rb.push(sb[d]);
    }
  }
  return { dims, sa: ra, sb: rb };
}

/** The range [lo, hi) of data indices a strided view reads over `dims`. */
function extent(offset: number, dims: readonly number[], strides: readonly number[]): [number, number] {
  let lo = offset;
  let hi = offset;
  for (let d = 0; d < dims.length; d++) {
    const reach = (dims[d] - 1) * strides[d];
    if (reach < 0) lo += reach;
    else hi += reach;
  }
  return [lo, hi + 1];
}

export function wasmBinary(rt: WasmRuntime, op: BinaryOp, a: StridedView, b: StridedView, shape: Shape, out: FloatArray): void {
  const code = BINARY_CODE[op];
  const x = a.data;
  const y = b.data;
  let total = 1;
  for (const d of shape) total *= d;
  if (code === undefined || !(x instanceof Float32Array && y instanceof Float32Array && out instanceof Float32Array) || total < 8) {
    js.binary(op, a, b, shape, out);
    return;
  }
  const { dims, sa, sb } = coalesce(shape, a.strides, b.strides);
  const rank = dims.length;
  const innerA = rank ? sa[rank - 1] : 0;
  const innerB = rank ? sb[rank - 1] : 0;
  const [loA, hiA] = extent(a.offset, dims, sa);
  const [loB, hiB] = extent(b.offset, dims, sb);
  // Other inner strides (transposed views), or views spread thinly over a much larger array.
  if ((innerA !== 0 && innerA !== 1) || (innerB !== 0 && innerB !== 1) || hiA - loA > 2 * total + 4096 || hiB - loB > 2 * total + 4096) {
    js.binary(op, a, b, shape, out);
    return;
  }
  rt.reset();
  const baseA = rt.put(x, loA, hiA - loA) + (a.offset - loA) * 4;
  const baseB = rt.put(y, loB, hiB - loB) + (b.offset - loB) * 4;
  const po = rt.alloc(total);
  const cols = rank ? dims[rank - 1] : 1;
  const rows = rank >= 2 ? dims[rank - 2] : 1;
  const rowA = rank >= 2 ? sa[rank - 2] : 0;
  const rowB = rank >= 2 ? sb[rank - 2] : 0;
  const block = rows * cols;
  const k = rt.k;
  if (rank <= 2) {
    k.binary(code, baseA, innerA, rowA, baseB, innerB, rowB, po, rows, cols);
  } else {
    // walk the outer dimensions here, one 2-D block per call
    const outerRank = rank - 2;
    const counter = new Array<number>(outerRank).fill(0);
    let oa = 0;
    let ob = 0;
    for (let o = 0; o < total; o += block) {
      k.binary(code, baseA + oa * 4, innerA, rowA, baseB + ob * 4, innerB, rowB, po + o * 4, rows, cols);
      for (let d = outerRank - 1; d >= 0; d--) {
        counter[d]++;
        oa += sa[d];
        ob += sb[d];
        if (counter[d] < dims[d]) break;
        oa -= sa[d] * dims[d];
        ob -= sb[d] * dims[d];
        counter[d] = 0;
      }
    }
  }
  rt.get(po, out, total);
}
