/**
 * The word-level language model of the explainer's second act: read words one by one, predict the next.
 *
 *   ids (B, T) ─ encoder (embedding) ─► rnn | lstm | gru           ─► decoder (Linear) ─► logits (B, T, V)
 *                                    └► ·√E + PE ─► causal Transformer ┘
 *
 * The recurrent kinds carry a state (h, and c for the LSTM) from one call to the next, so they read any
 * length, one step after the other. The Transformer is decoder-only: self-attention with a causal
 * mask over at most `context` positions, every position computed at once.
 *
 * Children are named as in PyTorch's word_language_model example (`encoder`, `rnn`, `pos_encoder`,
 * `transformer_encoder`, `decoder`), so the state dict maps onto that model's.
 * Dimension letters: B batch, T positions, E embedding size, H hidden size, V vocabulary.
 */
import { Tensor } from '../../tensor/tensor.js';
import { formatShape, ShapeError } from '../../tensor/shape.js';
import { defaultGenerator, type Generator } from '../../util/random.js';
import { crossEntropy } from '../../ops/nn.js';
import { Module, type Parameter } from '../../nn/module.js';
import { Dropout, Embedding, LayerNorm, Linear } from '../../nn/layers.js';
import { uniform_, zeros_ } from '../../nn/init.js';
import { RNN, type RecurrentState } from '../../nn/rnn.js';
import { LSTM } from '../../nn/lstm.js';
import { GRU } from '../../nn/gru.js';
import { causalMask, generateSquareSubsequentMask, type KVCache } from '../../nn/attention.js';
import { TransformerEncoder, TransformerEncoderLayer } from '../../nn/transformer.js';
import { PositionalEncoding } from '../../nn/positional.js';

export const LM_KINDS = ['rnn', 'lstm', 'gru', 'transformer'] as const;
export type LmKind = (typeof LM_KINDS)[number];

export interface WordLMConfig {
  kind: LmKind;
  /** V */
  vocabSize: number;
  /** E, the embedding size; the Transformer's width d_model (default 64). */
  embDim?: number;
  /** H, the recurrent layers' hidden size (default 128; the Transformer ignores it). */
  hiddenSize?: number;
  /** Recurrent or Transformer layers (default 1). */
  numLayers?: number;
  /** Dropout on embeddings, between layers and before the decoder (default 0.1). */
  dropout?: number;
  /** Transformer: attention heads (default 4). */
  nhead?: number;
  /** Transformer: feed-forward width (default 4·E). */
  dimFeedforward?: number;
  /** Transformer: the most positions it sees at once (its positional table; default 64). */
  context?: number;
  /** Share the decoder's weight with the embedding (needs H = E for the recurrent kinds; default false). */
  tieWeights?: boolean;
}

export type ResolvedWordLMConfig = Required<WordLMConfig>;

export function resolveWordLMConfig(c: WordLMConfig): ResolvedWordLMConfig {
  const embDim = c.embDim ?? 64;
  const r: ResolvedWordLMConfig = {
    embDim, hiddenSize: 128, numLayers: 1, dropout: 0.1, nhead: 4, dimFeedforward: 4 * embDim, context: 64, tieWeights: false, ...c,
  };
  if (!(LM_KINDS as readonly string[]).includes(r.kind)) throw new Error(`WordLM: kind must be one of ${LM_KINDS.join(', ')}, got '${r.kind}'`);
  for (const k of ['vocabSize', 'embDim', 'hiddenSize', 'numLayers', 'nhead', 'dimFeedforward', 'context'] as const) {
    if (!Number.isInteger(r[k]) || r[k] < 1) throw new Error(`WordLM: ${k} must be a positive integer, got ${r[k]}`);
  }
  if (!(r.dropout >= 0 && r.dropout < 1)) throw new Error(`WordLM: dropout must be in [0, 1), got ${r.dropout}`);
  if (r.kind === 'transformer' && r.embDim % r.nhead !== 0) throw new Error(`WordLM: embDim ${r.embDim} is not divisible by nhead ${r.nhead}`);
  if (r.tieWeights && r.kind !== 'transformer' && r.hiddenSize !== r.embDim) {
    throw new Error(`WordLM: tieWeights needs hiddenSize = embDim, got ${r.hiddenSize} and ${r.embDim}`);
  }
  return r;
}

