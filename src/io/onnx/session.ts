/**
 * Greedy decoding over the exported graphs in ONNX Runtime, with llmcore's own rules (the bans, the
 * minimum length and the argmax of src/decode/search.ts), so that the graphs can be checked token for
 * token against llmcore and served without llmcore's engine. The runtime comes in as an argument
 * (onnxruntime-node on a server, onnxruntime-web in a page): this file imports neither.
 *
 * @example
 * import * as ort from 'onnxruntime-node';
 * const rt = { tensor: (type, data, dims) => new ort.Tensor(type, data, dims) };
 * const encoder = await ort.InferenceSession.create('out/encoder.onnx');
 * const decoder = await ort.InferenceSession.create('out/decoder.onnx');
 * const [hyp] = await greedyTranslateOnnx({ encoder, decoder }, rt, shape, [srcIds], { bos: 1, eos: 2, maxLen: 40, bannedTokens: [0, 1] });
 */
import { constrainRow, maxLengths, topK } from '../../decode/search.js';
import { GPT_NAMES } from './gpt.js';
import { TRANSLATOR_NAMES } from './translator.js';

/** What the helpers need of a runtime tensor (onnxruntime's `Tensor` has it). */
export interface OnnxTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** What the helpers need of an inference session (onnxruntime's `InferenceSession` has it). */
export interface OnnxSessionLike {
  run(feeds: Record<string, OnnxTensorLike>): Promise<Record<string, OnnxTensorLike>>;
}

/** Makes the runtime's tensors: `(type, data, dims) => new ort.Tensor(type, data, dims)`. */
export interface OnnxRuntimeLike {
  tensor(type: 'int64', data: BigInt64Array, dims: readonly number[]): OnnxTensorLike;
  tensor(type: 'float32', data: Float32Array, dims: readonly number[]): OnnxTensorLike;
}

/** The sizes the KV tensors have: layers of the decoder, heads, head width; and the vocabulary. */
export interface OnnxDecoderShape {
  layers: number;
  heads: number;
  headDim: number;
  vocab: number;
}

/** Greedy rules, as src/decode/search.ts's SearchOptions. */
export interface OnnxGreedyOptions {
  bos: number;
  eos: number;
  /** Most tokens per sentence, eos included: one for all or one per sentence. */
  maxLen: number | readonly number[];
  /** Fewest tokens before eos may be chosen (default 1). */
  minLen?: number;
  bannedTokens?: readonly number[];
}

/** One decoded sentence: tokens without bos and eos, as llmcore's Hypothesis. */
export interface OnnxHypothesis {
  tokens: number[];
  logProb: number;
  finished: boolean;
}

function ids(rt: OnnxRuntimeLike, rows: readonly (readonly number[])[], pad: number): OnnxTensorLike {
  const S = Math.max(1, ...rows.map((r) => r.length));
  const data = new BigInt64Array(rows.length * S).fill(BigInt(pad));
  rows.forEach((r, i) => r.forEach((t, j) => (data[i * S + j] = BigInt(t))));
  return rt.tensor('int64', data, [rows.length, S]);
}

/** Rows `keep` (along the first axis) of a float32 tensor. */
function keepRows(rt: OnnxRuntimeLike, t: OnnxTensorLike, keep: readonly number[]): OnnxTensorLike {
  const data = t.data as Float32Array;
  const row = data.length / t.dims[0];
  const out = new Float32Array(keep.length * row);
  keep.forEach((r, i) => out.set(data.subarray(r * row, (r + 1) * row), i * row));
  return rt.tensor('float32', out, [keep.length, ...t.dims.slice(1)]);
}

/** log-softmax of the last position's logits of each row, in float32 as llmcore's. */
function lastLogProbs(logits: OnnxTensorLike, V: number): Float32Array {
  const [N, T] = logits.dims;
  const data = logits.data as Float32Array;
  const out = new Float32Array(N * V);
  for (let r = 0; r < N; r++) {
    const from = (r * T + T - 1) * V;
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, data[from + v]);
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(data[from + v] - max);
    const lse = max + Math.log(sum);
    for (let v = 0; v < V; v++) out[r * V + v] = data[from + v] - lse;
  }
  return out;
}

/** Empty past keys/values (past_len 0) for `rows` rows. */
function emptyPast(rt: OnnxRuntimeLike, shape: OnnxDecoderShape, rows: number, names: { pastKey(n: number): string; pastValue(n: number): string }): Record<string, OnnxTensorLike> {
  const feeds: Record<string, OnnxTensorLike> = {};
  const dims = [rows, shape.heads, 0, shape.headDim];
  for (let i = 0; i < shape.layers; i++) {
    feeds[names.pastKey(i)] = rt.tensor('float32', new Float32Array(0), dims);
    feeds[names.pastValue(i)] = rt.tensor('float32', new Float32Array(0), dims);
  }
  return feeds;
}

/**
 * The greedy loop shared by both models: `step(tokens)` feeds one token per live row and returns
 * the last position's log-probabilities; `reorder(keep)` drops finished rows from its state.
 */
