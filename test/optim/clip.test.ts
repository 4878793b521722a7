import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/backend/js/index.js';
import { tensor } from '../../src/tensor/create.js';
import { clipGradNorm } from '../../src/optim/clip.js';

function withGrads(...grads: number[][]) {
  return grads.map((g) => {
    const p = tensor(g.map(() => 0), { requiresGrad: true });
    p.grad = tensor(g);
    return p;
  });
}

test('clipGradNorm: the norm is global across parameters, and the scale is maxNorm/(norm + 1e-6)', () => {
  const ps = withGrads([3, 4], [12]); // ‖(3, 4, 12)‖ = 13
  const norm = clipGradNorm(ps, 6.5);
  assert.equal(norm, 13);
  const coef = 6.5 / (13 + 1e-6);
  assert.deepEqual(Array.from(ps[0].grad!.data), [Math.fround(3 * coef), Math.fround(4 * coef)]);
  assert.deepEqual(Array.from(ps[1].grad!.data), [Math.fround(12 * coef)]);
});

test('clipGradNorm: gradients already within the limit are untouched', () => {
  const ps = withGrads([3, 4], [12]);
  assert.equal(clipGradNorm(ps, 20), 13);
  assert.deepEqual(Array.from(ps[0].grad!.data), [3, 4]);
  assert.deepEqual(Array.from(ps[1].grad!.data), [12]);
});

test('clipGradNorm: other norms (1, 3, Infinity)', () => {
  assert.equal(clipGradNorm(withGrads([3, -4], [12]), 100, 1), 19);
  assert.ok(Math.abs(clipGradNorm(withGrads([3, -4], [12]), 100, 3) - Math.cbrt(27 + 64 + 1728)) < 1e-12);
  const ps = withGrads([3, -4], [-12]);
  assert.equal(clipGradNorm(ps, 6, Infinity), 12);
  const coef = 6 / (12 + 1e-6);
  assert.deepEqual(Array.from(ps[1].grad!.data), [Math.fround(-12 * coef)]);
});

test('clipGradNorm: parameters without gradients are skipped; none at all gives 0', () => {
  const [a] = withGrads([3, 4]);
  const b = tensor([1, 1], { requiresGrad: true });
  assert.equal(clipGradNorm([a, b], 1), 5);
  assert.equal(b.grad, null);
  assert.equal(clipGradNorm([b], 1), 0);
});

test('clipGradNorm: a gradient that is a view is replaced by a scaled copy, leaving the storage it viewed alone', () => {
  const p = tensor([0, 0], { requiresGrad: true });
  const base = tensor([0, 6, 8]);
  p.grad = base.slice(0, 1, 3); // offset 1 into base's storage
  assert.equal(p.grad.data, base.data);
  assert.equal(clipGradNorm([p], 5), 10);
  const coef = 5 / (10 + 1e-6);
  assert.deepEqual(Array.from(p.grad.data), [Math.fround(6 * coef), Math.fround(8 * coef)]);
  assert.deepEqual(Array.from(base.data), [0, 6, 8]);
});

test('clipGradNorm: a gradient shared by two parameters is scaled once', () => {
  const g = tensor([3, 4]);
  const a = tensor([0, 0], { requiresGrad: true });
  const b = tensor([0, 0], { requiresGrad: true });
  a.grad = g;
  b.grad = g;
  const norm = clipGradNorm([a, b], 1);
  assert.equal(norm, Math.sqrt(50));
  const coef = 1 / (Math.sqrt(50) + 1e-6);
  assert.deepEqual(Array.from(g.data), [Math.fround(3 * coef), Math.fround(4 * coef)]);
});

test('clipGradNorm: a non-finite norm spreads NaN (as PyTorch), or throws with errorIfNonfinite', () => {
  const ps = withGrads([NaN, 1], [2]);
  assert.ok(Number.isNaN(clipGradNorm(ps, 1)));
  assert.ok(Number.isNaN(ps[1].grad!.data[0]));
  assert.throws(() => clipGradNorm(withGrads([Infinity]), 1, 2, { errorIfNonfinite: true }), /total 2-norm of the gradients is Infinity/);
  assert.throws(() => clipGradNorm(withGrads([1]), -1), /maxNorm must be a number ≥ 0, got -1/);
  assert.throws(() => clipGradNorm(withGrads([1]), 1, 0), /normType must be > 0 or Infinity, got 0/);
});
