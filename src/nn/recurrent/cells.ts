/**
 * The recurrent cells side by side: Elman RNN (tanh / relu), LSTM and GRU. Each is a pair of
 * pointwise kernels over flat arrays (`CellKernel`: one time step forward, one backward) beside the
 * same cell written with differentiable ops (`…CellReference`), the definition the kernels are tested
 * against. The sequence driver (layer.ts) does the matmuls; a kernel sees pre-activations and states.
 *
 * Every kernel reads and writes ONE buffer type, `StepBuffers` (and `StepGradBuffers` backward). It
 * extends the backend's `LstmStep`, so the same object goes from the driver to the backend's fused
 * LSTM kernel (src/backend/js/lstm.ts, its SIMD twin in src/backend/wasm/lstm.ts) unchanged.
 *
 * Gates in PyTorch's row order of weight_ih / weight_hh (G gates, H hidden size):
 *
 *   RNN  (G = 1)  h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)            (or relu)
 *   LSTM (G = 4)  i, f, o = σ(·), g = tanh(·) over the four gate blocks   c' = f ⊙ c + i ⊙ g   h' = o ⊙ tanh(c')
 *   GRU  (G = 3)  r = σ(W_ir x + b_ir + W_hr h + b_hr)   z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *                 n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))         h' = (1 − z) ⊙ n + z ⊙ h
 *
 * GRU keeps b_hn inside the reset gate's product, exactly as PyTorch computes it, so its b_hh cannot
 * join the input projection's bias (`foldHiddenBias` false).
 */
import type { FloatArray, LstmGradStep, LstmStep } from '../../backend/backend.js';
import { getBackend } from '../../backend/backend.js';
import type { Tensor } from '../../tensor/tensor.js';
import { linear } from '../../ops/nn.js';

// ---------------------------------------------------------------------------------------------
// The one step-buffer type and the kernel interface
// ---------------------------------------------------------------------------------------------

/**
 * Buffers of one time step, shared by the forward and backward of every cell kind. All (B, ·) blocks
 * are row-major; offsets point at row 0 of the step. From `LstmStep`:
 * - gx: the input projection x_t W_ihᵀ + b, row b at gxOff + b·gxStride, G·H values (includes b_hh when folded);
 * - gh: h_{t−1} W_hhᵀ, (B, G·H) from offset 0, without b_hh (forward only);
 * - h, c: the states (T+1, B, H), h_t written at hNext, c from cPrev to cNext (c is empty without a cell);
 * - saved: what the kernel keeps for its backward, (B, saved·H) at savedOff.
 */
export interface StepBuffers extends LstmStep {
  /** b_hh for kernels with `foldHiddenBias` false (GRU), else null (or null when the layer has no bias). */
  bHh: FloatArray | null;
  /** Where h_{t−1} starts in `h`. */
  hPrev: number;
}

/** The extra buffers of one backward step. */
export interface StepGradBuffers extends StepBuffers, LstmGradStep {
  /** In: ∂L/∂h_t (B, H). Out: the part of ∂L/∂h_{t−1} that does not go through W_hh (zero but for GRU). */
  dh: FloatArray;
  /** In: ∂L/∂c_t. Out: ∂L/∂c_{t−1} (kernels with a cell; else empty). */
  dc: FloatArray;
  /** Out: ∂L/∂gx for the step, (B, G·H) at dgxOff. */
  dgx: FloatArray;
  dgxOff: number;
  /** Out: ∂L/∂gh for the step, (B, G·H) at dghOff; the same array and offset as dgx when `foldHiddenBias`. */
  dgh: FloatArray;
  dghOff: number;
}

/** One recurrent cell as a pair of pointwise kernels over flat arrays. */
export interface CellKernel {
  /** PyTorch's mode name: RNN_TANH, RNN_RELU, LSTM, GRU. */
  readonly mode: string;
  /** Rows of W_ih and W_hh per hidden unit. */
  readonly gates: number;
  readonly hasCell: boolean;
  /** Whether b_hh only ever appears in gx + gh, so it can join the input projection's bias (true but for GRU). */
  readonly foldHiddenBias: boolean;
  /** H-sized values per batch row that forward keeps for backward. */
  readonly saved: number;
  forward(s: StepBuffers): void;
  backward(s: StepGradBuffers): void;
}

/** The weights of one layer, PyTorch's shapes: W_ih (G·H, in), W_hh (G·H, H), biases (G·H). */
export interface LayerWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor | null;
  biasHh: Tensor | null;
}

// ---------------------------------------------------------------------------------------------
// The Elman RNN cell
// ---------------------------------------------------------------------------------------------

function rnnKernel(relu: boolean): CellKernel {
  return {
    mode: relu ? 'RNN_RELU' : 'RNN_TANH',
    gates: 1,
    hasCell: false,
    foldHiddenBias: true,
    saved: 0,
    forward(s) {
      const { B, H, gx, gh, h } = s;
      for (let b = 0; b < B; b++) {
        const xo = s.gxOff + b * s.gxStride;
        const ho = s.hNext + b * H;
        const go = b * H;
        for (let j = 0; j < H; j++) {
          const a = gx[xo + j] + gh[go + j];
          h[ho + j] = relu ? (a > 0 ? a : 0) : Math.tanh(a);
        }
      }
    },
    backward(s) {
      const { B, H, h, dh, dgx } = s;
      for (let b = 0; b < B; b++) {
        const ho = s.hNext + b * H;
        const go = s.dgxOff + b * H;
        for (let j = 0; j < H; j++) {
          const y = h[ho + j];
          dgx[go + j] = relu ? (y > 0 ? dh[b * H + j] : 0) : dh[b * H + j] * (1 - y * y);
          dh[b * H + j] = 0;
        }
      }
    },
  };
}

/** h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh). */
export const RNN_TANH: CellKernel = rnnKernel(false);
/** h' = relu(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh). */
export const RNN_RELU: CellKernel = rnnKernel(true);

/** The RNN cell from differentiable ops. x (B, in), h (B, H) → h' (B, H). */
export function rnnCellReference(x: Tensor, h: Tensor, w: LayerWeights, nonlinearity: 'tanh' | 'relu' = 'tanh'): Tensor {
  const a = linear(x, w.weightIh, w.biasIh).add(linear(h, w.weightHh, w.biasHh));
  return nonlinearity === 'relu' ? a.relu() : a.tanh();
}

// ---------------------------------------------------------------------------------------------
// The LSTM cell
// ---------------------------------------------------------------------------------------------

/**
 * The pointwise LSTM step, a backend kernel (lstmCell / lstmCellBackward; the reference loops are in
 * src/backend/js/lstm.ts) because its five transcendentals per unit are worth a SIMD version. Keeps
 * i, f, g, o and tanh(c') per unit (5·H per batch row) for backward.
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

/** The LSTM cell from differentiable ops. x (B, in), h and c (B, H) → h', c' (B, H). */
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

// ---------------------------------------------------------------------------------------------
// The GRU cell
// ---------------------------------------------------------------------------------------------

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

/** The GRU cell from differentiable ops. x (B, in), h (B, H) → h' (B, H). */
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
