/** matmul: PyTorch semantics (batch broadcasting, 1-D promotion), any operand layout, and gradients. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, assertClose, check, matmul, rn, t64, tensor, throwsWith, transposedView } from '../helpers/engine.js';

/** An independent oracle: (…,m,k,1)·(…,1,k,n) summed over k, through broadcasting mul and sum. */
function oracle(a: Tensor, b: Tensor): Tensor {
  return a.to('float64').unsqueeze(-1).mul(b.to('float64').unsqueeze(-3)).sum(-2);
}

function agrees(a: Tensor, b: Tensor): void {
  assertClose(matmul(a, b), oracle(a, b), 1e-5, 1e-5);
}

test('2-D product against hand-computed values', () => {
  const a = tensor([[1, 2, 3], [4, 5, 6]]);
  const b = tensor([[7, 8], [9, 10], [11, 12]]);
  assertClose(a.matmul(b), [[58, 64], [139, 154]]);
  assertClose(a.matmul(b.T.contiguous().T), [[58, 64], [139, 154]]);
});

test('1-D operands are promoted and the added dimension removed', () => {
  const v = tensor([1, 2, 3]);
  const m = tensor([[1, 0], [0, 1], [1, 1]]);
  const dot = matmul(v, tensor([4, 5, 6]));
  assert.deepEqual(dot.shape, []);
  assertClose(dot, 32);
  assertClose(matmul(v, m), [4, 5]);
  assertClose(matmul(m.T, v), [4, 5]);
  const batch = rn([4, 3, 2], 1);
  assert.deepEqual(matmul(v, batch).shape, [4, 2]);
  agreesPromoted(v, batch);
  const batch2 = rn([4, 2, 3], 2);
  assert.deepEqual(matmul(batch2, v).shape, [4, 2]);
  assertClose(matmul(batch2, v), oracle(batch2, v.unsqueeze(1)).squeeze(-1), 1e-5);
});

function agreesPromoted(v: Tensor, m: Tensor): void {
  assertClose(matmul(v, m), oracle(v.unsqueeze(0), m).squeeze(-2), 1e-5);
}

test('batched and broadcast-batch products agree with the oracle', () => {
  agrees(rn([3, 2, 4], 3), rn([3, 4, 5], 4));
  agrees(rn([3, 2, 4], 5), rn([4, 5], 6)); // 2-D right operand broadcast over the batch
  agrees(rn([2, 4], 7), rn([3, 4, 5], 8)); // 2-D left operand
  agrees(rn([2, 1, 3, 4], 9), rn([5, 4, 2], 10)); // (2,1) with (5,) → (2,5)
  agrees(rn([1, 3, 4], 11), rn([6, 4, 2], 12));
});

test('transposed, sliced and permuted operands give the same product', () => {
  agrees(transposedView(5, 3, 13), rn([3, 4], 14)); // column-major A
  agrees(rn([5, 3], 15), transposedView(3, 4, 16)); // column-major B
  agrees(transposedView(5, 3, 17), transposedView(3, 4, 18));
  agrees(rn([2, 4, 3], 19).transpose(-2, -1), rn([2, 4, 5], 20));
  agrees(rn([4, 2, 3], 21).permute(1, 0, 2), rn([2, 3, 5], 22)); // batch dims not one stride: copied
  agrees(rn([3, 4, 2, 5], 23).permute(2, 0, 1, 3).slice(1, 0, 3, 2), rn([2, 2, 5, 3], 24));
  agrees(rn([6, 7], 25).slice(0, 1, 5).slice(1, 2, 6), rn([4, 3], 26)); // a sliced window of a bigger matrix
  agrees(rn([4, 3], 27).expand(2, 4, 3), rn([2, 3, 5], 28)); // expanded batch (stride 0)
});

test('odd and block-straddling sizes', () => {
  agrees(rn([33, 129], 29), rn([129, 7], 30));
  agrees(rn([1, 1], 31), rn([1, 1], 32));
  agrees(rn([2, 1, 5], 33), rn([5, 1], 34));
});

test('mixed float32/float64 operands compute in float64', () => {
  const y = matmul(tensor([[1, 2]]), t64([[3], [4]]));
  assert.equal(y.dtype, 'float64');
  assertClose(y, [[11]]);
});

test('empty dimensions give zeros or empty results', () => {
  assertClose(matmul(tensor(new Float32Array(0), { shape: [2, 0] }), tensor(new Float32Array(0), { shape: [0, 3] })), [[0, 0, 0], [0, 0, 0]]);
  assert.deepEqual(matmul(tensor(new Float32Array(0), { shape: [0, 2] }), rn([2, 3])).shape, [0, 3]);
});

test('matmul errors name both shapes and the differing sizes', () => {
  throwsWith(() => matmul(rn([2, 3]), rn([4, 5])), '(2,3) @ (4,5)', 'inner sizes 3 and 4');
  throwsWith(() => matmul(rn([3]), rn([4])), 'inner sizes 3 and 4');
  throwsWith(() => matmul(rn([2, 2, 3]), rn([3, 3, 4])), '(2,)', '(3,)');
  throwsWith(() => matmul(tensor(1), rn([2])), 'matmul', '()');
  throwsWith(() => matmul(tensor([[1]], { dtype: 'int32' }), rn([1, 1])), 'matmul', 'int32');
});

// ---------- gradients ----------

test('gradcheck: 2-D, batched and broadcast-batch matmul', () => {
  check((a, b) => a.matmul(b), [rn([3, 4], 40), rn([4, 2], 41)]);
  check((a, b) => a.matmul(b), [rn([2, 3, 4], 42), rn([2, 4, 5], 43)]);
  check((a, b) => a.matmul(b), [rn([2, 3, 4], 44), rn([4, 5], 45)]);
  check((a, b) => a.matmul(b), [rn([3, 4], 46), rn([2, 4, 5], 47)]);
  check((a, b) => a.matmul(b), [rn([2, 1, 3, 4], 48), rn([3, 4, 2], 49)]);
});

test('gradcheck: 1-D promotions', () => {
  check((a, b) => a.matmul(b), [rn([4], 50), rn([4], 51)]);
  check((a, b) => a.matmul(b), [rn([4], 52), rn([4, 3], 53)]);
  check((a, b) => a.matmul(b), [rn([3, 4], 54), rn([4], 55)]);
  check((a, b) => a.matmul(b), [rn([4], 56), rn([2, 4, 3], 57)]);
  check((a, b) => a.matmul(b), [rn([2, 3, 4], 58), rn([4], 59)]);
});

test('gradcheck: transposed-view operands, passed in and built inside fn', () => {
  check((a, b) => a.matmul(b), [transposedView(3, 4, 60), transposedView(4, 2, 61)]);
  check((a, b) => a.T.matmul(b.T), [rn([4, 3], 62), rn([2, 4], 63)]);
  check((a, b) => a.transpose(-2, -1).matmul(b), [rn([2, 4, 3], 64), rn([2, 4, 5], 65)]);
  check((a, b) => a.permute(1, 0, 2).matmul(b), [rn([3, 2, 4], 66), rn([2, 4, 2], 67)]);
  check((a, b) => a.matmul(b.slice(1, 1, 4)), [rn([2, 3], 68), rn([3, 5], 69)]);
  // the same leaf on both sides: x xᵀ
  check((a) => a.matmul(a.T), [rn([3, 4], 70)]);
});