/** The output Linear, whose weight can be tied to the embedding's (Press & Wolf 2017). */
class Decoder extends Linear {
  tie(weight: Parameter): void {
    this.setParam('weight', weight);
    (this as { weight: Parameter }).weight = weight;
  }
}

/** What a forward pass returns: logits and the state to carry into the next chunk (null for the Transformer). */
export interface LmOutput {
  /** (B, T, V) */
  logits: Tensor;
  state: RecurrentState | null;
}

/**
 * @example
 * const lm = new WordLM({ kind: 'lstm', vocabSize: tok.size, embDim: 64, hiddenSize: 128 });
 * let { logits, state } = lm.forward(x);                  // x (B, T) → (B, T, V)
 * ({ logits, state } = lm.forward(x2, detachState(state))); // the next chunk, truncated BPTT
 */
export class WordLM extends Module {
  readonly config: ResolvedWordLMConfig;
  readonly encoder: Embedding;
  readonly drop: Dropout;
  readonly rnn: RNN | LSTM | GRU | null = null;
  readonly pos_encoder: PositionalEncoding | null = null;
  readonly transformer_encoder: TransformerEncoder | null = null;
  readonly decoder: Decoder;
  private readonly masks = new Map<number, Tensor>();

  constructor(config: WordLMConfig, options: { generator?: Generator } = {}) {
    super();
    const c = (this.config = resolveWordLMConfig(config));
    const generator = options.generator ?? defaultGenerator();
    const E = c.embDim;
    this.encoder = this.child('encoder', new Embedding(c.vocabSize, E, { generator }));
    this.drop = this.child('drop', new Dropout(c.dropout, generator));
    let width = E;
    if (c.kind === 'transformer') {
      this.pos_encoder = this.child('pos_encoder', new PositionalEncoding(E, c.context, c.dropout, generator));
      // pre-LN layers and a final LayerNorm: trains stably from scratch at small sizes without warmup
      this.transformer_encoder = this.child('transformer_encoder', new TransformerEncoder(
        () => new TransformerEncoderLayer(E, c.nhead, { dimFeedforward: c.dimFeedforward, dropout: c.dropout, normFirst: true, generator }),
        c.numLayers, new LayerNorm(E),
      ));
    } else {
      const Layer = { rnn: RNN, lstm: LSTM, gru: GRU }[c.kind];
      this.rnn = this.child('rnn', new Layer(E, c.hiddenSize, { numLayers: c.numLayers, dropout: c.numLayers > 1 ? c.dropout : 0, batchFirst: true, generator }));
      width = c.hiddenSize;
    }
    this.decoder = this.child('decoder', new Decoder(width, c.vocabSize, { generator }));
    // PyTorch's example: encoder and decoder weights U(−0.1, 0.1), decoder bias 0
    uniform_(this.encoder.weight, -0.1, 0.1, generator);
    uniform_(this.decoder.weight, -0.1, 0.1, generator);
    if (this.decoder.bias) zeros_(this.decoder.bias);
    if (c.tieWeights) this.decoder.tie(this.encoder.weight);
  }

  get kind(): LmKind {
    return this.config.kind;
  }

  /** The most positions one forward pass may hold: the Transformer's context, unbounded for the recurrent kinds. */
  get maxPositions(): number {
    return this.config.kind === 'transformer' ? this.config.context : Infinity;
  }

  private causal(T: number): Tensor {
    let m = this.masks.get(T);
    if (!m) this.masks.set(T, (m = generateSquareSubsequentMask(T)));
    return m;
  }

  /** ids (B, T) → the top layer's features (B, T, H or E) and the state after the last position. */
  features(ids: Tensor, state: RecurrentState | null = null): { hidden: Tensor; state: RecurrentState | null } {
    if (ids.ndim !== 2 || ids.dtype !== 'int32') throw new ShapeError(`WordLM: expected int32 token ids of shape (B, T), got ${ids.dtype} ${formatShape(ids.shape)}`);
    const T = ids.shape[1];
    if (T < 1) throw new ShapeError('WordLM: the input has no positions');
    if (T > this.maxPositions) throw new ShapeError(`WordLM: ${T} positions exceed the Transformer's context of ${this.maxPositions}; feed at most the last ${this.maxPositions} tokens`);
    const emb = this.encoder.forward(ids); // (B, T, E)
    if (this.transformer_encoder && this.pos_encoder) {
      const x = this.pos_encoder.forward(emb.mul(Math.sqrt(this.config.embDim))); // (B, T, E)
      const hidden = this.transformer_encoder.forward(x, { srcMask: this.causal(T) }); // (B, T, E)
      return { hidden: this.drop.forward(hidden), state: null };
    }
    const r = this.rnn!.forward(this.drop.forward(emb), state ?? undefined) as { output: Tensor; h: Tensor; c?: Tensor }; // (B, T, H)
    return { hidden: this.drop.forward(r.output), state: r.c ? { h: r.h, c: r.c } : { h: r.h } };
  }

