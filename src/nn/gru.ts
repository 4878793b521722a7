/**
 * The GRU, as torch.nn.GRU and torch.nn.GRUCell. Gates in PyTorch's row order: reset r, update z, new n;
 * b_hn stays inside the reset gate's product, exactly as PyTorch computes it:
 *
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr)     z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
 *   h' = (1 − z) ⊙ n + z ⊙ h
 */
import type { Tensor } from '../tensor/tensor.js';
import { linear } from '../ops/nn.js';
import type { InitOptions } from './layers.js';
import {
  CellBase, RecurrentBase, type CellKernel, type LayerWeights, type RecurrentOptions, type RecurrentState,
} from './rnn.js';

/**
 * The pointwise GRU step. b_hh is not folded into the input projection (b_hn is scaled by r); keeps
 * r, z, n and W_hn h + b_hn per unit (4·H per batch row) for backward.
 */
export const GRU_KERNEL: CellKernel = {
  mode: 'GRU',
  gates: 3,
  hasCell: false,
  foldHiddenBias: false,
  saved: 4,
  forward(s) {
    const { B, H, gx, gh, bHh, h, saved } = s;
    const H3 = 3 * H;
    const H4 = 4 * H;
    for (let b = 0; b < B; b++) {
      const xo = s.gxOff + b * s.gxStride;
      const go = b * H3;
      const so = s.savedOff + b * H4;
      const hp = s.hPrev + b * H;
      const hn = s.hNext + b * H;
      for (let j = 0; j < H; j++) {
        const ar = gx[xo + j] + gh[go + j] + (bHh ? bHh[j] : 0);
        const az = gx[xo + H + j] + gh[go + H + j] + (bHh ? bHh[H + j] : 0);
        const ghn = gh[go + 2 * H + j] + (bHh ? bHh[2 * H + j] : 0);
        const r = 1 / (1 + Math.exp(-ar));
        const z = 1 / (1 + Math.exp(-az));
        const n = Math.tanh(gx[xo + 2 * H + j] + r * ghn);
        h[hn + j] = (1 - z) * n + z * h[hp + j];
        saved[so + j] = r;
        saved[so + H + j] = z;
        saved[so + 2 * H + j] = n;
        saved[so + 3 * H + j] = ghn;
      }
    }
  },
  backward(s) {
    const { B, H, h, saved, dh, dgx, dgh } = s;
    const H3 = 3 * H;
    const H4 = 4 * H;
    for (let b = 0; b < B; b++) {
      const so = s.savedOff + b * H4;
      const hp = s.hPrev + b * H;
      const xo = s.dgxOff + b * H3;
      const ho = s.dghOff + b * H3;
      const q = b * H;
      for (let j = 0; j < H; j++) {
        const r = saved[so + j];
        const z = saved[so + H + j];
        const n = saved[so + 2 * H + j];
        const ghn = saved[so + 3 * H + j];
        const d = dh[q + j];
        const dan = d * (1 - z) * (1 - n * n);
        const dar = dan * ghn * r * (1 - r);
        const daz = d * (h[hp + j] - n) * z * (1 - z);
        dgx[xo + j] = dar;
        dgx[xo + H + j] = daz;
        dgx[xo + 2 * H + j] = dan;
        dgh[ho + j] = dar;
        dgh[ho + H + j] = daz;
        dgh[ho + 2 * H + j] = dan * r;
        dh[q + j] = d * z;
      }
    }
  },
};

/**
 * The GRU cell from differentiable ops: the definition the fused path is tested against.
 * x (B, in), h (B, H) → h' (B, H).
 */
export function gruCellReference(x: Tensor, h: Tensor, w: LayerWeights): Tensor {
  const H = w.weightHh.shape[1];
  const gi = linear(x, w.weightIh, w.biasIh); // (B, 3H)
  const gh = linear(h, w.weightHh, w.biasHh); // (B, 3H)
  const part = (t: Tensor, k: number): Tensor => t.slice(-1, k * H, (k + 1) * H);
  const r = part(gi, 0).add(part(gh, 0)).sigmoid();
  const z = part(gi, 1).add(part(gh, 1)).sigmoid();
  const n = part(gi, 2).add(r.mul(part(gh, 2))).tanh();
  return z.neg().add(1).mul(n).add(z.mul(h));
}

/**
 * A multi-layer GRU, as torch.nn.GRU, with PyTorch's parameter names and gate order (r, z, n).
 * @example const { output, h } = new GRU(128, 256, { batchFirst: true }).forward(x);
 */
export class GRU extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super(GRU_KERNEL, inputSize, hiddenSize, options);
  }

  /** x (T, B, in) — (B, T, in) when batchFirst — and an optional initial state h (numLayers, B, H). */
  forward(x: Tensor, state?: RecurrentState): { output: Tensor; h: Tensor } {
    const { output, h } = this.run(x, state);
    return { output, h };
  }
}

/** One GRU step, as torch.nn.GRUCell: x (B, in) or (in), h (B, H) (zeros when omitted) → h'. */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: InitOptions & { bias?: boolean } = {}) {
    super(GRU_KERNEL, inputSize, hiddenSize, options);
  }

  forward(x: Tensor, h?: Tensor | null): Tensor {
    return this.step(x, h, null).h;
  }
}
