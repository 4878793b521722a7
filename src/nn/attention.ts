/**
 * Attention, as "Attention Is All You Need" §3.2 defines it and PyTorch's nn.MultiheadAttention names it.
 *
 * Dimension letters: B batch, T query positions, S key/value positions, C the model width (d_model,
 * PyTorch's embed_dim), H heads, D = C / H head size.
 *
 * Masks follow one rule everywhere: an int32 mask is boolean (non-zero = "may not attend", as
 * PyTorch's `True`), a float mask is added to the scores (−Infinity forbids, 0 allows). Key padding
 * masks are (B, S), non-zero where the key is padding; `paddingMask(ids)` builds one from token ids.
 */
import { Tensor } from '../tensor/tensor.js';
import { allocate } from '../tensor/dtype.js';
import { getBackend, type DataArray } from '../backend/backend.js';
import { zeros } from '../tensor/create.js';
import { formatShape, ShapeError } from '../tensor/shape.js';
import { defaultGenerator, type Generator } from '../util/random.js';
import { add, where } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { fusedAttention } from '../ops/attention.js';
import { concat, indexSelect } from '../ops/index-ops.js';
import { dropout as dropoutOp, linear, softmax } from '../ops/nn.js';
import { Module, type Parameter } from './module.js';
import { Linear, type InitOptions } from './layers.js';
import { xavierUniform_ } from './init.js';

/** What attention returns: the attended values and the attention weights (rows sum to 1 over keys). */
export interface AttentionResult {
  output: Tensor;
  weights: Tensor;
}

/**
 * What a boolean mask adds to a masked score: −1e9 (as the Annotated Transformer), not −Infinity.
 * exp(−1e9 − max) is exactly 0 in float32 and float64, so masked keys get weight 0 all the same, but
 * a row whose keys are all masked (an all-padding source) attends uniformly instead of giving NaN.
 */
export const MASKED = -1e9;

/** The mask as something to add to the scores: int32 (boolean) masks become 0 / −1e9, float masks pass through. */
export function additiveMask(mask: Tensor): Tensor {
  return mask.dtype === 'int32' ? where(mask, MASKED, 0) : mask;
}

/**
 * Scaled dot-product attention, softmax(q kᵀ / √D + mask) v, with dropout on the weights (inverted,
 * training only). q (..., T, D), k (..., S, D), v (..., S, Dv); `mask` broadcasts to (..., T, S),
 * int32 = boolean (non-zero masked) or float = additive. Returns the weights too, as the Annotated
 * Transformer's `attention()` does, so they can be shown.
 * @example const { output, weights } = scaledDotProductAttention(q, k, v, causal) // (B, H, T, D), (B, H, T, S)
 */
export function scaledDotProductAttention(
  q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null = null, dropout = 0,
  options: { training?: boolean; generator?: Generator } = {},
): AttentionResult {
  const D = q.shape[q.ndim - 1];
  if (k.shape[k.ndim - 1] !== D || k.shape[k.ndim - 2] !== v.shape[v.ndim - 2]) {
    throw new ShapeError(`scaledDotProductAttention: q ${formatShape(q.shape)}, k ${formatShape(k.shape)}, v ${formatShape(v.shape)}: q and k need the same last size, k and v the same number of positions`);
  }
  const scale = 1 / Math.sqrt(D);
  const training = dropout > 0 && options.training !== false;
  const generator = options.generator ?? defaultGenerator();
  const fused = fusedAttention(q, k, v, mask ? additiveMask(mask) : null, { scale, dropout, training, generator });
  if (fused) return fused;
  // scaling q (T·D values) rather than the scores (T·S) is what PyTorch does, and no dearer
  let scores = matmul(q.mul(scale), k.transpose(-2, -1)); // (..., T, S)
  if (mask) scores = add(scores, additiveMask(mask));
  let weights = softmax(scores, -1); // (..., T, S)
  if (training) weights = dropoutOp(weights, dropout, true, generator);
  return { output: matmul(weights, v), weights }; // (..., T, Dv)
}

/**
 * Causal mask of shape (T, S) for T new queries that follow S − T earlier positions: query i may see
 * keys 0 … S − T + i. Float, 0 where allowed and −Infinity above that diagonal.
 */
