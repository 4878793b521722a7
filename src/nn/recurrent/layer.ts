/**
 * One recurrent layer over a whole sequence as ONE autograd op (B batch, T time steps, H hidden size,
 * G gates: 1 RNN, 4 LSTM, 3 GRU):
 * 1. forward through time: per step one matmul h_{t−1} @ W_hhᵀ (B, G·H) and one pointwise cell step
 *    (`CellKernel.forward`) over flat arrays;
 * 2. backward through time, written out the same way: per step the pointwise `CellKernel.backward`
 *    and one matmul dgates @ W_hh; dW_hh is one matmul at the end.
 * So the autograd graph holds a handful of nodes per layer whatever T is (no stack or graph growth
 * with sequence length), and the cell step is a plain function over flat arrays: the place where a
 * backend's fused kernel can be swapped in.
 */
import { getBackend, type FloatArray } from '../../backend/backend.js';
import { Tensor } from '../../tensor/tensor.js';
import type { DType } from '../../tensor/dtype.js';
import { isGradEnabled } from '../../autograd/grad-mode.js';
import { floatAlloc, fromOp } from '../../ops/make.js';
import type { CellKernel, StepBuffers, StepGradBuffers } from './cells.js';

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
  const g = layerGeometry(kernel, xp, wHh, batchFirst);
  const hiddenBias = bHh && !kernel.foldHiddenBias ? bHh : null;
  const inputs = [xp, h0, wHh, ...(kernel.hasCell ? [c0!] : []), ...(hiddenBias ? [hiddenBias] : [])];
  const needGrad = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  const W = wHh.floatData();
  const s = forwardThroughTime(kernel, g, xp.floatData(), W, h0, c0, hiddenBias?.floatData() ?? null, needGrad);
  const packed = packResult(g, s, kernel.hasCell);
  const all = fromOp(kernel.mode, packed, [packed.length], inputs, (grad) => {
    const d = backwardThroughTime(kernel, g, s, W, grad.floatData());
    return inputGradients(g, d, s, { xp, h0, wHh, c0: kernel.hasCell ? c0 : null, bHh: hiddenBias });
  });
  return unpackResult(g, all, kernel.hasCell);
}

/** The sizes of one run, and where row b of step t starts in the input projection: t·stepStride + b·rowStride. */
interface LayerGeometry {
  T: number;
  B: number;
  H: number;
  /** G·H, a row of the input projection. */
  GH: number;
  batchFirst: boolean;
  dtype: DType;
  stepStride: number;
  rowStride: number;
  /** H-sized blocks the kernel keeps per step, over all batch rows: B·saved·H. */
  stepSaved: number;
}

function layerGeometry(kernel: CellKernel, xp: Tensor, wHh: Tensor, batchFirst: boolean): LayerGeometry {
  const [d0, d1, GH] = xp.shape;
  const T = batchFirst ? d1 : d0;
  const B = batchFirst ? d0 : d1;
  const H = wHh.shape[1];
  return {
    T, B, H, GH, batchFirst, dtype: xp.dtype,
    stepStride: batchFirst ? GH : B * GH,
    rowStride: batchFirst ? T * GH : GH,
    stepSaved: B * kernel.saved * H,
  };
}

/** out (m, n) = a (m, k) @ b (k, n), both row-major, a read from `aOffset` (or aᵀ (k, m) when `transA`). */
function matmulInto(
  a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number,
  opts: { aOffset?: number; transA?: boolean; accumulate?: boolean } = {},
): void {
  if (m === 0 || k === 0 || n === 0) return;
  getBackend().matmul(a, b, out, {
    batch: 1, m, k, n, transA: opts.transA ?? false, transB: false, aOffset: opts.aOffset ?? 0, bOffset: 0,
    aBatchStride: 0, bBatchStride: 0, accumulate: opts.accumulate,
  });
}

/** Points the step buffers at step t (forward and backward alike). */
function atStep(s: StepBuffers, g: LayerGeometry, t: number, keepSaved: boolean): void {
  s.gxOff = t * g.stepStride;
  s.hPrev = s.cPrev = t * g.B * g.H;
  s.hNext = s.cNext = (t + 1) * g.B * g.H;
  s.savedOff = keepSaved ? t * g.stepSaved : 0;
}

/**
 * Walks the time steps forward. Returns the step buffers, which hold every state (T+1, B, H) and,
 * when `keepSaved`, what each step's kernel kept for backward (else one step's worth, overwritten).
 */
function forwardThroughTime(
  kernel: CellKernel, g: LayerGeometry, gx: FloatArray, W: FloatArray, h0: Tensor, c0: Tensor | null,
  bHh: FloatArray | null, keepSaved: boolean,
): StepBuffers {
  const { T, B, H, GH, dtype } = g;
  // W_hhᵀ (H, G·H) once per sequence, so every step's h_{t−1} W_hhᵀ is a plain row-major product
  const Wt = floatAlloc(dtype, W.length);
  for (let r = 0; r < GH; r++) for (let k = 0; k < H; k++) Wt[k * GH + r] = W[r * H + k];
  const h = floatAlloc(dtype, (T + 1) * B * H);
  h.set(h0.floatData());
  const c = floatAlloc(dtype, kernel.hasCell ? (T + 1) * B * H : 0);
  if (kernel.hasCell) c.set(c0!.floatData());
  const s: StepBuffers = {
    B, H, gx, gxOff: 0, gxStride: g.rowStride, gh: floatAlloc(dtype, B * GH), bHh, h, hPrev: 0, hNext: 0, c, cPrev: 0, cNext: 0,
    saved: floatAlloc(dtype, keepSaved ? T * g.stepSaved : g.stepSaved), savedOff: 0,
  };
  const backend = getBackend();
  // Wt is fixed for the whole loop: a copying backend may keep it instead of copying it every step
  const releaseWt = backend.hold ? backend.hold(Wt) : null;
  try {
    for (let t = 0; t < T; t++) {
      matmulInto(h, Wt, s.gh, B, H, GH, { aOffset: t * B * H });
      atStep(s, g, t, keepSaved);
      kernel.forward(s);
    }
  } finally {
    releaseWt?.();
  }
  return s;
}

