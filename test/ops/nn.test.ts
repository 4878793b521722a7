/** Functional nn ops: softmax, logSoftmax, layerNorm, embedding, dropout, linear, crossEntropy, mseLoss. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Generator, assertClose, check, crossEntropy, dropout, embedding, flat, layerNorm, linear, logSoftmax, mseLoss, ones,
  rn, softmax, t64, tensor, throwsWith, transposedView,
} from '../helpers/engine.js';

const ids = (values: number[] | number[][]) => tensor(values, { dtype: 'int32' });

// ---------- softmax / logSoftmax ----------

test('softmax and logSoftmax are stable for large inputs (1000, 1001)', () => {
  const e = Math.E;
  assertClose(softmax(t64([1000, 1001])), [1 / (1 + e), e / (1 + e)], 1e-15);
  assertClose(logSoftmax(t64([1000, 1001])), [-Math.log(1 + e), 1 - Math.log(1 + e)], 1e-12);
  assertClose(softmax(tensor([-1000, -1001])), [e / (1 + e), 1 / (1 + e)], 1e-7);
  assertClose(logSoftmax(tensor([1000, 1001])), [-1.3132616875182228, -0.31326168751822286], 1e-6);
});

test('softmax along any axis sums to one and matches exp(x)/Σexp(x)', () => {
  const x = t64([[[1, 2], [3, 0]], [[-1, 0.5], [2, 2]]]);
  for (const axis of [0, 1, 2, -1]) {
    const y = x.softmax(axis);
    assertClose(y.sum(axis), flat(ones([2, 2])), 1e-12);
    assertClose(y, x.exp().div(x.exp().sum(axis, true)), 1e-12);
    assertClose(x.logSoftmax(axis), x.sub(x.logsumexp(axis, true)), 1e-12);
  }
  assertClose(softmax(t64([[1, 2, 3]]), 0), [[1, 1, 1]]);
});

test('softmax masks -Infinity, and a fully masked row gives NaN as in PyTorch', () => {
  assertClose(softmax(tensor([0, -Infinity, 0])), [0.5, 0, 0.5]);
  assertClose(logSoftmax(tensor([0, -Infinity])), [0, -Infinity]);
  assertClose(softmax(tensor([-Infinity, -Infinity])), [NaN, NaN]);
});

test('softmax of a non-contiguous view', () => {
  const x = t64([[1, 4], [2, 5], [3, 6]]).T; // rows [1,2,3], [4,5,6]
  const ref = [1, 2, 3].map((v) => Math.exp(v) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
  assertClose(x.softmax(-1), [ref, ref], 1e-12);
});

test('gradcheck: softmax and logSoftmax over every axis, large inputs, non-contiguous inputs', () => {
  const x = rn([2, 3, 4], 1);
  for (const axis of [0, 1, 2, -1, -2]) {
    check((v) => v.softmax(axis), [x]);
    check((v) => v.logSoftmax(axis), [x]);
  }
  check((v) => v.mul(100).add(1000).softmax(-1), [rn([2, 3], 2)]);
  check((v) => v.mul(100).add(1000).logSoftmax(-1), [rn([2, 3], 3)]);
  check((v) => v.softmax(-1), [transposedView(3, 4, 4)]);
  check((v) => v.transpose(0, 1).logSoftmax(0), [rn([3, 4], 5)]);
  check((v) => v.maskedFill(tensor([0, 1, 0, 0]), -Infinity).softmax(-1), [rn([3, 4], 6)]);
});

// ---------- layerNorm ----------

test('layerNorm values, with and without affine', () => {
  const x = t64([[1, 2, 3, 4], [2, 2, 2, 2]]);
  const r = 1 / Math.sqrt(1.25 + 1e-5);
  assertClose(layerNorm(x, [4]), [[-1.5 * r, -0.5 * r, 0.5 * r, 1.5 * r], [0, 0, 0, 0]], 1e-12);
  const w = t64([1, 2, 1, 2]);
  const b = t64([0, 0, 1, 1]);
  assertClose(layerNorm(x, [4], w, b), [[-1.5 * r, -1 * r, 0.5 * r + 1, 3 * r + 1], [0, 0, 1, 1]], 1e-12);
  // without eps, a row normalizes to mean 0 and (biased) variance 1
  const y = layerNorm(rn([3, 5], 7).to('float64'), [5], null, null, 0);
  assertClose(y.mean(-1), [0, 0, 0], 1e-12);
  assertClose(y.mul(y).mean(-1), [1, 1, 1], 1e-12);
  // over two trailing dims: the same as over the flattened tail
  const z = rn([2, 2, 3], 8);
  assertClose(layerNorm(z, [2, 3]), layerNorm(z.reshape(2, 6), [6]).reshape(2, 2, 3), 1e-6);
});

test('layerNorm rejects a mismatched normalized shape or affine shape', () => {
  throwsWith(() => layerNorm(rn([2, 4]), [3]), '(2,4)', '(3,)');
  throwsWith(() => layerNorm(rn([2, 4]), [4], rn([3])), 'weight', '(3,)', '(4,)');
  throwsWith(() => layerNorm(rn([2, 4]), [4], null, rn([4, 1])), 'bias', '(4,1)');
});

test('gradcheck: layerNorm with and without affine, over one and two dims, non-contiguous input', () => {
  check((v) => layerNorm(v, [4]), [rn([3, 4], 9)]);
  check((v, w, b) => layerNorm(v, [4], w, b), [rn([2, 3, 4], 10), rn([4], 11), rn([4], 12)]);
  check((v, w) => layerNorm(v, [4], w, null), [rn([3, 4], 13), rn([4], 14)]);
  check((v, b) => layerNorm(v, [4], null, b), [rn([3, 4], 15), rn([4], 16)]);
  check((v, w, b) => layerNorm(v, [2, 3], w, b), [rn([2, 2, 3], 17), rn([2, 3], 18), rn([2, 3], 19)]);
  check((v, w, b) => layerNorm(v, [3], w, b), [transposedView(4, 3, 20), rn([3], 21), rn([3], 22)]);
  check((v) => layerNorm(v.transpose(0, 1), [2]), [rn([2, 3], 23)]);
});

// ---------- embedding ----------

test('embedding looks up rows for ids of any shape', () => {
  const w = tensor([[0, 1], [10, 11], [20, 21]]);
  assertClose(embedding(w, ids([[2, 0], [1, 1]])), [[[20, 21], [0, 1]], [[10, 11], [10, 11]]]);
  assertClose(embedding(w, [1]), [[10, 11]]);
  throwsWith(() => embedding(w, [3]), 'index 3', 'size 3');
  throwsWith(() => embedding(tensor([1, 2]), [0]), 'embedding', '(2,)');
});

test('gradcheck: embedding (repeated ids add up)', () => {
  check((w) => embedding(w, ids([[0, 2, 2], [1, 2, 0]])), [rn([4, 3], 24)]);
  const w = tensor([[1, 1], [1, 1], [1, 1]], { requiresGrad: true });
  embedding(w, [0, 2, 2, 2]).sum().backward();
  assertClose(w.grad!, [[1, 1], [0, 0], [3, 3]]);
});

// ---------- dropout ----------

test('dropout zeroes about p of the elements and scales the rest by 1/(1-p)', () => {
  const x = ones([10000]);
  const y = dropout(x, 0.3, true, new Generator(1));
  const d = flat(y);
  const zeros = d.filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / d.length - 0.3) < 0.02, `zero fraction ${zeros / d.length}`);
  assert.ok(d.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6));
  // same generator seed, same mask
  assert.deepEqual(flat(dropout(x, 0.3, true, new Generator(1))), d);
  assert.notDeepEqual(flat(dropout(x, 0.3, true, new Generator(2))), d);
});

test('dropout is the identity in eval mode and for p = 0; p = 1 drops everything', () => {
  const x = rn([5], 25);
  assert.equal(dropout(x, 0.5, false), x);
  assert.equal(dropout(x, 0), x);
  assertClose(dropout(x, 1, true, new Generator(3)), [0, 0, 0, 0, 0]);
  throwsWith(() => dropout(x, 1.5), 'dropout', '1.5');
  throwsWith(() => dropout(x, -0.1), 'dropout');
});

test('gradcheck: dropout with a fixed generator (same mask in every pass)', () => {
  check((v) => dropout(v, 0.4, true, new Generator(7)), [rn([4, 5], 26)]);
  check((v) => dropout(v.transpose(0, 1), 0.5, true, new Generator(8)).mul(v.transpose(0, 1)), [rn([3, 4], 27)]);
  // the gradient is the mask itself
  const x = ones([8], { requiresGrad: true });
  const y = dropout(x, 0.5, true, new Generator(9));
  y.sum().backward();
  assertClose(x.grad!, flat(y));
});

// ---------- linear ----------

test('linear computes x Wᵀ + b for 1-, 2- and 3-D inputs', () => {
  const w = tensor([[1, 0, -1], [2, 1, 0]]); // (out=2, in=3)
  const b = tensor([0.5, -1]);
  assertClose(linear(tensor([[1, 2, 3]]), w, b), [[-1.5, 3]]);
  assertClose(linear(tensor([1, 2, 3]), w), [-2, 4]);
  const x3 = tensor([[[1, 2, 3], [0, 0, 1]], [[1, 1, 1], [3, 2, 1]]]);
  assertClose(linear(x3, w, b), [[[-1.5, 3], [-0.5, -1]], [[0.5, 2], [2.5, 7]]]);
  throwsWith(() => linear(rn([2, 4]), w), 'linear', '(2,4)', '(2,3)');
});

test('gradcheck: linear with and without bias, 2-D and 3-D inputs, transposed weight view', () => {
  check((x, w, b) => linear(x, w, b), [rn([4, 3], 28), rn([2, 3], 29), rn([2], 30)]);
  check((x, w) => linear(x, w), [rn([2, 3, 3], 31), rn([5, 3], 32)]);
  check((x, w, b) => linear(x, w, b), [transposedView(3, 4, 33), transposedView(2, 4, 34), rn([2], 35)]);
});

// ---------- crossEntropy ----------

/** torch.nn.functional.cross_entropy, written out in float64 from its definition. */
function refCrossEntropy(logits: number[][], targets: number[], opts: { ignoreIndex?: number; labelSmoothing?: number; reduction?: string } = {}): number | number[] {
  const { ignoreIndex = -100, labelSmoothing: eps = 0, reduction = 'mean' } = opts;
  const per: number[] = [];
  let count = 0;
  logits.forEach((row, i) => {
    if (targets[i] === ignoreIndex) { per.push(0); return; }
    count++;
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    const logp = row.map((v) => v - lse);
    const nll = -logp[targets[i]];
    const smooth = -logp.reduce((s, v) => s + v, 0) / row.length;
    per.push((1 - eps) * nll + eps * smooth);
  });
  if (reduction === 'none') return per;
  const total = per.reduce((s, v) => s + v, 0);
  return reduction === 'sum' ? total : total / count;
}