export function causalMask(T: number, S = T, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  if (S < T) throw new ShapeError(`causalMask: ${S} key positions cannot follow ${T} queries`);
  const m = zeros([T, S], { dtype });
  const d = m.data;
  const past = S - T;
  for (let i = 0; i < T; i++) d.fill(-Infinity, i * S + past + i + 1, (i + 1) * S);
  return m;
}

/**
 * The square causal mask of PyTorch's `Transformer.generate_square_subsequent_mask`: (T, T) float,
 * −Infinity above the diagonal (the future), 0 elsewhere.
 * @example generateSquareSubsequentMask(3) // [[0,-inf,-inf],[0,0,-inf],[0,0,0]]
 */
export function generateSquareSubsequentMask(T: number): Tensor {
  return causalMask(T, T);
}

/**
 * Key padding mask from token ids: int32 (B, S), 1 where the id is `padId`.
 * @example paddingMask(src) // src (B, S) → (B, S)
 */
export function paddingMask(ids: Tensor, padId = 0): Tensor {
  const src = ids.contiguousData();
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] === padId ? 1 : 0;
  return new Tensor(out, ids.shape);
}

/**
 * The attention mask of one call, (B|1, 1, T|1, S), additive, from an optional (T, S) mask (or a
 * per-head (B·H, T, S) one, as PyTorch allows) and an optional (B, S) key padding mask.
 */
function combineMasks(attnMask: Tensor | null, keyPaddingMask: Tensor | null, B: number, H: number, T: number, S: number): Tensor | null {
  let mask: Tensor | null = null;
  if (attnMask) {
    if (attnMask.ndim === 2) {
      if (attnMask.shape[0] !== T || attnMask.shape[1] !== S) throw new ShapeError(`MultiheadAttention: attnMask ${formatShape(attnMask.shape)} should be (T, S) = (${T}, ${S})`);
      mask = additiveMask(attnMask);
    } else if (attnMask.ndim === 3) {
      if (attnMask.shape[0] !== B * H || attnMask.shape[1] !== T || attnMask.shape[2] !== S) {
        throw new ShapeError(`MultiheadAttention: attnMask ${formatShape(attnMask.shape)} should be (B·H, T, S) = (${B * H}, ${T}, ${S})`);
      }
      mask = additiveMask(attnMask).reshape([B, H, T, S]);
    } else {
      throw new ShapeError(`MultiheadAttention: attnMask should be (T, S) or (B·H, T, S), got ${formatShape(attnMask.shape)}`);
    }
  }
  if (keyPaddingMask) {
    if (keyPaddingMask.ndim !== 2 || keyPaddingMask.shape[0] !== B || keyPaddingMask.shape[1] !== S) {
      throw new ShapeError(`MultiheadAttention: keyPaddingMask ${formatShape(keyPaddingMask.shape)} should be (B, S) = (${B}, ${S})`);
    }
    const kpm = additiveMask(keyPaddingMask).reshape([B, 1, 1, S]);
    mask = mask ? add(mask, kpm) : kpm;
  }
  return mask;
}

/** One entry of a KV cache: keys and values of the positions seen so far, in head layout. */
export interface CachedKV {
  key: Tensor; // (B, H, S, D)
  value: Tensor; // (B, H, S, D)
}

/**
 * (B, L, n·C) → n tensors (B, H, L, D), for a projection that stacks n of q/k/v along the features (as
 * `in_proj_weight` and GPT-2's `c_attn` both do): one copy into head layout, then contiguous views of
 * it, so the batched matmuls read every head directly (a strided view would be copied again by each
 * matmul and by its backward).
 * @example const [q, k, v] = splitHeads(c_attn.forward(x), 3, numHeads) // each (B, H, T, D)
 */
export function splitHeads(x: Tensor, n: number, numHeads: number): Tensor[] {
  const [B, L, F] = x.shape;
  if (x.ndim !== 3 || F % (n * numHeads) !== 0) throw new ShapeError(`splitHeads: ${formatShape(x.shape)} does not split into ${n} × ${numHeads} heads`);
  const split = x.reshape([B, L, n, numHeads, F / (n * numHeads)]).permute(2, 0, 3, 1, 4).contiguous(); // (n, B, H, L, D)
  return Array.from({ length: n }, (_, i) => (n === 1 ? split.squeeze(0) : split.slice(0, i, i + 1).squeeze(0)));
}

