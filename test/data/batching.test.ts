/** Length-bucketed batches: every pair once, limits respected, similar lengths together, seeded order; padding. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketBatches, padSequences, type EncodedPair } from '../../src/data/batching.js';
import { Generator } from '../../src/util/random.js';

/** 500 pairs with lengths 1..40, ids that name the pair. */
function makePairs(n = 500, seed = 7): (EncodedPair & { id: number })[] {
  const g = new Generator(seed);
  return Array.from({ length: n }, (_, id) => ({
    id,
    src: Array.from({ length: 1 + g.randint(40) }, () => id),
    tgt: Array.from({ length: 1 + g.randint(40) }, () => id),
  }));
}
const len = (p: EncodedPair) => Math.max(p.src.length, p.tgt.length);

test('maxTokens: every pair in exactly one batch, B × longest ≤ maxTokens, little padding', () => {
  const pairs = makePairs();
  const batches = bucketBatches(pairs, { maxTokens: 200, seed: 1 });
  const seen = batches.flat().map((p) => p.id).sort((a, b) => a - b);
  assert.deepEqual(seen, pairs.map((p) => p.id));
  let padded = 0;
  let real = 0;
  for (const b of batches) {
    const longest = Math.max(...b.map(len));
    assert.ok(b.length * longest <= 200, `batch of ${b.length} × ${longest}`);
    padded += b.length * longest;
    real += b.reduce((s, p) => s + len(p), 0);
  }
  // sorted by length, batches waste little: measured 1.3% here (random batches of 8 waste 41%)
  assert.ok(padded / real < 1.05, `padding overhead ${(padded / real - 1) * 100}%`);
});

test('batchSize alone, and both limits together', () => {
  const pairs = makePairs(103);
  const bs = bucketBatches(pairs, { batchSize: 10, seed: 0 });
  assert.equal(bs.length, 11);
  assert.deepEqual(bs.map((b) => b.length).sort((a, b) => a - b), [3, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
  const both = bucketBatches(pairs, { batchSize: 4, maxTokens: 100, seed: 0 });
  for (const b of both) assert.ok(b.length <= 4 && b.length * Math.max(...b.map(len)) <= 100);
});

test('a pair longer than maxTokens gets a batch of its own', () => {
  const pairs = [{ src: new Array(50).fill(1), tgt: [1] }, { src: [2], tgt: [2] }, { src: [3], tgt: [3] }];
  const batches = bucketBatches(pairs, { maxTokens: 10, shuffle: false });
  assert.deepEqual(batches.map((b) => b.map((p) => p.src[0])), [[2, 3], [1]]);
});

test('same seed, same batches; another seed, another order; a Generator advances between epochs', () => {
  const pairs = makePairs();
  const ids = (bs: { id: number }[][]) => bs.map((b) => b.map((p) => p.id).join(',')).join('|');
  assert.equal(ids(bucketBatches(pairs, { maxTokens: 300, seed: 5 })), ids(bucketBatches(pairs, { maxTokens: 300, seed: 5 })));
  assert.notEqual(ids(bucketBatches(pairs, { maxTokens: 300, seed: 5 })), ids(bucketBatches(pairs, { maxTokens: 300, seed: 6 })));
  const g = new Generator(9);
  const e1 = ids(bucketBatches(pairs, { maxTokens: 300, seed: g }));
  const e2 = ids(bucketBatches(pairs, { maxTokens: 300, seed: g }));
  assert.notEqual(e1, e2);
  const g2 = new Generator(9);
  assert.equal(ids(bucketBatches(pairs, { maxTokens: 300, seed: g2 })), e1, 'a generator with the same state repeats the epoch');
  const unshuffled = bucketBatches(pairs, { maxTokens: 300, shuffle: false });
  const firsts = unshuffled.map((b) => len(b[0]));
  assert.deepEqual(firsts, [...firsts].sort((a, b) => a - b), 'without shuffling, batches come shortest first');
});

test('argument errors', () => {
  assert.throws(() => bucketBatches([], {}), /give maxTokens or batchSize/);
  assert.throws(() => bucketBatches([], { maxTokens: 0 }), /maxTokens must be at least 1/);
  assert.throws(() => bucketBatches([], { batchSize: 0 }), /batchSize must be at least 1/);
  assert.deepEqual(bucketBatches([], { batchSize: 3 }), []);
});

test('padSequences pads to the longest row, row-major (B, T)', () => {
  assert.deepEqual(padSequences([[5, 6, 7], [8]]), { ids: [5, 6, 7, 8, 0, 0], shape: [2, 3], lengths: [3, 1] });
  assert.deepEqual(padSequences([[1], []], 9), { ids: [1, 9], shape: [2, 1], lengths: [1, 0] });
  assert.deepEqual(padSequences([]), { ids: [], shape: [0, 0], lengths: [] });
});
