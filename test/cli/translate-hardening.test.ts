/**
 * The translator commands under a red team (issue 16): outputs never replace inputs and are checked
 * before any work; size options are bounded up front; a reader that goes away (`| head -1`) stops
 * the work quietly; stdin and --file share one UTF-8 rule; warnings are bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runTranslate, type CliIo, type TranslateCliOptions, type Translator } from '../../cli/translate.js';
import { runEvalTranslate, type EvalTranslateOptions } from '../../cli/eval-translate.js';
import { saveTranslator } from '../../src/models/seq2seq/checkpoint.js';
import { PAIRS, tempDir, tinyTranslator } from '../decode/tiny-translator.js';

const tiny = tinyTranslator();
const dir = tempDir('translate-hardening-');
const modelDir = join(dir, 'model');
await saveTranslator(modelDir, { model: tiny.model, tokenizer: tiny.tokenizer, config: tiny.config });
const tsv = join(dir, 'dev.tsv');
const tsvText = PAIRS.map((p) => `${p.source}\t${p.target}\n`).join('');
writeFileSync(tsv, tsvText);

/** A loader that counts how often the model was loaded: a refused command must not have loaded it. */
function counting(): { load: () => Promise<Translator>; calls: () => number } {
  let n = 0;
  return { load: async () => (n++, tiny), calls: () => n };
}

function io(stdin: string | Buffer | null = null): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const s = Readable.from(stdin === null ? [] : [stdin]) as Readable & { isTTY?: boolean };
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), stdin: s, stderrIsTTY: false };
}

const cli = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const llmcore = (args: string[], input?: string | Buffer) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { input, encoding: 'utf8', timeout: 120_000 });

