/**
 * Attention's three paths said explicitly (selfAttention, crossAttention, PyTorch's general forward)
 * and the Transformer layers' one residual sub-layer: post-LN norm(x + f(x)), pre-LN x + f(norm(x)).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, Generator, noGrad, randn, type Tensor } from '../../src/index.js';
import { KVCache, appendToCache, causalMask, generateSquareSubsequentMask } from '../../src/nn/attention.js';
import { concat } from '../../src/ops/index-ops.js';
import type { Module } from '../../src/nn/module.js';

const { MultiheadAttention, TransformerEncoderLayer, TransformerDecoderLayer } = nn;

function rn(shape: number[], seed: number): Tensor {
  return randn(shape, { generator: new Generator(seed) });
}

function values(t: Tensor): number[] {
  return Array.from(t.contiguousData());
}

function close(a: Tensor, b: Tensor, tol: number, what: string): void {
  assert.deepEqual([...a.shape], [...b.shape], `${what}: shape`);
  const x = values(a);
  const y = values(b);
  const worst = Math.max(0, ...x.map((v, i) => Math.abs(v - y[i])));
  assert.ok(worst <= tol, `${what}: differs by ${worst}`);
}

function grads(m: Module): Tensor[] {
  return m.parameters().map((p) => p.grad!);
}

test('selfAttention(x) and crossAttention(x, memory) equal the general forward, which needs no shared tensor objects', () => {
  const mha = new MultiheadAttention(8, 2, { generator: new Generator(1) });
  const x = rn([2, 5, 8], 2);
  const memory = rn([2, 4, 8], 3);
  const opts = { attnMask: generateSquareSubsequentMask(5), needWeights: true };
  noGrad(() => {
    const self = mha.selfAttention(x, opts);
    // copies, not the same object: the general path must not care whether key and value are x itself
    const general = mha.forward(x, x.clone(), x.clone(), opts);
    assert.deepEqual(values(self.output), values(general.output));
    assert.deepEqual(values(self.weights), values(general.weights));
    assert.deepEqual(values(mha.forward(x, x, x, opts).output), values(general.output));
    const cross = mha.crossAttention(x, memory);
    assert.deepEqual(values(cross.output), values(mha.forward(x, memory, memory.clone()).output));
    assert.deepEqual([...cross.weights.shape], [2, 5, 4]);
  });
});

test('gradients through selfAttention and crossAttention equal those through the general forward', () => {
  for (const cross of [false, true]) {
    const mha = new MultiheadAttention(8, 2, { generator: new Generator(4) });
    const x = rn([2, 3, 8], 5);
    const memory = rn([2, 4, 8], 6);
    const run = (explicit: boolean): Tensor[] => {
      mha.zeroGrad();
      const xi = x.clone();
      xi.requiresGrad = true;
      const out = cross
        ? (explicit ? mha.crossAttention(xi, memory) : mha.forward(xi, memory, memory)).output
        : (explicit ? mha.selfAttention(xi) : mha.forward(xi, xi, xi)).output;
      out.pow(2).sum().backward();
      return [xi.grad!, ...grads(mha)];
    };
    const viaPath = run(true);
    const viaForward = run(false);
    viaPath.forEach((g, i) => close(g, viaForward[i], 1e-5, `${cross ? 'cross' : 'self'} gradient ${i}`));
  }
});

test('with a cache, selfAttention appends each step and crossAttention projects the memory once', () => {
  const mha = new MultiheadAttention(8, 2, { generator: new Generator(7) });
  mha.eval();
  const x = rn([2, 4, 8], 8);
  const memory = rn([2, 3, 8], 9);
  noGrad(() => {
    const full = mha.selfAttention(x, { attnMask: generateSquareSubsequentMask(4) }).output;
    const cache = new KVCache();
    for (let t = 0; t < 4; t++) {
      const step = mha.selfAttention(x.slice(1, t, t + 1), { cache, attnMask: causalMask(1, t + 1) }).output;
      close(step, full.slice(1, t, t + 1), 1e-5, `self step ${t}`);
      assert.deepEqual([...cache.get(mha)!.key.shape], [2, 2, t + 1, 4]);
    }
    const crossCache = new KVCache();
    const first = mha.crossAttention(x, memory, { cache: crossCache }).output;
    const kept = crossCache.get(mha)!;
    // the memory's keys and values are taken from the cache from now on, whatever memory is passed
    const again = mha.crossAttention(x, rn([2, 3, 8], 10), { cache: crossCache }).output;
    assert.equal(crossCache.get(mha), kept);
    assert.deepEqual(values(again), values(first));
    // the general forward says the same with staticKv
    const staticCache = new KVCache();
    mha.forward(x, memory, memory, { cache: staticCache, staticKv: true });
    assert.deepEqual(values(mha.forward(x, x, x, { cache: staticCache, staticKv: true }).output), values(first));
  });
});

test('attention paths name the input whose shape is wrong', () => {
  const mha = new MultiheadAttention(8, 2, { generator: new Generator(11) });
  assert.throws(() => mha.selfAttention(rn([2, 3, 6], 1)), /MultiheadAttention: x should be \(B, L, 8\), got \(2,3,6\)/);
  assert.throws(() => mha.crossAttention(rn([2, 3, 8], 1), rn([2, 4], 2)), /MultiheadAttention: memory should be \(B, L, 8\), got \(2,4\)/);
  assert.throws(() => mha.forward(rn([2, 3, 8], 1), rn([2, 3, 8], 1), rn([3, 8], 1)), /value should be \(B, L, 8\)/);
  assert.throws(() => mha.crossAttention(rn([2, 3, 8], 1), rn([3, 4, 8], 2)), /query batch 2 differs from key batch 3/);
});

test('every sub-layer is post-LN norm(x + f(x)) or pre-LN x + f(norm(x)), in the encoder and the decoder layer', () => {
  for (const normFirst of [false, true]) {
    const opts = { dimFeedforward: 16, dropout: 0, normFirst, activation: 'gelu' as const, generator: new Generator(12) };
    const enc = new TransformerEncoderLayer(8, 2, opts);
    const dec = new TransformerDecoderLayer(8, 2, opts);
    const src = rn([2, 4, 8], 13);
    const tgt = rn([2, 3, 8], 14);
    const tgtMask = generateSquareSubsequentMask(3);
    const residual = (x: Tensor, norm: { forward(x: Tensor): Tensor }, f: (y: Tensor) => Tensor): Tensor =>
      normFirst ? x.add(f(norm.forward(x))) : norm.forward(x.add(f(x)));
    const ff = (l: { linear1: { forward(x: Tensor): Tensor }; linear2: { forward(x: Tensor): Tensor } }) => (y: Tensor): Tensor =>
      l.linear2.forward(l.linear1.forward(y).gelu());
    noGrad(() => {
      let e = residual(src, enc.norm1, (y) => enc.self_attn.forward(y, y, y).output);
      e = residual(e, enc.norm2, ff(enc));
      close(enc.forward(src), e, 1e-6, `encoder layer, normFirst ${normFirst}`);
      let d = residual(tgt, dec.norm1, (y) => dec.self_attn.forward(y, y, y, { attnMask: tgtMask }).output);
      d = residual(d, dec.norm2, (y) => dec.multihead_attn.forward(y, src, src).output);
      d = residual(d, dec.norm3, ff(dec));
      close(dec.forward(tgt, src, { tgtMask }), d, 1e-6, `decoder layer, normFirst ${normFirst}`);
    });
  }
});

test('encoder and decoder layers register their children in PyTorch\'s order', () => {
  const names = (m: Module): string[] => m.namedModules().map(([n]) => n).filter((n) => n && !n.includes('.'));
  const enc = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, generator: new Generator(1) });
  const dec = new TransformerDecoderLayer(8, 2, { dimFeedforward: 16, generator: new Generator(1) });
  assert.deepEqual(names(enc), ['self_attn', 'linear1', 'dropout', 'linear2', 'norm1', 'norm2', 'dropout1', 'dropout2']);
  assert.deepEqual(names(dec), [
    'self_attn', 'multihead_attn', 'linear1', 'dropout', 'linear2', 'norm1', 'norm2', 'norm3', 'dropout1', 'dropout2', 'dropout3',
  ]);
  assert.equal(dec.norm3, dec.namedModules().find(([n]) => n === 'norm3')![1]);
  assert.equal(enc.dropout2, enc.namedModules().find(([n]) => n === 'dropout2')![1]);
  assert.deepEqual(Object.keys(new TransformerEncoderLayer(8, 2, { bias: false, generator: new Generator(1) }).stateDict()), [
    'self_attn.in_proj_weight', 'self_attn.out_proj.weight', 'linear1.weight', 'linear2.weight', 'norm1.weight', 'norm1.bias', 'norm2.weight', 'norm2.bias',
  ]);
});

test('a KV cache grows in place without gradients; appending to an older view again takes a new buffer and leaves the newer one whole', () => {
  const cache = new KVCache();
  const owner = {};
  const [a, b, c, d] = [rn([2, 3, 4, 5], 1), rn([2, 3, 1, 5], 2), rn([2, 3, 1, 5], 3), rn([2, 3, 1, 5], 4)];
  const kv = (t: Tensor) => ({ key: t, value: t.mul(2) });
  appendToCache(owner, kv(a), cache);
  const second = appendToCache(owner, kv(b), cache);
  const third = appendToCache(owner, kv(c), cache);
  assert.equal(third.key.data, second.key.data, 'the third position went into the second call\'s buffer');
  assert.deepEqual(values(third.key), values(concat([a, b, c], 2)));
  assert.deepEqual(values(third.value), values(concat([a, b, c], 2).mul(2)));
  cache.set(owner, second);
  const branch = appendToCache(owner, kv(d), cache);
  assert.notEqual(branch.key.data, second.key.data);
  assert.deepEqual(values(branch.key), values(concat([a, b, d], 2)));
  assert.deepEqual(values(third.key), values(concat([a, b, c], 2)), 'the newer view is untouched');
  const learning = {};
  const leaf = a.detach().requiresGrad_();
  appendToCache(learning, kv(leaf), cache);
  const withGrad = appendToCache(learning, kv(b), cache);
  assert.equal(withGrad.key.requiresGrad, true, 'with gradients the past is concatenated, so they flow back');
  withGrad.key.sum().backward();
  assert.deepEqual(values(leaf.grad!), new Array(a.size).fill(1));
});
