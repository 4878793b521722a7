import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simultaneousSort, TopK } from '../../src/classic/select.js';
import { Generator } from '../../src/util/random.js';

test("TopK keeps the k smallest, and equal values fall as scikit-learn's heap leaves them (not lowest index)", () => {
  // k = 3: three points at distance 5 (indices 0,1,2), then two closer ones. scikit-learn's heap
  // evicts index 2 and then index 0, keeping index 1: not "lowest index first".
  const h = new TopK(3);
  for (const [v, i] of [[5, 0], [5, 1], [5, 2], [1, 3], [2, 4]]) h.push(v, i);
  const { values, indices } = h.sorted();
  assert.deepEqual(Array.from(values), [1, 2, 5]);
  assert.deepEqual(Array.from(indices), [3, 4, 1]);
});

test('a value equal to the current k-th is rejected', () => {
  const h = new TopK(2);
  for (const [v, i] of [[1, 0], [2, 1], [2, 2], [2, 3]]) h.push(v, i);
  assert.deepEqual(Array.from(h.sorted().indices), [0, 1]);
});

test('TopK agrees with a full sort on distinct values', () => {
  const g = new Generator(3);
  for (let trial = 0; trial < 50; trial++) {
    const n = 1 + g.randint(200);
    const k = 1 + g.randint(n);
    const v = Array.from({ length: n }, () => g.uniform());
    const h = new TopK(k);
    v.forEach((x, i) => h.push(x, i));
    const want = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]).slice(0, k).map((p) => p[1]);
    assert.deepEqual(Array.from(h.sorted().indices), want);
  }
});

test('simultaneousSort sorts values and carries indices along', () => {
  const g = new Generator(5);
  for (let n = 0; n < 40; n++) {
    const v = Float64Array.from({ length: n }, () => g.randint(6));
    const ix = Int32Array.from({ length: n }, (_, i) => i);
    const orig = Float64Array.from(v);
    simultaneousSort(v, ix, 0, n);
    for (let i = 1; i < n; i++) assert.ok(v[i - 1] <= v[i]);
    for (let i = 0; i < n; i++) assert.equal(orig[ix[i]], v[i]);
  }
});
