/**
 * The W2/W4 Transformer written with @tensorflow/tfjs-core ops only (tfjs-layers has no Transformer),
 * as the same computation as llmcore's Seq2SeqTransformer and PyTorch's nn.Transformer:
 *
 *   src ids (B, S) ─ gather(src_emb)·√C + PE ─ dropout ─► N × encoder layer ─► LayerNorm ─► memory (B, S, C)
 *   tgt ids (B, T) ─ gather(tgt_emb)·√C + PE ─ dropout ─► N × decoder layer ─► LayerNorm ─► Linear ─► logits (B·T, V)
 *
 * Post-LN layers (x = LN(x + dropout(f(x)))), multi-head attention with one (C, 3C) input projection
 * for q, k, v, dropout 0.1 on the embeddings, the attention weights, the sub-layer outputs and the
 * FFN's hidden layer (ReLU), key padding masks from id 0 and a causal mask on decoder self-attention —
 * every place llmcore and PyTorch put them. Differences, none of which changes the FLOPs:
 * - weights are stored (in, out) so a forward matmul reads no operand transposed (tf.layers.dense's
 *   layout); initial values are xavier-uniform from tfjs's seeded generator, not llmcore's numbers;
 * - the embedding lookup is tf.gather with a custom gradient (tf.scatterND, which sums repeated ids):
 *   the wasm backend has no UnsortedSegmentSum kernel, so gather's built-in gradient cannot train there;
 * - linear layers are tf.fused.matMul (matmul + bias in one kernel, as tfjs-layers' dense does).
 *
 * Dimension letters: B batch, S source length, T target length, C d_model, H heads, D = C / H, V vocab.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface TfTransformerConfig {
  srcVocab: number;
  tgtVocab: number;
  dModel: number;
  nhead: number;
  numEncoderLayers: number;
  numDecoderLayers: number;
  dimFeedforward: number;
  dropout: number;
  maxLen: number;
  padId?: number;
  layerNormEps?: number;
}

interface Lin { w: tf.Variable; b: tf.Variable }
interface KV { k: tf.Tensor4D; v: tf.Tensor4D }
interface Norm { g: tf.Variable; b: tf.Variable }
interface Attn { inProj: Lin; outProj: Lin }
interface EncLayer { selfAttn: Attn; l1: Lin; l2: Lin; n1: Norm; n2: Norm }
interface DecLayer { selfAttn: Attn; crossAttn: Attn; l1: Lin; l2: Lin; n1: Norm; n2: Norm; n3: Norm }

/** Per-layer keys/values of incremental decoding: self-attention grows by one position a step. */
export interface TfKvCache {
  self: KV[];
  cross: KV[];
  position: number;
}

export interface TfEncoded {
  memory: tf.Tensor3D; // (B, S, C)
  srcBias: tf.Tensor4D; // (B, 1, 1, S): −1e9 where the source id is padding
}

const MASKED = -1e9;

export class TfSeq2SeqTransformer {
  readonly vars: tf.Variable[] = [];
  /** Variables by PyTorch-style name (linear weights `….w`, stored (in, out)). */
  private readonly named: [string, tf.Variable][] = [];
  private seed: number;
  private dropSeed = 0;
  private readonly srcEmb: tf.Variable;
  private readonly tgtEmb: tf.Variable;
  private readonly pe: tf.Tensor2D;
  private readonly enc: EncLayer[];
  private readonly dec: DecLayer[];
  private readonly encNorm: Norm;
  private readonly decNorm: Norm;
  private readonly out: Lin;
  private readonly pad: number;
  private readonly eps: number;

