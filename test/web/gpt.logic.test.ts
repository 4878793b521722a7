// The GPT page's sampling knobs: the reshaped distribution sums to 1, temperature sharpens and
// flattens, top-k and top-p keep what they should, temperature 0 is greedy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reshapeDistribution, topEntries } from '../../web/src/lib/sampling-logic.js';

const logits = [2, 1, 0.5, 0, -1];
const sum = (p: Float64Array): number => p.reduce((a, b) => a + b, 0);

test('temperature 1 with no cuts is the softmax; lower sharpens, higher flattens; 0 is greedy', () => {
  const p = reshapeDistribution(logits, 1, 0, 1);
  const z = logits.reduce((a, l) => a + Math.exp(l), 0);
  p.forEach((v, i) => assert.ok(Math.abs(v - Math.exp(logits[i]) / z) < 1e-12));
  assert.ok(reshapeDistribution(logits, 0.5, 0, 1)[0] > p[0]);
  assert.ok(reshapeDistribution(logits, 2, 0, 1)[0] < p[0]);
  assert.deepEqual(Array.from(reshapeDistribution(logits, 0, 0, 1)), [1, 0, 0, 0, 0]);
});

test('top-k keeps k words (ties with the k-th too), top-p the smallest nucleus reaching p; both renormalise', () => {
  const k2 = reshapeDistribution(logits, 1, 2, 1);
  assert.equal(Array.from(k2).filter((v) => v > 0).length, 2);
  assert.ok(Math.abs(sum(k2) - 1) < 1e-12);
  assert.equal(Array.from(reshapeDistribution([1, 1, 1, 0], 1, 2, 1)).filter((v) => v > 0).length, 3, 'ties kept');
  const p = reshapeDistribution(logits, 1, 0, 1);
  const nucleus = reshapeDistribution(logits, 1, 0, 0.7);
  const kept = Array.from(nucleus).filter((v) => v > 0).length;
  assert.ok(p[0] < 0.7 && p[0] + p[1] >= 0.7 ? kept === 2 : kept >= 1, `kept ${kept}`);
  assert.ok(Math.abs(sum(nucleus) - 1) < 1e-12);
  assert.deepEqual(topEntries([0.1, 0.5, 0.4], 2), [[1, 0.5], [2, 0.4]]);
});
