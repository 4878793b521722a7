/** Shape ops: views share storage, copies happen only when needed, and gradients flow through all of them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  arange, assertClose, cast, check, expand, flatten, rn, squeeze, t64, tensor, throwsWith, transposedView, unsqueeze,
} from '../helpers/engine.js';

test('reshape of a contiguous tensor is a view; -1 is inferred', () => {
  const x = arange(0, 6);
  const y = x.reshape(2, -1);
  assert.deepEqual(y.shape, [2, 3]);
  assert.equal(y.data, x.data);
  assertClose(y, [[0, 1, 2], [3, 4, 5]]);
  assert.deepEqual(x.view([3, 2]).toArray(), [[0, 1], [2, 3], [4, 5]]);
  assert.deepEqual(x.reshape([6]).shape, [6]);
});

test('reshape of a non-contiguous view copies and keeps logical order', () => {
  const t = arange(0, 6).reshape(2, 3).transpose(0, 1); // [[0,3],[1,4],[2,5]]
  const y = t.reshape(6);
  assert.notEqual(y.data, t.data);
  assertClose(y, [0, 3, 1, 4, 2, 5]);
});

test('permute, transpose and T reorder dimensions without copying', () => {
  const x = arange(0, 24).reshape(2, 3, 4);
  const p = x.permute(2, 0, 1);
  assert.deepEqual(p.shape, [4, 2, 3]);
  assert.equal(p.data, x.data);
  assert.equal(p.isContiguous(), false);
  // p[k,i,j] = x[i,j,k] = 12i+4j+k
  assertClose(p.slice(0, 3, 4).reshape(2, 3), [[3, 7, 11], [15, 19, 23]]);
  assert.deepEqual(x.transpose(0, 2).shape, [4, 3, 2]);
  assertClose(tensor([[1, 2, 3], [4, 5, 6]]).T, [[1, 4], [2, 5], [3, 6]]);
  assertClose(x.permute([-1, 0, 1]).contiguous(), p.contiguous().toArray());
});

test('expand broadcasts size-1 and new leading dims with stride 0', () => {
  const x = tensor([[1], [2]]);
  const e = x.expand(3, 2, 4);
  assert.deepEqual(e.shape, [3, 2, 4]);
  assert.deepEqual(e.strides, [0, 1, 0]);
  assert.equal(e.data, x.data);
  assertClose(e.slice(0, 1, 2).reshape(2, 4), [[1, 1, 1, 1], [2, 2, 2, 2]]);
  assert.deepEqual(expand(x, [-1, 5]).shape, [2, 5]);
  throwsWith(() => x.expand(3, 4), 'expand', '(2,1)', '(3,4)');
});

test('squeeze, unsqueeze and flatten', () => {
  const x = arange(0, 6).reshape(1, 2, 1, 3);
  assert.deepEqual(x.squeeze().shape, [2, 3]);
  assert.deepEqual(x.squeeze(2).shape, [1, 2, 3]);
  assert.deepEqual(x.squeeze(-4).shape, [2, 1, 3]);
  assert.equal(x.squeeze(1), x); // size 2: unchanged
  assert.deepEqual(unsqueeze(tensor([1, 2]), 0).shape, [1, 2]);
  assert.deepEqual(unsqueeze(tensor([1, 2]), -1).shape, [2, 1]);
  assert.deepEqual(arange(0, 24).reshape(2, 3, 4).flatten(1).shape, [2, 12]);
  assert.deepEqual(arange(0, 24).reshape(2, 3, 4).flatten(0, 1).shape, [6, 4]);
  assert.deepEqual(flatten(tensor(5)).shape, [1]);
  // squeeze/unsqueeze of a non-contiguous view keep it a view with the right values
  const t = arange(0, 6).reshape(2, 3).transpose(0, 1).unsqueeze(1); // (3,1,2)
  assert.equal(t.isContiguous(), false);
  assertClose(squeeze(t, 1), [[0, 3], [1, 4], [2, 5]]);
});

test('slice with steps, negative indices and clamped bounds, as Python', () => {
  const x = arange(0, 10);
  assertClose(x.slice(0, 2, 5), [2, 3, 4]);
  assertClose(x.slice(0, -3), [7, 8, 9]);
  assertClose(x.slice(0, 1, -1, 3), [1, 4, 7]);
  assertClose(x.slice(0, 0, undefined, 4), [0, 4, 8]);
  assertClose(x.slice(0, -100, 2), [0, 1]);
  assertClose(x.slice(0, 8, 100), [8, 9]);
  assert.deepEqual(x.slice(0, 5, 2).shape, [0]);
  const m = arange(0, 12).reshape(3, 4);
  assertClose(m.slice(1, 1, 4, 2), [[1, 3], [5, 7], [9, 11]]);
  assertClose(m.slice(-2, -1), [[8, 9, 10, 11]]);
  assert.equal(m.slice(1, 1, 3).data, m.data);
  throwsWith(() => x.slice(0, 0, 5, 0), 'step');
  throwsWith(() => x.slice(0, 0, 5, -1), 'step');
});

test('contiguous copies only when needed; clone always copies', () => {
  const x = arange(0, 6).reshape(2, 3);
  assert.equal(x.contiguous(), x);
  const t = x.transpose(0, 1).contiguous();
  assert.equal(t.isContiguous(), true);
  assertClose(t, [[0, 3], [1, 4], [2, 5]]);
  const c = x.clone();
  assert.notEqual(c.data, x.data);
  (c.data as Float32Array)[0] = 42;
  assert.equal(x.data[0], 0);
});

test('to() converts dtypes: float32 ↔ float64, and to int32 truncating toward zero', () => {
  const x = tensor([1.5, -2.5, 3.25]);
  const d = x.to('float64');
  assert.equal(d.dtype, 'float64');
  assertClose(d, [1.5, -2.5, 3.25], 0);
  assert.equal(d.to('float32').dtype, 'float32');
  assert.deepEqual(x.to('int32').toArray(), [1, -2, 3]);
  assert.equal(x.to('float32'), x);
  assertClose(tensor([0.1]).to('float64'), [Math.fround(0.1)], 0);
  assertClose(transposedView(2, 3, 1).to('float64'), transposedView(2, 3, 1).toArray() as number[][], 0);
});

test('gradients flow through casts and come back in the leaf dtype', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const w = t64([0.5, -1, 2]);
  cast(x, 'float64').mul(w).sum().backward();
  assert.equal(x.grad!.dtype, 'float32');
  assertClose(x.grad!, [0.5, -1, 2]);
  const y = t64([1, 2]).requiresGrad_();
  y.to('float32').mul(tensor([3, 4])).sum().backward();
  assert.equal(y.grad!.dtype, 'float64');
  assertClose(y.grad!, [3, 4]);
  assert.equal(x.to('int32').gradFn, null);
});

// ---------- gradients ----------

test('gradcheck: reshape, view, flatten of contiguous and non-contiguous inputs', () => {
  check((v) => v.reshape(4, 6), [rn([2, 3, 4], 1)]);
  check((v) => v.reshape(-1), [transposedView(3, 4, 2)]);
  check((v) => v.transpose(0, 1).reshape(2, 6), [rn([3, 4], 3)]);
  check((v) => v.view([3, 2, 2]).mul(v.reshape(3, 2, 2)), [rn([12], 4)]);
  check((v) => v.flatten(1), [rn([2, 3, 4], 5)]);
  check((v) => v.permute(1, 0, 2).flatten(0, 1), [rn([2, 3, 4], 6)]);
});

test('gradcheck: permute and transpose', () => {
  check((v) => v.permute(2, 0, 1), [rn([2, 3, 4], 7)]);
  check((v) => v.permute(1, 2, 0).mul(v.permute(1, 2, 0)), [rn([2, 3, 4], 8)]);
  check((v) => v.transpose(0, 2), [rn([2, 3, 4], 9)]);
  check((v) => v.T, [transposedView(3, 5, 10)]);
});

test('gradcheck: expand (sums back over the broadcast dims)', () => {
  check((v) => v.expand(3, 2, 4), [rn([2, 1], 11)]);
  check((v) => v.expand(2, 3), [rn([3], 12)]);
  check((v) => v.transpose(0, 1).expand(5, 3, 2), [rn([2, 3], 13)]);
  const x = tensor([[1], [2]], { requiresGrad: true });
  x.expand(2, 3).sum().backward();
  assertClose(x.grad!, [[3], [3]]);
});

test('gradcheck: squeeze and unsqueeze', () => {
  check((v) => v.squeeze(), [rn([1, 3, 1, 2], 14)]);
  check((v) => v.squeeze(0), [rn([1, 3], 15)]);
  check((v) => v.unsqueeze(1), [rn([3, 2], 16)]);
  check((v) => v.transpose(0, 1).unsqueeze(0).mul(2).squeeze(0), [rn([3, 2], 17)]);
});

test('gradcheck: slice with step and negative indices, on views', () => {
  check((v) => v.slice(0, 1, 4), [rn([5, 3], 18)]);
  check((v) => v.slice(1, -3, -1), [rn([2, 5], 19)]);
  check((v) => v.slice(0, 0, undefined, 2), [rn([7], 20)]);
  check((v) => v.slice(1, 1, 5, 2).slice(0, -2), [rn([3, 6], 21)]);
  check((v) => v.slice(0, 1, 3), [transposedView(4, 3, 22)]);
  check((v) => v.transpose(0, 1).slice(0, 1, undefined, 2), [rn([3, 5], 23)]);
  // overlapping slices of the same input accumulate
  check((v) => v.slice(0, 0, 3).mul(v.slice(0, 1, 4)), [rn([4], 24)]);
  const x = tensor([1, 2, 3, 4, 5], { requiresGrad: true });
  x.slice(0, 1, 5, 2).sum().backward();
  assertClose(x.grad!, [0, 1, 0, 1, 0]);
});

test('gradcheck: contiguous and clone', () => {
  check((v) => v.contiguous(), [transposedView(3, 4, 25)]);
  check((v) => v.transpose(0, 1).contiguous().mul(v.transpose(0, 1)), [rn([3, 4], 26)]);
  check((v) => v.clone().mul(v), [rn([3, 4], 27)]);
  check((v) => v.clone(), [transposedView(2, 3, 28)]);
});
