/**
 * The word-level language model: tokenizer and stream batching, the three kinds' shapes, carried
 * state equal to one long pass (what truncated BPTT relies on), the built-in corpus teaching
 * "Apple is" → red, perplexity, save/load, and the bad inputs the chapter promises to handle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { Generator } from '../../src/util/random.js';
import { EOS_ID, UNK_ID } from '../../src/text/vocab.js';
import { BUILTIN_LM_CORPUS, builtinLmLines } from '../../src/data/lm-corpus.js';
import { LmTokenizer } from '../../src/models/lm/tokenizer.js';
import { WordLM } from '../../src/models/lm/model.js';
import { batchify, chunk, evaluateLm, splitHeldOut, unigramPerplexity } from '../../src/models/lm/train.js';
import { predictNext, PromptError } from '../../src/models/lm/predict.js';
import { trainBuiltinLm, trainLm } from '../../src/models/lm/session.js';
import { loadLm, saveLm } from '../../src/models/lm/checkpoint.js';

const rnnRun = trainBuiltinLm('rnn'); // shared by the tests below (seeded, ~2 s)

test('tokenizer: lower-cased words, <eos> after each line, <unk> for unknown words', () => {
  const tok = LmTokenizer.train('Apple is red.\n\nThe sky is blue.\n');
  const ids = tok.encodeText('Apple is red.\nThe sky is blue.');
  assert.deepEqual([...ids].map((i) => tok.word(i)), ['apple', 'is', 'red', '.', '<eos>', 'the', 'sky', 'is', 'blue', '.', '<eos>']);
  const p = tok.encodePrompt("Tom's apple is");
  assert.deepEqual(p.tokens, ['tom', "'s", 'apple', 'is']);
  assert.deepEqual(p.unknown, ['tom', "'s"]);
  assert.deepEqual(p.ids, [EOS_ID, UNK_ID, UNK_ID, tok.vocab.id('apple'), tok.vocab.id('is')]);
  assert.deepEqual(LmTokenizer.fromJSON(JSON.parse(JSON.stringify(tok.toJSON()))).vocab.tokens, tok.vocab.tokens);
  assert.throws(() => LmTokenizer.train(' \n\t\n'), /the text has no words/);
  assert.throws(() => LmTokenizer.train(''), /the text has no words/);
  assert.throws(() => LmTokenizer.fromJSON({ format: 'llmcore-vocab' }), /not an llmcore LM tokenizer/);
  // rare words become <unk> under minFreq
  const cut = LmTokenizer.train('a a b\na c', { minFreq: 2 });
  assert.equal(cut.vocab.has('a'), true);
  assert.equal(cut.vocab.has('b'), false);
});

test('the built-in corpus teaches "apple is red" and is the same on every build', () => {
  const lines = builtinLmLines();
  assert.deepEqual(lines, builtinLmLines());
  assert.ok(lines.length > 400, `${lines.length} lines`);
  assert.ok(lines.includes('Apple is red.'));
  assert.ok(BUILTIN_LM_CORPUS.includes("Tom is a cat. Tom's favorite food is fish.") || /(\w+) is a cat\. \1's favorite food is fish\./i.test(BUILTIN_LM_CORPUS));
});

test('batchify cuts B contiguous streams; chunk gives x and the next words y; the held-out split ends a line', () => {
  const ids = Int32Array.from({ length: 11 }, (_, i) => i);
  const s = batchify(ids, 2);
  assert.equal(s.B, 2);
  assert.equal(s.N, 5);
  assert.deepEqual([...s.data], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const c = chunk(s, 0, 3);
  assert.deepEqual(c.x.toArray(), [[0, 1, 2], [5, 6, 7]]);
  assert.deepEqual(c.y.toArray(), [[1, 2, 3], [6, 7, 8]]);
  const last = chunk(s, 3, 3);
  assert.equal(last.len, 1);
  assert.deepEqual(last.y.toArray(), [[4], [9]]);
  assert.equal(batchify(Int32Array.from([1, 2, 3]), 32).B, 1); // too short for 32 streams: fewer
  assert.throws(() => batchify(Int32Array.from([1]), 4), /too little text/);
  const stream = Int32Array.from([5, 6, EOS_ID, 7, 8, EOS_ID, 9, 9, 9, EOS_ID]);
  const { train, valid } = splitHeldOut(stream, 0.3);
  assert.equal(train[train.length - 1], EOS_ID);
  assert.equal(train.length + valid.length, stream.length);
  assert.throws(() => splitHeldOut(Int32Array.from([1, 2]), 0.1), /too little text/);
});

test('each kind maps (B, T) ids to (B, T, V) logits; the Transformer refuses more positions than its context', () => {
  for (const kind of ['rnn', 'lstm', 'gru', 'transformer'] as const) {
    const m = new WordLM({ kind, vocabSize: 11, embDim: 8, hiddenSize: 6, nhead: 2, context: 5 }, { generator: new Generator(1) });
    const { logits, state } = m.forward(new Tensor(Int32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]));
    assert.deepEqual(logits.shape, [2, 3, 11], kind);
    assert.equal(state === null, kind === 'transformer', kind);
    if (kind === 'lstm') assert.deepEqual(state!.c!.shape, [1, 2, 6]);
  }
  const tf = new WordLM({ kind: 'transformer', vocabSize: 11, embDim: 8, nhead: 2, context: 4 });
  assert.throws(() => tf.forward(new Tensor(new Int32Array(5), [1, 5])), /5 positions exceed the Transformer's context of 4/);
  assert.throws(() => tf.forward(new Tensor(new Float32Array(3), [1, 3])), /expected int32 token ids/);
  assert.throws(() => new WordLM({ kind: 'transformer', vocabSize: 11, embDim: 10, nhead: 4 }), /not divisible by nhead/);
  assert.throws(() => new WordLM({ kind: 'cnn' as 'rnn', vocabSize: 11 }), /kind must be one of rnn, lstm, gru, transformer/);
  assert.throws(() => new WordLM({ kind: 'lstm', vocabSize: 11, embDim: 8, hiddenSize: 6, tieWeights: true }), /tieWeights needs hiddenSize = embDim/);
  const tied = new WordLM({ kind: 'lstm', vocabSize: 11, embDim: 8, hiddenSize: 8, tieWeights: true });
  assert.equal(tied.decoder.weight, tied.encoder.weight);
});

test('carrying the state across chunks gives the same logits as one pass over the whole stream (what truncated BPTT relies on)', () => {
  for (const kind of ['rnn', 'lstm', 'gru'] as const) {
    const m = new WordLM({ kind, vocabSize: 13, embDim: 6, hiddenSize: 5, numLayers: 2, dropout: 0 }, { generator: new Generator(2) }).eval();
    const ids = Int32Array.from({ length: 2 * 9 }, (_, i) => (i * 7) % 13);
    noGrad(() => {
      const whole = m.forward(new Tensor(ids, [2, 9])).logits.toArray() as number[][][];
      const s: { data: Int32Array; B: number; N: number } = { data: ids, B: 2, N: 9 };
      let state = null;
      const pieces: number[][][][] = [];
      for (const [i, len] of [[0, 4], [4, 3], [7, 2]]) {
        const x = new Tensor(Int32Array.from([...s.data.subarray(i, i + len), ...s.data.subarray(9 + i, 9 + i + len)]), [2, len]);
        const out = m.forward(x, state);
        state = out.state;
        pieces.push(out.logits.toArray() as number[][][]);
      }
      for (let b = 0; b < 2; b++) {
        const joined = pieces.flatMap((p) => p[b]);
        joined.forEach((row, t) => row.forEach((v, j) => assert.ok(Math.abs(v - whole[b][t][j]) < 1e-5, `${kind} b${b} t${t}`)));
      }
    });
  }
});

test('trained on the built-in corpus, the RNN ranks "red" first after "Apple is", and beats the unigram perplexity', async () => {
  const { model, tokenizer, trainer, data } = await rnnRun;
  const p = predictNext(model, tokenizer, 'Apple is', 5);
  assert.equal(p.top[0].word, 'red', JSON.stringify(p.top));
  assert.ok(p.top[0].prob > 0.4, `P(red) = ${p.top[0].prob}`);
  assert.equal(p.top.length, 5);
  for (let i = 1; i < 5; i++) assert.ok(p.top[i].prob <= p.top[i - 1].prob);
  const total = predictNext(model, tokenizer, 'Apple is', tokenizer.size).top.reduce((a, t) => a + t.prob, 0);
  assert.ok(Math.abs(total - 1) < 1e-4, `probabilities sum to ${total}`); // <pad> and <bos> are never predicted (≈ 0)
  assert.equal(predictNext(model, tokenizer, 'the sky is', 1).top[0].word, 'blue');
  const history = trainer.state.history;
  assert.ok(history[history.length - 1].validPerplexity < history[0].validPerplexity);
  const v = evaluateLm(model, data.valid, { bptt: 16 });
  assert.ok(v.perplexity < 6, `held-out perplexity ${v.perplexity}`);
  assert.ok(v.perplexity < unigramPerplexity(data.train, data.valid, tokenizer.size) / 5);
});

test('prompts: unknown words become <unk>, an all-unknown or empty prompt is an error, a long prompt is cut to the Transformer\'s context', async () => {
  const { model, tokenizer } = await rnnRun;
  const p = predictNext(model, tokenizer, 'Zebra apple is', 3);
  assert.deepEqual(p.unknown, ['zebra']);
  assert.throws(() => predictNext(model, tokenizer, 'qwerty zxcv', 3), (e: Error) => e instanceof PromptError && /none of the prompt's words \(qwerty zxcv\) is in the model's vocabulary/.test(e.message));
  assert.throws(() => predictNext(model, tokenizer, '   ', 3), /the prompt is empty/);
  assert.throws(() => predictNext(model, tokenizer, 'apple', 0), /top must be a positive integer/);
  const long = 'the apple is red . '.repeat(200) + 'apple is';
  assert.equal(predictNext(model, tokenizer, long, 1).truncated, 0); // the RNN reads any length
  const tf = new WordLM({ kind: 'transformer', vocabSize: tokenizer.size, embDim: 8, nhead: 2, context: 16 }, { generator: new Generator(0) });
  const cut = predictNext(tf, tokenizer, long, 2);
  assert.equal(cut.truncated, tokenizer.encodePrompt(long).ids.length - 16);
  assert.equal(cut.top.length, 2);
});

test('a trained model directory round-trips; another kind, a translator directory or a missing one are clear errors', async () => {
  const lm = await rnnRun;
  const dir = mkdtempSync(join(tmpdir(), 'llmcore-lm-'));
  await saveLm(dir, lm);
  const back = await loadLm(dir);
  assert.equal(back.model.kind, 'rnn');
  assert.equal(back.config.format, 'llmcore-lm');
  assert.deepEqual(predictNext(back.model, back.tokenizer, 'Apple is', 5), predictNext(lm.model, lm.tokenizer, 'Apple is', 5));
  await assert.rejects(loadLm(dir, { kind: 'lstm' }), /holds a 'rnn' language model, but 'lstm' was asked/);
  const translator = join(dir, 'translator');
  mkdirSync(translator);
  writeFileSync(join(translator, 'config.json'), JSON.stringify({ format: 'llmcore-translator', version: 1, model: {} }));
  await assert.rejects(loadLm(translator), /holds a translator \(format llmcore-translator\), not a language model/);
  await assert.rejects(loadLm(join(dir, 'nope')), /cannot read .*config\.json \(no such file/);
  // weights that do not fit the config name the keys
  const other = join(dir, 'other');
  mkdirSync(other);
  await saveLm(other, { ...lm, config: { ...lm.config, model: { ...lm.config.model, hiddenSize: 32 } } });
  await assert.rejects(loadLm(other), /does not fit .*shape mismatch for 'rnn\.weight_hh_l0'/);
});

test('training on a tiny text works end to end; empty text is an error', async () => {
  const text = 'the cat sat on the mat.\nthe dog sat on the log.\n'.repeat(20);
  const r = await trainLm(text, { kind: 'transformer', model: { embDim: 16, nhead: 2, numLayers: 1, dimFeedforward: 32, dropout: 0 }, training: { epochs: 3, batchSize: 4, bptt: 8, lr: 3e-3, seed: 1 } });
  assert.equal(r.reason, 'done');
  assert.equal(r.trainer.state.history.length, 3);
  assert.ok(Number.isFinite(r.trainer.state.history[2].validPerplexity));
  assert.equal(r.config.model.context, 64);
  await assert.rejects(trainLm('', { kind: 'rnn' }), /the text has no words/);
  await assert.rejects(trainLm('one two', { kind: 'rnn' }), /too little text/);
  await assert.rejects(trainLm(text, { kind: 'transformer', model: { context: 8 }, training: { bptt: 16 } }), /bptt 16 exceeds the Transformer's context 8/);
});
