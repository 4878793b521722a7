/** Reductions over any axes with keepdim: values, NaN handling, ties, and gradchecks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  arange, argmax, argmin, assertClose, check, logsumexp, rn, t64, tensor, throwsWith, transposedView, zeros,
} from '../helpers/engine.js';

// x[i,j,k] = 12i + 4j + k
const x3 = (): ReturnType<typeof arange> => arange(0, 24).reshape(2, 3, 4);

test('sum over all, one, adjacent and non-adjacent axes, with and without keepdim', () => {
  const x = x3();
  assertClose(x.sum(), 276);
  assert.deepEqual(x.sum().shape, []);
  assertClose(x.sum(0), [[12, 14, 16, 18], [20, 22, 24, 26], [28, 30, 32, 34]]);
  assertClose(x.sum(-1), [[6, 22, 38], [54, 70, 86]]);
  assertClose(x.sum([1, 2]), [66, 210]);
  assertClose(x.sum([0, 2]), [60, 92, 124]); // Σ_i Σ_k (12i+4j+k) = 60 + 32j
  assertClose(x.sum([0, 2], true), [[[60], [92], [124]]]);
  assertClose(x.sum([2, 0]), [60, 92, 124]); // axis order does not matter
  assertClose(x.sum([-1, -3]), [60, 92, 124]);
  assertClose(x.sum(1, true), [[[12, 15, 18, 21]], [[48, 51, 54, 57]]]);
});

test('sum and mean of a non-contiguous view', () => {
  const t = x3().permute(2, 0, 1); // (4,2,3), t[k,i,j] = 12i+4j+k
  assertClose(t.sum(0), [[6, 22, 38], [54, 70, 86]]);
  assertClose(t.sum([0, 2]), [66, 210]);
  assertClose(x3().slice(2, 1, 4, 2).sum(-1), [[4, 12, 20], [28, 36, 44]]); // columns 1 and 3
  assertClose(t.mean([1, 2]), [10, 11, 12, 13]);
});

test('mean divides by the number of reduced elements', () => {
  const x = x3();
  assertClose(x.mean(), 11.5);
  assertClose(x.mean([0, 2]), [7.5, 11.5, 15.5]);
  assertClose(x.mean(1, true), [[[4, 5, 6, 7]], [[16, 17, 18, 19]]]);
});

test('max and min over axes, keepdim', () => {
  const x = x3();
  assertClose(x.max(), 23);
  assertClose(x.min(), 0);
  assertClose(x.max(1), [[8, 9, 10, 11], [20, 21, 22, 23]]);
  assertClose(x.min([0, 1]), [0, 1, 2, 3]);
  assertClose(x.max([0, 2], true), [[[15], [19], [23]]]);
  assertClose(tensor([[-5, -1], [-3, -7]]).max(-1), [-1, -3]); // all negative: the start value is not 0
  assertClose(tensor([[5, 1], [3, 7]]).min(-1), [1, 3]);
});

test('max and min propagate NaN, like PyTorch', () => {
  assertClose(tensor([1, NaN, 3]).max(), NaN);
  assertClose(tensor([1, NaN, 3]).min(), NaN);
  assertClose(tensor([[1, NaN], [2, 3]]).max(1), [NaN, 3]);
  assertClose(tensor([[NaN, 1], [2, 3]]).min(0), [NaN, 1]);
  assertClose(tensor([[1, 5], [NaN, 3]]).max(0), [NaN, 5]);
});

test('argmax/argmin: first index at ties, int32, over the flattened tensor by default', () => {
  const a = argmax(tensor([1, 3, 3, 2]));
  assert.equal(a.dtype, 'int32');
  assert.equal(a.item(), 1);
  assert.equal(argmin(tensor([2, 0, 0, 1])).item(), 1);
  assert.equal(tensor([[1, 5], [5, 0]]).argmax().item(), 1);
  assert.deepEqual(tensor([[1, 5, 5], [7, 7, 0]]).argmax(1).toArray(), [1, 0]);
  assert.deepEqual(tensor([[1, 5, 5], [7, 7, 0]]).argmax(0, true).toArray(), [[1, 1, 0]]);
  assert.deepEqual(tensor([[4, 2, 2], [0, 9, 0]]).argmin(-1).toArray(), [1, 0]);
  // on a transposed view
  assert.deepEqual(tensor([[1, 9], [8, 2], [3, 3]]).transpose(0, 1).argmax(-1).toArray(), [1, 0]);
  // NaN counts as the maximum, as in PyTorch
  assert.equal(tensor([1, NaN, 3]).argmax().item(), 1);
  assert.equal(tensor([NaN, 1, 3]).argmax().item(), 0);
  // integer tensors too (token ids, labels), exactly, beyond float32's 2^24
  assert.deepEqual(tensor([[3, 2147483647, 2147483646], [-5, -2147483648, 7]], { dtype: 'int32' }).argmax(1).toArray(), [1, 2]);
  assert.deepEqual(tensor([16777217, 16777216], { dtype: 'int32' }).argmin(0).toArray(), 1);
});

test('logsumexp is stable for large and -Infinity inputs', () => {
  assertClose(logsumexp(t64([1000, 1000])), 1000 + Math.log(2), 1e-12);
  assertClose(logsumexp(t64([-1000, -1000])), -1000 + Math.log(2), 1e-12);
  assertClose(logsumexp(t64([0, Math.log(3)])), Math.log(4), 1e-15);
  assertClose(logsumexp(tensor([[-Infinity, -Infinity], [0, -Infinity]]), -1), [-Infinity, 0]);
  const x = t64([[1, 2, 3], [4, 5, 6]]);
  const ref = (vs: number[]): number => Math.log(vs.reduce((s, v) => s + Math.exp(v), 0));
  assertClose(x.logsumexp(0), [ref([1, 4]), ref([2, 5]), ref([3, 6])], 1e-12);
  assertClose(x.logsumexp(1, true), [[ref([1, 2, 3])], [ref([4, 5, 6])]], 1e-12);
  assertClose(x.logsumexp(), ref([1, 2, 3, 4, 5, 6]), 1e-12);
});

test('an empty dimension sums to 0 and has no maximum', () => {
  assertClose(zeros([2, 0]).sum(1), [0, 0]);
  throwsWith(() => zeros([2, 0]).max(1), 'empty', '(2,0)');
  throwsWith(() => zeros([0]).argmax(0), 'empty');
});

test('reductions refuse int32 tensors', () => {
  throwsWith(() => tensor([1, 2], { dtype: 'int32' }).sum(), 'sum', 'int32');
});

// ---------- gradients ----------

const AXES: (number | number[] | undefined)[] = [undefined, 0, 1, -1, [0, 1], [1, 2], [0, 2], [2, 0], [0, 1, 2]];

test('gradcheck: sum and mean over every kind of axis set, keepdim or not', () => {
  const x = rn([2, 3, 4], 1);
  for (const ax of AXES) {
    for (const keep of [false, true]) {
      check((v) => v.sum(ax as number[], keep), [x]);
      check((v) => v.mean(ax as number[], keep), [x]);
    }
  }
});

test('gradcheck: max and min over axes (distinct values, so no ties)', () => {
  const x = rn([2, 3, 4], 2);
  for (const ax of AXES) {
    for (const keep of [false, true]) {
      check((v) => v.max(ax as number[], keep), [x]);
      check((v) => v.min(ax as number[], keep), [x]);
    }
  }
});

test('max/min split the gradient evenly among tied maxima', () => {
  const x = tensor([1, 3, 3], { requiresGrad: true });
  x.max().backward();
  assertClose(x.grad!, [0, 0.5, 0.5]);
  const y = tensor([[2, 2], [1, 0]], { requiresGrad: true });
  y.min(1).sum().backward();
  assertClose(y.grad!, [[0.5, 0.5], [0, 1]]);
});

test('gradcheck: logsumexp over axes, keepdim, and at large magnitudes', () => {
  const x = rn([2, 3, 4], 3);
  for (const ax of AXES) {
    for (const keep of [false, true]) check((v) => v.logsumexp(ax as number[], keep), [x]);
  }
  check((v) => v.mul(300).logsumexp(-1), [x]);
});

test('gradcheck: reductions of non-contiguous inputs and of views built inside fn', () => {
  const tv = transposedView(3, 5, 4); // (3,5)
  check((v) => v.sum(0), [tv]);
  check((v) => v.mean(1, true), [tv]);
  check((v) => v.max(0), [tv]);
  check((v) => v.logsumexp(1), [tv]);
  check((v) => v.permute(2, 0, 1).sum([0, 2]), [rn([2, 3, 4], 5)]);
  check((v) => v.slice(1, 0, 3, 2).min(1), [rn([2, 3, 4], 6)]);
  check((v) => v.transpose(0, 2).mean([0, 1]), [rn([2, 3, 4], 7)]);
});