/** (B, H, T, D) → (B, T, H·D): the heads side by side again, as the output projection reads them. */
export function mergeHeads(x: Tensor): Tensor {
  const [B, H, T, D] = x.shape;
  return x.permute(0, 2, 1, 3).reshape([B, T, H * D]);
}

/**
 * Self-attention's keys/values with a cache: `kv` (this call's positions) after those `owner` stored
 * in `cache` on earlier calls; the cache then holds them all. Without a cache, `kv` itself.
 */
export function appendToCache(owner: object, kv: CachedKV, cache: KVCache | undefined): CachedKV {
  const past = cache?.get(owner);
  let all = kv;
  if (past) {
    const grad = past.key.requiresGrad || past.value.requiresGrad || kv.key.requiresGrad || kv.value.requiresGrad;
    // (B, H, S_past + L, D); without gradients, in place in a buffer with room to grow (no copy of the past per step)
    all = grad
      ? { key: concat([past.key, kv.key], 2), value: concat([past.value, kv.value], 2) }
      : { key: appendPositions(past.key, kv.key), value: appendPositions(past.value, kv.value) };
  }
  cache?.set(owner, all);
  return all;
}

/** Positions written so far into each growing cache buffer (appendPositions). */
const written = new WeakMap<object, number>();

/**
 * `past` (B, H, S, D) followed by `add` (B, H, L, D) along the positions, as a view of a buffer with room
 * for more: when `past` is the latest view of such a buffer and the room suffices, `add` is written after
 * it and nothing is copied; otherwise a buffer of twice the length is made. Rows stay contiguous, so
 * attention reads the view where it lies.
 */
function appendPositions(past: Tensor, add: Tensor): Tensor {
  const [B, H, S, D] = past.shape;
  const L = add.shape[2];
  const room = past.strides[1] / D;
  const be = getBackend();
  const dst = (data: DataArray, cap: number, at: number) => ({ data, offset: at * D, strides: [H * cap * D, cap * D, D, 1] });
  if (written.get(past.data) === S && past.offset === 0 && past.dtype === add.dtype && S + L <= room
    && past.strides[0] === H * room * D && past.strides[2] === D && past.strides[3] === 1) {
    be.addIntoStrided(add.contiguousData(), dst(past.data, room, S), add.shape); // onto zeros: a copy
    written.set(past.data, S + L);
    return new Tensor(past.data, [B, H, S + L, D], past.strides);
  }
  const cap = Math.max(16, 2 * (S + L));
  const data = allocate(past.dtype === 'float64' || add.dtype === 'float64' ? 'float64' : 'float32', B * H * cap * D);
  be.addIntoStrided(past.contiguousData(), dst(data, cap, 0), past.shape);
  be.addIntoStrided(add.contiguousData(), dst(data, cap, S), add.shape);
  written.set(data, S + L);
  return new Tensor(data, [B, H, S + L, D], [H * cap * D, cap * D, D, 1]);
}

/**
 * Past keys and values for incremental decoding, one entry per attention module (so per layer): the
 * decoder's self-attention (`selfAttention`) appends one position per step; the encoder-decoder
 * attention (`crossAttention`) computes the memory's keys and values once. With it each new token
 * costs one step, not a rerun of the whole prefix.
 * @example
 * const cache = new KVCache();
 * for (let t = 0; t < maxLen; t++) logits = model.decodeStep(next, memory, srcPad, cache);
 */
export class KVCache {
  /** Number of target positions already decoded: the position of the next token. */
  position = 0;
  private readonly entries = new Map<object, CachedKV>();

  get(owner: object): CachedKV | undefined {
    return this.entries.get(owner);
  }

  set(owner: object, kv: CachedKV): void {
    this.entries.set(owner, kv);
  }

  /** Keeps batch rows `index` (in that order) of every entry: beam search reorders its hypotheses so. */
  reorder(index: Tensor | readonly number[]): void {
    for (const [owner, kv] of this.entries) {
      this.entries.set(owner, { key: indexSelect(kv.key, 0, index), value: indexSelect(kv.value, 0, index) });
    }
  }

  clear(): void {
    this.entries.clear();
    this.position = 0;
  }
}

