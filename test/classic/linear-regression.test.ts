import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DivergenceError, fitLine, LINEAR_LIMITS, leastSquares, makeLinePoints } from '../../src/classic/linear-regression.js';

test('gradient descent reaches the least-squares answer and recovers a and b within 1% (1,000 points)', () => {
  for (const seed of [0, 1, 2]) {
    const points = makeLinePoints({ a: 3, b: 5, noise: 0.2, points: 1000, seed });
    const closed = leastSquares(points);
    const fit = fitLine(points, { steps: 200, lr: 0.1 });
    assert.ok(Math.abs(fit.a - closed.a) < 1e-4, `a ${fit.a} vs closed form ${closed.a}`);
    assert.ok(Math.abs(fit.b - closed.b) < 1e-4, `b ${fit.b} vs closed form ${closed.b}`);
    assert.ok(Math.abs(fit.a - 3) / 3 < 0.01, `a ${fit.a}`);
    assert.ok(Math.abs(fit.b - 5) / 5 < 0.01, `b ${fit.b}`);
    assert.ok(Math.abs(fit.loss - 0.04) < 0.01, `the loss approaches the noise variance, got ${fit.loss}`);
  }
});

test('the loss falls as the parameters converge', () => {
  const losses: number[] = [];
  fitLine(makeLinePoints({ a: -2, b: 10, noise: 1, points: 200, seed: 4 }), { steps: 50, onStep: (s) => losses.push(s.loss) });
  assert.ok(losses[0] > 10 * losses[49]);
  for (let i = 1; i < losses.length; i++) assert.ok(losses[i] <= losses[i - 1] + 1e-6);
});

test('least squares is exact on noiseless points, at any scale', () => {
  const x = [1000, 2000, 3500, 4000];
  const y = x.map((v) => 0.25 * v - 7);
  const c = leastSquares({ x, y });
  assert.ok(Math.abs(c.a - 0.25) < 1e-9 && Math.abs(c.b + 7) < 1e-6);
  const fit = fitLine({ x, y }, { steps: 300 });
  assert.ok(Math.abs(fit.a - 0.25) < 1e-4 && Math.abs(fit.b + 7) < 0.05, `${fit.a} ${fit.b}`);
});

test('degenerate data gives clear errors', () => {
  assert.throws(() => leastSquares({ x: [1, 1, 1], y: [1, 2, 3] }), /all x values are equal/);
  assert.throws(() => fitLine({ x: [1], y: [2] }), /at least 2 points/);
  assert.throws(() => makeLinePoints({ a: 1, b: 1, noise: -1, points: 10, seed: 0 }), /noise/);
});

test('divergence is an error, whether the loss overflows or only stops falling', () => {
  const points = makeLinePoints({ a: 3, b: 5, noise: 0.2, points: 100, seed: 0 });
  assert.throws(() => fitLine(points, { lr: 1.5 }), (e: Error) => e instanceof DivergenceError && /diverged at step \d+: the loss is (Infinity|NaN)/.test(e.message));
  assert.throws(() => fitLine(points, { lr: 1 }), (e: Error) => e instanceof DivergenceError && /the loss went from/.test(e.message));
  assert.ok(fitLine(points, { lr: 0.9, steps: 50 }).loss < 1);
  // overflow in the data itself is not blamed on the learning rate
  assert.throws(() => fitLine({ x: [0, 1], y: [1e30, 2e30] }), /the loss is Infinity before any learning: y values up to 2\.00e\+30 are too large for the engine's float32 arithmetic/);
  // data that a = b = 0 already fits exactly is not "divergence"
  assert.equal(fitLine({ x: [0, 1, 2], y: [0, 0, 0] }, { lr: 0.5 }).loss, 0);
});

test('sizes are bounded before any work', () => {
  assert.throws(() => makeLinePoints({ a: 1, b: 1, noise: 0, points: LINEAR_LIMITS.points + 1, seed: 0 }), /--points must be an integer from 2 to 1,000,000/);
  assert.throws(() => fitLine({ x: [0, 1], y: [0, 1] }, { steps: LINEAR_LIMITS.steps + 1 }), /--steps must be an integer from 1 to 100,000/);
  assert.throws(() => fitLine({ x: [0, 1], y: [0, 1] }, { lr: -0.1 }), /--lr must be a number > 0/);
});
