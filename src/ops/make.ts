/** Shared plumbing of ops: wrapping kernel output as a tensor that records its gradient, scalars, broadcasting. */
import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { allocate, type DType } from '../tensor/dtype.js';
import { formatShape, sameShape, sizeOf, ShapeError, type Shape } from '../tensor/shape.js';
import type { DataArray, FloatArray } from '../backend/backend.js';
import type { BackwardFn } from '../autograd/node.js';
import { AnomalyError, isAnomalyDetection, isGradEnabled } from '../autograd/grad-mode.js';

/**
 * Wraps `data` (row-major over `shape`) as the result of `op`. When grad recording is on and an
 * input requires grad, the result remembers `backward`.
 */
export function fromOp(op: string, data: DataArray, shape: Shape, inputs: readonly Tensor[], backward: BackwardFn | null): Tensor {
  const out = new Tensor(data, shape);
  if (isAnomalyDetection() && out.dtype !== 'int32') {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        throw new AnomalyError(`anomaly: ${op} produced ${data[i]} (inputs ${inputs.map((t) => formatShape(t.shape)).join(', ')}, output ${formatShape(shape)})`);
      }
    }
  }
  if (backward && isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.gradFn = { op, inputs, backward };
  }
  return out;
}

/** Like fromOp for views: the result shares `base`'s storage. */
export function viewOp(op: string, base: Tensor, shape: Shape, strides: readonly number[], offset: number, backward: BackwardFn): Tensor {
  const out = new Tensor(base.data, shape, strides, offset);
  if (isGradEnabled() && base.requiresGrad) {
    out.requiresGrad = true;
    out.gradFn = { op, inputs: [base], backward };
  }
  return out;
}

/** The float dtype two operands compute in: float64 if either is, else float32. */
export function resultDType(a: Tensor, b?: Tensor): DType {
  return a.dtype === 'float64' || b?.dtype === 'float64' ? 'float64' : 'float32';
}

export function floatAlloc(dtype: DType, n: number): FloatArray {
  return allocate(dtype === 'int32' ? 'float32' : dtype, n) as FloatArray;
}

/** A number becomes a 0-d tensor of the other operand's float type. */
export function asTensor(x: TensorLike, like: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number') throw new ShapeError(`expected a Tensor or a number, got ${typeof x}`);
  const data = floatAlloc(like.dtype, 1);
  data[0] = x;
  return new Tensor(data, []);
}

/** Sums a broadcast gradient back down to `shape` (the inverse of broadcasting). */
export function reduceTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return g.sum(axes, true).reshape([...shape]);
}

/** Throws unless `t` is a float tensor. */
export function requireFloat(t: Tensor, op: string): void {
  if (t.dtype === 'int32') throw new ShapeError(`${op}: expected a float tensor, got int32 of shape ${formatShape(t.shape)}`);
}

export function zerosOf(shape: Shape, dtype: DType): Tensor {
  return new Tensor(allocate(dtype, sizeOf(shape)), shape);
}
