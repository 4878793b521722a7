/** Functional neural-network ops: softmax, layerNorm, embedding, dropout, linear and the losses. */
import { getBackend } from '../backend/backend.js';
import { Tensor } from '../tensor/tensor.js';
import type { DType } from '../tensor/dtype.js';
import { formatShape, normalizeAxis, sameShape, ShapeError, sizeOf } from '../tensor/shape.js';
import { defaultGenerator, type Generator } from '../util/random.js';
import { floatAlloc, fromOp, requireFloat } from './make.js';
import { toIndices } from './index-ops.js';
import { addmm, matmul } from './matmul.js';
import { geluTanh as jsGeluTanh, geluTanhBackward as jsGeluTanhBackward } from '../backend/js/special.js';
import { dropout as jsDropout, dropoutBackward as jsDropoutBackward } from '../backend/js/nn.js';

function softmaxImpl(x: Tensor, axis: number, log: boolean): Tensor {
  const op = log ? 'logSoftmax' : 'softmax';
  requireFloat(x, op);
  // a 0-d tensor is one element along its only "axis" (PyTorch: softmax of a scalar is 1)
  if (x.ndim === 0) { normalizeAxis(axis, 0, op, true); return softmaxImpl(x.reshape([1]), 0, log).reshape([]); }
  const a = normalizeAxis(axis, x.ndim, op);
  if (a !== x.ndim - 1) return softmaxImpl(x.transpose(a, -1), -1, log).transpose(a, -1);
  const cols = x.ndim === 0 ? 1 : x.shape[x.ndim - 1];
  const rows = cols === 0 ? 0 : x.size / cols;
  const xd = x.floatData();
  const out = floatAlloc(x.dtype, xd.length);
  getBackend().softmax(xd, rows, cols, out, log);
  return fromOp(op, out, x.shape, [x], (g) => {
    const gx = floatAlloc(x.dtype, out.length);
    getBackend().softmaxBackward(out, g.floatData(), rows, cols, gx, log);
    return [new Tensor(gx, x.shape)];
  });
}

/** Softmax along `axis` (last by default), stable for large inputs. */
export function softmax(x: Tensor, axis = -1): Tensor {
  return softmaxImpl(x, axis, false);
}

/** log(softmax(x)) computed directly, without the overflow of exp. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return softmaxImpl(x, axis, true);
}

/**
 * Layer normalization over the trailing dimensions `normalizedShape`, with optional affine weight and bias.
 * @example layerNorm(x, [C], gamma, beta, 1e-5)
 */
export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  requireFloat(x, 'layerNorm');
  const k = normalizedShape.length;
  const tail = x.shape.slice(x.ndim - k);
  if (k > x.ndim || tail.some((d, i) => d !== normalizedShape[i])) {
    throw new ShapeError(`layerNorm: input ${formatShape(x.shape)} does not end with normalized shape ${formatShape(normalizedShape)}`);
  }
  for (const [name, p] of [['weight', weight], ['bias', bias]] as const) {
    if (p && (p.size !== sizeOf(normalizedShape) || p.ndim !== k)) {
      throw new ShapeError(`layerNorm: ${name} has shape ${formatShape(p.shape)}, expected ${formatShape(normalizedShape)}`);
    }
  }
  const cols = sizeOf(normalizedShape);
  const rows = cols === 0 ? 0 : x.size / cols;
  const xd = x.floatData();
  const wd = weight ? weight.floatData() : null;
  const bd = bias ? bias.floatData() : null;
  const out = floatAlloc(x.dtype, xd.length);
  const mean = floatAlloc(x.dtype, rows);
  const rstd = floatAlloc(x.dtype, rows);
  getBackend().layerNorm(xd, wd, bd, rows, cols, eps, out, mean, rstd);
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return fromOp('layerNorm', out, x.shape, inputs, (g) => {
    const dx = floatAlloc(x.dtype, xd.length);
    const dw = weight ? floatAlloc(x.dtype, cols) : null;
    const db = bias ? floatAlloc(x.dtype, cols) : null;
    getBackend().layerNormBackward(xd, wd, mean, rstd, g.floatData(), rows, cols, dx, dw, db);
    const grads: (Tensor | null)[] = [new Tensor(dx, x.shape)];
    if (weight) grads.push(new Tensor(dw!, weight.shape));
    if (bias) grads.push(new Tensor(db!, bias.shape));
    return grads;
  });
}

/**
 * Looks up rows of `weight` (V, C) for integer ids of any shape → (...ids.shape, C).
 * @example embedding(tokEmb, ids) // (B, T) → (B, T, C)
 */
