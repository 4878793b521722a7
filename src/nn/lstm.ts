/**
 * The LSTM, as torch.nn.LSTM and torch.nn.LSTMCell. Gates in PyTorch's row order of weight_ih and
 * weight_hh: input i, forget f, cell candidate g, output o.
 *
 *   i = σ(W_ii x + b_ii + W_hi h + b_hi)    f = σ(W_if x + b_if + W_hf h + b_hf)
 *   g = tanh(W_ig x + b_ig + W_hg h + b_hg)  o = σ(W_io x + b_io + W_ho h + b_ho)
 *   c' = f ⊙ c + i ⊙ g                       h' = o ⊙ tanh(c')
 */
import type { Tensor } from '../tensor/tensor.js';
import { linear } from '../ops/nn.js';
import { getBackend } from '../backend/backend.js';
import type { InitOptions } from './layers.js';
import {
  CellBase, RecurrentBase, type CellKernel, type LayerWeights, type RecurrentOptions, type RecurrentState,
} from './rnn.js';

/**
 * The pointwise LSTM step, a backend kernel (lstmCell / lstmCellBackward; the reference loops are in
 * src/backend/js/lstm.ts). Keeps i, f, g, o and tanh(c') per unit (5·H per batch row) for backward.
 */
export const LSTM_KERNEL: CellKernel = {
  mode: 'LSTM',
  gates: 4,
  hasCell: true,
  foldHiddenBias: true,
  saved: 5,
  forward(s) {
    getBackend().lstmCell(s);
  },
  backward(s) {
    getBackend().lstmCellBackward(s);
  },
};

/**
 * The LSTM cell from differentiable ops: the definition the fused path is tested against.
 * x (B, in), h and c (B, H) → h', c' (B, H).
 */
export function lstmCellReference(x: Tensor, h: Tensor, c: Tensor, w: LayerWeights): { h: Tensor; c: Tensor } {
  const H = w.weightHh.shape[1];
  const gates = linear(x, w.weightIh, w.biasIh).add(linear(h, w.weightHh, w.biasHh)); // (B, 4H)
  const chunk = (k: number): Tensor => gates.slice(-1, k * H, (k + 1) * H);
  const i = chunk(0).sigmoid();
  const f = chunk(1).sigmoid();
  const g = chunk(2).tanh();
  const o = chunk(3).sigmoid();
  const c2 = f.mul(c).add(i.mul(g));
  return { h: o.mul(c2.tanh()), c: c2 };
}

/** An LSTM's result: every output of the last layer and the last h and c of every layer. */
export interface LSTMOutput {
  /** (T, B, H), or (B, T, H) when batchFirst, or (T, H) for an unbatched input. */
  output: Tensor;
  /** (numLayers, B, H). */
  h: Tensor;
  /** (numLayers, B, H). */
  c: Tensor;
}

/**
 * A multi-layer LSTM, as torch.nn.LSTM, with PyTorch's parameter names (weight_ih_l0, weight_hh_l0,
 * bias_ih_l0, bias_hh_l0, …) and gate order (i, f, g, o), so a PyTorch state dict loads one-to-one.
 * @example
 * const lstm = new LSTM(128, 256, { numLayers: 2, batchFirst: true, dropout: 0.2, generator: new Generator(1) });
 * const { output, h, c } = lstm.forward(x);              // x (B, T, 128) → output (B, T, 256)
 * const next = lstm.forward(x2, detachState({ h, c }));  // carry the state on (truncated BPTT)
 */
export class LSTM extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super(LSTM_KERNEL, inputSize, hiddenSize, options);
  }

  /** x (T, B, in) — (B, T, in) when batchFirst; initial h and c (numLayers, B, H), zeros when omitted. */
  forward(x: Tensor, state?: RecurrentState): LSTMOutput {
    return this.run(x, state) as LSTMOutput;
  }
}

/**
 * One LSTM step, as torch.nn.LSTMCell: x (B, in) or (in); h, c (B, H) (zeros when omitted) → h', c'.
 * @example let s = cell.forward(x0); s = cell.forward(x1, s);
 */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: InitOptions & { bias?: boolean } = {}) {
    super(LSTM_KERNEL, inputSize, hiddenSize, options);
  }

  forward(x: Tensor, state?: RecurrentState): { h: Tensor; c: Tensor } {
    const r = this.step(x, state?.h, state?.c);
    return { h: r.h, c: r.c! };
  }
}
