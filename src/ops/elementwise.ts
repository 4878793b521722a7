/** Elementwise ops with broadcasting, each forward beside its backward. */
import { getBackend, type BinaryOp, type UnaryOp } from '../backend/backend.js';
import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { broadcastShapes, broadcastStrides, formatShape, sameShape, ShapeError, sizeOf } from '../tensor/shape.js';
import { asTensor, floatAlloc, fromOp, reduceTo, requireFloat, resultDType } from './make.js';

function unaryOp(op: UnaryOp, x: Tensor): Tensor {
  requireFloat(x, op);
  const xd = x.floatData();
  const out = floatAlloc(x.dtype, xd.length);
  getBackend().unary(op, xd, out);
  const y = fromOp(op, out, x.shape, [x], (g) => {
    const gd = g.floatData();
    const gx = floatAlloc(x.dtype, gd.length);
    getBackend().unaryBackward(op, xd, out, gd, gx);
    return [new Tensor(gx, x.shape)];
  });
  return y;
}

/** The broadcast elementwise kernel call, without autograd. */
export function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(a.shape, b.shape, op);
  const out = floatAlloc(resultDType(a, b), sizeOf(shape));
  getBackend().binary(
    op,
    { data: a.data, offset: a.offset, strides: broadcastStrides(a.shape, a.strides, shape) },
    { data: b.data, offset: b.offset, strides: broadcastStrides(b.shape, b.strides, shape) },
    shape,
    out,
  );
  return new Tensor(out, shape);
}

function binaryOp(op: BinaryOp, aIn: TensorLike, bIn: TensorLike, backward: ((g: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null]) | null): Tensor {
  if (!(aIn instanceof Tensor) && !(bIn instanceof Tensor)) {
    throw new TypeError(`${op}: at least one argument must be a Tensor, got two numbers (${aIn}, ${bIn}); use plain arithmetic or tensor(${aIn})`);
  }
  const a = aIn instanceof Tensor ? aIn : asTensor(aIn, bIn as Tensor);
  const b = asTensor(bIn, a);
  const raw = binaryRaw(op, a, b);
  if (!backward) return fromOp(op, raw.data, raw.shape, [a, b], null);
  const y: Tensor = fromOp(op, raw.data, raw.shape, [a, b], (g) => {
    const [ga, gb] = backward(g, a, b, y);
    return [ga && a.requiresGrad ? reduceTo(ga, a.shape) : null, gb && b.requiresGrad ? reduceTo(gb, b.shape) : null];
  });
  return y;
}

/** a + b with broadcasting. @example add(x, 1) */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('add', a, b, (g) => [g, g]);
}

/** a − b with broadcasting. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('sub', a, b, (g, _a, b2) => [g, b2.requiresGrad ? neg(g) : null]);
}

/** a · b elementwise with broadcasting. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('mul', a, b, (g, a2, b2) => [a2.requiresGrad ? mul(g, b2) : null, b2.requiresGrad ? mul(g, a2) : null]);
}

/** a / b elementwise with broadcasting. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('div', a, b, (g, a2, b2, y) => [
    a2.requiresGrad ? div(g, b2) : null,
    b2.requiresGrad ? neg(mul(g, div(y, b2))) : null,
  ]);
}

/** a ** b elementwise; the gradient with respect to b uses log(a) and needs a > 0. */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('pow', a, b, (g, a2, b2, y) => [
    // PyTorch's masks: d/da is 0 where b = 0 (not 0·0^−1 = NaN); d/db is 0 where a = 0 and b ≥ 0
    a2.requiresGrad ? mul(g, where(binaryRaw('eq', b2, asTensor(0, b2)), 0, mul(b2, pow(a2, sub(b2, 1))))) : null,
    b2.requiresGrad ? mul(g, where(mul(binaryRaw('eq', a2, asTensor(0, a2)), binaryRaw('ge', b2, asTensor(0, b2))), 0, mul(y, log(a2)))) : null,
  ]);
}

/** Elementwise maximum; at ties the gradient is split evenly, as in PyTorch. */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('maximum', a, b, (g, a2, b2) => {
    const wa = add(binaryRaw('gt', a2, b2), mul(binaryRaw('eq', a2, b2), 0.5));
    return [mul(g, wa), mul(g, sub(1, wa))];
  });
}

