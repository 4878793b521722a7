/**
 * Stacked recurrent layers as one function, as torch's _VF.rnn_tanh / lstm / gru: per layer the input
 * projection of all time steps is one matmul, (T·B, in) @ W_ihᵀ + b → (T, B, G·H), then the layer
 * loop (layer.ts) walks the time steps; dropout sits between layers.
 */
import type { Tensor } from '../../tensor/tensor.js';
import { formatShape, ShapeError, sameShape } from '../../tensor/shape.js';
import type { DType } from '../../tensor/dtype.js';
import { defaultGenerator, type Generator } from '../../util/random.js';
import { dropout, linear } from '../../ops/nn.js';
import { stack } from '../../ops/index-ops.js';
import type { CellKernel, LayerWeights } from './cells.js';
import { recurrentLayer, type LayerResult } from './layer.js';
import { checkState, layerState, type StateShape } from './state.js';

export interface RecurrentRunOptions {
  /** Initial hidden state (numLayers, B, H) — (numLayers, H) for an unbatched input; zeros when omitted. */
  h0?: Tensor | null;
  /** Initial cell state (LSTM only), same shape as h0. */
  c0?: Tensor | null;
  /** Input (B, T, in) and output (B, T, H) instead of (T, B, ·). Default false, as PyTorch. */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last (only when `training`). */
  dropout?: number;
  training?: boolean;
  /** Generator of the dropout masks. */
  generator?: Generator;
  /** The layer's name in error messages (default the kernel's mode). */
  name?: string;
}

/** A recurrent layer's result. `output` has every time step of the last layer; `h`, `c` the last state of every layer. */
export interface RecurrentOutput {
  /** (T, B, H), or (B, T, H) when batchFirst, or (T, H) for an unbatched input. */
  output: Tensor;
  /** (numLayers, B, H), or (numLayers, H) for an unbatched input. */
  h: Tensor;
  /** The cell state, like h (LSTM only). */
  c?: Tensor;
}

/**
 * A multi-layer recurrent network over a sequence.
 * @example const { output, h } = runRecurrent(RNN_TANH, x, layers, { batchFirst: true })
 */
export function runRecurrent(kernel: CellKernel, x: Tensor, layers: readonly LayerWeights[], options: RecurrentRunOptions = {}): RecurrentOutput {
  const name = options.name ?? kernel.mode;
  const batchFirst = options.batchFirst ?? false;
  if (layers.length === 0) throw new ShapeError(`${name}: needs at least one layer`);
  const inputSize = layers[0].weightIh.shape[1];
  const H = layers[0].weightHh.shape[1];
  const { x3, unbatched, B } = checkInput(name, x, inputSize, batchFirst);
  const shape: StateShape = { name, numLayers: layers.length, B, H, unbatched };
  if (options.c0 && !kernel.hasCell) throw new ShapeError(`${name}: has no cell state, but c0 was given`);
  const h0 = checkState(options.h0, 'h0', shape);
  const c0 = kernel.hasCell ? checkState(options.c0, 'c0', shape) : null;
  layers.forEach((w, l) => checkLayerWeights(name, kernel, w, l, l === 0 ? inputSize : H, H));
  const dtype = pickDType([x, h0, c0, ...layers.flatMap((l) => [l.weightIh, l.weightHh, l.biasIh, l.biasHh])]);
  const p = options.training ? options.dropout ?? 0 : 0;

  let input = x3.to(dtype);
  const results: LayerResult[] = [];
  for (let l = 0; l < layers.length; l++) {
    const r = runLayer(kernel, input, layers[l], layerState(h0, l, B, H, dtype), kernel.hasCell ? layerState(c0, l, B, H, dtype) : null, batchFirst);
    results.push(r);
    input = r.output;
    if (l < layers.length - 1 && p > 0) input = dropout(input, p, true, options.generator ?? defaultGenerator());
  }
  return lastStates(input, results, unbatched, batchFirst);
}

/** x as (T, B, in) or (B, T, in): an unbatched (T, in) input gets a batch axis of 1. */
function checkInput(name: string, x: Tensor, inputSize: number, batchFirst: boolean): { x3: Tensor; unbatched: boolean; B: number } {
  const layout = batchFirst ? '(B, T, input_size)' : '(T, B, input_size)';
  if (x.dtype === 'int32') throw new ShapeError(`${name}: expected a float input, got int32 of shape ${formatShape(x.shape)}`);
  if ((x.ndim !== 3 && x.ndim !== 2) || x.shape[x.ndim - 1] !== inputSize) {
    throw new ShapeError(`${name}: expected input of shape ${layout.replace('input_size', String(inputSize))} or (T, ${inputSize}) unbatched, got ${formatShape(x.shape)}`);
  }
  const unbatched = x.ndim === 2;
  const x3 = unbatched ? x.unsqueeze(batchFirst ? 0 : 1) : x;
  const T = batchFirst ? x3.shape[1] : x3.shape[0];
  if (T === 0) throw new ShapeError(`${name}: the input has no time steps (shape ${formatShape(x.shape)})`);
  return { x3, unbatched, B: batchFirst ? x3.shape[0] : x3.shape[1] };
}

function checkLayerWeights(name: string, kernel: CellKernel, w: LayerWeights, l: number, inF: number, H: number): void {
  const GH = kernel.gates * H;
  if (!sameShape(w.weightIh.shape, [GH, inF]) || !sameShape(w.weightHh.shape, [GH, H])) {
    throw new ShapeError(`${name}: layer ${l} expects weight_ih (${GH}, ${inF}) and weight_hh (${GH}, ${H}), got ${formatShape(w.weightIh.shape)} and ${formatShape(w.weightHh.shape)}`);
  }
}

function pickDType(ts: readonly (Tensor | null | undefined)[]): DType {
  return ts.some((t) => t && t.dtype === 'float64') ? 'float64' : 'float32';
}

/** One layer: the input projection of every time step in one matmul, then the loop over time. */
function runLayer(kernel: CellKernel, input: Tensor, w: LayerWeights, h0: Tensor, c0: Tensor | null, batchFirst: boolean): LayerResult {
  const dtype = input.dtype;
  const wIh = w.weightIh.to(dtype);
  const wHh = w.weightHh.to(dtype);
  const bIh = w.biasIh ? w.biasIh.to(dtype) : null;
  const bHh = w.biasHh ? w.biasHh.to(dtype) : null;
  let bias = bIh;
  if (kernel.foldHiddenBias && bHh) bias = bias ? bias.add(bHh) : bHh;
  const xp = linear(input, wIh, bias).contiguous(); // (T, B, G·H) or (B, T, G·H)
  return recurrentLayer(kernel, xp, h0, c0, wHh, kernel.foldHiddenBias ? null : bHh, batchFirst);
}

/** The last layer's output and every layer's last states, stacked (numLayers, B, H); unbatched again when the input was. */
function lastStates(output: Tensor, results: readonly LayerResult[], unbatched: boolean, batchFirst: boolean): RecurrentOutput {
  let h = stack(results.map((r) => r.h), 0);
  let c = results[0].c ? stack(results.map((r) => r.c!), 0) : undefined;
  if (unbatched) {
    output = output.squeeze(batchFirst ? 0 : 1);
    h = h.squeeze(1);
    c = c?.squeeze(1);
  }
  return c ? { output, h, c } : { output, h };
}
