/**
 * Recurrent layers, the family PyTorch keeps in torch.nn.modules.rnn: the shared sequence driver,
 * RNNCell and RNN here, LSTM in lstm.ts, GRU in gru.ts.
 *
 * How a layer runs (B batch, T time steps, H hidden size, G gates: 1 RNN, 4 LSTM, 3 GRU):
 * 1. the input projection of all time steps is one matmul: (T·B, in) @ W_ihᵀ + b → (T, B, G·H);
 * 2. `recurrentLayer` then walks the time steps as ONE autograd op: per step one matmul
 *    h_{t−1} @ W_hhᵀ (B, G·H) and one pointwise cell step (`CellKernel.forward`) over flat arrays;
 *    its backward is backpropagation through time written out the same way (per step the pointwise
 *    `CellKernel.backward` and one matmul dgates @ W_hh), with dW_hh as one matmul at the end.
 * So the autograd graph holds a handful of nodes per layer whatever T is (no stack or graph growth
 * with sequence length), and the cell step is a plain function over flat arrays: the place where a
 * backend's fused kernel can be swapped in. The composite `…CellReference` functions (built from
 * differentiable ops) are the living definition the fast path is tested against.
 */
import { getBackend, type FloatArray } from '../backend/backend.js';
import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import { formatShape, ShapeError, sameShape } from '../tensor/shape.js';
import type { DType } from '../tensor/dtype.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { defaultGenerator, type Generator } from '../util/random.js';
import { dropout, linear } from '../ops/nn.js';
import { stack } from '../ops/index-ops.js';
import { floatAlloc, fromOp } from '../ops/make.js';
import { Module, type Parameter } from './module.js';
import { uniform_ } from './init.js';
import type { InitOptions } from './layers.js';

// ---------------------------------------------------------------------------------------------
// The cell-step kernel interface
// ---------------------------------------------------------------------------------------------

/**
 * Buffers of one time step, shared by the forward and backward of every cell kind. All (B, ·) blocks
 * are row-major; offsets point at row 0 of the step.
 */
export interface StepBuffers {
  B: number;
  H: number;
  /** Input projection x_t W_ihᵀ + b: row b at gxOff + b·gxStride, G·H values (includes b_hh when folded). */
  gx: FloatArray;
  gxOff: number;
  gxStride: number;
  /** h_{t−1} W_hhᵀ, (B, G·H) from offset 0, without b_hh (kernels that do not fold it read `bHh`). Forward only. */
  gh: FloatArray;
  /** b_hh for kernels with `foldHiddenBias` false (GRU), else null (or null when the layer has no bias). */
  bHh: FloatArray | null;
  /** Hidden states (T+1, B, H): h_{t−1} at hPrev, h_t is written at hNext. */
  h: FloatArray;
  hPrev: number;
  hNext: number;
  /** Cell states (T+1, B, H) for kernels with a cell (LSTM), else an empty array. */
  c: FloatArray;
  cPrev: number;
  cNext: number;
  /** Whatever the kernel keeps for its backward: (B, saved·H) at savedOff. */
  saved: FloatArray;
  savedOff: number;
}

