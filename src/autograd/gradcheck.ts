/**
 * Finite-difference gradient checking in float64, the way torch.autograd.gradcheck works: every op's
 * backward is compared with central differences of its own forward.
 */
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { Generator } from '../util/random.js';
import { noGrad } from './grad-mode.js';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-6). */
  atol?: number;
  /** Relative tolerance (default 1e-4). */
  rtol?: number;
  /** Seed of the random projection of the output. */
  seed?: number;
}

/** A float64 copy of `t` with the same shape, strides and offset (so non-contiguous inputs stay non-contiguous). */
function toDouble(t: Tensor): Tensor {
  const d = new Tensor(Float64Array.from(t.data), t.shape, t.strides, t.offset);
  return d.requiresGrad_(true);
}

/** Flat storage positions of each logical element of a view, row-major. */
function positions(t: Tensor): number[] {
  const out: number[] = [];
  const idx = new Array<number>(t.ndim).fill(0);
  for (let n = 0; n < t.size; n++) {
    let p = t.offset;
    for (let d = 0; d < t.ndim; d++) p += idx[d] * t.strides[d];
    out.push(p);
    for (let d = t.ndim - 1; d >= 0; d--) {
      if (++idx[d] < t.shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * Checks the gradient of `fn` at `inputs` (float tensors, any layout) against central differences of
 * ⟨r, fn(inputs)⟩ for a fixed random r, computed in float64. Throws an error naming the input, the
 * element and both values on a mismatch; returns true otherwise.
 * @example gradcheck((a, b) => a.mul(b).sum(-1), [randn([3, 4]), randn([4])])
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): true {
  const { eps = 1e-6, atol = 1e-6, rtol = 1e-4, seed = 0 } = options;
  const xs = inputs.map(toDouble);
  const y0 = fn(...xs);
  const gen = new Generator(seed);
  const r = new Tensor(Float64Array.from({ length: y0.size }, () => gen.normal()), y0.shape);
  const project = (y: Tensor): number => {
    const yd = y.contiguousData();
    const rd = r.data;
    let s = 0;
    for (let i = 0; i < yd.length; i++) s += yd[i] * rd[i];
    return s;
  };
  if (!y0.requiresGrad) throw new Error('gradcheck: the output does not depend on any input with a gradient');
  y0.backward(r);
  xs.forEach((x, k) => {
    const analytic = x.grad ? x.grad.contiguousData() : new Float64Array(x.size);
    const data = x.data as Float64Array;
    positions(x).forEach((p, i) => {
      const orig = data[p];
      data[p] = orig + eps;
      const plus = noGrad(() => project(fn(...xs)));
      data[p] = orig - eps;
      const minus = noGrad(() => project(fn(...xs)));
      data[p] = orig;
      const numeric = (plus - minus) / (2 * eps);
      const a = analytic[i];
      if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
        throw new Error(`gradcheck: input ${k} ${formatShape(x.shape)}, element ${i}: analytic ${a} vs numeric ${numeric}`);
      }
    });
  });
  return true;
}
