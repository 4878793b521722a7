import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator } from '../../src/util/random.js';
import { Seq2SeqTransformer } from '../../src/models/seq2seq/model.js';
import { TranslationTokenizer, type TokenizerConfig } from '../../src/models/seq2seq/tokenizer.js';
import { DEFAULT_TRAINING, encodePairs, TranslationTask, translatorTrainer, type TrainingConfig, type TranslationMetrics } from '../../src/models/seq2seq/train.js';
import type { Trainer } from '../../src/train/trainer.js';
import { findCheckpoint, restoreCheckpoint, saveCheckpoint } from '../../src/train/run-dir.js';
import { translate } from '../../src/models/seq2seq/translate.js';
import { loadTranslator, loadWeights, saveTranslator, type TranslatorConfig } from '../../src/models/seq2seq/checkpoint.js';

const WORDS: [string, string][] = [['我', 'I'], ['你', 'you'], ['他', 'he'], ['吃', 'eat'], ['喝', 'drink'], ['饭', 'rice'], ['水', 'water'], ['茶', 'tea']];
function pairs(n: number, seed: number): { source: string; target: string }[] {
  const g = new Generator(seed);
  return Array.from({ length: n }, () => {
    const pick = Array.from({ length: 2 + g.randint(3) }, () => WORDS[g.randint(WORDS.length)]);
    return { source: pick.map((w) => w[0]).join(''), target: pick.map((w) => w[1]).join(' ') + '.' };
  });
}

const TRAIN = pairs(200, 1);
const DEV = pairs(20, 2);
const TRAINING: TrainingConfig = { ...DEFAULT_TRAINING, maxTokens: 256, warmupSteps: 20, epochs: 2, seed: 3 };

interface Setup {
  task: TranslationTask;
  trainer: Trainer<TranslationMetrics>;
  config: TranslatorConfig;
  /** Saves the run's checkpoint into `dir` as `llmcore train translate` does. */
  save: (dir: string) => Promise<void>;
  /** Restores a checkpoint saved by `save`. */
  restore: (dir: string) => Promise<void>;
}

function setup(tokenizerOptions: Partial<TokenizerConfig> = {}): Setup {
  const tokenizer = TranslationTokenizer.train(TRAIN, { target: 'word', ...tokenizerOptions });
  const model = { srcVocab: tokenizer.srcVocab.size, tgtVocab: tokenizer.tgtVocab.size, dModel: 16, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 32, dropout: 0.1 };
  const generator = new Generator(TRAINING.seed);
  const task = new TranslationTask(new Seq2SeqTransformer(model, { generator }), tokenizer, encodePairs(tokenizer, TRAIN), DEV, TRAINING, generator);
  const trainer = translatorTrainer(task);
  const config: TranslatorConfig = { format: 'llmcore-translator', version: 1, model, training: TRAINING, decoding: { beam: 1, lengthPenalty: 0.6 } };
  const writeModel = (dir: string, step: number): Promise<void> => saveTranslator(dir, { model: task.model, tokenizer, config, step });
  return {
    task, trainer, config,
    save: (dir) => saveCheckpoint(dir, { trainer, optimizer: task.optimizer, scheduler: task.scheduler, writeModel }),
    restore: async (dir) => {
      const step = await loadWeights(dir, task.model);
      await restoreCheckpoint(dir, { trainer, optimizer: task.optimizer, scheduler: task.scheduler }, step);
    },
  };
}

test('the loss falls and dev BLEU is recorded each epoch', async () => {
  const { trainer } = setup();
  const losses: number[] = [];
  const reason = await trainer.run({ onStep: (s) => losses.push(s.loss) });
  assert.equal(reason, 'done');
  assert.equal(trainer.state.history.length, 2);
  assert.ok(losses[losses.length - 1] < losses[0], `${losses[0]} → ${losses[losses.length - 1]}`);
  for (const r of trainer.state.history) assert.ok(r.bleu >= 0 && r.bleu <= 100 && Number.isFinite(r.devLoss));
});

