/**
 * Sampling (src/decode/sample.ts) on models whose distributions are known exactly: temperature 0 is
 * greedy search; draws follow softmax(logits / T) (checked on 20,000 draws); top-k and top-p keep the
 * tokens they should; the repetition penalty acts on logits as HF's does; the same seed gives the
 * same tokens; end tokens, stop callbacks and a cancelled stream stop; bad options name themselves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/backend/js/index.js';
import { Generator } from '../../src/util/random.js';
import { sample, checkSamplingOptions } from '../../src/decode/sample.js';
import { greedySearch } from '../../src/decode/greedy.js';
import type { StepModel, StepOutput } from '../../src/decode/search.js';
import { gptConfig } from '../../src/models/gpt/config.js';
import { GptModel } from '../../src/models/gpt/model.js';
import { GptStepModel } from '../../src/models/gpt/step.js';
import { normal_ } from '../../src/nn/init.js';

/** The same next-token logits at every step, whatever was read: each step is an independent draw. */
class FixedModel implements StepModel {
  readonly vocabSize: number;
  readonly read: number[] = [];
  constructor(private readonly logits: readonly number[], private readonly withLogits = true) {
    this.vocabSize = logits.length;
  }
  step(tokens: readonly number[]): StepOutput & { logits?: Float32Array } {
    this.read.push(...tokens);
    const max = Math.max(...this.logits);
    const lse = max + Math.log(this.logits.reduce((s, l) => s + Math.exp(l - max), 0));
    const logProbs = Float32Array.from(this.logits, (l) => l - lse);
    return this.withLogits ? { logProbs, logits: Float32Array.from(this.logits) } : { logProbs };
  }
  reorder(): void {}
}

