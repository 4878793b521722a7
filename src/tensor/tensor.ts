/**
 * The Tensor: flat storage, a shape, strides and an offset (so reshape/transpose/slice are views),
 * plus the autograd fields. Operations live in `ops/`; the methods here are thin, chainable wrappers.
 */
import { getBackend, type DataArray, type FloatArray } from '../backend/backend.js';
import { runBackward } from '../autograd/backward.js';
import type { GradNode } from '../autograd/node.js';
import { contiguousStrides, formatShape, sizeOf, ShapeError, type Shape } from './shape.js';
import { allocate, dtypeOf, type DType } from './dtype.js';
import { formatTensor } from './format.js';
import * as ew from '../ops/elementwise.js';
import * as red from '../ops/reduce.js';
import * as view from '../ops/view.js';
import * as mm from '../ops/matmul.js';
import * as fn from '../ops/nn.js';
import * as idx from '../ops/index-ops.js';

export type TensorLike = Tensor | number;

export class Tensor {
  /** Storage, possibly shared with other views. */
  readonly data: DataArray;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  /** Whether gradients flow to this tensor. Set it on leaves you want to train. */
  requiresGrad = false;
  /** Accumulated gradient of a leaf after `backward()` (or of a non-leaf after `retainGrad()`). */
  grad: Tensor | null = null;
  /** How this tensor was made, for the backward pass; null on leaves. */
  gradFn: GradNode | null = null;
  /** @internal set by retainGrad() */
  retainsGrad = false;

