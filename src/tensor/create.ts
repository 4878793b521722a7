/** Making tensors: from values, constants, ranges and seeded random draws. */
import { Tensor } from './tensor.js';
import { allocate, type DType } from './dtype.js';
import { checkShape, formatShape, ShapeError, sizeOf, type Shape } from './shape.js';
import { defaultGenerator, type Generator } from '../util/random.js';
import type { DataArray } from '../backend/backend.js';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

type Nested = number | readonly Nested[];

function inferShape(values: Nested): number[] {
  const shape: number[] = [];
  let v: Nested = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0] as Nested;
  }
  return shape;
}

function flattenInto(values: Nested, shape: number[], depth: number, out: number[]): void {
  if (depth === shape.length) {
    if (typeof values !== 'number') throw new ShapeError(`tensor: expected a number at depth ${depth}, got ${Array.isArray(values) ? 'an array' : typeof values}`);
    out.push(values);
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[depth]) {
    throw new ShapeError(`tensor: ragged nested array: expected ${shape[depth]} entries at depth ${depth} (shape ${formatShape(shape)})`);
  }
  for (const v of values) flattenInto(v, shape, depth + 1, out);
}

/**
 * A tensor from nested arrays, a flat typed array (with `shape`), or a number.
 * @example tensor([[1, 2], [3, 4]], { requiresGrad: true })
 * @example tensor(new Float32Array(6), { shape: [2, 3] })
 */
export function tensor(values: Nested | DataArray, options: TensorOptions & { shape?: Shape } = {}): Tensor {
  let flat: ArrayLike<number>;
  let shape: number[];
  if (ArrayBuffer.isView(values)) {
    flat = values;
    shape = options.shape ? [...options.shape] : [values.length];
  } else {
    shape = inferShape(values as Nested);
    const out: number[] = [];
    flattenInto(values as Nested, shape, 0, out);
    flat = out;
    if (options.shape) {
      if (sizeOf(options.shape) !== out.length) throw new ShapeError(`tensor: ${out.length} values cannot take shape ${formatShape(options.shape)}`);
      shape = [...options.shape];
    }
  }
  checkShape(shape, 'tensor');
  if (sizeOf(shape) !== flat.length) throw new ShapeError(`tensor: ${flat.length} values cannot take shape ${formatShape(shape)}`);
  const dtype = options.dtype ?? (values instanceof Int32Array ? 'int32' : values instanceof Float64Array ? 'float64' : 'float32');
  const data = allocate(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) data[i] = flat[i];
  const t = new Tensor(data, shape);
  if (options.requiresGrad) t.requiresGrad_();
  return t;
}

/** A tensor filled with `value`. */
export function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  checkShape(shape, 'full');
  const data = allocate(options.dtype ?? 'float32', sizeOf(shape));
  data.fill(value);
  const t = new Tensor(data, shape);
  if (options.requiresGrad) t.requiresGrad_();
  return t;
}

export const zeros = (shape: Shape, options: TensorOptions = {}): Tensor => full(shape, 0, options);
export const ones = (shape: Shape, options: TensorOptions = {}): Tensor => full(shape, 1, options);

/** start, start+step, … below end (like torch.arange). */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  if (end === undefined) { end = start; start = 0; }
  if (step === 0) throw new ShapeError('arange: step must not be 0');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const data = allocate(options.dtype ?? 'float32', n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n]);
}

function random(shape: Shape, draw: () => number, options: TensorOptions): Tensor {
  checkShape(shape, 'random');
  const data = allocate(options.dtype ?? 'float32', sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw();
  const t = new Tensor(data, shape);
  if (options.requiresGrad) t.requiresGrad_();
  return t;
}

/** Standard normal samples from `generator` (the seeded default when omitted). */
export function randn(shape: Shape, options: TensorOptions & { generator?: Generator } = {}): Tensor {
  const g = options.generator ?? defaultGenerator();
  return random(shape, () => g.normal(), options);
}

/** Uniform samples in [low, high). */
export function rand(shape: Shape, options: TensorOptions & { generator?: Generator; low?: number; high?: number } = {}): Tensor {
  const g = options.generator ?? defaultGenerator();
  const lo = options.low ?? 0;
  const hi = options.high ?? 1;
  return random(shape, () => lo + (hi - lo) * g.uniform(), options);
}
