/**
 * The word language models (rnn, lstm — tied and untied —, gru, and the causal Transformer) through the
 * PyTorch twin, both ways: a model directory llmcore writes loads into python/llmcore_torch with the
 * same logits (≤ 1e-5), and one the twin initialises and writes loads into llmcore with the same
 * logits; `llmcore data tokenize --text` gives the twin the ids of llmcore's own tokenizer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { llmcore, tempDir } from '../helpers/cli.js';
import { loadLm, saveLm } from '../../src/models/lm/checkpoint.js';
import { WordLM, type WordLMConfig } from '../../src/models/lm/model.js';
import { LmTokenizer } from '../../src/models/lm/tokenizer.js';
import { decodeTokenFile, tokenSequence } from '../../src/data/token-file.js';
import { loadSafetensors } from '../../src/io/file.js';
import { Generator } from '../../src/util/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { maxAbsDiff, noTorch, python } from './torch-helpers.js';

const TEXT = 'the cat sat on the mat .\nthe dog sat on the log .\na cat and a dog ran to the mat .\n';
const CONFIGS: Record<string, Omit<WordLMConfig, 'vocabSize'>> = {
  rnn: { kind: 'rnn', embDim: 12, hiddenSize: 20, numLayers: 2 },
  lstm: { kind: 'lstm', embDim: 12, hiddenSize: 20 },
  'lstm-tied': { kind: 'lstm', embDim: 16, hiddenSize: 16, tieWeights: true },
  gru: { kind: 'gru', embDim: 12, hiddenSize: 20 },
  transformer: { kind: 'transformer', embDim: 16, nhead: 2, numLayers: 2, context: 12 },
};

test('word LMs: llmcore → PyTorch and PyTorch → llmcore with equal logits', { timeout: 120_000 }, async (t) => {
  if (noTorch(t)) return;
  const dir = tempDir('llmcore-torch-lm-');
  const tokenizer = LmTokenizer.train(TEXT);
  const V = tokenizer.size;
  const rows = [[1, 4, 5, 6, 2, 3, 7], [8, 3, 3, 9, 4, 1, 2]].map((r) => r.map((id) => id % V));
  const inputs = join(dir, 'inputs.json');
  writeFileSync(inputs, JSON.stringify({ ids: rows }));
  const jobs: object[] = [];
  for (const [name, c] of Object.entries(CONFIGS)) {
    const model = new WordLM({ ...c, vocabSize: V, dropout: 0.3 }, { generator: new Generator(7) });
    await saveLm(join(dir, name), { model, tokenizer, config: { format: 'llmcore-lm', version: 1, model: model.config } }, { step: 3 });
    jobs.push({ cmd: 'logits', model: join(dir, name), inputs, out: join(dir, `${name}.a.safetensors`) });
    jobs.push({ cmd: 'init', like: join(dir, name), out: join(dir, `${name}-torch`), seed: 11 });
    jobs.push({ cmd: 'logits', model: join(dir, `${name}-torch`), inputs, out: join(dir, `${name}.b.safetensors`) });
  }
  writeFileSync(join(dir, 'jobs.json'), JSON.stringify(jobs));
  python(['-m', 'llmcore_torch', 'batch', join(dir, 'jobs.json')]);
  const ids = new Tensor(Int32Array.from(rows.flat()), [2, 7]);
  const errors: string[] = [];
  for (const name of Object.keys(CONFIGS)) {
    for (const [d, out] of [[name, 'a'], [`${name}-torch`, 'b']]) {
      const { model } = await loadLm(join(dir, d));
      const mine = noGrad(() => model.forward(ids).logits);
      const diff = maxAbsDiff(mine, (await loadSafetensors(join(dir, `${name}.${out}.safetensors`))).tensors.logits);
      assert.ok(diff <= 1e-5, `${d}: llmcore vs PyTorch logits differ by ${diff}`);
      errors.push(`${d} ${diff.toExponential(1)}`);
    }
  }
  // the twin's own weights differ from llmcore's: the second direction is not the first one again
  const a = (await loadSafetensors(join(dir, 'lstm', 'model.safetensors'))).tensors['rnn.weight_hh_l0'];
  const b = (await loadSafetensors(join(dir, 'lstm-torch', 'model.safetensors'))).tensors['rnn.weight_hh_l0'];
  assert.ok(maxAbsDiff(a, b) > 1e-3);
  t.diagnostic(`max |llmcore − PyTorch| logits: ${errors.join(', ')}`);

  // the ids of llmcore's tokenizer, read by the twin
  writeFileSync(join(dir, 'corpus.txt'), TEXT);
  const r = llmcore(['data', 'tokenize', '--model', join(dir, 'lstm'), '--text', join(dir, 'corpus.txt'), '--out', join(dir, 'corpus.tokens')]);
  assert.equal(r.status, 0, r.stderr);
  const want = Array.from(tokenizer.encodeText(TEXT));
  const index = JSON.parse(readFileSync(join(dir, 'corpus.tokens.json'), 'utf8'));
  assert.deepEqual(tokenSequence(decodeTokenFile(readFileSync(join(dir, 'corpus.tokens')), index).text, 0), want);
  const py = python(['-c', `from llmcore_torch import tokens; import json; i, s = tokens.read(${JSON.stringify(join(dir, 'corpus.tokens'))}); tokens.check_tokenizer(i, 'x', ${JSON.stringify(join(dir, 'lstm'))}); print(json.dumps(s['text'][0]))`]);
  assert.deepEqual(JSON.parse(py.stdout), want);
});
