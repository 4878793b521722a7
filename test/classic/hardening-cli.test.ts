/**
 * `llmcore linear` and `llmcore iris` in a child process, as a user runs them: sizes refused up front,
 * divergence and overflow reported as one-line errors with exit code 1, Excel's BOM, the new
 * `--arch` spelling and the old `--model` one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const uci = fileURLToPath(new URL('../fixtures/iris/iris.data', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'classic-cli-'));

function llmcore(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 1 and exactly one line on stderr matching `re`: a message, never a stack trace. */
function fails(r: ReturnType<typeof llmcore>, re: RegExp): void {
  assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], re);
}

test('linear: sizes are bounded up front with the reason', () => {
  fails(llmcore('linear', '--points', '1e9'), /^llmcore: linear: --points must be an integer from 2 to 1,000,000 \(every point is held in memory.*got 1000000000$/);
  fails(llmcore('linear', '--steps', '1e9', '--csv', join(dir, 'never-read.csv')), /^llmcore: linear: --steps must be an integer from 1 to 100,000 /);
});

test('linear: a diverging run stops, says so and exits 1 (non-finite loss, or a loss that never fell)', () => {
  const r = llmcore('linear', '--lr', '1.5', '--every', '50');
  fails(r, /^llmcore: linear: gradient descent diverged at step \d+: the loss is (Infinity|NaN) .*--lr 1\.5; x is standardized, so a rate below 1 converges/);
  assert.doesNotMatch(r.stdout, /NaN|closed form|gradient descent: a =/);
  const flat = llmcore('linear', '--lr', '1', '--json');
  fails(flat, /^llmcore: linear: gradient descent diverged: the loss went from 497\.242 at step 1 to 497\.\d+ after step 200 with --lr 1;/);
  assert.equal(flat.stdout, '');
  assert.equal(llmcore('linear', '--lr', '0.9', '--json').code, 0);
});

test('linear --csv: a UTF-8 BOM is not part of the first column; no data rows is said so', () => {
  const bom = join(dir, 'bom.csv');
  writeFileSync(bom, '\ufeffx,y\n0,1\n1,3\n2,5\n');
  const r = llmcore('linear', '--csv', bom, '--json', '--steps', '500');
  assert.equal(r.code, 0, r.stderr);
  const { closedForm } = JSON.parse(r.stdout);
  assert.ok(Math.abs(closedForm.a - 2) < 1e-12 && Math.abs(closedForm.b - 1) < 1e-12, r.stdout);
  const headerOnly = join(dir, 'header-only.csv');
  writeFileSync(headerOnly, 'x,y\n');
  fails(llmcore('linear', '--csv', headerOnly), /^llmcore: linear: --csv .*header-only\.csv has no data rows after the header; a line needs at least 2 points$/);
  fails(llmcore('linear', '--csv', join(dir, 'missing.csv')), /^llmcore: linear: cannot read --csv .*missing\.csv: no such file$/);
});

test('iris --predict with features whose squares overflow is an error, not a species and half a table', () => {
  const r = llmcore('iris', '--predict', '1e155,1,1,1');
  fails(r, /^llmcore: iris: --predict 1e155,1,1,1: KNN: the euclidean distance .* is Infinity, not a finite number: .*their squares overflow/);
  assert.doesNotMatch(r.stdout, /→|nearest|votes/);
});

test('iris --metric minkowski with a huge p is the largest coordinate difference (Chebyshev), not noise', () => {
  const r = llmcore('iris', '--metric', 'minkowski', '--p', '1e308', '--json');
  assert.equal(r.code, 0, r.stderr);
  // scikit-learn 1.2.1, KNeighborsClassifier(metric='chebyshev') leave-one-out on load_iris(): 0.9666666666666667
  assert.equal(JSON.parse(r.stdout).accuracy, 145 / 150);
  const nb = JSON.parse(llmcore('iris', '--metric', 'minkowski', '--p', '1e308', '--predict', '5,3,4,1', '--k', '1', '--json').stdout).neighbors[0];
  const query = [5, 3, 4, 1];
  assert.equal(nb.distance, Math.max(...nb.features.map((v: number, i: number) => Math.abs(v - query[i]))));
});

test('iris --k is checked against the training set each run really fits on', () => {
  fails(llmcore('iris', '--k', '1e9'), /^llmcore: iris: --k 1000000000 exceeds the training set of leave-one-out \(149 samples: the 150 less the one left out\); choose k <= 149$/);
  fails(llmcore('iris', '--k', '150'), /choose k <= 149$/);
  fails(llmcore('iris', '--k', '136', '--cv', '10fold'), /^llmcore: iris: --k 136 exceeds the training set of 10-fold CV \(135 samples: the 150 less the largest fold's 15\); choose k <= 135$/);
  const r = llmcore('iris', '--k', '149', '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).k, 149);
});

test('iris --arch picks the classifier; --model KIND still works with a one-line notice; fold means print as scikit-learn\'s', () => {
  const now = llmcore('iris', '--arch', 'tree', '--json');
  assert.equal(now.code, 0, now.stderr);
  assert.equal(now.stderr, '');
  assert.match(now.stdout, /"accuracy":0\.96,/);
  const old = llmcore('iris', '--model', 'tree', '--json');
  assert.equal(old.code, 0, old.stderr);
  assert.equal(old.stderr, 'llmcore: --model tree is now --arch tree (the old spelling still works)\n');
  assert.equal(old.stdout, now.stdout);
  fails(llmcore('iris', '--model', 'models/zh-en'), /^llmcore: iris: --model names a model directory, and iris has none to load .*--arch knn\|logistic\|svm\|tree\|forest, got --model 'models\/zh-en'$/);
  assert.match(llmcore('iris', '--help').stdout, /--arch <kind>/);
});

test('iris --csv: BOM stripped; UCI\'s headerless iris.data through --no-header', () => {
  const bom = join(dir, 'flowers.csv');
  writeFileSync(bom, '\ufeffkind,size\na,1\na,2\nb,8\nb,9\n');
  const ok = llmcore('iris', '--csv', bom, '--label', 'kind', '--k', '1', '--predict', '7', '--json');
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).prediction.species, 'b');
  fails(llmcore('iris', '--csv', uci, '--label', 'species'), /the first line looks like data: if the file has no header row, add --no-header and name the label column by position \(e\.g\. --label 5\)$/);
  const u = llmcore('iris', '--csv', uci, '--no-header', '--label', '5', '--json');
  assert.equal(u.code, 0, u.stderr);
  // scikit-learn 1.2.1 on the same file, KNeighborsClassifier() leave-one-out: 0.9666666666666667
  assert.deepEqual(JSON.parse(u.stdout), { model: 'knn', k: 5, metric: 'euclidean', accuracy: 145 / 150 });
});
