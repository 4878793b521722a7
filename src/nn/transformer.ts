/**
 * The Transformer's encoder and decoder, as "Attention Is All You Need" §3.1 describes them and
 * PyTorch's nn.Transformer names them, so a state dict maps one-to-one onto PyTorch's
 * (`encoder.layers.0.self_attn.in_proj_weight`, `decoder.layers.1.multihead_attn.out_proj.weight`,
 * `encoder.norm.weight`, …). Batch first: (B, S, C) sources, (B, T, C) targets (C = d_model).
 *
 * Each sub-layer is wrapped in a residual connection and a LayerNorm (`subLayer`): after it (post-LN,
 * the paper's and PyTorch's default, x = norm(x + f(x))) or before it (pre-LN, `normFirst`, x = x + f(norm(x))).
 */
import { Tensor } from '../tensor/tensor.js';
import { ShapeError, formatShape } from '../tensor/shape.js';
import { defaultGenerator, type Generator } from '../util/random.js';
import { Module } from './module.js';
import { Dropout, LayerNorm, Linear, ModuleList, type InitOptions } from './layers.js';
import { xavierUniform_ } from './init.js';
import { MultiheadAttention, generateSquareSubsequentMask, type KVCache } from './attention.js';

export { generateSquareSubsequentMask, causalMask, paddingMask } from './attention.js';

export interface TransformerLayerOptions extends InitOptions {
  /** Size of the feed-forward network's hidden layer (default 2048). */
  dimFeedforward?: number;
  /** Dropout after attention weights, sub-layers and the FFN's hidden layer (default 0.1). */
  dropout?: number;
  /** The FFN's activation (default 'relu'). */
  activation?: 'relu' | 'gelu';
  /** LayerNorm epsilon (default 1e-5). */
  layerNormEps?: number;
  /** Pre-LN: normalize before each sub-layer instead of after the residual (default false). */
  normFirst?: boolean;
  /** Biases in the linear layers and attention projections (default true). */
  bias?: boolean;
}

/** Attention weights collected during a forward pass, one (B, T, S) tensor per layer, heads averaged. */
export interface AttentionRecord {
  self: Tensor[];
  cross: Tensor[];
}

function activate(x: Tensor, activation: 'relu' | 'gelu'): Tensor {
  return activation === 'gelu' ? x.gelu() : x.relu();
}

function expectSequence(x: Tensor, C: number, what: string): void {
  if (x.ndim !== 3 || x.shape[2] !== C) throw new ShapeError(`${what}: expected (B, L, ${C}), got ${formatShape(x.shape)}`);
}

/**
 * What encoder and decoder layers share: their attention sub-layers, the position-wise feed-forward
 * network, and a LayerNorm and a Dropout per sub-layer. Children are registered in PyTorch's order
 * (attentions, linear1, dropout, linear2, norm1…, dropout1…), which is also the order the seeded
 * initialization draws in.
 */
abstract class TransformerLayerBase extends Module {
  readonly linear1: Linear;
  readonly dropout: Dropout;
  readonly linear2: Linear;
  readonly normFirst: boolean;
  readonly activation: 'relu' | 'gelu';
  protected readonly attentions: MultiheadAttention[];
  /** One per sub-layer: the attentions', then the feed-forward network's. */
  protected readonly norms: LayerNorm[];
  protected readonly dropouts: Dropout[];

  constructor(readonly dModel: number, readonly nhead: number, attentionNames: readonly string[], options: TransformerLayerOptions) {
    super();
    const { dimFeedforward = 2048, dropout = 0.1, activation = 'relu', layerNormEps = 1e-5, normFirst = false, bias = true } = options;
    const generator = options.generator ?? defaultGenerator();
    this.normFirst = normFirst;
    this.activation = activation;
    this.attentions = attentionNames.map((name) => this.child(name, new MultiheadAttention(dModel, nhead, { dropout, bias, generator })));
    this.linear1 = this.child('linear1', new Linear(dModel, dimFeedforward, { bias, generator }));
    this.dropout = this.child('dropout', new Dropout(dropout, generator));
    this.linear2 = this.child('linear2', new Linear(dimFeedforward, dModel, { bias, generator }));
    const subLayers = attentionNames.length + 1;
    this.norms = Array.from({ length: subLayers }, (_, i) => this.child(`norm${i + 1}`, new LayerNorm(dModel, layerNormEps)));
    this.dropouts = Array.from({ length: subLayers }, (_, i) => this.child(`dropout${i + 1}`, new Dropout(dropout, generator)));
  }