  constructor(data: DataArray, shape: Shape, strides?: readonly number[], offset = 0) {
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.offset = offset;
    this.dtype = dtypeOf(data);
    if (!strides && offset + sizeOf(shape) > data.length) {
      throw new ShapeError(`Tensor: ${data.length} values cannot fill shape ${formatShape(shape)} (${sizeOf(shape)} needed)`);
    }
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** True when the elements sit row-major in `data` starting at `offset`. */
  isContiguous(): boolean {
    let s = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.strides[i] !== s) return false;
      s *= this.shape[i];
    }
    return true;
  }

  /** A leaf is a tensor not made by a recorded op (parameters, inputs). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /**
   * The elements row-major in a typed array; the storage itself when it already is exactly that
   * (treat it as read-only), else a copy.
   */
  contiguousData(): DataArray {
    if (this.isContiguous() && this.offset === 0 && this.data.length === this.size) return this.data;
    const out = allocate(this.dtype, this.size);
    if (this.isContiguous()) {
      out.set(this.data.subarray(this.offset, this.offset + this.size));
    } else {
      getBackend().copyStrided(this, this.shape, out);
    }
    return out;
  }

  /** @internal the float storage of a contiguous tensor (ops that only take floats) */
  floatData(): FloatArray {
    if (this.dtype === 'int32') throw new ShapeError(`expected a float tensor, got int32 of shape ${formatShape(this.shape)}`);
    return this.contiguousData() as FloatArray;
  }

  /** A copy of the elements as a Float32Array (row-major). */
  toFloat32Array(): Float32Array {
    return Float32Array.from(this.contiguousData());
  }

  /** The elements as nested JavaScript arrays. */
  toArray(): unknown {
    const flat = Array.from(this.contiguousData());
    if (this.ndim === 0) return flat[0];
    const build = (dim: number, start: number): unknown[] => {
      const n = this.shape[dim];
      if (dim === this.ndim - 1) return flat.slice(start, start + n);
      const step = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: n }, (_, i) => build(dim + 1, start + i * step));
    };
    return build(0, 0);
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: expected a tensor with one element, got shape ${formatShape(this.shape)}`);
    return this.data[this.offset];
  }

  toString(): string {
    return formatTensor(this);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ---- autograd ----

  /**
   * Backpropagates from this tensor: gradients of every leaf that requires them accumulate into
   * `.grad`. A non-scalar tensor needs the gradient of the output passed in.
   * @example const loss = x.mul(x).sum(); loss.backward(); x.grad // 2x
   */
  backward(gradient?: Tensor): void {
    runBackward(this, gradient);
  }

  /** A tensor sharing this one's storage but cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, this.strides, this.offset);
  }

  /** Sets `requiresGrad` in place and returns this tensor, for chaining. */
  requiresGrad_(on = true): this {
    if (on && this.dtype === 'int32') throw new ShapeError('requiresGrad: only float tensors can require gradients');
    if (!this.isLeaf && !on) throw new Error('requiresGrad_(false) on a non-leaf tensor: use detach()');
    this.requiresGrad = on;
    return this;
  }

  /** Keeps the gradient of this non-leaf tensor in `.grad` during backward. */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  // ---- elementwise ----
  add(other: TensorLike): Tensor { return ew.add(this, other); }
  sub(other: TensorLike): Tensor { return ew.sub(this, other); }
  mul(other: TensorLike): Tensor { return ew.mul(this, other); }
  div(other: TensorLike): Tensor { return ew.div(this, other); }
  pow(exponent: TensorLike): Tensor { return ew.pow(this, exponent); }
  maximum(other: TensorLike): Tensor { return ew.maximum(this, other); }
  minimum(other: TensorLike): Tensor { return ew.minimum(this, other); }
  neg(): Tensor { return ew.neg(this); }
  exp(): Tensor { return ew.exp(this); }
  log(): Tensor { return ew.log(this); }
  sqrt(): Tensor { return ew.sqrt(this); }
  abs(): Tensor { return ew.abs(this); }
  tanh(): Tensor { return ew.tanh(this); }
  sigmoid(): Tensor { return ew.sigmoid(this); }
  relu(): Tensor { return ew.relu(this); }
  gelu(): Tensor { return ew.gelu(this); }
  clamp(min: number | null, max: number | null): Tensor { return ew.clamp(this, min, max); }
  eq(other: TensorLike): Tensor { return ew.eq(this, other); }
  ne(other: TensorLike): Tensor { return ew.ne(this, other); }
  lt(other: TensorLike): Tensor { return ew.lt(this, other); }
  le(other: TensorLike): Tensor { return ew.le(this, other); }
  gt(other: TensorLike): Tensor { return ew.gt(this, other); }
  ge(other: TensorLike): Tensor { return ew.ge(this, other); }
  maskedFill(mask: Tensor, value: number): Tensor { return ew.maskedFill(this, mask, value); }

  // ---- reductions ----
  sum(axes?: number | number[], keepdim = false): Tensor { return red.sum(this, axes, keepdim); }
  mean(axes?: number | number[], keepdim = false): Tensor { return red.mean(this, axes, keepdim); }
  max(axes?: number | number[], keepdim = false): Tensor { return red.max(this, axes, keepdim); }
  min(axes?: number | number[], keepdim = false): Tensor { return red.min(this, axes, keepdim); }
  argmax(axis?: number, keepdim = false): Tensor { return red.argmax(this, axis, keepdim); }
  argmin(axis?: number, keepdim = false): Tensor { return red.argmin(this, axis, keepdim); }
  logsumexp(axes?: number | number[], keepdim = false): Tensor { return red.logsumexp(this, axes, keepdim); }

  // ---- shape ----
  reshape(...shape: number[] | [number[]]): Tensor { return view.reshape(this, flatArgs(shape)); }
  view(...shape: number[] | [number[]]): Tensor { return view.reshape(this, flatArgs(shape)); }
  permute(...dims: number[] | [number[]]): Tensor { return view.permute(this, flatArgs(dims)); }
  transpose(dim0 = -2, dim1 = -1): Tensor { return view.transpose(this, dim0, dim1); }
  /** Transpose of a matrix (the last two dimensions). */
  get T(): Tensor { return view.transpose(this, -2, -1); }
  expand(...shape: number[] | [number[]]): Tensor { return view.expand(this, flatArgs(shape)); }
  squeeze(axis?: number): Tensor { return view.squeeze(this, axis); }
  unsqueeze(axis: number): Tensor { return view.unsqueeze(this, axis); }
  flatten(startDim = 0, endDim = -1): Tensor { return view.flatten(this, startDim, endDim); }
  slice(axis: number, start?: number, end?: number, step = 1): Tensor { return view.slice(this, axis, start, end, step); }
  contiguous(): Tensor { return view.contiguous(this); }
  clone(): Tensor { return view.clone(this); }
  /** Converts the element type (differentiable between float types). */
  to(dtype: DType): Tensor { return view.cast(this, dtype); }

  // ---- linear algebra, indexing, nn ----
  matmul(other: Tensor): Tensor { return mm.matmul(this, other); }
  indexSelect(axis: number, index: Tensor | number[]): Tensor { return idx.indexSelect(this, axis, index); }
  gather(axis: number, index: Tensor): Tensor { return idx.gather(this, axis, index); }
  softmax(axis = -1): Tensor { return fn.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return fn.logSoftmax(this, axis); }
}

function flatArgs(args: number[] | [number[]]): number[] {
  return Array.isArray(args[0]) ? (args[0] as number[]) : (args as number[]);
}
