/**
 * Attention and the Transformer layers: PyTorch's names and init, masks (nothing sees the future or a
 * pad), gradient checks in float64, and the KV cache giving exactly what full recomputation gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose, check, checkModule, noGrad, rn, Tensor, tensor } from '../helpers/engine.js';
// registered so that LLMCORE_BACKEND=wasm runs these checks on the fast kernels too

import { Generator } from '../../src/util/random.js';
import type { Module } from '../../src/nn/module.js';
import {
  KVCache, MultiheadAttention, causalMask, generateSquareSubsequentMask, paddingMask, scaledDotProductAttention,
} from '../../src/nn/attention.js';
import { Transformer, TransformerDecoderLayer, TransformerEncoderLayer, type AttentionRecord } from '../../src/nn/transformer.js';
import { PositionalEncoding, TokenEmbedding, sinusoidalPositionalEncoding } from '../../src/nn/positional.js';

/** Row-major values of a tensor as numbers. */
function values(t: Tensor): number[] {
  return Array.from(t.contiguousData());
}

/** Positions [from, to) along dim 1 of a (B, L, …) tensor, as plain numbers. */
function rows(t: Tensor, from: number, to: number): number[] {
  return values(t.slice(1, from, to));
}

test('generateSquareSubsequentMask is PyTorch\'s: -inf above the diagonal, 0 elsewhere', () => {
  assert.deepEqual(generateSquareSubsequentMask(3).toArray(), [[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]]);
  // with 2 earlier positions, the 2 new queries see up to themselves
  assert.deepEqual(causalMask(2, 4).toArray(), [[0, 0, 0, -Infinity], [0, 0, 0, 0]]);
  assert.deepEqual(paddingMask(tensor([[5, 3, 0], [0, 1, 2]], { dtype: 'int32' })).toArray(), [[0, 0, 1], [1, 0, 0]]);
  assert.equal(Transformer.generateSquareSubsequentMask(2).shape.join(), '2,2');
});

test('scaledDotProductAttention returns softmax(q kᵀ/√D + mask) v and its weights', () => {
  const q = rn([2, 3, 4], 1);
  const k = rn([2, 5, 4], 2);
  const v = rn([2, 5, 6], 3);
  const mask = tensor([[0, 0, 0, 1, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]], { dtype: 'int32' });
  const { output, weights } = scaledDotProductAttention(q, k, v, mask);
  assert.deepEqual([...output.shape], [2, 3, 6]);
  assert.deepEqual([...weights.shape], [2, 3, 5]);
  // reference by hand
  const scores = q.matmul(k.transpose(-2, -1)).div(2).add(mask.to('float32').mul(-1e30)).softmax(-1);
  assertClose(weights, scores, 1e-6);
  assertClose(output, scores.matmul(v), 1e-5);
  // masked weights are exactly 0, rows sum to 1
  const w = weights.toArray() as number[][][];
  assert.equal(w[0][0][3], 0);
  assert.equal(w[1][1][4], 0);
  assertClose(weights.sum(-1), new Array(6).fill(1), 1e-6);
  // an additive float mask means the same as the boolean one
  const I = -Infinity;
  const additive = scaledDotProductAttention(q, k, v, tensor([[0, 0, 0, I, I], [0, 0, 0, 0, I], [0, 0, 0, 0, 0]]));
  assertClose(additive.output, output, 1e-6);
});

