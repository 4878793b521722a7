/**
 * The GPT model (src/models/gpt): gelu_new's gradient by finite differences; Conv1D's layout; the KV
 * cache equal to full recomputation (one position at a time, a prompt in one pass, past the context,
 * after forks); model directories: save → load gives identical logits, hub forms (`transformer.`
 * prefix, mask buffers, a tied lm_head) load, and wrong tensors or config fields are one clear error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/backend/js/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { Generator } from '../../src/util/random.js';
import { geluTanh, linear } from '../../src/ops/nn.js';
import { KVCache } from '../../src/nn/attention.js';
import { Conv1D } from '../../src/nn/conv1d.js';
import { normal_ } from '../../src/nn/init.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { gptConfig, gptConfigFromHf, gptConfigToHf, type GptConfig } from '../../src/models/gpt/config.js';
import { GptModel } from '../../src/models/gpt/model.js';
import { GptStepModel } from '../../src/models/gpt/step.js';
import { loadGpt, saveGpt } from '../../src/models/gpt/checkpoint.js';
import { tempDir } from '../helpers/cli.js';

const CONFIG: GptConfig = gptConfig({ vocabSize: 37, nPositions: 10, nEmbd: 16, nLayer: 2, nHead: 4, embdPdrop: 0.1, attnPdrop: 0.1, residPdrop: 0.1, bosTokenId: null, eosTokenId: null });

/** A model with weights wide enough that its outputs depend on the context (N(0, 0.02) barely does). */
function makeModel(seed = 1, config = CONFIG): GptModel {
  const model = new GptModel(config, { generator: new Generator(seed) }).eval();
  const g = new Generator(seed + 100);
  for (const p of model.parameters()) normal_(p, p.ndim === 2 ? 0 : 1, 0.3, g);
  return model;
}

function ids(rows: number[][]): Tensor {
  return new Tensor(Int32Array.from(rows.flat()), [rows.length, rows[0].length]);
}

