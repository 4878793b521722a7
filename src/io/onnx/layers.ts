/**
 * The Transformer pieces both exported models are made of, as ONNX nodes that compute what llmcore's
 * modules compute, in the same order (q is scaled by 1/√D before q·kᵀ, as src/nn/attention.ts does),
 * so the graphs' logits match llmcore's to float32 rounding.
 *
 * Dimension letters: B batch, T new positions, S positions attended, C width, H heads, D = C / H.
 */
import type { Tensor } from '../../tensor/tensor.js';
import { MASKED } from '../../nn/attention.js';
import type { GraphBuilder } from './graph.js';

/** A parameter's values as float32 (weights are stored so in every llmcore model). */
export function f32(t: Tensor): Float32Array {
  const d = t.contiguousData();
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
}

/** W (out, in) → Wᵀ (in, out), so that MatMul(x, Wᵀ) is PyTorch's linear. */
export function transposed(w: Float32Array, out: number, inF: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let o = 0; o < out; o++) for (let i = 0; i < inF; i++) t[i * out + o] = w[o * inF + i];
  return t;
}

/** Builds the shared pieces over one graph. */
export class Layers {
  constructor(readonly g: GraphBuilder, readonly heads: number, readonly width: number) {}

  get headDim(): number {
    return this.width / this.heads;
  }

  /** x (…, in) · W (in, out) + b: `wIn` is already (in, out) (PyTorch's weight transposed, or a Conv1D's). */
  matmulBias(x: string, wName: string, w: Float32Array, inF: number, outF: number, bName: string | null, b: Float32Array | null): string {
    const y = this.g.op('MatMul', [x, this.g.weight(wName, w, [inF, outF])]);
    return b && bName ? this.g.op('Add', [y, this.g.weight(bName, b, [outF])]) : y;
  }

  /** PyTorch's linear: `w` (out, in) as stored in a state dict. */
  linear(x: string, name: string, w: Float32Array, b: Float32Array | null, outF: number, inF: number): string {
    return this.matmulBias(x, `${name}.weight`, transposed(w, outF, inF), inF, outF, `${name}.bias`, b);
  }

  layerNorm(x: string, name: string, weight: Tensor, bias: Tensor | null, eps: number): string {
    const C = weight.shape[0];
    const inputs = [x, this.g.weight(`${name}.weight`, f32(weight), [C])];
    if (bias) inputs.push(this.g.weight(`${name}.bias`, f32(bias), [C]));
    return this.g.op('LayerNormalization', inputs, { axis: { int: -1 }, epsilon: { float: eps } });
  }

  /** (B, L, C) → (B, H, L, D). */
  splitHeads(x: string): string {
    const r = this.g.op('Reshape', [x, this.g.ints([0, 0, this.heads, this.headDim])]);
    return this.g.op('Transpose', [r], { perm: { ints: [0, 2, 1, 3] } });
  }

  /** (B, H, L, D) → (B, L, C). */
  mergeHeads(x: string): string {
    const t = this.g.op('Transpose', [x], { perm: { ints: [0, 2, 1, 3] } });
    return this.g.op('Reshape', [t, this.g.ints([0, 0, this.width])]);
  }

  /** (B, L, n·C) → n tensors (B, L, C) along the last axis. */
  split(x: string, n: number): string[] {
    return this.g.opN('Split', [x, this.g.ints(Array(n).fill(this.width))], n, { axis: { int: -1 } });
  }

  /**
   * softmax(q·kᵀ·scale + mask)·v: q (B, H, T, D), k and v (B, H, S, D), `mask` additive and
   * broadcasting to (B, H, T, S) or null. `qScale` multiplies q first (1/√D, times GPT's optional 1/(layer+1)).
   */
  attend(q: string, k: string, v: string, mask: string | null, qScales: number[]): string {
    let qs = q;
    for (const s of qScales) qs = this.g.op('Mul', [qs, this.g.scalar(s)]);
    const kt = this.g.op('Transpose', [k], { perm: { ints: [0, 1, 3, 2] } });
    let scores = this.g.op('MatMul', [qs, kt]); // (B, H, T, S)
    if (mask) scores = this.g.op('Add', [scores, mask]);
    const weights = this.g.op('Softmax', [scores], { axis: { int: -1 } });
    return this.g.op('MatMul', [weights, v]); // (B, H, T, D)
  }

  /** The activation of a feed-forward network. */
  activation(x: string, kind: 'relu' | 'gelu' | 'gelu_tanh' | 'tanh'): string {
    const g = this.g;
    switch (kind) {
      case 'relu': return g.op('Relu', [x]);
      case 'tanh': return g.op('Tanh', [x]);
      case 'gelu': {
        // 0.5·x·(1 + erf(x/√2)): opset 17 has no Gelu (it came in opset 20)
        const e = g.op('Erf', [g.op('Mul', [x, g.scalar(Math.SQRT1_2)])]);
        return g.op('Mul', [g.op('Mul', [x, g.scalar(0.5)]), g.op('Add', [e, g.scalar(1)])]);
      }
      case 'gelu_tanh': {
        // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), GPT-2's gelu_new
        const x3 = g.op('Mul', [g.op('Mul', [x, x]), x]);
        const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [x3, g.scalar(0.044715)])]), g.scalar(Math.sqrt(2 / Math.PI))]);
        return g.op('Mul', [g.op('Mul', [x, g.scalar(0.5)]), g.op('Add', [g.op('Tanh', [inner]), g.scalar(1)])]);
      }
    }
  }

  /** Dimension `axis` of `x`'s shape as a 1-element int64 tensor. */
  dim(x: string, axis: number): string {
    return this.g.op('Gather', [this.g.op('Shape', [x]), this.g.ints([axis])], { axis: { int: 0 } });
  }

  /**
   * The causal mask of T new positions after `past` earlier ones: (T, past + T), 0 where query i may
   * see key j (j ≤ past + i), MASKED (−1e9, as llmcore's boolean masks) above. One new token sees
   * every key: the mask is then all zeros, which adds nothing.
   */
  causalMask(past: string, T: string): string {
    const g = this.g;
    const scalar = (v: string): string => g.op('Squeeze', [v, g.ints([0])]);
    const end = g.op('Add', [past, T]);
    const rows = g.op('Range', [scalar(past), scalar(end), g.ints([1], [])]); // (T,) absolute positions of the queries
    const cols = g.op('Range', [g.ints([0], []), scalar(end), g.ints([1], [])]); // (S,)
    const future = g.op('Greater', [g.op('Unsqueeze', [cols, g.ints([0])]), g.op('Unsqueeze', [rows, g.ints([1])])]); // (T, S)
    return g.op('Where', [future, g.scalar(MASKED), g.scalar(0)]);
  }

  /** Rows `from` … `from + count` of a (rows, C) table: positions `past` … of a positional table. */
  rows(table: string, from: string, count: string): string {
    return this.g.op('Slice', [table, from, this.g.op('Add', [from, count]), this.g.ints([0])]);
  }
}
