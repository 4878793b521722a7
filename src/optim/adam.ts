/** Adam (L2 weight decay in the gradient) and AdamW (decoupled weight decay), as torch.optim. */
import type { Tensor } from '../tensor/tensor.js';
import { getBackend, type AdamStep, type FloatArray } from '../backend/backend.js';
import { adam as adamReference } from '../backend/js/optim.js';
import { checkBoolean, checkNonNegative, Optimizer, type ParamGroupSpec, type ParamState } from './optimizer.js';

export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decay rates of the first and second moment estimates (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay (default 1e-2). */
  weightDecay: number;
  /** Use the running maximum of the second moment (AMSGrad). */
  amsgrad: boolean;
  /** Ascend instead of descend. */
  maximize: boolean;
}

type Ctor = { new(n: number): FloatArray };

abstract class AdamBase extends Optimizer<AdamOptions> {
  /** Whether weight decay shrinks the parameter directly (AdamW) instead of entering the gradient (Adam). */
  protected abstract readonly decoupled: boolean;

  protected validate(h: AdamOptions, where: string): void {
    const k = this.kind;
    checkNonNegative(h.lr, 'lr', where, k);
    checkNonNegative(h.eps, 'eps', where, k);
    checkNonNegative(h.weightDecay, 'weightDecay', where, k);
    checkBoolean(h.amsgrad, 'amsgrad', where, k);
    checkBoolean(h.maximize, 'maximize', where, k);
    const b = h.betas;
    if (!Array.isArray(b) || b.length !== 2 || !b.every((x) => typeof x === 'number' && x >= 0 && x < 1)) {
      throw new Error(`${k}: betas must be two numbers in [0, 1), got ${JSON.stringify(b)} (${where})`);
    }
  }

  protected bufferNames(h: AdamOptions): string[] {
    return h.amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'];
  }

  protected update(p: FloatArray, grad: ArrayLike<number>, h: AdamOptions, st: ParamState): void {
    const { lr, eps, weightDecay, amsgrad, maximize } = h;
    const [beta1, beta2] = h.betas;
    const n = p.length;
    const make = (): FloatArray => new (p.constructor as Ctor)(n);
    const m = (st.buffers.exp_avg ??= make());
    const v = (st.buffers.exp_avg_sq ??= make());
    const vmax = amsgrad ? (st.buffers.max_exp_avg_sq ??= make()) : null;
    // The scalar factors are doubles in PyTorch too (Python floats).
    const step: AdamStep = {
      beta1, beta2, eps,
      stepSize: lr / (1 - beta1 ** st.step),
      bc2sqrt: Math.sqrt(1 - beta2 ** st.step),
      shrink: this.decoupled && weightDecay !== 0 ? 1 - lr * weightDecay : 1,
      l2: this.decoupled ? 0 : weightDecay,
      maximize,
    };
    // the backend's kernel when it has one (wasm: SIMD, bit-identical), else the reference loop
    const be = getBackend();
    if (be.adam) be.adam(p, grad as FloatArray, m, v, vmax, step);
    else adamReference(p, grad as FloatArray, m, v, vmax, step);
  }
}

/**
 * Adam with PyTorch's update (bias-corrected moments; weight decay as L2 in the gradient). Per
 * element, at step t:
 *   g ← g + weightDecay·p;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + eps)      (v → max(vmax, v) with amsgrad)
 * @example
 * const opt = new Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.98], eps: 1e-9 });
 */
export class Adam extends AdamBase {
  protected readonly decoupled: boolean = false;

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<AdamOptions>>, options: Partial<AdamOptions> = {}) {
    super('Adam', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...options });
  }
}

/**
 * AdamW: Adam whose weight decay shrinks the parameter directly, p ← p·(1 − lr·weightDecay), before
 * the Adam update (Loshchilov & Hutter), as torch.optim.AdamW. Default weightDecay 1e-2.
 * @example
 * const opt = new AdamW([{ params: weights }, { params: biases, weightDecay: 0 }], { lr: 3e-4, weightDecay: 0.1 });
 */
export class AdamW extends AdamBase {
  protected readonly decoupled: boolean = true;

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<AdamOptions>>, options: Partial<AdamOptions> = {}) {
    super('AdamW', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false, ...options });
  }
}
