// Edge cases where the engine once gave a silent wrong answer; each now matches PyTorch or is an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, full, nn, setBackend, getBackend, tensor } from '../../src/index.js';

test('pow gradients are 0, not NaN, at b = 0 (for a) and at a = 0 with b >= 0 (for b)', () => {
  const a = tensor([0, 1, 2], { requiresGrad: true });
  a.pow(0).sum().backward();
  assert.deepEqual(a.grad!.toArray(), [0, 0, 0]);
  const b = tensor([2, 2, 2], { requiresGrad: true });
  tensor([0, 1, 2]).pow(b).sum().backward();
  const g = b.grad!.toArray() as number[];
  assert.equal(g[0], 0);
  assert.ok(Math.abs(g[2] - 4 * Math.log(2)) < 1e-5);
});

test('Embedding paddingIdx: the padding row gets no gradient; negative indices count from the end', () => {
  const e = new nn.Embedding(3, 2, { paddingIdx: -3 });
  assert.equal(e.paddingIdx, 0);
  e.forward([0, 1, 0]).sum().backward();
  assert.deepEqual(e.weight.grad!.toArray(), [[0, 0], [1, 1], [0, 0]]);
  assert.throws(() => new nn.Embedding(3, 2, { paddingIdx: 3 }), /paddingIdx 3 is out of range for 3 embeddings/);
  assert.throws(() => e.forward([3]), /embedding: index 3 is out of range/);
});

for (const backend of ['js', 'wasm']) {
  test(`${backend}: relu keeps NaN, and long sums do not drift`, () => {
    const prev = getBackend().name;
    setBackend(backend);
    try {
      const r = tensor([NaN, -1, 2]).relu().toArray() as number[];
      assert.ok(Number.isNaN(r[0]) && r[1] === 0 && r[2] === 2);
      assert.ok(Math.abs(full([1_000_000], 0.1).mean().item() - 0.1) < 1e-6);
      assert.ok(Math.abs(full([2, 200_000, 3], 0.1).sum(1).mean().item() - 20000) < 0.01);
    } finally {
      setBackend(prev);
    }
  });
}

test('casting to int32 refuses values it cannot hold', () => {
  assert.throws(() => tensor([NaN]).to('int32'), /value NaN at position 0/);
  assert.throws(() => tensor([1, 3e9]).to('int32'), /value 3000000000 at position 1/);
  assert.deepEqual(tensor([-2.7, 2.7]).to('int32').toArray(), [-2, 2]);
});

test('0-d tensors: no axis to index, but reductions, squeeze and softmax treat them as one element', () => {
  assert.throws(() => concat([tensor(1), tensor(2)]), /concat: a 0-d tensor has no axis 0/);
  assert.throws(() => tensor(5).slice(0, 0, 1), /slice: a 0-d tensor has no axis 0/);
  assert.throws(() => tensor(5).indexSelect(0, [0]), /indexSelect: a 0-d tensor has no axis 0/);
  assert.equal(tensor(3).softmax().item(), 1);
  assert.equal(tensor(3).sum(0).item(), 3);
  assert.equal(tensor(3).argmax(0).item(), 0);
  assert.equal(tensor(3).squeeze(0).ndim, 0);
  assert.throws(() => tensor(3).sum(1), /axis 1 is out of range/);
});
