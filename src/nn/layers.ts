/** The basic layers: Linear, Embedding, LayerNorm, Dropout, activations, Sequential and ModuleList. */
import { Tensor } from '../tensor/tensor.js';
import { zeros, ones } from '../tensor/create.js';
import { ShapeError } from '../tensor/shape.js';
import { defaultGenerator, type Generator } from '../util/random.js';
import { dropout, embedding, layerNorm, linear, normalizePaddingIdx } from '../ops/nn.js';
import { Module, expectLastDim, type Parameter } from './module.js';
import { kaimingUniform_, normal_, uniform_ } from './init.js';

export interface InitOptions {
  /** Generator for the initial weights (the seeded default when omitted). */
  generator?: Generator;
}

/**
 * y = x Wᵀ + b, with W (out, in) initialized as PyTorch's nn.Linear: U(−1/√in, 1/√in).
 * @example const fc = new Linear(784, 10); const logits = fc.forward(x);
 */
export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: InitOptions & { bias?: boolean } = {}) {
    super();
    const g = options.generator ?? defaultGenerator();
    this.weight = this.param('weight', kaimingUniform_(zeros([outFeatures, inFeatures]), Math.sqrt(5), g));
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.bias = options.bias === false ? null : this.param('bias', uniform_(zeros([outFeatures]), -bound, bound, g));
  }

  forward(x: Tensor): Tensor {
    expectLastDim(x, this.inFeatures, 'Linear');
    return linear(x, this.weight, this.bias);
  }
}

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim`, initialized N(0, 1) as in PyTorch;
 * the row at `paddingIdx` starts at zero.
 * @example new Embedding(vocabSize, dModel).forward(ids) // (B, T) → (B, T, C)
 */
export class Embedding extends Module {
  readonly weight: Parameter;
  /** The row that stays zero and gets no gradient (normalized to 0..V-1), if any. */
  readonly paddingIdx: number | undefined;

  /** `skipInit` leaves the table zero, for a model about to load a checkpoint (GPT-2's 38.6M draws take seconds). */
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: InitOptions & { paddingIdx?: number; skipInit?: boolean } = {}) {
    super();
    const table = zeros([numEmbeddings, embeddingDim]);
    this.weight = this.param('weight', options.skipInit ? table : normal_(table, 0, 1, options.generator ?? defaultGenerator()));
    this.paddingIdx = options.paddingIdx === undefined ? undefined : normalizePaddingIdx(options.paddingIdx, numEmbeddings);
    if (this.paddingIdx !== undefined) this.weight.data.fill(0, this.paddingIdx * embeddingDim, (this.paddingIdx + 1) * embeddingDim);
  }

  forward(ids: Tensor | readonly number[]): Tensor {
    return embedding(this.weight, ids, this.paddingIdx);
  }
}

/** Layer normalization over the last dimensions, with learnable weight (ones) and bias (zeros). */
export class LayerNorm extends Module {
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly normalizedShape: number[];

  constructor(normalizedShape: number | number[], readonly eps = 1e-5, elementwiseAffine = true) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.weight = elementwiseAffine ? this.param('weight', ones(this.normalizedShape)) : null;
    this.bias = elementwiseAffine ? this.param('bias', zeros(this.normalizedShape)) : null;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}

/** Zeroes elements with probability p in training mode (scaling the rest); the identity in eval mode. */
export class Dropout extends Module {
  constructor(readonly p = 0.5, private readonly generator?: Generator) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ShapeError(`Dropout: p must be in [0, 1], got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.generator ?? defaultGenerator());
  }
}

export class ReLU extends Module { forward(x: Tensor): Tensor { return x.relu(); } }
export class GELU extends Module { forward(x: Tensor): Tensor { return x.gelu(); } }
export class Tanh extends Module { forward(x: Tensor): Tensor { return x.tanh(); } }
export class Sigmoid extends Module { forward(x: Tensor): Tensor { return x.sigmoid(); } }

/** A module with a single-tensor forward, as Sequential chains them. */
export interface UnaryModule extends Module {
  forward(x: Tensor): Tensor;
}

/**
 * Runs modules in order; children are named 0, 1, 2, … as in PyTorch.
 * @example const mlp = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1));
 */
export class Sequential extends Module {
  readonly layers: UnaryModule[];

  constructor(...layers: UnaryModule[]) {
    super();
    this.layers = layers.map((m, i) => this.child(String(i), m));
  }

  forward(x: Tensor): Tensor {
    return this.layers.reduce((h, m) => m.forward(h), x);
  }
}

/** A list of modules registered as name.0, name.1, … (PyTorch's nn.ModuleList). */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: M[];

  constructor(items: M[]) {
    super();
    this.items = items.map((m, i) => this.child(String(i), m));
  }

  get length(): number {
    return this.items.length;
  }

  at(i: number): M {
    const m = this.items[i];
    if (!m) throw new ShapeError(`ModuleList: index ${i} out of range for ${this.items.length} modules`);
    return m;
  }
}

