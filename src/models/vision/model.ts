/**
 * The Vision Transformer (Dosovitskiy et al. 2020, "An Image is Worth 16x16 Words"): the image is a
 * sentence of patches.
 *
 *   image (B, H, W) ─ cut into N = (H/p)·(W/p) patches of p·p pixels ─► (B, N, p²)
 *     ─ patch_embed (Linear p² → C): each patch is embedded like a word ─► (B, N, C)
 *     ─ [CLS] token in front (pool 'cls'), + pos_embed (learned positions) ─► (B, N(+1), C)
 *     ─ the translator's TransformerEncoder (src/nn/transformer.ts), final LayerNorm ─► (B, N(+1), C)
 *     ─ the [CLS] position, or the mean over patches (pool 'mean') ─► (B, C) ─ head (Linear) ─► logits (B, K)
 *
 * There is no attention code here: the encoder is the same module the translator and the word LM use.
 * Pixels enter as bytes (0 = background, 255 = object) and are normalised inside `normalize`, so a model
 * directory carries its own preprocessing.
 * Dimension letters: B batch, H×W image, p patch side, N patches, C d_model, K classes.
 */
import { Tensor } from '../../tensor/tensor.js';
import { zeros } from '../../tensor/create.js';
import { formatShape, ShapeError } from '../../tensor/shape.js';
import { defaultGenerator, type Generator } from '../../util/random.js';
import { concat } from '../../ops/index-ops.js';
import { crossEntropy } from '../../ops/nn.js';
import { Module, type Parameter } from '../../nn/module.js';
import { Dropout, LayerNorm, Linear } from '../../nn/layers.js';
import { normal_ } from '../../nn/init.js';
import { TransformerEncoder, TransformerEncoderLayer, type AttentionRecord } from '../../nn/transformer.js';

export const VIT_POOLS = ['cls', 'mean'] as const;
export type VitPool = (typeof VIT_POOLS)[number];

export interface VitConfig {
  /** Image height and width in pixels (Fashion-MNIST: 28). */
  imageSize: number;
  /** p: the side of a square patch; must divide imageSize. */
  patchSize: number;
  numClasses: number;
  /** C */
  dModel: number;
  nhead: number;
  numLayers: number;
  dimFeedforward: number;
  dropout: number;
  /** 'cls': a learned [CLS] token's output classifies; 'mean': the mean of the patches' outputs does. */
  pool: VitPool;
  /** Pixel normalisation: x = (byte/255 − mean) / std (the training set's statistics). */
  pixelMean: number;
  pixelStd: number;
  labelSmoothing: number;
}

export const DEFAULT_VIT_CONFIG: VitConfig = {
  imageSize: 28, patchSize: 4, numClasses: 10, dModel: 64, nhead: 4, numLayers: 4, dimFeedforward: 128, dropout: 0.1, pool: 'mean',
  pixelMean: 0.2860, pixelStd: 0.3530, labelSmoothing: 0,
};

