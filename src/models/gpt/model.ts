/**
 * GPT: a decoder-only Transformer in the shape and with the parameter names of OpenAI's GPT-2 as
 * Hugging Face's `GPT2Model` holds it — token embedding `wte`, learned positions `wpe`, blocks `h.N`
 * (pre-LayerNorm: x + attn(ln_1(x)), then x + mlp(ln_2(x))), final `ln_f`, and the output layer tied
 * to `wte` (logits = h·wteᵀ, no parameters of its own). The projections are `Conv1D` (weights stored
 * (in, out)), so a hub checkpoint's tensors load as they are.
 *
 * The attention is the engine's: q, k, v split into heads, the KV cache and scaled dot-product
 * attention all come from src/nn/attention.ts; only the projection layout differs from
 * MultiheadAttention (one c_attn of (C, 3C) instead of in_proj_weight (3C, C)).
 *
 * Dimension letters: B batch, T new positions, S positions attended (earlier ones in the cache, then
 * these), C width, H heads, V vocabulary.
 */
import { Tensor } from '../../tensor/tensor.js';
import { formatShape, ShapeError } from '../../tensor/shape.js';
import { defaultGenerator, type Generator } from '../../util/random.js';
import { add } from '../../ops/elementwise.js';
import { dropout, geluTanh, linear } from '../../ops/nn.js';
import { Module } from '../../nn/module.js';
import { Embedding, LayerNorm, ModuleList } from '../../nn/layers.js';
import { Conv1D } from '../../nn/conv1d.js';
import { normal_ } from '../../nn/init.js';
import {
  KVCache, additiveMask, appendToCache, causalMask, mergeHeads, scaledDotProductAttention, splitHeads,
} from '../../nn/attention.js';
import { innerWidth, type GptActivation, type GptConfig } from './config.js';

/** Options of one forward pass. */
export interface GptForwardOptions {
  /**
   * Incremental decoding: the keys/values of earlier calls are read from it and this call's appended;
   * positions continue from `cache.position`, which the call advances by T.
   */
  cache?: KVCache;
  /**
   * (B, S) int32, non-zero where the key is padding (S counts cached positions too): for batches of
   * prompts of different lengths. Padded queries still produce (meaningless) outputs.
   */
  keyPaddingMask?: Tensor | null;
}

function activate(x: Tensor, kind: GptActivation): Tensor {
  switch (kind) {
    // gelu_fast is the same tanh formula written differently (it rounds differently in float32 only)
    case 'gelu_new': case 'gelu_pytorch_tanh': case 'gelu_fast': return geluTanh(x);
    case 'gelu': return x.gelu();
    case 'relu': return x.relu();
    case 'tanh': return x.tanh();
  }
}

/** GPT-2 scales the residual projections' initial weights by 1/√(2·layers) (its paper, §2.3). */
function residualStd(c: GptConfig): number {
  return 0.02 / Math.sqrt(2 * c.nLayer);
}

/** Causal multi-head self-attention with GPT-2's `c_attn` (C → 3C: q, k, v) and `c_proj` (C → C). */
export class GptAttention extends Module {
  readonly c_attn: Conv1D;
  readonly c_proj: Conv1D;

  constructor(private readonly config: GptConfig, private readonly layerIndex: number, private readonly generator: Generator, init = true) {
    super();
    const C = config.nEmbd;
    this.c_attn = this.child('c_attn', new Conv1D(3 * C, C, { generator, std: init ? 0.02 : 0 }));
    this.c_proj = this.child('c_proj', new Conv1D(C, C, { generator, std: init ? residualStd(config) : 0 }));
  }

  forward(x: Tensor, options: GptForwardOptions = {}): Tensor {
    const { nHead, attnPdrop, residPdrop } = this.config;
    const [q0, k, v] = splitHeads(this.c_attn.forward(x), 3, nHead); // 3 × (B, H, T, D)
    const kv = appendToCache(this, { key: k, value: v }, options.cache); // (B, H, S, D)
    const [B, , T] = q0.shape;
    const S = kv.key.shape[2];
    const q = this.config.scaleAttnByInverseLayerIdx ? q0.mul(1 / (this.layerIndex + 1)) : q0;
    // one new query after the cache sees every key: no mask to build
    let mask: Tensor | null = T === 1 ? null : causalMask(T, S, x.dtype === 'float64' ? 'float64' : 'float32');
    if (options.keyPaddingMask) {
      const kpm = options.keyPaddingMask;
      if (kpm.ndim !== 2 || kpm.shape[0] !== B || kpm.shape[1] !== S) throw new ShapeError(`GPT: keyPaddingMask ${formatShape(kpm.shape)} should be (B, S) = (${B}, ${S})`);
      const pad = additiveMask(kpm).reshape([B, 1, 1, S]);
      mask = mask ? add(mask, pad) : pad;
    }
    const { output } = scaledDotProductAttention(q, kv.key, kv.value, mask, attnPdrop, { training: this.training, generator: this.generator });
    return dropout(this.c_proj.forward(mergeHeads(output)), residPdrop, this.training, this.generator); // (B, T, C)
  }
}

/** The position-wise MLP: `c_fc` (C → inner), the activation, `c_proj` (inner → C). */
export class GptMlp extends Module {
  readonly c_fc: Conv1D;
  readonly c_proj: Conv1D;

