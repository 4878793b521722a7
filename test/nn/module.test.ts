import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, tensor, randn, zeros, Generator, manualSeed, crossEntropy } from '../../src/index.js';

class Block extends nn.Module {
  readonly fc: nn.Linear;
  readonly norm: nn.LayerNorm;
  readonly layers: nn.ModuleList<nn.Linear>;
  constructor(g: Generator) {
    super();
    this.fc = this.child('fc', new nn.Linear(4, 3, { generator: g }));
    this.norm = this.child('norm', new nn.LayerNorm(3));
    this.layers = this.child('layers', new nn.ModuleList([new nn.Linear(3, 3, { generator: g }), new nn.Linear(3, 2, { generator: g })]));
  }
}

test('parameters carry PyTorch dotted names in registration order', () => {
  const m = new Block(new Generator(0));
  assert.deepEqual(Object.keys(m.stateDict()), [
    'fc.weight', 'fc.bias', 'norm.weight', 'norm.bias', 'layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias',
  ]);
  assert.equal(m.numParameters(), 4 * 3 + 3 + 3 + 3 + 9 + 3 + 6 + 2);
  assert.ok(m.parameters().every((p) => p.requiresGrad));
});

test('the same seed gives the same weights bit for bit; another seed does not', () => {
  const a = new Block(new Generator(7)).stateDict();
  const b = new Block(new Generator(7)).stateDict();
  const c = new Block(new Generator(8)).stateDict();
  for (const k of Object.keys(a)) assert.deepEqual(a[k].toFloat32Array(), b[k].toFloat32Array());
  assert.notDeepEqual(a['fc.weight'].toFloat32Array(), c['fc.weight'].toFloat32Array());
});

test('Linear init follows PyTorch: weight and bias within ±1/sqrt(in)', () => {
  const fc = new nn.Linear(16, 32, { generator: new Generator(1) });
  const bound = 1 / Math.sqrt(16);
  for (const v of fc.weight.toFloat32Array()) assert.ok(Math.abs(v) <= bound);
  for (const v of fc.bias!.toFloat32Array()) assert.ok(Math.abs(v) <= bound);
  const w = fc.weight.toFloat32Array();
  const max = w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(max > 0.8 * bound, 'the draws should fill the range');
});

test('loadStateDict copies values and names every bad key with both shapes', () => {
  const src = new Block(new Generator(1));
  const dst = new Block(new Generator(2));
  dst.loadStateDict(src.stateDict());
  assert.deepEqual(dst.fc.weight.toFloat32Array(), src.fc.weight.toFloat32Array());

  const state = { ...src.stateDict() };
  delete state['norm.bias'];
  state['extra.weight'] = zeros([2]);
  state['fc.weight'] = zeros([3, 5]);
  assert.throws(() => dst.loadStateDict(state), (e: Error) => {
    assert.match(e.message, /missing key 'norm.bias'/);
    assert.match(e.message, /unexpected key 'extra.weight'/);
    assert.match(e.message, /'fc.weight': checkpoint has \(3,5\), model expects \(3,4\)/);
    return true;
  });
  // non-strict ignores missing/unexpected keys but never a shape mismatch
  assert.throws(() => dst.loadStateDict(state, { strict: false }), /fc.weight/);
  delete state['fc.weight'];
  dst.loadStateDict(state, { strict: false });
});

test('train() and eval() switch dropout on and off through the tree', () => {
  const g = new Generator(3);
  const model = new nn.Sequential(new nn.Linear(8, 8, { generator: g }), new nn.Dropout(0.5, new Generator(4)));
  const x = randn([4, 8], { generator: g });
  model.eval();
  assert.ok(!model.layers[1].training);
  const a = model.forward(x).toFloat32Array();
  const b = model.forward(x).toFloat32Array();
  assert.deepEqual(a, b);
  model.train();
  const c = model.forward(x).toFloat32Array();
  assert.ok(c.some((v) => v === 0), 'dropout zeroes some activations in training');
});

test('Embedding looks up rows and zeroes the padding row', () => {
  const emb = new nn.Embedding(10, 4, { paddingIdx: 0, generator: new Generator(0) });
  const out = emb.forward(tensor([[0, 3], [3, 9]], { dtype: 'int32' }));
  assert.deepEqual(out.shape, [2, 2, 4]);
  assert.deepEqual(Array.from(out.toFloat32Array().slice(0, 4)), [0, 0, 0, 0]);
  assert.deepEqual(out.toFloat32Array().slice(4, 8), emb.weight.toFloat32Array().slice(12, 16));
  assert.throws(() => emb.forward([10]), /index 10 is out of range for a dimension of size 10/);
});

test('an MLP learns XOR with plain gradient descent', () => {
  manualSeed(0);
  const g = new Generator(0);
  const model = new nn.Sequential(new nn.Linear(2, 8, { generator: g }), new nn.Tanh(), new nn.Linear(8, 2, { generator: g }));
  const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = [0, 1, 1, 0];
  let loss = Infinity;
  for (let step = 0; step < 500; step++) {
    model.zeroGrad();
    const l = crossEntropy(model.forward(x), y);
    l.backward();
    for (const p of model.parameters()) for (let i = 0; i < p.data.length; i++) p.data[i] -= 0.5 * p.grad!.data[i];
    loss = l.item();
  }
  assert.ok(loss < 0.05, `loss ${loss}`);
  assert.deepEqual(Array.from(model.forward(x).argmax(-1).toArray() as number[]), y);
});