test('crossEntropy matches known PyTorch values', () => {
  // F.cross_entropy(torch.tensor([[1., 2., 3.]]), torch.tensor([0]))
  assertClose(crossEntropy(t64([[1, 2, 3]]), [0]), 2.4076059644443806, 1e-12);
  // ... with label_smoothing=0.1: 0.9·2.40760596 + 0.1·mean(-log p) = 2.3076059644443806
  assertClose(crossEntropy(t64([[1, 2, 3]]), [0], { labelSmoothing: 0.1 }), 2.3076059644443806, 1e-12);
});

test('crossEntropy with labelSmoothing, ignoreIndex and every reduction equals the PyTorch formula', () => {
  const L = [[1, 2, 0.5, -1], [0, 0, 3, 1], [2, -2, 1, 0], [0.3, 0.1, 0.2, 0.4], [5, 1, 0, -3]];
  const tg = [1, 2, 0, 3, 0];
  const logits = t64(L);
  for (const labelSmoothing of [0, 0.1, 0.35]) {
    for (const ignoreIndex of [-100, 0]) {
      for (const reduction of ['mean', 'sum', 'none'] as const) {
        const got = crossEntropy(logits, ids(tg), { labelSmoothing, ignoreIndex, reduction });
        const want = refCrossEntropy(L, tg, { labelSmoothing, ignoreIndex, reduction });
        if (reduction === 'none') assert.deepEqual(got.shape, [5]);
        else assert.deepEqual(got.shape, []);
        assertClose(got, want, 1e-12, 1e-12);
      }
    }
  }
});