/** Checks a config's sizes (every message names the field). */
export function checkVitConfig(c: VitConfig, where = 'ViT'): void {
  for (const k of ['imageSize', 'patchSize', 'numClasses', 'dModel', 'nhead', 'numLayers', 'dimFeedforward'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new Error(`${where}: ${k} must be a positive integer, got ${JSON.stringify(c[k])}`);
  }
  if (c.imageSize % c.patchSize !== 0) throw new Error(`${where}: patchSize ${c.patchSize} does not divide imageSize ${c.imageSize}`);
  if (c.dModel % c.nhead !== 0) throw new Error(`${where}: dModel ${c.dModel} is not divisible by nhead ${c.nhead}`);
  if (!(VIT_POOLS as readonly string[]).includes(c.pool)) throw new Error(`${where}: pool must be one of ${VIT_POOLS.join(', ')}, got ${JSON.stringify(c.pool)}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error(`${where}: dropout must be in [0, 1), got ${c.dropout}`);
  if (!(c.pixelStd > 0) || !Number.isFinite(c.pixelMean)) throw new Error(`${where}: pixelMean must be finite and pixelStd > 0`);
}

/**
 * Cuts images into non-overlapping p×p patches, each flattened row by row:
 * (B, H, W) → (B, (H/p)·(W/p), p·p), patches in reading order (left to right, top to bottom).
 * A view and a copy, differentiable.
 */
export function patchify(images: Tensor, p: number): Tensor {
  if (images.ndim !== 3) throw new ShapeError(`patchify: expected images (B, H, W), got ${formatShape(images.shape)}`);
  const [B, H, W] = images.shape;
  if (H % p !== 0 || W % p !== 0) throw new ShapeError(`patchify: patch size ${p} does not divide the image ${H}×${W}`);
  return images.reshape([B, H / p, p, W / p, p]).permute(0, 1, 3, 2, 4).reshape([B, (H / p) * (W / p), p * p]);
}

/** Bytes (0–255) of `count` images starting at image `start` (or at the listed indices) → a normalised float tensor (B, H, W). */
export function imagesToTensor(pixels: Uint8Array, indices: readonly number[], size: number, mean: number, std: number, flip?: readonly boolean[]): Tensor {
  const n = size * size;
  const out = new Float32Array(indices.length * n);
  const scale = 1 / (255 * std);
  const shift = mean / std;
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b] * n;
    const dst = b * n;
    if (flip?.[b]) {
      for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) out[dst + r * size + c] = pixels[src + r * size + (size - 1 - c)] * scale - shift;
    } else {
      for (let i = 0; i < n; i++) out[dst + i] = pixels[src + i] * scale - shift;
    }
  }
  return new Tensor(out, [indices.length, size, size]);
}

/**
 * @example
 * const vit = new VisionTransformer({ ...DEFAULT_VIT_CONFIG, dModel: 32 });
 * const logits = vit.forward(imagesToTensor(pixels, [0, 1], 28, vit.config.pixelMean, vit.config.pixelStd)); // (2, 10)
 */
export class VisionTransformer extends Module {
  readonly patch_embed: Linear;
  readonly cls_token: Parameter | null;
  readonly pos_embed: Parameter;
  readonly pos_drop: Dropout;
  readonly encoder: TransformerEncoder;
  readonly head: Linear;
  readonly numPatches: number;

  constructor(readonly config: VitConfig, options: { generator?: Generator } = {}) {
    super();
    checkVitConfig(config);
    const g = options.generator ?? defaultGenerator();
    const { patchSize: p, imageSize, dModel: C } = config;
    this.numPatches = (imageSize / p) ** 2;
    this.patch_embed = this.child('patch_embed', new Linear(p * p, C, { generator: g }));
    // ViT's (and timm's) initialisation of the learned tokens: N(0, 0.02²)
    this.cls_token = config.pool === 'cls' ? this.param('cls_token', normal_(zeros([1, 1, C]), 0, 0.02, g)) : null;
    this.pos_embed = this.param('pos_embed', normal_(zeros([1, this.numPatches + (config.pool === 'cls' ? 1 : 0), C]), 0, 0.02, g));
    this.pos_drop = this.child('pos_drop', new Dropout(config.dropout, g));
    // pre-LN (normFirst) with GELU, as ViT: post-LN stacks train poorly from scratch without a long warmup
    const layerOptions = { dimFeedforward: config.dimFeedforward, dropout: config.dropout, activation: 'gelu' as const, normFirst: true, generator: g };
    this.encoder = this.child('encoder', new TransformerEncoder(() => new TransformerEncoderLayer(C, config.nhead, layerOptions), config.numLayers, new LayerNorm(C)));
    this.head = this.child('head', new Linear(C, config.numClasses, { generator: g }));
  }

  /** Normalised images (B, H, W) → the encoder's output (B, N(+1), C). */
  encode(images: Tensor, record?: AttentionRecord): Tensor {
    const { imageSize, patchSize } = this.config;
    if (images.ndim !== 3 || images.shape[1] !== imageSize || images.shape[2] !== imageSize) {
      throw new ShapeError(`VisionTransformer: expected images (B, ${imageSize}, ${imageSize}), got ${formatShape(images.shape)}`);
    }
    const B = images.shape[0];
    let x = this.patch_embed.forward(patchify(images, patchSize)); // (B, N, C)
    if (this.cls_token) x = concat([this.cls_token.expand([B, 1, this.config.dModel]), x], 1); // (B, N+1, C)
    x = this.pos_drop.forward(x.add(this.pos_embed));
    return this.encoder.forward(x, { record });
  }

  /** Normalised images (B, H, W) → class logits (B, K). */
  forward(images: Tensor, record?: AttentionRecord): Tensor {
    const h = this.encode(images, record);
    const pooled = this.cls_token ? h.slice(1, 0, 1).reshape([h.shape[0], this.config.dModel]) : h.mean(1); // (B, C)
    return this.head.forward(pooled);
  }

  loss(logits: Tensor, labels: Tensor | readonly number[]): Tensor {
    return crossEntropy(logits, labels, { labelSmoothing: this.config.labelSmoothing });
  }
}
