/**
 * Hugging Face's `Conv1D`, the projection layer of GPT-2: despite the name, a Linear whose weight is
 * stored transposed, (in, out), so y = x·W + b. GPT-2 checkpoints keep every projection (`c_attn`,
 * `c_proj`, `c_fc`) in that layout; a layer of its own keeps the names and shapes identical to theirs,
 * so a downloaded checkpoint loads without transposing anything and a saved one loads in transformers.
 */
import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import { defaultGenerator } from '../util/random.js';
import { linear } from '../ops/nn.js';
import { Module, expectLastDim, type Parameter } from './module.js';
import { normal_ } from './init.js';
import type { InitOptions } from './layers.js';

/**
 * y = x·W + b with W (nx, nf) = (in, out), initialized as Hugging Face's: W ~ N(0, std²) (0.02 by
 * default; 0 gives zeros), b = 0.
 * @example const c_fc = new Conv1D(4 * C, C); c_fc.forward(x) // (B, T, C) → (B, T, 4C)
 */
export class Conv1D extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter;

  /** `nf` outputs from `nx` inputs: Hugging Face's argument order, `Conv1D(nf, nx)`. */
  constructor(readonly nf: number, readonly nx: number, options: InitOptions & { std?: number } = {}) {
    super();
    const std = options.std ?? 0.02;
    // std 0 is zeros without a draw per weight: what a model about to load a checkpoint asks for
    this.weight = this.param('weight', std > 0 ? normal_(zeros([nx, nf]), 0, std, options.generator ?? defaultGenerator()) : zeros([nx, nf]));
    this.bias = this.param('bias', zeros([nf]));
  }

  forward(x: Tensor): Tensor {
    expectLastDim(x, this.nx, 'Conv1D');
    // linear takes W as (out, in): the transposed view of ours costs no copy (matmul reads it as a flag)
    return linear(x, this.weight.transpose(0, 1), this.bias);
  }
}
