/** Define-by-run autograd: accumulation, noGrad, detach, shared leaves, deep graphs, anomaly mode. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AnomalyError, Tensor, assertClose, check, isGradEnabled, matmul, noGrad, rn, setAnomalyDetection, tensor, throwsWith, zeros,
} from '../helpers/engine.js';

test('gradients accumulate across two backward calls', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  x.mul(x).sum().backward();
  assertClose(x.grad!, [2, 4, 6]);
  x.mul(x).sum().backward();
  assertClose(x.grad!, [4, 8, 12]);
  // a different graph adds to the same storage
  x.sum().backward();
  assertClose(x.grad!, [5, 9, 13]);
  // gradients are plain tensors: the backward pass records no graph of its own
  assert.equal(x.grad!.gradFn, null);
  assert.equal(x.grad!.requiresGrad, false);
});

test('the same graph can be walked backward twice', () => {
  const x = tensor([0.5, -1], { requiresGrad: true });
  const loss = x.exp().sum();
  loss.backward();
  loss.backward();
  assertClose(x.grad!, [2 * Math.exp(0.5), 2 * Math.exp(-1)]);
});

test('noGrad records nothing and restores the mode, even when its body throws', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = noGrad(() => x.mul(2).add(1));
  assert.equal(y.gradFn, null);
  assert.equal(y.requiresGrad, false);
  assert.equal(y.isLeaf, true);
  assertClose(y, [3, 5]);
  assert.equal(isGradEnabled(), true);
  assert.throws(() => noGrad(() => { throw new Error('boom'); }), /boom/);
  assert.equal(isGradEnabled(), true);
  // nested noGrad keeps recording off until the outermost returns
  noGrad(() => {
    noGrad(() => undefined);
    assert.equal(isGradEnabled(), false);
    assert.equal(x.mul(3).gradFn, null);
  });
  // after noGrad, recording is back on
  assert.notEqual(x.mul(3).gradFn, null);
});

test('detach cuts the graph but shares storage', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const y = x.mul(2);
  const d = y.detach();
  assert.equal(d.gradFn, null);
  assert.equal(d.requiresGrad, false);
  assert.equal(d.data, y.data);
  // z = d·x: with d cut, dz/dx = d = 2x, not 4x
  d.mul(x).sum().backward();
  assertClose(x.grad!, [2, 4, 6]);
});

test('a leaf used twice gets the summed gradient', () => {
  const x = tensor([1, -2, 3], { requiresGrad: true });
  x.mul(x).add(x).sum().backward(); // d(x² + x) = 2x + 1
  assertClose(x.grad!, [3, -3, 7]);
  const y = tensor([2, 5], { requiresGrad: true });
  y.add(y).add(y).sum().backward();
  assertClose(y.grad!, [3, 3]);
});

test('a node reached through paths of different lengths gets all its gradient before passing it on', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const a = x.mul(2);
  const b = a.mul(3).exp().log(); // a longer path from a
  a.add(b).sum().backward(); // d/dx (2x + 6x) = 8
  assertClose(x.grad!, [8, 8], 1e-5);
});

test('gradients reach only tensors that require them; comparisons are not differentiable', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const c = tensor([3, 4]);
  x.mul(c).sum().backward();
  assertClose(x.grad!, [3, 4]);
  assert.equal(c.grad, null);
  assert.equal(x.gt(0).gradFn, null);
  assert.equal(x.gt(0).requiresGrad, false);
});

test('retainGrad keeps the gradient of an intermediate tensor', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const h = x.mul(3).retainGrad();
  const y = x.mul(5);
  h.mul(h).sum().backward();
  assertClose(h.grad!, [6, 12]); // 2h
  assert.equal(y.grad, null);
});

test('a gradient always has the dtype of its tensor, even when float64 operands were mixed in', () => {
  const x = tensor([1, 2], { requiresGrad: true }); // float32
  const w = tensor([3, 4], { dtype: 'float64' });
  const y = x.mul(w); // float64
  assert.equal(y.dtype, 'float64');
  y.retainGrad();
  y.sum().backward();
  assert.equal(x.grad!.dtype, 'float32');
  assert.equal(y.grad!.dtype, 'float64');
  assertClose(x.grad!, [3, 4]);
  const d = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
  d.mul(tensor([5, 6])).sum().backward();
  assert.equal(d.grad!.dtype, 'float64');
  assertClose(d.grad!, [5, 6]);
});

test('backward of a leaf accumulates the seed gradient into itself', () => {
  const x = tensor(2, { requiresGrad: true });
  x.backward();
  assertClose(x.grad!, 1);
});

test('backward on a non-scalar without a gradient throws and names the shape', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
  const y = x.mul(2);
  throwsWith(() => y.backward(), '(2,3)', 'gradient');
  throwsWith(() => y.backward(tensor([1, 2, 3])), '(3,)', '(2,3)');
  y.backward(tensor([[1, 0, 0], [0, 0, 2]]));
  assertClose(x.grad!, [[2, 0, 0], [0, 0, 4]]);
});

test('backward on a tensor that does not require grad throws', () => {
  throwsWith(() => tensor([1]).mul(2).sum().backward(), 'does not require grad');
  const x = tensor([1], { requiresGrad: true });
  throwsWith(() => noGrad(() => x.mul(2)).sum().backward(), 'does not require grad');
});

test('requiresGrad is refused on int32 tensors, and on non-leaves it cannot be turned off', () => {
  throwsWith(() => tensor([1, 2], { dtype: 'int32', requiresGrad: true }), 'float');
  const y = tensor([1], { requiresGrad: true }).mul(2);
  throwsWith(() => y.requiresGrad_(false), 'detach');
});

test('a chain of 20,000 ops backpropagates without overflowing the stack', () => {
  const x = tensor([1, -1, 0.5, 2], { requiresGrad: true });
  let h = zeros([4]);
  const steps = 10_000; // two ops per step
  for (let i = 0; i < steps; i++) h = h.mul(0.999).add(x);
  h.sum().backward();
  // h_N = Σ_{j<N} 0.999^j · x
  const expected = (1 - 0.999 ** steps) / (1 - 0.999);
  assertClose(x.grad!, [expected, expected, expected, expected], 1e-3, 1e-4);
});

test('an RNN unrolled over 500 steps (several ops each) backpropagates, and its gradient is right', () => {
  const W = rn([4, 4], 3).mul(0.3).requiresGrad_();
  const U = rn([3, 4], 4).mul(0.3).requiresGrad_();
  const xs = rn([500, 3], 5);
  const run = (w: Tensor, u: Tensor, steps: number): Tensor => {
    let h = zeros([1, 4], { dtype: w.dtype });
    for (let t = 0; t < steps; t++) {
      const xt = xs.slice(0, t, t + 1).to(w.dtype); // (1, 3)
      h = matmul(h, w).add(matmul(xt, u)).tanh().mul(0.9).add(h.mul(0.1));
    }
    return h.sum();
  };
  run(W, U, 500).backward();
  assert.ok(W.grad && U.grad);
  assert.ok(Array.from(W.grad.data).every(Number.isFinite));
  // the same recurrence, shorter, against finite differences
  check((w, u) => run(w, u, 6), [W.detach(), U.detach()]);
});

test('anomaly mode names the op that produced NaN or Inf in the forward pass', () => {
  const x = tensor([1, -1]);
  // off by default: a silent NaN
  assert.ok(Number.isNaN(x.log().data[1]));
  setAnomalyDetection(true);
  try {
    assert.throws(() => x.log(), (e: Error) => e instanceof AnomalyError && /\blog\b/.test(e.message) && e.message.includes('NaN'));
    assert.throws(() => tensor([1000]).exp(), (e: Error) => e instanceof AnomalyError && /\bexp\b/.test(e.message) && e.message.includes('Infinity'));
    assert.throws(() => tensor([1]).div(tensor([0])), (e: Error) => e instanceof AnomalyError && /\bdiv\b/.test(e.message));
    // finite values pass
    assertClose(tensor([4]).sqrt(), [2]);
  } finally {
    setAnomalyDetection(false);
  }
});

test('anomaly mode names the op whose backward produced a non-finite gradient', () => {
  const x = tensor([0, 4], { requiresGrad: true });
  setAnomalyDetection(true);
  try {
    const y = x.sqrt().sum(); // forward finite; d sqrt at 0 is infinite
    assert.throws(() => y.backward(), (e: Error) => e instanceof AnomalyError && /backward of sqrt/.test(e.message));
  } finally {
    setAnomalyDetection(false);
  }
});
