import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/backend/js/index.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { Parameter } from '../../src/nn/module.js';
import { SGD } from '../../src/optim/sgd.js';
import { Adam, AdamW } from '../../src/optim/adam.js';
import type { Optimizer } from '../../src/optim/optimizer.js';

// Three fixed gradients applied to p0 = [0.5, -1.25, 2]. The expected values were computed with
// torch.optim's formulas (1.13, single-tensor path) in numpy float32, op by op: see the formulas in
// the SGD and Adam docs (test/optim/reference-values.py regenerates them), independent of the code under test.
const P0 = [0.5, -1.25, 2.0];
const GRADS = [[0.1, -0.2, 0.3], [-0.05, 0.4, 0.1], [0.2, 0.0, -0.3]];

function run3(make: (p: Tensor) => Optimizer<any>): number[][] {
  const p = tensor(P0, { requiresGrad: true });
  const opt = make(p);
  return GRADS.map((g) => {
    p.grad = tensor(g);
    opt.step();
    return Array.from(p.data);
  });
}

function close(actual: number[][], expected: number[][], tol = 1e-6): void {
  expected.forEach((row, s) => row.forEach((v, i) => {
    assert.ok(Math.abs(actual[s][i] - v) <= tol, `step ${s + 1}, element ${i}: got ${actual[s][i]}, expected ${v}`);
  }));
}

test('SGD, plain', () => {
  close(run3((p) => new SGD([p], { lr: 0.1 })), [
    [0.49000000953674316, -1.2300000190734863, 1.9700000286102295],
    [0.4950000047683716, -1.2699999809265137, 1.9600000381469727],
    [0.4749999940395355, -1.2699999809265137, 1.9900000095367432],
  ]);
});

test('SGD, momentum 0.9, dampening 0.1, weight decay 0.01', () => {
  close(run3((p) => new SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 })), [
    [0.4894999861717224, -1.2287499904632568, 1.968000054359436],
    [0.48410943150520325, -1.2445191144943237, 1.9284288883209229],
    [0.4608222246170044, -1.2575912475585938, 1.9180792570114136],
  ]);
});

test('SGD, Nesterov momentum 0.9, weight decay 0.01', () => {
  close(run3((p) => new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })), [
    [0.4800499975681305, -1.209625005722046, 1.9392000436782837],
    [0.48013290762901306, -1.2661142349243164, 1.890595555305481],
    [0.4372273087501526, -1.2796375751495361, 1.911004662513733],
  ]);
});

test('Adam, lr 0.01', () => {
  close(run3((p) => new Adam([p], { lr: 0.01 })), [
    [0.49000000953674316, -1.2400000095367432, 1.9900000095367432],
    [0.4873366355895996, -1.2436610460281372, 1.9812893867492676],
    [0.4807555079460144, -1.2464910745620728, 1.980805516242981],
  ]);
});

test('Adam, L2 weight decay 0.1 and AMSGrad', () => {
  close(run3((p) => new Adam([p], { lr: 0.01, weightDecay: 0.1, amsgrad: true })), [
    [0.49000000953674316, -1.2400000095367432, 1.9900000095367432],
    [0.483352392911911, -1.2397119998931885, 1.9804294109344482],
    [0.4752267301082611, -1.2377134561538696, 1.974244475364685],
  ]);
});

test('AdamW, decoupled weight decay 0.1', () => {
  close(run3((p) => new AdamW([p], { lr: 0.01, weightDecay: 0.1 })), [
    [0.4895000159740448, -1.2387499809265137, 1.9880000352859497],
    [0.48634713888168335, -1.2411723136901855, 1.9773014783859253],
    [0.47927966713905334, -1.2427611351013184, 1.9748402833938599],
  ]);
});

test('maximize ascends: the mirror image of descending on the negated gradient', () => {
  const a = tensor([1, 2], { requiresGrad: true });
  const b = tensor([1, 2], { requiresGrad: true });
  const oa = new Adam([a], { lr: 0.1, maximize: true });
  const ob = new Adam([b], { lr: 0.1 });
  a.grad = tensor([0.3, -0.7]);
  b.grad = tensor([-0.3, 0.7]);
  oa.step(); ob.step();
  assert.deepEqual(a.data, b.data);
});

