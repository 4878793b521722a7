/**
 * The kernel interface: everything the tensor front end needs from a backend, over flat typed
 * arrays. Kernels never allocate their outputs (the front end does), never see autograd, and take
 * float32 or float64 arrays alike (float64 exists so gradcheck can run the same ops in double).
 *
 * The plain TypeScript backend in `js/` is the definition of every kernel's semantics; a fast
 * backend implements the same interface and is tested against it.
 */
import type { Shape } from '../tensor/shape.js';
import { createJsBackend } from './js/index.js';
import { createWasmBackend, wasmSimdSupported } from './wasm/index.js';
import { createNativeBackend, nativeSupported } from './native/index.js';

export type FloatArray = Float32Array | Float64Array;
export type DataArray = Float32Array | Float64Array | Int32Array;

/** A read of `data` at `offset` with per-dimension `strides` (0 on broadcast dimensions). */
export interface StridedView {
  readonly data: DataArray;
  readonly offset: number;
  readonly strides: readonly number[];
}

export type UnaryOp = 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'tanh' | 'sigmoid' | 'relu' | 'gelu' | 'sign';
export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
export type ReduceOp = 'sum' | 'max' | 'min';

/** out(batch, m, n) = op(A)(m, k) · op(B)(k, n) for each batch; op = transpose when the flag is set. */
export interface MatmulParams {
  batch: number;
  m: number;
  k: number;
  n: number;
  /** A is stored (k, m) row-major per batch and read transposed. */
  transA: boolean;
  /** B is stored (n, k) row-major per batch and read transposed. */
  transB: boolean;
  aOffset: number;
  bOffset: number;
  /** Elements between consecutive batches of A (0 broadcasts one matrix over the batch). */
  aBatchStride: number;
  bBatchStride: number;
  /** When set, the product is added to `out` instead of overwriting it. */
  accumulate?: boolean;
  /**
   * When set (n values), added to every row of the result last, rounding as a separate add would:
   * `linear`'s x·Wᵀ + b in one kernel call, without an intermediate array.
   */
  bias?: FloatArray;
}

/**
 * The buffers of one LSTM step (see src/nn/rnn.ts StepBuffers): pre-activations gx (row b at gxOff + b·gxStride,
 * 4H values, gates i, f, g, o) and gh (B, 4H) from 0; states c (cPrev → cNext) and h (written at hNext),
 * (B, H) blocks; saved (B, 5H) at savedOff: i, f, g, o, tanh(c') per row.
 */
export interface LstmStep {
  B: number;
  H: number;
  gx: FloatArray;
  gxOff: number;
  gxStride: number;
  gh: FloatArray;
  h: FloatArray;
  hNext: number;
  c: FloatArray;
  cPrev: number;
  cNext: number;
  saved: FloatArray;
  savedOff: number;
}

/** The gradient buffers of one LSTM step: dh, dc (B, H) in/out, dgx (B, 4H) at dgxOff out. */
export interface LstmGradStep extends LstmStep {
  dh: FloatArray;
  dc: FloatArray;
  dgx: FloatArray;
  dgxOff: number;
}

/**
 * The scalars of one Adam / AdamW step (src/optim/adam.ts). Per element:
 *   g ← ±g (+ l2·p);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g·g;  s ← v (or the running max of v)
 *   p ← p·shrink − stepSize·m / (√s / bc2sqrt + eps)
 * computed in double precision, with m and v read back as stored.
 */
export interface AdamStep {
  beta1: number;
  beta2: number;
  eps: number;
  /** lr / (1 − β1ᵗ) */
  stepSize: number;
  /** √(1 − β2ᵗ) */
  bc2sqrt: number;
  /** 1 − lr·weightDecay for AdamW, else 1 */
  shrink: number;
  /** Adam's weight decay, added to the gradient (0 for AdamW) */
  l2: number;
  maximize: boolean;
}

/**
 * Scaled dot-product attention over `n` = b·h (batch, head) slices, softmax(scale·q kᵀ + mask) v. Slice
 * i = (bi, hi) of an operand X starts at X.offset + bi·X.strides[0] + hi·X.strides[1] (h = `heads`),
 * its row r at + r·X.strides[2], each row's d (or dv) values contiguous; the additive mask, where given,
 * is read the same way at + t·strides[2] + s·strides[3]; `drop`, where given, holds the (n, t, s)
 * dropout multipliers (0 or 1/(1 − p)) applied to the weights.
 */
export interface AttentionOperand {
  data: FloatArray;
  offset: number;
  strides: readonly number[];
}
export interface AttentionParams {
  n: number; heads: number; t: number; s: number; d: number; dv: number; scale: number;
  q: AttentionOperand; k: AttentionOperand; v: AttentionOperand;
  mask: AttentionOperand | null;
  drop: FloatArray | null;
}