test('crossEntropy takes (B,T,C) logits with (B,T) targets; none keeps (B,T)', () => {
  const x = rn([2, 3, 4], 36).to('float64');
  const tg = [[0, 3, 1], [2, 2, 0]];
  const per = crossEntropy(x, ids(tg), { reduction: 'none' });
  assert.deepEqual(per.shape, [2, 3]);
  const rows = x.reshape(6, 4).toArray() as number[][];
  assertClose(per, refCrossEntropy(rows, tg.flat(), { reduction: 'none' }) as number[], 1e-12);
  assertClose(crossEntropy(x, ids(tg)), refCrossEntropy(rows, tg.flat()) as number, 1e-12);
});

test('gradcheck: crossEntropy (fused kernel) with smoothing, ignored targets, every reduction, odd and non-contiguous logits', () => {
  for (const labelSmoothing of [0, 0.2]) {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const w = reduction === 'none' ? rn([5], 40) : null;
      check((v) => {
        const l = crossEntropy(v, ids([1, 0, 6, 2, 0]), { labelSmoothing, ignoreIndex: 0, reduction });
        return w ? l.mul(w) : l;
      }, [rn([5, 7], 41)]);
      check((v) => crossEntropy(v.transpose(0, 1), ids([2, 0, 1]), { labelSmoothing, reduction }), [rn([4, 3], 42)]);
    }
  }
  // (B, T, C) logits, float32 against the float64 definition
  const x = rn([3, 5, 33], 43);
  const tg = [[0, 3, 1, 32, 7], [2, 2, 0, 5, 9], [1, 1, 1, 1, 1]];
  const rows = x.to('float64').reshape(15, 33).toArray() as number[][];
  assertClose(crossEntropy(x, ids(tg), { labelSmoothing: 0.1, ignoreIndex: 1 }), refCrossEntropy(rows, tg.flat(), { labelSmoothing: 0.1, ignoreIndex: 1 }) as number, 1e-6, 1e-6);
});