test('MultiheadAttention has PyTorch\'s parameter names, shapes and initialization', () => {
  const mha = new MultiheadAttention(8, 2, { generator: new Generator(3) });
  const sd = mha.stateDict();
  assert.deepEqual(Object.keys(sd), ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']);
  assert.deepEqual([...sd.in_proj_weight.shape], [24, 8]);
  assert.deepEqual([...sd['out_proj.weight'].shape], [8, 8]);
  const bound = Math.sqrt(6 / (8 + 24)); // xavier-uniform over fan_in 8, fan_out 24
  assert.ok(values(sd.in_proj_weight).every((x) => Math.abs(x) <= bound));
  assert.ok(Math.max(...values(sd.in_proj_weight).map(Math.abs)) > 0.8 * bound);
  assert.ok(values(sd.in_proj_bias).every((x) => x === 0));
  assert.ok(values(sd['out_proj.bias']).every((x) => x === 0));
  assert.ok(values(sd['out_proj.weight']).every((x) => Math.abs(x) <= 1 / Math.sqrt(8)));
  assert.throws(() => new MultiheadAttention(10, 3), /not divisible/);
  assert.deepEqual(Object.keys(new MultiheadAttention(8, 2, { bias: false }).stateDict()), ['in_proj_weight', 'out_proj.weight']);
});

test('MultiheadAttention equals attention written out head by head', () => {
  const E = 6, H = 3, D = 2;
  const mha = new MultiheadAttention(E, H, { generator: new Generator(4) });
  // non-zero biases, so that the test sees them
  (mha.in_proj_bias!.data as Float32Array).set(values(rn([3 * E], 5)));
  (mha.out_proj.bias!.data as Float32Array).set(values(rn([E], 6)));
  const x = rn([2, 4, E], 7);
  const mem = rn([2, 5, E], 8);
  const kpm = tensor([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]], { dtype: 'int32' });
  const { output, weights } = mha.forward(x, mem, mem, { keyPaddingMask: kpm, averageAttnWeights: false });
  const W = mha.in_proj_weight;
  const b = mha.in_proj_bias!;
  const proj = (t: Tensor, i: number): Tensor => t.matmul(W.slice(0, i * E, (i + 1) * E).T).add(b.slice(0, i * E, (i + 1) * E));
  const [q, k, v] = [proj(x, 0), proj(mem, 1), proj(mem, 2)];
  const heads: Tensor[] = [];
  const perHead: Tensor[] = [];
  for (let h = 0; h < H; h++) {
    const qh = q.slice(2, h * D, (h + 1) * D);
    const kh = k.slice(2, h * D, (h + 1) * D);
    const vh = v.slice(2, h * D, (h + 1) * D);
    const s = qh.matmul(kh.T).div(Math.sqrt(D)).add(kpm.to('float32').reshape([2, 1, 5]).mul(-1e30));
    const p = s.softmax(-1);
    perHead.push(p);
    heads.push(p.matmul(vh));
  }
  const cat = new Tensor(new Float32Array(2 * 4 * E), [2, 4, E]);
  const cd = cat.data as Float32Array;
  heads.forEach((hv, h) => {
    const d = values(hv);
    for (let i = 0; i < 2 * 4; i++) for (let j = 0; j < D; j++) cd[i * E + h * D + j] = d[i * D + j];
  });
  const expected = cat.matmul(mha.out_proj.weight.T).add(mha.out_proj.bias!);
  assertClose(output, expected, 1e-5);
  assert.deepEqual([...weights.shape], [2, H, 4, 5]);
  for (let h = 0; h < H; h++) assertClose(weights.slice(1, h, h + 1).squeeze(1), perHead[h], 1e-6);
  // averaged weights are the mean over heads
  const avg = mha.forward(x, mem, mem, { keyPaddingMask: kpm }).weights;
  assertClose(avg, weights.mean(1), 1e-6);
});

test('masks: no query sees a future position or a padded key', () => {
  const mha = new MultiheadAttention(8, 2, { generator: new Generator(9) });
  const x = rn([2, 5, 8], 10);
  const kpm = tensor([[0, 0, 0, 0, 0], [0, 0, 0, 1, 1]], { dtype: 'int32' });
  const opts = { attnMask: generateSquareSubsequentMask(5), keyPaddingMask: kpm };
  const base = mha.forward(x, x, x, opts).output;
  // change position 3 in every row: outputs at positions 0..2 must not move (causal)
  const x2 = x.clone();
  (x2.data as Float32Array).fill(7, 3 * 8, 4 * 8);
  (x2.data as Float32Array).fill(-7, 5 * 8 + 3 * 8, 5 * 8 + 4 * 8);
  const moved = mha.forward(x2, x2, x2, opts).output;
  assert.deepEqual(rows(moved, 0, 3), rows(base, 0, 3));
  assert.notDeepEqual(rows(moved, 3, 4), rows(base, 3, 4));
  // cross-attention: changing padded keys/values of row 1 changes nothing in row 1
  const q = rn([2, 3, 8], 11);
  const crossBase = mha.forward(q, x, x, { keyPaddingMask: kpm }).output;
  const crossMoved = mha.forward(q, x2, x2, { keyPaddingMask: kpm }).output;
  assert.deepEqual(values(crossMoved.slice(0, 1, 2)), values(crossBase.slice(0, 1, 2)));
  assert.notDeepEqual(values(crossMoved.slice(0, 0, 1)), values(crossBase.slice(0, 0, 1)));
});

