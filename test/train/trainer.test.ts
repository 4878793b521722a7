import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../../src/tensor/tensor.js';
import { Generator } from '../../src/util/random.js';
import { Linear } from '../../src/nn/layers.js';
import { Adam } from '../../src/optim/adam.js';
import { mseLoss } from '../../src/ops/nn.js';
import { saveSafetensors, loadSafetensors } from '../../src/io/file.js';
import { Trainer, TrainingDivergedError, type TrainingTask } from '../../src/train/trainer.js';
import { findCheckpoint, prepareRunDirectory, replaceDirectory, restoreCheckpoint, saveCheckpoint } from '../../src/train/run-dir.js';

/** y = 3x − 1 learned by one Linear, with batches drawn from (seed, epoch) so a resumed run sees the same ones. */
class LineTask implements TrainingTask<{ mse: number }> {
  readonly model: Linear;
  readonly optimizer: Adam;
  readonly selection = { metric: 'mse', higherIsBetter: false } as const;
  poison = -1;
  /** Evaluation number that dies (a kill during an evaluation), or -1. */
  dieInEval = -1;
  private evals = 0;
  constructor(seed = 1, lr = 0.05) {
    this.model = new Linear(1, 1, { generator: new Generator(seed) });
    this.optimizer = new Adam(this.model.parameters(), { lr });
  }
  batchCount(): number { return 5; }
  private batch(epoch: number, index: number): { x: Tensor; y: Tensor } {
    const g = new Generator(epoch * 100 + index);
    const xs = Float32Array.from({ length: 8 }, () => g.uniform() * 2 - 1);
    return { x: new Tensor(xs, [8, 1]), y: new Tensor(xs.map((v) => 3 * v - 1), [8, 1]) };
  }
  forwardBackward(epoch: number, index: number) {
    const { x, y } = this.batch(epoch, index);
    let loss = mseLoss(this.model.forward(x), y);
    if (epoch * 5 + index === this.poison) loss = loss.mul(NaN);
    loss.backward();
    return { loss, tokens: 8 };
  }
  evaluate() {
    if (this.evals++ === this.dieInEval) throw new Error('killed during the evaluation');
    const { x, y } = this.batch(999, 0);
    return { mse: mseLoss(this.model.forward(x), y).item() };
  }
}

const CONFIG = { epochs: 4, timeBudgetSeconds: 0, maxSteps: 0, clipNorm: 1 };
const weights = (t: LineTask): number[] => [...t.model.weight.toFloat32Array(), ...t.model.bias!.toFloat32Array()];

async function checkpointOf(task: LineTask, trainer: Trainer<{ mse: number }>, dir: string): Promise<void> {
  await saveCheckpoint(dir, {
    trainer, optimizer: task.optimizer,
    writeModel: async (d, step) => {
      mkdirSync(d, { recursive: true });
      await saveSafetensors(join(d, 'model.safetensors'), task.model.stateDict(), { metadata: { step: String(step) } });
    },
  });
}

async function restoreFrom(dir: string): Promise<{ task: LineTask; trainer: Trainer<{ mse: number }> }> {
  const task = new LineTask();
  const trainer = new Trainer(task, CONFIG);
  const { tensors, metadata } = await loadSafetensors(join(dir, 'model.safetensors'));
  task.model.loadStateDict(tensors);
  await restoreCheckpoint(dir, { trainer, optimizer: task.optimizer }, Number(metadata.step));
  return { task, trainer };
}

test('the trainer learns, evaluates each epoch and keeps the best by the task\'s metric', async () => {
  const task = new LineTask();
  const trainer = new Trainer(task, CONFIG);
  const saves: string[] = [];
  const reason = await trainer.run({ save: async (k) => { saves.push(k); } });
  assert.equal(reason, 'done');
  assert.equal(trainer.state.step, 20);
  assert.equal(trainer.state.history.length, 4);
  assert.ok(trainer.state.history[3].mse < trainer.state.history[0].mse);
  assert.equal(trainer.bestRecord?.mse, Math.min(...trainer.state.history.map((r) => r.mse)));
  // each epoch's training is saved before its evaluation, and again after it
  assert.equal(saves.filter((k) => k === 'last').length, 8);
  assert.ok(saves.includes('best'));
});

test('a step limit and a signal stop between steps, and a stopped run saves last', async () => {
  const limited = new Trainer(new LineTask(), { ...CONFIG, maxSteps: 7 });
  assert.equal(await limited.run(), 'steps');
  assert.equal(limited.state.step, 7);
  // a budget stop partway through an epoch still reports a (partial) evaluation
  assert.equal(limited.state.history.at(-1)?.complete, false);

  const controller = new AbortController();
  const trainer = new Trainer(new LineTask(), CONFIG);
  const saves: string[] = [];
  const reason = await trainer.run({ signal: controller.signal, onStep: (s) => { if (s.step === 3) controller.abort(); }, save: async (k) => { saves.push(k); } });
  assert.equal(reason, 'stopped');
  assert.equal(trainer.state.step, 3);
  assert.deepEqual(saves, ['last']);
});

test('a non-finite loss stops training before the step is applied, and nothing is saved after it', async () => {
  const task = new LineTask();
  task.poison = 7;
  const trainer = new Trainer(task, CONFIG);
  let before: number[] = [];
  const saves: string[] = [];
  await assert.rejects(
    trainer.run({ onStep: (s) => { if (s.step === 7) before = weights(task); }, save: async (k) => { saves.push(k); } }),
    (e: unknown) => e instanceof TrainingDivergedError && e.step === 8 && /loss is NaN.*last saved checkpoint is kept/.test(e.message),
  );
  assert.deepEqual(weights(task), before, 'the poisoned step changed no weight');
  assert.equal(trainer.state.step, 7);
  assert.deepEqual(saves, ['last', 'best', 'last'], 'only epoch 1 was saved');
});

