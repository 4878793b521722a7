/**
 * `llmcore translate` and `llmcore eval translate` on a tiny translator that learned eight pairs by
 * heart: one line out per line in (empty lines too) from an argument, --file and stdin; --json;
 * --explain; --attention; the model's default decoding; clear errors; and the same through a real
 * child process reading a model directory from disk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runTranslate, defaultModelDir, packageRoot, splitLines, type CliIo, type TranslateCliOptions, type Translator } from '../../cli/translate.js';
import { runEvalTranslate } from '../../cli/eval-translate.js';
import { saveTranslator } from '../../src/models/seq2seq/checkpoint.js';
import { PAIRS, tempDir, tinyTranslator } from '../decode/tiny-translator.js';

const tiny = tinyTranslator();
const load = async (): Promise<Translator> => tiny;
const dir = tempDir('translate-cli-');
/** A model directory on disk (the commands check it; `load` hands over the model already in memory). */
const modelDir = join(dir, 'model');
await saveTranslator(modelDir, { model: tiny.model, tokenizer: tiny.tokenizer, config: tiny.config });

function io(stdinLines: string | null = null, tty = false): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const stdin = Readable.from(stdinLines === null ? [] : [stdinLines]) as Readable & { isTTY?: boolean };
  if (tty) stdin.isTTY = true;
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), stdin, stderrIsTTY: false };
}

async function run(args: string[], o: Partial<TranslateCliOptions> = {}, stdin: string | null = null): Promise<{ out: string; err: string }> {
  const x = io(stdin);
  await runTranslate(args, { model: modelDir, ...o }, x, load);
  return { out: x.out.join(''), err: x.err.join('') };
}

test('a sentence as the argument prints its English; --json prints {"translation": …}', async () => {
  assert.equal((await run(['我正在吃饭'])).out, 'I am eating.\n');
  assert.equal((await run(['我正在吃饭'], { greedy: true })).out, 'I am eating.\n');
  assert.equal((await run(['我正在吃饭'], { json: true })).out, '{"translation":"I am eating."}\n');
  assert.equal((await run(['我们正在吃苹果。'], { beam: 2, json: true })).out, '{"translation":"We are eating apples."}\n');
  assert.equal((await run(['我', '喜欢猫。'])).out, 'I like cats.\n', 'several words are one sentence');
});

test('--explain prints every step\'s top 5 candidates with probabilities and the word chosen', async () => {
  const { out } = await run(['我正在吃饭'], { explain: true, greedy: true });
  assert.match(out, /^source: 我正在吃饭$/m);
  assert.match(out, /^tokens: 我 \/ 正 \/ 在 \/ 吃 \/ 饭$/m);
  assert.match(out, /选择最可能的词/);
  const stepLines = out.split('\n').filter((l) => /^\s+\d+\s/.test(l));
  assert.equal(stepLines.length, 5);
  assert.match(stepLines[0], /^\s+1\s+\[I 0\.9\d\d\]/);
  assert.match(stepLines[0], /→ I$/);
  assert.match(stepLines[4], /→ <eos>$/);
  for (const l of stepLines) assert.equal((l.match(/\d\.\d{3}/g) ?? []).length, 5, l);
  assert.match(out, /^= I am eating\.$/m);
  // the model's config says beam 3: the explanation says so
  assert.match((await run(['我正在吃饭'], { explain: true })).out, /beam search \(3 beams\)/);
  const json = JSON.parse((await run(['我正在吃饭'], { explain: true, json: true, greedy: true })).out);
  assert.equal(json.translation, 'I am eating.');
  assert.equal(json.steps.length, 5);
  assert.deepEqual(Object.keys(json.steps[0]).sort(), ['candidates', 'chosen', 'probability', 'step']);
  assert.equal(json.steps[0].chosen, 'I');
  assert.equal(json.steps[0].candidates.length, 5);
  assert.deepEqual(Object.keys(json.steps[0].candidates[0]).sort(), ['probability', 'word']);
});

