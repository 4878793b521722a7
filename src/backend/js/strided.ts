/** Strided reads and writes: the one place that walks arbitrary strides, so other kernels can assume row-major. */
import type { Shape } from '../../tensor/shape.js';
import type { DataArray, StridedView } from '../backend.js';

/**
 * Calls `body(outIndex, offA, offB, offC)` for every element of `shape` in row-major order, with the
 * flat offsets of up to three strided views. The innermost dimension runs as a tight loop.
 */
export function forEachStrided3(
  shape: Shape,
  a: StridedView,
  b: StridedView | null,
  c: StridedView | null,
  body: (i: number, oa: number, ob: number, oc: number, len: number, sa: number, sb: number, sc: number) => void,
): void {
  const rank = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  if (rank === 0) {
    body(0, a.offset, b ? b.offset : 0, c ? c.offset : 0, 1, 0, 0, 0);
    return;
  }
  const last = shape[rank - 1];
  const sa = a.strides[rank - 1];
  const sb = b ? b.strides[rank - 1] : 0;
  const sc = c ? c.strides[rank - 1] : 0;
  const counter = new Array<number>(rank - 1).fill(0);
  let oa = a.offset;
  let ob = b ? b.offset : 0;
  let oc = c ? c.offset : 0;
  for (let i = 0; i < total; i += last) {
    body(i, oa, ob, oc, last, sa, sb, sc);
    // advance the multi-index over the outer dimensions
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      oa += a.strides[d];
      if (b) ob += b.strides[d];
      if (c) oc += c.strides[d];
      if (counter[d] < shape[d]) break;
      oa -= a.strides[d] * shape[d];
      if (b) ob -= b.strides[d] * shape[d];
      if (c) oc -= c.strides[d] * shape[d];
      counter[d] = 0;
    }
  }
}

export function copyStrided(src: StridedView, shape: Shape, out: DataArray): void {
  const x = src.data;
  forEachStrided3(shape, src, null, null, (i, oa, _ob, _oc, len, sa) => {
    if (sa === 1) {
      for (let j = 0; j < len; j++) out[i + j] = x[oa + j];
    } else {
      for (let j = 0; j < len; j++) out[i + j] = x[oa + j * sa];
    }
  });
}

export function addIntoStrided(src: DataArray, dst: StridedView, shape: Shape): void {
  const y = dst.data;
  forEachStrided3(shape, dst, null, null, (i, oa, _ob, _oc, len, sa) => {
    for (let j = 0; j < len; j++) y[oa + j * sa] += src[i + j];
  });
}