/** The extra buffers of one backward step. */
export interface StepGradBuffers extends StepBuffers {
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

/**
 * One recurrent cell as a pair of pointwise kernels over flat arrays. The driver does the matmuls;
 * a kernel sees pre-activations and states only.
 */
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

// ---------------------------------------------------------------------------------------------
// The sequence driver: one autograd op per layer
// ---------------------------------------------------------------------------------------------

/** The result of one layer run: output (T, B, H) or (B, T, H), and the last states (B, H). */
export interface LayerResult {
  output: Tensor;
  h: Tensor;
  c: Tensor | null;
}

/**
 * Runs one recurrent layer over a whole sequence as a single differentiable op.
 * `xp` is the input projection (T, B, G·H), or (B, T, G·H) when `batchFirst`, already including
 * b_ih (and b_hh when the kernel folds it); `h0`, `c0` are (B, H); `wHh` is (G·H, H); `bHh` is
 * passed only to kernels that do not fold it. All tensors must share one float dtype.
 */
export function recurrentLayer(
  kernel: CellKernel, xp: Tensor, h0: Tensor, c0: Tensor | null, wHh: Tensor, bHh: Tensor | null, batchFirst: boolean,
): LayerResult {
  const [d0, d1, GH] = xp.shape;
  const T = batchFirst ? d1 : d0;
  const B = batchFirst ? d0 : d1;
  const H = wHh.shape[1];
  const G = kernel.gates;
  const inputs: Tensor[] = [xp, h0, wHh];
  if (kernel.hasCell) inputs.push(c0!);
  if (bHh && !kernel.foldHiddenBias) inputs.push(bHh);
  const needGrad = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  const dtype = xp.dtype;

  const gx = xp.floatData();
  const W = wHh.floatData();
  // W_hhᵀ (H, G·H) once per sequence, so every step's h_{t−1} W_hhᵀ is a plain row-major product
  const Wt = floatAlloc(dtype, W.length);
  for (let r = 0; r < GH; r++) for (let k = 0; k < H; k++) Wt[k * GH + r] = W[r * H + k];
  const bh = bHh && !kernel.foldHiddenBias ? bHh.floatData() : null;
  const hs = floatAlloc(dtype, (T + 1) * B * H);
  hs.set(h0.floatData());
  const cs = floatAlloc(dtype, kernel.hasCell ? (T + 1) * B * H : 0);
  if (kernel.hasCell) cs.set(c0!.floatData());
  const stepSaved = B * kernel.saved * H;
  const saved = floatAlloc(dtype, needGrad ? T * stepSaved : stepSaved);
  const gh = floatAlloc(dtype, B * G * H);
  // row b of step t of the input projection (and of the output)
  const sT = batchFirst ? GH : B * GH;
  const sB = batchFirst ? T * GH : GH;
  const s: StepBuffers = {
    B, H, gx, gxOff: 0, gxStride: sB, gh, bHh: bh, h: hs, hPrev: 0, hNext: 0, c: cs, cPrev: 0, cNext: 0, saved, savedOff: 0,
  };
  const backend = getBackend();
  // Wt is fixed for the whole loop: a copying backend may keep it instead of copying it every step
  const releaseWt = backend.hold ? backend.hold(Wt) : null;
  try {
    for (let t = 0; t < T; t++) {
      if (B > 0 && G * H > 0 && H > 0) {
        backend.matmul(hs, Wt, gh, {
          batch: 1, m: B, k: H, n: G * H, transA: false, transB: false, aOffset: t * B * H, bOffset: 0, aBatchStride: 0, bBatchStride: 0,
        });
      }
      s.gxOff = t * sT;
      s.hPrev = s.cPrev = t * B * H;
      s.hNext = s.cNext = (t + 1) * B * H;
      s.savedOff = needGrad ? t * stepSaved : 0;
      kernel.forward(s);
    }
  } finally {
    releaseWt?.();
  }

  // packed result: output (in the input's layout) | h_T | c_T
  const BH = B * H;
  const TBH = T * BH;
  const packed = floatAlloc(dtype, TBH + BH + (kernel.hasCell ? BH : 0));
  if (batchFirst) {
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) packed.set(hs.subarray((t + 1) * BH + b * H, (t + 1) * BH + (b + 1) * H), (b * T + t) * H);
    }
  } else {
    packed.set(hs.subarray(BH));
  }
  packed.set(hs.subarray(T * BH, (T + 1) * BH), TBH);
  if (kernel.hasCell) packed.set(cs.subarray(T * BH, (T + 1) * BH), TBH + BH);

  const all = fromOp(kernel.mode, packed, [packed.length], inputs, (g) => {
    const gd = g.floatData();
    const dh = floatAlloc(dtype, BH);
    dh.set(gd.subarray(TBH, TBH + BH));
    const dc = floatAlloc(dtype, kernel.hasCell ? BH : 0);
    if (kernel.hasCell) dc.set(gd.subarray(TBH + BH, TBH + 2 * BH));
    // gradients of the pre-activations, time-major (T, B, G·H)
    const dgx = floatAlloc(dtype, T * B * GH);
    const dgh = kernel.foldHiddenBias ? dgx : floatAlloc(dtype, T * B * GH);
    const gs: StepGradBuffers = { ...s, saved, dh, dc, dgx, dgxOff: 0, dgh, dghOff: 0 };
    const releaseW = backend.hold ? backend.hold(W) : null;
    try {
      for (let t = T - 1; t >= 0; t--) {
        // ∂L/∂h_t gets the output's gradient at step t
        for (let b = 0; b < B; b++) {
          const o = batchFirst ? (b * T + t) * H : t * BH + b * H;
          for (let j = 0; j < H; j++) dh[b * H + j] += gd[o + j];
        }
        gs.gxOff = t * sT;
        gs.hPrev = gs.cPrev = t * BH;
        gs.hNext = gs.cNext = (t + 1) * BH;
        gs.savedOff = t * stepSaved;
        gs.dgxOff = gs.dghOff = t * B * GH;
        kernel.backward(gs);
        // ∂L/∂h_{t−1} += dgh_t @ W_hh
        if (B > 0 && GH > 0 && H > 0) {
          backend.matmul(dgh, W, dh, {
            batch: 1, m: B, k: GH, n: H, transA: false, transB: false, aOffset: t * B * GH, bOffset: 0, aBatchStride: 0, bBatchStride: 0, accumulate: true,
          });
        }
      }
    } finally {
      releaseW?.();
    }
    const grads: (Tensor | null)[] = [];
    // the projection's gradient in its own layout (a strided view of the time-major buffer when batchFirst)
    grads.push(xp.requiresGrad ? new Tensor(dgx, xp.shape, batchFirst ? [GH, B * GH, 1] : undefined) : null);
    grads.push(h0.requiresGrad ? new Tensor(dh, h0.shape) : null);
    if (wHh.requiresGrad) {
      const dW = floatAlloc(dtype, GH * H);
      if (T * B > 0 && GH > 0 && H > 0) {
        // Σ_t dgh_tᵀ h_{t−1}: one (G·H, T·B) @ (T·B, H) product
        backend.matmul(dgh, hs, dW, {
          batch: 1, m: GH, k: T * B, n: H, transA: true, transB: false, aOffset: 0, bOffset: 0, aBatchStride: 0, bBatchStride: 0,
        });
      }
      grads.push(new Tensor(dW, wHh.shape));
    } else {
      grads.push(null);
    }
    if (kernel.hasCell) grads.push(c0!.requiresGrad ? new Tensor(dc, c0!.shape) : null);
    if (bHh && !kernel.foldHiddenBias) {
      if (bHh.requiresGrad) {
        const db = floatAlloc(dtype, GH);
        for (let r = 0; r < T * B; r++) for (let k = 0; k < GH; k++) db[k] += dgh[r * GH + k];
        grads.push(new Tensor(db, bHh.shape));
      } else {
        grads.push(null);
      }
    }
    return grads;
  });
  const output = all.slice(0, 0, TBH).reshape(batchFirst ? [B, T, H] : [T, B, H]);
  const h = all.slice(0, TBH, TBH + BH).reshape([B, H]);
  const c = kernel.hasCell ? all.slice(0, TBH + BH, TBH + 2 * BH).reshape([B, H]) : null;
  return { output, h, c };
}

