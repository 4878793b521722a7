/**
 * translate(): a tiny translator that learned eight pairs by heart (test/decode/tiny-translator.ts)
 * translates them, greedy and with beam search; empty, over-long and unknown input behave as the
 * issue asks; explain and attention have the promised shape; evaluation scores BLEU/chrF.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translate, splitLongInput, evaluateTranslations } from '../../src/models/seq2seq/translate.js';
import { PAIRS, tinyTranslator } from '../decode/tiny-translator.js';

const { model, tokenizer } = tinyTranslator();

test('the learned pairs translate back, greedy and with beam search; Traditional input and missing punctuation too', () => {
  for (const beam of [1, 3]) {
    const out = translate(model, tokenizer, PAIRS.map((p) => p.source), { beam });
    assert.deepEqual(out.map((r) => r.translation), PAIRS.map((p) => p.target), `beam ${beam}`);
    for (const r of out) {
      assert.equal(r.truncated, false);
      assert.deepEqual(r.warnings, []);
      assert.equal(r.parts, 1);
      assert.ok(r.logProb < 0 && r.logProb > -1);
    }
  }
  const [trad, bare] = translate(model, tokenizer, ['我正在吃飯。', '我正在吃饭'], { beam: 1 });
  assert.equal(trad.translation, 'I am eating.');
  assert.deepEqual(trad.sourceTokens, ['我', '正', '在', '吃', '饭', '。']);
  assert.equal(bare.translation, 'I am eating.');
});

test('one result per input: empty and blank lines give empty translations', () => {
  const out = translate(model, tokenizer, ['', '你好。', '   ', '\t', '谢谢。'], { beam: 2 });
  assert.deepEqual(out.map((r) => r.translation), ['', 'Hello.', '', '', 'Thank you.']);
  assert.equal(out[0].parts, 0);
  assert.equal(out[0].steps, undefined);
  assert.deepEqual(translate(model, tokenizer, []), []);
});

test('characters never seen in training are read as <unk> and named in a warning', () => {
  const [r] = translate(model, tokenizer, ['🍎我正在吃饭。😀'], { beam: 1 });
  assert.equal(r.translation, 'I am eating.');
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0], /2 source tokens are not in the model's vocabulary and read as <unk>: 🍎 😀/);
  const [mixed] = translate(model, tokenizer, ['Tom 你好。'], { beam: 1 });
  assert.match(mixed.warnings[0], /read as <unk>: Tom/);
});

test('over-long input is split at sentence punctuation into parts that fit, and says so', () => {
  assert.equal(tokenizer.maxSourceLen, 12);
  const long = '我正在吃饭。你好。谢谢。我喜欢猫。'; // 17 tokens
  const [r] = translate(model, tokenizer, [long], { beam: 1, explain: true, attention: true });
  assert.equal(r.translation, 'I am eating. Hello. Thank you. I like cats.');
  assert.equal(r.truncated, false);
  assert.equal(r.parts, 4);
  assert.match(r.warnings[0], /longer than the model's maximum of 12 source tokens: translated in 4 parts split at punctuation/);
  assert.equal(r.sourceTokens.length, 17);
  assert.ok(r.steps!.some((s) => s.part === 1));
  assert.deepEqual(r.steps!.map((s) => s.step), r.steps!.map((_, i) => i + 1));
  // attention is block-diagonal: each part's English rows attend only to that part's Chinese columns
  const a = r.attention!;
  assert.equal(a.weights.length, r.targetTokens.length);
  const firstPartCols = tokenizer.encodeSource('我正在吃饭。').ids.length;
  assert.ok(a.weights[0].slice(firstPartCols).every((w) => w === 0));
  assert.ok(a.weights[a.weights.length - 1].slice(0, firstPartCols).every((w) => w === 0));
});

test('a piece too long even without punctuation is truncated, and says so; longInput: truncate never splits', () => {
  const [r] = translate(model, tokenizer, ['我'.repeat(20)], { beam: 1, maxLen: 5 });
  assert.equal(r.truncated, true);
  assert.equal(r.sourceTokens.length, 12);
  assert.ok(r.warnings.some((w) => /truncated, the rest was not translated/.test(w)));
  const [t] = translate(model, tokenizer, ['我正在吃饭。你好。谢谢。我喜欢猫。'], { beam: 1, longInput: 'truncate' });
  assert.equal(t.truncated, true);
  assert.equal(t.parts, 1);
  assert.equal(t.sourceTokens.length, 12);
});

test('splitLongInput: one part per sentence, clauses of a long sentence packed greedily; closing quotes stay with their sentence', () => {
  const fits = (s: string): boolean => Array.from(s).length <= 6;
  assert.deepEqual(splitLongInput('你好。', fits), ['你好。']);
  assert.deepEqual(splitLongInput('你好。谢谢。再见！', fits), ['你好。', '谢谢。', '再见！']);
  assert.deepEqual(splitLongInput('你好。一二，三四，五六，七八。', fits), ['你好。', '一二，三四，', '五六，七八。']);
  assert.deepEqual(splitLongInput('他说：“好。”我们走吧。', (s) => Array.from(s).length <= 7), ['他说：“好。”', '我们走吧。']);
  assert.deepEqual(splitLongInput('一二三四，五六七八，九十', fits), ['一二三四，', '五六七八，', '九十']);
});

test('a translation that reaches the maximum length stops and says so', () => {
  const [r] = translate(model, tokenizer, ['我们正在吃苹果。'], { beam: 1, maxLen: 2 });
  assert.equal(r.translation, 'We are');
  assert.match(r.warnings.join(' '), /stopped at the maximum length of 2 tokens without an end of sentence/);
});

test('explain: every step with its top 5 candidates (most likely first) and the word chosen, ending with <eos>', () => {
  const [r] = translate(model, tokenizer, ['我正在吃饭'], { beam: 1, explain: true });
  const steps = r.steps!;
  assert.deepEqual(steps.map((s) => s.chosen), ['I', 'am', 'eating', '.', '<eos>']);
  for (const s of steps) {
    assert.equal(s.candidates.length, 5);
    assert.equal(s.candidates[0].word, s.chosen, 'greedy takes the most likely word');
    assert.ok(Math.abs(s.candidates[0].probability - s.probability) < 1e-9);
    for (let i = 1; i < 5; i++) assert.ok(s.candidates[i - 1].probability >= s.candidates[i].probability);
    assert.ok(s.candidates.reduce((a, c) => a + c.probability, 0) <= 1 + 1e-6);
    assert.equal(s.part, undefined);
  }
  const [b] = translate(model, tokenizer, ['我正在吃饭'], { beam: 3, explain: 2 });
  assert.equal(b.steps![0].candidates.length, 2);
  assert.equal(b.translation, 'I am eating.');
});

test('attention: one row per English piece, one column per Chinese token, rows sum to 1', () => {
  for (const layers of ['last', 'all'] as const) {
    const [r] = translate(model, tokenizer, ['我喜欢猫。'], { beam: 2, attention: layers });
    const a = r.attention!;
    assert.deepEqual(a.sourceTokens, ['我', '喜', '欢', '猫', '。']);
    assert.deepEqual(a.targetTokens, ['I', 'like', 'cats', '.']);
    assert.equal(a.weights.length, 4);
    for (const row of a.weights) {
      assert.equal(row.length, 5);
      assert.ok(Math.abs(row.reduce((x, y) => x + y, 0) - 1) < 1e-4);
    }
  }
  assert.equal(translate(model, tokenizer, ['我喜欢猫。'])[0].attention, undefined, 'only when asked');
});

test('batching and sorting change nothing; the model\'s training mode is restored', () => {
  const sources = [...PAIRS.map((p) => p.source), '', '我正在吃飯'];
  const one = translate(model, tokenizer, sources, { beam: 2, batchSize: 1 }).map((r) => r.translation);
  const all = translate(model, tokenizer, sources, { beam: 2, batchSize: 32 }).map((r) => r.translation);
  assert.deepEqual(one, all);
  const progress: [number, number][] = [];
  translate(model, tokenizer, sources, { beam: 1, batchSize: 4, onProgress: (d, n) => progress.push([d, n]) });
  assert.deepEqual(progress[progress.length - 1], [10, 10]);
  model.train();
  translate(model, tokenizer, ['你好。'], { beam: 1 });
  assert.equal(model.training, true);
  model.eval();
  assert.throws(() => translate(model, tokenizer, ['你好'], { beam: 0 }), /beam must be an integer >= 1/);
});

test('noUnk: <unk> is never produced', () => {
  // force the model to want <unk>: a large bias on its logit
  const bias = model.out.bias!.data as Float32Array;
  const saved = bias[3];
  bias[3] = 50;
  try {
    const [withUnk] = translate(model, tokenizer, ['你好。'], { beam: 1 });
    assert.ok(withUnk.ids.includes(3));
    const [noUnk] = translate(model, tokenizer, ['你好。'], { beam: 2, noUnk: true });
    assert.ok(!noUnk.ids.includes(3));
  } finally {
    bias[3] = saved;
  }
});

test('evaluateTranslations: corpus BLEU and chrF of the detokenized output against the raw references', () => {
  const e = evaluateTranslations(model, tokenizer, PAIRS, { beam: 2 });
  assert.equal(e.sentences, 8);
  assert.ok(Math.abs(e.bleu - 100) < 1e-6, `BLEU ${e.bleu}`);
  assert.ok(Math.abs(e.chrf - 100) < 1e-6);
  const wrong = evaluateTranslations(model, tokenizer, PAIRS.map((p, i) => ({ source: p.source, target: PAIRS[(i + 1) % 8].target })), { beam: 1 });
  assert.ok(wrong.bleu < 20);
  assert.throws(() => evaluateTranslations(model, tokenizer, []), /no sentence pairs/);
});