test('gradcheck (float64): scaledDotProductAttention with a mask, outputs and weights', () => {
  const q = rn([2, 3, 2], 1);
  const k = rn([2, 4, 2], 2);
  const v = rn([2, 4, 3], 3);
  const mask = tensor([[0, 0, 1, 1], [0, 0, 0, 1], [0, 0, 0, 0]], { dtype: 'int32' });
  check((a, b, c) => scaledDotProductAttention(a, b, c, mask).output, [q, k, v]);
  check((a, b, c) => scaledDotProductAttention(a, b, c, mask).weights, [q, k, v]);
});

test('gradcheck (float64): MultiheadAttention, self- and cross-attention with masks, all parameters', () => {
  const mha = new MultiheadAttention(4, 2, { generator: new Generator(12) });
  (mha.in_proj_bias!.data as Float32Array).set(values(rn([12], 13)));
  const x = rn([2, 3, 4], 14);
  const mem = rn([2, 4, 4], 15);
  const kpm = tensor([[0, 0, 0, 1], [0, 0, 0, 0]], { dtype: 'int32' });
  checkModule(mha, [x], (a) => mha.forward(a, a, a, { attnMask: generateSquareSubsequentMask(3) }).output);
  checkModule(mha, [x, mem], (a, m) => mha.forward(a, m, m, { keyPaddingMask: kpm }).output);
  checkModule(mha, [x, mem], (a, m) => mha.forward(a, m, m, { keyPaddingMask: kpm }).weights, ['out_proj.weight', 'out_proj.bias']);
});

test('gradcheck (float64): one encoder layer and one decoder layer, post-LN and pre-LN, relu and gelu', () => {
  for (const normFirst of [false, true]) {
    const activation = normFirst ? 'gelu' as const : 'relu' as const;
    const opts = { dimFeedforward: 6, dropout: 0, normFirst, activation, generator: new Generator(20) };
    const enc = new TransformerEncoderLayer(4, 2, opts);
    const dec = new TransformerDecoderLayer(4, 2, opts);
    const src = rn([2, 3, 4], 21);
    const tgt = rn([2, 3, 4], 22);
    const srcPad = tensor([[0, 0, 1], [0, 0, 0]], { dtype: 'int32' });
    checkModule(enc, [src], (s) => enc.forward(s, { srcKeyPaddingMask: srcPad }));
    checkModule(dec, [tgt, src], (t, m) => dec.forward(t, m, {
      tgtMask: generateSquareSubsequentMask(3), memoryKeyPaddingMask: srcPad, tgtKeyPaddingMask: tensor([[0, 0, 0], [0, 0, 1]], { dtype: 'int32' }),
    }));
  }
});

test('nn.Transformer names match PyTorch, with final norms, and matrices re-initialized xavier-uniform', () => {
  const tf = new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 16, generator: new Generator(1) });
  const keys = Object.keys(tf.stateDict());
  for (const k of [
    'encoder.layers.0.self_attn.in_proj_weight', 'encoder.layers.0.self_attn.in_proj_bias', 'encoder.layers.0.self_attn.out_proj.weight',
    'encoder.layers.1.linear1.weight', 'encoder.layers.1.linear2.bias', 'encoder.layers.1.norm2.weight', 'encoder.norm.weight', 'encoder.norm.bias',
    'decoder.layers.0.self_attn.in_proj_weight', 'decoder.layers.0.multihead_attn.in_proj_weight', 'decoder.layers.0.multihead_attn.out_proj.weight',
    'decoder.layers.0.norm3.bias', 'decoder.norm.weight',
  ]) assert.ok(keys.includes(k), `missing ${k}`);
  assert.ok(!keys.some((k) => k.startsWith('decoder.layers.1')));
  // PyTorch: 2 encoder layers × 12 tensors + norm (2) + 1 decoder layer × 18 + norm (2)
  assert.equal(keys.length, 2 * 12 + 2 + 18 + 2);
  const w = tf.stateDict()['encoder.layers.0.linear1.weight']; // (16, 8): xavier bound √(6/24) = 0.5, above Linear's 1/√8
  assert.ok(values(w).every((x) => Math.abs(x) <= 0.5));
  assert.ok(Math.max(...values(w).map(Math.abs)) > 1 / Math.sqrt(8));
});

