/**
 * The recurrent modules, as torch.nn.RNN / LSTM / GRU and their one-step cells RNNCell / LSTMCell /
 * GRUCell: PyTorch's parameter names (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, …) and gate
 * order, so a PyTorch state dict loads one-to-one. Each is a kernel from cells.ts plus the shared
 * parameter layout; the sequence runs through runRecurrent (stack.ts).
 */
import type { Tensor } from '../../tensor/tensor.js';
import { zeros } from '../../tensor/create.js';
import { formatShape, ShapeError, sameShape } from '../../tensor/shape.js';
import { defaultGenerator, type Generator } from '../../util/random.js';
import { Module, type Parameter } from '../module.js';
import { uniform_ } from '../init.js';
import type { InitOptions } from '../layers.js';
import { GRU_KERNEL, LSTM_KERNEL, RNN_RELU, RNN_TANH, type CellKernel, type LayerWeights } from './cells.js';
import { runRecurrent, type RecurrentOutput } from './stack.js';
import type { RecurrentState } from './state.js';

// ---------------------------------------------------------------------------------------------
// The shared parameter layouts
// ---------------------------------------------------------------------------------------------

export interface RecurrentOptions extends InitOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input (B, T, in) and output (B, T, H) instead of (T, B, ·) (default false, as PyTorch). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode (default 0). */
  dropout?: number;
}

function checkSizes(name: string, inputSize: number, hiddenSize: number): void {
  if (!Number.isInteger(inputSize) || inputSize < 1 || !Number.isInteger(hiddenSize) || hiddenSize < 1) {
    throw new ShapeError(`${name}: inputSize and hiddenSize must be positive integers, got ${inputSize} and ${hiddenSize}`);
  }
}

/**
 * The parameters of a stacked recurrent layer, named as PyTorch's (weight_ih_l0, weight_hh_l0,
 * bias_ih_l0, bias_hh_l0, …_l1, …) and initialized U(−1/√H, 1/√H) in that order.
 */
export abstract class RecurrentBase extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly layers: LayerWeights[] = [];
  protected readonly generator: Generator;

  constructor(protected readonly kernel: CellKernel, readonly inputSize: number, readonly hiddenSize: number, options: RecurrentOptions = {}) {
    super();
    const name = new.target.name;
    this.numLayers = options.numLayers ?? 1;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    checkSizes(name, inputSize, hiddenSize);
    if (!Number.isInteger(this.numLayers) || this.numLayers < 1) throw new ShapeError(`${name}: numLayers must be a positive integer, got ${this.numLayers}`);
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new ShapeError(`${name}: dropout must be in [0, 1], got ${this.dropout}`);
    this.generator = options.generator ?? defaultGenerator();
    const G = kernel.gates;
    for (let l = 0; l < this.numLayers; l++) {
      const inF = l === 0 ? inputSize : hiddenSize;
      this.layers.push({
        weightIh: this.initParam(`weight_ih_l${l}`, [G * hiddenSize, inF]),
        weightHh: this.initParam(`weight_hh_l${l}`, [G * hiddenSize, hiddenSize]),
        biasIh: this.bias ? this.initParam(`bias_ih_l${l}`, [G * hiddenSize]) : null,
        biasHh: this.bias ? this.initParam(`bias_hh_l${l}`, [G * hiddenSize]) : null,
      });
    }
  }

  private initParam(name: string, shape: number[]): Parameter {
    const k = 1 / Math.sqrt(this.hiddenSize);
    return this.param(name, uniform_(zeros(shape), -k, k, this.generator));
  }

  protected run(x: Tensor, state: RecurrentState | undefined): RecurrentOutput {
    return runRecurrent(this.kernel, x, this.layers, {
      h0: state?.h, c0: state?.c, batchFirst: this.batchFirst, dropout: this.dropout, training: this.training,
      generator: this.generator, name: this.constructor.name,
    });
  }
}

/** A single-step cell's parameters: weight_ih (G·H, in), weight_hh (G·H, H), bias_ih, bias_hh. */
export abstract class CellBase extends Module {
  readonly weightIh: Parameter;
  readonly weightHh: Parameter;
  readonly biasIh: Parameter | null;
  readonly biasHh: Parameter | null;

  constructor(protected readonly kernel: CellKernel, readonly inputSize: number, readonly hiddenSize: number, options: InitOptions & { bias?: boolean } = {}) {
    super();
    checkSizes(new.target.name, inputSize, hiddenSize);
    const g = options.generator ?? defaultGenerator();
    const k = 1 / Math.sqrt(hiddenSize);
    const G = kernel.gates;
    this.weightIh = this.param('weight_ih', uniform_(zeros([G * hiddenSize, inputSize]), -k, k, g));
    this.weightHh = this.param('weight_hh', uniform_(zeros([G * hiddenSize, hiddenSize]), -k, k, g));
    const bias = options.bias ?? true;
    this.biasIh = bias ? this.param('bias_ih', uniform_(zeros([G * hiddenSize]), -k, k, g)) : null;
    this.biasHh = bias ? this.param('bias_hh', uniform_(zeros([G * hiddenSize]), -k, k, g)) : null;
  }