// ---------------------------------------------------------------------------------------------
// The functional multi-layer API
// ---------------------------------------------------------------------------------------------

/** The weights of one layer, PyTorch's shapes: W_ih (G·H, in), W_hh (G·H, H), biases (G·H). */
export interface LayerWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor | null;
  biasHh: Tensor | null;
}

export interface RecurrentRunOptions {
  /** Initial hidden state (numLayers, B, H) — (numLayers, H) for an unbatched input; zeros when omitted. */
  h0?: Tensor | null;
  /** Initial cell state (LSTM only), same shape as h0. */
  c0?: Tensor | null;
  /** Input (B, T, in) and output (B, T, H) instead of (T, B, ·). Default false, as PyTorch. */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last (only when `training`). */
  dropout?: number;
  training?: boolean;
  /** Generator of the dropout masks. */
  generator?: Generator;
  /** The layer's name in error messages (default the kernel's mode). */
  name?: string;
}

/** A recurrent layer's result. `output` has every time step of the last layer; `h`, `c` the last state of every layer. */
export interface RecurrentOutput {
  /** (T, B, H), or (B, T, H) when batchFirst, or (T, H) for an unbatched input. */
  output: Tensor;
  /** (numLayers, B, H), or (numLayers, H) for an unbatched input. */
  h: Tensor;
  /** The cell state, like h (LSTM only). */
  c?: Tensor;
}

function pickDType(ts: readonly (Tensor | null | undefined)[]): DType {
  return ts.some((t) => t && t.dtype === 'float64') ? 'float64' : 'float32';
}

