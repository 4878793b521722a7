/** Reductions over any set of axes, with keepdim, and their gradients. */
import { getBackend, type ReduceOp } from '../backend/backend.js';
import { Tensor } from '../tensor/tensor.js';
import { normalizeAxes, normalizeAxis, sizeOf, ShapeError, formatShape } from '../tensor/shape.js';
import { allocate } from '../tensor/dtype.js';
import { floatAlloc, fromOp, requireFloat } from './make.js';
import { binaryRaw } from './elementwise.js';

interface Plan {
  /** Contiguous data laid out as (outer, mid, inner) with the reduced axes in the middle. */
  data: Float32Array | Float64Array;
  outer: number;
  mid: number;
  inner: number;
  keptShape: number[];
  outShape: number[];
}

/** Arranges x so the reduced axes form the middle of (outer, mid, inner), permuting only if they are not adjacent. */
function plan(x: Tensor, axes: number[], keepdim: boolean): Plan {
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outShape = keepdim ? keptShape : x.shape.filter((_, i) => !axes.includes(i));
  const adjacent = axes.length === 0 || axes[axes.length - 1] - axes[0] === axes.length - 1;
  if (adjacent) {
    const a0 = axes.length ? axes[0] : x.ndim;
    const a1 = axes.length ? axes[axes.length - 1] + 1 : x.ndim;
    return {
      data: x.floatData(),
      outer: sizeOf(x.shape.slice(0, a0)),
      mid: sizeOf(x.shape.slice(a0, a1)),
      inner: sizeOf(x.shape.slice(a1)),
      keptShape,
      outShape,
    };
  }
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const moved = x.permute([...kept, ...axes]);
  return {
    data: moved.floatData(),
    outer: sizeOf(kept.map((i) => x.shape[i])),
    mid: sizeOf(axes.map((i) => x.shape[i])),
    inner: 1,
    keptShape,
    outShape,
  };
}

function reduceRaw(op: ReduceOp, x: Tensor, axes: number[], keepdim: boolean): { out: Tensor; keptShape: number[] } {
  const p = plan(x, axes, keepdim);
  if (p.mid === 0 && op !== 'sum') throw new ShapeError(`${op}: cannot reduce an empty dimension of ${formatShape(x.shape)}`);
  const out = floatAlloc(x.dtype, p.outer * p.inner);
  getBackend().reduce(op, p.data, p.outer, p.mid, p.inner, out);
  return { out: new Tensor(out, p.outShape), keptShape: p.keptShape };
}

/**
 * Sum over `axes` (all when omitted).
 * @example x.sum(-1, true) // (B, T, 1)
 */
export function sum(x: Tensor, axes?: number | number[], keepdim = false): Tensor {
  requireFloat(x, 'sum');
  const ax = normalizeAxes(axes, x.ndim, 'sum');
  const { out, keptShape } = reduceRaw('sum', x, ax, keepdim);
  return fromOp('sum', out.data, out.shape, [x], (g) => [g.reshape(keptShape).expand([...x.shape])]);
}

/** Mean over `axes` (all when omitted). */
export function mean(x: Tensor, axes?: number | number[], keepdim = false): Tensor {
  const ax = normalizeAxes(axes, x.ndim, 'mean');
  const count = sizeOf(ax.map((i) => x.shape[i]));
  return sum(x, ax, keepdim).div(count);
}

function extremum(op: 'max' | 'min', x: Tensor, axes: number | number[] | undefined, keepdim: boolean): Tensor {
  requireFloat(x, op);
  const ax = normalizeAxes(axes, x.ndim, op);
  const { out, keptShape } = reduceRaw(op, x, ax, keepdim);
  return fromOp(op, out.data, out.shape, [x], (g) => {
    // the gradient goes to every position holding the extremum, split evenly among ties
    const mask = binaryRaw('eq', x, out.reshape(keptShape));
    const count = sum(mask, ax, true);
    return [mask.mul(g.reshape(keptShape).div(count))];
  });
}

/** Maximum over `axes` (values only; see `argmax` for positions). */
export function max(x: Tensor, axes?: number | number[], keepdim = false): Tensor {
  return extremum('max', x, axes, keepdim);
}

/** Minimum over `axes`. */
export function min(x: Tensor, axes?: number | number[], keepdim = false): Tensor {
  return extremum('min', x, axes, keepdim);
}

function argExtremum(op: 'argmax' | 'argmin', x: Tensor, axis: number | undefined, keepdim: boolean): Tensor {
  // float64 holds every int32 exactly, so integer tensors (token ids, labels) reuse the float kernel
  if (x.dtype === 'int32') x = x.to('float64');
  if (axis === undefined) {
    const flat = x.reshape([-1]);
    return argExtremum(op, flat, 0, false);
  }
  if (x.ndim === 0) { normalizeAxis(axis, 0, op, true); return new Tensor(new Int32Array(1), []); }
  const a = normalizeAxis(axis, x.ndim, op);
  if (x.shape[a] === 0) throw new ShapeError(`${op}: cannot take ${op} of an empty dimension of ${formatShape(x.shape)}`);
  const p = plan(x, [a], keepdim);
  const out = allocate('int32', p.outer * p.inner) as Int32Array;
  getBackend().argReduce(op, p.data, p.outer, p.mid, p.inner, out);
  return new Tensor(out, p.outShape);
}

/** Index of the first maximum along `axis` (over the flattened tensor when omitted), as int32. */
export function argmax(x: Tensor, axis?: number, keepdim = false): Tensor {
  return argExtremum('argmax', x, axis, keepdim);
}

/** Index of the first minimum along `axis`, as int32. */
export function argmin(x: Tensor, axis?: number, keepdim = false): Tensor {
  return argExtremum('argmin', x, axis, keepdim);
}

/** log Σ exp(x) over `axes`, computed stably by shifting with the maximum. */
export function logsumexp(x: Tensor, axes?: number | number[], keepdim = false): Tensor {
  const ax = normalizeAxes(axes, x.ndim, 'logsumexp');
  const m = reduceRaw('max', x, ax, true).out;
  // a row of -Infinity must give -Infinity, not NaN
  const shift = new Tensor(m.data.map((v) => (Number.isFinite(v) ? v : 0)), m.shape);
  const s = x.sub(shift).exp().sum(ax, true).log().add(shift);
  return keepdim ? s : s.reshape(s.shape.filter((_, i) => !ax.includes(i)));
}
