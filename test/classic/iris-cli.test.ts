import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runIris, type IrisOptions } from '../../cli/iris.js';

const base: IrisOptions = { model: 'knn', k: 5, metric: 'euclidean', p: 2, weights: 'uniform', algorithm: 'auto', kernel: 'rbf', seed: 0 };
function run(o: Partial<IrisOptions>): { result: Record<string, unknown>; text: string } {
  const lines: string[] = [];
  const result = runIris({ ...base, ...o }, (l) => lines.push(l));
  return { result, text: lines.join('\n') };
}

test('iris --cv loo --json prints {"model","k","metric","accuracy"}', () => {
  const { result } = run({ cv: 'loo', json: true });
  assert.deepEqual(result, { model: 'knn', k: 5, metric: 'euclidean', accuracy: 145 / 150 });
});

test('iris --predict names the species in English and Chinese and lists the K neighbours', () => {
  const { result, text } = run({ predict: '5.1,3.5,1.4,0.2', k: 3 });
  assert.match(text, /→ setosa 山鸢尾/);
  assert.equal((result.neighbors as unknown[]).length, 3);
  assert.match(text, /^\s+1\s+1\s+0\.0000\s+5\.1\s+3\.5\s+1\.4\s+0\.2\s+setosa 山鸢尾$/m);
  assert.deepEqual(result.prediction, { label: 0, species: 'setosa', speciesZh: '山鸢尾' });
});

test('iris --sweep prints the k = 1..15 table for both metrics', () => {
  const { result, text } = run({ sweep: true });
  const sweep = result.sweep as { k: number; euclidean: number; manhattan: number }[];
  assert.equal(sweep.length, 15);
  assert.deepEqual(sweep[10], { k: 11, euclidean: 0.98, manhattan: 0.96 });
  assert.match(text, /^ 11\s+0\.9800\*\s+0\.9600 $/m);
});

test('iris --csv --label and --plot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iris-'));
  const csv = join(dir, 'd.csv');
  writeFileSync(csv, 'a,b,kind\n0,0,x\n0,1,x\n5,5,y\n5,6,y\n');
  const { result } = run({ csv, label: 'kind', k: 1, predict: '4,4', json: true });
  assert.equal((result.prediction as { species: string }).species, 'y');
  assert.throws(() => run({ csv, label: 'nope' }), /no column 'nope' \(columns: a, b, kind\)/);
  assert.throws(() => run({ csv }), /needs --label/);
  assert.throws(() => run({ k: 151, predict: '1,2,3,4' }), /--k 151 exceeds the training set \(150 samples\)/);
  assert.throws(() => run({ predict: '1,2,3' }), /needs 4 comma-separated numbers/);
  assert.throws(() => run({ predict: '1,x,3,4' }), /sepal_width must be a finite number, got 'x'/);
  const svg = join(dir, 'iris.svg');
  run({ plot: svg });
  const text = readFileSync(svg, 'utf8');
  assert.equal((text.match(/<circle /g) ?? []).length, 150 + 3);
  assert.match(text, /petal_length 花瓣长度/);
  assert.match(text, /virginica 维吉尼亚鸢尾/);
  assert.match(text, /fill="#fde0c5"/); // setosa region present
  assert.match(text, /fill="#d5ecc2"/); // virginica region present
});

test('other models through the CLI: 10-fold by default', () => {
  const { result } = run({ model: 'tree', json: true });
  assert.equal(result.cv, '10fold');
  assert.equal(result.accuracy, 0.96); // numpy's mean of the folds, as cross_val_score(...).mean()
});

test('runIris takes the classifier as arch, and as the old option name model (cli/tour.ts passes that)', () => {
  const { model: _omit, ...rest } = base;
  const byArch = runIris({ ...rest, arch: 'tree', json: true }, () => {});
  const byModel = runIris({ ...rest, model: 'tree', json: true }, () => {});
  assert.deepEqual(byArch, byModel);
  assert.equal(byArch.model, 'tree');
  assert.throws(() => runIris({ ...rest, arch: 'svm', model: 'tree' }, () => {}), /--arch svm and --model tree disagree/);
});