  /**
   * The Transformer's incremental pass: ids (B, T) at positions cache.position … (the tokens after
   * those whose keys and values `cache` holds) → logits (B, T, V), appending their keys and values.
   * Feeding a sequence in any number of pieces gives the logits of one `forward` over it (to float
   * rounding); the first piece (an empty cache) computes exactly what `forward` does. The positions
   * must fit in the context: past it, positions shift and every key changes (see ./step.ts).
   * @example const cache = new KVCache(); lm.forwardCached(prompt, cache); lm.forwardCached(next, cache); // (B, 1, V)
   */
  forwardCached(ids: Tensor, cache: KVCache): Tensor {
    if (!this.transformer_encoder || !this.pos_encoder) throw new Error(`WordLM: forwardCached is for the Transformer; the ${this.kind} carries its state through forward`);
    if (ids.ndim !== 2 || ids.dtype !== 'int32') throw new ShapeError(`WordLM: expected int32 token ids of shape (B, T), got ${ids.dtype} ${formatShape(ids.shape)}`);
    const T = ids.shape[1];
    const past = cache.position;
    if (T < 1) throw new ShapeError('WordLM: the input has no positions');
    if (past + T > this.maxPositions) throw new ShapeError(`WordLM: positions ${past}…${past + T - 1} exceed the Transformer's context of ${this.maxPositions}`);
    const x0 = this.pos_encoder.forward(this.encoder.forward(ids).mul(Math.sqrt(this.config.embDim)), past); // (B, T, E)
    // a single new token may see every cached one: no mask
    const mask = past === 0 ? this.causal(T) : T > 1 ? causalMask(T, past + T) : null;
    let x = x0;
    for (const layer of this.transformer_encoder.layers.items) x = encoderLayerStep(layer, x, mask, cache);
    if (this.transformer_encoder.norm) x = this.transformer_encoder.norm.forward(x);
    cache.position = past + T;
    return this.project(this.drop.forward(x)); // (B, T, V)
  }

  /** features (…, H) → logits (…, V) */
  project(hidden: Tensor): Tensor {
    return this.decoder.forward(hidden);
  }

  /** ids (B, T) and the carried state → logits (B, T, V) and the new state. */
  forward(ids: Tensor, state: RecurrentState | null = null): LmOutput {
    const f = this.features(ids, state);
    return { logits: this.project(f.hidden), state: f.state };
  }

  /** Mean cross-entropy of logits (B, T, V) against targets (B, T) — or 'sum' for perplexity sums. */
  loss(logits: Tensor, targets: Tensor, reduction: 'mean' | 'sum' = 'mean'): Tensor {
    const V = logits.shape[logits.ndim - 1];
    return crossEntropy(logits.reshape([-1, V]), targets.reshape([-1]), { reduction });
  }
}

/**
 * TransformerEncoderLayer.forward with the self-attention's keys and values kept in `cache` (the layer
 * takes no cache itself): the same sub-layers in the same order, so with an empty cache the result
 * is the layer's own.
 */
function encoderLayerStep(layer: TransformerEncoderLayer, x: Tensor, mask: Tensor | null, cache: KVCache): Tensor {
  const attend = (y: Tensor): Tensor => layer.dropout1.forward(layer.self_attn.forward(y, y, y, { attnMask: mask, needWeights: false, cache }).output);
  const feedForward = (y: Tensor): Tensor => {
    const hidden = layer.linear1.forward(y);
    return layer.dropout2.forward(layer.linear2.forward(layer.dropout.forward(layer.activation === 'gelu' ? hidden.gelu() : hidden.relu())));
  };
  if (layer.normFirst) {
    const h = x.add(attend(layer.norm1.forward(x)));
    return h.add(feedForward(layer.norm2.forward(h)));
  }
  const h = layer.norm1.forward(x.add(attend(x)));
  return layer.norm2.forward(h.add(feedForward(h)));
}
