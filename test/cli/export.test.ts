/**
 * `llmcore export onnx` as a user runs it (a child process): the shipped translator and a saved GPT
 * become .onnx files that ONNX Runtime loads and that translate / continue as llmcore does; onnx.json
 * names every input and output; --help tells the names and the opset; a missing, unknown or malformed
 * model directory is a one-line error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import '../../src/index.js';
import { Generator } from '../../src/util/random.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { BOS_ID, EOS_ID, PAD_ID } from '../../src/text/vocab.js';
import { loadTranslator } from '../../src/models/seq2seq/checkpoint.js';
import { translate } from '../../src/models/seq2seq/translate.js';
import { GptModel } from '../../src/models/gpt/model.js';
import { gptConfig } from '../../src/models/gpt/config.js';
import { saveGpt } from '../../src/models/gpt/checkpoint.js';
import { greedyTranslateOnnx } from '../../src/io/onnx/session.js';
import { compareGpt, rt, SENTENCES } from '../io/onnx-helpers.js';
import { llmcore, REPO, SHIPPED_MODEL, tempDir } from '../helpers/cli.js';

const dir = tempDir('llmcore-export-');
const opts: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1 };

/** A failing run: status 1, one line on stderr matching `pattern`, no stack trace. */
function fails(args: string[], pattern: RegExp): void {
  const r = llmcore(args);
  assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

test('export onnx --model models/zh-en: encoder.onnx and decoder.onnx that ONNX Runtime runs, translating as llmcore --beam 1 does', async () => {
  const out = join(dir, 'zh-en');
  const r = llmcore(['export', 'onnx', '--model', SHIPPED_MODEL, '--out', out, '--json'], { timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  assert.equal(m.model, 'translator');
  assert.equal(m.opset, 17);
  assert.deepEqual(m.graphs['encoder.onnx'].inputs, ['src_ids']);
  assert.deepEqual(m.graphs['decoder.onnx'].outputs, ['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value']);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'onnx.json'), 'utf8')), m);
  for (const f of ['config.json', 'tokenizer.json']) assert.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(SHIPPED_MODEL, f), 'utf8'), `${f} copied`);

  const encoder = await ort.InferenceSession.create(join(out, 'encoder.onnx'), opts);
  const decoder = await ort.InferenceSession.create(join(out, 'decoder.onnx'), opts);
  assert.deepEqual([...encoder.outputNames], m.graphs['encoder.onnx'].outputs, 'onnx.json tells the truth');
  assert.deepEqual([...decoder.inputNames], m.graphs['decoder.onnx'].inputs);
  const { model, tokenizer } = await loadTranslator(SHIPPED_MODEL);
  const sources = SENTENCES.map((s) => tokenizer.encodeSource(s).ids);
  const hyps = await greedyTranslateOnnx({ encoder, decoder }, rt, m, sources, {
    bos: m.specialIds.bos, eos: m.specialIds.eos, pad: m.specialIds.pad, bannedTokens: [PAD_ID, BOS_ID],
    maxLen: sources.map((s) => Math.ceil(s.length * 1.5) + 10),
  });
  const want = translate(model, tokenizer, SENTENCES, { beam: 1 });
  assert.deepEqual(hyps.map((h) => tokenizer.decodeTarget(h.tokens).replace(/\s+/g, ' ').trim()), want.map((w) => w.translation));
  assert.equal(m.specialIds.eos, EOS_ID);
});

