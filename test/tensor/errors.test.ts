/** Bad input: every shape, axis, index or dtype problem is a ShapeError that names what was expected and what came. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ShapeError, arange, concat, formatShape, layerNorm, matmul, maskedFill, rn, softmax, tensor, throwsWith,
} from '../helpers/engine.js';

test('formatShape is the notation every message uses', () => {
  assert.equal(formatShape([2, 3]), '(2,3)');
  assert.equal(formatShape([4]), '(4,)');
  assert.equal(formatShape([]), '()');
});

test('errors are ShapeErrors', () => {
  assert.throws(() => rn([2, 3]).add(rn([4])), ShapeError);
  assert.throws(() => rn([2, 3]).sum(5), ShapeError);
  assert.throws(() => rn([2]).reshape(3), ShapeError);
});

test('broadcasting mismatches name both shapes and the dimension', () => {
  throwsWith(() => rn([2, 3]).add(rn([4])), 'add', '(2,3)', '(4,)', '3 vs 4');
  throwsWith(() => rn([3, 1, 4]).mul(rn([2, 5])), 'mul', '(3,1,4)', '(2,5)');
});

test('matmul mismatches name both shapes and the inner sizes', () => {
  throwsWith(() => matmul(rn([2, 3]), rn([4, 5])), 'matmul: (2,3) @ (4,5): inner sizes 3 and 4 differ');
});

test('invalid axes name the axis and the rank', () => {
  const x = rn([2, 3]);
  throwsWith(() => x.sum(2), 'sum', 'axis 2', 'rank 2');
  throwsWith(() => x.mean(-3), 'mean', 'axis -3');
  throwsWith(() => x.max([0, 0]), 'repeated axis');
  throwsWith(() => x.argmax(4), 'argmax', 'axis 4');
  throwsWith(() => softmax(x, 2), 'softmax', 'axis 2');
  throwsWith(() => x.transpose(0, 2), 'transpose', 'axis 2');
  throwsWith(() => x.permute(0), 'permute', 'expected 2 dims', '(2,3)');
  throwsWith(() => x.permute(0, 0), 'permute', 'repeated');
  throwsWith(() => x.unsqueeze(4), 'unsqueeze', 'axis 4');
  throwsWith(() => x.slice(2, 0, 1), 'slice', 'axis 2');
  throwsWith(() => concat([x, x], 2), 'concat', 'axis 2');
  throwsWith(() => x.flatten(1, 0), 'flatten');
  throwsWith(() => x.sum(1.5), 'axis 1.5');
});

test('indices out of range name the index and the size', () => {
  const x = rn([3, 4]);
  throwsWith(() => x.indexSelect(0, [0, 5]), 'indexSelect', 'index 5', 'size 3');
  throwsWith(() => x.gather(1, tensor([[0], [1], [4]], { dtype: 'int32' })), 'gather', 'index 4', 'size 4');
});

test('reshape to an incompatible size names the element count and the target', () => {
  const x = arange(0, 6);
  throwsWith(() => x.reshape(4), 'reshape', '6 elements', '(4,)');
  throwsWith(() => x.reshape(4, -1), 'reshape', '6 elements', '(4,-1)');
  throwsWith(() => x.reshape(-1, -1), 'only one dimension can be -1');
  throwsWith(() => x.reshape(2, -2), 'invalid size -2');
});

test('ragged nested arrays are refused', () => {
  throwsWith(() => tensor([[1, 2, 3], [4, 5]]), 'ragged', 'expected 3 entries');
});

test('maskedFill refuses a mask that would enlarge the input', () => {
  throwsWith(() => maskedFill(rn([3]), tensor([[1, 0, 0], [0, 1, 0]]), 0), 'maskedFill', '(2,3)', '(3,)');
  throwsWith(() => maskedFill(rn([2, 3]), tensor([1, 0]), 0), 'maskedFill', '(2,)', '(2,3)');
});

test('wrong dtypes and other shape problems name what came', () => {
  const ints = tensor([1, 2], { dtype: 'int32' });
  throwsWith(() => ints.softmax(), 'softmax', 'int32');
  throwsWith(() => ints.matmul(ints), 'matmul', 'int32');
  throwsWith(() => layerNorm(rn([2, 3]), [2]), 'layerNorm', '(2,3)', '(2,)');
  throwsWith(() => rn([2, 3]).expand(4, 3), 'expand', '(2,3)', '(4,3)');
  throwsWith(() => rn([2, 3]).item(), 'item', '(2,3)');
});
