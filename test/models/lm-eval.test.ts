/**
 * Held-out evaluation that compares like with like: every LM kind and the unigram baseline score the
 * same predicted tokens, and the Transformer's sliding-window evaluation gives each token the context
 * its window allows — checked against one forward pass per token.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { Generator } from '../../src/util/random.js';
import { WordLM, LM_KINDS } from '../../src/models/lm/model.js';
import { batchify, evaluateLm, unigramPerplexity } from '../../src/models/lm/train.js';

const V = 11;

function stream(n: number, seed: number): Int32Array {
  const g = new Generator(seed);
  return Int32Array.from({ length: n }, () => g.randint(V));
}

/** In eval mode (no dropout), the mode evaluateLm reads in, so the per-token passes compare. */
function tinyLm(kind: (typeof LM_KINDS)[number], context = 8): WordLM {
  return evalMode(new WordLM({ kind, vocabSize: V, embDim: 8, hiddenSize: 8, nhead: 2, numLayers: 2, dimFeedforward: 16, dropout: 0.1, context }, { generator: new Generator(3) }));
}

function evalMode(m: WordLM): WordLM {
  m.eval();
  return m;
}

/** −log p(target | context) from one forward pass over exactly `context`. */
function tokenNll(model: WordLM, context: Int32Array, target: number): number {
  return noGrad(() => {
    const logits = model.forward(new Tensor(context, [1, context.length])).logits; // (1, T, V)
    const last = logits.slice(1, context.length - 1, context.length).reshape([V]).toArray() as number[];
    const m = Math.max(...last);
    const lse = m + Math.log(last.reduce((acc, z) => acc + Math.exp(z - m), 0));
    return lse - last[target];
  });
}

test('every LM kind and the unigram baseline score the same tokens: positions 1…N−1 of each stream', () => {
  const ids = stream(203, 1); // 8 streams of 25, the last 3 tokens dropped by every kind alike
  const s = batchify(ids, 8);
  const expected = s.B * (s.N - 1);
  for (const kind of LM_KINDS) {
    // bptt 7 does not divide 24 and the window 8 does not either: the chunking must not change the set
    assert.equal(evaluateLm(tinyLm(kind), ids, { batchSize: 8, bptt: 7 }).tokens, expected, kind);
  }
  // the unigram baseline: a word only at the positions no model predicts (each stream's first token,
  // the dropped tail) must not change its perplexity, and one at a predicted position must
  const train = Int32Array.from({ length: 50 }, (_, i) => i % V);
  const base = unigramPerplexity(train, ids, V, { batchSize: 8 });
  const unpredicted = ids.slice();
  const rare = 10;
  for (let b = 0; b < s.B; b++) unpredicted[b * s.N] = rare;
  for (let i = s.B * s.N; i < ids.length; i++) unpredicted[i] = rare;
  const counts = new Float64Array(V).fill(1);
  for (const id of train) counts[id]++;
  let nll = 0;
  for (let b = 0; b < s.B; b++) for (let t = 1; t < s.N; t++) nll -= Math.log(counts[ids[b * s.N + t]] / (train.length + V));
  assert.ok(Math.abs(base - Math.exp(nll / expected)) < 1e-9 * base, `${base} vs ${Math.exp(nll / expected)}`);
  assert.equal(unigramPerplexity(train, unpredicted, V, { batchSize: 8 }), base);
  const predicted = ids.slice();
  predicted[1] = ids[1] === 0 ? 1 : 0;
  assert.notEqual(unigramPerplexity(train, predicted, V, { batchSize: 8 }), base);
});

test('the Transformer with stride 1 equals one forward per token over its last `context` tokens', () => {
  const C = 6;
  const model = tinyLm('transformer', C);
  const ids = stream(43, 2); // 3 streams of 14: tokens near a stream's start see fewer than C
  const s = batchify(ids, 3);
  let nll = 0;
  for (let b = 0; b < s.B; b++) {
    const row = s.data.subarray(b * s.N, (b + 1) * s.N);
    for (let t = 1; t < s.N; t++) nll += tokenNll(model, row.slice(Math.max(0, t - C), t), row[t]);
  }
  const e = evaluateLm(model, ids, { batchSize: 3, stride: 1 });
  assert.equal(e.tokens, s.B * (s.N - 1));
  assert.ok(Math.abs(e.loss - nll / e.tokens) < 1e-5, `${e.loss} vs ${nll / e.tokens}`);
});

test('the Transformer with a stride > 1 scores each token once, from the window that ends nearest after it', () => {
  const C = 6;
  const model = tinyLm('transformer', C);
  const ids = stream(43, 4);
  const s = batchify(ids, 3);
  for (const stride of [2, 4, 6]) {
    // windows end at C, C + stride, C + 2·stride, … and N − 1 (targets); each scores the targets after
    // the previous end, reading the C tokens before its end (fewer at a stream's start)
    const ends: number[] = [];
    for (let end = Math.min(C, s.N - 1); ; end = Math.min(end + stride, s.N - 1)) {
      ends.push(end);
      if (end === s.N - 1) break;
    }
    let nll = 0;
    for (let b = 0; b < s.B; b++) {
      const row = s.data.subarray(b * s.N, (b + 1) * s.N);
      for (let t = 1; t < s.N; t++) {
        const end = ends.find((x) => x >= t)!;
        nll += tokenNll(model, row.slice(Math.max(0, end - C), t), row[t]);
      }
    }
    const e = evaluateLm(model, ids, { batchSize: 3, stride });
    assert.equal(e.tokens, s.B * (s.N - 1), `stride ${stride}`);
    assert.ok(Math.abs(e.loss - nll / e.tokens) < 1e-5, `stride ${stride}: ${e.loss} vs ${nll / e.tokens}`);
  }
  // given the training chunk, the window is that chunk (positions past it were never trained), halved for the stride
  assert.deepEqual(evaluateLm(model, ids, { batchSize: 3, bptt: 4 }), evaluateLm(model, ids, { batchSize: 3, window: 4, stride: 2 }));
  assert.deepEqual(evaluateLm(model, ids, { batchSize: 3, bptt: 40 }), evaluateLm(model, ids, { batchSize: 3, window: C, stride: C / 2 }));
  // stride C is the old reading of the text in separate chunks; a smaller stride gives more context
  assert.notEqual(evaluateLm(model, ids, { batchSize: 3, stride: 1 }).loss, evaluateLm(model, ids, { batchSize: 3, stride: C }).loss);
});

test('the evaluation window and stride must be positive integers', () => {
  const model = tinyLm('transformer');
  assert.throws(() => evaluateLm(model, stream(40, 5), { stride: 0 }), /the evaluation stride must be a positive integer, got 0/);
  assert.throws(() => evaluateLm(model, stream(40, 5), { window: 2.5 }), /the evaluation window must be a positive integer, got 2.5/);
});
