/**
 * The twin trains as llmcore trains: from the directory `llmcore data tokenize --new` writes (llmcore's
 * own initial weights), without dropout, `python/train_translator.py` on one process and
 * `llmcore train translate` with the same recipe take the same batches in the same order under the same
 * Noam schedule, Adam, clipping and label-smoothed loss — so after a few steps their weights, logits,
 * training loss and dev loss agree to float32 rounding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { llmcore, SHARED, tempDir } from '../helpers/cli.js';
import { missingFixture } from '../helpers/fixtures.js';
import { loadTranslator } from '../../src/models/seq2seq/checkpoint.js';
import { loadSafetensors } from '../../src/io/file.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { maxAbsDiff, noTorch, python } from './torch-helpers.js';

const TATOEBA = join(SHARED, 'data', 'tatoeba-cmn-eng');
const STEPS = 6;
const RECIPE = {
  chapter: 'translate',
  tokenizer: { bpeMerges: 150, srcBpeMerges: 50 },
  model: { dModel: 32, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 64, maxLen: 80, dropout: 0 },
  training: { seed: 5, maxTokens: 300, warmupSteps: 10, epochs: 3, devBleuSentences: 5 },
};

test('llmcore train translate and the twin, from the same start, agree after a few steps', { timeout: 180_000 }, async (t) => {
  if (noTorch(t)) return;
  if (missingFixture(t, join(TATOEBA, 'train.tsv'))) return;
  const dir = tempDir('llmcore-torch-parity-');
  const trainTsv = join(dir, 'train.tsv');
  const devTsv = join(dir, 'dev.tsv');
  writeFileSync(trainTsv, readFileSync(join(TATOEBA, 'train.tsv'), 'utf8').split('\n').slice(0, 200).join('\n') + '\n');
  writeFileSync(devTsv, readFileSync(join(TATOEBA, 'dev.tsv'), 'utf8').split('\n').slice(0, 20).join('\n') + '\n');
  const recipe = join(dir, 'recipe.json');
  writeFileSync(recipe, JSON.stringify(RECIPE));
  const init = join(dir, 'init');
  for (const args of [['--new', '--recipe', recipe, '--pairs', trainTsv, '--out', join(dir, 'train.tokens')], ['--pairs', devTsv, '--out', join(dir, 'dev.tokens')]]) {
    const r = llmcore(['data', 'tokenize', '--model', init, ...args]);
    assert.equal(r.status, 0, r.stderr);
  }
  const ours = llmcore(['train', 'translate', '--recipe', recipe, '--train', trainTsv, '--dev', devTsv, '--out', join(dir, 'llmcore'), '--max-steps', String(STEPS)], { timeout: 120_000 });
  assert.equal(ours.status, 0, ours.stderr);
  python(['train_translator.py', '--init', init, '--train', join(dir, 'train.tokens'), '--dev', join(dir, 'dev.tokens'), '--out', join(dir, 'torch'), '--max-steps', String(STEPS), '--quiet'], { timeout: 120_000 });

  const a = await loadSafetensors(join(dir, 'llmcore', 'last', 'model.safetensors'));
  const b = await loadSafetensors(join(dir, 'torch', 'last', 'model.safetensors'));
  assert.deepEqual(Object.keys(b.tensors).sort(), Object.keys(a.tensors).sort());
  assert.equal(a.metadata['llmcore.step'], String(STEPS));
  assert.equal(b.metadata['llmcore.step'], String(STEPS));
  const start = (await loadSafetensors(join(init, 'model.safetensors'))).tensors;
  let weights = 0;
  let moved = 0;
  const C = RECIPE.model.dModel;
  for (const k of Object.keys(a.tensors)) {
    const [x, y] = [a.tensors[k], b.tensors[k]];
    // the key bias (rows C…2C of in_proj_bias): softmax ignores it, so its gradient is zero up to
    // rounding, which Adam scales up to ±lr differently in each engine; the logits cannot see it
    const parts = k.endsWith('in_proj_bias') ? [[0, C], [2 * C, 3 * C]] : [[0, x.shape[0]]];
    for (const [from, to] of parts) weights = Math.max(weights, maxAbsDiff(x.slice(0, from, to), y.slice(0, from, to)));
    moved = Math.max(moved, maxAbsDiff(a.tensors[k], start[k]));
  }
  assert.ok(moved > 1e-3, `training moved the weights (by ${moved})`);
  // Adam divides by √v: a weight whose gradient is tiny moves by up to lr on float noise, so weights
  // agree less closely than logits do
  assert.ok(weights <= 1e-3, `after ${STEPS} steps the weights differ by ${weights}`);

  const src = new Tensor(Int32Array.from([5, 6, 7, 8, 9, 10, 11, 12, 0, 0]), [2, 5]);
  const tgt = new Tensor(Int32Array.from([1, 5, 6, 7, 1, 8, 0, 0]), [2, 4]);
  const [ma, mb] = [(await loadTranslator(join(dir, 'llmcore', 'last'))).model, (await loadTranslator(join(dir, 'torch', 'last'))).model];
  const logits = maxAbsDiff(noGrad(() => ma.forward(src, tgt)), noGrad(() => mb.forward(src, tgt)));
  assert.ok(logits <= 1e-5, `after ${STEPS} steps the logits differ by ${logits}`);

  const last = (file: string): { trainLoss: number; devLoss: number; step: number } => JSON.parse(readFileSync(file, 'utf8').trim().split('\n').pop()!);
  const ra = last(join(dir, 'llmcore', 'log.jsonl'));
  const rb = last(join(dir, 'torch', 'log.jsonl'));
  assert.equal(rb.step, ra.step);
  assert.ok(Math.abs(ra.trainLoss - rb.trainLoss) <= 1e-5, `train loss ${ra.trainLoss} vs ${rb.trainLoss}`);
  assert.ok(Math.abs(ra.devLoss - rb.devLoss) <= 1e-5, `dev loss ${ra.devLoss} vs ${rb.devLoss}`);
  t.diagnostic(`after ${STEPS} steps: weights ${weights.toExponential(2)}, logits ${logits.toExponential(2)}, train loss ${ra.trainLoss} vs ${rb.trainLoss}, dev loss ${ra.devLoss} vs ${rb.devLoss}`);
});
