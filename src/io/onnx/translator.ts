/**
 * The translator (src/models/seq2seq) as two ONNX graphs, the form ONNX Runtime serves an
 * encoder-decoder fastest in (docs/onnx.md has the measurements):
 *
 *   encoder.onnx  src_ids (batch, src_len) int64
 *                 → memory (batch, src_len, d_model), memory_mask (batch, 1, 1, src_len),
 *                   cross.N.key / cross.N.value (batch, heads, src_len, head_dim) for each decoder layer N
 *   decoder.onnx  tokens (batch, new_len) int64, memory_mask, cross.N.key/value,
 *                 past.N.key / past.N.value (batch, heads, past_len, head_dim)
 *                 → logits (batch, new_len, tgt_vocab), present.N.key / present.N.value (…, past_len + new_len, …)
 *
 * The encoder computes the encoder-decoder attention's keys and values once per sentence (as llmcore's
 * KV cache does); each decoder step reads them, appends its new self-attention keys/values to the past
 * ones and returns them as `present`. The first step passes past tensors with past_len 0. The new
 * tokens sit at positions past_len …; several new tokens (a teacher-forced prefix, or the uncached
 * way of decoding: the whole prefix each step with past_len 0) get the causal mask.
 */
import type { Tensor } from '../../tensor/tensor.js';
import { sinusoidalPositionalEncoding } from '../../nn/positional.js';
import { MASKED } from '../../nn/attention.js';
import type { Seq2SeqTransformer } from '../../models/seq2seq/model.js';
import { GraphBuilder } from './graph.js';
import { f32, Layers, transposed } from './layers.js';

/** How to write the graphs. */
export interface OnnxExportOptions {
  /** llmcore's version, recorded in the model. */
  producerVersion?: string;
  /** Store the weights as float16 (half the file; computed in float32). Default false. */
  float16?: boolean;
}

/** The two graphs of a translator, as .onnx bytes. */
export interface TranslatorOnnx {
  encoder: Uint8Array;
  decoder: Uint8Array;
}

/** Names of the translator graphs' inputs and outputs (layer N from 0). */
export const TRANSLATOR_NAMES = {
  srcIds: 'src_ids', memory: 'memory', memoryMask: 'memory_mask', tokens: 'tokens', logits: 'logits',
  crossKey: (n: number) => `cross.${n}.key`, crossValue: (n: number) => `cross.${n}.value`,
  pastKey: (n: number) => `past.${n}.key`, pastValue: (n: number) => `past.${n}.value`,
  presentKey: (n: number) => `present.${n}.key`, presentValue: (n: number) => `present.${n}.value`,
};

type Params = Record<string, Tensor>;

function param(p: Params, key: string): Tensor {
  const t = p[key];
  if (!t) throw new Error(`ONNX export: the translator has no parameter ${key}`);
  return t;
}

/** Rows [from, to) of a (rows, cols) matrix. */
function rowsOf(w: Float32Array, cols: number, from: number, to: number): Float32Array {
  return w.slice(from * cols, to * cols);
}

/**
 * Builds the encoder and decoder graphs of a translator; weights become float32 initializers.
 * @example const { encoder, decoder } = exportTranslatorOnnx(loadedTranslator.model)
 */
