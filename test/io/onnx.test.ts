/**
 * The exported ONNX graphs run in ONNX Runtime (onnxruntime-node) and compute what llmcore computes:
 * the shipped zh→en translator's logits (teacher-forced, and step by step with the KV cache on a
 * padded batch) within 1e-4 of llmcore's and its greedy translations identical to `translate(…, {
 * beam: 1 })`; the same for random GPTs (prefill, cached steps, greedy continuation) and for random
 * translators with the other layer variants (pre-LN, GELU, untied output).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import '../../src/index.js';
import { Generator } from '../../src/util/random.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { KVCache } from '../../src/nn/attention.js';
import { BOS_ID, EOS_ID, PAD_ID } from '../../src/text/vocab.js';
import { loadTranslator } from '../../src/models/seq2seq/checkpoint.js';
import { Seq2SeqTransformer, type Seq2SeqConfig } from '../../src/models/seq2seq/model.js';
import { translate } from '../../src/models/seq2seq/translate.js';
import { GptModel } from '../../src/models/gpt/model.js';
import { gptConfig, type GptConfig } from '../../src/models/gpt/config.js';
import { loadGpt } from '../../src/models/gpt/checkpoint.js';
import { exportGptOnnx, exportTranslatorOnnx, greedyTranslateOnnx, TRANSLATOR_NAMES } from '../../src/io/onnx/index.js';
import { REPO, SHIPPED_MODEL } from '../helpers/cli.js';
import { compareGpt, emptyKv, int32, int64, maxDiff, rt, SENTENCES, sessionOptions } from './onnx-helpers.js';

const TOLERANCE = 1e-4;

/** The translator's two sessions, and a decoder run from token rows and past tensors. */
async function translatorSessions(model: Seq2SeqTransformer, float16 = false) {
  const { encoder, decoder } = exportTranslatorOnnx(model, { float16 });
  return { encoder: await ort.InferenceSession.create(encoder, sessionOptions), decoder: await ort.InferenceSession.create(decoder, sessionOptions) };
}

/**
 * For source rows and target rows (bos first, all the same length): the teacher-forced logits of
 * llmcore and ONNX (whole prefix, past_len 0), and the logits of each cached step of both.
 */
async function compareTranslator(model: Seq2SeqTransformer, sources: number[][], targets: number[][], float16 = false): Promise<{ teacher: number; steps: number }> {
  const s = await translatorSessions(model, float16);
  const N = TRANSLATOR_NAMES;
  const c = model.config;
  const H = c.nhead;
  const D = c.dModel / H;
  const src = int32(sources);
  const enc = await s.encoder.run({ [N.srcIds]: int64(sources) });
  const fixed: Record<string, ort.Tensor> = { [N.memoryMask]: enc[N.memoryMask] };
  for (let i = 0; i < c.numDecoderLayers; i++) Object.assign(fixed, { [N.crossKey(i)]: enc[N.crossKey(i)], [N.crossValue(i)]: enc[N.crossValue(i)] });
  const empty = (): Record<string, ort.Tensor> => {
    const past: Record<string, ort.Tensor> = {};
    for (let i = 0; i < c.numDecoderLayers; i++) Object.assign(past, { [N.pastKey(i)]: emptyKv(sources.length, H, D), [N.pastValue(i)]: emptyKv(sources.length, H, D) });
    return past;
  };
  const ref = noGrad(() => model.forward(src, int32(targets))).contiguousData();
  const whole = await s.decoder.run({ [N.tokens]: int64(targets), ...fixed, ...empty() });
  const teacher = maxDiff(whole[N.logits].data as Float32Array, ref);

  const encoded = noGrad(() => model.encode(src));
  const cache = new KVCache();
  let past = empty();
  let steps = 0;
  for (let t = 0; t < targets[0].length; t++) {
    const column = targets.map((r) => [r[t]]);
    const want = noGrad(() => model.decodeStep(int32(column), encoded, cache)).contiguousData();
    const out = await s.decoder.run({ [N.tokens]: int64(column), ...fixed, ...past });
    steps = Math.max(steps, maxDiff(out[N.logits].data as Float32Array, want));
    past = {};
    for (let i = 0; i < c.numDecoderLayers; i++) Object.assign(past, { [N.pastKey(i)]: out[N.presentKey(i)], [N.pastValue(i)]: out[N.presentValue(i)] });
  }
  return { teacher, steps };
}

const shipped = await loadTranslator(SHIPPED_MODEL);

