import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, confusionMatrix, formatConfusionMatrix } from '../../src/metrics/index.js';

test('accuracy and the confusion matrix (rows true, columns predicted)', () => {
  const t = [0, 0, 1, 1, 2, 2];
  const p = [0, 1, 1, 1, 2, 0];
  assert.equal(accuracy(t, p), 4 / 6);
  assert.deepEqual(confusionMatrix(t, p), [[1, 1, 0], [0, 2, 0], [1, 0, 1]]);
  assert.deepEqual(confusionMatrix([0], [0], 3), [[1, 0, 0], [0, 0, 0], [0, 0, 0]]);
  const text = formatConfusionMatrix(confusionMatrix(t, p), ['a', 'b', 'c']);
  assert.match(text.split('\n')[1], /^a\s+1\s+1\s+0$/);
});

test('metrics refuse mismatched or empty input', () => {
  assert.throws(() => accuracy([0, 1], [0]), /2 true labels but 1 predictions/);
  assert.throws(() => accuracy([], []), /no labels/);
  assert.throws(() => confusionMatrix([0, 3], [0, 0], 3), /out of range/);
});