test('crossEntropy of all-ignored targets is NaN for mean and 0 for sum, as PyTorch', () => {
  assertClose(crossEntropy(tensor([[1, 2]]), [-100]), NaN);
  assertClose(crossEntropy(tensor([[1, 2]]), [-100], { reduction: 'sum' }), 0);
});

test('crossEntropy rejects bad targets', () => {
  throwsWith(() => crossEntropy(rn([2, 3]), [0, 3]), 'target 3 at position 1', '0..2');
  // non-integers and NaN are errors, not truncated into some class
  throwsWith(() => crossEntropy(rn([2, 3]), tensor([0, 1.5])), 'target 1.5');
  throwsWith(() => crossEntropy(rn([2, 3]), [NaN, 0]), 'target NaN');
  throwsWith(() => crossEntropy(rn([2, 3]), [0]), '(2,3)', '(2,)', '(1,)');
  throwsWith(() => crossEntropy(rn([2, 3]), [0, 1], { labelSmoothing: 2 }), 'labelSmoothing');
});

test('gradcheck: crossEntropy with ignoreIndex, labelSmoothing, every reduction, 3-D logits', () => {
  const tg = ids([1, 2, 0, 2]);
  const x = rn([4, 3], 37);
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    check((v) => crossEntropy(v, tg, { reduction }), [x]);
    check((v) => crossEntropy(v, tg, { reduction, ignoreIndex: 2, labelSmoothing: 0.2 }), [x]);
  }
  check((v) => crossEntropy(v, ids([[0, 3, 1], [2, 2, -100]]), { labelSmoothing: 0.1 }), [rn([2, 3, 4], 38)]);
  check((v) => crossEntropy(v, [1, 0, 2]), [transposedView(3, 3, 39)]);
});

// ---------- mseLoss ----------

test('mseLoss is the mean squared difference, differentiable in both arguments', () => {
  assertClose(mseLoss(tensor([1, 2, 3]), tensor([1, 0, 6])), (0 + 4 + 9) / 3);
  check((a, b) => mseLoss(a, b), [rn([3, 4], 40), rn([3, 4], 41)]);
  check((a, b) => mseLoss(a, b), [transposedView(3, 2, 42), rn([3, 2], 43)]);
  // no silent broadcasting of (N,1) against (N,)
  throwsWith(() => mseLoss(tensor([[1], [2], [3]]), tensor([1, 2, 3])), 'mseLoss', '(3,1)', '(3,)');
});