/**
 * A multi-layer recurrent network over a sequence, as torch's _VF.rnn_tanh / lstm / gru.
 * @example const { output, h } = runRecurrent(RNN_TANH, x, layers, { batchFirst: true })
 */
export function runRecurrent(kernel: CellKernel, x: Tensor, layers: readonly LayerWeights[], options: RecurrentRunOptions = {}): RecurrentOutput {
  const name = options.name ?? kernel.mode;
  const batchFirst = options.batchFirst ?? false;
  const L = layers.length;
  if (L === 0) throw new ShapeError(`${name}: needs at least one layer`);
  const inputSize = layers[0].weightIh.shape[1];
  const H = layers[0].weightHh.shape[1];
  const layout = batchFirst ? '(B, T, input_size)' : '(T, B, input_size)';
  if (x.dtype === 'int32') throw new ShapeError(`${name}: expected a float input, got int32 of shape ${formatShape(x.shape)}`);
  if ((x.ndim !== 3 && x.ndim !== 2) || x.shape[x.ndim - 1] !== inputSize) {
    throw new ShapeError(`${name}: expected input of shape ${layout.replace('input_size', String(inputSize))} or (T, ${inputSize}) unbatched, got ${formatShape(x.shape)}`);
  }
  const unbatched = x.ndim === 2;
  const x3 = unbatched ? x.unsqueeze(batchFirst ? 0 : 1) : x;
  const T = batchFirst ? x3.shape[1] : x3.shape[0];
  const B = batchFirst ? x3.shape[0] : x3.shape[1];
  if (T === 0) throw new ShapeError(`${name}: the input has no time steps (shape ${formatShape(x.shape)})`);
  const stateShape = unbatched ? [L, H] : [L, B, H];
  const state = (t: Tensor | null | undefined, which: string): Tensor | null => {
    if (!t) return null;
    if (!sameShape(t.shape, stateShape)) {
      throw new ShapeError(`${name}: expected ${which} of shape ${formatShape(stateShape)} (numLayers, ${unbatched ? '' : 'B, '}hidden_size), got ${formatShape(t.shape)}`);
    }
    return unbatched ? t.unsqueeze(1) : t;
  };
  if (options.c0 && !kernel.hasCell) throw new ShapeError(`${name}: has no cell state, but c0 was given`);
  const h0 = state(options.h0, 'h0');
  const c0 = kernel.hasCell ? state(options.c0, 'c0') : null;
  const dtype = pickDType([x, h0, c0, ...layers.flatMap((l) => [l.weightIh, l.weightHh, l.biasIh, l.biasHh])]);
  const p = options.dropout ?? 0;
  const training = options.training ?? false;

  let input = x3.to(dtype);
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  for (let l = 0; l < L; l++) {
    const w = layers[l];
    const G = kernel.gates;
    const inF = l === 0 ? inputSize : H;
    if (!sameShape(w.weightIh.shape, [G * H, inF]) || !sameShape(w.weightHh.shape, [G * H, H])) {
      throw new ShapeError(`${name}: layer ${l} expects weight_ih (${G * H}, ${inF}) and weight_hh (${G * H}, ${H}), got ${formatShape(w.weightIh.shape)} and ${formatShape(w.weightHh.shape)}`);
    }
    const wIh = w.weightIh.to(dtype);
    const wHh = w.weightHh.to(dtype);
    const bIh = w.biasIh ? w.biasIh.to(dtype) : null;
    const bHh = w.biasHh ? w.biasHh.to(dtype) : null;
    let bias = bIh;
    if (kernel.foldHiddenBias && bHh) bias = bias ? bias.add(bHh) : bHh;
    const xp = linear(input, wIh, bias).contiguous(); // (T, B, G·H) or (B, T, G·H)
    const hl = h0 ? h0.slice(0, l, l + 1).reshape([B, H]).to(dtype) : zeros([B, H], { dtype });
    const cl = kernel.hasCell ? (c0 ? c0.slice(0, l, l + 1).reshape([B, H]).to(dtype) : zeros([B, H], { dtype })) : null;
    const r = recurrentLayer(kernel, xp, hl, cl, wHh, kernel.foldHiddenBias ? null : bHh, batchFirst);
    hs.push(r.h);
    if (r.c) cs.push(r.c);
    input = r.output;
    if (l < L - 1 && p > 0 && training) input = dropout(input, p, true, options.generator ?? defaultGenerator());
  }
  let output = input;
  let h = stack(hs, 0);
  let c = kernel.hasCell ? stack(cs, 0) : undefined;
  if (unbatched) {
    output = output.squeeze(batchFirst ? 0 : 1);
    h = h.squeeze(1);
    c = c?.squeeze(1);
  }
  return c ? { output, h, c } : { output, h };
}