test('the shipped zh-en translator: ONNX logits within 1e-4 of llmcore\'s, teacher-forced and step by step with the KV cache, on a padded batch', async (t) => {
  const { model, tokenizer } = shipped;
  const sources = SENTENCES.map((s) => tokenizer.encodeSource(s).ids);
  // targets: bos + each sentence's greedy translation, cut/padded with eos to one length (no padding id in a decoder step)
  const greedy = translate(model, tokenizer, SENTENCES, { beam: 1 });
  const T = 8;
  const targets = greedy.map((r) => [BOS_ID, ...r.ids, ...new Array<number>(T).fill(EOS_ID)].slice(0, T));
  const { teacher, steps } = await compareTranslator(model, sources, targets);
  t.diagnostic(`max |logit difference|: teacher-forced ${teacher.toExponential(2)}, cached steps ${steps.toExponential(2)} (${SENTENCES.length} sentences × ${T} positions × ${model.config.tgtVocab} words)`);
  assert.ok(teacher <= TOLERANCE, `teacher-forced logits differ by ${teacher}`);
  assert.ok(steps <= TOLERANCE, `cached-step logits differ by ${steps}`);
});

test('--float16: the shipped zh-en (saved in F16) exports losslessly in half the bytes; a float32 model is rounded', async (t) => {
  const { model, tokenizer } = shipped;
  const full = exportTranslatorOnnx(model);
  const half = exportTranslatorOnnx(model, { float16: true });
  const ratio = (half.encoder.length + half.decoder.length) / (full.encoder.length + full.decoder.length);
  const sources = SENTENCES.slice(0, 4).map((s) => tokenizer.encodeSource(s).ids);
  const targets = sources.map((_, i) => [BOS_ID, 10 + i, 20 + i, 30 + i]);
  const { teacher, steps } = await compareTranslator(model, sources, targets, true);
  t.diagnostic(`float16 files ${(ratio * 100).toFixed(1)}% of float32's; max |logit difference| teacher-forced ${teacher.toExponential(2)}, steps ${steps.toExponential(2)}`);
  assert.ok(ratio < 0.6, `float16 files are ${ratio} of float32's`);
  assert.ok(teacher <= TOLERANCE && steps <= TOLERANCE, `${teacher}, ${steps}`);
  // a model with float32 weights is rounded by --float16: the logits move, which shows the weights really are float16
  const random = new Seq2SeqTransformer({ srcVocab: 30, tgtVocab: 30, dModel: 16, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16, maxLen: 16 }, { generator: new Generator(2) }).eval();
  const rounded = await compareTranslator(random, [[5, 6, 7]], [[BOS_ID, 8, 9]], true);
  assert.ok(rounded.teacher > 1e-6 && rounded.teacher < 0.05, `float16 rounding moved the logits by ${rounded.teacher}`);
});

test('the shipped zh-en translator: greedy decoding over the ONNX graphs gives llmcore\'s translations, word for word', async () => {
  const { model, tokenizer } = shipped;
  const s = await translatorSessions(model);
  const c = model.config;
  const srcLimit = Math.min(tokenizer.maxSourceLen, c.maxLen);
  const sources = SENTENCES.map((x) => tokenizer.encodeSource(x).ids.slice(0, srcLimit));
  // translate()'s greedy rules: pad and bos never generated, at least one word, at most ⌈1.5·S⌉ + 10 tokens
  const maxLen = sources.map((ids) => Math.max(1, Math.min(c.maxLen - 1, Math.ceil(ids.length * 1.5) + 10)));
  const hyps = await greedyTranslateOnnx(s, rt, { layers: c.numDecoderLayers, heads: c.nhead, headDim: c.dModel / c.nhead, vocab: c.tgtVocab }, sources, {
    bos: BOS_ID, eos: EOS_ID, maxLen, bannedTokens: [PAD_ID, BOS_ID],
  });
  const want = translate(model, tokenizer, SENTENCES, { beam: 1 });
  assert.deepEqual(hyps.map((h) => h.tokens), want.map((r) => r.ids));
  assert.deepEqual(hyps.map((h) => tokenizer.decodeTarget(h.tokens).replace(/\s+/g, ' ').trim()), want.map((r) => r.translation));
  assert.ok(want.every((r) => r.translation.length > 0), 'every sentence was translated');
  hyps.forEach((h, i) => assert.ok(Math.abs(h.logProb - want[i].logProb) < 1e-3, `sentence ${i}: log-probability ${h.logProb} vs ${want[i].logProb}`));
});

