/** `llmcore memory`: options (defaults, --quick, explicit), the tables, --json and --plot. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { formatMemoryTables, memoryOptions, registerMemory, runMemory } from '../../cli/memory.js';
import { DEFAULT_MEMORY_OPTIONS, QUICK_MEMORY_OPTIONS } from '../../src/models/memory/experiment.js';

test('options: the defaults, then --quick, then what was given', () => {
  assert.deepEqual(memoryOptions({}), DEFAULT_MEMORY_OPTIONS);
  assert.deepEqual(DEFAULT_MEMORY_OPTIONS.distances, [0, 5, 10, 20, 40, 80]);
  const q = memoryOptions({ quick: true, steps: 7 });
  assert.equal(q.steps, 7);
  assert.deepEqual(q.distances, QUICK_MEMORY_OPTIONS.distances);
  assert.deepEqual(memoryOptions({ distances: [0, 1] }).distances, [0, 1]);
});

test('a small run prints the accuracy table beside throughput, the benchmark table, and writes the plot', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmcore-memory-'));
  const plot = join(dir, 'memory.svg');
  const out: string[] = [];
  const r = await runMemory({ steps: 4, distances: [0, 2, 4], testExamples: 8, batchSize: 4, benchLengths: [6], seed: 3, plot }, (l) => out.push(l), () => {});
  const text = out.join('\n');
  assert.match(text, /^model\s+params\s+d=0\s+d=2\s+d=4\s+steps\s+train s\s+s\/epoch\s+tok\/s$/m);
  assert.match(text, /^RNN\s+[\d,]+\s+\d+%\s+\d+%\s+\d+%\s+4\s/m);
  assert.match(text, /^LSTM\s/m);
  assert.match(text, /^Transformer\s/m);
  assert.match(text, /chance: accuracy 50% knowing the foods/);
  assert.match(text, /^Remembered the animals/m);
  assert.match(text, /^\s+6\s+Transformer\s+2\s+[\d.]+\s+[\d,]+$/m);
  assert.match(text, /^\s+6\s+RNN\s+6\s/m);
  assert.equal(r.plot, plot);
  assert.match(readFileSync(plot, 'utf8'), /<polyline /);
  assert.deepEqual(formatMemoryTables(r), out.slice(1, 1 + formatMemoryTables(r).length));
  // --json: nothing on the text channels, everything in the result
  const quiet: string[] = [];
  const j = await runMemory({ steps: 2, distances: [0], testExamples: 4, batchSize: 2, benchLengths: [], json: true, models: ['lstm'] }, (l) => quiet.push(l), (l) => quiet.push(l));
  assert.deepEqual(quiet, []);
  assert.equal(j.models.length, 1);
  assert.equal(JSON.parse(JSON.stringify(j)).models[0].kind, 'lstm');
});

test('bad options are refused with the option named', async () => {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerMemory(program);
  await assert.rejects(program.parseAsync(['node', 'llmcore', 'memory', '--distances', '0,x']), /--distances: expected comma-separated integers >= 0, got 'x'/);
  await assert.rejects(program.parseAsync(['node', 'llmcore', 'memory', '--models', 'rnn,cnn']), /expected models among rnn, lstm, gru, transformer, got 'cnn'/);
  await assert.rejects(program.parseAsync(['node', 'llmcore', 'memory', '--steps', '0']), /expected an integer >= 1/);
  await assert.rejects(runMemory({ bindings: 9, steps: 1 }, () => {}, () => {}), /bindings must be an integer in \[1, 8\]/);
});

test('a --plot that cannot be written is refused before any training', async () => {
  const logged: string[] = [];
  const t0 = performance.now();
  await assert.rejects(
    runMemory({ steps: 400, distances: [0], testExamples: 8, batchSize: 4, benchLengths: [], seed: 3, plot: '/nonexistent/x.svg' }, () => {}, (l) => logged.push(l)),
    /--plot \/nonexistent\/x\.svg: the folder \/nonexistent does not exist/,
  );
  assert.deepEqual(logged, [], 'nothing trained');
  assert.ok(performance.now() - t0 < 2000);
});
