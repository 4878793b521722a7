/**
 * The translation Transformer: golden values from PyTorch (logits, loss, every gradient, one Adam
 * step), masks end to end, the KV cache, weight tying, and the first model test: a synthetic copy
 * task learned to 100% exact match on held-out sequences (as the Annotated Transformer does first).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import '../../src/backend/js/index.js';
import { getBackend, setBackend } from '../../src/backend/backend.js';
import { wasmSimdSupported } from '../../src/backend/wasm/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { Generator } from '../../src/util/random.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { Adam } from '../../src/optim/adam.js';
import { KVCache } from '../../src/nn/attention.js';
import { Seq2SeqTransformer, type Seq2SeqConfig } from '../../src/models/seq2seq/model.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/pytorch/', import.meta.url));

/** int32 ids (B, L) from rows, padded with 0 to length L. */
function ids(rows: number[][], L = Math.max(...rows.map((r) => r.length))): Tensor {
  return new Tensor(Int32Array.from(rows.flatMap((r) => [...r, ...new Array<number>(L - r.length).fill(0)])), [rows.length, L]);
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  assert.deepEqual([...a.shape], [...b.shape]);
  const x = a.contiguousData();
  const y = b.contiguousData();
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
}

function values(t: Tensor): number[] {
  return Array.from(t.contiguousData());
}

const small: Seq2SeqConfig = { srcVocab: 11, tgtVocab: 13, dModel: 16, nhead: 2, dimFeedforward: 32, numEncoderLayers: 2, numDecoderLayers: 2, dropout: 0, maxLen: 32 };

test('golden values from PyTorch: encoder memory, logits, loss, every gradient and one Adam step', (t) => {
  const file = `${FIXTURES}transformer_tiny.safetensors`;
  if (!existsSync(file)) { t.skip(`no fixture at ${file}`); return; }
  const { tensors } = decodeSafetensors(readFileSync(file));
  const cfg = JSON.parse(readFileSync(`${FIXTURES}transformer_tiny.json`, 'utf8')).config;
  const model = new Seq2SeqTransformer({
    srcVocab: cfg.src_vocab, tgtVocab: cfg.tgt_vocab, dModel: cfg.d_model, nhead: cfg.nhead, dimFeedforward: cfg.dim_feedforward,
    numEncoderLayers: cfg.num_encoder_layers, numDecoderLayers: cfg.num_decoder_layers, dropout: cfg.dropout, normFirst: cfg.norm_first,
    activation: cfg.activation, padId: cfg.pad_id, labelSmoothing: cfg.label_smoothing, layerNormEps: cfg.layer_norm_eps,
  });
  const state: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(tensors)) if (k.startsWith('param.')) state[k.slice('param.'.length)] = v;
  // strict: every name maps one-to-one
  model.loadStateDict(state);
  assert.deepEqual(Object.keys(model.stateDict()).sort(), Object.keys(state).sort());

  const enc = model.encode(tensors['input.src']);
  const dMemory = maxAbsDiff(enc.memory, tensors['output.encoder_memory']);
  const logits = model.decode(tensors['input.tgt_in'], enc);
  const dLogits = maxAbsDiff(logits, tensors['output.logits']);
  const loss = model.loss(logits, tensors['input.tgt_out']);
  const dLoss = Math.abs(loss.item() - tensors['output.loss'].item());
  // forward() is encode + decode
  assert.deepEqual(values(model.forward(tensors['input.src'], tensors['input.tgt_in'])), values(logits));
  loss.backward();
  let dGrad = 0;
  for (const [name, p] of model.namedParameters()) {
    const want = tensors[`grad.${name}`];
    assert.ok(want, `fixture has grad.${name}`);
    assert.ok(p.grad, `${name} got a gradient`);
    const d = maxAbsDiff(p.grad, want);
    assert.ok(d < 1e-4, `grad ${name}: max abs diff ${d}`);
    dGrad = Math.max(dGrad, d);
  }
  assert.ok(dMemory < 1e-5, `encoder memory: max abs diff ${dMemory}`);
  assert.ok(dLogits < 1e-5, `logits: max abs diff ${dLogits}`);
  assert.ok(dLoss < 1e-5, `loss: ${loss.item()} vs ${tensors['output.loss'].item()}`);

  const opt = new Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.98], eps: 1e-9 });
  opt.step();
  // The first Adam step moves each weight by about lr·sign(g). Where the exact gradient is 0 (the key
  // bias: softmax ignores a shift of all scores) both sides hold float32 rounding noise of ~1e-9 and
  // random sign, so there only the size of the step is compared.
  let dAdam = 0;
  for (const [name, p] of model.namedParameters()) {
    const got = p.contiguousData();
    const want = tensors[`after_adam.${name}`].contiguousData();
    const g = tensors[`grad.${name}`].contiguousData();
    for (let i = 0; i < got.length; i++) {
      const d = Math.abs(got[i] - want[i]);
      if (Math.abs(g[i]) > 1e-6) dAdam = Math.max(dAdam, d);
      else assert.ok(d <= 2.01e-3, `${name}[${i}]: step differs by ${d}`);
    }
  }
  assert.ok(dAdam < 1e-5, `after one Adam step: max abs diff ${dAdam}`);
  t.diagnostic(`max abs diff: memory ${dMemory.toExponential(2)}, logits ${dLogits.toExponential(2)}, loss ${dLoss.toExponential(2)}, grads ${dGrad.toExponential(2)}, after Adam ${dAdam.toExponential(2)}`);
});