test('a run stopped mid-epoch and resumed from disk ends bit-identical to an uninterrupted run', async () => {
  const straight = setup();
  await straight.trainer.run();

  const dir = mkdtempSync(join(tmpdir(), 'llmcore-train-'));
  const first = setup();
  const controller = new AbortController();
  let steps = 0;
  const reason = await first.trainer.run({
    signal: controller.signal,
    onStep: () => { if (++steps === 7) controller.abort(); },
    save: async (kind) => { if (kind === 'last') await first.save(dir); },
  });
  assert.equal(reason, 'stopped');
  assert.equal(first.trainer.state.step, 7);

  const second = setup();
  await second.restore(dir);
  assert.equal(second.trainer.state.step, 7);
  await second.trainer.run();

  assert.equal(second.trainer.state.step, straight.trainer.state.step);
  const a = straight.task.model.stateDict();
  const b = second.task.model.stateDict();
  for (const k of Object.keys(a)) assert.deepEqual(b[k].toFloat32Array(), a[k].toFloat32Array(), k);
  assert.deepEqual(second.trainer.state.history.map((r) => r.devLoss), straight.trainer.state.history.map((r) => r.devLoss));
});

test('a saved translator loads back and translates the same; mismatched files are refused by name', async () => {
  const { task, trainer, config } = setup();
  await trainer.run();
  const dir = mkdtempSync(join(tmpdir(), 'llmcore-model-'));
  await saveTranslator(dir, { model: task.model, tokenizer: task.tokenizer, config, step: trainer.state.step });
  const loaded = await loadTranslator(dir);
  assert.equal(loaded.step, trainer.state.step);
  const x = loaded.model.stateDict();
  for (const [k, v] of Object.entries(task.model.stateDict())) assert.deepEqual(x[k].toFloat32Array(), v.toFloat32Array());

  const other = setup();
  const bigger = { ...config, model: { ...config.model, dModel: 32, dimFeedforward: 64 } };
  const dir2 = mkdtempSync(join(tmpdir(), 'llmcore-model-'));
  await saveTranslator(dir2, { model: other.task.model, tokenizer: other.task.tokenizer, config: bigger });
  await assert.rejects(loadTranslator(dir2), /model\.safetensors does not fit .*config\.json.*src_emb\.weight/);
  await assert.rejects(loadTranslator(join(dir2, 'missing')), /cannot read .*config\.json/);
});

test('a translator on Chinese BPE subwords trains, saves and loads back with its source merges', async () => {
  const { task, trainer, config } = setup({ source: 'bpe', srcBpeMerges: 10 });
  assert.ok(task.tokenizer.sourceTokens('我吃饭').some((p) => p.endsWith('@@')), 'some source pieces are learned subwords');
  await trainer.run();
  const dir = mkdtempSync(join(tmpdir(), 'llmcore-model-'));
  await saveTranslator(dir, { model: task.model, tokenizer: task.tokenizer, config, step: trainer.state.step });
  const loaded = await loadTranslator(dir);
  const sources = DEV.map((p) => p.source);
  for (const s of sources) assert.deepEqual(loaded.tokenizer.encodeSource(s), task.tokenizer.encodeSource(s));
  task.model.eval();
  assert.deepEqual(
    translate(loaded.model, loaded.tokenizer, sources).map((r) => r.translation),
    translate(task.model, task.tokenizer, sources).map((r) => r.translation),
  );
});

test('a crash between the directory swaps of a save leaves a resumable checkpoint in last.prev', async () => {
  const first = setup();
  const root = mkdtempSync(join(tmpdir(), 'llmcore-swap-'));
  const dir = join(root, 'last');
  assert.equal(findCheckpoint(dir), null);
  await first.save(dir);
  assert.equal(findCheckpoint(dir), dir);
  // the state a crash after `last` → `last.prev` and before `last.next` → `last` leaves behind
  renameSync(dir, `${dir}.prev`);
  assert.equal(findCheckpoint(dir), `${dir}.prev`);
  const again = setup();
  await again.restore(`${dir}.prev`);
  // the next save completes the swap and removes the leftover
  await again.save(dir);
  assert.equal(findCheckpoint(dir), dir);
  assert.equal(existsSync(`${dir}.prev`), false);
});
