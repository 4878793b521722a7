/**
 * The image-and-question model: an image encoder (the ViT's patch embedding and the translator's
 * TransformerEncoder) and a text decoder (the translator's TransformerDecoder) that reads the question
 * and writes the answer, attending to the image patches through its encoder-decoder attention.
 *
 *   scene (B, 56, 56) ─ patchify 7×7 ─► (B, 64, 49) ─ patch_embed ─► + pos_embed ─► encoder ─► memory (B, 64, C)
 *   words ─ tok_emb + dec_pos ─► decoder (masked self-attention over the words so far,
 *                                         cross-attention over the 64 patches) ─► out ─► next word (B, T, V)
 *
 * The decoder's input is the question, left-padded to a fixed length Q, then <sep>, then the answer:
 *   <pad> … <pad> what is this ? <sep> a sneaker . <eos>
 * so every answer starts at position Q + 1 and a batch of questions decodes in step. The loss counts
 * only the answer's words (and <eos>). There is no attention code here (src/nn/transformer.ts has it).
 * Dimension letters: B batch, N patches, C d_model, T words, V vocabulary.
 */
import { Tensor } from '../../tensor/tensor.js';
import { zeros } from '../../tensor/create.js';
import { formatShape, ShapeError } from '../../tensor/shape.js';
import { defaultGenerator, type Generator } from '../../util/random.js';
import { indexSelect } from '../../ops/index-ops.js';
import { crossEntropy } from '../../ops/nn.js';
import { Module, type Parameter } from '../../nn/module.js';
import { Dropout, Embedding, LayerNorm, Linear } from '../../nn/layers.js';
import { normal_ } from '../../nn/init.js';
import { KVCache, causalMask, generateSquareSubsequentMask } from '../../nn/attention.js';
import { TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer, type AttentionRecord } from '../../nn/transformer.js';
import { patchify } from './model.js';
import { BOS, EOS, PAD, SEP, VOCAB, decodeText, encodeText } from './scenes.js';

export interface VqaConfig {
  /** Scene side in pixels (56: a 2×2 grid of 28×28 images). */
  imageSize: number;
  patchSize: number;
  dModel: number;
  nhead: number;
  encoderLayers: number;
  decoderLayers: number;
  dimFeedforward: number;
  dropout: number;
  /** Pixel normalisation x = (byte/255 − mean) / std, as the ViT's. */
  pixelMean: number;
  pixelStd: number;
  /** Q: the longest question in words (shorter ones are left-padded). */
  maxQuestion: number;
  /** A: the longest answer in words, <eos> included. */
  maxAnswer: number;
  /** The words, in id order (the model's vocabulary; checked against the tokenizer's on load). */
  vocab: string[];
}

export const DEFAULT_VQA_CONFIG: VqaConfig = {
  imageSize: 56, patchSize: 7, dModel: 64, nhead: 4, encoderLayers: 4, decoderLayers: 2, dimFeedforward: 128, dropout: 0,
  pixelMean: 0.286, pixelStd: 0.353, maxQuestion: 12, maxAnswer: 24, vocab: [...VOCAB],
};

