/**
 * The translator through the PyTorch twin, end to end: llmcore tokenizes a slice of the Tatoeba pairs
 * (and writes the starting model directory with its own initial weights), `torchrun
 * --nproc_per_node=2` trains it a few steps on two CPU processes (gloo), `llmcore translate --model`
 * reads the run, and llmcore's logits equal PyTorch's on the same ids; the other way, llmcore's
 * initialised and llmcore's trained (shipped) models load into the twin with equal logits. The twin's
 * batches are llmcore's, a resumed run continues where it stopped, and a run or a token file that
 * does not fit is one clear line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { llmcore, REPO, SHARED, SHIPPED_MODEL, tempDir } from '../helpers/cli.js';
import { missingFixture } from '../helpers/fixtures.js';
import { loadTranslator } from '../../src/models/seq2seq/checkpoint.js';
import { decodeTokenFile, tokenSequence } from '../../src/data/token-file.js';
import { bucketBatches } from '../../src/data/batching.js';
import { Generator } from '../../src/util/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { maxAbsDiff, noTorch, python, twinLogits } from './torch-helpers.js';

const TATOEBA = join(SHARED, 'data', 'tatoeba-cmn-eng');
const RECIPE = {
  chapter: 'translate',
  tokenizer: { bpeMerges: 150, srcBpeMerges: 50 },
  model: { dModel: 32, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 64, maxLen: 80 },
  training: { seed: 5, maxTokens: 300, warmupSteps: 10, epochs: 3 },
};
// two rows of different lengths, so both padding masks matter
const INPUTS = { src: [[5, 6, 7, 8, 9, 10], [11, 12, 13, 0, 0, 0]], tgt: [[1, 5, 6, 7, 8], [1, 9, 10, 0, 0]] };

function ids(rows: number[][]): Tensor {
  return new Tensor(Int32Array.from(rows.flat()), [rows.length, rows[0].length]);
}

async function llmcoreLogits(dir: string, inputs: { src: number[][]; tgt: number[][] }): Promise<{ logits: Tensor; step: number }> {
  const { model, step } = await loadTranslator(dir);
  return { logits: noGrad(() => model.forward(ids(inputs.src), ids(inputs.tgt))), step };
}

test('llmcore tokenizes → torchrun trains on 2 processes → llmcore translates the run, logits equal both ways', { timeout: 240_000 }, async (t) => {
  if (noTorch(t)) return;
  if (missingFixture(t, join(TATOEBA, 'train.tsv'))) return;
  const dir = tempDir('llmcore-torch-');
  const trainTsv = join(dir, 'train.tsv');
  const devTsv = join(dir, 'dev.tsv');
  writeFileSync(trainTsv, readFileSync(join(TATOEBA, 'train.tsv'), 'utf8').split('\n').slice(0, 240).join('\n') + '\n');
  writeFileSync(devTsv, readFileSync(join(TATOEBA, 'dev.tsv'), 'utf8').split('\n').slice(0, 30).join('\n') + '\n');
  writeFileSync(join(dir, 'recipe.json'), JSON.stringify(RECIPE));
  const init = join(dir, 'init');
  const tok = llmcore(['data', 'tokenize', '--model', init, '--new', '--recipe', join(dir, 'recipe.json'), '--pairs', trainTsv, '--out', join(dir, 'train.tokens'), '--json']);
  assert.equal(tok.status, 0, tok.stderr);
  const dev = llmcore(['data', 'tokenize', '--model', init, '--pairs', devTsv, '--out', join(dir, 'dev.tokens')]);
  assert.equal(dev.status, 0, dev.stderr);
  assert.match(dev.stderr, /30 pairs/);
  for (const f of ['config.json', 'tokenizer.json', 'model.safetensors']) assert.ok(existsSync(join(init, f)), f);

  // the twin reads the ids llmcore wrote, and cuts them into llmcore's batches
  const index = JSON.parse(readFileSync(join(dir, 'train.tokens.json'), 'utf8'));
  const streams = decodeTokenFile(readFileSync(join(dir, 'train.tokens')), index);
  const pairs = Array.from({ length: index.sequences }, (_, i) => ({ i, src: tokenSequence(streams.src, i), tgt: tokenSequence(streams.tgt, i) }));
  const py = JSON.parse(python(['-c', [
    'import json, sys',
    'from llmcore_torch import tokens, batching',
    `index, s = tokens.read(${JSON.stringify(join(dir, 'train.tokens'))})`,
    'pairs = list(zip(s["src"], s["tgt"]))',
    `print(json.dumps({"first": pairs[0], "n": len(pairs), "batches": [batching.epoch_batches(pairs, ${RECIPE.training.maxTokens}, ${RECIPE.training.seed}, e) for e in (0, 1)]}))`,
  ].join('\n')]).stdout);
  assert.equal(py.n, pairs.length);
  assert.deepEqual(py.first, [pairs[0].src, pairs[0].tgt]);
  const batchCounts: number[] = [];
  for (const epoch of [0, 1]) {
    const mine = bucketBatches(pairs, { maxTokens: RECIPE.training.maxTokens, seed: new Generator(RECIPE.training.seed * 100003 + epoch) }).map((b) => b.map((p) => p.i));
    assert.deepEqual(py.batches[epoch], mine, `epoch ${epoch} batches`);
    batchCounts.push(mine.length);
  }
  // an odd count: the epoch's last step has a batch for one process only, which must not stall the other
  assert.equal(batchCounts[0] % 2, 1, `epoch 1 has ${batchCounts[0]} batches; choose a slice with an odd count`);
  const epochSteps = Math.ceil(batchCounts[0] / 2);

  // torchrun, two CPU processes, one whole epoch
  const run = join(dir, 'run');
  const trainArgs = ['torchrun.py', '--nproc_per_node=2', 'train_translator.py', '--train', join(dir, 'train.tokens'), '--dev', join(dir, 'dev.tokens'), '--out', run, '--quiet'];
  const trained = python([...trainArgs, '--init', init, '--epochs', '1'], { timeout: 150_000 });
  const summary = JSON.parse(trained.stdout.trim().split('\n').pop()!);
  assert.deepEqual({ reason: summary.reason, step: summary.step, world: summary.world }, { reason: 'epochs', step: epochSteps, world: 2 });
  assert.equal(readFileSync(join(run, 'best', 'tokenizer.json'), 'utf8'), readFileSync(join(init, 'tokenizer.json'), 'utf8'), 'tokenizer.json copied untouched');

  const translated = llmcore(['translate', '--model', run, '--beam', '1'], { input: '我们走吧。\n' });
  assert.equal(translated.status, 0, translated.stderr);
  assert.equal(translated.stdout.trim().split('\n').length, 1);

  const inputs = join(dir, 'inputs.json');
  writeFileSync(inputs, JSON.stringify(INPUTS));
  const fromTorch = await llmcoreLogits(join(run, 'best'), INPUTS);
  assert.equal(fromTorch.step, epochSteps);
  const d1 = maxAbsDiff(fromTorch.logits, await twinLogits(join(run, 'best'), inputs, join(dir, 'a.safetensors')));
  assert.ok(d1 <= 1e-5, `torch-trained model: llmcore vs PyTorch logits differ by ${d1}`);
  const fromInit = await llmcoreLogits(init, INPUTS);
  const d2 = maxAbsDiff(fromInit.logits, await twinLogits(init, inputs, join(dir, 'b.safetensors')));
  assert.ok(d2 <= 1e-5, `llmcore-initialised model: logits differ by ${d2}`);
  const shipped = await llmcoreLogits(SHIPPED_MODEL, INPUTS);
  const d3 = maxAbsDiff(shipped.logits, await twinLogits(SHIPPED_MODEL, inputs, join(dir, 'c.safetensors')));
  assert.ok(d3 <= 1e-5, `llmcore-trained shipped model: logits differ by ${d3}`);
  t.diagnostic(`max |llmcore − PyTorch| logits: torch-trained ${d1.toExponential(2)}, llmcore-initialised ${d2.toExponential(2)}, shipped zh-en ${d3.toExponential(2)}`);

  // resume into a second epoch, stopped 2 steps in: its log grows, last/ moves on
  // (one process this time: the batches consumed, not the process count, are the run's position)
  const resumed = python([...trainArgs.slice(2), '--resume', '--epochs', '2', '--max-steps', String(epochSteps + 2)], { timeout: 150_000 });
  assert.deepEqual(JSON.parse(resumed.stdout.trim().split('\n').pop()!).step, epochSteps + 2);
  assert.equal((await loadTranslator(join(run, 'last'))).step, epochSteps + 2);
  assert.deepEqual(readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).epoch), [1, 2]);
  assert.ok(!existsSync(join(run, 'last.prev')) && !existsSync(join(run, 'last.next')));

  // refusals, each one line: a run without --resume/--force, a token file of another tokenizer
  const again = python(['train_translator.py', '--init', init, '--train', join(dir, 'train.tokens'), '--dev', join(dir, 'dev.tokens'), '--out', run], { allowFail: true });
  assert.equal(again.status, 1);
  assert.match(again.stderr, /^train_translator: --out .* already holds a translate-torch run; add --resume to continue it, or --force/);
  assert.equal(again.stderr.trim().split('\n').length, 1);
  writeFileSync(join(dir, 'other.tokens'), readFileSync(join(dir, 'train.tokens')));
  writeFileSync(join(dir, 'other.tokens.json'), JSON.stringify({ ...index, tokenizer: { sha256: '0'.repeat(64) } }));
  const mismatched = python(['train_translator.py', '--init', init, '--train', join(dir, 'other.tokens'), '--dev', join(dir, 'dev.tokens'), '--out', join(dir, 'run2')], { allowFail: true });
  assert.equal(mismatched.status, 1);
  assert.match(mismatched.stderr, /other\.tokens: written with another tokenizer than .*init's/);
});

test('data tokenize: clear errors for a missing model, both --pairs and --text, and --new over existing files', { timeout: 60_000 }, () => {
  const dir = tempDir('llmcore-tokenize-');
  const pairs = join(dir, 'p.tsv');
  writeFileSync(pairs, '我很好。\tI am fine.\n');
  const noModel = llmcore(['data', 'tokenize', '--model', join(dir, 'nope'), '--pairs', pairs, '--out', join(dir, 'x.tokens')]);
  assert.equal(noModel.status, 1);
  assert.match(noModel.stderr, /--model .*nope: no config\.json \(give a model directory, or add --new/);
  const both = llmcore(['data', 'tokenize', '--model', SHIPPED_MODEL, '--pairs', pairs, '--text', pairs, '--out', join(dir, 'x.tokens')]);
  assert.equal(both.status, 1);
  assert.match(both.stderr, /give either --pairs FILE .* or --text FILE/);
  const taken = llmcore(['data', 'tokenize', '--model', REPO, '--new', '--pairs', pairs, '--out', join(dir, 'x.tokens')]);
  assert.equal(taken.status, 1);
  assert.match(taken.stderr, /--new: .* already holds files/);
});