test('Transformer: masks hold end to end, and attention weights can be recorded per layer', () => {
  const tf = new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 2, dimFeedforward: 16, dropout: 0, generator: new Generator(2) });
  const src = rn([1, 4, 8], 1);
  const tgt = rn([1, 5, 8], 2);
  const srcPad = tensor([[0, 0, 0, 1]], { dtype: 'int32' });
  const run = (s: Tensor, t: Tensor, record?: AttentionRecord): Tensor => tf.forward(s, t, {
    tgtMask: generateSquareSubsequentMask(5), srcKeyPaddingMask: srcPad, memoryKeyPaddingMask: srcPad, record,
  });
  const record: AttentionRecord = { self: [], cross: [] };
  const base = run(src, tgt, record);
  assert.equal(record.self.length, 3); // 1 encoder + 2 decoder self-attentions
  assert.equal(record.cross.length, 2);
  assert.deepEqual([...record.cross[0].shape], [1, 5, 4]);
  // the padded source position gets no attention
  for (const w of record.cross) for (let t = 0; t < 5; t++) assert.equal((w.toArray() as number[][][])[0][t][3], 0);
  // a changed padded source vector changes nothing; a changed future target vector changes nothing before it
  const src2 = src.clone();
  (src2.data as Float32Array).fill(3, 3 * 8, 4 * 8);
  assert.deepEqual(values(run(src2, tgt)), values(base));
  const tgt2 = tgt.clone();
  (tgt2.data as Float32Array).fill(3, 3 * 8, 4 * 8);
  const moved = run(src, tgt2);
  assert.deepEqual(rows(moved, 0, 3), rows(base, 0, 3));
  assert.notDeepEqual(rows(moved, 3, 5), rows(base, 3, 5));
});

test('KV cache: decoding step by step equals full causal decoding, for post-LN and pre-LN', () => {
  for (const normFirst of [false, true]) {
    const tf = new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 2, dimFeedforward: 16, dropout: 0, normFirst, generator: new Generator(3) });
    tf.eval();
    const memory = rn([2, 4, 8], 4);
    const tgt = rn([2, 6, 8], 5);
    const srcPad = tensor([[0, 0, 1, 1], [0, 0, 0, 0]], { dtype: 'int32' });
    noGrad(() => {
      const full = tf.decode(tgt, memory, { tgtMask: generateSquareSubsequentMask(6), memoryKeyPaddingMask: srcPad });
      const cache = new KVCache();
      const steps: number[] = [];
      // first two positions at once (a prefix), then one at a time
      const first = tf.decode(tgt.slice(1, 0, 2), memory, { tgtMask: causalMask(2, 2), memoryKeyPaddingMask: srcPad, cache });
      cache.position = 2;
      assertClose(first, full.slice(1, 0, 2), 1e-5);
      for (let t = 2; t < 6; t++) {
        const out = tf.decode(tgt.slice(1, t, t + 1), memory, { memoryKeyPaddingMask: srcPad, cache });
        cache.position = t + 1;
        assertClose(out, full.slice(1, t, t + 1), 1e-5);
        steps.push(t);
      }
      assert.equal(steps.length, 4);
      // the self-attention cache holds every position; the cross-attention one the memory only
      const layer = tf.decoder.layers.at(1);
      assert.deepEqual([...cache.get(layer.self_attn)!.key.shape], [2, 2, 6, 4]);
      assert.deepEqual([...cache.get(layer.multihead_attn)!.key.shape], [2, 2, 4, 4]);
      // beam search can reorder the batch rows of every entry
      cache.reorder([1, 1]);
      assert.deepEqual([...cache.get(layer.self_attn)!.key.shape], [2, 2, 6, 4]);
    });
  }
});

test('sinusoidal positional encoding matches the paper\'s formula; token embeddings are scaled by √C', () => {
  const pe = sinusoidalPositionalEncoding(10, 6);
  const a = pe.toArray() as number[][];
  for (const p of [0, 1, 7]) {
    for (let i = 0; i < 3; i++) {
      const angle = p / 10000 ** ((2 * i) / 6);
      assert.ok(Math.abs(a[p][2 * i] - Math.sin(angle)) < 1e-6);
      assert.ok(Math.abs(a[p][2 * i + 1] - Math.cos(angle)) < 1e-6);
    }
  }
  const enc = new PositionalEncoding(6, 10, 0);
  assert.deepEqual(Object.keys(enc.stateDict()), [], 'the fixed table is not a parameter');
  const x = rn([2, 3, 6], 1);
  assertClose(enc.forward(x, 4), x.add(pe.slice(0, 4, 7)), 1e-6);
  assert.throws(() => enc.forward(x, 8), /maxLen/);
  const emb = new TokenEmbedding(5, 16, { generator: new Generator(1) });
  assert.deepEqual(Object.keys(emb.stateDict()), ['weight']);
  const ids = tensor([[1, 4]], { dtype: 'int32' });
  assertClose(emb.forward(ids), emb.weight.indexSelect(0, ids).mul(4), 1e-6);
});