test('eval translate --output never replaces --data (nor a model file), whatever the spelling', async () => {
  const c = counting();
  const spellings = [tsv, join(dir, '.', 'dev.tsv'), join(dir, 'model', '..', 'dev.tsv')];
  for (const output of spellings) {
    await assert.rejects(runEvalTranslate({ data: tsv, model: modelDir, output }, io(), c.load), /--output .*dev\.tsv is also an input of this command; it would be overwritten/);
  }
  await assert.rejects(runEvalTranslate({ data: tsv, model: modelDir, output: join(modelDir, 'config.json') }, io(), c.load), /is also an input/);
  assert.equal(readFileSync(tsv, 'utf8'), tsvText, 'the references are untouched');
  assert.equal(c.calls(), 0, 'refused before the model was loaded');
  // through the real command: exit code 1, one line, the file intact
  const r = llmcore(['eval', 'translate', '--data', tsv, '--model', modelDir, '--output', tsv]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^llmcore: eval translate: --output .*dev\.tsv is also an input of this command/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.equal(readFileSync(tsv, 'utf8'), tsvText);
});

test('outputs and inputs are checked before any work: a missing folder fails at once, nothing translated', async () => {
  const c = counting();
  const x = io();
  await assert.rejects(runEvalTranslate({ data: tsv, model: modelDir, output: join(dir, 'nonexistent', 'x') }, x, c.load), /--output .*x: the folder .*nonexistent does not exist/);
  await assert.rejects(runEvalTranslate({ data: join(dir, 'none.tsv'), model: modelDir }, x, c.load), /--data .*none\.tsv: no such file/);
  await assert.rejects(runEvalTranslate({ data: dir, model: modelDir }, x, c.load), /--data .* is a folder; give a file/);
  await assert.rejects(runTranslate([], { model: modelDir, file: join(dir, 'none.txt') }, x, c.load), /--file .*none\.txt: no such file/);
  await assert.rejects(runTranslate(['你好。'], { model: modelDir, attention: join(dir, 'nonexistent', 'a.svg') }, x, c.load), /--attention .*a\.svg: the folder .*nonexistent does not exist/);
  await assert.rejects(runTranslate([], { model: modelDir, file: tsv, attention: tsv }, x, c.load), /--attention .*dev\.tsv is also an input/);
  assert.equal(c.calls(), 0);
  assert.equal(x.err.join(''), '', 'no progress: nothing was translated');
});

test('size options are bounded up front with the reason; the beam also by the target vocabulary and the batch', async () => {
  const c = counting();
  const t = (o: Partial<TranslateCliOptions>) => runTranslate(['你好。'], { model: modelDir, ...o }, io(), c.load);
  const e = (o: Partial<EvalTranslateOptions>) => runEvalTranslate({ data: tsv, model: modelDir, ...o }, io(), c.load);
  await assert.rejects(t({ beam: 1e9 }), /translate: --beam must be an integer from 1 to 64 \(each beam is a decoder pass/);
  await assert.rejects(t({ batchSize: 1e9 }), /--batch-size must be an integer from 1 to 1024/);
  await assert.rejects(t({ lengthPenalty: -1 }), /--length-penalty must be a number from 0 to 10/);
  await assert.rejects(e({ limit: Infinity }), /--limit must be an integer from 1 to 100000000/);
  assert.equal(c.calls(), 0, 'all refused before loading the model');
  const vocab = tiny.tokenizer.tgtVocab.size;
  assert.ok(vocab < 64);
  await assert.rejects(t({ beam: vocab + 1 }), new RegExp(`--beam ${vocab + 1} is wider than the model's target vocabulary of ${vocab} pieces`));
  await assert.rejects(e({ beam: 16, batchSize: 1024 }), /--beam 16 × --batch-size 1024 = 16384 hypotheses decoded together, more than 2048 .*lower --batch-size to 128 or less/);
  // through the command line parser: the message says the range and why
  for (const [args, message] of [
    [['translate', '--beam', '1e9', '你好'], /option '--beam <n>' argument '1e9' is invalid\. expected an integer from 1 to 64 \(each beam is a decoder pass per sentence/],
    [['translate', '--batch-size', '10000000', '你好'], /expected an integer from 1 to 1024 \(sentences decoded together in one tensor\)/],
    [['eval', 'translate', '--data', tsv, '--limit', '1e400'], /'--limit <n>' argument '1e400' is invalid/],
  ] as const) {
    const r = llmcore([...args]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

/** Runs the CLI with stdout read by a reader that takes one line and goes away (as `| head -1`). */
function firstLineThenClose(args: string[], stdin: Buffer | null): Promise<{ line: string; status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    // cli/main.ts, as `npx llmcore` runs it: its own EPIPE handling is part of what is tested
    const main = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let line: string | null = null;
    const stdout = child.stdout!;
    child.stderr!.on('data', (d) => (stderr += d));
    stdout.on('data', (d) => {
      out += d;
      if (line === null && out.includes('\n')) {
        line = out.slice(0, out.indexOf('\n'));
        stdout.destroy(); // the read end goes away, as head's does
      }
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ line: line ?? '', status, stderr }));
    if (stdin && child.stdin) {
      child.stdin.on('error', () => undefined); // the child may stop reading before we stop writing
      child.stdin.end(stdin);
    }
    setTimeout(() => child.kill(), 120_000).unref();
  });
}

test('a reader that goes away (| head -1) stops the work early and quietly: --file and stdin', async () => {
  const lines = 3000;
  const text = Array.from({ length: lines }, (_, i) => PAIRS[i % PAIRS.length].source).join('\n') + '\n';
  const file = join(dir, 'big.txt');
  writeFileSync(file, text);
  for (const mode of ['file', 'stdin'] as const) {
    const attDir = join(dir, `att-${mode}`);
    mkdirSync(attDir);
    // --attention writes one file per translated line: how far the work went, visible from outside
    const args = ['translate', '--model', modelDir, '--greedy', '--attention', join(attDir, 'a.svg'), ...(mode === 'file' ? ['--file', file] : [])];
    const r = await firstLineThenClose(args, mode === 'stdin' ? Buffer.from(text) : null);
    assert.equal(r.line, 'I am eating.', mode);
    assert.equal(r.status, 0, `${mode}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /EPIPE|\n\s+at /, `${mode}: no error, no stack trace`);
    const translated = readdirSync(attDir).length;
    assert.ok(translated < lines / 2, `${mode}: stopped early (${translated} of ${lines} lines translated)`);
  }
});

test('stdin and --file share one rule: bytes that are not UTF-8 are an error naming the line', async () => {
  const bytes = Buffer.concat([Buffer.from('你好。\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), Buffer.from('谢谢。\n')]);
  const file = join(dir, 'latin1.txt');
  writeFileSync(file, bytes);
  await assert.rejects(runTranslate([], { model: modelDir, file }, io(), async () => tiny), /--file .*latin1\.txt: line 2 is not UTF-8 text/);
  const x = io(bytes);
  await assert.rejects(runTranslate([], { model: modelDir }, x, async () => tiny), /translate: stdin: line 2 is not UTF-8 text/);
  const piped = llmcore(['translate', '--model', modelDir], bytes);
  assert.equal(piped.status, 1);
  assert.match(piped.stderr, /^llmcore: translate: stdin: line 2 is not UTF-8 text$/m);
  // a BOM and CRLF on stdin are read as in a file
  const ok = io(Buffer.from('\ufeff你好。\r\n谢谢。'));
  await runTranslate([], { model: modelDir }, ok, async () => tiny);
  assert.equal(ok.out.join(''), 'Hello.\nThank you.\n');
});

test('warnings are bounded: a huge token is cut, and after 20 warnings the rest are counted', async () => {
  const huge = 'x'.repeat(1_000_000);
  const one = io();
  await runTranslate([`你好${huge}`], { model: modelDir }, one, async () => tiny);
  const err = one.err.join('');
  assert.ok(err.length < 1000, `stderr is ${err.length} characters`);
  assert.match(err, /read as <unk>: x{100,}… \(\d+ more characters\)/);
  const many = io(Array.from({ length: 100 }, (_, i) => `😀${i}你好。`).join('\n'));
  await runTranslate([], { model: modelDir }, many, async () => tiny);
  const lines = many.err.join('').trimEnd().split('\n');
  assert.equal(lines.length, 21);
  assert.match(lines[19], /^translate: line 20: /);
  assert.match(lines[20], /^translate: 80 more warnings not shown \(the first 20 are above; --json gives every line's warnings\)$/);
  assert.equal(many.out.join('').split('\n').length - 1, 100, 'every line still translated');
});

test('eval translate --skip-bad-lines names the first 20 skipped lines and counts the rest', async () => {
  const bad = join(dir, 'bad.tsv');
  writeFileSync(bad, tsvText + 'no tab here\n'.repeat(500));
  const x = io();
  const r = await runEvalTranslate({ data: bad, model: modelDir, skipBadLines: true, json: true }, x, async () => tiny);
  assert.equal(r.sentences, PAIRS.length);
  const skipped = x.err.join('').split('\n').filter((l) => /skipped/.test(l));
  assert.equal(skipped.length, 21);
  assert.match(skipped[0], /line 9 skipped: no TAB between source and target/);
  assert.match(skipped[20], /bad\.tsv: 480 more lines skipped \(500 in all\)$/);
});

test('the synchronous commands (linear, iris, tour) stop quietly at a closed stdout too', async () => {
  for (const args of [['linear', '--every', '1', '--steps', '20000'], ['iris', '--sweep']]) {
    const r = await firstLineThenClose(args, null);
    assert.notEqual(r.line, '', args.join(' '));
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /EPIPE|\n\s+at /, `${args.join(' ')}: no error, no stack trace`);
  }
});