test('parameter groups carry their own hyper-parameters', () => {
  const w = tensor([1, 1], { requiresGrad: true });
  const b = tensor([1], { requiresGrad: true });
  const opt = new SGD([{ params: [w] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
  assert.equal(opt.paramGroups[0].lr, 0.1);
  assert.equal(opt.paramGroups[1].lr, 0.5);
  assert.equal(opt.paramGroups[1].momentum, 0, 'unset options take the defaults');
  w.grad = tensor([1, 1]);
  b.grad = tensor([1]);
  opt.step();
  assert.deepEqual(Array.from(w.data), [Math.fround(0.9), Math.fround(0.9)]);
  assert.deepEqual(Array.from(b.data), [0.5]);
});

test('parameters without a gradient are left alone and their state does not advance', () => {
  const a = tensor([1, 2], { requiresGrad: true });
  const b = tensor([3, 4], { requiresGrad: true });
  const opt = new Adam([a, b], { lr: 0.1 });
  a.grad = tensor([1, 1]);
  opt.step();
  assert.deepEqual(Array.from(b.data), [3, 4]);
  assert.equal(opt.getState(a)?.step, 1);
  assert.equal(opt.getState(b), undefined);
});

test('zeroGrad clears gradients (to null by default, to zeros on request)', () => {
  const a = tensor([1, 2], { requiresGrad: true });
  const opt = new SGD([a], { lr: 0.1 });
  a.grad = tensor([1, 1]);
  opt.zeroGrad(false);
  assert.deepEqual(Array.from(a.grad!.data), [0, 0]);
  opt.zeroGrad();
  assert.equal(a.grad, null);
});

test('a real training loop: SGD with momentum minimizes (x − 3)² through backward()', () => {
  const x = new Parameter(tensor([0, 10]));
  const opt = new SGD([x], { lr: 0.1, momentum: 0.5 });
  for (let i = 0; i < 100; i++) {
    opt.zeroGrad();
    x.sub(3).pow(2).sum().backward();
    opt.step();
  }
  for (const v of x.data) assert.ok(Math.abs(v - 3) < 1e-5, `converged to ${v}`);
});

test('float64 parameters are updated in float64', () => {
  const p = tensor([1], { dtype: 'float64', requiresGrad: true });
  const opt = new SGD([p], { lr: 1e-10 });
  p.grad = tensor([1], { dtype: 'float64' });
  opt.step();
  assert.equal(p.data[0], 1 - 1e-10);
});

test('bad input: hyper-parameters, parameter lists and gradients give clear errors', () => {
  const p = tensor([1, 2], { requiresGrad: true });
  assert.throws(() => new SGD([p], { lr: -1 }), /SGD: lr must be a finite number ≥ 0, got -1 \(group 0\)/);
  assert.throws(() => new SGD([p], { lr: 0.1, nesterov: true }), /nesterov needs momentum > 0 and dampening 0/);
  assert.throws(() => new Adam([p], { betas: [0.9, 1] }), /Adam: betas must be two numbers in \[0, 1\), got \[0.9,1\]/);
  assert.throws(() => new AdamW([{ params: [p], eps: NaN }]), /AdamW: eps must be a finite number ≥ 0, got NaN \(group 0\)/);
  assert.throws(() => new Adam([]), /Adam: got an empty parameter list/);
  assert.throws(() => new Adam([p, p]), /parameter 1 \(2,\) appears more than once/);
  assert.throws(() => new Adam([tensor([1], { dtype: 'int32' })]), /parameter 0 \(1,\) is int32/);
  assert.throws(() => new Adam([p.mul(2)]), /parameter 0 \(2,\) is not a leaf/);
  assert.throws(() => new Adam([tensor([[1, 2], [3, 4]]).transpose(0, 1)]), /parameter 0 \(2,2\) is a view/);
  const opt = new Adam([p]);
  p.grad = tensor([1, 2, 3]);
  assert.throws(() => opt.step(), /Adam.step: parameter 0 has shape \(2,\) but its gradient has \(3,\)/);
});

test('a bad gradient anywhere stops the whole step before any parameter changes', () => {
  const a = tensor([1, 2], { requiresGrad: true });
  const b = tensor([3], { requiresGrad: true });
  const opt = new SGD([a, b], { lr: 0.1 });
  a.grad = tensor([1, 1]);
  b.grad = tensor([1, 1]);
  assert.throws(() => opt.step(), /parameter 1 has shape \(1,\) but its gradient has \(2,\)/);
  assert.deepEqual(Array.from(a.data), [1, 2]);
});