export function embedding(weight: Tensor, ids: Tensor | readonly number[], paddingIdx?: number): Tensor {
  if (weight.ndim !== 2) throw new ShapeError(`embedding: weight must be (V, C), got ${formatShape(weight.shape)}`);
  requireFloat(weight, 'embedding');
  const [V, C] = weight.shape;
  const idx = toIndices(ids, V, 'embedding');
  const pad = paddingIdx === undefined ? -1 : normalizePaddingIdx(paddingIdx, V);
  const idsShape = ids instanceof Tensor ? [...ids.shape] : [idx.length];
  const out = floatAlloc(weight.dtype, idx.length * C);
  getBackend().indexSelect(weight.floatData(), 1, V, C, idx, out);
  return fromOp('embedding', out, [...idsShape, C], [weight], (g) => {
    const gw = floatAlloc(weight.dtype, V * C);
    getBackend().indexAdd(g.floatData(), 1, V, C, idx, gw);
    // as PyTorch: the padding row gets no gradient, so it stays what it was (zero from init)
    if (pad >= 0) gw.fill(0, pad * C, (pad + 1) * C);
    return [new Tensor(gw, weight.shape)];
  });
}

/** A padding index in range, negative counting from the end (as PyTorch's padding_idx). */
export function normalizePaddingIdx(paddingIdx: number, V: number): number {
  if (!Number.isInteger(paddingIdx) || paddingIdx < -V || paddingIdx >= V) {
    throw new ShapeError(`embedding: paddingIdx ${paddingIdx} is out of range for ${V} embeddings`);
  }
  return paddingIdx < 0 ? paddingIdx + V : paddingIdx;
}

/**
 * Inverted dropout: in training, zeroes each element with probability p and scales the rest by 1/(1-p).
 * @example dropout(x, 0.1, model.training)
 */
