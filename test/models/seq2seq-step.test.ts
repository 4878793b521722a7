/**
 * The Transformer as a search's StepModel (src/models/seq2seq/step.ts): greedy with the KV cache ==
 * greedy without it == beam 1 == greedyDecode == a plain argmax over teacher-forced forward passes;
 * each step feeds one token per row; beam search's reorders keep the
 * cache right (every returned log-probability equals the teacher-forced one); batching changes nothing;
 * the reported attention is a distribution over the real source tokens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/backend/js/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { Generator } from '../../src/util/random.js';
import { Seq2SeqTransformer, type Seq2SeqConfig } from '../../src/models/seq2seq/model.js';
import { Seq2SeqStepModel } from '../../src/models/seq2seq/step.js';
import { greedySearch } from '../../src/decode/greedy.js';
import { beamSearch, beamSearchAll } from '../../src/decode/beam.js';

const BOS = 1;
const EOS = 2;
const config: Seq2SeqConfig = { srcVocab: 15, tgtVocab: 17, dModel: 16, nhead: 2, dimFeedforward: 32, numEncoderLayers: 2, numDecoderLayers: 2, dropout: 0, maxLen: 40 };

function ids(rows: number[][]): Tensor {
  const L = Math.max(...rows.map((r) => r.length));
  return new Tensor(Int32Array.from(rows.flatMap((r) => [...r, ...new Array<number>(L - r.length).fill(0)])), [rows.length, L]);
}

const sources = [[5, 3, 8, 2, 7, 9], [9, 4], [6, 6, 6, 11, 12], [13]];

/** The teacher-forced log-probability of `tokens` (+ eos when finished) for one source. */
function scoreOf(model: Seq2SeqTransformer, src: number[], tokens: number[], finished: boolean): number {
  return noGrad(() => {
    const tgtIn = ids([[BOS, ...tokens]]);
    const lp = model.forward(ids([src]), tgtIn).logSoftmax(-1).contiguousData(); // (1, T, V)
    const V = config.tgtVocab;
    const next = finished ? [...tokens, EOS] : tokens;
    return next.reduce((s, t, i) => s + lp[i * V + t], 0);
  });
}

/** Greedy decoding the slow obvious way: the whole prefix through model.forward at every step. */
function referenceGreedy(model: Seq2SeqTransformer, src: number[], maxLen: number): number[] {
  return noGrad(() => {
    const out: number[] = [];
    for (let t = 0; t < maxLen; t++) {
      const logits = model.forward(ids([src]), ids([[BOS, ...out]])); // (1, T, V)
      const V = config.tgtVocab;
      const last = logits.contiguousData().subarray(t * V, (t + 1) * V);
      let best = 0;
      for (let v = 1; v < V; v++) if (last[v] > last[best]) best = v;
      if (best === EOS) break;
      out.push(best);
    }
    return out;
  });
}

test('greedy with the KV cache == greedy without it == beam 1 == greedyDecode == argmax over full forward passes', () => {
  for (const seed of [1, 2, 3]) {
    const model = new Seq2SeqTransformer(config, { generator: new Generator(seed) }).eval();
    // the model's own greedyDecode bans nothing: make pad and bos impossible so that both agree
    (model.out.bias!.data as Float32Array).set([-1e4, -1e4], 0);
    const o = { bos: BOS, eos: EOS, maxLen: 12, minLen: 0, bannedTokens: [] };
    const cached = greedySearch(new Seq2SeqStepModel(model, ids(sources)), sources.length, o);
    const uncached = greedySearch(new Seq2SeqStepModel(model, ids(sources), { useCache: false }), sources.length, o);
    const beam1 = beamSearch(new Seq2SeqStepModel(model, ids(sources)), sources.length, { ...o, beam: 1 });
    const reference = sources.map((src) => referenceGreedy(model, src, 12));
    assert.deepEqual(model.greedyDecode(ids(sources), { bos: BOS, eos: EOS, maxLen: 12 }), reference, `seed ${seed}`);
    assert.deepEqual(model.greedyDecode(ids(sources), { bos: BOS, eos: EOS, maxLen: 12, useCache: false }), reference);
    assert.deepEqual(cached.map((h) => h.tokens), reference, `seed ${seed}`);
    assert.deepEqual(uncached.map((h) => h.tokens), reference);
    assert.deepEqual(beam1.map((h) => h.tokens), reference);
    cached.forEach((h, i) => {
      assert.ok(Math.abs(h.logProb - uncached[i].logProb) < 1e-4);
      assert.ok(Math.abs(h.logProb - scoreOf(model, sources[i], h.tokens, h.finished)) < 1e-4);
    });
  }
});

