/**
 * `llmcore tour` (what `npm start` runs), through the real command in a child process: every chapter's
 * key in --json with the shipped translator's 我正在吃饭 → "I'm eating."; a broken translator is an
 * error (exit 1, one line), never a skipped chapter; only an absent shipped folder skips, with a notice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tourTranslator } from '../../cli/tour.js';
import { llmcore, SHIPPED_MODEL, tempDir } from '../helpers/cli.js';

test('tour --json: every chapter, the shipped models turning 我正在吃饭 into "I\'m eating.", answering as a GPT and about a picture', () => {
  const r = llmcore(['tour', '--json'], { timeout: 180_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'nothing on stderr: no chapter skipped');
  const out = JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(out), ['linear', 'iris', 'lm', 'sequenceClaims', 'translate', 'gpt', 'vision']);
  for (const k of ['sequenceClaims', 'gpt', 'vision']) assert.equal(out[k].skipped, undefined, `${k} ran from what the repository ships`);
  assert.ok(Math.abs((out.linear.a as number) - 3) < 0.05 && Math.abs((out.linear.b as number) - 5) < 0.1, JSON.stringify(out.linear));
  assert.equal((out.iris.prediction as { species: string }).species, 'virginica');
  assert.deepEqual(Object.keys(out.lm).filter((k) => k === 'rnn' || k === 'lstm'), ['rnn', 'lstm']);
  assert.equal(out.translate.source, '我正在吃饭');
  assert.equal(out.translate.translation, "I'm eating.");
  assert.ok(Array.isArray(out.translate.steps) && out.translate.steps.length >= 3);
});

test('tour --model with a truncated model.safetensors fails at once: exit 1, one line naming the file, no chapter run', () => {
  const dir = join(tempDir('llmcore-tour-'), 'broken');
  mkdirSync(dir);
  copyFileSync(join(SHIPPED_MODEL, 'config.json'), join(dir, 'config.json'));
  copyFileSync(join(SHIPPED_MODEL, 'tokenizer.json'), join(dir, 'tokenizer.json'));
  writeFileSync(join(dir, 'model.safetensors'), readFileSync(join(SHIPPED_MODEL, 'model.safetensors')).subarray(0, 100_000));
  const r = llmcore(['tour', '--model', dir]);
  assert.equal(r.status, 1, `exit code; stdout: ${r.stdout}`);
  assert.match(r.stderr, /^llmcore: .*model\.safetensors.*truncated/);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line, no stack trace: ${r.stderr}`);
  assert.doesNotMatch(r.stdout + r.stderr, /skipped/);
  assert.doesNotMatch(r.stdout, /Chapter 1/, 'the model is checked before the first chapter');
});

test('tour --model naming a folder that is not there is an error, not a skip', () => {
  const r = llmcore(['tour', '--model', '/nonexistent/zh-en']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^llmcore: --model \/nonexistent\/zh-en: no such directory/);
  assert.doesNotMatch(r.stdout + r.stderr, /skipped/);
});

test('only an absent shipped folder skips chapter 4, with a notice that says where it looked', async () => {
  const warned: string[] = [];
  const r = await tourTranslator(undefined, (l) => warned.push(l), '/nonexistent/models/zh-en');
  assert.deepEqual(r, { skipped: 'no model at /nonexistent/models/zh-en' });
  assert.equal(warned.length, 1);
  assert.match(warned[0], /^llmcore tour: chapter 4 skipped: no model at \/nonexistent\/models\/zh-en/);
  // the same folder named by the user is an error
  await assert.rejects(tourTranslator('/nonexistent/models/zh-en', () => assert.fail('no notice')), /no such directory/);
});
