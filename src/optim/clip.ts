/** Gradient clipping by the global norm, as torch.nn.utils.clip_grad_norm_. */
import { Tensor } from '../tensor/tensor.js';

export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite instead of scaling by it (default false, as PyTorch). */
  errorIfNonfinite?: boolean;
}

/**
 * Scales all gradients together so that their combined `normType`-norm is at most `maxNorm`, and
 * returns the norm they had before. The norm is global: as if every gradient were one long vector.
 * The scale is maxNorm / (norm + 1e-6), applied only when below 1, exactly as PyTorch.
 * Parameters without a gradient are ignored. The sum runs in float64.
 * @example
 * loss.backward();
 * const norm = clipGradNorm(model.parameters(), 1.0);
 * opt.step();
 */
export function clipGradNorm(params: Iterable<Tensor> | Tensor, maxNorm: number, normType = 2, options: ClipGradNormOptions = {}): number {
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) throw new Error(`clipGradNorm: maxNorm must be a number ≥ 0, got ${maxNorm}`);
  if (typeof normType !== 'number' || !(normType > 0)) throw new Error(`clipGradNorm: normType must be > 0 or Infinity, got ${normType}`);
  const list = params instanceof Tensor ? [params] : [...params];
  const grads = list.filter((p) => p.grad !== null).map((p) => ({ p, g: p.grad!.contiguousData() }));
  if (grads.length === 0) return 0;

  let total: number;
  if (normType === Infinity) {
    total = 0;
    for (const { g } of grads) {
      for (let i = 0; i < g.length; i++) {
        const a = Math.abs(g[i]);
        if (a > total || Number.isNaN(a)) total = a;
        if (Number.isNaN(total)) break;
      }
    }
  } else {
    let acc = 0;
    for (const { g } of grads) {
      if (normType === 2) for (let i = 0; i < g.length; i++) acc += g[i] * g[i];
      else if (normType === 1) for (let i = 0; i < g.length; i++) acc += Math.abs(g[i]);
      else for (let i = 0; i < g.length; i++) acc += Math.abs(g[i]) ** normType;
    }
    total = normType === 2 ? Math.sqrt(acc) : normType === 1 ? acc : acc ** (1 / normType);
  }

  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new Error(`clipGradNorm: the total ${normType}-norm of the gradients is ${total}; set errorIfNonfinite false to scale anyway`);
  }
  const coef = maxNorm / (total + 1e-6);
  // NaN coef (NaN norm) also scales, so NaN spreads to every gradient as in PyTorch: never silently kept.
  if (coef < 1 || Number.isNaN(coef)) {
    const done = new Set<ArrayLike<number>>(); // a gradient shared by two parameters is scaled once
    for (const { p, g } of grads) {
      if (done.has(g)) continue;
      done.add(g);
      const grad = p.grad!;
      if (g === grad.data && grad.offset === 0) {
        for (let i = 0; i < g.length; i++) g[i] *= coef; // in place: the gradient owns this storage
      } else {
        const scaled = g.slice();
        for (let i = 0; i < scaled.length; i++) scaled[i] *= coef;
        p.grad = new Tensor(scaled, grad.shape);
      }
    }
  }
  return total;
}
