/**
 * The GPT through the PyTorch twin, both ways: a GPT directory llmcore writes (GPT-2's names with the
 * `transformer.` prefix, Conv1D weights stored (in, out), the output tied to wte) loads into
 * python/llmcore_torch with the same logits (≤ 1e-5), and one the twin initialises and writes loads
 * into llmcore with the same logits — for GPT-2's tanh GELU and for the exact GELU with scores scaled by
 * 1/(layer + 1); `llmcore data tokenize --text` gives the twin the ids of the model's tokenizer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { llmcore, tempDir } from '../helpers/cli.js';
import { gptConfig, type GptConfig } from '../../src/models/gpt/config.js';
import { GptModel } from '../../src/models/gpt/model.js';
import { loadGpt, saveGpt } from '../../src/models/gpt/checkpoint.js';
import { CHAR_VOCAB_FILE, CharTokenizer } from '../../src/models/gpt/data.js';
import { decodeTokenFile, tokenSequence } from '../../src/data/token-file.js';
import { loadSafetensors } from '../../src/io/file.js';
import { Generator } from '../../src/util/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { maxAbsDiff, noTorch, python } from './torch-helpers.js';

const TEXT = 'To be, or not to be, that is the question.\n';
const VARIANTS: Record<string, Partial<GptConfig>> = {
  'gelu-new': {},
  'gelu-scaled': { activation: 'gelu', scaleAttnByInverseLayerIdx: true, nInner: 24 },
};

test('GPT: llmcore → PyTorch and PyTorch → llmcore with equal logits', { timeout: 120_000 }, async (t) => {
  if (noTorch(t)) return;
  const dir = tempDir('llmcore-torch-gpt-');
  const tokenizer = CharTokenizer.fromText(TEXT);
  const V = tokenizer.vocabSize;
  const rows = [[0, 3, 5, 7, 2, 9, 4, 1], [6, 6, 2, 8, 3, 1, 0, 5]].map((r) => r.map((id) => id % V));
  const inputs = join(dir, 'inputs.json');
  writeFileSync(inputs, JSON.stringify({ ids: rows }));
  const jobs: object[] = [];
  for (const [name, c] of Object.entries(VARIANTS)) {
    const config = gptConfig({ vocabSize: V, nPositions: 16, nEmbd: 16, nLayer: 2, nHead: 2, embdPdrop: 0.1, attnPdrop: 0.1, residPdrop: 0.1, bosTokenId: null, eosTokenId: null, ...c });
    const model = new GptModel(config, { generator: new Generator(3) });
    await saveGpt(join(dir, name), model, { files: { [CHAR_VOCAB_FILE]: tokenizer.toJson() } });
    jobs.push({ cmd: 'logits', model: join(dir, name), inputs, out: join(dir, `${name}.a.safetensors`) });
    jobs.push({ cmd: 'init', like: join(dir, name), out: join(dir, `${name}-torch`), seed: 5 });
    jobs.push({ cmd: 'logits', model: join(dir, `${name}-torch`), inputs, out: join(dir, `${name}.b.safetensors`) });
  }
  writeFileSync(join(dir, 'jobs.json'), JSON.stringify(jobs));
  python(['-m', 'llmcore_torch', 'batch', join(dir, 'jobs.json')]);
  const ids = new Tensor(Int32Array.from(rows.flat()), [2, 8]);
  const errors: string[] = [];
  for (const name of Object.keys(VARIANTS)) {
    for (const [d, out] of [[name, 'a'], [`${name}-torch`, 'b']]) {
      const { model } = await loadGpt(join(dir, d));
      const mine = noGrad(() => model.forward(ids));
      const diff = maxAbsDiff(mine, (await loadSafetensors(join(dir, `${name}.${out}.safetensors`))).tensors.logits);
      assert.ok(diff <= 1e-5, `${d}: llmcore vs PyTorch logits differ by ${diff}`);
      errors.push(`${d} ${diff.toExponential(1)}`);
    }
  }
  const a = (await loadSafetensors(join(dir, 'gelu-new', 'model.safetensors'))).tensors['transformer.h.0.attn.c_attn.weight'];
  const b = (await loadSafetensors(join(dir, 'gelu-new-torch', 'model.safetensors'))).tensors['transformer.h.0.attn.c_attn.weight'];
  assert.ok(maxAbsDiff(a, b) > 1e-3, 'the twin wrote its own weights');
  assert.equal(readFileSync(join(dir, 'gelu-new-torch', CHAR_VOCAB_FILE), 'utf8'), tokenizer.toJson(), 'the tokenizer file is copied untouched');
  t.diagnostic(`max |llmcore − PyTorch| logits: ${errors.join(', ')}`);

  writeFileSync(join(dir, 'corpus.txt'), TEXT);
  const r = llmcore(['data', 'tokenize', '--model', join(dir, 'gelu-new'), '--text', join(dir, 'corpus.txt'), '--out', join(dir, 'corpus.tokens')]);
  assert.equal(r.status, 0, r.stderr);
  const index = JSON.parse(readFileSync(join(dir, 'corpus.tokens.json'), 'utf8'));
  assert.equal(index.vocab.text, V);
  assert.deepEqual(tokenSequence(decodeTokenFile(readFileSync(join(dir, 'corpus.tokens')), index).text, 0), tokenizer.encode(TEXT));
});