test('random translators with the other layer variants (pre-LN, GELU, untied output with bias, 3 decoder layers): ONNX logits within 1e-4', async (t) => {
  const variants: Seq2SeqConfig[] = [
    { srcVocab: 50, tgtVocab: 40, dModel: 32, nhead: 4, numEncoderLayers: 1, numDecoderLayers: 3, dimFeedforward: 48, maxLen: 24, normFirst: true, activation: 'gelu', tieOutput: false },
    { srcVocab: 30, tgtVocab: 30, dModel: 24, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 40, maxLen: 24, normFirst: false, activation: 'relu', tieOutput: true },
  ];
  const g = new Generator(11);
  for (const config of variants) {
    const model = new Seq2SeqTransformer(config, { generator: new Generator(5) }).eval();
    // ids from 3 up (not pad/bos/eos); the second source is shorter, padded
    const draw = (n: number, V: number): number[] => Array.from({ length: n }, () => 3 + Math.floor(g.uniform() * (V - 3)));
    const sources = [draw(7, config.srcVocab), draw(4, config.srcVocab)];
    const targets = [[BOS_ID, ...draw(5, config.tgtVocab)], [BOS_ID, ...draw(5, config.tgtVocab)]];
    const { teacher, steps } = await compareTranslator(model, sources, targets);
    t.diagnostic(`normFirst ${config.normFirst}, ${config.activation}, tied ${config.tieOutput}: teacher-forced ${teacher.toExponential(2)}, steps ${steps.toExponential(2)}`);
    assert.ok(teacher <= TOLERANCE && steps <= TOLERANCE, `${JSON.stringify(config)}: ${teacher}, ${steps}`);
  }
});

const GPT_VARIANTS: Partial<GptConfig>[] = [
  { vocabSize: 61, nPositions: 32, nEmbd: 32, nLayer: 2, nHead: 4 },
  { vocabSize: 45, nPositions: 24, nEmbd: 24, nLayer: 3, nHead: 2, nInner: 40, activation: 'gelu', scaleAttnByInverseLayerIdx: true },
  { vocabSize: 30, nPositions: 16, nEmbd: 16, nLayer: 1, nHead: 1, activation: 'relu', layerNormEpsilon: 1e-6 },
];

test('random GPTs (GPT-2 layout; tanh and erf GELU, ReLU, scaled attention): prefill and cached-step logits within 1e-4, the same greedy tokens', async (t) => {
  for (const [i, v] of GPT_VARIANTS.entries()) {
    // GPT-2's initialization gives near-uniform logits (|logit| < 0.5): weights ×5 give a trained model's
    // spread (|logit| ~10), so that greedy choices are clear and a wrong graph would change them
    const model = new GptModel(gptConfig({ ...v, embdPdrop: 0, attnPdrop: 0, residPdrop: 0, bosTokenId: null, eosTokenId: null }), { generator: new Generator(20 + i) }).eval();
    noGrad(() => { for (const p of model.parameters()) p.data.forEach((x, j, a) => (a[j] = x * 5)); });
    const session = await ort.InferenceSession.create(exportGptOnnx(model), sessionOptions);
    const prompt = [1, 5, 9, 2, 7].map((x) => x % model.config.vocabSize);
    const r = await compareGpt(model, session, prompt, 10);
    t.diagnostic(`${JSON.stringify(v)}: prefill ${r.prefill.toExponential(2)}, steps ${r.steps.toExponential(2)}, greedy ${r.tokens.join(' ')}`);
    assert.ok(r.prefill <= TOLERANCE && r.steps <= TOLERANCE, `${r.prefill}, ${r.steps}`);
    assert.ok(r.same, 'the same greedy continuation');
    assert.ok(new Set(r.tokens).size > 1, 'the continuation is not one token repeated (a check that could not fail)');
  }
});

const MULTITASK = join(REPO, 'models', 'gpt-multitask');
test('models/gpt-multitask (when it has landed): ONNX logits within 1e-4, the same greedy tokens', { skip: !existsSync(join(MULTITASK, 'config.json')) && 'models/gpt-multitask is not in this checkout' }, async (t) => {
  const { model } = await loadGpt(MULTITASK);
  const session = await ort.InferenceSession.create(exportGptOnnx(model), sessionOptions);
  const r = await compareGpt(model, session, [1, 2, 3, 4, 5, 6].map((x) => x % model.config.vocabSize), 12);
  t.diagnostic(`gpt-multitask: prefill ${r.prefill.toExponential(2)}, steps ${r.steps.toExponential(2)}`);
  assert.ok(r.prefill <= TOLERANCE && r.steps <= TOLERANCE, `${r.prefill}, ${r.steps}`);
  assert.ok(r.same, 'the same greedy continuation');
});