function softmax(logits: readonly number[], T = 1): number[] {
  const z = logits.map((l) => l / T);
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function frequencies(tokens: number[], V: number): number[] {
  const f = new Array<number>(V).fill(0);
  for (const t of tokens) f[t] += 1 / tokens.length;
  return f;
}

const N = 20_000;
/** 4 standard errors of a frequency near 0.5 over N draws: a correct sampler fails this about once in 15,000 runs. */
const TOL = 4 * Math.sqrt(0.25 / N);

test('draws follow softmax(logits / T) for T = 1, 0.5 and 2', () => {
  const logits = [2, 1, 0, -1];
  for (const T of [1, 0.5, 2]) {
    const r = sample(new FixedModel(logits), { bos: 0, maxTokens: N, temperature: T, seed: 3 });
    const f = frequencies(r.tokens, 4);
    softmax(logits, T).forEach((p, v) => assert.ok(Math.abs(f[v] - p) < TOL, `T ${T}, token ${v}: frequency ${f[v]}, probability ${p}`));
  }
});

test('temperature 0 is greedy search: the same tokens as greedySearch on a GPT', () => {
  const config = gptConfig({ vocabSize: 40, nPositions: 12, nEmbd: 16, nLayer: 2, nHead: 2, embdPdrop: 0, attnPdrop: 0, residPdrop: 0, bosTokenId: null, eosTokenId: null });
  const model = new GptModel(config, { generator: new Generator(5) }).eval();
  // wider weights than GPT-2's N(0, 0.02), at which a tiny random model only repeats its input token
  const g = new Generator(6);
  for (const p of model.parameters()) if (p.ndim === 2) normal_(p, 0, 0.4, g);
  const prompt = [3, 9, 27];
  const r = sample(new GptStepModel(model, prompt.slice(0, -1)), { bos: 27, maxTokens: 20, temperature: 0 });
  assert.deepEqual(r.tokens, greedyFrom(model, prompt));
  assert.equal(r.tokens.length, 20, 'past the 12-position context the window slides and generation goes on');
  assert.ok(new Set(r.tokens).size > 1, 'a continuation that depends on the context, not one token repeated');
});

/** Greedy tokens by greedySearch with full recomputation every step (no cache): the reference. */
function greedyFrom(model: GptModel, prompt: number[]): number[] {
  const [h] = greedySearch(new GptStepModel(model, prompt.slice(0, -1), { useCache: false }), 1, { bos: prompt[prompt.length - 1], eos: -1, maxLen: 20, minLen: 0 });
  return h.tokens;
}

test('the same seed gives the same tokens; another seed other tokens', () => {
  const logits = [0, 0, 0, 0, 0, 0, 0, 0];
  const run = (seed: number): number[] => sample(new FixedModel(logits), { bos: 0, maxTokens: 40, seed }).tokens;
  assert.deepEqual(run(7), run(7));
  assert.notDeepEqual(run(7), run(8));
});

test('top-k keeps the k most likely tokens, in their proportions', () => {
  const logits = [0, 2, 1, 1.5, -1];
  const f = frequencies(sample(new FixedModel(logits), { bos: 0, maxTokens: N, topK: 2, seed: 1 }).tokens, 5);
  const p = softmax(logits);
  assert.deepEqual(f.map((x, v) => (x > 0 ? v : -1)).filter((v) => v >= 0), [1, 3]);
  assert.ok(Math.abs(f[1] - p[1] / (p[1] + p[3])) < TOL, `token 1: ${f[1]}`);
});

test('top-p keeps the smallest set of most likely tokens whose probability reaches p', () => {
  const probs = [0.05, 0.5, 0.15, 0.3];
  const logits = probs.map(Math.log);
  const drawn = (p: number): number[] => [...new Set(sample(new FixedModel(logits), { bos: 0, maxTokens: 2000, topP: p, seed: 2 }).tokens)].sort();
  assert.deepEqual(drawn(0.5), [1]);
  assert.deepEqual(drawn(0.75), [1, 3]);
  assert.deepEqual(drawn(0.81), [1, 2, 3]);
  assert.deepEqual(drawn(1), [0, 1, 2, 3]);
});

test('the repetition penalty divides positive logits and multiplies negative ones of tokens already seen (prompt included)', () => {
  // greedy: token 0 (2.0) beats token 1 (1.9) unless 0 was seen: 2.0 / 1.2 = 1.67 < 1.9
  assert.deepEqual(sample(new FixedModel([2, 1.9, -5]), { bos: 2, maxTokens: 1, temperature: 0, repetitionPenalty: 1.2 }).tokens, [0]);
  assert.deepEqual(sample(new FixedModel([2, 1.9, -5]), { bos: 2, maxTokens: 1, temperature: 0, repetitionPenalty: 1.2, context: [0] }).tokens, [1]);
  // once drawn, a token is penalised (once, however often it was drawn): greedy alternates instead of repeating 0
  assert.deepEqual(sample(new FixedModel([2, 1.9, -5]), { bos: 2, maxTokens: 4, temperature: 0, repetitionPenalty: 1.2 }).tokens, [0, 1, 0, 0]);
  // negative logits: −1 seen becomes −1.2, below −1.1 unseen
  assert.deepEqual(sample(new FixedModel([-1, -1.1, -5]), { bos: 2, maxTokens: 1, temperature: 0, repetitionPenalty: 1.2, context: [0] }).tokens, [1]);
  // on log-probabilities alone (a model without logits) the same rule applies to them
  assert.deepEqual(sample(new FixedModel([2, 1.9, -5], false), { bos: 2, maxTokens: 1, temperature: 0, repetitionPenalty: 1.2, context: [0] }).tokens, [1]);
});

test('an end token stops (and is not output); stop and a cancelled stream stop; maxTokens bounds the rest', () => {
  const ended = sample(new FixedModel([0, 5, 0]), { bos: 0, maxTokens: 10, temperature: 0, eos: [1] });
  assert.deepEqual([ended.tokens, ended.finishReason], [[], 'eos']);
  const stopped = sample(new FixedModel([0, 5, 0]), { bos: 0, maxTokens: 10, temperature: 0, stop: (g) => g.length === 3 });
  assert.deepEqual([stopped.tokens, stopped.finishReason], [[1, 1, 1], 'stop']);
  const streamed: number[] = [];
  const cancelled = sample(new FixedModel([0, 5, 0]), { bos: 0, maxTokens: 10, temperature: 0, onToken: (t) => { streamed.push(t); return streamed.length < 2; } });
  assert.deepEqual([cancelled.tokens, streamed, cancelled.finishReason], [[1, 1], [1, 1], 'cancelled']);
  const long = sample(new FixedModel([0, 5, 0]), { bos: 0, maxTokens: 4, temperature: 0 });
  assert.deepEqual([long.tokens.length, long.finishReason], [4, 'length']);
});

test('explain records the model\'s top candidates and the chosen token\'s probability, before any reshaping', () => {
  const logits = [1, 3, 2];
  const r = sample(new FixedModel(logits), { bos: 0, maxTokens: 1, temperature: 0.1, topK: 1, explainTopK: 2 });
  const p = softmax(logits);
  const [s] = r.steps!;
  assert.equal(s.token, 1);
  assert.ok(Math.abs(s.prob - p[1]) < 1e-6);
  assert.deepEqual(s.candidates.map((c) => c.token), [1, 2]);
  assert.ok(Math.abs(s.candidates[1].prob - p[2]) < 1e-6);
});

test('bad options are refused with the option named', () => {
  const bad: [object, RegExp][] = [
    [{ temperature: -0.1 }, /temperature must be a number >= 0/],
    [{ topP: 0 }, /topP must be in \(0, 1\]/],
    [{ topP: 1.5 }, /topP must be in \(0, 1\]/],
    [{ topK: 0 }, /topK must be an integer >= 1/],
    [{ repetitionPenalty: 0 }, /repetitionPenalty must be a number > 0/],
    [{ maxTokens: -1 }, /maxTokens must be an integer >= 0/],
  ];
  for (const [o, message] of bad) assert.throws(() => checkSamplingOptions({ maxTokens: 5, ...o }), message);
  assert.throws(() => sample(new FixedModel([0, 1]), { bos: 0, maxTokens: 1, bannedTokens: [0, 1] }), /every token is banned at step 1/);
});
