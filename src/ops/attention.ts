/**
 * Attention as one op where the backend fuses it (Backend.attention): softmax(scale·q kᵀ + mask) v with
 * dropout on the weights, per (batch, head) slice, and its gradient — instead of a scale, a transpose,
 * two batched matmuls, a mask add, a softmax and a dropout, each with its own output array and
 * backward. q, k and v are read where they lie (any view whose rows are contiguous), the mask through
 * its broadcast strides. Returns null where the backend has no such kernel or the operands do not fit
 * it; the caller then composes the ops (src/nn/attention.ts scaledDotProductAttention).
 */
import { getBackend, type AttentionOperand, type AttentionParams, type FloatArray } from '../backend/backend.js';
import { attentionBackward as jsAttentionBackward } from '../backend/js/attention.js';
import { dropoutMask } from '../backend/js/nn.js';
import { Tensor } from '../tensor/tensor.js';
import { broadcastStrides, sizeOf } from '../tensor/shape.js';
import type { Generator } from '../util/random.js';
import { floatAlloc, fromOp } from './make.js';
import { dropoutDraws } from './nn.js';

/** What fusedAttention returns: the output (..., T, Dv) and the weights (..., T, S), dropout applied. */
export interface FusedAttentionResult {
  output: Tensor;
  weights: Tensor;
}

/** Options of fusedAttention: dropout on the weights while training, drawn from `generator`. */
export interface FusedAttentionOptions {
  scale: number;
  dropout: number;
  training: boolean;
  generator: Generator;
}

/**
 * An operand as the kernel reads it: (batch, head) slice strides, then its rows' (and columns') strides,
 * from its strides over (...batch, rows, cols) with the batch dims (at most two) left-padded to two.
 */
function operand(data: FloatArray, offset: number, strides: readonly number[], batchRank: number): AttentionOperand {
  const lead = strides.slice(0, batchRank);
  while (lead.length < 2) lead.unshift(0);
  return { data, offset, strides: [...lead, ...strides.slice(batchRank)] };
}

const rowsContiguous = (t: Tensor): boolean => t.shape[t.ndim - 1] === 1 || t.strides[t.ndim - 1] === 1;

/**
 * softmax(scale·q kᵀ + mask) v in one backend kernel, or null where it cannot run (no kernel, int32
 * or mixed dtypes, batch dims that differ, rows that are not contiguous, a mask that needs a gradient).
 * q (..., T, D), k (..., S, D), v (..., S, Dv); `mask` additive (float), broadcasting to (..., T, S).
 * @example const r = fusedAttention(q, k, v, causalMask(T), { scale: 1 / Math.sqrt(D), dropout: 0, training: false, generator })
 */
export function fusedAttention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, options: FusedAttentionOptions): FusedAttentionResult | null {
  const be = getBackend();
  if (!be.attention || !be.attentionBackward) return null;
  const dtype = q.dtype;
  if (dtype === 'int32' || k.dtype !== dtype || v.dtype !== dtype || (mask && (mask.dtype !== dtype || mask.requiresGrad))) return null;
  const r = q.ndim;
  // at most two batch dims, (batch, heads): the kernel walks slices by two strides
  if (r < 2 || r > 4 || k.ndim !== r || v.ndim !== r || (mask && mask.ndim > r)) return null;
  const batch = q.shape.slice(0, r - 2);
  for (let i = 0; i < r - 2; i++) if (k.shape[i] !== batch[i] || v.shape[i] !== batch[i]) return null;
  if (!rowsContiguous(q) || !rowsContiguous(k) || !rowsContiguous(v)) return null;
  const [T, D] = q.shape.slice(r - 2);
  const [S, Dk] = k.shape.slice(r - 2);
  const Dv = v.shape[r - 1];
  if (Dk !== D || v.shape[r - 2] !== S) return null;
  const full = [...batch, T, S];
  let maskStrides: number[] | null = null;
  if (mask) {
    const lead = r - mask.ndim;
    for (let i = 0; i < mask.ndim; i++) if (mask.shape[i] !== 1 && mask.shape[i] !== full[lead + i]) return null;
    maskStrides = broadcastStrides(mask.shape, mask.strides, full);
  }
  const p = options.dropout;
  if (!(p >= 0 && p < 1)) return null;
  const n = sizeOf(batch);
  const scores = n * T * S;
  let drop: FloatArray | null = null;
  if (p > 0 && options.training) {
    // the dropout op's draws and rule, so a seed gives the same masks either way
    const { bits, threshold, scale } = dropoutDraws(scores, p, dtype, options.generator);
    dropoutMask(bits, threshold, scale, (drop = floatAlloc(dtype, scores)));
  }
  const br = r - 2;
  const params: AttentionParams = {
    n, heads: br === 0 ? 1 : batch[br - 1], t: T, s: S, d: D, dv: Dv, scale: options.scale,
    q: operand(q.data as FloatArray, q.offset, q.strides, br),
    k: operand(k.data as FloatArray, k.offset, k.strides, br),
    v: operand(v.data as FloatArray, v.offset, v.strides, br),
    mask: mask ? operand(mask.data as FloatArray, mask.offset, maskStrides!, br) : null,
    drop,
  };
  const out = floatAlloc(dtype, n * T * Dv);
  const probs = floatAlloc(dtype, scores);
  const dropped = drop ? floatAlloc(dtype, scores) : null;
  be.attention(params, out, probs, dropped);
  const backward = (gOut: FloatArray | null, gWeights: FloatArray | null): Tensor[] => {
    const dq = floatAlloc(dtype, n * T * D);
    const dk = floatAlloc(dtype, n * S * D);
    const dv = gOut ? floatAlloc(dtype, n * S * Dv) : null;
    (getBackend().attentionBackward ?? jsAttentionBackward)(params, probs, gOut, gWeights, dq, dk, dv);
    const grads = [new Tensor(dq, q.shape), new Tensor(dk, k.shape)];
    if (dv) grads.push(new Tensor(dv, v.shape));
    return grads;
  };
  const output = fromOp('attention', out, [...batch, T, Dv], [q, k, v], (g) => backward(g.floatData(), null));
  const weights = fromOp('attentionWeights', dropped ?? probs, full, [q, k], (g) => backward(null, g.floatData()));
  return { output, weights };
}
