/**
 * Looking inside a recurrent layer: the same forward pass as `RNN` / `LSTM` / `GRU` (modules.ts), one
 * sequence, one time step after the other in plain loops, keeping what the fused driver (layer.ts)
 * throws away — every hidden state, every LSTM cell state and every gate activation at every step.
 *
 * It is a separate path on purpose: training goes through the fused kernels untouched (no extra
 * buffers, no branches), and this one is only called to draw a picture of a few dozen steps. The
 * formulas are those of cells.ts, in PyTorch's gate order; the test (test/nn/recurrent-inspect.test.ts)
 * holds this path to the module's own forward.
 */
import type { Tensor } from '../../tensor/tensor.js';
import { formatShape, ShapeError } from '../../tensor/shape.js';
import type { LayerWeights } from './cells.js';
import { GRU, LSTM, RNN, type RecurrentBase } from './modules.js';

/** The gates of each cell kind, in PyTorch's row order of weight_ih / weight_hh. */
export const GATE_NAMES: Record<string, readonly string[]> = {
  RNN_TANH: [],
  RNN_RELU: [],
  LSTM: ['input', 'forget', 'cell', 'output'],
  GRU: ['reset', 'update', 'new'],
};

/** One layer's states over time; every array is (T, H) row-major. */
export interface LayerTrace {
  /** h_t for t = 1…T. */
  h: Float32Array;
  /** The LSTM's c_t for t = 1…T (null for the other kinds). */
  c: Float32Array | null;
  /** Gate activations by name (LSTM: input, forget, cell (g), output; GRU: reset, update, new). */
  gates: Record<string, Float32Array>;
}

/** What {@link traceRecurrent} returns. */
export interface RecurrentTrace {
  /** PyTorch's mode: RNN_TANH, RNN_RELU, LSTM or GRU. */
  mode: string;
  T: number;
  H: number;
  /** One per stacked layer, bottom first; the last layer's h is the module's output. */
  layers: LayerTrace[];
}

const sigmoid = (a: number): number => 1 / (1 + Math.exp(-a));

/** Weights of one layer as plain arrays (each read once per trace). */
function plain(w: LayerWeights): { wIh: Float32Array; wHh: Float32Array; bIh: Float32Array | null; bHh: Float32Array | null } {
  return {
    wIh: w.weightIh.toFloat32Array(),
    wHh: w.weightHh.toFloat32Array(),
    bIh: w.biasIh ? w.biasIh.toFloat32Array() : null,
    bHh: w.biasHh ? w.biasHh.toFloat32Array() : null,
  };
}

/**
 * Runs `module` (eval semantics: no dropout between layers) over one sequence x (T, inputSize) from
 * zero states, or from `state` (numLayers, H) rows, and returns every state and gate on the way.
 * @example
 * const trace = traceRecurrent(lstm, x);        // x (T, 32)
 * trace.layers[0].gates.forget                   // (T, H): how much of c_{t−1} each unit keeps
 */
export function traceRecurrent(module: RecurrentBase, x: Tensor, state: { h?: Tensor | null; c?: Tensor | null } = {}): RecurrentTrace {
  const mode = module instanceof LSTM ? 'LSTM' : module instanceof GRU ? 'GRU' : module instanceof RNN && module.nonlinearity === 'relu' ? 'RNN_RELU' : 'RNN_TANH';
  const H = module.hiddenSize;
  if (x.ndim !== 2 || x.shape[1] !== module.inputSize) {
    throw new ShapeError(`traceRecurrent: expected one sequence of shape (T, ${module.inputSize}), got ${formatShape(x.shape)}`);
  }
  const T = x.shape[0];
  const L = module.numLayers;
  const h0 = state.h ? state.h.toFloat32Array() : null;
  const c0 = state.c ? state.c.toFloat32Array() : null;
  for (const [name, s] of [['h', h0], ['c', c0]] as const) {
    if (s && s.length !== L * H) throw new ShapeError(`traceRecurrent: the initial ${name} should hold (${L}, ${H}), got ${s.length} values`);
  }
  let input = x.toFloat32Array();
  let inF = module.inputSize;
  const layers: LayerTrace[] = [];
  for (let l = 0; l < L; l++) {
    const w = plain(module.layers[l]);
    const names = GATE_NAMES[mode];
    const G = mode === 'LSTM' ? 4 : mode === 'GRU' ? 3 : 1;
    const hs = new Float32Array(T * H);
    const cs = mode === 'LSTM' ? new Float32Array(T * H) : null;
    const gates: Record<string, Float32Array> = {};
    for (const n of names) gates[n] = new Float32Array(T * H);
    let h = h0 ? Float64Array.from(h0.subarray(l * H, (l + 1) * H)) : new Float64Array(H);
    let c = c0 ? Float64Array.from(c0.subarray(l * H, (l + 1) * H)) : new Float64Array(H);
    const gi = new Float64Array(G * H); // x W_ihᵀ + b_ih
    const gh = new Float64Array(G * H); // h W_hhᵀ + b_hh
    for (let t = 0; t < T; t++) {
      for (let r = 0; r < G * H; r++) {
        let a = w.bIh ? w.bIh[r] : 0;
        for (let k = 0; k < inF; k++) a += w.wIh[r * inF + k] * input[t * inF + k];
        gi[r] = a;
        let b = w.bHh ? w.bHh[r] : 0;
        for (let k = 0; k < H; k++) b += w.wHh[r * H + k] * h[k];
        gh[r] = b;
      }
      const hNew = new Float64Array(H);
      const cNew = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        const o = t * H + j;
        if (mode === 'LSTM') {
          const i = sigmoid(gi[j] + gh[j]);
          const f = sigmoid(gi[H + j] + gh[H + j]);
          const g = Math.tanh(gi[2 * H + j] + gh[2 * H + j]);
          const og = sigmoid(gi[3 * H + j] + gh[3 * H + j]);
          cNew[j] = f * c[j] + i * g;
          hNew[j] = og * Math.tanh(cNew[j]);
          gates.input[o] = i;
          gates.forget[o] = f;
          gates.cell[o] = g;
          gates.output[o] = og;
          cs![o] = cNew[j];
        } else if (mode === 'GRU') {
          const r = sigmoid(gi[j] + gh[j]);
          const z = sigmoid(gi[H + j] + gh[H + j]);
          const n = Math.tanh(gi[2 * H + j] + r * gh[2 * H + j]);
          hNew[j] = (1 - z) * n + z * h[j];
          gates.reset[o] = r;
          gates.update[o] = z;
          gates.new[o] = n;
        } else {
          const a = gi[j] + gh[j];
          hNew[j] = mode === 'RNN_RELU' ? Math.max(0, a) : Math.tanh(a);
        }
        hs[o] = hNew[j];
      }
      h = hNew;
      c = cNew;
    }
    layers.push({ h: hs, c: cs, gates });
    input = hs;
    inF = H;
  }
  return { mode, T, H, layers };
}
