/** `llmcore memory gradients | distance | parallel | claims` and the tour's lines from the saved claims. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDistanceCommand, runGradientsCommand } from '../../cli/memory.js';
import { tourSequenceClaims } from '../../cli/tour-memory.js';

const cli = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const llmcore = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 120_000 });
const dir = mkdtempSync(join(tmpdir(), 'llmcore-claims-'));

test('through the command line: sub-command options are the sub-command\'s, each --save adds its claim, claims prints the headlines', () => {
  const file = join(dir, 'claims.json');
  const svg = join(dir, 'g.svg');
  // --steps 0 is refused by `memory` itself (>= 1) but means "untrained only" to `memory gradients`
  const g = llmcore(['memory', 'gradients', '--steps', '0', '--max-lag', '20', '--models', 'rnn', '--stories', '2', '--save', file, '--plot', svg]);
  assert.equal(g.status, 0, g.stderr);
  assert.match(g.stdout, /^RNN untrained\s+\d\.\de[+-]\d+\s/m);
  assert.doesNotMatch(g.stdout, /^RNN trained/m);
  assert.match(readFileSync(svg, 'utf8'), /<polyline /);
  const p = llmcore(['memory', 'parallel', '--lengths', '4,8', '--large-batch', '2', '--large-batch-lengths', '4', '--repeats', '1', '--models', 'rnn,transformer', '--save', file]);
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /^\s+1\s+8\s+Transformer\s+[\d.]+\s+[\d.]+\s+[\d.]+–[\d.]+\s+13$/m);
  assert.match(p.stdout, /load average [\d.]+ [\d.]+ [\d.]+ before/);
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  assert.deepEqual(Object.keys(saved).sort(), ['gradients', 'parallel']);
  assert.equal(saved.gradients.command, `llmcore memory gradients --steps 0 --max-lag 20 --models rnn --stories 2 --save ${file} --plot ${svg}`);
  assert.equal(saved.gradients.models[0].untrained.length, saved.gradients.lags.length);
  const c = llmcore(['memory', 'claims', '--file', file]);
  assert.equal(c.status, 0, c.stderr);
  const lines = c.stdout.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^Forgetting, directly: .*\(untrained\): RNN /);
  assert.match(lines[1], /^Parallel training .* at batch 1, T = 8, and .* at batch 2, T = 4; critical path 10 vs 13 matrix products/);
  const bad = llmcore(['memory', 'distance', '--draw', 'normal']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--draw <how>' argument 'normal' is invalid\. expected log-uniform or uniform/);
});

test('a --save file that is not a claims object is refused before any training, and left as it was', async () => {
  const file = join(dir, 'other.json');
  writeFileSync(file, '[1, 2]');
  const t0 = performance.now();
  await assert.rejects(runDistanceCommand({ save: file, steps: 500 }, () => {}, () => {}, 'x'), /--save .*other\.json exists but does not hold a JSON object; not overwriting it/);
  assert.ok(performance.now() - t0 < 2000);
  writeFileSync(file, '{ nope');
  await assert.rejects(runGradientsCommand({ save: file }, () => {}, () => {}, 'x'), /is not JSON/);
  assert.equal(readFileSync(file, 'utf8'), '{ nope');
});

test('the tour prints one headline per saved claim, and skips with a line when the file is absent', async () => {
  const file = join(dir, 'tour.json');
  await runDistanceCommand({ models: ['lstm'], seeds: [0, 1], steps: 2, batchSize: 2, maxDistance: 4, distances: [0, 4], testExamples: 4, save: file }, () => {}, () => {}, 'llmcore memory distance …');
  const said: string[] = [];
  const r = tourSequenceClaims((l) => said.push(l), file);
  assert.ok('headlines' in r);
  assert.equal(r.headlines.length, 1);
  assert.match(said[0], /^ {2}• Forgetting, behaviourally: .* right at d = 0 → 4, 2 seeds, 2 steps × 2 stories each: LSTM \d+%/);
  const none: string[] = [];
  const s = tourSequenceClaims((l) => none.push(l), join(dir, 'absent.json'));
  assert.ok('skipped' in s);
  assert.equal(none.length, 1);
  assert.match(none[0], /skipped: no measured claims at .*absent\.json/);
});
