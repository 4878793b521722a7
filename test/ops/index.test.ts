/** Indexing and joining: indexSelect, gather, concat, stack — values, errors and gradients. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  arange, assertClose, check, concat, gather, indexSelect, rn, stack, t64, tensor, throwsWith, transposedView,
} from '../helpers/engine.js';

const idx = (values: number[] | number[][] | number[][][], shape?: number[]) => tensor(values, { dtype: 'int32', ...(shape ? { shape } : {}) });

test('indexSelect picks along any axis, repeats allowed, index shape replaces the axis', () => {
  const x = arange(0, 12).reshape(3, 4);
  assertClose(x.indexSelect(0, [2, 0, 2]), [[8, 9, 10, 11], [0, 1, 2, 3], [8, 9, 10, 11]]);
  assertClose(x.indexSelect(1, idx([3, 1])), [[3, 1], [7, 5], [11, 9]]);
  assertClose(x.indexSelect(-1, idx([[0, 0], [2, 1]])), [[[0, 0], [2, 1]], [[4, 4], [6, 5]], [[8, 8], [10, 9]]]);
  // float indices that are whole numbers are accepted
  assertClose(indexSelect(x, 0, tensor([1])), [[4, 5, 6, 7]]);
  // a non-contiguous source
  assertClose(x.T.indexSelect(0, [1]), [[1, 5, 9]]);
});

test('indexSelect gradient adds up over repeated indices', () => {
  const x = tensor([[1, 2], [3, 4], [5, 6]], { requiresGrad: true });
  x.indexSelect(0, [2, 0, 2, 2]).sum().backward();
  assertClose(x.grad!, [[1, 1], [0, 0], [3, 3]]);
});

test('gather follows torch.gather along axis 0 and 1', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  assertClose(x.gather(1, idx([[2, 0], [1, 1]])), [[3, 1], [5, 5]]);
  assertClose(x.gather(0, idx([[1, 0, 1]])), [[4, 2, 6]]);
  const y = arange(0, 24).reshape(2, 3, 4); // y[i,j,k] = 12i+4j+k
  const g = gather(y, 1, idx([[[2, 0, 1, 2]], [[0, 0, 2, 1]]]));
  assertClose(g, [[[8, 1, 6, 11]], [[12, 13, 22, 19]]]);
});

test('concat joins along any axis, including non-contiguous and float64 inputs', () => {
  const a = tensor([[1, 2], [3, 4]]);
  const b = tensor([[5, 6]]);
  assertClose(concat([a, b], 0), [[1, 2], [3, 4], [5, 6]]);
  assertClose(concat([a, b.T], 1), [[1, 2, 5], [3, 4, 6]]);
  assertClose(concat([a.T, a], -1), [[1, 3, 1, 2], [2, 4, 3, 4]]);
  assertClose(concat([a]), [[1, 2], [3, 4]]);
  const m = concat([a, t64([[7, 8]])]);
  assert.equal(m.dtype, 'float64');
  assertClose(m, [[1, 2], [3, 4], [7, 8]]);
});

test('stack adds a new axis anywhere', () => {
  const a = tensor([1, 2, 3]);
  const b = tensor([4, 5, 6]);
  assertClose(stack([a, b]), [[1, 2, 3], [4, 5, 6]]);
  assertClose(stack([a, b], 1), [[1, 4], [2, 5], [3, 6]]);
  assertClose(stack([a, b], -1), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(stack([rn([2, 3]), rn([2, 3]), rn([2, 3])], 1).shape, [2, 3, 3]);
});

test('index errors name the index and the size', () => {
  const x = arange(0, 6).reshape(2, 3);
  throwsWith(() => x.indexSelect(1, [0, 3]), 'index 3', 'size 3');
  throwsWith(() => x.indexSelect(0, [-1]), 'index -1', 'size 2');
  throwsWith(() => x.indexSelect(0, [0.5]), 'integers', '0.5');
  throwsWith(() => x.indexSelect(2, [0]), 'axis 2', 'rank 2');
  throwsWith(() => x.gather(1, idx([[0, 5, 1], [0, 0, 0]])), 'index 5', 'size 3');
  throwsWith(() => x.gather(1, idx([[0], [0], [0]])), 'gather', '(3,1)', '(2,3)');
  throwsWith(() => concat([x, rn([3, 2])], 0), 'concat', '(2,3)', '(3,2)');
  throwsWith(() => concat([]), 'concat');
  throwsWith(() => stack([rn([2]), rn([3])]), 'stack', '(2,)', '(3,)');
});

// ---------- gradients ----------

test('gradcheck: indexSelect with repeated indices, any axis, index tensors of any shape', () => {
  check((v) => v.indexSelect(0, [1, 1, 0, 3]), [rn([4, 3], 1)]);
  check((v) => v.indexSelect(1, idx([[2, 0], [2, 2]])), [rn([3, 4], 2)]);
  check((v) => v.indexSelect(-1, [0, 0]), [rn([2, 2, 3], 3)]);
  check((v) => v.indexSelect(0, [2, 0, 2]), [transposedView(3, 4, 4)]);
  check((v) => v.T.indexSelect(1, [1, 1]), [rn([3, 4], 5)]);
});

test('gradcheck: gather along each axis (repeated positions add up)', () => {
  check((v) => v.gather(1, idx([[2, 0, 2], [1, 1, 1]])), [rn([2, 3], 6)]);
  check((v) => v.gather(0, idx([[1, 0, 1], [1, 1, 0]])), [rn([2, 3], 7)]);
  check((v) => v.gather(2, idx([[[3, 0]], [[1, 1]]], [2, 1, 2]).expand(2, 3, 2).contiguous()), [rn([2, 3, 4], 8)]);
  check((v) => v.gather(1, idx([[0], [2], [1]])), [transposedView(3, 3, 9)]);
});

test('gradcheck: concat and stack, with non-contiguous parts', () => {
  check((a, b) => concat([a, b], 0), [rn([2, 3], 10), rn([1, 3], 11)]);
  check((a, b) => concat([a, b, a], 1), [rn([2, 3], 12), transposedView(2, 2, 13)]);
  check((a, b) => concat([a.T, b], -1), [rn([3, 2], 14), rn([2, 1], 15)]);
  check((a, b) => stack([a, b], 0), [rn([2, 3], 16), rn([2, 3], 17)]);
  check((a, b) => stack([a, b.T], 2), [rn([2, 3], 18), rn([3, 2], 19)]);
  // only some parts require grad
  const a = tensor([1, 2], { requiresGrad: true });
  concat([a, tensor([3])]).mul(tensor([1, 2, 3])).sum().backward();
  assertClose(a.grad!, [1, 2]);
});