test('stateDict names are the PyTorch reference model\'s, and a wrong checkpoint is refused by name', () => {
  const model = new Seq2SeqTransformer(small, { generator: new Generator(1) });
  const keys = Object.keys(model.stateDict());
  assert.equal(keys[0], 'src_emb.weight');
  assert.ok(keys.includes('tgt_emb.weight') && keys.includes('out.weight') && keys.includes('out.bias'));
  assert.ok(keys.includes('transformer.encoder.layers.1.self_attn.in_proj_weight'));
  assert.ok(keys.includes('transformer.decoder.norm.bias'));
  assert.ok(!keys.some((k) => k.startsWith('positional')), 'the sinusoidal table is not saved');
  const other = new Seq2SeqTransformer({ ...small, dimFeedforward: 8 });
  assert.throws(() => other.loadStateDict(model.stateDict()), /'transformer\.encoder\.layers\.0\.linear1\.weight'.*\(32,16\).*\(8,16\)/);
});

test('masks end to end: a future target token, padding and the pad embedding change nothing they must not', () => {
  const model = new Seq2SeqTransformer(small, { generator: new Generator(2) }).eval();
  noGrad(() => {
    const src = ids([[5, 3, 8, 2], [9, 4, 0, 0]]);
    const tgt = ids([[1, 4, 9, 12, 3], [1, 7, 2, 6, 5]]);
    const base = model.forward(src, tgt); // (2, 5, 13)
    // a changed target token at position 3 leaves positions 0..2 bit for bit unchanged
    const changed = ids([[1, 4, 9, 5, 3], [1, 7, 2, 11, 5]]);
    const after = model.forward(src, changed);
    assert.deepEqual(values(after.slice(1, 0, 3)), values(base.slice(1, 0, 3)));
    assert.notDeepEqual(values(after.slice(1, 3, 4)), values(base.slice(1, 3, 4)));
    // more source padding, or a different pad embedding, changes no logit
    const padded = model.forward(ids([[5, 3, 8, 2, 0, 0], [9, 4, 0, 0, 0, 0]]), tgt);
    assert.ok(maxAbsDiff(padded, base) < 1e-6);
    const tgtPadded = model.forward(src, ids([[1, 4, 9, 12, 3, 0, 0], [1, 7, 2, 6, 5, 0, 0]]));
    assert.ok(maxAbsDiff(tgtPadded.slice(1, 0, 5), base) < 1e-6);
    const w = model.src_emb.weight.data as Float32Array;
    const saved = w.slice(0, 16);
    w.fill(5, 0, 16);
    const newPad = model.forward(src, tgt);
    w.set(saved, 0);
    assert.deepEqual(values(newPad), values(base));
    // an all-padding source (an empty line) gives finite logits, not NaN
    const empty = model.forward(ids([[0, 0, 0, 0], [9, 4, 0, 0]]), tgt);
    assert.ok(values(empty).every(Number.isFinite));
    assert.ok(maxAbsDiff(empty.slice(0, 1, 2), base.slice(0, 1, 2)) < 1e-6, 'the other row is untouched');
  });
});