test('with the cache each step feeds one new token per row, not the prefix again', () => {
  const model = new Seq2SeqTransformer(config, { generator: new Generator(4) }).eval();
  const fed: number[][] = [];
  const original = model.decodeStep.bind(model);
  model.decodeStep = (tokens, enc, cache, record) => {
    fed.push([...tokens.shape]);
    return original(tokens, enc, cache, record);
  };
  const hyps = beamSearch(new Seq2SeqStepModel(model, ids(sources)), sources.length, { bos: BOS, eos: EOS, maxLen: 10, beam: 3 });
  assert.ok(fed.length >= 2);
  for (const shape of fed) assert.equal(shape[1], 1);
  assert.equal(fed[0][0], sources.length, 'the first step has one row per sentence');
  assert.ok(fed.slice(1).every((s) => s[0] <= 3 * sources.length));
  assert.equal(hyps.length, sources.length);
});

test('beam search: every hypothesis\'s log-probability is the teacher-forced one (the cache follows the reorders), and batching changes nothing', () => {
  for (const seed of [5, 6]) {
    const model = new Seq2SeqTransformer(config, { generator: new Generator(seed) }).eval();
    const o = { bos: BOS, eos: EOS, maxLen: 9, beam: 4, lengthPenalty: 1 };
    const all = beamSearchAll(new Seq2SeqStepModel(model, ids(sources)), sources.length, o);
    all.forEach((hyps, s) => {
      assert.ok(hyps.length >= 1);
      for (const h of hyps) {
        const want = scoreOf(model, sources[s], h.tokens, h.finished);
        assert.ok(Math.abs(h.logProb - want) < 1e-4, `seed ${seed} sentence ${s}: ${h.logProb} vs ${want}`);
        assert.ok(Math.abs(h.score - h.logProb / (h.tokens.length + (h.finished ? 1 : 0))) < 1e-6);
      }
    });
    sources.forEach((src, s) => {
      const alone = beamSearch(new Seq2SeqStepModel(model, ids([src])), 1, o)[0];
      assert.deepEqual(alone.tokens, all[s][0].tokens, `sentence ${s} alone`);
    });
  }
});

test('attention: per generated token, a distribution over the real source tokens (0 on padding); last layer or the mean of all', () => {
  const model = new Seq2SeqTransformer(config, { generator: new Generator(7) }).eval();
  const o = { bos: BOS, eos: EOS, maxLen: 8, attention: true };
  const last = greedySearch(new Seq2SeqStepModel(model, ids(sources), { attention: 'last' }), sources.length, o);
  const all = greedySearch(new Seq2SeqStepModel(model, ids(sources), { attention: 'all' }), sources.length, o);
  const uncached = greedySearch(new Seq2SeqStepModel(model, ids(sources), { attention: 'last', useCache: false }), sources.length, o);
  last.forEach((h, s) => {
    assert.equal(h.attention!.length, h.tokens.length + (h.finished ? 1 : 0));
    h.attention!.forEach((row, t) => {
      const real = [...row].slice(0, sources[s].length);
      assert.ok(Math.abs(real.reduce((a, b) => a + b, 0) - 1) < 1e-5);
      assert.ok([...row].slice(sources[s].length).every((v) => v === 0), 'no weight on padding');
      assert.ok([...row].every((v, j) => Math.abs(v - uncached[s].attention![t][j]) < 1e-5), 'the same without the cache');
    });
    assert.deepEqual(all[s].tokens, h.tokens);
  });
  assert.ok(last[0].attention![0].some((v, j) => Math.abs(v - all[0].attention![0][j]) > 1e-6), 'the mean over layers differs from the last layer');
});
