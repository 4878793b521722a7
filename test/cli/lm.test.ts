/**
 * `llmcore lm`: train → save → predict through the command's functions, the on-the-fly built-in
 * model, the tour chapter, --text files (plain and TSV), and the errors a user can run into.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { readLmText, registerLm, runEvalLm, runLmPredict, runLmTourChapter, runLmTrain, type LmTrainOptions } from '../../cli/lm.js';

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

test('train lm --text FILE --out DIR, then predict --model DIR (the run\'s best/); another --arch is refused', async () => {
  const corpus = join(dir, 'tiny.txt');
  writeFileSync(corpus, 'The cat sat on the mat.\nThe dog sat on the log.\nA bird sat on the tree.\n'.repeat(30));
  const out = join(dir, 'tiny-lm');
  const o: LmTrainOptions = { arch: 'transformer', text: corpus, out, epochs: 3, seed: 1, top: 3, prompt: 'The cat sat on the', minFreq: 1, json: true };
  const r = await runLmTrain(o, quiet);
  assert.equal(r.model, 'transformer');
  assert.equal(r.reason, 'done');
  assert.equal((r.history as unknown[]).length, 3);
  assert.ok(Number.isFinite(r.validPerplexity as number));
  assert.ok((r.unigramValidPerplexity as number) > 1);
  for (const f of ['config.json', 'tokenizer.json', 'model.safetensors']) assert.ok(existsSync(join(out, 'best', f)), f);
  assert.ok(existsSync(join(out, 'last', 'train-state.safetensors')));
  const config = JSON.parse(readFileSync(join(out, 'best', 'config.json'), 'utf8'));
  assert.equal(config.format, 'llmcore-lm');
  assert.equal(config.model.kind, 'transformer');
  assert.equal(config.corpus.source, corpus);

  // best/ is the epoch with the lowest held-out loss; the prediction after training is the last epoch's
  const best = (r.history as { validLoss: number }[]).reduce((a, b) => (b.validLoss < a.validLoss ? b : a));
  const p = await runLmPredict('The cat sat on the', { model: out, top: 3, json: true }, quiet);
  if (best === (r.history as unknown[])[2]) assert.deepEqual(p.top, (r.prediction as { top: unknown }).top);
  const viaOldSpelling = await runLmPredict('The cat sat on the', { modelDir: out, top: 3, json: true }, quiet);
  assert.deepEqual(viaOldSpelling.top, p.top);
  await assert.rejects(runLmPredict('The cat', { model: out, arch: 'lstm', top: 3 }, quiet), /holds a 'transformer' language model, but 'lstm' was asked/);
  await assert.rejects(runLmPredict('zebra', { model: out, top: 3 }, quiet), /none of the prompt's words \(zebra\)/);
  await assert.rejects(runLmPredict('  ', { arch: 'rnn', top: 3 }, quiet), /the prompt is empty/);
  const lines: string[] = [];
  await runLmPredict('The zebra sat', { model: out, top: 2 }, (l) => lines.push(l));
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
  await assert.rejects(runLmTrain({ arch: 'rnn', text: empty, top: 5, json: true }, quiet), /the text has no words/);
  await assert.rejects(runLmTrain({ arch: 'rnn', text: join(dir, 'missing.txt'), top: 5 }, quiet), /--text .*missing\.txt: no such file/);
});

test('the commands parse their options and reject bad ones', async () => {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerLm(program);
  await assert.rejects(program.parseAsync(['node', 'llmcore', 'train', 'lm', '--arch', 'cnn']), /expected one of rnn, lstm, gru, transformer, got 'cnn'/);
  await assert.rejects(program.parseAsync(['node', 'llmcore', 'lm', 'train', '--model', 'cnn']), /expected one of rnn, lstm, gru, transformer, got 'cnn'/);
  await assert.rejects(program.parseAsync(['node', 'llmcore', 'predict', 'Apple is', '--top', '0']), /expected an integer >= 1/);
  await assert.rejects(program.parseAsync(['node', 'llmcore', 'train', 'lm', '--valid-fraction', '1.5']), /expected a number between 0 and 1/);
  await assert.rejects(program.parseAsync(['node', 'llmcore', 'train', 'lm', '--time-budget', '0s']), /expected a duration above zero/);
  assert.deepEqual(program.commands.find((c) => c.name() === 'train')!.commands.map((c) => c.name()), ['lm']);
  assert.deepEqual(program.commands.find((c) => c.name() === 'eval')!.commands.map((c) => c.name()), ['lm']);
  const lm = program.commands.find((c) => c.name() === 'lm')!;
  assert.deepEqual(lm.commands.map((c) => c.name()), ['train', 'predict']);
});

test('train lm never writes into a folder that is not its own run, and a stopped run resumes to the same model', async () => {
  const corpus = join(dir, 'resume.txt');
  writeFileSync(corpus, 'The cat sat on the mat.\nThe dog sat on the log.\nA bird sat on the tree.\n'.repeat(20));
  // a translator's (or anyone's) model folder is refused, and left as it was
  const other = join(dir, 'someone-elses-model');
  mkdirSync(other);
  writeFileSync(join(other, 'config.json'), '{"format":"llmcore-translator"}');
  await assert.rejects(runLmTrain({ arch: 'rnn', text: corpus, out: other, top: 1, json: true }, quiet), /already holds files that are not an llmcore lm run \(config\.json\)/);
  assert.equal(readFileSync(join(other, 'config.json'), 'utf8'), '{"format":"llmcore-translator"}');

  const base: LmTrainOptions = { arch: 'lstm', text: corpus, epochs: 3, seed: 2, top: 1, minFreq: 1, batchSize: 4, bptt: 8, json: true };
  const straight = await runLmTrain({ ...base, out: join(dir, 'straight') }, quiet);
  const out = join(dir, 'stopped');
  const first = await runLmTrain({ ...base, out, maxSteps: 5 }, quiet);
  assert.equal(first.reason, 'steps');
  await assert.rejects(runLmTrain({ ...base, out }, quiet), /already holds a lm run; add --resume to continue it, or --force/);
  await assert.rejects(runLmTrain({ ...base, out, resume: true, lr: 0.5 }, quiet), /--resume: --lr 0\.5 \(the run has [\d.e-]+\)/);
  const otherText = join(dir, 'other.txt');
  writeFileSync(otherText, readFileSync(corpus, 'utf8').replace(/cat/g, 'dog'));
  await assert.rejects(runLmTrain({ ...base, text: otherText, out, resume: true, maxSteps: 1000 }, quiet), /the training data differs from the data this run was trained on/);
  // the run's own limit (5 steps) holds until a larger one is given
  assert.equal((await runLmTrain({ ...base, out, resume: true }, quiet)).steps, 5);
  const resumed = await runLmTrain({ ...base, out, resume: true, maxSteps: 1000 }, quiet);
  assert.equal(resumed.steps, straight.steps);
  const a = readFileSync(join(dir, 'straight', 'last', 'model.safetensors'));
  const b = readFileSync(join(out, 'last', 'model.safetensors'));
  assert.ok(a.equals(b), 'the resumed run ends with the same weights, byte for byte');
  const ev = await runEvalLm({ model: out, text: corpus, json: true }, quiet);
  assert.ok(Number.isFinite(ev.perplexity as number) && (ev.perplexity as number) > 1);
});
