/** Indexing and joining: indexSelect, gather, concat, stack. */
import { getBackend } from '../backend/backend.js';
import { Tensor } from '../tensor/tensor.js';
import { formatShape, normalizeAxis, ShapeError, sizeOf } from '../tensor/shape.js';
import { floatAlloc, fromOp, requireFloat, resultDType, zerosOf } from './make.js';

/** Validated int32 indices, with an error naming the first one out of range. */
export function toIndices(index: Tensor | ArrayLike<number>, n: number, op: string): Int32Array {
  let data: Int32Array;
  if (index instanceof Tensor) {
    if (index.dtype !== 'int32') {
      const src = index.contiguousData();
      data = new Int32Array(src.length);
      for (let i = 0; i < src.length; i++) {
        if (!Number.isInteger(src[i])) throw new ShapeError(`${op}: indices must be integers, got ${src[i]}`);
        data[i] = src[i];
      }
    } else {
      data = index.contiguousData() as Int32Array;
    }
  } else {
    data = new Int32Array(index.length);
    for (let i = 0; i < index.length; i++) {
      if (!Number.isInteger(index[i])) throw new ShapeError(`${op}: indices must be integers, got ${index[i]}`);
      data[i] = index[i];
    }
  }
  for (let i = 0; i < data.length; i++) {
    if (data[i] < 0 || data[i] >= n) throw new ShapeError(`${op}: index ${data[i]} is out of range for a dimension of size ${n} (at position ${i})`);
  }
  return data;
}

/**
 * Picks entries along `axis` by index: the result has `index`'s shape in place of that axis.
 * @example embedding.weight.indexSelect(0, ids) // (V, C) → (...ids.shape, C)
 */
export function indexSelect(x: Tensor, axis: number, index: Tensor | readonly number[]): Tensor {
  requireFloat(x, 'indexSelect');
  const a = normalizeAxis(axis, x.ndim, 'indexSelect');
  const n = x.shape[a];
  const idx = toIndices(index, n, 'indexSelect');
  const idxShape = index instanceof Tensor ? [...index.shape] : [idx.length];
  const outer = sizeOf(x.shape.slice(0, a));
  const inner = sizeOf(x.shape.slice(a + 1));
  const out = floatAlloc(x.dtype, outer * idx.length * inner);
  const xd = x.floatData();
  getBackend().indexSelect(xd, outer, n, inner, idx, out);
  const shape = [...x.shape.slice(0, a), ...idxShape, ...x.shape.slice(a + 1)];
  return fromOp('indexSelect', out, shape, [x], (g) => {
    const gx = zerosOf(x.shape, g.dtype);
    getBackend().indexAdd(g.floatData(), outer, n, inner, idx, gx.data as Float32Array);
    return [gx];
  });
}

/**
 * torch.gather: out[..., j, ...] = x[..., index[..., j, ...], ...] along `axis`. `index` has x's rank
 * and, on every other axis, x's size.
 * @example logProbs.gather(1, targets.unsqueeze(1)) // (N, C) → (N, 1)
 */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  requireFloat(x, 'gather');
  const a = normalizeAxis(axis, x.ndim, 'gather');
  if (index.ndim !== x.ndim || index.shape.some((d, i) => i !== a && d !== x.shape[i])) {
    throw new ShapeError(`gather: index ${formatShape(index.shape)} must match input ${formatShape(x.shape)} on every axis but ${a}`);
  }
  const n = x.shape[a];
  const m = index.shape[a];
  const idx = toIndices(index, n, 'gather');
  const outer = sizeOf(x.shape.slice(0, a));
  const inner = sizeOf(x.shape.slice(a + 1));
  const out = floatAlloc(x.dtype, idx.length);
  getBackend().gather(x.floatData(), outer, n, inner, idx, m, out);
  return fromOp('gather', out, index.shape, [x], (g) => {
    const gx = zerosOf(x.shape, g.dtype);
    getBackend().scatterAdd(g.floatData(), outer, n, inner, idx, m, gx.data as Float32Array);
    return [gx];
  });
}

/**
 * Joins tensors along an existing axis; all other sizes must match.
 * @example concat([a, b], -1)
 */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('concat: needs at least one tensor');
  const first = tensors[0];
  const a = normalizeAxis(axis, first.ndim, 'concat');
  for (const t of tensors) {
    requireFloat(t, 'concat');
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new ShapeError(`concat: shapes ${tensors.map((x) => formatShape(x.shape)).join(', ')} differ outside axis ${a}`);
    }
  }
  const dtype = tensors.reduce((d, t) => (t.dtype === 'float64' ? 'float64' : d), resultDType(first));
  const total = tensors.reduce((s, t) => s + t.shape[a], 0);
  const shape = [...first.shape];
  shape[a] = total;
  const out = zerosOf(shape, dtype);
  let at = 0;
  const starts: number[] = [];
  for (const t of tensors) {
    starts.push(at);
    const strides = [...out.strides];
    getBackend().addIntoStrided(t.contiguousData(), { data: out.data, offset: at * out.strides[a], strides }, t.shape);
    at += t.shape[a];
  }
  return fromOp('concat', out.data, shape, tensors, (g) => tensors.map((t, i) => (t.requiresGrad ? g.slice(a, starts[i], starts[i] + t.shape[a]) : null)));
}

/** Joins same-shaped tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('stack: needs at least one tensor');
  const shape = tensors[0].shape;
  for (const t of tensors) {
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ShapeError(`stack: all tensors need the same shape, got ${tensors.map((x) => formatShape(x.shape)).join(', ')}`);
    }
  }
  const a = normalizeAxis(axis, shape.length + 1, 'stack');
  return concat(tensors.map((t) => t.unsqueeze(a)), a);
}
