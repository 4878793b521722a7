// The translator page's rules without a browser: the input limits and how attention maps are chosen
// and averaged for display.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_INPUT_CHARS, inputProblem, selectMap, strongest } from '../../web/src/lib/translate-logic.js';

test('inputProblem: empty and over-long input get a message in the page language; ordinary input none', () => {
  assert.match(inputProblem('  ', 'en')!, /Type a Chinese sentence/);
  assert.match(inputProblem('', 'zh')!, /请输入/);
  assert.match(inputProblem('我'.repeat(10_000), 'en')!, /10,000 characters; this page translates at most 1,000/);
  assert.equal(inputProblem('我'.repeat(MAX_INPUT_CHARS), 'en'), null);
  assert.equal(inputProblem('我正在吃饭', 'en'), null);
});

test('selectMap: one layer and head, the mean of heads, the mean of layers; rows still sum to 1', () => {
  const maps = [
    [[[1, 0], [0.5, 0.5]], [[0, 1], [0.5, 0.5]]],
    [[[0.2, 0.8], [1, 0]], [[0.6, 0.4], [0, 1]]],
  ];
  assert.deepEqual(selectMap(maps, 1, 0), [[0.2, 0.8], [1, 0]]);
  assert.deepEqual(selectMap(maps, 0, -1), [[0.5, 0.5], [0.5, 0.5]]);
  const all = selectMap(maps, -1, -1);
  assert.ok(Math.abs(all[0][0] - 0.45) < 1e-12 && Math.abs(all[1][1] - 0.5) < 1e-12);
  for (const row of all) assert.ok(Math.abs(row[0] + row[1] - 1) < 1e-12);
  assert.deepEqual(selectMap([], 0, 0), []);
});

test('strongest: the top columns of a row, ties broken by position', () => {
  assert.deepEqual(strongest([0.1, 0.5, 0.1, 0.3], 2), [[1, 0.5], [3, 0.3]]);
  assert.deepEqual(strongest([0.25, 0.25], 3), [[0, 0.25], [1, 0.25]]);
});