  /**
   * A sub-layer f with its residual connection, dropout and LayerNorm: post-LN x = norm(x + drop(f(x)))
   * (the paper's and PyTorch's default), or pre-LN x = x + drop(f(norm(x))) when `normFirst`.
   */
  protected subLayer(x: Tensor, norm: LayerNorm, drop: Dropout, f: (x: Tensor) => Tensor): Tensor {
    return this.normFirst ? x.add(drop.forward(f(norm.forward(x)))) : norm.forward(x.add(drop.forward(f(x))));
  }

  /** The position-wise feed-forward network linear2(dropout(act(linear1 x))). */
  protected feedForward(x: Tensor): Tensor {
    return this.linear2.forward(this.dropout.forward(activate(this.linear1.forward(x), this.activation))); // (B, T, C) → (B, T, F) → (B, T, C)
  }
}

export interface EncoderLayerForwardOptions {
  /** (S, S) mask on self-attention (rarely needed in an encoder). */
  srcMask?: Tensor | null;
  /** (B, S), non-zero where the source token is padding. */
  srcKeyPaddingMask?: Tensor | null;
  record?: AttentionRecord;
}

/**
 * One encoder layer: self-attention, then the feed-forward network, each with residual + LayerNorm.
 * Children as PyTorch: self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2.
 */
export class TransformerEncoderLayer extends TransformerLayerBase {
  readonly self_attn: MultiheadAttention;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly dropout1: Dropout;
  readonly dropout2: Dropout;

  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    super(dModel, nhead, ['self_attn'], options);
    [this.self_attn] = this.attentions;
    [this.norm1, this.norm2] = this.norms;
    [this.dropout1, this.dropout2] = this.dropouts;
  }

  private selfAttention(x: Tensor, o: EncoderLayerForwardOptions): Tensor {
    const r = this.self_attn.selfAttention(x, { attnMask: o.srcMask, keyPaddingMask: o.srcKeyPaddingMask, needWeights: !!o.record });
    o.record?.self.push(r.weights);
    return r.output;
  }

  /** src (B, S, C) → (B, S, C). */
  forward(src: Tensor, options: EncoderLayerForwardOptions = {}): Tensor {
    expectSequence(src, this.dModel, 'TransformerEncoderLayer');
    let x = src;
    x = this.subLayer(x, this.norm1, this.dropout1, (y) => this.selfAttention(y, options)); // (B, S, C)
    x = this.subLayer(x, this.norm2, this.dropout2, (y) => this.feedForward(y)); // (B, S, C)
    return x;
  }
}

export interface DecoderLayerForwardOptions {
  /** (T, T) mask on self-attention, normally `generateSquareSubsequentMask(T)`; with a cache, (T, past + T). */
  tgtMask?: Tensor | null;
  /** (T, S) mask on encoder-decoder attention. */
  memoryMask?: Tensor | null;
  /** (B, T) (with a cache: (B, past + T)), non-zero where the target token is padding. */
  tgtKeyPaddingMask?: Tensor | null;
  /** (B, S), non-zero where the source token is padding. */
  memoryKeyPaddingMask?: Tensor | null;
  /** Incremental decoding: `tgt` holds only the new positions; earlier keys/values come from here. */
  cache?: KVCache;
  record?: AttentionRecord;
}