  constructor(readonly config: TfTransformerConfig, seed = 1) {
    const { srcVocab, tgtVocab, dModel: C, numEncoderLayers, numDecoderLayers, dimFeedforward: F, maxLen } = config;
    this.seed = seed;
    this.pad = config.padId ?? 0;
    this.eps = config.layerNormEps ?? 1e-5;
    this.srcEmb = this.xavier('src_emb.w', [srcVocab, C]);
    this.tgtEmb = this.xavier('tgt_emb.w', [tgtVocab, C]);
    const pe = new Float32Array(maxLen * C);
    for (let i = 0; i < C; i += 2) {
      const freq = Math.exp(-(i / C) * Math.log(10000));
      for (let p = 0; p < maxLen; p++) {
        pe[p * C + i] = Math.sin(p * freq);
        if (i + 1 < C) pe[p * C + i + 1] = Math.cos(p * freq);
      }
    }
    this.pe = tf.keep(tf.tensor2d(pe, [maxLen, C]));
    const attn = (name: string): Attn => ({ inProj: this.linear(`${name}.in_proj`, C, 3 * C), outProj: this.linear(`${name}.out_proj`, C, C) });
    this.enc = Array.from({ length: numEncoderLayers }, (_, i) => {
      const n = `transformer.encoder.layers.${i}`;
      return { selfAttn: attn(`${n}.self_attn`), l1: this.linear(`${n}.linear1`, C, F), l2: this.linear(`${n}.linear2`, F, C), n1: this.norm(`${n}.norm1`, C), n2: this.norm(`${n}.norm2`, C) };
    });
    this.dec = Array.from({ length: numDecoderLayers }, (_, i) => {
      const n = `transformer.decoder.layers.${i}`;
      return {
        selfAttn: attn(`${n}.self_attn`), crossAttn: attn(`${n}.multihead_attn`), l1: this.linear(`${n}.linear1`, C, F), l2: this.linear(`${n}.linear2`, F, C),
        n1: this.norm(`${n}.norm1`, C), n2: this.norm(`${n}.norm2`, C), n3: this.norm(`${n}.norm3`, C),
      };
    });
    this.encNorm = this.norm('transformer.encoder.norm', C);
    this.decNorm = this.norm('transformer.decoder.norm', C);
    this.out = this.linear('out', C, tgtVocab);
  }

  /**
   * Copies weights from a PyTorch-named state dict (llmcore's Seq2SeqTransformer or PyTorch's): linear
   * weights (out, in) are transposed into this model's (in, out) layout. For parity checks.
   */
  loadStateDict(state: Record<string, { data: ArrayLike<number>; shape: readonly number[] }>): void {
    for (const [name, v] of this.named) {
      const key = name.endsWith('.in_proj.w') ? name.replace('.in_proj.w', '.in_proj_weight') : name.endsWith('.in_proj.b') ? name.replace('.in_proj.b', '.in_proj_bias')
        : name.replace(/\.w$/, '.weight').replace(/\.b$/, '.bias');
      const src = state[key];
      if (!src) throw new Error(`loadStateDict: missing '${key}'`);
      let t: tf.Tensor = tf.tensor(Float32Array.from(src.data), [...src.shape]);
      if (name.endsWith('.w') && !name.includes('emb')) t = tf.transpose(t);
      if (t.shape.join() !== v.shape.join()) throw new Error(`loadStateDict: '${key}' is (${t.shape}), expected (${v.shape})`);
      v.assign(t);
      t.dispose();
    }
  }

  private variable(name: string, t: tf.Tensor): tf.Variable {
    const v = tf.variable(t, true);
    t.dispose();
    this.vars.push(v);
    this.named.push([name, v]);
    return v;
  }

  private xavier(name: string, shape: [number, number]): tf.Variable {
    const a = Math.sqrt(6 / (shape[0] + shape[1]));
    return this.variable(name, tf.randomUniform(shape, -a, a, 'float32', this.seed++));
  }

  private linear(name: string, inF: number, outF: number): Lin {
    return { w: this.xavier(`${name}.w`, [inF, outF]), b: this.variable(`${name}.b`, tf.zeros([outF])) };
  }

  private norm(name: string, C: number): Norm {
    return { g: this.variable(`${name}.w`, tf.ones([C])), b: this.variable(`${name}.b`, tf.zeros([C])) };
  }

  /** x (N, in) → (N, out). */
  private lin(x: tf.Tensor2D, l: Lin, activation: 'linear' | 'relu' = 'linear'): tf.Tensor2D {
    return tf.fused.matMul({ a: x, b: l.w as tf.Tensor2D, bias: l.b, activation }) as tf.Tensor2D;
  }

  private drop<T extends tf.Tensor>(x: T, training: boolean): T {
    const p = this.config.dropout;
    return training && p > 0 ? tf.dropout(x, p, undefined, this.dropSeed++) as T : x;
  }