async function greedyLoop(
  rows: number, V: number, options: OnnxGreedyOptions,
  step: (tokens: number[]) => Promise<Float32Array>, reorder: (keep: number[]) => void,
): Promise<OnnxHypothesis[]> {
  const search = { ...options, minLen: options.minLen ?? 1 };
  const limits = maxLengths(options.maxLen, rows);
  const results: OnnxHypothesis[] = new Array(rows);
  let live = Array.from({ length: rows }, (_, s) => s);
  let next = live.map(() => options.bos);
  let hyps: OnnxHypothesis[] = live.map(() => ({ tokens: [], logProb: 0, finished: false }));
  while (live.length > 0) {
    const lp = await step(next);
    const keep: number[] = [];
    for (let r = 0; r < live.length; r++) {
      const h = hyps[r];
      constrainRow(lp, r * V, h.tokens.length, search);
      const best = topK(lp, r * V, V, 1);
      if (best.index.length === 0) throw new Error(`ONNX greedy decoding: every token is banned at step ${h.tokens.length + 1}`);
      const token = best.index[0];
      h.logProb += best.value[0];
      if (token === options.eos) {
        h.finished = true;
        results[live[r]] = h;
        continue;
      }
      h.tokens.push(token);
      next[r] = token;
      if (h.tokens.length >= limits[live[r]]) {
        results[live[r]] = h;
        continue;
      }
      keep.push(r);
    }
    if (keep.length !== live.length) {
      if (keep.length > 0) reorder(keep);
      live = keep.map((r) => live[r]);
      next = keep.map((r) => next[r]);
      hyps = keep.map((r) => hyps[r]);
    }
  }
  return results;
}

/**
 * Greedy translation of source id sequences (without bos/eos, as the tokenizer's encodeSource gives
 * them) through the translator's encoder and decoder graphs, all sentences as one batch padded with
 * `pad`, each step feeding one token per row with the KV cache. With `bannedTokens: [pad, bos]` and
 * the default minLen 1 these are `llmcore translate --beam 1`'s rules.
 */
export async function greedyTranslateOnnx(
  sessions: { encoder: OnnxSessionLike; decoder: OnnxSessionLike },
  rt: OnnxRuntimeLike,
  shape: OnnxDecoderShape,
  sources: readonly (readonly number[])[],
  options: OnnxGreedyOptions & { pad?: number },
): Promise<OnnxHypothesis[]> {
  const N = TRANSLATOR_NAMES;
  if (sources.length === 0) return [];
  const enc = await sessions.encoder.run({ [N.srcIds]: ids(rt, sources, options.pad ?? 0) });
  let fixed: Record<string, OnnxTensorLike> = { [N.memoryMask]: enc[N.memoryMask] };
  for (let i = 0; i < shape.layers; i++) {
    fixed[N.crossKey(i)] = enc[N.crossKey(i)];
    fixed[N.crossValue(i)] = enc[N.crossValue(i)];
  }
  let past = emptyPast(rt, shape, sources.length, N);
  return greedyLoop(sources.length, shape.vocab, options, async (tokens) => {
    const out = await sessions.decoder.run({ [N.tokens]: ids(rt, tokens.map((t) => [t]), 0), ...fixed, ...past });
    past = {};
    for (let i = 0; i < shape.layers; i++) {
      past[N.pastKey(i)] = out[N.presentKey(i)];
      past[N.pastValue(i)] = out[N.presentValue(i)];
    }
    return lastLogProbs(out[N.logits], shape.vocab);
  }, (keep) => {
    fixed = Object.fromEntries(Object.entries(fixed).map(([k, t]) => [k, keepRows(rt, t, keep)]));
    past = Object.fromEntries(Object.entries(past).map(([k, t]) => [k, keepRows(rt, t, keep)]));
  });
}

/**
 * Greedy continuation of one prompt (at least one token) through the GPT graph: the prompt in one
 * call (prefill), then one token per call with the KV cache, up to `maxNewTokens` (eos included when
 * `eos` is given). Stops at the model's context (`nPositions`) rather than sliding a window.
 */
export async function greedyGptOnnx(
  session: OnnxSessionLike,
  rt: OnnxRuntimeLike,
  shape: OnnxDecoderShape & { nPositions: number },
  prompt: readonly number[],
  options: { maxNewTokens: number; eos?: number },
): Promise<OnnxHypothesis> {
  const N = GPT_NAMES;
  if (prompt.length === 0) throw new Error('greedyGptOnnx: the prompt needs at least one token');
  const room = shape.nPositions - prompt.length + 1; // tokens that still fit: each new token is read back but the last
  const maxLen = Math.max(1, Math.min(options.maxNewTokens, room));
  let past = emptyPast(rt, shape, 1, N);
  let pending = prompt.slice(0, -1);
  const [hyp] = await greedyLoop(1, shape.vocab, { bos: prompt[prompt.length - 1], eos: options.eos ?? -1, maxLen, minLen: 0 }, async (tokens) => {
    const out = await session.run({ [N.inputIds]: ids(rt, [[...pending, tokens[0]]], 0), ...past });
    pending = [];
    past = {};
    for (let i = 0; i < shape.layers; i++) {
      past[N.pastKey(i)] = out[N.presentKey(i)];
      past[N.pastValue(i)] = out[N.presentValue(i)];
    }
    return lastLogProbs(out[N.logits], shape.vocab);
  }, () => {});
  return hyp;
}