// ---------------------------------------------------------------------------------------------
// Modules: the shared parameter layout
// ---------------------------------------------------------------------------------------------

export interface RecurrentOptions extends InitOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input (B, T, in) and output (B, T, H) instead of (T, B, ·) (default false, as PyTorch). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode (default 0). */
  dropout?: number;
}

/** An initial state: h (numLayers, B, H) and, for an LSTM, c; either may be omitted (zeros). */
export interface RecurrentState {
  h?: Tensor | null;
  c?: Tensor | null;
}

/** A state cut from the graph, for truncated backpropagation through time. */
export function detachState<S extends RecurrentState>(state: S): S {
  return { ...state, h: state.h ? state.h.detach() : state.h, c: state.c ? state.c.detach() : state.c };
}

/**
 * The parameters of a stacked recurrent layer, named as PyTorch's (weight_ih_l0, weight_hh_l0,
 * bias_ih_l0, bias_hh_l0, …_l1, …) and initialized U(−1/√H, 1/√H) in that order.
 */
export abstract class RecurrentBase extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly layers: LayerWeights[] = [];
  protected readonly generator: Generator;

  constructor(protected readonly kernel: CellKernel, readonly inputSize: number, readonly hiddenSize: number, options: RecurrentOptions = {}) {
    super();
    const name = new.target.name;
    this.numLayers = options.numLayers ?? 1;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    if (!Number.isInteger(inputSize) || inputSize < 1 || !Number.isInteger(hiddenSize) || hiddenSize < 1) {
      throw new ShapeError(`${name}: inputSize and hiddenSize must be positive integers, got ${inputSize} and ${hiddenSize}`);
    }
    if (!Number.isInteger(this.numLayers) || this.numLayers < 1) throw new ShapeError(`${name}: numLayers must be a positive integer, got ${this.numLayers}`);
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new ShapeError(`${name}: dropout must be in [0, 1], got ${this.dropout}`);
    this.generator = options.generator ?? defaultGenerator();
    const G = kernel.gates;
    for (let l = 0; l < this.numLayers; l++) {
      const inF = l === 0 ? inputSize : hiddenSize;
      this.layers.push({
        weightIh: this.initParam(`weight_ih_l${l}`, [G * hiddenSize, inF]),
        weightHh: this.initParam(`weight_hh_l${l}`, [G * hiddenSize, hiddenSize]),
        biasIh: this.bias ? this.initParam(`bias_ih_l${l}`, [G * hiddenSize]) : null,
        biasHh: this.bias ? this.initParam(`bias_hh_l${l}`, [G * hiddenSize]) : null,
      });
    }
  }

  private initParam(name: string, shape: number[]): Parameter {
    const k = 1 / Math.sqrt(this.hiddenSize);
    return this.param(name, uniform_(zeros(shape), -k, k, this.generator));
  }

  protected run(x: Tensor, state: RecurrentState | undefined): RecurrentOutput {
    return runRecurrent(this.kernel, x, this.layers, {
      h0: state?.h, c0: state?.c, batchFirst: this.batchFirst, dropout: this.dropout, training: this.training,
      generator: this.generator, name: this.constructor.name,
    });
  }
}

/** A single-step cell's parameters: weight_ih (G·H, in), weight_hh (G·H, H), bias_ih, bias_hh. */
export abstract class CellBase extends Module {
  readonly weightIh: Parameter;
  readonly weightHh: Parameter;
  readonly biasIh: Parameter | null;
  readonly biasHh: Parameter | null;

  constructor(protected readonly kernel: CellKernel, readonly inputSize: number, readonly hiddenSize: number, options: InitOptions & { bias?: boolean } = {}) {
    super();
    if (!Number.isInteger(inputSize) || inputSize < 1 || !Number.isInteger(hiddenSize) || hiddenSize < 1) {
      throw new ShapeError(`${new.target.name}: inputSize and hiddenSize must be positive integers, got ${inputSize} and ${hiddenSize}`);
    }
    const g = options.generator ?? defaultGenerator();
    const k = 1 / Math.sqrt(hiddenSize);
    const G = kernel.gates;
    this.weightIh = this.param('weight_ih', uniform_(zeros([G * hiddenSize, inputSize]), -k, k, g));
    this.weightHh = this.param('weight_hh', uniform_(zeros([G * hiddenSize, hiddenSize]), -k, k, g));
    const bias = options.bias ?? true;
    this.biasIh = bias ? this.param('bias_ih', uniform_(zeros([G * hiddenSize]), -k, k, g)) : null;
    this.biasHh = bias ? this.param('bias_hh', uniform_(zeros([G * hiddenSize]), -k, k, g)) : null;
  }