test('export onnx --model GPT_DIR: model.onnx with logits within 1e-4 of llmcore\'s and the same greedy tokens; the tokenizer files copied', async () => {
  const config = gptConfig({ vocabSize: 40, nPositions: 24, nEmbd: 16, nLayer: 2, nHead: 2, embdPdrop: 0, attnPdrop: 0, residPdrop: 0, bosTokenId: null, eosTokenId: null });
  const model = new GptModel(config, { generator: new Generator(9) }).eval();
  noGrad(() => { for (const p of model.parameters()) p.data.forEach((x, j, a) => (a[j] = x * 5)); });
  const gptDir = join(dir, 'gpt');
  const vocab = JSON.stringify({ chars: 'abcdefghijklmnopqrstuvwxyz .,;:!?\n\'-()"'.split('') });
  await saveGpt(gptDir, model, { files: { 'char-vocab.json': vocab } });
  const out = join(dir, 'gpt-onnx');
  const r = llmcore(['export', 'onnx', '--model', gptDir, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /exported the gpt in .* model\.onnx [\d.]+ MB \(opset 17/);
  assert.equal(readFileSync(join(out, 'char-vocab.json'), 'utf8'), vocab);
  const m = JSON.parse(readFileSync(join(out, 'onnx.json'), 'utf8'));
  assert.deepEqual(m.graphs['model.onnx'].inputs, ['input_ids', 'past.0.key', 'past.0.value', 'past.1.key', 'past.1.value']);
  assert.equal(m.weights, 'float32');
  const session = await ort.InferenceSession.create(join(out, 'model.onnx'), opts);
  const c = await compareGpt(model, session, [3, 1, 4, 1, 5], 12);
  assert.ok(c.prefill <= 1e-4 && c.steps <= 1e-4, `${c.prefill}, ${c.steps}`);
  assert.ok(c.same, 'the same greedy continuation');

  // --float16: float16 initializers (2 bytes fewer per parameter: a small model's file is mostly graph), the same inputs and outputs
  const out16 = join(dir, 'gpt-onnx-16');
  const r16 = llmcore(['export', 'onnx', '--model', gptDir, '--out', out16, '--float16', '--json']);
  assert.equal(r16.status, 0, r16.stderr);
  const m16 = JSON.parse(r16.stdout);
  assert.equal(m16.weights, 'float16');
  // each weight also gains a Cast node (under 100 bytes of names)
  const parameters = model.parameters().reduce((n, p) => n + p.size, 0);
  const saved = m.bytes['model.onnx'] - m16.bytes['model.onnx'];
  const weights = model.parameters().length;
  assert.ok(saved <= 2 * parameters && saved >= 2 * parameters - 100 * weights, `${saved} bytes saved for ${parameters} parameters in ${weights} weights`);
  const s16 = await ort.InferenceSession.create(join(out16, 'model.onnx'), opts);
  assert.deepEqual([...s16.inputNames], m.graphs['model.onnx'].inputs);
});

test('export onnx: a missing, unknown or malformed model directory is a one-line error naming it', () => {
  const out = join(dir, 'never');
  fails(['export', 'onnx', '--model', join(dir, 'nope'), '--out', out], /^llmcore: export onnx: --model .*nope: no such directory$/);
  fails(['export', 'onnx', '--model', join(REPO, 'models', 'fashion-vit'), '--out', out], /export onnx: .*fashion-vit holds an llmcore model of format llmcore-vision; ONNX export covers the translator .* and the GPT/);
  const broken = join(dir, 'broken');
  cpSync(SHIPPED_MODEL, broken, { recursive: true });
  writeFileSync(join(broken, 'config.json'), '{"format": "llmcore-translator", ');
  fails(['export', 'onnx', '--model', broken, '--out', out], /export onnx: .*broken\/config\.json: not valid JSON/);
  const noWeights = join(dir, 'no-weights');
  cpSync(SHIPPED_MODEL, noWeights, { recursive: true, filter: (f) => !f.endsWith('.safetensors') });
  fails(['export', 'onnx', '--model', noWeights, '--out', out], /export onnx: .*no-weights\/model\.safetensors/);
  assert.ok(!existsSync(out), 'nothing written');
});

test('export onnx --help names the opset and every input and output', () => {
  const r = llmcore(['export', 'onnx', '--help']);
  assert.equal(r.status, 0, r.stderr);
  for (const s of ['opset 17', 'src_ids', 'memory_mask', 'cross.N.key', 'past.N.value', 'present.N.key', 'input_ids', 'logits', '--model <dir>', '--out <dir>']) assert.ok(r.stdout.includes(s), s);
});