function tokens(n: number, seed: number, V = CONFIG.vocabSize): number[] {
  const g = new Generator(seed);
  return Array.from({ length: n }, () => g.randint(V));
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The last position's logits of a full forward pass over `text` (its last nPositions tokens). */
function recomputed(model: GptModel, text: number[]): Float32Array {
  const window = text.slice(Math.max(0, text.length - model.config.nPositions));
  const logits = noGrad(() => model.forward(ids([window])));
  const [, T, V] = logits.shape;
  return Float32Array.from(logits.contiguousData().slice((T - 1) * V, T * V));
}

test('geluTanh: HF gelu_new values, and its gradient by finite differences (float64)', () => {
  const x = new Tensor(Float64Array.from([-3, -1, -0.5, 0, 0.3, 1, 2.5]), [7]);
  // torch.nn.functional.gelu(x, approximate='tanh') in float64
  const want = [-0.0036373920817729943, -0.15880800939172324, -0.15428599017485606, 0, 0.18537092354275922, 0.8411919906082768, 2.484915733910001];
  assert.ok(maxDiff(geluTanh(x).contiguousData(), want) < 1e-15);
  // and not the exact GELU, which a pretrained GPT-2 would notice
  assert.ok(maxDiff(x.gelu().contiguousData(), want) > 1e-4);
  const r = new Generator(3);
  const y = new Tensor(Float64Array.from({ length: 24 }, () => 3 * r.normal()), [4, 6]);
  assert.equal(gradcheck((t) => geluTanh(t), [y]), true);
});

test('Conv1D is y = x·W + b with W stored (in, out), as Hugging Face\'s', () => {
  const c = new Conv1D(3, 2, { generator: new Generator(1) });
  assert.deepEqual([...c.weight.shape], [2, 3]);
  assert.deepEqual(Object.keys(c.stateDict()).sort(), ['bias', 'weight']);
  c.bias.data.set([0.5, -1, 2]);
  const x = new Tensor(Float32Array.from([1, 2]), [1, 2]);
  const w = c.weight.contiguousData();
  const want = [0, 1, 2].map((j) => 1 * w[j] + 2 * w[3 + j] + [0.5, -1, 2][j]);
  assert.ok(maxDiff(c.forward(x).contiguousData(), want) < 1e-6);
  assert.ok(maxDiff(c.forward(x).contiguousData(), linear(x, c.weight.transpose(0, 1), c.bias).contiguousData()) === 0);
});

test('the state dict has exactly GPT-2\'s names and shapes, and no output layer of its own', () => {
  const model = new GptModel(CONFIG);
  const names = Object.keys(model.stateDict());
  assert.deepEqual(names.filter((n) => !n.startsWith('h.')), ['wte.weight', 'wpe.weight', 'ln_f.weight', 'ln_f.bias']);
  assert.deepEqual(names.filter((n) => n.startsWith('h.0.')), [
    'h.0.ln_1.weight', 'h.0.ln_1.bias', 'h.0.attn.c_attn.weight', 'h.0.attn.c_attn.bias', 'h.0.attn.c_proj.weight', 'h.0.attn.c_proj.bias',
    'h.0.ln_2.weight', 'h.0.ln_2.bias', 'h.0.mlp.c_fc.weight', 'h.0.mlp.c_fc.bias', 'h.0.mlp.c_proj.weight', 'h.0.mlp.c_proj.bias',
  ]);
  assert.deepEqual([...model.stateDict()['h.1.attn.c_attn.weight'].shape], [16, 48]);
  assert.deepEqual([...model.stateDict()['h.1.mlp.c_proj.weight'].shape], [64, 16]);
  // issue 15's nanoGPT anchor (4 layers, 4 heads, width 128, context 64, 65 characters) has 809,856
  const anchor = new GptModel(gptConfig({ vocabSize: 65, nPositions: 64, nEmbd: 128, nLayer: 4, nHead: 4, bosTokenId: null, eosTokenId: null }));
  assert.equal(anchor.numParameters(), 809_856);
});

test('the KV cache gives the logits of full recomputation (within 1e-5): one token at a time, a prompt at once, past the context', () => {
  const model = makeModel();
  const text = tokens(3 * CONFIG.nPositions, 7);
  const stepper = new GptStepModel(model, text.slice(0, 3)); // 3 prompt tokens read with the first step
  let worst = 0;
  for (let t = 3; t < text.length; t++) worst = Math.max(worst, maxDiff(stepper.logits([text[t]]).contiguousData(), recomputed(model, text.slice(0, t + 1))));
  assert.ok(worst < 1e-5, `max |Δlogit| ${worst}`);
  // and the cache at the model level: two calls of 4 and 3 positions equal one of 7
  const cache = new KVCache();
  const seq = tokens(7, 9);
  const a = noGrad(() => model.forward(ids([seq.slice(0, 4)]), { cache }));
  const b = noGrad(() => model.forward(ids([seq.slice(4)]), { cache }));
  assert.equal(cache.position, 7);
  const full = noGrad(() => model.forward(ids([seq]))).contiguousData();
  const parts = [...a.contiguousData(), ...b.contiguousData()];
  assert.ok(maxDiff(parts, full) < 1e-5);
  assert.throws(() => noGrad(() => model.forward(ids([tokens(4, 1)]), { cache })), /11 positions \(7 cached \+ 4 new\) exceed the context of 10 \(n_positions\)/);
});

test('reorder forks and drops rows with their cache (what beam search does)', () => {
  const model = makeModel(2);
  const a = tokens(8, 11);
  const b = tokens(8, 12);
  const stepper = new GptStepModel(model, a.slice(0, 2));
  stepper.logits([a[2]]);
  stepper.reorder([0, 0]); // fork
  const got = stepper.logits([a[3], b[3]]).contiguousData();
  const V = CONFIG.vocabSize;
  assert.ok(maxDiff(got.slice(0, V), recomputed(model, a.slice(0, 4))) < 1e-5);
  assert.ok(maxDiff(got.slice(V), recomputed(model, [...a.slice(0, 3), b[3]])) < 1e-5);
  stepper.reorder([1]); // drop row 0
  assert.ok(maxDiff(stepper.logits([b[4]]).contiguousData(), recomputed(model, [...a.slice(0, 3), b[3], b[4]])) < 1e-5);
  assert.throws(() => stepper.reorder([3]), /row 3 out of range \[0, 1\)/);
});

test('dropout is on in train mode only: eval forwards are deterministic, train forwards differ', () => {
  const model = makeModel(3);
  const x = ids([tokens(6, 2)]);
  const e1 = noGrad(() => model.forward(x)).contiguousData();
  assert.deepEqual(e1, noGrad(() => model.forward(x)).contiguousData());
  model.train();
  assert.ok(maxDiff(noGrad(() => model.forward(x)).contiguousData(), e1) > 1e-3);
});

test('save → load gives identical logits; the folder is HF\'s (config.json keys, transformer. names, format pt)', async () => {
  const dir = tempDir('llmcore-gpt-');
  const model = makeModel(4);
  await saveGpt(dir, model, { files: { 'vocab.json': '{}' } });
  const hf = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  assert.equal(hf.model_type, 'gpt2');
  assert.deepEqual([hf.n_embd, hf.n_head, hf.n_layer, hf.n_positions, hf.vocab_size, hf.activation_function], [16, 4, 2, 10, 37, 'gelu_new']);
  assert.equal(readFileSync(join(dir, 'vocab.json'), 'utf8'), '{}');
  const loaded = await loadGpt(dir);
  assert.deepEqual(loaded.config, CONFIG);
  assert.equal(loaded.model.training, false);
  const x = ids([tokens(9, 5), tokens(9, 6)]);
  assert.deepEqual(noGrad(() => loaded.model.forward(x)).contiguousData(), noGrad(() => model.forward(x)).contiguousData());
  // float16 for shipping: half the bytes, logits within float16's rounding
  const half = tempDir('llmcore-gpt-f16-');
  await saveGpt(half, model, { dtype: 'F16' });
  const h = await loadGpt(half);
  assert.ok(maxDiff(noGrad(() => h.model.forward(x)).contiguousData(), noGrad(() => model.forward(x)).contiguousData()) < 0.05);
});

/** A folder holding `state` as model.safetensors beside CONFIG's config.json. */
function folderWith(state: Record<string, Tensor>, config: Record<string, unknown> = gptConfigToHf(CONFIG)): string {
  const dir = tempDir('llmcore-gpt-hub-');
  writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(state, { metadata: { format: 'pt' } }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

test('hub forms load: no prefix or transformer., the h.N.attn.bias/masked_bias buffers, a tied lm_head.weight', async () => {
  const model = makeModel(5);
  const state = model.stateDict();
  const x = ids([tokens(5, 3)]);
  const want = noGrad(() => model.forward(x)).contiguousData();
  const n = CONFIG.nPositions;
  const tril = new Tensor(Float32Array.from({ length: n * n }, (_, i) => (i % n <= Math.floor(i / n) ? 1 : 0)), [1, 1, n, n]);
  const buffers = Object.fromEntries([0, 1].flatMap((i) => [[`h.${i}.attn.bias`, tril], [`h.${i}.attn.masked_bias`, new Tensor(Float32Array.from([-1e4]), [])]]));
  const prefixed = Object.fromEntries(Object.entries({ ...state, ...buffers }).map(([k, v]) => [`transformer.${k}`, v]));
  for (const [what, s] of [
    ['GPT2Model names', state],
    ['with the mask buffers', { ...state, ...buffers }],
    ['transformer.-prefixed, with buffers and the tied lm_head', { ...prefixed, 'lm_head.weight': state['wte.weight'] }],
  ] as const) {
    const loaded = await loadGpt(folderWith(s));
    assert.deepEqual(noGrad(() => loaded.model.forward(x)).contiguousData(), want, what);
  }
  const untied = normal_(new Tensor(new Float32Array(CONFIG.vocabSize * 16), [CONFIG.vocabSize, 16]), 0, 1, new Generator(1));
  await assert.rejects(loadGpt(folderWith({ ...state, 'lm_head.weight': untied })), /'lm_head.weight' differs from the token embedding 'wte.weight'.*not tied to the embedding is not supported/);
});

test('wrong tensors are one error listing every missing, unexpected and mis-shaped key, from the header', async () => {
  const state = { ...makeModel(6).stateDict() };
  delete state['h.1.mlp.c_fc.bias'];
  delete state['ln_f.weight'];
  state['h.0.attn.c_attn.weight'] = new Tensor(new Float32Array(48 * 16), [48, 16]); // Linear's layout, not Conv1D's
  state['h.2.ln_1.weight'] = new Tensor(new Float32Array(16), [16]);
  state['h.5.attn.bias'] = new Tensor(new Float32Array(1), [1]); // a buffer of a layer the config does not have
  const dir = folderWith(state);
  await assert.rejects(loadGpt(dir), (e: Error) => {
    assert.match(e.message, /model\.safetensors does not fit .*config\.json: /);
    assert.match(e.message, /missing 2: 'h\.1\.mlp\.c_fc\.bias' \[64\], 'ln_f\.weight' \[16\]/);
    assert.match(e.message, /unexpected 2: 'h\.2\.ln_1\.weight' \[16\], 'h\.5\.attn\.bias' \[1\]/);
    assert.match(e.message, /wrong shape 1: 'h\.0\.attn\.c_attn\.weight' is \[48, 16\], config\.json makes it \[16, 48\]/);
    assert.doesNotMatch(e.message, /\n|    at /);
    return true;
  });
});

test('config.json: GPT-2\'s keys are read and checked, field by field', () => {
  const hub = { activation_function: 'gelu_new', n_ctx: 1024, n_embd: 768, n_head: 12, n_layer: 12, vocab_size: 50257, layer_norm_epsilon: 1e-5, bos_token_id: 50256, eos_token_id: 50256, model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], n_positions: 1024 };
  const c = gptConfigFromHf(hub, 'gpt2/config.json');
  assert.deepEqual([c.nEmbd, c.nHead, c.nLayer, c.nPositions, c.vocabSize, c.activation, c.eosTokenId, c.nInner], [768, 12, 12, 1024, 50257, 'gelu_new', 50256, null]);
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ n_head: 7 }, /f\.json: n_head must be a divisor of n_embd \(768\)/],
    [{ n_embd: -1 }, /n_embd must be an integer from 1 to/],
    [{ activation_function: 'swish' }, /activation_function must be one of gelu_new, gelu_pytorch_tanh, gelu_fast, gelu, relu, tanh, got "swish"/],
    [{ layer_norm_epsilon: 0 }, /layer_norm_epsilon must be a number between 0 and 1/],
    [{ model_type: 'llama' }, /model_type is "llama"; llmcore's GPT reads GPT-2 checkpoints/],
    [{ add_cross_attention: true }, /add_cross_attention true is not supported/],
    [{ eos_token_id: 50257 }, /eos_token_id must be null or a token id below vocab_size \(50257\)/],
    [{ vocab_size: undefined }, /vocab_size is missing/],
  ];
  for (const [change, message] of bad) assert.throws(() => gptConfigFromHf({ ...hub, ...change }, 'f.json'), message);
});

test('loadGpt names a missing directory, config or weights file', async () => {
  await assert.rejects(loadGpt('/nonexistent/gpt'), /\/nonexistent\/gpt: no such model directory/);
  const empty = tempDir('llmcore-gpt-empty-');
  await assert.rejects(loadGpt(empty), /no config\.json/);
  mkdirSync(join(empty, 'x'));
  writeFileSync(join(empty, 'config.json'), JSON.stringify(gptConfigToHf(CONFIG)));
  writeFileSync(join(empty, 'pytorch_model.bin'), '');
  await assert.rejects(loadGpt(empty), /no model\.safetensors \(pytorch_model\.bin is a pickle llmcore does not read/);
});