  /** LayerNorm over the last axis: (x − mean) / √(var + eps) · γ + β. */
  private layerNorm<T extends tf.Tensor>(x: T, n: Norm): T {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps))), n.g), n.b) as T;
  }

  /** Embedding rows with the gradient as a scatter-add (see the header). ids (B, L) → (B, L, C)·√C. */
  private embed(table: tf.Variable, ids: tf.Tensor2D): tf.Tensor3D {
    const [B, L] = ids.shape;
    const C = this.config.dModel;
    const flat = tf.reshape(ids, [B * L]);
    const lookup = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const w = args[0] as tf.Tensor;
      return { value: tf.gather(w, flat), gradFunc: (dy: tf.Tensor) => tf.scatterND(tf.reshape(flat, [B * L, 1]), dy, w.shape) };
    });
    return tf.reshape(tf.mul(lookup(table), Math.sqrt(C)), [B, L, C]);
  }

  /** Token embedding + positions offset … offset + L − 1, then dropout. */
  private embedWithPositions(table: tf.Variable, ids: tf.Tensor2D, training: boolean, offset = 0): tf.Tensor3D {
    const L = ids.shape[1];
    return this.drop(tf.add(this.embed(table, ids), tf.slice(this.pe, [offset, 0], [L, -1])), training);
  }

  /** (B, L) ids → (B, 1, 1, L) additive key padding bias. */
  private padBias(ids: tf.Tensor2D): tf.Tensor4D {
    const [B, L] = ids.shape;
    return tf.reshape(tf.mul(tf.cast(tf.equal(ids, this.pad), 'float32'), MASKED), [B, 1, 1, L]);
  }

  /** (B·L, C) → (B, H, L, D). */
  private heads(x: tf.Tensor, B: number, L: number): tf.Tensor4D {
    const H = this.config.nhead;
    return tf.transpose(tf.reshape(x, [B, L, H, this.config.dModel / H]), [0, 2, 1, 3]);
  }

  /** Keys and values of `kv` (B, S, C) in head layout, from rows C … 3C of the input projection. */
  private keysValues(kv: tf.Tensor3D, a: Attn): KV {
    const [B, S, C] = kv.shape;
    const w = tf.slice(a.inProj.w, [0, C], [C, 2 * C]) as tf.Tensor2D;
    const b = tf.slice(a.inProj.b, [C], [2 * C]);
    const [k, v] = tf.split(tf.fused.matMul({ a: tf.reshape(kv, [B * S, C]), b: w, bias: b }), 2, 1) as tf.Tensor2D[];
    return { k: this.heads(k, B, S), v: this.heads(v, B, S) };
  }

  /**
   * Multi-head attention. x (B, T, C) gives the queries; keys/values come from x itself (self), from
   * `memory` (cross) or from `kv` (already projected, e.g. a cache); `past` keys/values of a self-attention
   * cache are put before this call's. bias broadcasts to (B, H, T, S). Returns the keys/values used.
   */
  private attention(x: tf.Tensor3D, a: Attn, training: boolean, src: { memory?: tf.Tensor3D; kv?: KV; past?: KV }, bias: tf.Tensor | null): { out: tf.Tensor3D; k: tf.Tensor4D; v: tf.Tensor4D } {
    const [B, T, C] = x.shape;
    const D = C / this.config.nhead;
    const x2 = tf.reshape(x, [B * T, C]) as tf.Tensor2D;
    let q: tf.Tensor4D;
    let k: tf.Tensor4D;
    let v: tf.Tensor4D;
    if (!src.memory && !src.kv) {
      const [q2, k2, v2] = tf.split(this.lin(x2, a.inProj), 3, 1) as tf.Tensor2D[]; // 3 × (B·T, C)
      [q, k, v] = [this.heads(q2, B, T), this.heads(k2, B, T), this.heads(v2, B, T)];
      if (src.past) [k, v] = [tf.concat([src.past.k, k], 2), tf.concat([src.past.v, v], 2)]; // (B, H, past + T, D)
    } else {
      const wq = tf.slice(a.inProj.w, [0, 0], [C, C]) as tf.Tensor2D;
      const bq = tf.slice(a.inProj.b, [0], [C]);
      q = this.heads(tf.fused.matMul({ a: x2, b: wq, bias: bq }), B, T);
      ({ k, v } = src.kv ?? this.keysValues(src.memory!, a));
    }
    let scores = tf.matMul(tf.mul(q, 1 / Math.sqrt(D)), k, false, true); // (B, H, T, S)
    if (bias) scores = tf.add(scores, bias);
    const weights = this.drop(tf.softmax(scores, -1), training);
    const o = tf.reshape(tf.transpose(tf.matMul(weights, v), [0, 2, 1, 3]), [B * T, C]) as tf.Tensor2D; // (B·T, C)
    return { out: tf.reshape(this.lin(o, a.outProj), [B, T, C]), k, v };
  }

  private feedForward(x: tf.Tensor3D, l: { l1: Lin; l2: Lin }, training: boolean): tf.Tensor3D {
    const [B, T, C] = x.shape;
    const h = this.drop(this.lin(tf.reshape(x, [B * T, C]), l.l1, 'relu'), training); // (B·T, F)
    return tf.reshape(this.lin(h, l.l2), [B, T, C]);
  }

  /** src (B, S) int32 → memory (B, S, C). */
  encode(src: tf.Tensor2D, training: boolean): TfEncoded {
    const srcBias = this.padBias(src);
    let x = this.embedWithPositions(this.srcEmb, src, training);
    for (const l of this.enc) {
      x = this.layerNorm(tf.add(x, this.drop(this.attention(x, l.selfAttn, training, {}, srcBias).out, training)), l.n1);
      x = this.layerNorm(tf.add(x, this.drop(this.feedForward(x, l, training), training)), l.n2);
    }
    return { memory: this.layerNorm(x, this.encNorm), srcBias };
  }

  /** Decoder stack over y (B, T, C) → logits (B·T, V); with a cache, y holds only the new positions. */
  private decodeStack(y: tf.Tensor3D, enc: TfEncoded, selfBias: tf.Tensor | null, training: boolean, cache?: TfKvCache): tf.Tensor2D {
    let x = y;
    this.dec.forEach((l, i) => {
      const sa = this.attention(x, l.selfAttn, training, { past: cache?.self[i] }, selfBias);
      if (cache) cache.self[i] = { k: sa.k, v: sa.v };
      x = this.layerNorm(tf.add(x, this.drop(sa.out, training)), l.n1);
      const cross = cache?.cross[i];
      const ca = this.attention(x, l.crossAttn, training, cross ? { kv: cross } : { memory: enc.memory }, enc.srcBias);
      if (cache && !cross) cache.cross[i] = { k: ca.k, v: ca.v };
      x = this.layerNorm(tf.add(x, this.drop(ca.out, training)), l.n2);
      x = this.layerNorm(tf.add(x, this.drop(this.feedForward(x, l, training), training)), l.n3);
    });
    const [B, T, C] = x.shape;
    return this.lin(tf.reshape(this.layerNorm(x, this.decNorm), [B * T, C]), this.out); // (B·T, V)
  }

  /** Teacher forcing: src (B, S), tgtIn (B, T) → logits (B·T, V). */
  forward(src: tf.Tensor2D, tgtIn: tf.Tensor2D, training: boolean): tf.Tensor2D {
    const enc = this.encode(src, training);
    const T = tgtIn.shape[1];
    const causal = tf.tensor2d(Float32Array.from({ length: T * T }, (_, i) => (i % T > Math.floor(i / T) ? MASKED : 0)), [T, T]);
    const selfBias = tf.add(causal, this.padBias(tgtIn)); // (B, 1, T, T)
    return this.decodeStack(this.positions(tgtIn, training), enc, selfBias, training);
  }

  private positions(ids: tf.Tensor2D, training: boolean, offset = 0): tf.Tensor3D {
    return this.embedWithPositions(this.tgtEmb, ids, training, offset);
  }

  /** Mean cross-entropy (label smoothing as PyTorch's) of logits (N, V) against ids (N). */
  loss(logits: tf.Tensor2D, tgtOut: tf.Tensor2D, labelSmoothing: number): tf.Scalar {
    const V = this.config.tgtVocab;
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.reshape(tgtOut, [-1]), V), logits, undefined, labelSmoothing) as tf.Scalar;
  }

  /** Incremental decoding (eval mode): tokens (B, 1) at position cache.position → logits (B, V). */
  decodeStep(tokens: tf.Tensor2D, enc: TfEncoded, cache: TfKvCache): tf.Tensor2D {
    const y = this.positions(tokens, false, cache.position);
    const logits = this.decodeStack(y, enc, null, false, cache);
    cache.position += tokens.shape[1];
    return logits;
  }
}
