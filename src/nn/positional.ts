/**
 * Where words and positions become vectors (paper §3.4–3.5): token embeddings scaled by √d_model, and
 * the fixed sinusoidal positional encoding added to them.
 */
import { Tensor } from '../tensor/tensor.js';
import { ShapeError, formatShape } from '../tensor/shape.js';
import type { Generator } from '../util/random.js';
import { Module } from './module.js';
import { Dropout, Embedding, type InitOptions } from './layers.js';

/**
 * The sinusoidal table (maxLen, dModel): PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d)).
 * Computed in double precision, stored as `dtype`.
 * @example sinusoidalPositionalEncoding(50, 128) // (50, 128)
 */
export function sinusoidalPositionalEncoding(maxLen: number, dModel: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  const data = dtype === 'float64' ? new Float64Array(maxLen * dModel) : new Float32Array(maxLen * dModel);
  for (let i = 0; i < dModel; i += 2) {
    const freq = Math.exp(-(i / dModel) * Math.log(10000)); // 1 / 10000^(2i/d), with 2i = i here
    for (let p = 0; p < maxLen; p++) {
      data[p * dModel + i] = Math.sin(p * freq);
      if (i + 1 < dModel) data[p * dModel + i + 1] = Math.cos(p * freq);
    }
  }
  return new Tensor(data, [maxLen, dModel]);
}

/**
 * Adds the sinusoidal encoding of positions offset … offset + T − 1 to x (B, T, C), then dropout (as the
 * Annotated Transformer's PositionalEncoding). The table is fixed, so it is not a parameter and stays
 * out of the state dict (PyTorch models register it as a non-persistent buffer or recompute it).
 */
export class PositionalEncoding extends Module {
  /** (maxLen, dModel) */
  readonly pe: Tensor;
  readonly dropout: Dropout;

  constructor(readonly dModel: number, readonly maxLen = 5000, dropout = 0.1, generator?: Generator) {
    super();
    this.pe = sinusoidalPositionalEncoding(maxLen, dModel);
    this.dropout = this.child('dropout', new Dropout(dropout, generator));
  }

  /** x (B, T, C) → x + PE[offset : offset + T], then dropout. */
  forward(x: Tensor, offset = 0): Tensor {
    const T = x.shape[x.ndim - 2];
    if (x.ndim < 2 || x.shape[x.ndim - 1] !== this.dModel) throw new ShapeError(`PositionalEncoding: expected (…, T, ${this.dModel}), got ${formatShape(x.shape)}`);
    if (offset + T > this.maxLen) throw new ShapeError(`PositionalEncoding: positions ${offset}…${offset + T - 1} exceed maxLen ${this.maxLen}`);
    return this.dropout.forward(x.add(this.pe.slice(0, offset, offset + T))); // (B, T, C)
  }
}

/**
 * An Embedding whose output is multiplied by √embeddingDim (paper §3.4). Its parameter is `weight`,
 * as nn.Embedding's, so a model naming it `src_emb` has `src_emb.weight`.
 * @example new TokenEmbedding(vocab, 128).forward(ids) // (B, T) → (B, T, 128)
 */
export class TokenEmbedding extends Embedding {
  readonly scale: number;

  constructor(numEmbeddings: number, embeddingDim: number, options: InitOptions & { paddingIdx?: number } = {}) {
    super(numEmbeddings, embeddingDim, options);
    this.scale = Math.sqrt(embeddingDim);
  }

  override forward(ids: Tensor | readonly number[]): Tensor {
    return super.forward(ids).mul(this.scale); // (…, C)
  }
}
