/** Making tensors and reading them back: nested arrays, typed arrays, constants, ranges, views. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, arange, assertClose, full, ones, tensor, throwsWith, zeros } from '../helpers/engine.js';

test('tensor() from nested arrays infers shape, float32 by default', () => {
  const t = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.deepEqual(t.strides, [3, 1]);
  assert.equal(t.dtype, 'float32');
  assert.ok(t.data instanceof Float32Array);
  assert.equal(t.size, 6);
  assert.equal(t.ndim, 2);
  assert.deepEqual(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
  assert.equal(t.requiresGrad, false);
  assert.equal(t.isLeaf, true);
});

test('tensor() from a number, an empty array, typed arrays and with options', () => {
  const s = tensor(2.5);
  assert.deepEqual(s.shape, []);
  assert.equal(s.item(), 2.5);
  assert.equal(s.toArray(), 2.5);
  assert.deepEqual(tensor([]).shape, [0]);
  assert.equal(tensor(new Float64Array([1, 2])).dtype, 'float64');
  assert.equal(tensor(new Int32Array([1, 2])).dtype, 'int32');
  const shaped = tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
  assert.deepEqual(shaped.toArray(), [[1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray(), [[1, 2], [3, 4]]);
  assert.equal(tensor([1, 2], { dtype: 'float64' }).data.constructor, Float64Array);
  assert.equal(tensor([1, 2], { dtype: 'int32' }).data.constructor, Int32Array);
  assert.equal(tensor([1, 2], { requiresGrad: true }).requiresGrad, true);
  // the values are copied, not shared
  const src = new Float32Array([1, 2]);
  const c = tensor(src);
  src[0] = 9;
  assert.equal(c.data[0], 1);
});

test('tensor() rejects ragged nested arrays, naming the depth and the expected size', () => {
  throwsWith(() => tensor([[1, 2], [3]]), 'ragged', 'expected 2', 'depth 1');
  throwsWith(() => tensor([[1, 2], 3] as unknown as number[][]), 'ragged');
  throwsWith(() => tensor([1, [2]] as unknown as number[]), 'expected a number', 'depth 1');
  throwsWith(() => tensor([[[1], [2]], [[3], [4, 5]]]), 'ragged', 'expected 1', 'depth 2');
  throwsWith(() => tensor([1, 2, 3], { shape: [2, 2] }), '3 values', '(2,2)');
  throwsWith(() => tensor(new Float32Array(5), { shape: [2, 3] }), '5 values', '(2,3)');
});

test('zeros, ones, full, arange', () => {
  assert.deepEqual(zeros([2, 2]).toArray(), [[0, 0], [0, 0]]);
  assert.deepEqual(ones([3]).toArray(), [1, 1, 1]);
  assert.deepEqual(full([2], 7, { dtype: 'int32' }).toArray(), [7, 7]);
  assert.equal(zeros([1], { dtype: 'float64' }).dtype, 'float64');
  assert.equal(ones([1], { requiresGrad: true }).requiresGrad, true);
  assert.deepEqual(arange(4).toArray(), [0, 1, 2, 3]);
  assert.deepEqual(arange(2, 5).toArray(), [2, 3, 4]);
  assert.deepEqual(arange(5, 0, -2).toArray(), [5, 3, 1]);
  assertClose(arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75]);
  assert.deepEqual(arange(3, 1).shape, [0]);
  throwsWith(() => arange(0, 1, 0), 'step');
  throwsWith(() => zeros([2, -1]), 'invalid shape', '(2,-1)');
  throwsWith(() => zeros([2.5]), 'invalid shape');
});

test('item, toArray and toFloat32Array read views in logical order', () => {
  const x = arange(0, 6).reshape(2, 3);
  const t = x.T; // [[0,3],[1,4],[2,5]]
  assert.deepEqual(t.toArray(), [[0, 3], [1, 4], [2, 5]]);
  assert.deepEqual(Array.from(t.toFloat32Array()), [0, 3, 1, 4, 2, 5]);
  assert.equal(x.slice(1, 2, 3).slice(0, 1, 2).item(), 5); // a one-element view with an offset
  throwsWith(() => x.item(), 'item', 'one element', '(2,3)');
  assert.deepEqual(x.slice(0, 1).toArray(), [[3, 4, 5]]);
});

test('isContiguous tells views apart', () => {
  const x = arange(0, 12).reshape(3, 4);
  assert.equal(x.isContiguous(), true);
  assert.equal(x.T.isContiguous(), false);
  assert.equal(x.slice(0, 1, 3).isContiguous(), true); // whole rows: contiguous with an offset
  assert.equal(x.slice(1, 0, 2).isContiguous(), false);
  assert.equal(x.slice(1, 0, 4, 2).isContiguous(), false);
  assert.equal(tensor([[5]]).expand(1, 1).isContiguous(), true);
  assert.equal(tensor([5]).expand(3).isContiguous(), false);
});

test('the Tensor constructor refuses storage too small for the shape', () => {
  throwsWith(() => new Tensor(new Float32Array(5), [2, 3]), '5 values', '(2,3)');
});