  /**
   * One step through the fused sequence driver (T = 1). x (B, in) or (in); states (B, H) or (H).
   */
  protected step(x: Tensor, h: Tensor | null | undefined, c: Tensor | null | undefined): { h: Tensor; c: Tensor | null } {
    const name = this.constructor.name;
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`${name}: expected input of shape (B, ${this.inputSize}) or (${this.inputSize}), got ${formatShape(x.shape)}`);
    }
    const unbatched = x.ndim === 1;
    const B = unbatched ? 1 : x.shape[0];
    const want = unbatched ? [this.hiddenSize] : [B, this.hiddenSize];
    for (const [which, t] of [['h', h], ['c', c]] as const) {
      if (t && !sameShape(t.shape, want)) throw new ShapeError(`${name}: expected ${which} of shape ${formatShape(want)}, got ${formatShape(t.shape)}`);
    }
    const lift = (t: Tensor | null | undefined): Tensor | null => (t ? t.reshape([1, B, this.hiddenSize]) : null);
    const r = runRecurrent(this.kernel, x.reshape([1, B, this.inputSize]), [this], { h0: lift(h), c0: lift(c), name });
    const shape = unbatched ? [this.hiddenSize] : [B, this.hiddenSize];
    return { h: r.h.reshape(shape), c: r.c ? r.c.reshape(shape) : null };
  }
}

// ---------------------------------------------------------------------------------------------
// The Elman RNN
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

/**
 * The cell from differentiable ops: the definition the fused path is tested against.
 * x (B, in), h (B, H) → h' (B, H).
 */
export function rnnCellReference(x: Tensor, h: Tensor, w: LayerWeights, nonlinearity: 'tanh' | 'relu' = 'tanh'): Tensor {
  const a = linear(x, w.weightIh, w.biasIh).add(linear(h, w.weightHh, w.biasHh));
  return nonlinearity === 'relu' ? a.relu() : a.tanh();
}

export interface RNNOptions extends RecurrentOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

function rnnKernelFor(nonlinearity: string | undefined, name: string): CellKernel {
  if (nonlinearity === undefined || nonlinearity === 'tanh') return RNN_TANH;
  if (nonlinearity === 'relu') return RNN_RELU;
  throw new ShapeError(`${name}: nonlinearity must be 'tanh' or 'relu', got '${nonlinearity}'`);
}

/**
 * A multi-layer Elman RNN, as torch.nn.RNN: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh).
 * @example
 * const rnn = new RNN(128, 256, { numLayers: 2, batchFirst: true });
 * const { output, h } = rnn.forward(x); // x (B, T, 128) → output (B, T, 256), h (2, B, 256)
 */
export class RNN extends RecurrentBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super(rnnKernelFor(options.nonlinearity, 'RNN'), inputSize, hiddenSize, options);
    this.nonlinearity = options.nonlinearity ?? 'tanh';
  }

  /** x (T, B, in) — (B, T, in) when batchFirst — and an optional initial state h (numLayers, B, H). */
  forward(x: Tensor, state?: RecurrentState): { output: Tensor; h: Tensor } {
    const { output, h } = this.run(x, state);
    return { output, h };
  }
}

/**
 * One step of an Elman RNN, as torch.nn.RNNCell: x (B, in) or (in), h (B, H) (zeros when omitted) → h'.
 * @example let h = cell.forward(x0); h = cell.forward(x1, h);
 */
export class RNNCell extends CellBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options: InitOptions & { bias?: boolean; nonlinearity?: 'tanh' | 'relu' } = {}) {
    super(rnnKernelFor(options.nonlinearity, 'RNNCell'), inputSize, hiddenSize, options);
    this.nonlinearity = options.nonlinearity ?? 'tanh';
  }

  forward(x: Tensor, h?: Tensor | null): Tensor {
    return this.step(x, h, null).h;
  }
}
