import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/tensor/create.js';
import { SGD } from '../../src/optim/sgd.js';
import { cosine, inverseSqrt, linearWarmup, LRScheduler, noam, type Schedule } from '../../src/optim/schedules.js';

const at = (s: Schedule, steps: number[], base = 1): number[] => steps.map((k) => s(k, base));

function close(actual: number[], expected: number[], tol = 1e-12): void {
  expected.forEach((v, i) => assert.ok(Math.abs(actual[i] - v) <= tol, `index ${i}: got ${actual[i]}, expected ${v}`));
}

test('linearWarmup: 0 → base over the warmup, then constant', () => {
  close(at(linearWarmup(4), [0, 1, 2, 3, 4, 5, 100], 0.1), [0, 0.025, 0.05, 0.075, 0.1, 0.1, 0.1]);
});

test('linearWarmup with linear decay to minLr at totalSteps, flat after', () => {
  close(at(linearWarmup(2, { decay: 'linear', totalSteps: 6 }), [0, 1, 2, 3, 4, 5, 6, 7], 0.1), [0, 0.05, 0.1, 0.075, 0.05, 0.025, 0, 0]);
  close(at(linearWarmup(2, { decay: 'linear', totalSteps: 6, minLr: 0.01 }), [4, 6, 9], 0.1), [0.055, 0.01, 0.01]);
});

test('noam: factor · d^-0.5 · min(s^-0.5, s · warmup^-1.5), peaking at the warmup', () => {
  const s = noam(512, 4000);
  const peak = 512 ** -0.5 * 4000 ** -0.5; // 6.987712429686844e-4
  close(at(s, [4000]), [peak]);
  close(at(s, [16000]), [peak / 2]);
  close(at(s, [1, 2000]), [512 ** -0.5 * 4000 ** -1.5, peak / 2]);
  close(at(s, [0]), at(s, [1]), 0); // step 0 is treated as step 1
  close(at(noam(16, 10, 2), [10], 123), [2 * 0.25 * 10 ** -0.5]); // the base lr is ignored
  assert.ok(Math.abs(peak - 6.987712429686844e-4) < 1e-15);
});

test('inverseSqrt: linear warmup, then base · √(warmup/step)', () => {
  close(at(inverseSqrt(4), [0, 2, 4, 9, 16], 1), [0, 0.5, 1, 2 / 3, 0.5]);
  close(at(inverseSqrt(0), [0, 1, 4], 1), [1, 1, 0.5]);
});

test('cosine: from base to minLr over totalSteps, after an optional warmup', () => {
  close(at(cosine(10, 0.1), [0, 5, 10, 20], 1), [1, 0.55, 0.1, 0.1]);
  close(at(cosine(10, 0.1, 2), [0, 1, 2, 6, 10], 1), [0, 0.5, 1, 0.55, 0.1]);
  close(at(cosine(4, 0), [1], 2), [2 * 0.5 * (1 + Math.cos(Math.PI / 4))]);
});

test('LRScheduler sets every group from its own base lr, starting at step 0', () => {
  const opt = new SGD([{ params: [tensor([1])], lr: 0.1 }, { params: [tensor([2])], lr: 0.01 }]);
  const sched = new LRScheduler(opt, linearWarmup(2));
  assert.deepEqual(sched.getLastLr(), [0, 0]);
  sched.step();
  assert.deepEqual(sched.getLastLr(), [0.05, 0.005]);
  sched.step();
  sched.step();
  assert.deepEqual(sched.getLastLr(), [0.1, 0.01]);
  assert.equal(sched.lastStep, 3);
});

test('LRScheduler state is JSON and resumes where it left off', () => {
  const make = () => new SGD([tensor([1])], { lr: 1 });
  const a = new LRScheduler(make(), cosine(100, 0.01, 10));
  for (let i = 0; i < 37; i++) a.step();
  const saved = JSON.parse(JSON.stringify(a.stateDict()));
  const optB = make();
  const b = new LRScheduler(optB, cosine(100, 0.01, 10));
  b.loadStateDict(saved);
  assert.equal(optB.paramGroups[0].lr, a.getLastLr()[0]);
  a.step(); b.step();
  assert.equal(b.getLastLr()[0], a.getLastLr()[0]);
  assert.throws(() => b.loadStateDict({ step: 3, baseLrs: [1, 2] }), /expected 1 base lrs \(one per group\), got 2/);
  assert.throws(() => b.loadStateDict({ step: -1, baseLrs: [1] }), /step must be an integer ≥ 0, got -1/);
});

test('bad input: schedule arguments and results', () => {
  assert.throws(() => cosine(0), /cosine: totalSteps must be an integer ≥ 1, got 0/);
  assert.throws(() => cosine(10, 0, 10), /totalSteps must be an integer ≥ 11, got 10/);
  assert.throws(() => linearWarmup(5, { decay: 'linear' }), /totalSteps \(needed for linear decay\) must be an integer ≥ 6, got NaN/);
  assert.throws(() => noam(512, 0), /noam: warmupSteps must be an integer ≥ 1, got 0/);
  assert.throws(() => inverseSqrt(-1), /inverseSqrt: warmupSteps must be an integer ≥ 0, got -1/);
  assert.throws(() => new LRScheduler(new SGD([tensor([1])]), () => NaN), /the schedule gave lr NaN at step 0 for group 0/);
});