test('--file: one line out per line in, empty lines included; CRLF and a final newline are fine', async () => {
  const file = join(dir, 'in.txt');
  writeFileSync(file, '我正在吃饭。\r\n\r\n你好。\n   \n谢谢。\n');
  const { out } = await run([], { file });
  assert.equal(out, 'I am eating.\n\nHello.\n\nThank you.\n');
  const json = (await run([], { file, json: true })).out.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(json, [{ translation: 'I am eating.' }, { translation: '' }, { translation: 'Hello.' }, { translation: '' }, { translation: 'Thank you.' }]);
  writeFileSync(file, '你好。');
  assert.equal((await run([], { file })).out, 'Hello.\n', 'no final newline');
  writeFileSync(file, '');
  assert.equal((await run([], { file })).out, '');
  assert.deepEqual(splitLines('a\n\nb\n'), ['a', '', 'b']);
  assert.deepEqual(splitLines('\ufeffa\r\nb'), ['a', 'b']);
  assert.deepEqual(splitLines('\n'), ['']);
});

test('no argument: lines from stdin, one line out per line in', async () => {
  const { out } = await run([], {}, '我喜欢猫。\n\n她在睡觉。\n');
  assert.equal(out, 'I like cats.\n\nShe is sleeping.\n');
  const { out: json } = await run([], { json: true }, '你好。\n');
  assert.equal(json, '{"translation":"Hello."}\n');
});

