/** The shared gradcheck helper itself: it must pass correct gradients and catch wrong ones. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromOp } from '../../src/ops/make.js';
import { Tensor, gradcheck, rn, transposedView, tensor } from '../helpers/engine.js';

/** y = x², with a backward that is wrong by `factor` (2 is right). */
function square(x: Tensor, factor: number): Tensor {
  const xd = x.floatData();
  const out = new Float64Array(xd.length);
  for (let i = 0; i < xd.length; i++) out[i] = xd[i] * xd[i];
  return fromOp('square', out, x.shape, [x], (g) => [g.mul(new Tensor(Float64Array.from(xd), x.shape)).mul(factor)]);
}

test('gradcheck passes a correct backward', () => {
  assert.equal(gradcheck((x) => square(x, 2), [rn([3, 4])]), true);
});

test('gradcheck catches a wrong backward and names input, element and both values', () => {
  assert.throws(() => gradcheck((x) => square(x, 1.9), [rn([3, 4])]), (e: Error) => {
    assert.match(e.message, /input 0 \(3,4\), element 0: analytic .* vs numeric /);
    return true;
  });
});

test('gradcheck catches a backward that forgets one input', () => {
  const fn = (a: Tensor, b: Tensor): Tensor => {
    const ad = a.floatData();
    const bd = b.floatData();
    const out = new Float64Array(ad.length);
    for (let i = 0; i < ad.length; i++) out[i] = ad[i] * bd[i];
    return fromOp('mulNoB', out, a.shape, [a, b], (g) => [g.mul(new Tensor(Float64Array.from(bd), b.shape)), null]);
  };
  assert.throws(() => gradcheck(fn, [rn([5], 1), rn([5], 2)]), /input 1/);
});

test('gradcheck maps a non-contiguous input element by element (a wrong permutation is caught)', () => {
  const x = transposedView(3, 4); // shape (3,4), strides (1,3)
  const w = rn([3, 4], 7).to('float64');
  assert.equal(gradcheck((v) => v.mul(w).sum(), [x]), true);
  // a backward that returns the gradient in storage order instead of logical order must fail
  const wrong = (v: Tensor): Tensor => {
    const vd = v.contiguousData();
    const wd = w.contiguousData();
    let s = 0;
    for (let i = 0; i < vd.length; i++) s += vd[i] * wd[i];
    return fromOp('dotStorageOrder', new Float64Array([s]), [], [v], (g) => [
      new Tensor(Float64Array.from(w.transpose(0, 1).contiguousData(), (q) => q * (g.item())), [3, 4]),
    ]);
  };
  assert.throws(() => gradcheck(wrong, [x]), /gradcheck: input 0/);
});

test('gradcheck runs in float64 even for float32 inputs', () => {
  let seen = '';
  gradcheck((x) => { seen = x.dtype; return x.exp().sum(); }, [tensor([0.5, -1])]);
  assert.equal(seen, 'float64');
});

test('gradcheck refuses an output that does not depend on its inputs', () => {
  assert.throws(() => gradcheck(() => tensor([1, 2]).to('float64'), [rn([2])]), /does not depend/);
});
