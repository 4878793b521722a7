/**
 * The GPT's training (src/models/gpt/train.ts, data.ts, recipe.ts): the loss falls on a small text,
 * a resumed run continues bit for bit, weight decay reaches the matrices only, the recipe's defaults
 * are nanoGPT's CPU recipe (809,856 parameters at Tiny Shakespeare's 65 characters).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator } from '../../src/util/random.js';
import { Trainer } from '../../src/train/trainer.js';
import { restoreCheckpoint, saveCheckpoint } from '../../src/train/run-dir.js';
import { loadSafetensors } from '../../src/io/file.js';
import { loadGptStateDict, saveGpt } from '../../src/models/gpt/checkpoint.js';
import { CharTokenizer, randomWindows, splitIds, stepGenerator } from '../../src/models/gpt/data.js';
import { decayGroups, GptTask, gptTrainer } from '../../src/models/gpt/train.js';
import { DEFAULT_GPT_RECIPE, resolveGptRecipe, type GptRecipe } from '../../src/models/gpt/recipe.js';
import { gptOfRecipe } from '../../cli/gpt.js';

const TEXT = 'the cat sat on the mat. the dog sat on the log. a cat and a dog sat on a mat and a log.\n'.repeat(30);

function tiny(overrides: { training?: Partial<GptRecipe['training']>; model?: Partial<GptRecipe['model']> } = {}): GptRecipe {
  return resolveGptRecipe([{
    source: 'test',
    values: {
      model: { nLayer: 1, nHead: 2, nEmbd: 16, context: 16, dropout: 0, ...overrides.model },
      training: { batchSize: 4, maxIters: 60, lr: 1e-2, minLr: 1e-3, warmupIters: 5, evalInterval: 20, evalIters: 4, seed: 3, ...overrides.training },
    },
  }]);
}

function setup(recipe: GptRecipe): { task: GptTask; tokenizer: CharTokenizer } {
  const tokenizer = CharTokenizer.fromText(TEXT);
  const { train, val } = splitIds(Int32Array.from(tokenizer.encode(TEXT)), 0.1);
  const generator = new Generator(recipe.training.seed);
  const model = gptOfRecipe(recipe.model, tokenizer.vocabSize, generator);
  return { task: new GptTask(model, train, val, recipe.training, generator), tokenizer };
}

test('the default recipe is nanoGPT\'s CPU recipe: 809,856 parameters at 65 characters', () => {
  const model = gptOfRecipe(DEFAULT_GPT_RECIPE.model, 65, new Generator(0));
  assert.equal(model.numParameters(), 809_856);
  const t = DEFAULT_GPT_RECIPE.training;
  assert.deepEqual([t.batchSize, t.maxIters, t.lr, t.minLr, t.warmupIters, t.beta1, t.beta2, t.weightDecay, t.clip], [12, 2000, 1e-3, 1e-4, 100, 0.9, 0.99, 0.1, 1]);
});

test('a tiny GPT trains on a small text: the held-out loss falls well below its start, an evaluation every evalInterval steps', async () => {
  const { task } = setup(tiny());
  const before = task.evaluate().valLoss;
  const trainer = gptTrainer(task);
  const reason = await trainer.run();
  assert.equal(reason, 'done');
  assert.equal(trainer.state.step, 60);
  assert.deepEqual(trainer.state.history.map((r) => r.step), [20, 40, 60]);
  const after = trainer.state.history[2].valLoss;
  assert.ok(after < before * 0.6, `val loss ${before} → ${after}`);
  assert.equal(task.optimizer.paramGroups[0].lr, 1e-3, 'the cosine ends at minLr');
});

test('weight decay reaches the matrices only: biases and LayerNorm parameters are in a group with none', () => {
  const { task } = setup(tiny());
  const { decay, noDecay } = decayGroups(task.model);
  assert.ok(decay.every((p) => p.ndim === 2) && noDecay.every((p) => p.ndim === 1));
  assert.equal(task.optimizer.paramGroups[0].weightDecay, DEFAULT_GPT_RECIPE.training.weightDecay);
  assert.equal(task.optimizer.paramGroups[1].weightDecay, 0);
  assert.deepEqual(task.optimizer.paramGroups[0].betas, [0.9, 0.99]);
});

test('the training windows are a function of (seed, step): the same windows whatever ran before', () => {
  const ids = Int32Array.from({ length: 500 }, (_, i) => i % 50);
  const a = randomWindows(ids, 3, 8, stepGenerator(7, 41));
  randomWindows(ids, 3, 8, stepGenerator(7, 40));
  const b = randomWindows(ids, 3, 8, stepGenerator(7, 41));
  assert.deepEqual(Array.from(a.x.contiguousData()), Array.from(b.x.contiguousData()));
  const x = Array.from(a.x.contiguousData());
  const y = Array.from(a.y.contiguousData());
  for (let i = 0; i < x.length; i++) assert.equal(y[i], (x[i] + 1) % 50, 'y is x shifted by one');
});

test('a run stopped at step 13 and resumed from its checkpoint ends bit-identical to one that never stopped (dropout on)', async () => {
  const recipe = tiny({ model: { dropout: 0.2 }, training: { maxIters: 30, evalInterval: 10 } });
  const straight = setup(recipe);
  await gptTrainer(straight.task).run();

  const first = setup(recipe);
  const cut = new Trainer(first.task, { ...gptTrainer(first.task).config, maxSteps: 13 });
  assert.equal(await cut.run(), 'steps');
  const dir = mkdtempSync(join(tmpdir(), 'llmcore-gpt-resume-'));
  const writeModel = (d: string, step: number): Promise<void> => saveGpt(d, first.task.model, { metadata: { 'llmcore.step': String(step) } });
  await saveCheckpoint(dir, { trainer: cut, optimizer: first.task.optimizer, scheduler: first.task.scheduler, writeModel });

  const resumed = setup(recipe);
  const { tensors, metadata } = await loadSafetensors(join(dir, 'model.safetensors'));
  loadGptStateDict(resumed.task.model, tensors);
  const trainer = gptTrainer(resumed.task);
  await restoreCheckpoint(dir, { trainer, optimizer: resumed.task.optimizer, scheduler: resumed.task.scheduler }, Number(metadata['llmcore.step']));
  assert.equal(trainer.state.step, 13);
  await trainer.run();
  assert.equal(trainer.state.step, 30);
  const want = straight.task.model.stateDict();
  const got = resumed.task.model.stateDict();
  for (const [k, t] of Object.entries(want)) assert.deepEqual(Array.from(got[k].contiguousData()), Array.from(t.contiguousData()), k);
  assert.deepEqual(trainer.state.history.at(-1)!.valLoss, gptTrainer(straight.task).task.evaluate().valLoss);
});

test('the recipe is validated with the source and the field named', () => {
  assert.throws(() => resolveGptRecipe([{ source: 'r.json', values: { training: { lr: 'fast' } } }]), /^RecipeError: r\.json: training\.lr: expected a number/);
  assert.throws(() => resolveGptRecipe([{ source: 'r.json', values: { model: { nEmbd: 130, nHead: 4 } } }]), /r\.json: model\.nEmbd: 130 is not divisible by model\.nHead 4/);
  assert.throws(() => resolveGptRecipe([{ source: 'r.json', values: { model: { layers: 4 } } }]), /r\.json: model: Unrecognized key: "layers"/);
  assert.throws(() => resolveGptRecipe([{ source: 'r.json', values: { chapter: 'translate' } }]), /r\.json: chapter: expected "gpt"/);
});

test('the char tokenizer: one id per character (not per byte), saved and read back, unknown characters refused by name', () => {
  const t = CharTokenizer.fromText('中文 and é');
  const ids = t.encode('é中');
  assert.equal(ids.length, 2);
  assert.equal(t.decode(ids), 'é中');
  const back = CharTokenizer.fromJson(t.toJson(), 'v.json');
  assert.deepEqual(back.chars, t.chars);
  assert.throws(() => t.encode('z'), /the character "z" \(U\+007A\) is not in the model's 7-character vocabulary/);
  assert.throws(() => CharTokenizer.fromJson('{"format":"x"}', 'v.json'), /v\.json: format must be "llmcore-char-vocab"/);
});

test('the sweep\'s power-law fit recovers a and α of points on loss = a·N^−α', async () => {
  const { fitPowerLaw } = await import('../../cli/gpt.js');
  const points = [1e3, 1e4, 1e5, 1e6].map((N) => ({ parameters: N, valLoss: 3 * N ** -0.1 }));
  const fit = fitPowerLaw(points);
  assert.ok(Math.abs(fit.alpha - 0.1) < 1e-12 && Math.abs(fit.a - 3) < 1e-9 && Math.abs(fit.r2 - 1) < 1e-12, JSON.stringify(fit));
});
