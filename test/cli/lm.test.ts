/**
 * `llmcore lm`: train → save → predict through the command's functions, the on-the-fly built-in
 * model, the tour chapter, --text files (plain and TSV), and the errors a user can run into.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { readLmText, registerLm, runLmPredict, runLmTourChapter, runLmTrain, type LmTrainOptions } from '../../cli/lm.js';

const dir = mkdtempSync(join(tmpdir(), 'llmcore-lm-cli-'));
const quiet = (): void => {};

test('lm predict without --model-dir trains the built-in RNN on the fly: "Apple is" → red first, with probabilities', async () => {
  const lines: string[] = [];
  const r = await runLmPredict('Apple is', { model: 'rnn', top: 5 }, (l) => lines.push(l));
  const top = r.top as { word: string; prob: number }[];
  assert.equal(top[0].word, 'red');
  assert.equal(top.length, 5);
  assert.match(lines.join('\n'), /rnn LM \(built-in corpus, trained now in [\d.]+ s\): "Apple is" →/);
  assert.match(lines.join('\n'), /^\s+1\. red\s+0\.\d{3}\s+█+$/m);
});

test('the tour chapter shows "Apple is" → top 5 for the RNN and the LSTM, red first for both', async () => {
  const lines: string[] = [];
  const r = (await runLmTourChapter((l) => lines.push(l))) as Record<string, { top: { word: string; prob: number }[]; validPerplexity: number }>;
  for (const kind of ['rnn', 'lstm']) {
    assert.equal(r[kind].top.length, 5);
    assert.equal(r[kind].top[0].word, 'red', `${kind}: ${JSON.stringify(r[kind].top)}`);
    assert.ok(r[kind].validPerplexity < 6);
  }
  const text = lines.join('\n');
  assert.match(text, /^RNN \([\d,]+ parameters, trained on the built-in corpus in [\d.]+ s, held-out perplexity [\d.]+\): "Apple is" →$/m);
  assert.match(text, /^LSTM /m);
});

test('lm train --text FILE --out DIR, then lm predict --model-dir DIR; another --model is refused', async () => {
  const corpus = join(dir, 'tiny.txt');
  writeFileSync(corpus, 'The cat sat on the mat.\nThe dog sat on the log.\nA bird sat on the tree.\n'.repeat(30));
  const out = join(dir, 'tiny-lm');
  const o: LmTrainOptions = { model: 'transformer', text: corpus, out, epochs: 3, seed: 1, top: 3, prompt: 'The cat sat on the', minFreq: 1, json: true };
  const r = await runLmTrain(o, quiet);
  assert.equal(r.model, 'transformer');
  assert.equal(r.reason, 'done');
  assert.equal((r.history as unknown[]).length, 3);
  assert.ok(Number.isFinite(r.validPerplexity as number));
  assert.ok((r.unigramValidPerplexity as number) > 1);
  for (const f of ['config.json', 'tokenizer.json', 'model.safetensors']) assert.ok(existsSync(join(out, f)), f);
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.equal(config.format, 'llmcore-lm');
  assert.equal(config.model.kind, 'transformer');
  assert.equal(config.corpus.source, corpus);

  const p = await runLmPredict('The cat sat on the', { modelDir: out, top: 3, json: true }, quiet);
  assert.deepEqual(p.top, (r.prediction as { top: unknown }).top);
  await assert.rejects(runLmPredict('The cat', { modelDir: out, model: 'lstm', top: 3 }, quiet), /holds a 'transformer' language model, but 'lstm' was asked/);
  await assert.rejects(runLmPredict('zebra', { modelDir: out, top: 3 }, quiet), /none of the prompt's words \(zebra\)/);
  const lines: string[] = [];
  await runLmPredict('The zebra sat', { modelDir: out, top: 2 }, (l) => lines.push(l));
  assert.match(lines.join('\n'), /not in the vocabulary, read as <unk>: zebra/);
});

test('--text: a TSV gives its last column (or --tsv-column); an empty or missing file is a clear error', async () => {
  const tsv = join(dir, 'pairs.tsv');
  writeFileSync(tsv, '我很好。\tI am fine.\n你好。\tHello.\n');
  assert.equal(readLmText(tsv).text, 'I am fine.\nHello.');
  assert.equal(readLmText(tsv, 1).text, '我很好。\n你好。');
  assert.throws(() => readLmText(tsv, 3), /--tsv-column 3 is out of range/);
  const empty = join(dir, 'empty.txt');
  writeFileSync(empty, '\n  \n');
  await assert.rejects(runLmTrain({ model: 'rnn', text: empty, top: 5, json: true }, quiet), /the text has no words/);
  await assert.rejects(runLmTrain({ model: 'rnn', text: join(dir, 'missing.txt'), top: 5 }, quiet), /cannot read --text .*missing\.txt: ENOENT/);
});

test('the commands parse their options and reject bad ones', async () => {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerLm(program);
  await assert.rejects(program.parseAsync(['node', 'llmcore', 'lm', 'train', '--model', 'cnn']), /expected one of rnn, lstm, gru, transformer, got 'cnn'/);
  await assert.rejects(program.parseAsync(['node', 'llmcore', 'lm', 'predict', 'Apple is', '--top', '0']), /expected an integer >= 1/);
  await assert.rejects(program.parseAsync(['node', 'llmcore', 'lm', 'train', '--valid-fraction', '1.5']), /expected a number between 0 and 1/);
  const lm = program.commands.find((c) => c.name() === 'lm')!;
  assert.deepEqual(lm.commands.map((c) => c.name()), ['train', 'predict']);
});