export function dropout(x: Tensor, p: number, training = true, generator: Generator = defaultGenerator()): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ShapeError(`dropout: p must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  requireFloat(x, 'dropout');
  const n = x.size;
  const { bits, threshold, scale } = dropoutDraws(n, p, x.dtype, generator);
  const xd = x.floatData();
  const mask = floatAlloc(x.dtype, n);
  const out = floatAlloc(x.dtype, n);
  if (p < 1) {
    const be = getBackend();
    if (be.dropout) be.dropout(bits, threshold, scale, xd, out, mask);
    else jsDropout(bits, threshold, scale, xd, out, mask);
  } else {
    for (let i = 0; i < n; i++) out[i] = xd[i] * 0;
  }
  return fromOp('dropout', out, x.shape, [x], (g) => {
    const gx = floatAlloc(x.dtype, n);
    const be = getBackend();
    if (be.dropoutBackward) be.dropoutBackward(g.floatData(), mask, gx);
    else jsDropoutBackward(g.floatData(), mask, gx);
    return [new Tensor(gx, x.shape)];
  });
}

let bitsScratch = new Uint32Array(0);

/**
 * Dropout's random draws for n elements — one 32-bit draw each, in a reusable buffer consumed before the
 * caller returns — and the rule's threshold and kept-value scale (see src/backend/js/nn.ts dropout), for
 * the dropout op and for attention's fused dropout alike, so one seed gives one mask either way.
 */
export function dropoutDraws(n: number, p: number, dtype: DType, generator: Generator): { bits: Uint32Array; threshold: number; scale: number } {
  if (bitsScratch.length < n) bitsScratch = new Uint32Array(Math.max(n, 2 * bitsScratch.length));
  const bits = generator.fillUint32(bitsScratch, n);
  // kept where the draw is at least p·2³² (p = 1 keeps nothing)
  const threshold = Math.round(p * 4294967296) - 2147483648;
  const scale = dtype === 'float64' ? 1 / (1 - p) : Math.fround(1 / (1 - p));
  return { bits, threshold, scale };
}


/**
 * GELU by its tanh approximation, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))): what GPT-2 was trained
 * with (Hugging Face's `gelu_new`, PyTorch's `gelu(x, approximate='tanh')`). A pretrained GPT-2 needs
 * this one, not the exact `gelu`: the two differ by up to ~1e-3, enough to move its logits. Computed in
 * float64 and rounded once, on the CPU (the op is a small part of a step; no kernel of its own).
 * @example geluTanh(x) // same shape as x
 */
export function geluTanh(x: Tensor): Tensor {
  requireFloat(x, 'geluTanh');
  const xd = x.floatData();
  const n = xd.length;
  const out = floatAlloc(x.dtype, n);
  const be = getBackend();
  if (be.geluTanh) be.geluTanh(xd, out);
  else jsGeluTanh(xd, out);
  return fromOp('geluTanh', out, x.shape, [x], (g) => {
    const gx = floatAlloc(x.dtype, n);
    const bb = getBackend();
    if (bb.geluTanhBackward) bb.geluTanhBackward(xd, g.floatData(), gx);
    else jsGeluTanhBackward(xd, g.floatData(), gx);
    return [new Tensor(gx, x.shape)];
  });
}

/**
 * y = x Wᵀ + b with W of shape (out, in), as torch.nn.functional.linear.
 * @example linear(x, w, b) // (B, T, in) → (B, T, out)
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const inF = weight.shape[1];
  if (weight.ndim !== 2 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(`linear: input ${formatShape(x.shape)} does not fit weight ${formatShape(weight.shape)} (expected last size ${inF})`);
  }
  // fold leading dims so the weight gradient is one matmul, not a batch of them summed
  const flat = x.ndim === 2 ? x : x.reshape([-1, inF]);
  // the bias is added inside the matmul kernel (addmm): no intermediate array of the output's size
  const y = bias ? addmm(flat, weight.transpose(0, 1), bias) : matmul(flat, weight.transpose(0, 1));
  return x.ndim === 2 ? y : y.reshape([...x.shape.slice(0, -1), weight.shape[0]]);
}

export interface CrossEntropyOptions {
  /** Targets equal to this contribute nothing (default −100, as PyTorch). */
  ignoreIndex?: number;
  /** Mixes the one-hot target with the uniform distribution: (1−ε)·nll + ε·mean(−log p). */
  labelSmoothing?: number;
  /** 'mean' over non-ignored targets (default), 'sum', or 'none' (per target). */
  reduction?: 'mean' | 'sum' | 'none';
}

/**
 * Cross-entropy of logits (N, C) — or (..., C) — against integer class targets (N) — or (...) —
 * exactly as torch.nn.functional.cross_entropy.
 * @example crossEntropy(logits.reshape([-1, V]), targets.reshape([-1]), { ignoreIndex: 0, labelSmoothing: 0.1 })
 */
export function crossEntropy(logits: Tensor, targets: Tensor | readonly number[], options: CrossEntropyOptions = {}): Tensor {
  const { ignoreIndex = -100, labelSmoothing = 0, reduction = 'mean' } = options;
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new ShapeError(`crossEntropy: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  if (logits.ndim < 1) throw new ShapeError('crossEntropy: logits need a class dimension');
  const C = logits.shape[logits.ndim - 1];
  const N = logits.size / Math.max(C, 1);
  const tShape = targets instanceof Tensor ? targets.shape : [targets.length];
  if (sizeOf(tShape) !== N || (targets instanceof Tensor && targets.ndim !== logits.ndim - 1)) {
    throw new ShapeError(`crossEntropy: logits ${formatShape(logits.shape)} need targets of shape ${formatShape(logits.shape.slice(0, -1))}, got ${formatShape(tShape)}`);
  }
  requireFloat(logits, 'crossEntropy');
  const raw: ArrayLike<number> = targets instanceof Tensor ? targets.contiguousData() : targets;
  // the kernel's targets: the class, or −1 on an ignored row; anything else must be a valid class index
  const safe = new Int32Array(N);
  let count = 0;
  for (let i = 0; i < N; i++) {
    const v = raw[i];
    if (v === ignoreIndex) { safe[i] = -1; continue; }
    if (!Number.isInteger(v) || v < 0 || v >= C) {
      throw new ShapeError(`crossEntropy: target ${v} at position ${i} is not a class index in 0..${C - 1} (nor the ignoreIndex ${ignoreIndex})`);
    }
    safe[i] = v;
    count++;
  }
  // fused log-softmax + nll + smoothing: one pass forward, one pass backward, no (N, C) intermediates
  const x2 = logits.reshape([N, C]);
  const xd = x2.floatData();
  const loss = floatAlloc(logits.dtype, N);
  const stats = floatAlloc(logits.dtype, 2 * N);
  getBackend().crossEntropy(xd, N, C, safe, labelSmoothing, loss, stats);
  const per = fromOp('crossEntropy', loss, [N], [x2], (g) => {
    const dx = floatAlloc(logits.dtype, N * C);
    const gd = g.dtype === logits.dtype ? g.floatData() : g.to(logits.dtype).floatData();
    getBackend().crossEntropyBackward(xd, stats, gd, N, C, safe, labelSmoothing, dx);
    return [new Tensor(dx, [N, C])];
  });
  if (reduction === 'none') return per.reshape([...tShape]);
  const total = per.sum();
  // all targets ignored: PyTorch gives NaN for 'mean'
  return reduction === 'sum' ? total : total.div(count);
}

/** Mean squared error, as torch.nn.functional.mse_loss. */
export function mseLoss(input: Tensor, target: Tensor): Tensor {
  // PyTorch only warns here; a silent broadcast of (N,1) against (N,) is almost always a bug
  if (!sameShape(input.shape, target.shape)) throw new ShapeError(`mseLoss: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} must have the same shape`);
  const d = input.sub(target);
  return d.mul(d).mean();
}
