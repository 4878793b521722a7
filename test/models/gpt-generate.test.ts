/**
 * `llmcore generate` as a user runs it, on the tiny GPT-2 hub folder that scripts/fixtures/gpt2.py
 * writes (test/fixtures/pytorch/gpt2_tiny_model: config.json, model.safetensors with the old mask
 * buffers, vocab.json + merges.txt): greedy output equals greedy search by full recomputation; the
 * same seed gives the same text; --stop, --explain, --json; text streams as it is produced; a folder
 * llmcore saved (tokenizer.json) generates the same; bad input is one clear line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import '../../src/backend/js/index.js';
import { loadGpt, saveGpt } from '../../src/models/gpt/checkpoint.js';
import { loadGptTokenizer } from '../../src/models/gpt/tokenizer.js';
import { GptStepModel } from '../../src/models/gpt/step.js';
import { greedySearch } from '../../src/decode/greedy.js';
import { runGenerate, type GenerateOptions } from '../../cli/generate.js';
import { llmcore, SHIPPED_MODEL, tempDir } from '../helpers/cli.js';
import { REPO_FIXTURES, missingFixture } from '../helpers/fixtures.js';

const DIR = join(REPO_FIXTURES, 'gpt2_tiny_model');
const PROMPT = 'The next token is';

interface Generated { text: string; tokens: number[]; finishReason: string; seed: number; promptTokens: number; warnings?: string[]; steps?: { token: number; text: string; prob: number; candidates: unknown[] }[] }

function generate(args: string[], input?: string): { status: number | null; out: Generated | null; stdout: string; stderr: string } {
  const r = llmcore(['generate', '--model', DIR, ...args], { input });
  let out: Generated | null = null;
  if (args.includes('--json') && r.status === 0) out = JSON.parse(r.stdout) as Generated;
  return { ...r, out };
}

test('generate --greedy gives greedy search by full recomputation, token for token', async (t) => {
  if (missingFixture(t, join(DIR, 'model.safetensors'))) return;
  const r = generate(['--greedy', '--max-tokens', '14', '--json', PROMPT]);
  assert.equal(r.status, 0, r.stderr);
  const { model, config } = await loadGpt(DIR);
  const ids = loadGptTokenizer(DIR, config).encode(PROMPT);
  const [h] = greedySearch(new GptStepModel(model, ids.slice(0, -1), { useCache: false }), 1, { bos: ids[ids.length - 1], eos: config.eosTokenId!, maxLen: 14, minLen: 0 });
  assert.deepEqual(r.out!.tokens, h.tokens);
  assert.equal(r.out!.promptTokens, ids.length);
  // prompt + 14 > 16 positions: the window slid and generation went on
  assert.ok(ids.length + r.out!.tokens.length > config.nPositions, `${ids.length} + ${r.out!.tokens.length}`);
});

test('the same seed gives the same text, another seed another; plain output is the JSON text', (t) => {
  if (missingFixture(t, join(DIR, 'model.safetensors'))) return;
  const a = generate(['--seed', '7', '--max-tokens', '10', '--temperature', '0.9', '--top-k', '40', '--top-p', '0.95', '--repetition-penalty', '1.2', '--json', PROMPT]);
  const b = generate(['--seed', '7', '--max-tokens', '10', '--temperature', '0.9', '--top-k', '40', '--top-p', '0.95', '--repetition-penalty', '1.2', '--json', PROMPT]);
  const c = generate(['--seed', '8', '--max-tokens', '10', '--temperature', '0.9', '--top-k', '40', '--top-p', '0.95', '--repetition-penalty', '1.2', '--json', PROMPT]);
  assert.equal(a.status, 0, a.stderr);
  assert.deepEqual(a.out!.tokens, b.out!.tokens);
  assert.notDeepEqual(a.out!.tokens, c.out!.tokens);
  assert.equal(a.out!.seed, 7);
  const plain = generate(['--seed', '7', '--max-tokens', '10', '--temperature', '0.9', '--top-k', '40', '--top-p', '0.95', '--repetition-penalty', '1.2', PROMPT]);
  assert.equal(plain.stdout, a.out!.text + '\n');
  // the prompt from stdin, when no argument is given
  const piped = generate(['--seed', '7', '--max-tokens', '10', '--temperature', '0.9', '--top-k', '40', '--top-p', '0.95', '--repetition-penalty', '1.2', '--json'], PROMPT);
  assert.deepEqual(piped.out!.tokens, a.out!.tokens);
});

test('text streams: pieces are written as tokens come, never a broken character, and add up to the text', async (t) => {
  if (missingFixture(t, join(DIR, 'model.safetensors'))) return;
  const chunks: string[] = [];
  const o: GenerateOptions = { model: DIR, maxTokens: 30, temperature: 1, topP: 1, repetitionPenalty: 1, seed: 3 };
  await runGenerate(PROMPT, o, { stdout: (s) => chunks.push(s), stderr: () => {}, stdin: process.stdin, stderrIsTTY: false });
  const json: string[] = [];
  await runGenerate(PROMPT, { ...o, json: true }, { stdout: (s) => json.push(s), stderr: () => {}, stdin: process.stdin, stderrIsTTY: false });
  const { text } = JSON.parse(json.join('')) as Generated;
  assert.ok(chunks.filter((c) => c !== '').length > 3, `written in pieces: ${JSON.stringify(chunks)}`);
  assert.equal(chunks.join(''), text + '\n');
});

test('--stop ends the text before the stop text; --explain shows 5 candidates a step', (t) => {
  if (missingFixture(t, join(DIR, 'model.safetensors'))) return;
  const full = generate(['--greedy', '--max-tokens', '12', '--json', PROMPT]).out!;
  const stopAt = [...full.text].findIndex((ch, i) => i >= 2 && ch !== '\uFFFD');
  const stop = [...full.text].slice(stopAt, stopAt + 1).join('');
  const cut = generate(['--greedy', '--max-tokens', '12', '--stop', stop, '--json', PROMPT]).out!;
  assert.equal(cut.text, full.text.slice(0, full.text.indexOf(stop)));
  assert.equal(cut.finishReason, 'stop');
  const ex = generate(['--greedy', '--max-tokens', '3', '--explain', PROMPT]);
  const lines = ex.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 4, ex.stdout);
  assert.match(lines[0], /^ {3}1 {2}\[.* 0\.\d{3}\] .*→ /);
  assert.match(lines[3], /^= The next token is/);
  const exJson = generate(['--greedy', '--max-tokens', '3', '--explain', '--json', PROMPT]).out!;
  assert.equal(exJson.steps!.length, 3);
  assert.equal(exJson.steps![0].candidates.length, 5);
});

test('a folder llmcore saved (tokenizer.json) generates what the hub folder does', async (t) => {
  if (missingFixture(t, join(DIR, 'model.safetensors'))) return;
  const { model, config } = await loadGpt(DIR);
  const saved = tempDir('llmcore-gpt-saved-');
  await saveGpt(saved, model, { files: { 'tokenizer.json': JSON.stringify(loadGptTokenizer(DIR, config).toJSON()) } });
  const args = ['--seed', '5', '--max-tokens', '8', '--json', PROMPT];
  const fromSaved = llmcore(['generate', '--model', saved, ...args]);
  assert.equal(fromSaved.status, 0, fromSaved.stderr);
  assert.deepEqual(JSON.parse(fromSaved.stdout).tokens, generate(args).out!.tokens);
});

test('bad input: one clear line each, exit 1; a prompt longer than the context is cut with a warning', (t) => {
  if (missingFixture(t, join(DIR, 'model.safetensors'))) return;
  const cases: [string[], RegExp][] = [
    [['--model', DIR, '   '], /^llmcore: generate: the prompt is empty/],
    [['--model', DIR, '--temperature', '-1', 'x'], /option '--temperature <t>' argument '-1' is invalid\. expected a number >= 0/],
    [['--model', DIR, '--top-p', '0', 'x'], /option '--top-p <p>' argument '0' is invalid\. expected a number in \(0, 1\]/],
    [['--model', DIR, '--top-p', '1.5', 'x'], /argument '1\.5' is invalid\. expected a number in \(0, 1\]/],
    [['--model', DIR, '--top-k', '0', 'x'], /option '--top-k <k>' argument '0' is invalid\. expected an integer >= 1/],
    [['--model', '/nonexistent/gpt2', 'x'], /^llmcore: generate: --model \/nonexistent\/gpt2: no such directory/],
    [['x'], /^llmcore: generate: --model DIR is required/],
    [['--model', REPO_FIXTURES, 'x'], /^llmcore: generate: .*pytorch: no config\.json/],
    [['--model', SHIPPED_MODEL, 'x'], /^llmcore: generate: .*config\.json: this folder holds an llmcore translator model \(format llmcore-translator\), not a GPT/],
  ];
  for (const [args, message] of cases) {
    const r = llmcore(['generate', ...args]);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const long = 'the model is a function '.repeat(5);
  const r = generate(['--greedy', '--max-tokens', '2', long]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^generate: the prompt is \d+ tokens, longer than the model's context of 16: only its last 16 are read\n$/);
  assert.match(generate(['--greedy', '--max-tokens', '2', '--json', long]).out!.warnings![0], /longer than the model's context of 16/);
});

test('streamed text holds back a character\'s first bytes and a possible stop text, and cuts at the stop', async (t) => {
  if (missingFixture(t, join(DIR, 'vocab.json'))) return;
  const { TextStream } = await import('../../cli/generate.js');
  const { config } = await loadGpt(DIR);
  const tokenizer = loadGptTokenizer(DIR, config);
  const ids = tokenizer.encode('你好呀'); // 9 bytes, no merges: 9 tokens
  assert.equal(ids.length, 9);
  const pieces = (stops: string[]): string[] => {
    const s = new TextStream(tokenizer, stops);
    return ids.map((_, i) => s.update(ids.slice(0, i + 1)));
  };
  assert.deepEqual(pieces([]), ['', '', '你', '', '', '好', '', '', '呀']);
  // "好" might begin the stop text "好吗": it waits until "呀" shows it does not
  assert.deepEqual(pieces(['好吗']), ['', '', '你', '', '', '', '', '', '好呀']);
  const s = new TextStream(tokenizer, ['好']);
  assert.deepEqual(ids.map((_, i) => s.update(ids.slice(0, i + 1))).join(''), '你');
  assert.equal(s.stopped, true);
  assert.equal(s.text, '你');
});

test('--stop reads \\n and \\t as a newline and a tab, as typed in a shell', async () => {
  const { parseStop } = await import('../../cli/generate.js');
  assert.deepEqual(parseStop('\\n', undefined), ['\n']);
  assert.deepEqual(parseStop('A:\\tx', ['\n']), ['\n', 'A:\tx']);
  assert.deepEqual(parseStop('a\\\\nb', undefined), ['a\\nb']);
  assert.throws(() => parseStop('', undefined), /expected a non-empty stop text/);
});
