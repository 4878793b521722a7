/**
 * Strided copies for the wasm backend, in TypeScript on purpose: a copy into linear memory and back
 * would cost as much as the copy itself. Same semantics as the reference (../js/strided.ts), faster:
 * the view's dimensions are coalesced (size-1 dims dropped, neighbours that step evenly merged), and
 * ranks up to 6 run as plain nested loops without a per-row callback; contiguous rows of 16 or more
 * elements of the same array type move with TypedArray.set.
 */
import type { Shape } from '../../tensor/shape.js';
import type { DataArray, StridedView } from '../backend.js';
import * as js from '../js/strided.js';

/** Sizes and strides after dropping size-1 dims and merging dims that step evenly; null if empty. */
export function coalesce(shape: Shape, strides: readonly number[]): { dims: number[]; st: number[] } | null {
  const dims: number[] = [];
  const st: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d];
    if (size === 0) return null;
    if (size === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && st[last] === strides[d] * size) {
      dims[last] *= size;
      st[last] = strides[d];
    } else {
      dims.push(size);
      st.push(strides[d]);
    }
  }
  return { dims, st };
}

/** Pads (dims, strides) on the left to rank 6 with size-1 dims. */
export function pad6(dims: number[], st: number[]): void {
  while (dims.length < 6) {
    dims.unshift(1);
    st.unshift(0);
  }
}

export function copyStrided(src: StridedView, shape: Shape, out: DataArray): void {
  const c = coalesce(shape, src.strides);
  if (!c) return;
  const { dims, st } = c;
  const x = src.data;
  if (dims.length === 0) {
    out[0] = x[src.offset];
    return;
  }
  if (dims.length > 6) {
    js.copyStrided(src, shape, out);
    return;
  }
  pad6(dims, st);
  const [a0, a1, n0, n1, n2, n3] = dims;
  const [t0, t1, s0, s1, s2, s3] = st;
  const useSet = s3 === 1 && n3 >= 16 && x.constructor === out.constructor;
  let o = 0;
  for (let j0 = 0, q0 = src.offset; j0 < a0; j0++, q0 += t0) {
    for (let j1 = 0, q1 = q0; j1 < a1; j1++, q1 += t1) {
      for (let i0 = 0, p0 = q1; i0 < n0; i0++, p0 += s0) {
        for (let i1 = 0, p1 = p0; i1 < n1; i1++, p1 += s1) {
          for (let i2 = 0, p2 = p1; i2 < n2; i2++, p2 += s2) {
            if (useSet) {
              (out as Float32Array).set((x as Float32Array).subarray(p2, p2 + n3), o);
              o += n3;
            } else if (s3 === 1) {
              for (let j = 0; j < n3; j++) out[o++] = x[p2 + j];
            } else {
              for (let j = 0, p = p2; j < n3; j++, p += s3) out[o++] = x[p];
            }
          }
        }
      }
    }
  }
}

export function addIntoStrided(src: DataArray, dst: StridedView, shape: Shape): void {
  const c = coalesce(shape, dst.strides);
  if (!c) return;
  const { dims, st } = c;
  const y = dst.data;
  if (dims.length === 0) {
    y[dst.offset] += src[0];
    return;
  }
  if (dims.length > 6) {
    js.addIntoStrided(src, dst, shape);
    return;
  }
  pad6(dims, st);
  const [a0, a1, n0, n1, n2, n3] = dims;
  const [t0, t1, s0, s1, s2, s3] = st;
  let o = 0;
  for (let j0 = 0, q0 = dst.offset; j0 < a0; j0++, q0 += t0) {
    for (let j1 = 0, q1 = q0; j1 < a1; j1++, q1 += t1) {
      for (let i0 = 0, p0 = q1; i0 < n0; i0++, p0 += s0) {
        for (let i1 = 0, p1 = p0; i1 < n1; i1++, p1 += s1) {
          for (let i2 = 0, p2 = p1; i2 < n2; i2++, p2 += s2) {
            if (s3 === 1) {
              for (let j = 0; j < n3; j++) y[p2 + j] += src[o++];
            } else {
              for (let j = 0, p = p2; j < n3; j++, p += s3) y[p] += src[o++];
            }
          }
        }
      }
    }
  }
}