export interface MultiheadAttentionOptions extends InitOptions {
  /** Dropout on the attention weights (default 0). */
  dropout?: number;
  /** Biases on the input and output projections (default true). */
  bias?: boolean;
  /** Inputs are (B, T, C) (default true). Only batch-first is supported; false throws. */
  batchFirst?: boolean;
}

/** Options of self-attention and of encoder-decoder (cross) attention. */
export interface AttentionOptions {
  /** (B, S), non-zero (int32) / −Infinity (float) where the key is padding. */
  keyPaddingMask?: Tensor | null;
  /** (T, S) or (B·H, T, S): int32 boolean or float additive, e.g. `generateSquareSubsequentMask(T)`. */
  attnMask?: Tensor | null;
  /**
   * Whether the caller wants the weights (default true, as PyTorch). When false the per-head weights
   * (B, H, T, S) are returned as they are, without the cost of averaging.
   */
  needWeights?: boolean;
  /** Average the returned weights over heads → (B, T, S) (default true); else (B, H, T, S). */
  averageAttnWeights?: boolean;
  /**
   * Incremental decoding: keys/values of earlier calls are kept here. Self-attention appends this
   * call's keys/values to those of earlier positions; cross-attention computes the memory's on the
   * first call and reuses them after.
   */
  cache?: KVCache;
}

/** The options of PyTorch's general `forward(query, key, value)`. */
export interface AttentionForwardOptions extends AttentionOptions {
  /**
   * With a cache: key/value are a fixed memory, projected on the first call and reused after (as
   * `crossAttention`), instead of appended to earlier positions (as `selfAttention`).
   */
  staticKv?: boolean;
}

/** Row blocks of `in_proj_weight`. */
const Q = 0;
const K = 1;
const V = 2;

/**
 * Multi-head attention with PyTorch's parameters and initialization: `in_proj_weight` (3C, C)
 * stacking [W_q; W_k; W_v] (xavier-uniform), `in_proj_bias` (3C, zeros), `out_proj` (a Linear whose
 * bias starts at zero). Heads are a view (B, T, C) → (B, H, T, D); all heads go through one batched
 * matmul. Three entry points, each reading top to bottom: `selfAttention(x)` (q, k and v from x in
 * one matmul), `crossAttention(x, memory)` (k and v from the memory in one matmul) and PyTorch's
 * general `forward(query, key, value)`.
 * @example
 * const mha = new MultiheadAttention(128, 4);
 * const { output, weights } = mha.selfAttention(x, { keyPaddingMask }); // (B, T, C), (B, T, T)
 */
export class MultiheadAttention extends Module {
  readonly in_proj_weight: Parameter;
  readonly in_proj_bias: Parameter | null;
  readonly out_proj: Linear;
  readonly headDim: number;
  readonly dropout: number;
  private readonly generator: Generator;

  constructor(readonly embedDim: number, readonly numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    if (!(numHeads > 0) || embedDim % numHeads !== 0) throw new ShapeError(`MultiheadAttention: embedDim ${embedDim} is not divisible by numHeads ${numHeads}`);
    if (options.batchFirst === false) throw new ShapeError('MultiheadAttention: only batchFirst (B, T, C) inputs are supported');
    this.headDim = embedDim / numHeads;
    this.dropout = options.dropout ?? 0;
    this.generator = options.generator ?? defaultGenerator();
    const bias = options.bias ?? true;
    this.in_proj_weight = this.param('in_proj_weight', xavierUniform_(zeros([3 * embedDim, embedDim]), 1, this.generator));
    this.in_proj_bias = bias ? this.param('in_proj_bias', zeros([3 * embedDim])) : null;
    this.out_proj = this.child('out_proj', new Linear(embedDim, embedDim, { bias, generator: this.generator }));
    if (this.out_proj.bias) this.out_proj.bias.data.fill(0);
  }

  /**
   * Self-attention: queries, keys and values all from x (B, T, C), projected by one matmul. With a
   * cache, the keys/values of earlier positions come first. Returns (B, T, C) and the weights.
   */
  selfAttention(x: Tensor, options: AttentionOptions = {}): AttentionResult {
    this.expectInput('x', x);
    const [q, k, v] = this.heads(this.project(x, Q, 3), 3); // 3 × (B, H, T, D)
    return this.attend(q, this.appendToCache({ key: k, value: v }, options.cache), options);
  }

