/** Chinese text: Traditional→Simplified, punctuation, characters and words, on examples and on the Tatoeba split. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  chineseChars,
  chineseWords,
  hanRuns,
  hasTraditional,
  isHan,
  normalizeChinese,
  normalizeChinesePunctuation,
  toSimplified,
  tokenizeChinese,
} from '../../src/text/chinese.js';
import { readParallelFile } from '../../src/data/parallel-file.js';

const DATA = fileURLToPath(new URL('../../../shared/data/tatoeba-cmn-eng/', import.meta.url));

test('toSimplified converts Traditional (phrases and characters) and leaves Simplified alone', () => {
  assert.equal(toSimplified('我們正在吃蘋果。'), '我们正在吃苹果。');
  assert.equal(toSimplified('你應該學著閉上你的嘴。'), '你应该学著闭上你的嘴。'); // t2s keeps the particle 著
  assert.equal(toSimplified('頭髮'), '头发');
  assert.equal(toSimplified('乾淨'), '干净');
  assert.equal(toSimplified('裡面'), '里面');
  // Simplified input is untouched, including the characters a Taiwan-variant converter would change
  for (const s of ['我正在吃饭', '不是么？', '两者之间有显著的差别。', '干杯', 'Tom在吃饭 😀']) assert.equal(toSimplified(s), s);
  assert.equal(hasTraditional('我決定出國留學了。'), true);
  assert.equal(hasTraditional('我们离婚吧。'), false);
});

test('normalizeChinese: one form per punctuation mark, full-width letters and digits to ASCII', () => {
  assert.equal(normalizeChinese('你相信她嗎?'), '你相信她吗？');
  assert.equal(normalizeChinese('你相信她吗？'), '你相信她吗？');
  assert.equal(normalizeChinese('谁是你最喜爱的 DJ ?'), '谁是你最喜爱的 DJ？');
  assert.equal(normalizeChinese('他说:"你好!"'), '他说：“你好！”');
  assert.equal(normalizeChinese('「你好」『嗨』'), '“你好”‘嗨’');
  assert.equal(normalizeChinese('Ｔｏｍ有３个％'), 'Tom有3个%');
  assert.equal(normalizeChinese('我有3,000元，2:30到。'), '我有3,000元，2:30到。', 'commas and colons inside numbers stay');
  assert.equal(normalizeChinese('这是3.5元.'), '这是3.5元。');
  assert.equal(normalizeChinese('  你好\u200b吗\u3000？ '), '你好吗？');
  assert.equal(normalizeChinese('我們正在吃蘋果', { simplify: false }), '我們正在吃蘋果');
  assert.equal(normalizeChinese('你好?', { punctuation: false }), '你好?');
  assert.equal(normalizeChinesePunctuation('Tom, Mary'), 'Tom，Mary');
  assert.equal(normalizeChinese(''), '');
});

test('chineseChars: one token per character, Latin words and numbers whole, emoji and astral characters whole', () => {
  assert.deepEqual(chineseChars('我正在吃饭'), ['我', '正', '在', '吃', '饭']);
  assert.deepEqual(chineseChars('Tom在吃饭。'), ['Tom', '在', '吃', '饭', '。']);
  assert.deepEqual(chineseChars('我想要一个MP3播放器！'), ['我', '想', '要', '一', '个', 'MP3', '播', '放', '器', '！']);
  assert.deepEqual(chineseChars('我有3,000元，2:30到'), ['我', '有', '3,000', '元', '，', '2:30', '到']);
  assert.deepEqual(chineseChars('𠮷野家😀 。'), ['𠮷', '野', '家', '😀', '。']);
  assert.deepEqual(chineseChars('  '), []);
  assert.equal(isHan('𠮷'), true);
  assert.equal(isHan('a'), false);
});

test('hanRuns: adjacent Han characters become one run; punctuation, Latin runs and emoji stay apart', () => {
  assert.deepEqual(hanRuns(chineseChars('我正在吃饭，Tom说😀好。')), ['我正在吃饭', '，', 'Tom', '说', '😀', '好', '。']);
  assert.deepEqual(hanRuns([]), []);
  assert.deepEqual(hanRuns(['𠮷', '野']), ['𠮷野']);
});

test('chineseWords: Intl.Segmenter gives 我 / 正在 / 吃饭, as the explainer shows it', () => {
  assert.deepEqual(chineseWords('我正在吃饭'), ['我', '正在', '吃饭']);
  assert.deepEqual(chineseWords('我正在吃饭。'), ['我', '正在', '吃饭', '。']);
  assert.deepEqual(chineseWords('汤姆在看影片。'), ['汤姆', '在', '看', '影片', '。']);
  assert.deepEqual(chineseWords('Tom 把Mary拉出水'), ['Tom', '把', 'Mary', '拉出', '水']);
  assert.deepEqual(tokenizeChinese('我們正在吃蘋果。', { mode: 'word' }), ['我们', '正在', '吃', '苹果', '。']);
  assert.deepEqual(tokenizeChinese('我們正在吃蘋果。'), ['我', '们', '正', '在', '吃', '苹', '果', '。']);
  assert.deepEqual(tokenizeChinese('你好嗎?', { normalize: false }), ['你', '好', '嗎', '?']);
});

test('Tatoeba train: 42% of the Chinese sentences contain Traditional characters; conversion is idempotent', (t) => {
  if (!existsSync(DATA + 'train.tsv')) return t.skip(`${DATA}train.tsv not present`);
  const { pairs } = readParallelFile(DATA + 'train.tsv');
  assert.equal(pairs.length, 27155);
  let traditional = 0;
  let again = 0;
  for (const { source } of pairs) {
    const s = toSimplified(source);
    if (s !== source) traditional++;
    if (toSimplified(s) !== s) again++;
  }
  // SOURCE.md (OpenCC 1.1.6 t2s on all 29,155 sentences): 42%; opencc-js t2s on train: 11,440 = 42.13%
  assert.ok(Math.abs(traditional / pairs.length - 0.4213) < 0.002, `${traditional} of ${pairs.length}`);
  assert.equal(again, 0, 'a second conversion changes nothing');
});
