/**
 * The translation model of the explainer's last chapter: a Transformer encoder-decoder over token ids.
 *
 *   src ids (B, S) ─ src_emb·√C + PE ─► encoder ─► memory (B, S, C)
 *   tgt ids (B, T) ─ tgt_emb·√C + PE ─► decoder (masked self-attn, cross-attn over memory) ─► out ─► logits (B, T, V)
 *
 * Children are named as in the PyTorch reference (`src_emb`, `tgt_emb`, `transformer`, `out`), so its
 * state dict loads into this model one-to-one. Id 0 is padding: padded source keys and padded target
 * keys are masked out, padded targets are ignored by the loss.
 */
import { Tensor } from '../../tensor/tensor.js';
import { formatShape, ShapeError } from '../../tensor/shape.js';
import { defaultGenerator, type Generator } from '../../util/random.js';
import { crossEntropy } from '../../ops/nn.js';
import { Module, type Parameter } from '../../nn/module.js';
import { Linear } from '../../nn/layers.js';
import { xavierUniform_ } from '../../nn/init.js';
import { KVCache, generateSquareSubsequentMask, paddingMask, causalMask } from '../../nn/attention.js';
import { Transformer, type AttentionRecord } from '../../nn/transformer.js';
import { PositionalEncoding, TokenEmbedding } from '../../nn/positional.js';
import { greedySearch } from '../../decode/greedy.js';
import { Seq2SeqStepModel } from './step.js';

export interface Seq2SeqConfig {
  srcVocab: number;
  tgtVocab: number;
  /** C, the model width (default 128). */
  dModel?: number;
  /** H, attention heads (default 4). */
  nhead?: number;
  numEncoderLayers?: number;
  numDecoderLayers?: number;
  dimFeedforward?: number;
  dropout?: number;
  /** Longest sequence the positional table covers (default 256). */
  maxLen?: number;
  /** Pre-LN layers (default false: post-LN as the paper). */
  normFirst?: boolean;
  /** Share `out.weight` with `tgt_emb.weight` (default false). */
  tieOutput?: boolean;
  activation?: 'relu' | 'gelu';
  /** Padding id of both vocabularies (default 0). */
  padId?: number;
  /** Label smoothing of the loss (default 0.1). */
  labelSmoothing?: number;
  layerNormEps?: number;
}

export type ResolvedSeq2SeqConfig = Required<Seq2SeqConfig>;

export function resolveSeq2SeqConfig(c: Seq2SeqConfig): ResolvedSeq2SeqConfig {
  return {
    dModel: 128, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 512, dropout: 0.1,
    maxLen: 256, normFirst: false, tieOutput: false, activation: 'relu', padId: 0, labelSmoothing: 0.1, layerNormEps: 1e-5,
    ...c,
  };
}

/** The output Linear, whose weight can be tied to an embedding's. */
class OutputProjection extends Linear {
  tie(weight: Parameter): void {
    if (weight.shape[0] !== this.outFeatures || weight.shape[1] !== this.inFeatures) {
      throw new ShapeError(`tieOutput: embedding ${formatShape(weight.shape)} does not fit the output layer (${this.outFeatures}, ${this.inFeatures})`);
    }
    this.setParam('weight', weight);
    (this as { weight: Parameter }).weight = weight;
  }
}

/** What `encode` returns and `decodeStep` needs. */
export interface Encoded {
  memory: Tensor; // (B, S, C)
  /** (B, S) int32, 1 where the source is padding */
  srcPadMask: Tensor;
}

export interface GreedyOptions {
  bos: number;
  eos: number;
  /** Most tokens to generate (default: the positional table's length − 1). */
  maxLen?: number;
  /** Use the KV cache (default true); false recomputes the whole prefix each step. */
  useCache?: boolean;
}

/**
 * @example
 * const model = new Seq2SeqTransformer({ srcVocab: 4000, tgtVocab: 4000, dModel: 128, nhead: 4 });
 * const logits = model.forward(src, tgtIn); // (B, S), (B, T) → (B, T, V)
 * const loss = model.loss(logits, tgtOut);
 */
export class Seq2SeqTransformer extends Module {
  readonly config: ResolvedSeq2SeqConfig;
  readonly src_emb: TokenEmbedding;
  readonly tgt_emb: TokenEmbedding;
  readonly positional: PositionalEncoding;
  readonly transformer: Transformer;
  readonly out: OutputProjection;