export function checkVqaConfig(c: VqaConfig, where = 'VQA'): void {
  for (const k of ['imageSize', 'patchSize', 'dModel', 'nhead', 'encoderLayers', 'decoderLayers', 'dimFeedforward', 'maxQuestion', 'maxAnswer'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new Error(`${where}: ${k} must be a positive integer, got ${JSON.stringify(c[k])}`);
  }
  if (c.imageSize % c.patchSize !== 0) throw new Error(`${where}: patchSize ${c.patchSize} does not divide imageSize ${c.imageSize}`);
  if (c.dModel % c.nhead !== 0) throw new Error(`${where}: dModel ${c.dModel} is not divisible by nhead ${c.nhead}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error(`${where}: dropout must be in [0, 1), got ${c.dropout}`);
  if (!Array.isArray(c.vocab) || c.vocab.join('\n') !== VOCAB.join('\n')) throw new Error(`${where}: the vocabulary differs from this version's question and answer words`);
}

/** A question (and, to train, its answer) as decoder input and target rows of length Q + 1 + A. */
export interface EncodedQA {
  input: number[];
  target: number[];
}

/** Ids of a question left-padded to Q, then <sep>; with an answer, its words, <eos>, and the next-word targets. */
export function encodeQA(config: VqaConfig, questionIds: readonly number[], answerIds?: readonly number[]): EncodedQA {
  const { maxQuestion: Q, maxAnswer: A } = config;
  if (questionIds.length > Q) throw new Error(`the question has ${questionIds.length} words; the model reads at most ${Q}`);
  const prefix = [...Array(Q - questionIds.length).fill(PAD), ...questionIds, SEP];
  if (!answerIds) return { input: prefix, target: Array(prefix.length).fill(PAD) };
  if (answerIds.length + 1 > A) throw new Error(`the answer has ${answerIds.length} words; the model writes at most ${A - 1}`);
  const row = [...prefix, ...answerIds, EOS];
  // next-word targets: nothing to learn inside the question
  const target = row.slice(1).map((id, i) => (i >= Q ? id : PAD));
  return { input: row.slice(0, -1), target };
}

/**
 * @example
 * const vqa = new VqaModel(DEFAULT_VQA_CONFIG);
 * const [answer] = vqa.answer(sceneTensor, ['What is in the top left?'], [0]); // 'A sneaker.'
 */
export class VqaModel extends Module {
  readonly patch_embed: Linear;
  readonly pos_embed: Parameter;
  readonly encoder: TransformerEncoder;
  readonly tok_emb: Embedding;
  readonly dec_pos: Parameter;
  readonly drop: Dropout;
  readonly decoder: TransformerDecoder;
  readonly out: Linear;
  readonly numPatches: number;

  constructor(readonly config: VqaConfig, options: { generator?: Generator } = {}) {
    super();
    checkVqaConfig(config);
    const g = options.generator ?? defaultGenerator();
    const { patchSize: p, imageSize, dModel: C } = config;
    this.numPatches = (imageSize / p) ** 2;
    this.patch_embed = this.child('patch_embed', new Linear(p * p, C, { generator: g }));
    this.pos_embed = this.param('pos_embed', normal_(zeros([1, this.numPatches, C]), 0, 0.02, g));
    // pre-LN with GELU as the ViT: the image encoder's modules and names are the ViT's, so its weights warm-start this one
    const layer = { dimFeedforward: config.dimFeedforward, dropout: config.dropout, activation: 'gelu' as const, normFirst: true, generator: g };
    this.encoder = this.child('encoder', new TransformerEncoder(() => new TransformerEncoderLayer(C, config.nhead, layer), config.encoderLayers, new LayerNorm(C)));
    this.tok_emb = this.child('tok_emb', new Embedding(config.vocab.length, C, { generator: g }));
    normal_(this.tok_emb.weight, 0, 0.02, g);
    this.dec_pos = this.param('dec_pos', normal_(zeros([1, config.maxQuestion + config.maxAnswer, C]), 0, 0.02, g));
    this.drop = this.child('drop', new Dropout(config.dropout, g));
    this.decoder = this.child('decoder', new TransformerDecoder(() => new TransformerDecoderLayer(C, config.nhead, layer), config.decoderLayers, new LayerNorm(C)));
    this.out = this.child('out', new Linear(C, config.vocab.length, { generator: g }));
  }

  /** Normalised scenes (B, H, W) → the patches' encodings (B, N, C). */
  encode(images: Tensor, record?: AttentionRecord): Tensor {
    const { imageSize, patchSize } = this.config;
    if (images.ndim !== 3 || images.shape[1] !== imageSize || images.shape[2] !== imageSize) {
      throw new ShapeError(`VqaModel: expected images (B, ${imageSize}, ${imageSize}), got ${formatShape(images.shape)}`);
    }
    const x = this.patch_embed.forward(patchify(images, patchSize)); // (B, N, C)
    return this.encoder.forward(this.drop.forward(x.add(this.pos_embed)), { record });
  }

  /** Words (B, T) at positions past…past+T−1 → decoder input (B, T, C). */
  private embedWords(ids: Tensor, past: number): Tensor {
    const T = ids.shape[1];
    return this.drop.forward(this.tok_emb.forward(ids).add(this.dec_pos.slice(1, past, past + T)));
  }

  /**
   * Teacher-forced next-word logits: memory (S, N, C) of S scenes, `rows` (B, T) decoder inputs, `sceneOf`
   * (B) the scene each row asks about → (B, T, V). Several questions share one encoded scene.
   */
  decode(memory: Tensor, rows: Tensor, sceneOf: readonly number[], record?: AttentionRecord): Tensor {
    const mem = indexSelect(memory, 0, sceneOf); // (B, N, C)
    const T = rows.shape[1];
    const h = this.decoder.forward(this.embedWords(rows, 0), mem, { tgtMask: generateSquareSubsequentMask(T), record });
    return this.out.forward(h); // (B, T, V)
  }

  /** Mean cross-entropy over the answers' words: logits (B, T, V), targets (B, T) with PAD elsewhere. */
  loss(logits: Tensor, targets: Tensor): Tensor {
    const V = logits.shape[2];
    return crossEntropy(logits.reshape([-1, V]), targets.reshape([-1]), { ignoreIndex: PAD });
  }

  /**
   * Greedy answers (word ids, without <eos>) to questions about scenes, with a KV cache: the prefix
   * (question and <sep>) in one pass, then one word at a time until every row wrote <eos>.
   * `record.perWord` receives, per generated word, each decoder layer's cross-attention (B, 1, N) (heads
   * averaged); `record.probs` each row's probability of each word it chose.
   */
  greedy(memory: Tensor, prefixes: readonly (readonly number[])[], sceneOf: readonly number[], record?: { perWord: Tensor[][]; probs?: number[][] }): number[][] {
    const B = prefixes.length;
    const P = prefixes[0]?.length ?? 0;
    if (prefixes.some((p) => p.length !== P)) throw new ShapeError('VqaModel.greedy: every prefix must have the same length (left-pad the questions)');
    const mem = indexSelect(memory, 0, sceneOf);
    const cache = new KVCache();
    const out: number[][] = Array.from({ length: B }, () => []);
    const done = new Array<boolean>(B).fill(false);
    let ids = new Tensor(Int32Array.from(prefixes.flat()), [B, P]);
    // at most A − 1 words: the answer and its <eos> fit the position table
    for (let step = 0; step < this.config.maxAnswer - 1; step++) {
      const past = cache.position;
      const T = ids.shape[1];
      const rec: AttentionRecord | undefined = record ? { self: [], cross: [] } : undefined;
      const h = this.decoder.forward(this.embedWords(ids, past), mem, { tgtMask: T > 1 ? causalMask(T, past + T) : null, cache, record: rec });
      cache.position = past + T;
      const logits = this.out.forward(h.slice(1, T - 1, T)); // (B, 1, V)
      if (rec && record) record.perWord.push(rec.cross.map((layer) => layer.slice(1, T - 1, T))); // per layer (B, 1, N)
      const next = Array.from(logits.argmax(2).contiguousData(), Number);
      if (record?.probs) {
        // how sure the model was of each word it chose: what a user can read its doubt from
        const p = logits.softmax(2).contiguousData();
        const V = this.config.vocab.length;
        for (let b = 0; b < B; b++) if (!done[b]) (record.probs[b] ??= []).push(Number(p[b * V + next[b]]));
      }
      for (let b = 0; b < B; b++) {
        if (done[b]) continue;
        if (next[b] === EOS) done[b] = true;
        else out[b].push(next[b]);
      }
      if (done.every(Boolean)) break;
      ids = new Tensor(Int32Array.from(next), [B, 1]);
    }
    return out;
  }

  /** Answers to questions (text) about normalised scenes (S, H, W); `sceneOf[i]` is question i's scene. */
  answer(images: Tensor, questions: readonly string[], sceneOf: readonly number[]): string[] {
    const memory = this.encode(images);
    const prefixes = questions.map((q) => encodeQA(this.config, encodeText(q)).input);
    return this.greedy(memory, prefixes, sceneOf).map((ids) => decodeText(ids));
  }
}

/**
 * Warm start: the image encoder takes a trained ViT's patch embedding and encoder layers (same names),
 * and its positions tile the ViT's 28×28 grid over each quarter of the scene. Returns the names copied.
 */
export function warmStartFromVit(vqa: VqaModel, vit: Map<string, Tensor> | Record<string, Tensor>, vitImageSize: number, generator: Generator = defaultGenerator()): string[] {
  const dict = vit instanceof Map ? vit : new Map(Object.entries(vit));
  const own = new Map(vqa.namedParameters());
  const copied: string[] = [];
  for (const [name, t] of dict) {
    if (!(name.startsWith('patch_embed.') || name.startsWith('encoder.'))) continue;
    const p = own.get(name);
    if (!p) throw new Error(`warm start: the ViT has ${name} but the VQA encoder does not (fewer encoder layers?)`);
    if (p.shape.join() !== t.shape.join()) throw new Error(`warm start: ${name} is ${formatShape(t.shape)} in the ViT but ${formatShape(p.shape)} here (d_model, patch size or feed-forward width differ)`);
    p.data.set(t.contiguousData() as Float32Array);
    copied.push(name);
  }
  const pos = dict.get('pos_embed');
  const side = vqa.config.imageSize / vqa.config.patchSize;
  const vitSide = vitImageSize / vqa.config.patchSize;
  if (pos && pos.shape[1] === vitSide * vitSide && pos.shape[2] === vqa.config.dModel) {
    const src = pos.contiguousData() as Float32Array;
    const C = vqa.config.dModel;
    const dst = vqa.pos_embed.data as Float32Array;
    // tiled, the ViT's positions say where a patch is within its quarter but not which quarter, and a
    // position question is about the quarter: one random vector per quarter, as large as the ViT's
    // positions, tells the quarters apart from the first step
    let sq = 0;
    for (const v of src) sq += v * v;
    const spread = Math.sqrt(sq / src.length);
    const quarter = Array.from({ length: 4 }, () => Array.from({ length: C }, () => spread * generator.normal()));
    const half = side / 2;
    for (let r = 0; r < side; r++) for (let c = 0; c < side; c++) {
      const from = ((r % vitSide) * vitSide + (c % vitSide)) * C;
      const q = quarter[(r >= half ? 2 : 0) + (c >= half ? 1 : 0)];
      const to = (r * side + c) * C;
      for (let k = 0; k < C; k++) dst[to + k] = src[from + k] + q[k];
    }
    copied.push('pos_embed');
  }
  return copied;
}
