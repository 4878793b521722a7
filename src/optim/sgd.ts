/** Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay, as torch.optim.SGD. */
import type { Tensor } from '../tensor/tensor.js';
import type { FloatArray } from '../backend/backend.js';
import { checkBoolean, checkNonNegative, Optimizer, type ParamGroupSpec, type ParamState } from './optimizer.js';

export interface SGDOptions {
  /** Learning rate (default 1e-3, PyTorch's). */
  lr: number;
  /** Momentum factor (default 0: plain SGD). */
  momentum: number;
  /** Dampening for momentum (default 0). */
  dampening: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** L2 penalty: weightDecay·p is added to the gradient (default 0). */
  weightDecay: number;
  /** Ascend instead of descend. */
  maximize: boolean;
}

/**
 * SGD with PyTorch's exact update. Per element, with g the gradient:
 *   g ← g + weightDecay·p
 *   b ← g on the first step, else momentum·b + (1 − dampening)·g
 *   g ← g + momentum·b (Nesterov) or b
 *   p ← p − lr·g
 * @example
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * loss.backward(); opt.step(); opt.zeroGrad();
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<SGDOptions>>, options: Partial<SGDOptions> = {}) {
    super('SGD', params, { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false, ...options });
  }

  protected validate(h: SGDOptions, where: string): void {
    checkNonNegative(h.lr, 'lr', where, 'SGD');
    checkNonNegative(h.momentum, 'momentum', where, 'SGD');
    checkNonNegative(h.dampening, 'dampening', where, 'SGD');
    checkNonNegative(h.weightDecay, 'weightDecay', where, 'SGD');
    checkBoolean(h.nesterov, 'nesterov', where, 'SGD');
    checkBoolean(h.maximize, 'maximize', where, 'SGD');
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
      throw new Error(`SGD: nesterov needs momentum > 0 and dampening 0, got momentum ${h.momentum}, dampening ${h.dampening} (${where})`);
    }
  }

  protected bufferNames(h: SGDOptions): string[] {
    return h.momentum !== 0 ? ['momentum_buffer'] : [];
  }

  protected update(p: FloatArray, grad: ArrayLike<number>, h: SGDOptions, st: ParamState): void {
    const { lr, momentum, dampening, nesterov, weightDecay, maximize } = h;
    let buf: FloatArray | null = null;
    let first = false;
    if (momentum !== 0) {
      first = !st.buffers.momentum_buffer;
      if (first) st.buffers.momentum_buffer = new (p.constructor as { new(n: number): FloatArray })(p.length);
      buf = st.buffers.momentum_buffer;
    }
    for (let i = 0; i < p.length; i++) {
      let g = maximize ? -grad[i] : grad[i];
      if (weightDecay !== 0) g += weightDecay * p[i];
      if (buf) {
        buf[i] = first ? g : momentum * buf[i] + (1 - dampening) * g;
        // read back the stored (rounded) buffer, as PyTorch does, so a resumed run matches bit for bit
        g = nesterov ? g + momentum * buf[i] : buf[i];
      }
      p[i] -= lr * g;
    }
  }
}
