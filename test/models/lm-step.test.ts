/**
 * The word LMs as a search's StepModel (src/models/lm/step.ts): for every kind, reading one token per
 * step gives the logits of a full recomputation over the text so far (within 1e-5), also past the
 * Transformer's context (where the window slides) and after beam-style forks; the Transformer's steps
 * read one new position each; continueGreedy equals the old loop that reran the window for every
 * word; nextDistribution is unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/backend/js/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { Generator } from '../../src/util/random.js';
import { KVCache } from '../../src/nn/attention.js';
import { LM_KINDS, WordLM, type LmKind } from '../../src/models/lm/model.js';
import { LmStepModel } from '../../src/models/lm/step.js';
import { continueGreedy, nextDistribution } from '../../src/models/lm/predict.js';
import { LmTokenizer } from '../../src/models/lm/tokenizer.js';
import { recomputed, rerunGreedy } from './lm-reference.js';

const V = 23;
const CONTEXT = 8;

function makeModel(kind: LmKind, seed = 1): WordLM {
  return new WordLM({ kind, vocabSize: V, embDim: 16, hiddenSize: 12, numLayers: 2, nhead: 2, dimFeedforward: 24, context: CONTEXT, dropout: 0.1 }, { generator: new Generator(seed) }).eval();
}

/** Seeded token ids in 2 … V−1. */
function tokens(n: number, seed: number): number[] {
  const g = new Generator(seed);
  return Array.from({ length: n }, () => 2 + Math.floor(g.uniform() * (V - 2)));
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const kind of LM_KINDS) {
  test(`${kind}: incremental steps give the logits of full recomputation (within 1e-5), past the context too`, () => {
    const model = makeModel(kind);
    const text = tokens(3 * CONTEXT, 7);
    const prompt = text.slice(0, 3);
    const stepper = new LmStepModel(model, prompt);
    let worst = 0;
    for (let t = 3; t < text.length; t++) {
      const got = stepper.logits([text[t]]).contiguousData();
      worst = Math.max(worst, maxDiff(got, recomputed(model, text.slice(0, t + 1))));
    }
    assert.ok(worst < 1e-5, `${kind}: max |Δlogit| ${worst}`);
  });

  test(`${kind}: reorder forks and drops rows with their state (a beam's bookkeeping)`, () => {
    const model = makeModel(kind, 2);
    const a = tokens(CONTEXT + 4, 11);
    const b = tokens(CONTEXT + 4, 12);
    const stepper = new LmStepModel(model, a.slice(0, 2));
    stepper.logits([a[2]]);
    stepper.reorder([0, 0]); // one row becomes two, which then read different tokens
    const history = [a.slice(0, 3), a.slice(0, 3)];
    let worst = 0;
    for (let t = 3; t < a.length; t++) {
      const next = [a[t], b[t]];
      const got = stepper.logits(next).contiguousData();
      next.forEach((x, r) => history[r].push(x));
      history.forEach((h, r) => (worst = Math.max(worst, maxDiff(got.subarray(r * V, (r + 1) * V), recomputed(model, h)))));
    }
    stepper.reorder([1]); // the first row ends
    const got = stepper.logits([5]).contiguousData();
    worst = Math.max(worst, maxDiff(got, recomputed(model, [...history[1], 5])));
    assert.ok(worst < 1e-5, `${kind}: max |Δlogit| ${worst}`);
  });
}

test('the Transformer: within the context each step after the prompt reads one new position through the KV cache', () => {
  const model = makeModel('transformer', 3);
  const fed: number[] = [];
  let reruns = 0;
  const cached = model.forwardCached.bind(model);
  const forward = model.forward.bind(model);
  model.forwardCached = (ids, cache) => (fed.push(ids.shape[1]), cached(ids, cache));
  model.forward = (ids, state) => (reruns++, forward(ids, state));
  const stepper = new LmStepModel(model, [4, 5, 6]);
  for (let t = 0; t < CONTEXT - 3; t++) stepper.step([7 + t]);
  assert.deepEqual(fed, [4, 1, 1, 1, 1], 'the prompt and its first token in one pass, then one position per step');
  assert.equal(reruns, 0);
  stepper.step([3]); // position CONTEXT + 1: the window slides, the whole window is read
  assert.equal(reruns, 1);
});

test('forwardCached: the first piece is exactly forward; pieces after it agree to 1e-5; it refuses positions past the context', () => {
  const model = makeModel('transformer', 4);
  const ids = tokens(CONTEXT, 5);
  const full = noGrad(() => model.forward(new Tensor(Int32Array.from(ids), [1, CONTEXT])).logits.contiguousData());
  const cache = new KVCache();
  const first = noGrad(() => model.forwardCached(new Tensor(Int32Array.from(ids.slice(0, 5)), [1, 5]), cache).contiguousData());
  assert.deepEqual([...first], [...full.subarray(0, 5 * V)]);
  const rest = noGrad(() => model.forwardCached(new Tensor(Int32Array.from(ids.slice(5)), [1, 3]), cache).contiguousData());
  assert.ok(maxDiff(rest, full.subarray(5 * V)) < 1e-5);
  assert.throws(() => noGrad(() => model.forwardCached(new Tensor(Int32Array.from([1]), [1, 1]), cache)), /exceed the Transformer's context of 8/);
  assert.throws(() => makeModel('gru').forwardCached(new Tensor(Int32Array.from([1]), [1, 1]), new KVCache()), /forwardCached is for the Transformer/);
});

/** The vocabulary of the tests below: specials, then w0 … w18. */
function tokenizer(): LmTokenizer {
  return LmTokenizer.train(Array.from({ length: V - 4 }, (_, i) => `w${i}`).join(' '));
}

test('continueGreedy equals the old rerun-the-window loop for every kind, past the context too; nextDistribution is a distribution', () => {
  const tok = tokenizer();
  assert.equal(tok.size, V);
  for (const kind of LM_KINDS) {
    for (const seed of [1, 2, 3]) {
      const model = makeModel(kind, seed);
      // an eos-averse model, so that the continuation runs past the context
      (model.decoder.bias!.data as Float32Array)[2] = -50;
      for (const prompt of ['w1 w2', 'w3 w4 w5 w6 w7 w8 w9 w10 w11 w12']) {
        const got = continueGreedy(model, tok, prompt, 3 * CONTEXT);
        assert.deepEqual(got, rerunGreedy(model, tok, prompt, 3 * CONTEXT), `${kind} seed ${seed} "${prompt}"`);
        assert.equal(got.length, 3 * CONTEXT);
      }
      assert.deepEqual(continueGreedy(model, tok, 'w1', 0), []);
      const p = nextDistribution(model, tok.encodePrompt('w1 w2').ids);
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    }
  }
});

test('continueGreedy stops at the end of a line and leaves the model in the mode it found', () => {
  const tok = tokenizer();
  const model = makeModel('lstm', 5);
  (model.decoder.bias!.data as Float32Array)[2] = 50; // eos is the most likely word
  model.train();
  assert.deepEqual(continueGreedy(model, tok, 'w1 w2', 10), []);
  assert.equal(model.training, true);
});
