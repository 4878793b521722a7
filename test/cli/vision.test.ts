/**
 * The vision chapter's commands as a user runs them (child processes) on a tiny synthetic Fashion-MNIST
 * folder written here as IDX files: `train vision` through the shared run folder (refuses to
 * overwrite, --resume continues), `eval vision --json` (the ViT and the KNN baseline),
 * `vision classify --index N --show`, and bad input answered in one line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'fflate';
import { encodeIdx } from '../../src/data/idx.js';
import { Generator } from '../../src/util/random.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'cli', 'main.ts');
const dir = mkdtempSync(join(tmpdir(), 'llmcore-vision-cli-'));
const llmcore = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, LLMCORE_FASHION_MNIST: '' } });

/** n 28×28 noisy images of 3 classes (dim, middling, bright) and their labels. */
function bands(n: number, seed: number): { pixels: Uint8Array; labels: Uint8Array } {
  const g = new Generator(seed);
  const pixels = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 3;
    for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) {
      pixels[i * 784 + r * 28 + c] = Math.max(0, Math.min(255, Math.round(40 + 80 * labels[i] + 25 * g.normal())));
    }
  }
  return { pixels, labels };
}

const data = join(dir, 'fmnist');
mkdirSync(data);
for (const [stem, n, seed] of [['train', 96, 1], ['t10k', 24, 2]] as const) {
  const { pixels, labels } = bands(n, seed);
  writeFileSync(join(data, `${stem}-images-idx3-ubyte.gz`), gzipSync(encodeIdx([n, 28, 28], pixels)));
  writeFileSync(join(data, `${stem}-labels-idx1-ubyte`), encodeIdx([n], labels)); // uncompressed files are read too
}
const TINY = ['--data', data, '--patch', '7', '--d-model', '16', '--heads', '2', '--layers', '1', '--ff', '32', '--batch-size', '16', '--val-size', '24', '--warmup', '2', '--lr', '0.003'];

test('train vision: a run folder, not overwritten without --resume/--force; --resume continues; eval and classify use its best/', () => {
  const out = join(dir, 'run');
  const first = llmcore(['train', 'vision', ...TINY, '--out', out, '--epochs', '1']);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /ViT: [\d,]+ parameters, 16 patches of 7×7, d_model 16, 1 layers, mean pooling; 72 training and 24 validation images/);
  assert.match(first.stderr, /epoch 1 \(step 5\): train loss [\d.]+, validation loss [\d.]+, accuracy [\d.]+%/);
  for (const f of ['run.json', 'recipe.json', 'log.jsonl', 'best/config.json', 'best/model.safetensors', 'last/train-state.safetensors']) assert.ok(existsSync(join(out, f)), f);

  const again = llmcore(['train', 'vision', ...TINY, '--out', out, '--epochs', '1']);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /^llmcore: --out .* already holds a vision run; add --resume to continue it, or --force/m);
  assert.doesNotMatch(again.stderr, /\n\s+at /);

  const resumed = llmcore(['train', 'vision', ...TINY, '--out', out, '--epochs', '4', '--json']);
  assert.equal(resumed.status, 1, 'without --resume');
  const r = llmcore(['train', 'vision', ...TINY, '--out', out, '--epochs', '4', '--resume', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { steps: number; epochs: number; best: { valAccuracy: number } };
  assert.deepEqual([summary.steps, summary.epochs], [20, 4]);
  assert.equal(readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').length, 4);
  assert.ok(summary.best.valAccuracy > 0.9, `validation accuracy ${summary.best.valAccuracy}`);

  const changed = llmcore(['train', 'vision', ...TINY, '--out', out, '--epochs', '5', '--resume', '--d-model', '32']);
  assert.equal(changed.status, 1);
  assert.match(changed.stderr, /--resume: model\.dModel is 16 in the run, 32 in the command line/);

  const ev = llmcore(['eval', 'vision', '--model', out, '--data', data, '--json']);
  assert.equal(ev.status, 0, ev.stderr);
  const e = JSON.parse(ev.stdout) as { accuracy: number; images: number; model: string };
  assert.equal(e.images, 24);
  assert.ok(e.accuracy > 0.9, `test accuracy ${e.accuracy}`);
  assert.equal(e.model, join(out, 'best'));

  const cl = llmcore(['vision', 'classify', '--index', '4', '--model', out, '--data', data, '--show']);
  assert.equal(cl.status, 0, cl.stderr);
  const lines = cl.stdout.split('\n');
  assert.ok(lines.slice(0, 28).every((l) => l.length >= 40 && /^[ .:\-=+*#%@]+$/.test(l)), 'the 28×28 picture is drawn, two characters a pixel');
  assert.match(cl.stdout, /^test image 4 \(true class: Trouser\) → \S/m);
  assert.match(cl.stdout, /^ {2}Trouser\s+0\.\d{3}/m);
});

test('eval vision --arch knn and --arch logistic: the baselines fitted on the training images, as JSON; --model with a baseline is refused', () => {
  const r = llmcore(['eval', 'vision', '--arch', 'knn', '--data', data, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { arch: string; accuracy: number; k: number };
  assert.equal(j.arch, 'knn');
  assert.equal(j.accuracy, 1);
  const lr = llmcore(['eval', 'vision', '--arch', 'logistic', '--data', data, '--json']);
  assert.equal(lr.status, 0, lr.stderr);
  const l = JSON.parse(lr.stdout) as { arch: string; accuracy: number; images: number; trainImages: number };
  assert.deepEqual([l.arch, l.images, l.trainImages], ['logistic', 24, 96]);
  assert.ok(l.accuracy >= 0 && l.accuracy <= 1);
  const bad = llmcore(['eval', 'vision', '--arch', 'knn', '--model', 'x', '--data', data]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--model is a ViT model folder; --arch knn is a baseline/);
});

test('bad input is one line naming the file or option: no data folder, a truncated IDX file, an index past the end, a folder without a model', () => {
  const none = llmcore(['eval', 'vision', '--data', join(dir, 'nowhere')]);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /^llmcore: --data .*nowhere: no such folder\n$/);

  const cut = join(dir, 'cut');
  mkdirSync(cut);
  const full = readFileSync(join(data, 't10k-labels-idx1-ubyte'));
  writeFileSync(join(cut, 't10k-labels-idx1-ubyte'), full.subarray(0, full.length - 5));
  writeFileSync(join(cut, 't10k-images-idx3-ubyte.gz'), readFileSync(join(data, 't10k-images-idx3-ubyte.gz')));
  const t = llmcore(['eval', 'vision', '--arch', 'knn', '--data', cut]);
  assert.equal(t.status, 1);
  assert.match(t.stderr, /^llmcore: .*t10k-labels-idx1-ubyte: dimensions 24 need 24 bytes of data, the file has 19; it is truncated\n$/);

  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const m = llmcore(['vision', 'classify', '--index', '0', '--model', empty, '--data', data]);
  assert.equal(m.status, 1);
  assert.match(m.stderr, /^llmcore: --model .*empty: no model here/);

  const idx = llmcore(['vision', 'classify', '--index', '99', '--model', join(dir, 'run'), '--data', data]);
  assert.equal(idx.status, 1);
  assert.match(idx.stderr, /--index 99 is past the test set's 24 images \(0 to 23\)/);
});