/**
 * One decoder layer: masked self-attention, encoder-decoder attention over the memory, then the
 * feed-forward network, each with residual + LayerNorm. Children as PyTorch: self_attn,
 * multihead_attn, linear1, dropout, linear2, norm1, norm2, norm3, dropout1, dropout2, dropout3.
 */
export class TransformerDecoderLayer extends TransformerLayerBase {
  readonly self_attn: MultiheadAttention;
  readonly multihead_attn: MultiheadAttention;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly norm3: LayerNorm;
  readonly dropout1: Dropout;
  readonly dropout2: Dropout;
  readonly dropout3: Dropout;

  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    super(dModel, nhead, ['self_attn', 'multihead_attn'], options);
    [this.self_attn, this.multihead_attn] = this.attentions;
    [this.norm1, this.norm2, this.norm3] = this.norms;
    [this.dropout1, this.dropout2, this.dropout3] = this.dropouts;
  }

  private selfAttention(x: Tensor, o: DecoderLayerForwardOptions): Tensor {
    const r = this.self_attn.selfAttention(x, { attnMask: o.tgtMask, keyPaddingMask: o.tgtKeyPaddingMask, needWeights: !!o.record, cache: o.cache });
    o.record?.self.push(r.weights);
    return r.output;
  }

  private crossAttention(x: Tensor, memory: Tensor, o: DecoderLayerForwardOptions): Tensor {
    const r = this.multihead_attn.crossAttention(x, memory, {
      attnMask: o.memoryMask, keyPaddingMask: o.memoryKeyPaddingMask, needWeights: !!o.record, cache: o.cache,
    });
    o.record?.cross.push(r.weights);
    return r.output;
  }

  /** tgt (B, T, C), memory (B, S, C) → (B, T, C). */
  forward(tgt: Tensor, memory: Tensor, options: DecoderLayerForwardOptions = {}): Tensor {
    expectSequence(tgt, this.dModel, 'TransformerDecoderLayer (tgt)');
    expectSequence(memory, this.dModel, 'TransformerDecoderLayer (memory)');
    let x = tgt;
    x = this.subLayer(x, this.norm1, this.dropout1, (y) => this.selfAttention(y, options)); // (B, T, C)
    x = this.subLayer(x, this.norm2, this.dropout2, (y) => this.crossAttention(y, memory, options)); // (B, T, C)
    x = this.subLayer(x, this.norm3, this.dropout3, (y) => this.feedForward(y)); // (B, T, C)
    return x;
  }
}

/**
 * A stack of encoder layers (children `layers.0`, `layers.1`, …) and an optional final LayerNorm (`norm`).
 * @example new TransformerEncoder((i) => new TransformerEncoderLayer(128, 4), 2, new LayerNorm(128))
 */
export class TransformerEncoder extends Module {
  readonly layers: ModuleList<TransformerEncoderLayer>;
  readonly norm: LayerNorm | null;

  constructor(makeLayer: (index: number) => TransformerEncoderLayer, numLayers: number, norm: LayerNorm | null = null) {
    super();
    this.layers = this.child('layers', new ModuleList(Array.from({ length: numLayers }, (_, i) => makeLayer(i))));
    this.norm = norm ? this.child('norm', norm) : null;
  }

  /** src (B, S, C) → memory (B, S, C). */
  forward(src: Tensor, options: EncoderLayerForwardOptions = {}): Tensor {
    let x = src;
    for (const layer of this.layers.items) x = layer.forward(x, options);
    return this.norm ? this.norm.forward(x) : x;
  }
}

/** A stack of decoder layers (`layers.N`) and an optional final LayerNorm (`norm`). */
export class TransformerDecoder extends Module {
  readonly layers: ModuleList<TransformerDecoderLayer>;
  readonly norm: LayerNorm | null;

  constructor(makeLayer: (index: number) => TransformerDecoderLayer, numLayers: number, norm: LayerNorm | null = null) {
    super();
    this.layers = this.child('layers', new ModuleList(Array.from({ length: numLayers }, (_, i) => makeLayer(i))));
    this.norm = norm ? this.child('norm', norm) : null;
  }

