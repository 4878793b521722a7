/** The translator's tokenizer: source units (characters, ICU words, learned Chinese subwords) and its saved form. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TranslationTokenizer } from '../../src/models/seq2seq/tokenizer.js';

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