  constructor(private readonly config: GptConfig, private readonly generator: Generator, init = true) {
    super();
    const C = config.nEmbd;
    const inner = innerWidth(config);
    this.c_fc = this.child('c_fc', new Conv1D(inner, C, { generator, std: init ? 0.02 : 0 }));
    this.c_proj = this.child('c_proj', new Conv1D(C, inner, { generator, std: init ? residualStd(config) : 0 }));
  }

  forward(x: Tensor): Tensor {
    const h = activate(this.c_fc.forward(x), this.config.activation);
    return dropout(this.c_proj.forward(h), this.config.residPdrop, this.training, this.generator);
  }
}

/** One pre-LayerNorm block: x + attn(ln_1(x)), then x + mlp(ln_2(x)). */
export class GptBlock extends Module {
  readonly ln_1: LayerNorm;
  readonly attn: GptAttention;
  readonly ln_2: LayerNorm;
  readonly mlp: GptMlp;

  constructor(config: GptConfig, layerIndex: number, generator: Generator, init = true) {
    super();
    this.ln_1 = this.child('ln_1', new LayerNorm(config.nEmbd, config.layerNormEpsilon));
    this.attn = this.child('attn', new GptAttention(config, layerIndex, generator, init));
    this.ln_2 = this.child('ln_2', new LayerNorm(config.nEmbd, config.layerNormEpsilon));
    this.mlp = this.child('mlp', new GptMlp(config, generator, init));
  }

  forward(x: Tensor, options: GptForwardOptions = {}): Tensor {
    const h = x.add(this.attn.forward(this.ln_1.forward(x), options));
    return h.add(this.mlp.forward(this.ln_2.forward(h)));
  }
}

/**
 * The whole model. Its state dict is Hugging Face's `GPT2Model`'s (wte.weight, wpe.weight,
 * h.0.ln_1.weight, h.0.attn.c_attn.weight, …, ln_f.bias): `GPT2LMHeadModel` adds only the prefix
 * `transformer.` and the tied `lm_head.weight` (src/models/gpt/checkpoint.ts reads both forms).
 * Initialization is GPT-2's, from a seeded generator: N(0, 0.02) for embeddings and projections,
 * 0.02/√(2·layers) for the residual projections, zero biases.
 * @example
 * const model = new GptModel(gptConfig({ vocabSize: 300, nPositions: 64, nEmbd: 32, nLayer: 2, nHead: 4 }));
 * const logits = model.forward(ids); // (B, T) int32 → (B, T, V)
 */
export class GptModel extends Module {
  readonly wte: Embedding;
  readonly wpe: Embedding;
  readonly h: ModuleList<GptBlock>;
  readonly ln_f: LayerNorm;
  private readonly generator: Generator;

  /**
   * `init: false` leaves every weight zero, for a model about to load a checkpoint: GPT-2 small's
   * 124M random draws would take seconds for nothing.
   */
  constructor(readonly config: GptConfig, options: { generator?: Generator; init?: boolean } = {}) {
    super();
    const g = options.generator ?? defaultGenerator();
    const init = options.init ?? true;
    this.generator = g;
    // created empty, then drawn at GPT-2's N(0, 0.02) (not nn.Embedding's N(0, 1)) unless a checkpoint follows
    this.wte = this.child('wte', new Embedding(config.vocabSize, config.nEmbd, { skipInit: true }));
    this.wpe = this.child('wpe', new Embedding(config.nPositions, config.nEmbd, { skipInit: true }));
    if (init) {
      normal_(this.wte.weight, 0, 0.02, g);
      normal_(this.wpe.weight, 0, 0.02, g);
    }
    this.h = this.child('h', new ModuleList(Array.from({ length: config.nLayer }, (_, i) => new GptBlock(config, i, g, init))));
    this.ln_f = this.child('ln_f', new LayerNorm(config.nEmbd, config.layerNormEpsilon));
  }

  /** The context: the most positions one sequence may have (cached ones included). */
  get maxPositions(): number {
    return this.config.nPositions;
  }

  /**
   * The final hidden states (B, T, C), after ln_f. `ids` (B, T) int32. With a cache, the T positions
   * follow the cached ones.
   */
  hidden(ids: Tensor, options: GptForwardOptions = {}): Tensor {
    if (ids.ndim !== 2 || ids.dtype !== 'int32') throw new ShapeError(`GPT: expected token ids (B, T) int32, got ${ids.dtype} ${formatShape(ids.shape)}`);
    const T = ids.shape[1];
    const past = options.cache?.position ?? 0;
    if (past + T > this.config.nPositions) {
      throw new ShapeError(`GPT: ${past + T} positions (${past} cached + ${T} new) exceed the context of ${this.config.nPositions} (n_positions)`);
    }
    const positions = new Tensor(Int32Array.from({ length: T }, (_, i) => past + i), [T]);
    let x = this.wte.forward(ids).add(this.wpe.forward(positions)); // (B, T, C) + (T, C)
    x = dropout(x, this.config.embdPdrop, this.training, this.generator);
    for (const block of this.h.items) x = block.forward(x, options);
    if (options.cache) options.cache.position = past + T;
    return this.ln_f.forward(x);
  }

  /** Next-token logits (B, T, V): the hidden states times the token embedding (the tied output layer). */
  forward(ids: Tensor, options: GptForwardOptions = {}): Tensor {
    return linear(this.hidden(ids, options), this.wte.weight);
  }
}