  /** tgt (B, T, C), memory (B, S, C) → (B, T, C). */
  forward(tgt: Tensor, memory: Tensor, options: DecoderLayerForwardOptions = {}): Tensor {
    let x = tgt;
    for (const layer of this.layers.items) x = layer.forward(x, memory, options);
    return this.norm ? this.norm.forward(x) : x;
  }
}

export interface TransformerOptions extends TransformerLayerOptions {
  dModel?: number;
  nhead?: number;
  numEncoderLayers?: number;
  numDecoderLayers?: number;
}

export interface TransformerForwardOptions {
  srcMask?: Tensor | null;
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  record?: AttentionRecord;
}

/**
 * PyTorch's nn.Transformer (batch first): an encoder and a decoder, each ending in a LayerNorm
 * (`encoder.norm`, `decoder.norm`), every matrix re-initialized xavier-uniform as PyTorch's
 * `_reset_parameters` does. Defaults are the paper's base model (512, 8 heads, 6 + 6 layers, 2048).
 * @example
 * const tf = new Transformer({ dModel: 128, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 512 });
 * const y = tf.forward(srcEmb, tgtEmb, { tgtMask: generateSquareSubsequentMask(T), srcKeyPaddingMask, memoryKeyPaddingMask: srcKeyPaddingMask });
 */
export class Transformer extends Module {
  readonly encoder: TransformerEncoder;
  readonly decoder: TransformerDecoder;
  readonly dModel: number;
  readonly nhead: number;

  constructor(options: TransformerOptions = {}) {
    super();
    const { dModel = 512, nhead = 8, numEncoderLayers = 6, numDecoderLayers = 6, layerNormEps = 1e-5 } = options;
    const generator: Generator = options.generator ?? defaultGenerator();
    const layerOptions = { ...options, generator };
    this.dModel = dModel;
    this.nhead = nhead;
    this.encoder = this.child('encoder', new TransformerEncoder(() => new TransformerEncoderLayer(dModel, nhead, layerOptions), numEncoderLayers, new LayerNorm(dModel, layerNormEps)));
    this.decoder = this.child('decoder', new TransformerDecoder(() => new TransformerDecoderLayer(dModel, nhead, layerOptions), numDecoderLayers, new LayerNorm(dModel, layerNormEps)));
    for (const p of this.parameters()) if (p.ndim > 1) xavierUniform_(p, 1, generator);
  }

  /** src (B, S, C) → memory (B, S, C). */
  encode(src: Tensor, options: TransformerForwardOptions = {}): Tensor {
    return this.encoder.forward(src, { srcMask: options.srcMask, srcKeyPaddingMask: options.srcKeyPaddingMask, record: options.record });
  }

  /** tgt (B, T, C), memory (B, S, C) → (B, T, C). */
  decode(tgt: Tensor, memory: Tensor, options: TransformerForwardOptions & { cache?: KVCache } = {}): Tensor {
    return this.decoder.forward(tgt, memory, {
      tgtMask: options.tgtMask, memoryMask: options.memoryMask, tgtKeyPaddingMask: options.tgtKeyPaddingMask,
      memoryKeyPaddingMask: options.memoryKeyPaddingMask, cache: options.cache, record: options.record,
    });
  }

  /** src (B, S, C), tgt (B, T, C) → (B, T, C). */
  forward(src: Tensor, tgt: Tensor, options: TransformerForwardOptions = {}): Tensor {
    if (src.shape[0] !== tgt.shape[0]) throw new ShapeError(`Transformer: src ${formatShape(src.shape)} and tgt ${formatShape(tgt.shape)} have different batch sizes`);
    return this.decode(tgt, this.encode(src, options), options);
  }

  /** PyTorch's static helper, here too: (T, T) float causal mask. */
  static generateSquareSubsequentMask(T: number): Tensor {
    return generateSquareSubsequentMask(T);
  }
}