/** Elementwise minimum; at ties the gradient is split evenly. */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('minimum', a, b, (g, a2, b2) => {
    const wa = add(binaryRaw('lt', a2, b2), mul(binaryRaw('eq', a2, b2), 0.5));
    return [mul(g, wa), mul(g, sub(1, wa))];
  });
}

export const neg = (x: Tensor): Tensor => unaryOp('neg', x);
export const exp = (x: Tensor): Tensor => unaryOp('exp', x);
export const log = (x: Tensor): Tensor => unaryOp('log', x);
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x);
export const abs = (x: Tensor): Tensor => unaryOp('abs', x);
export const tanh = (x: Tensor): Tensor => unaryOp('tanh', x);
export const sigmoid = (x: Tensor): Tensor => unaryOp('sigmoid', x);
export const relu = (x: Tensor): Tensor => unaryOp('relu', x);
/** GELU with the exact Gaussian CDF (PyTorch's default). */
export const gelu = (x: Tensor): Tensor => unaryOp('gelu', x);

/** Clamps into [min, max]; either bound may be null. Gradient passes where min ≤ x ≤ max (bounds included, as PyTorch). */
export function clamp(x: Tensor, min: number | null, max: number | null): Tensor {
  // Not built from maximum/minimum: their tie rule would give a value exactly on a bound half the
  // gradient, where torch.clamp passes all of it. `where` keeps x's gradient unless x is strictly
  // outside, and NaN still propagates (a comparison with NaN is false, so x is kept).
  let y = x;
  if (min !== null) y = where(binaryRaw('lt', y, asTensor(min, y)), min, y);
  if (max !== null) y = where(binaryRaw('gt', y, asTensor(max, y)), max, y);
  return y;
}

// Comparisons: float tensors of 1 and 0, never differentiable.
export const eq = (a: TensorLike, b: TensorLike): Tensor => binaryOp('eq', a, b, null);
export const ne = (a: TensorLike, b: TensorLike): Tensor => binaryOp('ne', a, b, null);
export const lt = (a: TensorLike, b: TensorLike): Tensor => binaryOp('lt', a, b, null);
export const le = (a: TensorLike, b: TensorLike): Tensor => binaryOp('le', a, b, null);
export const gt = (a: TensorLike, b: TensorLike): Tensor => binaryOp('gt', a, b, null);
export const ge = (a: TensorLike, b: TensorLike): Tensor => binaryOp('ge', a, b, null);

/**
 * cond ≠ 0 ? a : b, with broadcasting over all three.
 * @example where(mask, x, 0)
 */
export function where(cond: Tensor, aIn: TensorLike, bIn: TensorLike): Tensor {
  const a = aIn instanceof Tensor ? aIn : asTensor(aIn, bIn instanceof Tensor ? bIn : cond);
  const b = asTensor(bIn, a);
  const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape, 'where'), b.shape, 'where');
  const out = floatAlloc(resultDType(a, b), sizeOf(shape));
  getBackend().where(
    { data: cond.data, offset: cond.offset, strides: broadcastStrides(cond.shape, cond.strides, shape) },
    { data: a.data, offset: a.offset, strides: broadcastStrides(a.shape, a.strides, shape) },
    { data: b.data, offset: b.offset, strides: broadcastStrides(b.shape, b.strides, shape) },
    shape,
    out,
  );
  return fromOp('where', out, shape, [a, b], (g) => [
    a.requiresGrad ? reduceTo(where(cond, g, 0), a.shape) : null,
    b.requiresGrad ? reduceTo(where(cond, 0, g), b.shape) : null,
  ]);
}

/**
 * Replaces elements where `mask` is non-zero by `value` (e.g. −Infinity before a softmax).
 * @example scores.maskedFill(causalMask, -Infinity)
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  const shape = broadcastShapes(x.shape, mask.shape, 'maskedFill');
  if (!sameShape(shape, x.shape)) {
    throw new ShapeError(`maskedFill: mask ${formatShape(mask.shape)} must broadcast to the input ${formatShape(x.shape)}, not enlarge it to ${formatShape(shape)}`);
  }
  return where(mask, value, x);
}