export interface Backend {
  readonly name: string;
  /** Materializes a strided view of `shape` into row-major `out`. */
  copyStrided(src: StridedView, shape: Shape, out: DataArray): void;
  /** dst (a strided view over a writable array) += src (row-major over `shape`). */
  addIntoStrided(src: DataArray, dst: StridedView, shape: Shape): void;
  unary(op: UnaryOp, x: FloatArray, out: FloatArray): void;
  /** out = g · f'(x), where y = f(x) is given too because several derivatives are cheaper from it. */
  unaryBackward(op: UnaryOp, x: FloatArray, y: FloatArray, g: FloatArray, out: FloatArray): void;
  /** out = a op b over `shape` (row-major), reading both inputs through broadcast strides. Comparisons give 1 or 0. */
  binary(op: BinaryOp, a: StridedView, b: StridedView, shape: Shape, out: FloatArray): void;
  /** out = cond ≠ 0 ? a : b over `shape`. */
  where(cond: StridedView, a: StridedView, b: StridedView, shape: Shape, out: FloatArray): void;
  /** Reduces the middle axis of a row-major (outer, mid, inner) array into (outer, inner). */
  reduce(op: ReduceOp, x: FloatArray, outer: number, mid: number, inner: number, out: FloatArray): void;
  /** Index of the first maximum (or minimum) along the middle axis of (outer, mid, inner). */
  argReduce(op: 'argmax' | 'argmin', x: FloatArray, outer: number, mid: number, inner: number, out: Int32Array): void;
  matmul(a: FloatArray, b: FloatArray, out: FloatArray, p: MatmulParams): void;
  /**
   * Optional: a promise that `data` will not change until the returned function is called, so a
   * backend that copies its operands (wasm) may keep one copy for the matmuls in between (the
   * recurrent weights of an unrolled RNN). Results must not depend on whether it is called.
   */
  hold?(data: FloatArray): () => void;
  /** Row-wise softmax (or log-softmax) of a (rows, cols) array, stable for large inputs. */
  softmax(x: FloatArray, rows: number, cols: number, out: FloatArray, log: boolean): void;
  /** Gradient of `softmax` from its output y and the incoming gradient g. */
  softmaxBackward(y: FloatArray, g: FloatArray, rows: number, cols: number, out: FloatArray, log: boolean): void;
  /**
   * Row-wise cross-entropy of logits x (rows, cols) against one class per row (`targets[r]` < 0: the row
   * is ignored) with label smoothing `eps`: loss[r] = (1 − eps)·(lse − x[t]) + eps·(lse − mean(x)), 0 on
   * ignored rows, where lse = log Σ exp(x). Writes stats[2r] = the row's shift (its maximum) and
   * stats[2r + 1] = log Σ exp(x − shift) for the backward pass.
   */
  crossEntropy(x: FloatArray, rows: number, cols: number, targets: Int32Array, eps: number, loss: FloatArray, stats: FloatArray): void;
  /** dx[r, c] = g[r]·(softmax(x)[r, c] − eps/cols − (1 − eps)·[c = targets[r]]), 0 on ignored rows (dx is overwritten). */
  crossEntropyBackward(
    x: FloatArray, stats: FloatArray, g: FloatArray, rows: number, cols: number, targets: Int32Array, eps: number, dx: FloatArray,
  ): void;
  /**
   * The pointwise LSTM step: i, f, o = σ(gx + gh), g = tanh(gx + gh) per gate block, c' = f·c + i·g,
   * h' = o·tanh(c'); keeps i, f, g, o, tanh(c') in `saved`.
   */
  lstmCell(s: LstmStep): void;
  /** Its backward: reads dh, dc (∂L/∂h_t, ∂L/∂c_t); writes dgx, dc = ∂L/∂c_{t−1} and zeroes dh. */
  lstmCellBackward(s: LstmGradStep): void;
  /** Row-wise layer normalization; writes the per-row mean and 1/std for the backward pass. */
  layerNorm(
    x: FloatArray, weight: FloatArray | null, bias: FloatArray | null, rows: number, cols: number, eps: number,
    out: FloatArray, mean: FloatArray, rstd: FloatArray,
  ): void;
  /** dx is overwritten; dweight and dbias (when given) are accumulated into. */
  layerNormBackward(
    x: FloatArray, weight: FloatArray | null, mean: FloatArray, rstd: FloatArray, g: FloatArray,
    rows: number, cols: number, dx: FloatArray, dweight: FloatArray | null, dbias: FloatArray | null,
  ): void;
  /** out(outer, idx.length, inner) = x(outer, n, inner) at idx along the middle axis. Indices are pre-validated. */
  indexSelect(x: FloatArray, outer: number, n: number, inner: number, idx: Int32Array, out: FloatArray): void;
  /** out(outer, n, inner) += src(outer, idx.length, inner) scattered at idx along the middle axis (repeats add up). */
  indexAdd(src: FloatArray, outer: number, n: number, inner: number, idx: Int32Array, out: FloatArray): void;
  /** out(outer, m, inner) = x(outer, n, inner)[o, idx[o, j, i], i] — torch.gather along the middle axis. */
  gather(x: FloatArray, outer: number, n: number, inner: number, idx: Int32Array, m: number, out: FloatArray): void;
  /** Inverse of gather: out(outer, n, inner)[o, idx[o, j, i], i] += src[o, j, i]. */
  scatterAdd(src: FloatArray, outer: number, n: number, inner: number, idx: Int32Array, m: number, out: FloatArray): void;
  /**
   * Optional: one Adam step in place on a parameter `p` with gradient `g`, moments `m`, `v` and the
   * AMSGrad maximum `vmax` (null without it), all the same length; results must equal the reference
   * (src/backend/js/optim.ts) bit for bit. A backend without it gets the reference loop.
   */
  adam?(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, vmax: FloatArray | null, h: AdamStep): void;
  /**
   * Optional: GPT-2's tanh GELU, out = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), and its gradient
   * from g; within float32 rounding of the reference (src/backend/js/special.ts), which a backend
   * without them gets.
   */
  geluTanh?(x: FloatArray, out: FloatArray): void;
  geluTanhBackward?(x: FloatArray, g: FloatArray, out: FloatArray): void;
  /**
   * Optional: dropout's mask and output from one 32-bit draw per element, and its gradient; equal to
   * the reference (src/backend/js/nn.ts) element for element, which a backend without them gets.
   */
  dropout?(bits: Uint32Array, threshold: number, scale: number, x: FloatArray, out: FloatArray, mask: FloatArray): void;
  dropoutBackward?(g: FloatArray, mask: FloatArray, out: FloatArray): void;
  /**
   * Optional: attention fused per (batch, head) — out (n, t, dv), the softmax `probs` (n, t, s) and,
   * with dropout, `dropped` = probs·drop — and its backward from the output's gradient `gOut` (n, t, dv)
   * and/or the returned weights' `gWeights` (n, t, s): dq (n, t, d) written, dk (n, s, d) and dv
   * (n, s, dv, with gOut) added into (zeros on entry). Within float32 rounding of the reference
   * (src/backend/js/attention.ts). A backend without it runs attention as separate ops (matmul, softmax…).
   */
  attention?(p: AttentionParams, out: FloatArray, probs: FloatArray, dropped: FloatArray | null): void;
  attentionBackward?(
    p: AttentionParams, probs: FloatArray, gOut: FloatArray | null, gWeights: FloatArray | null, dq: FloatArray, dk: FloatArray, dv: FloatArray | null,
  ): void;
}