test('stopped, saved, restored from disk and resumed, a run ends bit-identical to an uninterrupted one', async () => {
  const straightTask = new LineTask();
  const straight = new Trainer(straightTask, CONFIG);
  await straight.run();

  const dir = join(mkdtempSync(join(tmpdir(), 'llmcore-trainer-')), 'last');
  const task = new LineTask();
  const first = new Trainer(task, CONFIG);
  const controller = new AbortController();
  await first.run({ signal: controller.signal, onStep: (s) => { if (s.step === 12) controller.abort(); }, save: async () => checkpointOf(task, first, dir) });
  const again = await restoreFrom(dir);
  assert.equal(again.trainer.state.step, 12);
  await again.trainer.run();
  assert.deepEqual(weights(again.task), weights(straightTask));
  // every record equal but the clock readings
  const untimed = (h: typeof straight.state.history) => h.map(({ evalSeconds: _e, trainSeconds: _t, ...r }) => r);
  assert.deepEqual(untimed(again.trainer.state.history), untimed(straight.state.history));
});

test('a kill in the middle of a save loses nothing: the previous checkpoint stays whole', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'llmcore-trainer-')), 'last');
  const task = new LineTask();
  const trainer = new Trainer(task, { ...CONFIG, maxSteps: 5 });
  await trainer.run();
  await checkpointOf(task, trainer, dir);
  // the second save dies after writing part of its files (a kill while last.next is being filled)
  await assert.rejects(replaceDirectory(dir, async (next) => {
    mkdirSync(next);
    writeFileSync(join(next, 'model.safetensors'), 'torn');
    throw new Error('killed');
  }), /killed/);
  assert.equal(findCheckpoint(dir), dir);
  assert.equal((await restoreFrom(dir)).trainer.state.step, 5);
  // a kill between the two renames: only last.prev holds a checkpoint, and it is found
  renameSync(dir, `${dir}.prev`);
  assert.equal(findCheckpoint(dir), `${dir}.prev`);
  assert.equal((await restoreFrom(`${dir}.prev`)).trainer.state.step, 5);
});

test('a run folder is never written over by accident', () => {
  const root = mkdtempSync(join(tmpdir(), 'llmcore-rundir-'));
  const out = join(root, 'run');
  prepareRunDirectory(out, { chapter: 'translate' });
  assert.ok(existsSync(join(out, 'run.json')));
  mkdirSync(join(out, 'best'));
  assert.throws(() => prepareRunDirectory(out, { chapter: 'translate' }), /already holds a translate run; add --resume to continue it, or --force/);
  assert.throws(() => prepareRunDirectory(out, { chapter: 'lm', force: true }), /holds an llmcore translate run, not a lm run/);
  assert.throws(() => prepareRunDirectory(out, { chapter: 'translate', resume: true }), /holds no checkpoint to resume/);
  prepareRunDirectory(out, { chapter: 'translate', force: true });
  assert.equal(existsSync(join(out, 'best')), false, '--force starts over');

  const model = join(root, 'model');
  mkdirSync(model);
  writeFileSync(join(model, 'config.json'), '{}');
  writeFileSync(join(model, 'model.safetensors'), '');
  assert.throws(() => prepareRunDirectory(model, { chapter: 'lm', force: true }), /already holds files that are not an llmcore lm run \(config\.json, model\.safetensors\).*nothing was written/);
  const file = join(root, 'file.txt');
  writeFileSync(file, 'x');
  assert.throws(() => prepareRunDirectory(file, { chapter: 'translate' }), /is a file/);
});

test('a run killed during an evaluation resumes by doing that evaluation, and ends as an uninterrupted run', async () => {
  const straightTask = new LineTask();
  const straight = new Trainer(straightTask, CONFIG);
  await straight.run();

  const dir = join(mkdtempSync(join(tmpdir(), 'llmcore-trainer-')), 'last');
  const task = new LineTask();
  task.dieInEval = 1; // the evaluation after epoch 2
  const first = new Trainer(task, CONFIG);
  await assert.rejects(first.run({ save: async (k) => { if (k === 'last') await checkpointOf(task, first, dir); } }), /killed during the evaluation/);
  const again = await restoreFrom(dir);
  assert.equal(again.trainer.state.step, 10, 'epoch 2\'s training was saved before its evaluation');
  assert.equal(again.trainer.state.pendingEval, true);
  await again.trainer.run();
  const untimed = (h: typeof straight.state.history) => h.map(({ evalSeconds: _e, trainSeconds: _t, ...r }) => r);
  assert.deepEqual(untimed(again.trainer.state.history), untimed(straight.state.history));
  assert.deepEqual(weights(again.task), weights(straightTask));
});

test('an infinite held-out figure is divergence; a budget stop evaluates a partial epoch once', async () => {
  class Broken extends LineTask {
    override evaluate() { return { mse: Infinity }; }
  }
  await assert.rejects(new Trainer(new Broken(), CONFIG).run(), /training diverged at step 5: the held-out mse is Infinity; best\/ keeps the best model so far/);
  const task = new LineTask();
  const trainer = new Trainer(task, { ...CONFIG, maxSteps: 7 });
  await trainer.run();
  await trainer.run(); // the same limit again: nothing to train, nothing new to evaluate
  assert.equal(trainer.state.history.length, 2);
});