test('warnings go to stderr with the line number; the output keeps one line per line', async () => {
  const file = join(dir, 'odd.txt');
  writeFileSync(file, `你好。\n${'我'.repeat(20)}\n😀谢谢。\n`);
  const { out, err } = await run([], { file });
  assert.equal(out.split('\n').length - 1, 3);
  assert.match(err, /^translate: line 2: the input is longer than the model's maximum of 12 source tokens: truncated/m);
  assert.match(err, /^translate: line 3: 1 source token is not in the model's vocabulary and read as <unk>: 😀$/m);
  const json = (await run([], { file, json: true })).out.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.ok(json[1].warnings.length >= 1);
  assert.equal(json[0].warnings, undefined);
});

test('--attention writes the heatmap; with several lines one file per line', async () => {
  const svg = join(dir, 'att.svg');
  const { err } = await run(['我正在吃饭。'], { attention: svg });
  assert.match(err, /wrote .*att\.svg/);
  const text = readFileSync(svg, 'utf8');
  assert.equal((text.match(/<rect class="cell"/g) ?? []).length, 4 * 6);
  assert.match(text, /我正在吃饭。 → I am eating\./);
  const file = join(dir, 'two.txt');
  writeFileSync(file, '你好。\n\n谢谢。\n');
  await run([], { file, attention: join(dir, 'many.svg'), attentionLayers: 'all' });
  assert.ok(existsSync(join(dir, 'many.1.svg')));
  assert.ok(!existsSync(join(dir, 'many.2.svg')), 'an empty line has no attention');
  assert.ok(existsSync(join(dir, 'many.3.svg')));
  assert.match(readFileSync(join(dir, 'many.3.svg'), 'utf8'), /mean of all decoder layers/);
});

test('clear errors: no model (how to train one), contradictory options, unreadable files', async () => {
  await assert.rejects(runTranslate(['你好'], { model: join(dir, 'nothing') }, io(), load), /no such directory.*llmcore train translate --train/s);
  await assert.rejects(runTranslate(['你好'], { model: dir }, io()), /holds no trained model.*llmcore train translate/s);
  await assert.rejects(run(['你好'], { greedy: true, beam: 3 }), /--greedy and --beam 3 contradict each other/);
  await assert.rejects(run(['你好'], { file: join(dir, 'in.txt') }), /give a sentence or --file, not both/);
  await assert.rejects(run([], { file: join(dir, 'missing.txt') }), /--file .*missing\.txt: no such file/);
  writeFileSync(join(dir, 'latin1.txt'), Buffer.from([0xe9, 0x0a]));
  await assert.rejects(run([], { file: join(dir, 'latin1.txt') }), /is not UTF-8 text/);
  await assert.rejects(run(['你好'], { attention: join(dir, 'no', 'such', 'dir.svg') }), /--attention .*dir\.svg: the folder .*such does not exist/);
});

test('the default model is models/zh-en in the package root', () => {
  const root = packageRoot();
  assert.equal(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name, 'llmcore');
  assert.equal(defaultModelDir(), join(root, 'models', 'zh-en'));
});

test('eval translate: BLEU and chrF on a TSV, --limit, --skip-bad-lines, a progress line on stderr', async () => {
  const tsv = join(dir, 'pairs.tsv');
  writeFileSync(tsv, PAIRS.map((p) => `${p.source}\t${p.target}\n`).join(''));
  const x = io();
  const r = await runEvalTranslate({ data: tsv, model: modelDir, json: true }, x, load);
  assert.deepEqual(Object.keys(r), ['bleu', 'chrf', 'sentences']);
  assert.equal(r.sentences, 8);
  assert.ok(Math.abs(r.bleu - 100) < 1e-6 && Math.abs(r.chrf - 100) < 1e-6);
  assert.deepEqual(JSON.parse(x.out.join('')), r);
  assert.match(x.err.join(''), /translated 8\/8 sentences/);
  assert.match(x.err.join(''), /beam 3, length penalty α = 1/);
  const limited = await runEvalTranslate({ data: tsv, model: modelDir, greedy: true, limit: 3, json: true }, io(), load);
  assert.equal(limited.sentences, 3);
  const text = io();
  await runEvalTranslate({ data: tsv, model: modelDir, output: join(dir, 'hyp.txt') }, text, load);
  assert.match(text.out.join(''), /^BLEU = 100\.00/m);
  assert.match(text.out.join(''), /^chrF2 = 100\.00$/m);
  assert.equal(readFileSync(join(dir, 'hyp.txt'), 'utf8'), PAIRS.map((p) => p.target + '\n').join(''));
  const bad = join(dir, 'bad.tsv');
  writeFileSync(bad, `你好。\tHello.\nno tab here\n谢谢。\tThank you.\n`);
  await assert.rejects(runEvalTranslate({ data: bad, model: modelDir }, io(), load), /line 2: no TAB between source and target.*--skip-bad-lines/);
  const skipping = io();
  const s = await runEvalTranslate({ data: bad, model: modelDir, skipBadLines: true, json: true }, skipping, load);
  assert.equal(s.sentences, 2);
  assert.match(skipping.err.join(''), /line 2 skipped: no TAB between source and target/);
});

test('through a child process: a model directory on disk, --file, piped stdin, eval --json, exit codes', async () => {
  await saveTranslator(join(dir, 'run', 'best'), { model: tiny.model, tokenizer: tiny.tokenizer, config: tiny.config });
  const cli = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
  const llmcore = (args: string[], input?: string) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  const one = llmcore(['translate', '--model', join(dir, 'run'), '我正在吃饭']); // a run folder means its best/
  assert.equal(one.stderr, '');
  assert.equal(one.status, 0);
  assert.equal(one.stdout, 'I am eating.\n');
  const file = join(dir, 'child.txt');
  writeFileSync(file, '你好。\n\n我喜欢猫。\n');
  const many = llmcore(['translate', '--model', modelDir, '--greedy', '--file', file]);
  assert.equal(many.stdout, 'Hello.\n\nI like cats.\n');
  const piped = llmcore(['translate', '--model', modelDir, '--json'], '谢谢。\n\n');
  assert.equal(piped.stdout, '{"translation":"Thank you."}\n{"translation":""}\n');
  const tsv = join(dir, 'child.tsv');
  writeFileSync(tsv, PAIRS.map((p) => `${p.source}\t${p.target}\n`).join(''));
  const ev = llmcore(['eval', 'translate', '--data', tsv, '--model', modelDir, '--beam', '2', '--json']);
  assert.equal(ev.status, 0, ev.stderr);
  assert.deepEqual(Object.keys(JSON.parse(ev.stdout)), ['bleu', 'chrf', 'sentences']);
  const missing = llmcore(['translate', '--model', join(dir, 'nope'), '你好']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /llmcore: --model .*nope: no such directory/);
  const badOption = llmcore(['translate', '--beam', '0', '你好']);
  assert.notEqual(badOption.status, 0);
  assert.match(badOption.stderr, /expected an integer from 1 to 64 \(.*\), got '0'/);
});