  /**
   * Encoder-decoder attention: queries from x (B, T, C), keys and values from `memory` (B, S, C),
   * projected by one matmul, once per cache. Returns (B, T, C) and the weights.
   */
  crossAttention(x: Tensor, memory: Tensor, options: AttentionOptions = {}): AttentionResult {
    this.expectInput('x', x);
    this.expectInput('memory', memory);
    const [q] = this.heads(this.project(x, Q), 1); // (B, H, T, D)
    const kv = this.cachedOnce(options.cache, () => {
      const [key, value] = this.heads(this.project(memory, K, 2), 2); // 2 × (B, H, S, D)
      return { key, value };
    });
    return this.attend(q, kv, options);
  }

  /**
   * PyTorch's general form: query (B, T, C), key and value (B, S, C), each with its own projection.
   * With a cache, keys/values are appended to earlier ones, or kept from the first call with `staticKv`.
   */
  forward(query: Tensor, key: Tensor, value: Tensor, options: AttentionForwardOptions = {}): AttentionResult {
    this.expectInput('query', query);
    this.expectInput('key', key);
    this.expectInput('value', value);
    const [q] = this.heads(this.project(query, Q), 1); // (B, H, T, D)
    const projectKV = (): CachedKV => {
      const [k] = this.heads(this.project(key, K), 1); // (B, H, S, D)
      const [v] = this.heads(this.project(value, V), 1);
      return { key: k, value: v };
    };
    const kv = options.staticKv ? this.cachedOnce(options.cache, projectKV) : this.appendToCache(projectKV(), options.cache);
    return this.attend(q, kv, options);
  }

  private expectInput(name: string, t: Tensor): void {
    const C = this.embedDim;
    if (t.ndim !== 3 || t.shape[2] !== C) throw new ShapeError(`MultiheadAttention: ${name} should be (B, L, ${C}), got ${formatShape(t.shape)}`);
  }

  /** Projection `i` (Q, K or V; `n` consecutive ones) of x: (B, L, C) → (B, L, n·C). */
  private project(x: Tensor, i: number, n = 1): Tensor {
    const C = this.embedDim;
    const w = this.in_proj_weight.slice(0, i * C, (i + n) * C); // (n·C, C), a view
    const b = this.in_proj_bias ? this.in_proj_bias.slice(0, i * C, (i + n) * C) : null;
    return linear(x, w, b);
  }

  /** (B, L, n·C) → n tensors (B, H, L, D). */
  private heads(x: Tensor, n: number): Tensor[] {
    return splitHeads(x, n, this.numHeads);
  }

  /** The new keys/values after this module's earlier ones in `cache` (which then holds them all). */
  private appendToCache(kv: CachedKV, cache: KVCache | undefined): CachedKV {
    return appendToCache(this, kv, cache);
  }

  /** This module's keys/values in `cache`, computed by `compute` when there are none yet. */
  private cachedOnce(cache: KVCache | undefined, compute: () => CachedKV): CachedKV {
    const cached = cache?.get(this);
    if (cached) return cached;
    const kv = compute();
    cache?.set(this, kv);
    return kv;
  }

  /** softmax(q kᵀ / √D + masks) v over all heads, merged and projected: (B, H, T, D) → (B, T, C). */
  private attend(q: Tensor, kv: CachedKV, options: AttentionOptions): AttentionResult {
    const [B, H, T] = q.shape;
    const { key: k, value: v } = kv;
    if (k.shape[0] !== B) throw new ShapeError(`MultiheadAttention: query batch ${B} differs from key batch ${k.shape[0]}`);
    const S = k.shape[2];
    const mask = combineMasks(options.attnMask ?? null, options.keyPaddingMask ?? null, B, H, T, S);
    const { output, weights } = scaledDotProductAttention(q, k, v, mask, this.dropout, { training: this.training, generator: this.generator });
    const merged = mergeHeads(output); // (B, H, T, D) → (B, T, C)
    const out = this.out_proj.forward(merged); // (B, T, C)
    const needWeights = options.needWeights ?? true;
    const average = options.averageAttnWeights ?? true;
    return { output: out, weights: needWeights && average ? weights.mean(1) : weights };
  }
}
