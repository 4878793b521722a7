/** Shape ops. Most are views (no copy): reshape of a contiguous tensor, permute, expand, slice. */
import { getBackend } from '../backend/backend.js';
import { Tensor } from '../tensor/tensor.js';
import { allocate, type DType } from '../tensor/dtype.js';
import { contiguousStrides, formatShape, inferReshape, normalizeAxis, ShapeError, sameShape, sizeOf } from '../tensor/shape.js';
import { fromOp, reduceTo, viewOp, zerosOf } from './make.js';

/** A contiguous copy (or the tensor itself when already contiguous). */
export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous()) return x;
  return clone(x);
}

/** A copy with its own storage; the gradient passes straight through. */
export function clone(x: Tensor): Tensor {
  const src = x.contiguousData();
  const data = src === x.data ? src.slice() : src;
  return fromOp('clone', data, x.shape, [x], (g) => [g]);
}

/**
 * A view with a new shape (a copy when the tensor is not contiguous); one size may be -1.
 * @example x.reshape([B * T, C])
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferReshape(shape, x.size, 'reshape');
  if (sameShape(target, x.shape)) return x;
  const base = x.isContiguous() ? x : clone(x);
  return viewOp('reshape', base, target, contiguousStrides(target), base.offset, (g) => [g.reshape([...x.shape])]);
}

/**
 * Reorders dimensions (a view).
 * @example x.permute(0, 2, 1, 3) // (B, T, H, D) → (B, H, T, D)
 */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) throw new ShapeError(`permute: expected ${x.ndim} dims for shape ${formatShape(x.shape)}, got [${dims.join(',')}]`);
  const d = dims.map((a) => normalizeAxis(a, x.ndim, 'permute'));
  if (new Set(d).size !== d.length) throw new ShapeError(`permute: repeated dimension in [${dims.join(',')}]`);
  const inverse = new Array<number>(d.length);
  d.forEach((a, i) => (inverse[a] = i));
  return viewOp('permute', x, d.map((a) => x.shape[a]), d.map((a) => x.strides[a]), x.offset, (g) => [permute(g, inverse)]);
}

/** Swaps two dimensions (a view). */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeAxis(dim0, x.ndim, 'transpose');
  const b = normalizeAxis(dim1, x.ndim, 'transpose');
  const dims = x.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permute(x, dims);
}

/** Broadcasts size-1 dimensions to a larger shape without copying (-1 keeps a size). */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  if (shape.length < x.ndim) throw new ShapeError(`expand: cannot expand ${formatShape(x.shape)} to fewer dimensions ${formatShape(shape)}`);
  const lead = shape.length - x.ndim;
  const outShape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const src = i < lead ? 1 : x.shape[i - lead];
    const want = shape[i] === -1 ? src : shape[i];
    if (src !== want && src !== 1) throw new ShapeError(`expand: cannot expand ${formatShape(x.shape)} to ${formatShape(shape)}: size ${src} vs ${want} at dim ${i}`);
    outShape.push(want);
    strides.push(i < lead || (src === 1 && want !== 1) ? 0 : x.strides[i - lead]);
  }
  if (sameShape(outShape, x.shape)) return x;
  return viewOp('expand', x, outShape, strides, x.offset, (g) => [reduceTo(g, x.shape)]);
}

/** Removes one size-1 dimension, or all of them when `axis` is omitted. */
export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = normalizeAxis(axis, x.ndim, 'squeeze', true);
  if (x.ndim === 0) return x;
  if (x.shape[a] !== 1) return x;
  return reshapeView(x, x.shape.filter((_, i) => i !== a), x.strides.filter((_, i) => i !== a));
}

/** Inserts a size-1 dimension at `axis`. */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis(axis, x.ndim + 1, 'unsqueeze');
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape.splice(a, 0, 1);
  strides.splice(a, 0, a < x.ndim ? x.strides[a] * x.shape[a] : 1);
  return reshapeView(x, shape, strides);
}

/** A view that only adds or removes size-1 dimensions, keeping strides (works on non-contiguous tensors). */
function reshapeView(x: Tensor, shape: number[], strides: number[]): Tensor {
  return viewOp('reshape', x, shape, strides, x.offset, (g) => [g.reshape([...x.shape])]);
}

/** Flattens dimensions startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeAxis(startDim, x.ndim, 'flatten');
  const e = normalizeAxis(endDim, x.ndim, 'flatten');
  if (s > e) throw new ShapeError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/**
 * Elements start..end (exclusive) with `step` along `axis`, as a view; negative indices count from the
 * end and out-of-range bounds clamp, as in Python slicing.
 * @example x.slice(1, 0, -1) // all positions but the last
 */
export function slice(x: Tensor, axis: number, start?: number, end?: number, step = 1): Tensor {
  const a = normalizeAxis(axis, x.ndim, 'slice');
  if (!Number.isInteger(step) || step < 1) throw new ShapeError(`slice: step must be a positive integer, got ${step}`);
  const n = x.shape[a];
  const clampIdx = (v: number): number => Math.min(n, Math.max(0, v < 0 ? v + n : v));
  const s = start === undefined ? 0 : clampIdx(start);
  const e = end === undefined ? n : clampIdx(end);
  const len = Math.max(0, Math.ceil((e - s) / step));
  const shape = [...x.shape];
  shape[a] = len;
  const strides = [...x.strides];
  strides[a] = x.strides[a] * step;
  const offset = x.offset + s * x.strides[a];
  return viewOp('slice', x, shape, strides, offset, (g) => {
    const gx = zerosOf(x.shape, g.dtype);
    const gStrides = [...gx.strides];
    const inner = gStrides[a];
    gStrides[a] = inner * step;
    getBackend().addIntoStrided(g.contiguousData(), { data: gx.data, offset: s * inner, strides: gStrides }, shape);
    return [gx];
  });
}

/** Converts the element type; gradients flow between float types. */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (dtype === x.dtype) return x;
  const out = allocate(dtype, x.size);
  const src = x.contiguousData();
  if (dtype === 'int32') {
    for (let i = 0; i < src.length; i++) {
      const v = Math.trunc(src[i]);
      if (!(v >= -2147483648 && v <= 2147483647)) throw new ShapeError(`to('int32'): value ${src[i]} at position ${i} is not representable as int32`);
      out[i] = v;
    }
  }
  else out.set(src);
  if (dtype === 'int32' || x.dtype === 'int32') return new Tensor(out, x.shape);
  return fromOp('cast', out, x.shape, [x], (g) => [cast(g, x.dtype)]);
}