/** The op's one output, packed: output (in the input's layout) | h_T | c_T. */
function packResult(g: LayerGeometry, s: StepBuffers, hasCell: boolean): FloatArray {
  const { T, B, H } = g;
  const BH = B * H;
  const TBH = T * BH;
  const packed = floatAlloc(g.dtype, TBH + BH + (hasCell ? BH : 0));
  if (g.batchFirst) {
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) packed.set(s.h.subarray((t + 1) * BH + b * H, (t + 1) * BH + (b + 1) * H), (b * T + t) * H);
    }
  } else {
    packed.set(s.h.subarray(BH));
  }
  packed.set(s.h.subarray(TBH, TBH + BH), TBH);
  if (hasCell) packed.set(s.c.subarray(TBH, TBH + BH), TBH + BH);
  return packed;
}

function unpackResult(g: LayerGeometry, all: Tensor, hasCell: boolean): LayerResult {
  const { T, B, H } = g;
  const BH = B * H;
  const TBH = T * BH;
  const output = all.slice(0, 0, TBH).reshape(g.batchFirst ? [B, T, H] : [T, B, H]);
  const h = all.slice(0, TBH, TBH + BH).reshape([B, H]);
  const c = hasCell ? all.slice(0, TBH + BH, TBH + 2 * BH).reshape([B, H]) : null;
  return { output, h, c };
}

/** What backward through time leaves: gradients of the pre-activations (T, B, G·H) and of the initial states. */
interface TimeGradients {
  dgx: FloatArray;
  /** The same array as dgx when the kernel folds b_hh. */
  dgh: FloatArray;
  dh0: FloatArray;
  dc0: FloatArray;
}

/** Walks the time steps backward from `gd`, the packed result's gradient (output | h_T | c_T). */
function backwardThroughTime(kernel: CellKernel, g: LayerGeometry, s: StepBuffers, W: FloatArray, gd: FloatArray): TimeGradients {
  const { T, B, H, GH, dtype } = g;
  const BH = B * H;
  const TBH = T * BH;
  const dh = floatAlloc(dtype, BH);
  dh.set(gd.subarray(TBH, TBH + BH));
  const dc = floatAlloc(dtype, kernel.hasCell ? BH : 0);
  if (kernel.hasCell) dc.set(gd.subarray(TBH + BH, TBH + 2 * BH));
  const dgx = floatAlloc(dtype, T * B * GH);
  const dgh = kernel.foldHiddenBias ? dgx : floatAlloc(dtype, T * B * GH);
  const gs: StepGradBuffers = { ...s, dh, dc, dgx, dgxOff: 0, dgh, dghOff: 0 };
  const backend = getBackend();
  const releaseW = backend.hold ? backend.hold(W) : null;
  try {
    for (let t = T - 1; t >= 0; t--) {
      // ∂L/∂h_t gets the output's gradient at step t
      for (let b = 0; b < B; b++) {
        const o = g.batchFirst ? (b * T + t) * H : t * BH + b * H;
        for (let j = 0; j < H; j++) dh[b * H + j] += gd[o + j];
      }
      atStep(gs, g, t, true);
      gs.dgxOff = gs.dghOff = t * B * GH;
      kernel.backward(gs);
      // ∂L/∂h_{t−1} += dgh_t @ W_hh
      matmulInto(dgh, W, dh, B, GH, H, { aOffset: t * B * GH, accumulate: true });
    }
  } finally {
    releaseW?.();
  }
  return { dgx, dgh, dh0: dh, dc0: dc };
}

/** The gradients of the op's inputs, in their order: xp, h0, W_hh, then c0 and b_hh when they are inputs. */
function inputGradients(
  g: LayerGeometry, d: TimeGradients, s: StepBuffers,
  inputs: { xp: Tensor; h0: Tensor; wHh: Tensor; c0: Tensor | null; bHh: Tensor | null },
): (Tensor | null)[] {
  const { T, B, H, GH, dtype } = g;
  const { xp, h0, wHh, c0, bHh } = inputs;
  // the projection's gradient in its own layout (a strided view of the time-major buffer when batchFirst)
  const grads: (Tensor | null)[] = [
    xp.requiresGrad ? new Tensor(d.dgx, xp.shape, g.batchFirst ? [GH, B * GH, 1] : undefined) : null,
    h0.requiresGrad ? new Tensor(d.dh0, h0.shape) : null,
  ];
  if (wHh.requiresGrad) {
    // Σ_t dgh_tᵀ h_{t−1}: one (G·H, T·B) @ (T·B, H) product
    const dW = floatAlloc(dtype, GH * H);
    matmulInto(d.dgh, s.h, dW, GH, T * B, H, { transA: true });
    grads.push(new Tensor(dW, wHh.shape));
  } else {
    grads.push(null);
  }
  if (c0) grads.push(c0.requiresGrad ? new Tensor(d.dc0, c0.shape) : null);
  if (bHh) {
    if (bHh.requiresGrad) {
      const db = floatAlloc(dtype, GH);
      for (let r = 0; r < T * B; r++) for (let k = 0; k < GH; k++) db[k] += d.dgh[r * GH + k];
      grads.push(new Tensor(db, bHh.shape));
    } else {
      grads.push(null);
    }
  }
  return grads;
}
