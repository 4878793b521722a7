/** Elementwise ops: forward values, broadcasting, and gradchecks (also on non-contiguous inputs). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  abs, assertClose, awayFromZero, check, exp, gelu, maskedFill, maximum, minimum, pow, rn, ru, sigmoid, t64, tanh,
  tensor, throwsWith, transposedView, where,
} from '../helpers/engine.js';

// ---------- forward values ----------

test('add/sub/mul/div broadcast (2,1) with (3,) and take numbers on either side', () => {
  const a = tensor([[1], [2]]);
  const b = tensor([10, 20, 30]);
  assertClose(a.add(b), [[11, 21, 31], [12, 22, 32]]);
  assertClose(a.sub(b), [[-9, -19, -29], [-8, -18, -28]]);
  assertClose(a.mul(b), [[10, 20, 30], [20, 40, 60]]);
  assertClose(b.div(a), [[10, 20, 30], [5, 10, 15]]);
  assertClose(b.sub(1), [9, 19, 29]);
  assertClose(b.div(4), [2.5, 5, 7.5]);
  assertClose(pow(2, tensor([0, 3, -1])), [1, 8, 0.5]);
  assertClose(tensor([2, 3]).pow(tensor([3, 0.5])), [8, Math.sqrt(3)]);
  assert.throws(() => pow(2, 3), /pow: at least one argument must be a Tensor, got two numbers \(2, 3\)/);
});

test('broadcasting (3,1,4) with (2,4) gives (3,2,4) with the right pairing', () => {
  const a = tensor([[[0, 1, 2, 3]], [[10, 11, 12, 13]], [[20, 21, 22, 23]]]);
  const b = tensor([[100, 200, 300, 400], [1000, 2000, 3000, 4000]]);
  const y = a.add(b);
  assert.deepEqual(y.shape, [3, 2, 4]);
  assertClose(y.slice(0, 2, 3).reshape([2, 4]), [[120, 221, 322, 423], [1020, 2021, 3022, 4023]]);
});

test('unary ops match their definitions', () => {
  const x = t64([-2, -0.5, 0.25, 3]);
  assertClose(x.neg(), [2, 0.5, -0.25, -3]);
  assertClose(x.exp(), [-2, -0.5, 0.25, 3].map(Math.exp), 0, 1e-15);
  assertClose(x.abs(), [2, 0.5, 0.25, 3]);
  assertClose(x.tanh(), [-2, -0.5, 0.25, 3].map(Math.tanh), 0, 1e-15);
  assertClose(x.relu(), [0, 0, 0.25, 3]);
  assertClose(x.sigmoid(), [-2, -0.5, 0.25, 3].map((v) => 1 / (1 + Math.exp(-v))), 1e-15);
  assertClose(t64([4, 0.25]).sqrt(), [2, 0.5]);
  assertClose(t64([Math.E, 1]).log(), [1, 0], 1e-15);
});

test('gelu is exact (erf-based, like PyTorch): gelu(1) = 0.8413447460685429', () => {
  const y = gelu(t64([1, -1, 0, 3, -3, 0.5]));
  // Python: 0.5 * x * (1 + math.erf(x / math.sqrt(2)))
  assertClose(y, [0.8413447460685429, -0.15865525393145707, 0, 2.99595030590511, -0.00404969409489031, 0.34573123063700656], 1e-13, 0);
  // float32 too
  assertClose(gelu(tensor([1])), [0.8413447460685429], 1e-7);
});

test('sigmoid and tanh saturate without NaN for huge inputs', () => {
  assertClose(sigmoid(tensor([-1000, 0, 1000])), [0, 0.5, 1]);
  assertClose(tanh(tensor([-1000, 1000])), [-1, 1]);
  assertClose(exp(tensor([-1000])), [0]);
});

test('maximum and minimum propagate NaN like PyTorch', () => {
  const a = tensor([1, NaN, 3, NaN]);
  const b = tensor([NaN, 2, 1, NaN]);
  assertClose(maximum(a, b), [NaN, NaN, 3, NaN]);
  assertClose(minimum(a, b), [NaN, NaN, 1, NaN]);
  assertClose(maximum(tensor([1, 5]), 3), [3, 5]);
  assertClose(minimum(tensor([1, 5]), 3), [1, 3]);
});

test('comparisons give float 1/0 with broadcasting and no gradient', () => {
  const a = tensor([[1], [2]]);
  const b = tensor([1, 2, 3]);
  assertClose(a.eq(b), [[1, 0, 0], [0, 1, 0]]);
  assertClose(a.ne(b), [[0, 1, 1], [1, 0, 1]]);
  assertClose(a.lt(b), [[0, 1, 1], [0, 0, 1]]);
  assertClose(a.le(b), [[1, 1, 1], [0, 1, 1]]);
  assertClose(a.gt(b), [[0, 0, 0], [1, 0, 0]]);
  assertClose(a.ge(b), [[1, 0, 0], [1, 1, 0]]);
  assert.equal(a.eq(b).dtype, 'float32');
});

test('where picks by condition with broadcasting over all three and numbers', () => {
  const cond = tensor([1, 0, 1]);
  assertClose(where(cond, tensor([[1, 2, 3], [4, 5, 6]]), 0), [[1, 0, 3], [4, 0, 6]]);
  assertClose(where(tensor([[1], [0]]), 7, tensor([1, 2])), [[7, 7], [1, 2]]);
});

test('maskedFill writes the value where the mask is set, broadcasting the mask', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  const causal = tensor([0, 1, 1]);
  const y = maskedFill(x, causal, -Infinity);
  assertClose(y, [[1, -Infinity, -Infinity], [4, -Infinity, -Infinity]]);
  assertClose(x.maskedFill(tensor([[1], [0]]), 0), [[0, 0, 0], [4, 5, 6]]);
});

test('clamp with either bound', () => {
  const x = tensor([-2, -0.5, 0.5, 2]);
  assertClose(x.clamp(-1, 1), [-1, -0.5, 0.5, 1]);
  assertClose(x.clamp(0, null), [0, 0, 0.5, 2]);
  assertClose(x.clamp(null, 0), [-2, -0.5, 0, 0]);
});

test('dtypes: float32 stays float32 with numbers, float64 wins when mixed', () => {
  assert.equal(tensor([1]).add(2).dtype, 'float32');
  assert.equal(tensor([1]).add(t64([2])).dtype, 'float64');
  assert.equal(t64([1]).mul(tensor([2])).dtype, 'float64');
  throwsWith(() => tensor([1, 2], { dtype: 'int32' }).exp(), 'exp', 'float', 'int32');
});

test('elementwise ops read non-contiguous views correctly', () => {
  const base = tensor([[1, 2, 3], [4, 5, 6]]);
  const t = base.transpose(0, 1); // (3,2): [[1,4],[2,5],[3,6]]
  assertClose(t.add(tensor([10, 20])), [[11, 24], [12, 25], [13, 26]]);
  assertClose(t.exp(), [[1, 4], [2, 5], [3, 6]].map((r) => r.map(Math.exp)), 0, 1e-6);
  const s = base.slice(1, 0, 3, 2); // [[1,3],[4,6]]
  assertClose(s.mul(t.slice(0, 1, 3)), [[2, 15], [12, 36]]);
});

// ---------- gradients ----------

test('gradcheck: add, sub, mul, div with broadcasting (3,1,4) op (2,4)', () => {
  const a = rn([3, 1, 4], 1);
  const b = rn([2, 4], 2);
  check((x, y) => x.add(y), [a, b]);
  check((x, y) => x.sub(y), [a, b]);
  check((x, y) => x.mul(y), [a, b]);
  check((x, y) => x.div(y), [a, ru([2, 4], 0.5, 2, 3)]);
  check((x, y) => y.div(x), [ru([3, 1, 4], 0.5, 2, 4), b]);
});

test('gradcheck: binary ops with a number, a 0-d tensor, and a (1,) tensor', () => {
  const x = rn([2, 3], 5);
  check((v) => v.add(3), [x]);
  check((v) => v.sub(2).mul(-1.5), [x]);
  check((v) => tensor(2).to('float64').div(v.abs().add(1)), [x]);
  check((v, s) => v.mul(s), [x, rn([], 6)]);
  check((v, s) => v.div(s), [x, ru([1], 1, 2, 7)]);
});

test('gradcheck: pow in both arguments (positive base), with broadcasting', () => {
  const base = ru([3, 4], 0.5, 2, 8);
  const e = rn([4], 9);
  check((a, b) => a.pow(b), [base, e]);
  check((a) => a.pow(3), [rn([5], 10)]); // integer exponent: any sign of base
  check((b) => pow(2.5, b), [rn([5], 11)]);
});

test('gradcheck: maximum and minimum (no ties), broadcast and with a number', () => {
  const a = rn([3, 1, 4], 12);
  const b = rn([2, 4], 13);
  check((x, y) => maximum(x, y), [a, b]);
  check((x, y) => minimum(x, y), [a, b]);
  check((x) => maximum(x, 0.1), [rn([6], 14)]);
  check((x) => minimum(x, -0.1), [rn([6], 15)]);
});

test('maximum/minimum split the gradient evenly at ties, like PyTorch', () => {
  const a = tensor([1, 2], { requiresGrad: true });
  const b = tensor([1, 3], { requiresGrad: true });
  maximum(a, b).sum().backward();
  assertClose(a.grad!, [0.5, 0]);
  assertClose(b.grad!, [0.5, 1]);
});

test('gradcheck: unary ops', () => {
  const x = rn([3, 4], 16);
  const pos = ru([3, 4], 0.3, 3, 17);
  const away = awayFromZero([3, 4], 18);
  check((v) => v.neg(), [x]);
  check((v) => v.exp(), [x]);
  check((v) => v.log(), [pos]);
  check((v) => v.sqrt(), [pos]);
  check((v) => abs(v), [away]);
  check((v) => v.tanh(), [x]);
  check((v) => v.sigmoid(), [x.mul(3)]);
  check((v) => v.relu(), [away]);
  check((v) => v.gelu(), [x.mul(2)]);
});

test('gradcheck: unary ops on non-contiguous inputs and on views built inside fn', () => {
  const tv = transposedView(3, 4, 19);
  check((v) => v.exp(), [tv]);
  check((v) => v.tanh().mul(v), [tv]);
  const sl = rn([4, 6], 20).slice(1, 1, 6, 2); // (4,3), strided columns
  check((v) => v.sigmoid(), [sl]);
  check((v) => v.transpose(0, 1).gelu().mul(v.transpose(0, 1)), [rn([3, 4], 21)]);
  check((v) => v.slice(0, 0, 4, 2).relu(), [awayFromZero([4, 3], 22)]);
});

test('gradcheck: binary ops on non-contiguous operands, broadcast together', () => {
  const a = transposedView(4, 3, 23); // (4,3)
  const b = rn([3, 4], 24).transpose(0, 1).slice(0, 0, 1); // (1,3), non-contiguous
  check((x, y) => x.mul(y).add(x.div(y.abs().add(1))), [a, b]);
  check((x, y) => x.transpose(0, 1).sub(y.transpose(0, 1)), [a, rn([4, 3], 25)]);
});

test('gradcheck: clamp away from its bounds', () => {
  const x = tensor([-2, -0.7, -0.3, 0.2, 0.6, 1.5]);
  check((v) => v.clamp(-0.5, 0.5), [x]);
  check((v) => v.clamp(0, null), [x]);
  check((v) => v.clamp(null, 0.4), [x]);
  const v = tensor([-2, 0, 2], { requiresGrad: true });
  v.clamp(-1, 1).sum().backward();
  assertClose(v.grad!, [0, 1, 0]);
});

test('clamp passes the whole gradient on the bounds and propagates NaN, like torch.clamp', () => {
  const v = tensor([-1, 0.5, 1, 3], { requiresGrad: true });
  v.clamp(-1, 1).sum().backward();
  assertClose(v.grad!, [1, 1, 1, 0]);
  assertClose(tensor([NaN, 5]).clamp(0, 1), [NaN, 1]);
  // min > max: everything becomes max, as in PyTorch
  assertClose(tensor([-5, 0, 5]).clamp(2, 1), [1, 1, 1]);
  assert.equal(tensor([1], { dtype: 'float64' }).clamp(0, 2).dtype, 'float64');
});

test('gradcheck: where into both branches, with broadcasting', () => {
  const cond = tensor([[1, 0, 0, 1], [0, 1, 1, 0], [1, 1, 0, 0]]);
  check((a, b) => where(cond, a, b), [rn([3, 4], 26), rn([4], 27)]);
  check((a, b) => where(cond, a.transpose(0, 1), b), [rn([4, 3], 28), rn([3, 1], 29)]);
  check((a) => where(cond, a, 0).mul(a), [rn([3, 4], 30)]);
});

test('gradcheck: maskedFill (the filled positions get no gradient)', () => {
  const mask = tensor([[0, 1, 0, 1]]);
  check((x) => maskedFill(x, mask, -3).mul(x), [rn([3, 4], 31)]);
  const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
  x.maskedFill(tensor([1, 0]), 0).sum().backward();
  assertClose(x.grad!, [[0, 1], [0, 1]]);
});
