/**
 * The GPT (src/models/gpt, GPT-2's layout) as one ONNX graph that serves both the prompt (prefill:
 * past_len 0, the whole prompt as new tokens) and each generated token (one new token and the
 * keys/values of all earlier ones):
 *
 *   model.onnx  input_ids (batch, new_len) int64, past.N.key / past.N.value (batch, heads, past_len, head_dim)
 *               → logits (batch, new_len, vocab), present.N.key / present.N.value (batch, heads, past_len + new_len, head_dim)
 *
 * The new tokens sit at positions past_len … (past_len + new_len ≤ n_positions, which the caller keeps);
 * several new tokens get the causal mask. Every row of a batch has the same length (no padding mask).
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { GptModel } from '../../models/gpt/model.js';
import { innerWidth, type GptActivation } from '../../models/gpt/config.js';
import { GraphBuilder } from './graph.js';
import { f32, Layers } from './layers.js';
import type { OnnxExportOptions } from './translator.js';

/** Names of the GPT graph's inputs and outputs (layer N from 0). */
export const GPT_NAMES = {
  inputIds: 'input_ids', logits: 'logits',
  pastKey: (n: number) => `past.${n}.key`, pastValue: (n: number) => `past.${n}.value`,
  presentKey: (n: number) => `present.${n}.key`, presentValue: (n: number) => `present.${n}.value`,
};

function activationOf(kind: GptActivation): 'relu' | 'gelu' | 'gelu_tanh' | 'tanh' {
  switch (kind) {
    case 'gelu_new': case 'gelu_pytorch_tanh': case 'gelu_fast': return 'gelu_tanh';
    case 'gelu': return 'gelu';
    case 'relu': return 'relu';
    case 'tanh': return 'tanh';
  }
}

/**
 * Builds the GPT's graph; weights become float32 initializers (the output layer reads `wte`'s, tied
 * as in GPT-2).
 * @example const bytes = exportGptOnnx((await loadGpt('runs/gpt/best')).model)
 */
export function exportGptOnnx(model: GptModel, options: OnnxExportOptions = {}): Uint8Array {
  const { producerVersion = '', float16 = false } = options;
  const c = model.config;
  const C = c.nEmbd;
  const H = c.nHead;
  const D = C / H;
  const inner = innerWidth(c);
  const N = GPT_NAMES;
  const p: Record<string, Tensor> = model.stateDict();
  const get = (key: string): Float32Array => {
    const t = p[key];
    if (!t) throw new Error(`ONNX export: the GPT has no parameter ${key}`);
    return f32(t);
  };
  const L = new Layers(new GraphBuilder('llmcore_gpt', 'llmcore GPT (GPT-2 layout): new tokens with past keys/values → logits and present keys/values', { float16 }), H, C);
  const g = L.g;
  const ids = g.input(N.inputIds, 'int64', ['batch', 'new_len']);
  const past = Array.from({ length: c.nLayer }, (_, i) => ({
    key: g.input(N.pastKey(i), 'float32', ['batch', H, 'past_len', D]),
    value: g.input(N.pastValue(i), 'float32', ['batch', H, 'past_len', D]),
  }));
  const pastLen = L.dim(past[0].key, 2);
  const T = L.dim(ids, 1);
  const causal = L.causalMask(pastLen, T);
  const wte = g.weight('wte.weight', get('wte.weight'), [c.vocabSize, C]);
  const positions = L.rows(g.weight('wpe.weight', get('wpe.weight'), [c.nPositions, C]), pastLen, T); // (T, C)
  let x = g.op('Add', [g.op('Gather', [wte, ids]), positions]); // (B, T, C)
  const ln = (y: string, name: string): string => L.layerNorm(y, name, p[`${name}.weight`], p[`${name}.bias`] ?? null, c.layerNormEpsilon);
  // Conv1D weights are stored (in, out): the MatMul reads them as they are
  const conv = (y: string, name: string, inF: number, outF: number): string =>
    L.matmulBias(y, `${name}.weight`, get(`${name}.weight`), inF, outF, `${name}.bias`, get(`${name}.bias`));
  for (let i = 0; i < c.nLayer; i++) {
    const b = `h.${i}`;
    const a = ln(x, `${b}.ln_1`);
    const [q, k, v] = L.split(conv(a, `${b}.attn.c_attn`, C, 3 * C), 3).map((t) => L.splitHeads(t));
    const kAll = g.op('Concat', [past[i].key, k], { axis: { int: 2 } });
    const vAll = g.op('Concat', [past[i].value, v], { axis: { int: 2 } });
    g.output(kAll, 'float32', ['batch', H, 'present_len', D], N.presentKey(i));
    g.output(vAll, 'float32', ['batch', H, 'present_len', D], N.presentValue(i));
    // as llmcore: q scaled by 1/(layer + 1) first when the config asks, then by 1/√D
    const scales = [...(c.scaleAttnByInverseLayerIdx ? [1 / (i + 1)] : []), 1 / Math.sqrt(D)];
    const attn = conv(L.mergeHeads(L.attend(q, kAll, vAll, causal, scales)), `${b}.attn.c_proj`, C, C);
    x = g.op('Add', [x, attn]);
    const m = conv(L.activation(conv(ln(x, `${b}.ln_2`), `${b}.mlp.c_fc`, C, inner), activationOf(c.activation)), `${b}.mlp.c_proj`, inner, C);
    x = g.op('Add', [x, m]);
  }
  const h = ln(x, 'ln_f');
  const logits = g.op('MatMul', [h, g.op('Transpose', [wte], { perm: { ints: [1, 0] } })]);
  g.output(logits, 'float32', ['batch', 'new_len', c.vocabSize], N.logits);
  return g.toBytes(producerVersion);
}