  constructor(config: Seq2SeqConfig, options: { generator?: Generator } = {}) {
    super();
    const c = (this.config = resolveSeq2SeqConfig(config));
    const generator = options.generator ?? defaultGenerator();
    this.src_emb = this.child('src_emb', new TokenEmbedding(c.srcVocab, c.dModel, { generator }));
    this.tgt_emb = this.child('tgt_emb', new TokenEmbedding(c.tgtVocab, c.dModel, { generator }));
    this.positional = this.child('positional', new PositionalEncoding(c.dModel, c.maxLen, c.dropout, generator));
    this.transformer = this.child('transformer', new Transformer({
      dModel: c.dModel, nhead: c.nhead, numEncoderLayers: c.numEncoderLayers, numDecoderLayers: c.numDecoderLayers,
      dimFeedforward: c.dimFeedforward, dropout: c.dropout, activation: c.activation, normFirst: c.normFirst,
      layerNormEps: c.layerNormEps, generator,
    }));
    this.out = this.child('out', new OutputProjection(c.dModel, c.tgtVocab, { generator }));
    // The Annotated Transformer's init: xavier-uniform on the embeddings too (N(0, 1) rows scaled by
    // √C would dwarf the positional encoding and, tied, give huge initial logits).
    xavierUniform_(this.src_emb.weight, 1, generator);
    xavierUniform_(this.tgt_emb.weight, 1, generator);
    if (c.tieOutput) this.out.tie(this.tgt_emb.weight);
  }

  private checkIds(ids: Tensor, name: string): void {
    if (ids.ndim !== 2) throw new ShapeError(`Seq2SeqTransformer: ${name} should be (B, L) token ids, got ${formatShape(ids.shape)}`);
  }

  /** src (B, S) → memory (B, S, C) and the source padding mask. */
  encode(src: Tensor, record?: AttentionRecord): Encoded {
    this.checkIds(src, 'src');
    const srcPadMask = paddingMask(src, this.config.padId); // (B, S)
    const x = this.positional.forward(this.src_emb.forward(src)); // (B, S, C)
    const memory = this.transformer.encode(x, { srcKeyPaddingMask: srcPadMask, record });
    return { memory, srcPadMask };
  }

  /** Decoder output → logits: (B, T, C) → (B, T, V). */
  private project(h: Tensor): Tensor {
    return this.out.forward(h);
  }

  /** Teacher-forced decoding of whole target prefixes: tgtIn (B, T) → logits (B, T, V). */
  decode(tgtIn: Tensor, enc: Encoded, record?: AttentionRecord): Tensor {
    this.checkIds(tgtIn, 'tgtIn');
    const T = tgtIn.shape[1];
    const y = this.positional.forward(this.tgt_emb.forward(tgtIn)); // (B, T, C)
    const h = this.transformer.decode(y, enc.memory, {
      tgtMask: generateSquareSubsequentMask(T), // (T, T)
      tgtKeyPaddingMask: paddingMask(tgtIn, this.config.padId), // (B, T)
      memoryKeyPaddingMask: enc.srcPadMask, // (B, S)
      record,
    });
    return this.project(h); // (B, T, V)
  }

  /** src (B, S), tgtIn (B, T) → logits (B, T, V). */
  forward(src: Tensor, tgtIn: Tensor): Tensor {
    if (src.shape[0] !== tgtIn.shape[0]) throw new ShapeError(`Seq2SeqTransformer: src ${formatShape(src.shape)} and tgtIn ${formatShape(tgtIn.shape)} have different batch sizes`);
    return this.decode(tgtIn, this.encode(src));
  }

  /** Mean cross-entropy over non-pad targets, with label smoothing: logits (B, T, V), tgtOut (B, T) → scalar. */
  loss(logits: Tensor, tgtOut: Tensor): Tensor {
    const V = logits.shape[logits.ndim - 1];
    return crossEntropy(logits.reshape([-1, V]), tgtOut.reshape([-1]), { ignoreIndex: this.config.padId, labelSmoothing: this.config.labelSmoothing });
  }

  /**
   * Incremental decoding: feeds the next tokens (B, T) (usually T = 1) at positions cache.position …,
   * reusing the keys/values of earlier positions from `cache`, and returns logits (B, T, V). The new
   * tokens must not be padding.
   * @example const cache = new KVCache(); let logits = model.decodeStep(bosColumn, enc, cache); // (B, 1, V)
   */
  decodeStep(tokens: Tensor, enc: Encoded, cache: KVCache, record?: AttentionRecord): Tensor {
    this.checkIds(tokens, 'tokens');
    const T = tokens.shape[1];
    const past = cache.position;
    const y = this.positional.forward(this.tgt_emb.forward(tokens), past); // (B, T, C)
    const h = this.transformer.decode(y, enc.memory, {
      tgtMask: T > 1 ? causalMask(T, past + T) : null, // one new token may see every earlier one
      memoryKeyPaddingMask: enc.srcPadMask,
      cache,
      record,
    });
    cache.position = past + T;
    return this.project(h); // (B, T, V)
  }

  /**
   * Greedy decoding: starts from `bos`, appends the most likely token until every row has produced
   * `eos` or `maxLen` tokens. Returns the generated ids per row, without bos and eos. Nothing is banned
   * and eos may come first; the translator's own rules are in ./translate.ts. This is the one greedy
   * loop of src/decode/greedy.ts over this model's step model.
   */
  greedyDecode(src: Tensor, options: GreedyOptions): number[][] {
    const { bos, eos, useCache = true } = options;
    const maxLen = options.maxLen ?? this.config.maxLen - 1;
    const hyps = greedySearch(new Seq2SeqStepModel(this, src, { useCache }), src.shape[0], { bos, eos, maxLen, minLen: 0 });
    return hyps.map((h) => h.tokens);
  }
}

export { KVCache };
