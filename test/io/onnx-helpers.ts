/**
 * What the ONNX export tests share: onnxruntime-node tensors from id rows, the largest logit
 * difference, and the GPT comparison (prefill, cached steps and greedy continuation, llmcore vs ONNX).
 */
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { KVCache } from '../../src/nn/attention.js';
import { PAD_ID } from '../../src/text/vocab.js';
import type { GptModel } from '../../src/models/gpt/model.js';
import { GptStepModel } from '../../src/models/gpt/step.js';
import { greedySearch } from '../../src/decode/greedy.js';
import { greedyGptOnnx, GPT_NAMES, type OnnxRuntimeLike } from '../../src/io/onnx/index.js';

/** ONNX Runtime on one thread: the machine is shared, and the answer does not depend on it. */
export const sessionOptions: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };
export const rt: OnnxRuntimeLike = { tensor: (type: 'int64' | 'float32', data: BigInt64Array | Float32Array, dims: readonly number[]) => new ort.Tensor(type, data, dims) } as OnnxRuntimeLike;

export const SENTENCES = ['我正在吃饭。', '你好吗？', '他明天会来。', '这本书很有意思。', '我们去公园吧。', '我不知道他在哪里。', '天气很好。', '她喜欢唱歌和跳舞。'];

export const int64 = (rows: readonly (readonly number[])[]): ort.Tensor => {
  const S = Math.max(...rows.map((r) => r.length));
  const data = new BigInt64Array(rows.length * S).fill(BigInt(PAD_ID));
  rows.forEach((r, i) => r.forEach((t, j) => (data[i * S + j] = BigInt(t))));
  return new ort.Tensor('int64', data, [rows.length, S]);
};
export const int32 = (rows: readonly (readonly number[])[]): Tensor => {
  const S = Math.max(...rows.map((r) => r.length));
  const data = new Int32Array(rows.length * S).fill(PAD_ID);
  rows.forEach((r, i) => data.set(r, i * S));
  return new Tensor(data, [rows.length, S]);
};
export const emptyKv = (rows: number, heads: number, headDim: number): ort.Tensor => new ort.Tensor('float32', new Float32Array(0), [rows, heads, 0, headDim]);

/** Largest |a − b| over two equally long arrays. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'the same number of logits');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** llmcore's and ONNX's logits for a prompt (prefill) and then `extra` cached steps, and both greedy continuations. */
export async function compareGpt(model: GptModel, session: ort.InferenceSession, prompt: number[], newTokens: number): Promise<{ prefill: number; steps: number; same: boolean; tokens: number[] }> {
  const c = model.config;
  const N = GPT_NAMES;
  const H = c.nHead;
  const D = c.nEmbd / H;
  const cache = new KVCache();
  let past: Record<string, ort.Tensor> = {};
  for (let i = 0; i < c.nLayer; i++) Object.assign(past, { [N.pastKey(i)]: emptyKv(1, H, D), [N.pastValue(i)]: emptyKv(1, H, D) });
  let feed = prompt;
  let prefill = 0;
  let steps = 0;
  for (let t = 0; t < 4; t++) {
    const want = noGrad(() => model.forward(int32([feed]), { cache })).contiguousData();
    const out = await session.run({ [N.inputIds]: int64([feed]), ...past });
    const d = maxDiff(out[N.logits].data as Float32Array, want);
    if (t === 0) prefill = d;
    else steps = Math.max(steps, d);
    past = {};
    for (let i = 0; i < c.nLayer; i++) Object.assign(past, { [N.pastKey(i)]: out[N.presentKey(i)], [N.pastValue(i)]: out[N.presentValue(i)] });
    feed = [(t * 7 + 3) % c.vocabSize];
  }
  const [want] = greedySearch(new GptStepModel(model, prompt.slice(0, -1)), 1, { bos: prompt[prompt.length - 1], eos: -1, maxLen: newTokens, minLen: 0 });
  const got = await greedyGptOnnx(session, rt, { layers: c.nLayer, heads: H, headDim: D, vocab: c.vocabSize, nPositions: c.nPositions }, prompt, { maxNewTokens: newTokens });
  return { prefill, steps, same: JSON.stringify(got.tokens) === JSON.stringify(want.tokens) && got.tokens.length === newTokens, tokens: got.tokens };
}

