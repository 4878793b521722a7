/** The translator's tokenizer: source units (characters, ICU words, learned Chinese subwords) and its saved form. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TranslationTokenizer } from '../../src/models/seq2seq/tokenizer.js';
import { UNK_ID } from '../../src/text/vocab.js';

const PAIRS = [
  { source: '我正在吃饭。', target: "I'm eating." },
  { source: '我们在吃饭。', target: "We're eating." },
  { source: '他在吃饭吗？', target: 'Is he eating?' },
  { source: '我们喜欢吃饭。', target: 'We like eating.' },
  { source: 'Tom在吃苹果。', target: 'Tom is eating an apple.' },
];

test('source char, word and bpe give characters, ICU words and learned subwords', () => {
  const char = TranslationTokenizer.train(PAIRS, { source: 'char' });
  assert.deepEqual(char.sourceTokens('我正在吃饭'), ['我', '正', '在', '吃', '饭']);
  const word = TranslationTokenizer.train(PAIRS, { source: 'word' });
  assert.deepEqual(word.sourceTokens('我正在吃饭'), ['我', '正在', '吃饭']);
  const bpe = TranslationTokenizer.train(PAIRS, { source: 'bpe', srcBpeMerges: 20 });
  const pieces = bpe.sourceTokens('我们在吃饭。');
  // 吃饭 occurs in four of five sentences, so it is learned inside a longer unit; pieces never cross the 。
  assert.ok(pieces.some((p) => p.replace(/@@$/, '').length >= 2 && p.includes('吃饭')), pieces.join(' '));
  assert.ok(pieces.length < 6, pieces.join(' '));
  assert.equal(pieces.at(-1), '。');
  assert.equal(pieces.map((p) => p.replace(/@@$/, '')).join(''), '我们在吃饭。');
  // a character never seen in training is a piece of its own, read as <unk>, not a crash
  const unseen = bpe.encodeSource('我们在喝茶');
  assert.equal(unseen.tokens.map((p) => p.replace(/@@$/, '')).join(''), '我们在喝茶');
});

test('a bpe-source tokenizer saves and loads back identically; a file without its merges is refused', () => {
  const bpe = TranslationTokenizer.train(PAIRS, { source: 'bpe', srcBpeMerges: 20 });
  const json = JSON.parse(JSON.stringify(bpe.toJSON()));
  const back = TranslationTokenizer.fromJSON(json);
  for (const p of PAIRS) assert.deepEqual(back.encodeSource(p.source), bpe.encodeSource(p.source));
  delete json.srcBpe;
  assert.throws(() => TranslationTokenizer.fromJSON(json), /source is bpe but no source merges are stored/);
  assert.throws(() => TranslationTokenizer.train(PAIRS, { source: 'morpheme' as never }), /source must be char, word or bpe, got 'morpheme'/);
  // tokenizers saved before source bpe existed carry no srcBpe key and still load
  const char = TranslationTokenizer.train(PAIRS, { source: 'char' }).toJSON();
  assert.equal('srcBpe' in char, false);
  assert.deepEqual(TranslationTokenizer.fromJSON(JSON.parse(JSON.stringify(char))).sourceTokens('我在'), ['我', '在']);
});

const NUMBERS = [
  { source: '我1990年出生。', target: 'I was born in 1990.' },
  { source: '一英里大约是1600米。', target: 'A mile is about 1,600 meters.' },
  { source: '他25岁。', target: 'He is 25 years old.' },
  { source: '我们7点吃饭。', target: 'We eat at 7:30.' },
];

test('new tokenizers make every digit a unit on both sides, so any number is made of seen units', () => {
  const tok = TranslationTokenizer.train([...PAIRS, ...NUMBERS]);
  assert.equal(tok.config.digits, 'split');
  assert.deepEqual(tok.sourceTokens('我1991年出生'), ['我', '1', '9', '9', '1', '年', '出', '生']);
  assert.deepEqual(tok.sourceTokens('MP3和3.5'), ['MP', '3', '和', '3', '.', '5']);
  // 1991 and 37 never occur in training, yet no source unit is <unk>
  assert.ok(!tok.encodeSource('我1991年37岁').ids.includes(UNK_ID), 'no <unk>');
  const pieces = tok.targetTokens('In 1991, 2,748 men were 36.');
  const ids = tok.tgtVocab.encode(pieces);
  assert.ok(pieces.every((p, i) => !/[0-9]/.test(p) || ids[i] !== UNK_ID), 'no digit piece is <unk>');
  assert.deepEqual(tok.targetTokens('In 1991, 2,750 men.').filter((p) => /[0-9]/.test(p)), ['1@@', '9@@', '9@@', '1', '2@@', '7@@', '5@@', '0']);
  for (const s of ['I was born in 1991.', 'A mile is about 1,609 meters.', 'We eat at 10:45.', 'He is 86 years old.']) {
    assert.equal(tok.decodeTarget(tok.encodeTarget(s)), s);
  }
  for (const source of ['char', 'word', 'bpe'] as const) {
    const t = TranslationTokenizer.train([...PAIRS, ...NUMBERS], { source, srcBpeMerges: 20 });
    assert.deepEqual(t.sourceTokens('他1991年').filter((p) => /[0-9]/.test(p)), ['1', '9', '9', '1'], source);
  }
  const word = TranslationTokenizer.train([...PAIRS, ...NUMBERS], { target: 'word' });
  assert.equal(word.decodeTarget(word.encodeTarget('He is 37 years old.')), 'He is 37 years old.');
  // saved and loaded, the setting stays
  const back = TranslationTokenizer.fromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
  assert.equal(back.config.digits, 'split');
  assert.deepEqual(back.sourceTokens('他37岁'), tok.sourceTokens('他37岁'));
  assert.throws(() => TranslationTokenizer.train(PAIRS, { digits: 'each' as never }), /digits must be split or run, got "each"/);
});

test('a tokenizer saved before digits were split (no `digits` field) keeps digit runs whole, as it was trained', () => {
  const json = JSON.parse(JSON.stringify(TranslationTokenizer.train([...PAIRS, ...NUMBERS], { digits: 'run' }).toJSON()));
  delete json.config.digits;
  const old = TranslationTokenizer.fromJSON(json);
  assert.equal(old.config.digits, 'run');
  assert.deepEqual(old.sourceTokens('我1991年出生'), ['我', '1991', '年', '出', '生']);
  assert.deepEqual(old.encodeSource('他1990年').tokens, ['他', '1990', '年']);
  assert.notEqual(old.encodeSource('他1990年').ids[1], UNK_ID, '1990 was seen whole in training');
  assert.equal(old.encodeSource('他1991年').ids[1], UNK_ID, 'an unseen run is <unk>, as before');
});
