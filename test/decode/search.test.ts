/**
 * The searches on a made-up decoder (test/decode/mock.ts): greedy is beam 1, beam search beats a
 * myopic greedy choice, the length penalty decides between a short and a long sentence, an
 * exhaustive beam equals brute force, bans, the minimum and maximum length, explain and attention.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { greedySearch } from '../../src/decode/greedy.js';
import { beamSearch, beamSearchAll } from '../../src/decode/beam.js';
import { lengthNormalized, topK, type Hypothesis } from '../../src/decode/search.js';
import { BOS, EOS, MockStepModel, randomTable, type Table } from './mock.js';

const close = (a: number, b: number, eps = 1e-5): boolean => Math.abs(a - b) < eps;

test('topK: largest first, ties to the lower index, -Infinity never returned', () => {
  const row = Float32Array.from([0, 3, 1, 3, -Infinity, 2, NaN]);
  assert.deepEqual(topK(row, 0, 7, 3), { index: [1, 3, 5], value: [3, 3, 2] });
  assert.deepEqual(topK(row, 0, 7, 10).index, [1, 3, 5, 2, 0]);
  assert.deepEqual(topK(row, 2, 3, 2).index, [1, 0]); // a window: entries 2..4 → [1, 3, -inf]
  assert.deepEqual(topK(row, 0, 7, 0).index, []);
});

// tokens: 3 A, 4 B, 5 x, 6 y, 7 z
const myopic: Table = (p) => {
  const k = p.join(' ');
  if (k === '') return { 3: 0.6, 4: 0.4 };
  if (k === '3') return { 5: 0.35, 6: 0.33, 7: 0.32 };
  if (k === '4') return { [EOS]: 0.9, 5: 0.1 };
  return { [EOS]: 1 };
};

test('beam search finds a more probable sentence than greedy when the greedy first word is myopic', () => {
  const greedy = greedySearch(new MockStepModel(8, () => myopic), 1, { bos: BOS, eos: EOS, maxLen: 10 })[0];
  assert.deepEqual(greedy.tokens, [3, 5]); // A x: 0.6 · 0.35 · 1 = 0.21
  assert.ok(close(greedy.logProb, Math.log(0.6 * 0.35)));
  const beam = beamSearch(new MockStepModel(8, () => myopic), 1, { bos: BOS, eos: EOS, maxLen: 10, beam: 2, lengthPenalty: 0 })[0];
  assert.deepEqual(beam.tokens, [4]); // B: 0.4 · 0.9 = 0.36
  assert.ok(close(beam.logProb, Math.log(0.4 * 0.9)));
  assert.ok(beam.logProb > greedy.logProb);
  assert.equal(beam.finished, true);
});

test('beam search does not stop while a live hypothesis still leads, even when K poor ones have finished', () => {
  // tokens: 3 G, 4 P, 5 G2, 6 X, 7 G3. The runners-up P and G·X end at once; G G2 G3 ends later, far more likely.
  const confident: Table = (p) => {
    const k = p.join(' ');
    if (k === '') return { 3: 0.98, 4: 0.02 };
    if (k === '3') return { 5: 0.999, 6: 0.001 };
    if (k === '3 5') return { 7: 0.999, 6: 0.001 };
    return { [EOS]: 1 };
  };
  for (const alpha of [0, 1]) {
    const all = beamSearchAll(new MockStepModel(8, () => confident), 1, { bos: BOS, eos: EOS, maxLen: 10, beam: 2, lengthPenalty: alpha })[0];
    assert.deepEqual(all[0].tokens, [3, 5, 7], `α ${alpha}`);
    assert.ok(all.length >= 3, 'the poor ones were finished first'); // P, G X, G G2 G3 (and G G2 X)
  }
});

// short: C eos (0.5 · 0.9 = 0.45, 2 tokens); long: D x y eos (0.5 · 0.8³ = 0.256, 4 tokens)
const shortOrLong: Table = (p) => {
  const k = p.join(' ');
  if (k === '') return { 3: 0.5, 4: 0.5 };
  if (k === '3') return { [EOS]: 0.9, 5: 0.1 };
  if (k === '4') return { 5: 0.8, 7: 0.2 };
  if (k === '4 5') return { 6: 0.8, 7: 0.2 };
  if (k === '4 7') return { 5: 0.5, 6: 0.5 };
  if (k === '4 5 6') return { [EOS]: 0.8, 7: 0.2 };
  return { [EOS]: 1 };
};

test('length penalty: α = 0 prefers the short sentence, α = 1 the long one with the better mean log-probability', () => {
  const run = (alpha: number): Hypothesis => beamSearch(new MockStepModel(8, () => shortOrLong), 1, { bos: BOS, eos: EOS, maxLen: 10, beam: 2, lengthPenalty: alpha })[0];
  assert.deepEqual(run(0).tokens, [3]);
  assert.deepEqual(run(0.6).tokens, [3]);
  const long = run(1);
  assert.deepEqual(long.tokens, [4, 5, 6]);
  assert.ok(close(long.logProb, Math.log(0.5 * 0.8 ** 3)));
  assert.ok(close(long.score, Math.log(0.5 * 0.8 ** 3) / 4), 'score = logProb / length^α, eos counted');
  assert.equal(lengthNormalized(-2, 4, 0), -2);
  assert.equal(lengthNormalized(-2, 4, 1), -0.5);
  assert.ok(close(lengthNormalized(-2, 4, 0.5), -1));
  // every finished hypothesis comes back, best first
  const all = beamSearchAll(new MockStepModel(8, () => shortOrLong), 1, { bos: BOS, eos: EOS, maxLen: 10, beam: 2, lengthPenalty: 1 })[0];
  assert.deepEqual(all.map((h) => h.tokens), [[4, 5, 6], [3], [4, 5, 7]]);
  for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].score >= all[i].score);
});

test('greedy decoding is beam search with beam 1, batched over sentences of different lengths', () => {
  for (let seed = 0; seed < 20; seed++) {
    const tables = (s: number): Table => randomTable(7, seed * 10 + s);
    const o = { bos: BOS, eos: EOS, maxLen: [3, 6, 9, 12] };
    const greedy = greedySearch(new MockStepModel(7, tables, 4), 4, o);
    const beam1 = beamSearch(new MockStepModel(7, tables, 4), 4, { ...o, beam: 1 });
    assert.deepEqual(greedy.map((h) => h.tokens), beam1.map((h) => h.tokens), `seed ${seed}`);
    greedy.forEach((h, i) => assert.ok(close(h.logProb, beam1[i].logProb)));
    // one sentence at a time gives the same
    for (let s = 0; s < 4; s++) {
      const alone = greedySearch(new MockStepModel(7, () => tables(s), 1), 1, { ...o, maxLen: o.maxLen[s] })[0];
      assert.deepEqual(alone.tokens, greedy[s].tokens);
    }
  }
});

test('an exhaustive beam (K above the number of sequences) finds the brute-force best under any α', () => {
  const V = 5; // eos, 3, 4 (pad and bos are never generated)
  const maxLen = 4;
  for (let seed = 0; seed < 10; seed++) {
    const table = randomTable(V, seed);
    // every sequence: k non-eos tokens then eos (k < maxLen), or maxLen non-eos tokens (unfinished)
    const all: { tokens: number[]; logProb: number; length: number }[] = [];
    const walk = (prefix: number[], lp: number): void => {
      const probs = table(prefix);
      if (prefix.length >= 1) all.push({ tokens: prefix, logProb: lp + Math.log(probs[EOS]!), length: prefix.length + 1 });
      if (prefix.length === maxLen) return;
      for (const t of [3, 4]) {
        const next = [...prefix, t];
        if (next.length === maxLen) all.push({ tokens: next, logProb: lp + Math.log(probs[t]!), length: maxLen });
        else walk(next, lp + Math.log(probs[t]!));
      }
    };
    walk([], 0);
    for (const alpha of [0, 0.6, 1]) {
      const hyps = beamSearchAll(new MockStepModel(V, () => table), 1, { bos: BOS, eos: EOS, maxLen, beam: 64, lengthPenalty: alpha, minLen: 1 })[0];
      assert.equal(hyps.length, all.length, 'every sequence was scored');
      const best = all.reduce((b, h) => (lengthNormalized(h.logProb, h.length, alpha) > lengthNormalized(b.logProb, b.length, alpha) ? h : b));
      assert.deepEqual(hyps[0].tokens, best.tokens, `seed ${seed}, α ${alpha}`);
      assert.ok(close(hyps[0].logProb, best.logProb));
    }
  }
});

test('finished sentences leave the batch; the maximum length stops a sentence unfinished', () => {
  const loop: Table = (p) => (p.length === 0 ? { 3: 1 } : { 4: 0.9, [EOS]: 0.1 });
  const quick: Table = () => ({ [EOS]: 0.7, 3: 0.3 });
  const m = new MockStepModel(6, (s) => (s === 0 ? loop : quick), 2);
  const [a, b] = greedySearch(m, 2, { bos: BOS, eos: EOS, maxLen: 5, minLen: 0 });
  assert.deepEqual(b.tokens, []);
  assert.equal(b.finished, true);
  assert.deepEqual(a.tokens, [3, 4, 4, 4, 4]);
  assert.equal(a.finished, false);
  assert.deepEqual(m.calls.map((c) => c.rows), [2, 1, 1, 1, 1]);
  assert.deepEqual(m.reorders, [[0]]);
  const beam = beamSearch(new MockStepModel(6, () => loop), 1, { bos: BOS, eos: EOS, maxLen: 5, beam: 3, lengthPenalty: 0 })[0];
  assert.equal(beam.tokens.length <= 5, true);
});

test('minLen forbids an empty output; banned tokens are never chosen', () => {
  const eager: Table = (p) => (p.length === 0 ? { [EOS]: 0.6, 0: 0.3, 3: 0.1 } : { [EOS]: 1 });
  const o = { bos: BOS, eos: EOS, maxLen: 5 };
  assert.deepEqual(greedySearch(new MockStepModel(5, () => eager), 1, { ...o, minLen: 0 })[0].tokens, []);
  assert.deepEqual(greedySearch(new MockStepModel(5, () => eager), 1, { ...o })[0].tokens, [0]); // minLen 1 (default)
  assert.deepEqual(greedySearch(new MockStepModel(5, () => eager), 1, { ...o, bannedTokens: [0] })[0].tokens, [3]);
  assert.deepEqual(beamSearch(new MockStepModel(5, () => eager), 1, { ...o, bannedTokens: [0], beam: 2 })[0].tokens, [3]);
  assert.throws(() => greedySearch(new MockStepModel(5, () => eager), 1, { ...o, bannedTokens: [0, 3] }), /every token is banned/);
  assert.throws(() => beamSearch(new MockStepModel(5, () => eager), 1, { ...o, beam: 0 }), /beam must be an integer >= 1/);
  assert.throws(() => greedySearch(new MockStepModel(5, () => eager), 2, { ...o, maxLen: [3] }), /maxLen has 1 entries for 2 sentences/);
});

test('explain: each step\'s top candidates with probabilities, most likely first, and the token taken', () => {
  const table: Table = (p) => (p.length === 0 ? { 3: 0.5, 4: 0.2, 5: 0.15, 6: 0.1, 7: 0.04, [EOS]: 0.01 } : { [EOS]: 0.7, 4: 0.3 });
  const [g] = greedySearch(new MockStepModel(8, () => table), 1, { bos: BOS, eos: EOS, maxLen: 5, explainTopK: 5 });
  assert.deepEqual(g.tokens, [3]);
  assert.equal(g.steps!.length, 2, 'the final eos is a step too');
  assert.deepEqual(g.steps![0].candidates.map((c) => c.token), [3, 4, 5, 6, 7]);
  assert.ok(close(g.steps![0].candidates[1].prob, 0.2));
  assert.equal(g.steps![0].token, 3);
  assert.ok(close(g.steps![0].prob, 0.5));
  assert.equal(g.steps![1].token, EOS);
  assert.ok(close(g.steps![1].prob, 0.7));
  // beam: the steps follow the chosen hypothesis, and the chosen word need not be the top one
  const [b] = beamSearch(new MockStepModel(8, () => myopic), 1, { bos: BOS, eos: EOS, maxLen: 5, beam: 2, lengthPenalty: 0, explainTopK: 3 });
  assert.deepEqual(b.steps!.map((s) => s.token), [4, EOS]);
  assert.deepEqual(b.steps![0].candidates.map((c) => c.token), [3, 4]);
  assert.ok(close(b.steps![0].prob, 0.4));
  assert.ok(close(b.steps![1].prob, 0.9));
});

test('attention follows each hypothesis through reorders', () => {
  const [g] = greedySearch(new MockStepModel(8, () => myopic), 1, { bos: BOS, eos: EOS, maxLen: 5, attention: true });
  assert.equal(g.attention!.length, 3); // A x eos
  assert.deepEqual(g.attention!.map((a) => [...a].indexOf(1)), [0, 1, 2]);
  const [b] = beamSearch(new MockStepModel(8, () => myopic), 1, { bos: BOS, eos: EOS, maxLen: 5, beam: 2, lengthPenalty: 0, attention: true });
  assert.deepEqual(b.attention!.map((a) => [...a].indexOf(1)), [0, 1]); // B eos
});