export function exportTranslatorOnnx(model: Seq2SeqTransformer, options: OnnxExportOptions = {}): TranslatorOnnx {
  const { producerVersion = '', float16 = false } = options;
  const c = model.config;
  const C = c.dModel;
  const H = c.nhead;
  const D = C / H;
  const N = TRANSLATOR_NAMES;
  const p: Params = model.stateDict();
  const pe = sinusoidalPositionalEncoding(c.maxLen, C);
  const embedScale = Math.sqrt(C);
  const act = c.activation === 'gelu' ? 'gelu' : 'relu';

  /** A residual sub-layer, post-LN (the paper's) or pre-LN. */
  const subLayer = (L: Layers, x: string, norm: string, f: (y: string) => string): string => {
    const ln = (y: string): string => L.layerNorm(y, norm, param(p, `${norm}.weight`), p[`${norm}.bias`] ?? null, c.layerNormEps);
    return c.normFirst ? L.g.op('Add', [x, f(ln(x))]) : ln(L.g.op('Add', [x, f(x)]));
  };
  const feedForward = (L: Layers, x: string, prefix: string): string => {
    const F = c.dimFeedforward;
    const h = L.activation(L.linear(x, `${prefix}.linear1`, f32(param(p, `${prefix}.linear1.weight`)), p[`${prefix}.linear1.bias`] ? f32(p[`${prefix}.linear1.bias`]) : null, F, C), act);
    return L.linear(h, `${prefix}.linear2`, f32(param(p, `${prefix}.linear2.weight`)), p[`${prefix}.linear2.bias`] ? f32(p[`${prefix}.linear2.bias`]) : null, C, F);
  };
  const outProj = (L: Layers, x: string, prefix: string): string =>
    L.linear(L.mergeHeads(x), `${prefix}.out_proj`, f32(param(p, `${prefix}.out_proj.weight`)), p[`${prefix}.out_proj.bias`] ? f32(p[`${prefix}.out_proj.bias`]) : null, C, C);
  /** Rows [from·C, to·C) of an in_proj (Q = 0, K = 1, V = 2) applied to x: (B, L, C) → (B, L, (to − from)·C). */
  const inProj = (L: Layers, x: string, prefix: string, from: number, to: number, name: string): string => {
    const w = rowsOf(f32(param(p, `${prefix}.in_proj_weight`)), C, from * C, to * C);
    const bias = p[`${prefix}.in_proj_bias`];
    const b = bias ? f32(bias).slice(from * C, to * C) : null;
    return L.linear(x, `${prefix}.${name}`, w, b, (to - from) * C, C);
  };
  const scale = [1 / Math.sqrt(D)];

  // ---- encoder.onnx
  const enc = new Layers(new GraphBuilder('llmcore_translator_encoder', 'llmcore translator encoder: src_ids → memory, memory_mask and each decoder layer\'s cross-attention keys/values', { float16 }), H, C);
  {
    const g = enc.g;
    const src = g.input(N.srcIds, 'int64', ['batch', 'src_len']);
    const isPad = g.op('Equal', [src, g.ints([c.padId], [])]);
    const mask = g.op('Unsqueeze', [g.op('Where', [isPad, g.scalar(MASKED), g.scalar(0)]), g.ints([1, 2])]); // (B, 1, 1, S)
    const S = enc.dim(src, 1);
    const emb = g.op('Mul', [g.op('Gather', [g.weight('src_emb.weight', f32(param(p, 'src_emb.weight')), [c.srcVocab, C]), src]), g.scalar(embedScale)]);
    let x = g.op('Add', [emb, enc.rows(g.weight('positional.pe', f32(pe), [c.maxLen, C], true), g.ints([0]), S)]); // (B, S, C)
    for (let i = 0; i < c.numEncoderLayers; i++) {
      const l = `transformer.encoder.layers.${i}`;
      x = subLayer(enc, x, `${l}.norm1`, (y) => {
        const [q, k, v] = enc.split(inProj(enc, y, `${l}.self_attn`, 0, 3, 'in_proj'), 3).map((t) => enc.splitHeads(t));
        return outProj(enc, enc.attend(q, k, v, mask, scale), `${l}.self_attn`);
      });
      x = subLayer(enc, x, `${l}.norm2`, (y) => feedForward(enc, y, l));
    }
    const memory = enc.layerNorm(x, 'transformer.encoder.norm', param(p, 'transformer.encoder.norm.weight'), p['transformer.encoder.norm.bias'] ?? null, c.layerNormEps);
    g.output(memory, 'float32', ['batch', 'src_len', C], N.memory);
    g.output(mask, 'float32', ['batch', 1, 1, 'src_len'], N.memoryMask);
    for (let i = 0; i < c.numDecoderLayers; i++) {
      const l = `transformer.decoder.layers.${i}.multihead_attn`;
      const [k, v] = enc.split(inProj(enc, memory, l, 1, 3, 'in_proj_kv'), 2).map((t) => enc.splitHeads(t));
      g.output(k, 'float32', ['batch', H, 'src_len', D], N.crossKey(i));
      g.output(v, 'float32', ['batch', H, 'src_len', D], N.crossValue(i));
    }
  }

  // ---- decoder.onnx
  const dec = new Layers(new GraphBuilder('llmcore_translator_decoder', 'llmcore translator decoder step: new tokens with past self-attention keys/values → logits and present keys/values', { float16 }), H, C);
  {
    const g = dec.g;
    const tokens = g.input(N.tokens, 'int64', ['batch', 'new_len']);
    const memMask = g.input(N.memoryMask, 'float32', ['batch', 1, 1, 'src_len']);
    const cross = Array.from({ length: c.numDecoderLayers }, (_, i) => ({
      key: g.input(N.crossKey(i), 'float32', ['batch', H, 'src_len', D]),
      value: g.input(N.crossValue(i), 'float32', ['batch', H, 'src_len', D]),
    }));
    const past = Array.from({ length: c.numDecoderLayers }, (_, i) => ({
      key: g.input(N.pastKey(i), 'float32', ['batch', H, 'past_len', D]),
      value: g.input(N.pastValue(i), 'float32', ['batch', H, 'past_len', D]),
    }));
    const pastLen = dec.dim(past[0].key, 2);
    const T = dec.dim(tokens, 1);
    const causal = dec.causalMask(pastLen, T);
    const tgtEmb = g.weight('tgt_emb.weight', f32(param(p, 'tgt_emb.weight')), [c.tgtVocab, C]);
    const emb = g.op('Mul', [g.op('Gather', [tgtEmb, tokens]), g.scalar(embedScale)]);
    let x = g.op('Add', [emb, dec.rows(g.weight('positional.pe', f32(pe), [c.maxLen, C], true), pastLen, T)]); // (B, T, C)
    for (let i = 0; i < c.numDecoderLayers; i++) {
      const l = `transformer.decoder.layers.${i}`;
      x = subLayer(dec, x, `${l}.norm1`, (y) => {
        const [q, k, v] = dec.split(inProj(dec, y, `${l}.self_attn`, 0, 3, 'in_proj'), 3).map((t) => dec.splitHeads(t));
        const kAll = g.op('Concat', [past[i].key, k], { axis: { int: 2 } });
        const vAll = g.op('Concat', [past[i].value, v], { axis: { int: 2 } });
        g.output(kAll, 'float32', ['batch', H, 'present_len', D], N.presentKey(i));
        g.output(vAll, 'float32', ['batch', H, 'present_len', D], N.presentValue(i));
        return outProj(dec, dec.attend(q, kAll, vAll, causal, scale), `${l}.self_attn`);
      });
      x = subLayer(dec, x, `${l}.norm2`, (y) => {
        const q = dec.splitHeads(inProj(dec, y, `${l}.multihead_attn`, 0, 1, 'in_proj_q'));
        return outProj(dec, dec.attend(q, cross[i].key, cross[i].value, memMask, scale), `${l}.multihead_attn`);
      });
      x = subLayer(dec, x, `${l}.norm3`, (y) => feedForward(dec, y, l));
    }
    const h = dec.layerNorm(x, 'transformer.decoder.norm', param(p, 'transformer.decoder.norm.weight'), p['transformer.decoder.norm.bias'] ?? null, c.layerNormEps);
    // a tied output layer reads the embedding's own initializer (ONNX Runtime folds the Transpose once, at load)
    const outW = c.tieOutput
      ? g.op('Transpose', [tgtEmb], { perm: { ints: [1, 0] } })
      : g.weight('out.weight', transposed(f32(param(p, 'out.weight')), c.tgtVocab, C), [C, c.tgtVocab]);
    let logits = g.op('MatMul', [h, outW]);
    if (p['out.bias']) logits = g.op('Add', [logits, g.weight('out.bias', f32(p['out.bias']), [c.tgtVocab])]);
    g.output(logits, 'float32', ['batch', 'new_len', c.tgtVocab], N.logits);
  }
  return { encoder: enc.g.toBytes(producerVersion), decoder: dec.g.toBytes(producerVersion) };
}