  /** One step through the fused sequence driver (T = 1). x (B, in) or (in); states (B, H) or (H). */
  protected step(x: Tensor, h: Tensor | null | undefined, c: Tensor | null | undefined): { h: Tensor; c: Tensor | null } {
    const name = this.constructor.name;
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`${name}: expected input of shape (B, ${this.inputSize}) or (${this.inputSize}), got ${formatShape(x.shape)}`);
    }
    const unbatched = x.ndim === 1;
    const B = unbatched ? 1 : x.shape[0];
    const shape = unbatched ? [this.hiddenSize] : [B, this.hiddenSize];
    for (const [which, t] of [['h', h], ['c', c]] as const) {
      if (t && !sameShape(t.shape, shape)) throw new ShapeError(`${name}: expected ${which} of shape ${formatShape(shape)}, got ${formatShape(t.shape)}`);
    }
    const lift = (t: Tensor | null | undefined): Tensor | null => (t ? t.reshape([1, B, this.hiddenSize]) : null);
    const r = runRecurrent(this.kernel, x.reshape([1, B, this.inputSize]), [this], { h0: lift(h), c0: lift(c), name });
    return { h: r.h.reshape(shape), c: r.c ? r.c.reshape(shape) : null };
  }
}

// ---------------------------------------------------------------------------------------------
// RNN
// ---------------------------------------------------------------------------------------------

export interface RNNOptions extends RecurrentOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

function rnnKernelFor(nonlinearity: string | undefined, name: string): CellKernel {
  if (nonlinearity === undefined || nonlinearity === 'tanh') return RNN_TANH;
  if (nonlinearity === 'relu') return RNN_RELU;
  throw new ShapeError(`${name}: nonlinearity must be 'tanh' or 'relu', got '${nonlinearity}'`);
}

/**
 * A multi-layer Elman RNN, as torch.nn.RNN: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh).
 * @example
 * const rnn = new RNN(128, 256, { numLayers: 2, batchFirst: true });
 * const { output, h } = rnn.forward(x); // x (B, T, 128) → output (B, T, 256), h (2, B, 256)
 */
export class RNN extends RecurrentBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super(rnnKernelFor(options.nonlinearity, 'RNN'), inputSize, hiddenSize, options);
    this.nonlinearity = options.nonlinearity ?? 'tanh';
  }

  /** x (T, B, in) — (B, T, in) when batchFirst — and an optional initial state h (numLayers, B, H). */
  forward(x: Tensor, state?: RecurrentState): { output: Tensor; h: Tensor } {
    const { output, h } = this.run(x, state);
    return { output, h };
  }
}

/**
 * One step of an Elman RNN, as torch.nn.RNNCell: x (B, in) or (in), h (B, H) (zeros when omitted) → h'.
 * @example let h = cell.forward(x0); h = cell.forward(x1, h);
 */
export class RNNCell extends CellBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options: InitOptions & { bias?: boolean; nonlinearity?: 'tanh' | 'relu' } = {}) {
    super(rnnKernelFor(options.nonlinearity, 'RNNCell'), inputSize, hiddenSize, options);
    this.nonlinearity = options.nonlinearity ?? 'tanh';
  }

  forward(x: Tensor, h?: Tensor | null): Tensor {
    return this.step(x, h, null).h;
  }
}

// ---------------------------------------------------------------------------------------------
// LSTM
// ---------------------------------------------------------------------------------------------

/** An LSTM's result: every output of the last layer and the last h and c of every layer. */
export interface LSTMOutput {
  /** (T, B, H), or (B, T, H) when batchFirst, or (T, H) for an unbatched input. */
  output: Tensor;
  /** (numLayers, B, H). */
  h: Tensor;
  /** (numLayers, B, H). */
  c: Tensor;
}

/**
 * A multi-layer LSTM, as torch.nn.LSTM, gates in PyTorch's order (i, f, g, o).
 * @example
 * const lstm = new LSTM(128, 256, { numLayers: 2, batchFirst: true, dropout: 0.2, generator: new Generator(1) });
 * const { output, h, c } = lstm.forward(x);              // x (B, T, 128) → output (B, T, 256)
 * const next = lstm.forward(x2, detachState({ h, c }));  // carry the state on (truncated BPTT)
 */
export class LSTM extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super(LSTM_KERNEL, inputSize, hiddenSize, options);
  }

  /** x (T, B, in) — (B, T, in) when batchFirst; initial h and c (numLayers, B, H), zeros when omitted. */
  forward(x: Tensor, state?: RecurrentState): LSTMOutput {
    return this.run(x, state) as LSTMOutput;
  }
}

/**
 * One LSTM step, as torch.nn.LSTMCell: x (B, in) or (in); h, c (B, H) (zeros when omitted) → h', c'.
 * @example let s = cell.forward(x0); s = cell.forward(x1, s);
 */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: InitOptions & { bias?: boolean } = {}) {
    super(LSTM_KERNEL, inputSize, hiddenSize, options);
  }

  forward(x: Tensor, state?: RecurrentState): { h: Tensor; c: Tensor } {
    const r = this.step(x, state?.h, state?.c);
    return { h: r.h, c: r.c! };
  }
}

// ---------------------------------------------------------------------------------------------
// GRU
// ---------------------------------------------------------------------------------------------

/**
 * A multi-layer GRU, as torch.nn.GRU, gates in PyTorch's order (r, z, n).
 * @example const { output, h } = new GRU(128, 256, { batchFirst: true }).forward(x);
 */
export class GRU extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super(GRU_KERNEL, inputSize, hiddenSize, options);
  }

  /** x (T, B, in) — (B, T, in) when batchFirst — and an optional initial state h (numLayers, B, H). */
  forward(x: Tensor, state?: RecurrentState): { output: Tensor; h: Tensor } {
    const { output, h } = this.run(x, state);
    return { output, h };
  }
}

/** One GRU step, as torch.nn.GRUCell: x (B, in) or (in), h (B, H) (zeros when omitted) → h'. */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: InitOptions & { bias?: boolean } = {}) {
    super(GRU_KERNEL, inputSize, hiddenSize, options);
  }

  forward(x: Tensor, h?: Tensor | null): Tensor {
    return this.step(x, h, null).h;
  }
}