// the reference backend is always there, so every op works whatever module was imported first
const registry = new Map<string, () => Backend>([['js', createJsBackend]]);
let active: Backend | null = null;
let defaultBackend = 'js';
// wasm (SIMD kernels, threaded matmul) is the fastest backend wherever the engine has WebAssembly SIMD
if (wasmSimdSupported()) {
  registry.set('wasm', createWasmBackend);
  defaultBackend = 'wasm';
  // native (the wasm backend with a compiled AVX2/FMA matmul on every core) where Node has built it
  if (nativeSupported()) {
    registry.set('native', createNativeBackend);
    defaultBackend = 'native';
  }
}

/** Makes a backend available to `setBackend` under its name. */
export function registerBackend(name: string, create: () => Backend): void {
  registry.set(name, create);
}

/** Names of the registered backends. */
export function listBackends(): string[] {
  return [...registry.keys()];
}

/**
 * Chooses the backend every op runs on from now on.
 * @example setBackend('js') // the plain reference kernels
 */
export function setBackend(name: string): Backend {
  const create = registry.get(name);
  if (!create) throw new Error(`setBackend: unknown backend '${name}' (available: ${listBackends().join(', ')})`);
  active = create();
  return active;
}

/** The backend ops run on: the one set last, else `LLMCORE_BACKEND` from the environment, else the default (the fastest registered). */
export function getBackend(): Backend {
  if (active) return active;
  const fromEnv = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.LLMCORE_BACKEND;
  return setBackend(fromEnv || defaultBackend);
}