test('KV cache: decodeStep logits equal the full teacher-forced decode, and greedy decoding agrees with and without it', () => {
  const model = new Seq2SeqTransformer(small, { generator: new Generator(3) }).eval();
  const src = ids([[5, 3, 8, 2, 7], [9, 4, 0, 0, 0]]);
  const tgt = ids([[1, 4, 9, 12, 3, 6], [1, 7, 2, 6, 5, 8]]);
  noGrad(() => {
    const enc = model.encode(src);
    const full = model.decode(tgt, enc); // (2, 6, 13)
    const cache = new KVCache();
    for (let t = 0; t < 6; t++) {
      const step = model.decodeStep(tgt.slice(1, t, t + 1).contiguous(), enc, cache); // (2, 1, 13)
      assert.ok(maxAbsDiff(step, full.slice(1, t, t + 1)) < 1e-5, `position ${t}`);
    }
    assert.equal(cache.position, 6);
    // a prefix at once, then one token
    const cache2 = new KVCache();
    const prefix = model.decodeStep(tgt.slice(1, 0, 4).contiguous(), enc, cache2);
    assert.ok(maxAbsDiff(prefix, full.slice(1, 0, 4)) < 1e-5);
    assert.ok(maxAbsDiff(model.decodeStep(tgt.slice(1, 4, 5).contiguous(), enc, cache2), full.slice(1, 4, 5)) < 1e-5);
  });
  const withCache = model.greedyDecode(src, { bos: 1, eos: 2, maxLen: 12 });
  const without = model.greedyDecode(src, { bos: 1, eos: 2, maxLen: 12, useCache: false });
  assert.deepEqual(withCache, without);
  assert.equal(withCache.length, 2);
});

test('tieOutput shares one tensor between tgt_emb.weight and out.weight', () => {
  const model = new Seq2SeqTransformer({ ...small, tieOutput: true }, { generator: new Generator(4) });
  assert.equal(model.out.weight, model.tgt_emb.weight);
  const sd = model.stateDict();
  assert.equal(sd['out.weight'], sd['tgt_emb.weight'], 'both names, as PyTorch lists tied weights');
  assert.ok(!model.namedParameters().some(([n]) => n === 'out.weight'), 'trained once');
  const untied = new Seq2SeqTransformer(small, { generator: new Generator(4) });
  assert.equal(untied.numParameters() - model.numParameters(), 13 * 16);
  // the shared weight's gradient is the sum of both uses
  const src = ids([[5, 3, 8]]);
  const tin = ids([[1, 4, 9]]);
  model.loss(model.forward(src, tin), ids([[4, 9, 2]])).backward();
  const g = model.tgt_emb.weight.grad!.toArray() as number[][];
  assert.ok(g[12].some((v) => v !== 0), 'row 12 never embedded but still trained through the output layer');
  assert.throws(() => model.forward(ids([[1]]), ids([[1], [2]])), /different batch sizes/);
});

test('the first model test: a tiny Transformer learns to copy sequences, 100% exact match on held-out ones', (t) => {
  // wasm SIMD makes this a few seconds; the reference js backend takes a few times longer
  const previous = getBackend().name;
  if (wasmSimdSupported()) setBackend('wasm');
  t.after(() => setBackend(previous));
  const g = new Generator(0);
  const PAD = 0, BOS = 1, EOS = 2, V = 12;
  assert.equal(PAD, 0);
  const sample = (): number[] => Array.from({ length: 3 + g.randint(5) }, () => 3 + g.randint(V - 3)); // 3..7 symbols
  const heldOut: number[][] = [];
  const heldKeys = new Set<string>();
  while (heldOut.length < 100) {
    const s = sample();
    if (!heldKeys.has(s.join())) { heldKeys.add(s.join()); heldOut.push(s); }
  }
  const model = new Seq2SeqTransformer(
    { srcVocab: V, tgtVocab: V, dModel: 32, nhead: 4, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 64, dropout: 0, maxLen: 16, labelSmoothing: 0 },
    { generator: new Generator(1) },
  );
  const opt = new Adam(model.parameters(), { lr: 5e-3, betas: [0.9, 0.98], eps: 1e-9 });
  const steps = 400;
  const start = performance.now();
  let loss = NaN;
  for (let step = 1; step <= steps; step++) {
    const batch: number[][] = [];
    while (batch.length < 32) {
      const s = sample();
      if (!heldKeys.has(s.join())) batch.push(s); // never train on a held-out sequence
    }
    // warmup, then linear decay
    opt.paramGroups[0].lr = 5e-3 * Math.min(step / 30, 1) * Math.max(0.05, 1 - step / steps);
    const logits = model.forward(ids(batch, 7), ids(batch.map((s) => [BOS, ...s]), 8));
    const l = model.loss(logits, ids(batch.map((s) => [...s, EOS]), 8));
    model.zeroGrad();
    l.backward();
    opt.step();
    loss = l.item();
  }
  model.eval();
  const out = model.greedyDecode(ids(heldOut, 7), { bos: BOS, eos: EOS, maxLen: 10 });
  const exact = out.filter((o, i) => o.join() === heldOut[i].join()).length;
  t.diagnostic(`${steps} steps in ${((performance.now() - start) / 1000).toFixed(1)} s, final loss ${loss.toFixed(4)}, exact match ${exact}/100`);
  assert.equal(exact, 100);
});
