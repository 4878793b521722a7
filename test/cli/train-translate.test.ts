/**
 * `llmcore train translate` as a user runs it (a child process): a run folder is never overwritten by
 * accident, bad recipes and flags are refused before any work with the file and field named, SIGTERM
 * saves and exits 143, and the shipped model's recipe is the one in recipes/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolveTranslatorRecipe } from '../../src/models/seq2seq/recipe.js';
import { readRecipeFile } from '../../cli/train-translate.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'cli', 'main.ts');
const dir = mkdtempSync(join(tmpdir(), 'llmcore-train-cli-'));
const llmcore = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 120_000 });

const WORDS: [string, string][] = [['我', 'I'], ['你', 'you'], ['他', 'he'], ['吃', 'eat'], ['喝', 'drink'], ['饭', 'rice'], ['水', 'water'], ['茶', 'tea']];
const lines = (n: number, offset: number): string => Array.from({ length: n }, (_, i) => {
  const a = WORDS[(i + offset) % 8];
  const b = WORDS[(i * 3 + offset) % 8];
  return `${a[0]}${b[0]}\t${a[1]} ${b[1]}.`;
}).join('\n') + '\n';
const train = join(dir, 'train.tsv');
const dev = join(dir, 'dev.tsv');
writeFileSync(train, lines(60, 0));
writeFileSync(dev, lines(8, 1));
const TINY = ['--train', train, '--dev', dev, '--d-model', '16', '--heads', '2', '--encoder-layers', '1', '--decoder-layers', '1', '--ff', '32', '--max-tokens', '64', '--warmup', '10', '--target', 'word'];

test('a folder holding a run is not overwritten without --resume or --force, and --force starts over', () => {
  const out = join(dir, 'run');
  const first = llmcore(['train', 'translate', ...TINY, '--out', out, '--epochs', '1']);
  assert.equal(first.status, 0, first.stderr);
  const best = readFileSync(join(out, 'best', 'model.safetensors'));
  const again = llmcore(['train', 'translate', ...TINY, '--out', out, '--epochs', '1']);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already holds a translate run; add --resume to continue it, or --force/);
  assert.doesNotMatch(again.stderr, /\n\s+at /, 'no stack trace');
  assert.ok(readFileSync(join(out, 'best', 'model.safetensors')).equals(best), 'best/ untouched');
  assert.equal(readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').length, 1, 'log not appended');
  const resumed = llmcore(['train', 'translate', ...TINY, '--out', out, '--epochs', '2', '--resume']);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.equal(readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').length, 2, 'the resumed run continues the log');
  const forced = llmcore(['train', 'translate', ...TINY, '--out', out, '--epochs', '1', '--force']);
  assert.equal(forced.status, 0, forced.stderr);
  assert.equal(readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').length, 1, '--force started a new log');
});

test('outputs and inputs are checked before any work: someone else\'s folder, a file, an empty --dev', () => {
  const model = join(dir, 'a-model');
  mkdirSync(model);
  writeFileSync(join(model, 'config.json'), '{"format":"llmcore-lm"}');
  const r1 = llmcore(['train', 'translate', ...TINY, '--out', model]);
  assert.equal(r1.status, 1);
  assert.match(r1.stderr, /holds files that are not an llmcore translate run \(config\.json\); choose a new or empty folder — nothing was written/);
  assert.deepEqual(readFileSync(join(model, 'config.json'), 'utf8'), '{"format":"llmcore-lm"}');
  const file = join(dir, 'some_file.txt');
  writeFileSync(file, 'x');
  const r2 = llmcore(['train', 'translate', ...TINY, '--out', file]);
  assert.match(r2.stderr, /--out .*some_file\.txt is a file/);
  assert.doesNotMatch(r2.stderr, /tokenizer:/, 'refused before the tokenizer was learned');
  const empty = join(dir, 'empty.tsv');
  writeFileSync(empty, '');
  const r3 = llmcore(['train', 'translate', ...TINY, '--dev', empty, '--out', join(dir, 'r3')]);
  assert.match(r3.stderr, /--dev .*empty\.tsv has no sentence pairs/);
  const r4 = llmcore(['train', 'translate', ...TINY, '--train', join(dir, 'nope.tsv'), '--out', join(dir, 'r4')]);
  assert.match(r4.stderr, /--train .*nope\.tsv: no such file/);
  assert.equal(existsSync(join(dir, 'r4')), false, 'nothing created for a run that cannot start');
});

test('a recipe or flag with a wrong value is refused with the file and field named', () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ training: { epochs: 'abc' }, model: { dModel: -5 } }));
  const r1 = llmcore(['train', 'translate', ...TINY, '--recipe', bad, '--out', join(dir, 'b1')]);
  assert.equal(r1.status, 1);
  assert.match(r1.stderr, /bad\.json: training\.epochs: expected a number/);
  assert.match(r1.stderr, /bad\.json: model\.dModel: must be at least 1/);
  writeFileSync(bad, '{"training": {');
  assert.match(llmcore(['train', 'translate', ...TINY, '--recipe', bad, '--out', join(dir, 'b2')]).stderr, /bad\.json is not valid JSON/);
  writeFileSync(bad, JSON.stringify({ model: { dimFeedforward: 1_000_000 } }));
  assert.match(llmcore(['train', 'translate', ...TINY, '--recipe', bad, '--out', join(dir, 'b3')]).stderr, /model\.dimFeedforward: must be at most 65536/);
  writeFileSync(bad, JSON.stringify({ modle: {} }));
  assert.match(llmcore(['train', 'translate', ...TINY, '--recipe', bad, '--out', join(dir, 'b4')]).stderr, /bad\.json: .*modle/);
  const old = llmcore(['train', 'translate', ...TINY, '--config', bad, '--out', join(dir, 'b5')]);
  assert.match(old.stderr, /--config is now --recipe/);
  const flags = llmcore(['train', 'translate', ...TINY, '--heads', '3', '--out', join(dir, 'b6')]);
  assert.match(flags.stderr, /the command line: model\.dModel: 16 is not divisible by model\.nhead 3/);
});

test('--resume refuses settings that contradict the run', () => {
  const out = join(dir, 'conflict');
  assert.equal(llmcore(['train', 'translate', ...TINY, '--out', out, '--max-steps', '3']).status, 0);
  const r = llmcore(['train', 'translate', ...TINY, '--d-model', '32', '--heads', '2', '--out', out, '--resume']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--resume: model\.dModel is 16 in the run, 32 in the command line/);
  const s = llmcore(['train', 'translate', ...TINY, '--source', 'word', '--out', out, '--resume']);
  assert.match(s.stderr, /tokenizer\.source is "char" in the run, "word" in the command line/);
});

test('SIGTERM stops after the current step, saves last/ and exits 143; the run then resumes', async () => {
  const out = join(dir, 'term');
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'train', 'translate', ...TINY, '--out', out, '--epochs', '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let killed = false;
  child.stderr.on('data', (d) => {
    stderr += d;
    // once, after an epoch has been evaluated (a second signal would mean "quit without saving")
    if (!killed && /epoch 2 \(step/.test(stderr)) {
      killed = true;
      child.kill('SIGTERM');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 143, stderr);
  assert.match(stderr, /SIGTERM: stopping after this step and saving/);
  assert.match(stderr, /stopped by a signal/);
  const state = readFileSync(join(out, 'last', 'model.safetensors'));
  assert.ok(state.length > 0);
  // --resume alone: the data and settings are the run's
  const resumed = llmcore(['train', 'translate', '--out', out, '--resume', '--max-steps', '1']);
  assert.match(resumed.stderr, /resumed .*last at step \d+/);
  assert.equal(resumed.status, 0, resumed.stderr);
  const other = join(dir, 'other.tsv');
  writeFileSync(other, lines(40, 3));
  const mixed = llmcore(['train', 'translate', ...TINY, '--train', other, '--out', out, '--resume', '--max-steps', '100000']);
  assert.match(mixed.stderr, /the training data differs from the data this run was trained on/);
});

test('recipes/zh-en.json is the shipped model\'s recipe', () => {
  const recipe = resolveTranslatorRecipe([{ source: 'recipes/zh-en.json', values: readRecipeFile(join(root, 'recipes', 'zh-en.json')) }]);
  const shipped = JSON.parse(readFileSync(join(root, 'models', 'zh-en', 'config.json'), 'utf8'));
  const tokenizer = JSON.parse(readFileSync(join(root, 'models', 'zh-en', 'tokenizer.json'), 'utf8')).config;
  const { srcVocab, tgtVocab, ...model } = shipped.model;
  assert.ok(srcVocab > 0 && tgtVocab > 0);
  assert.deepEqual(recipe.model, model);
  assert.deepEqual({ ...recipe.training, maxSteps: undefined }, { ...shipped.training, maxSteps: undefined });
  assert.deepEqual(recipe.decoding, shipped.decoding);
  for (const [k, v] of Object.entries(tokenizer)) assert.deepEqual((recipe.tokenizer as Record<string, unknown>)[k], v, `tokenizer.${k}`);
  assert.match(recipe.data!.train!, /shared\/data\/tatoeba-cmn-eng\/train\.tsv$/);
  assert.match(readFileSync(join(root, 'models', 'zh-en', 'MODEL_CARD.md'), 'utf8'), /--recipe recipes\/zh-en\.json/);
});
