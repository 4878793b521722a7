/** Vocab: specials at fixed ids, deterministic order, minFreq/maxSize, encode/decode, JSON round trip. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOS_ID, EOS_ID, PAD_ID, SPECIALS, UNK_ID, Vocab, countTokens } from '../../src/text/vocab.js';

const corpus = [
  ['the', 'cat', 'sat', '.'],
  ['the', 'dog', 'sat', '.'],
  ['a', 'cat', '!'],
];

test('specials take ids 0-3; tokens follow by count, ties in code-point order', () => {
  const v = Vocab.build(corpus);
  assert.deepEqual(v.tokens.slice(0, 4), ['<pad>', '<bos>', '<eos>', '<unk>']);
  assert.deepEqual([PAD_ID, BOS_ID, EOS_ID, UNK_ID], [0, 1, 2, 3]);
  assert.deepEqual(SPECIALS, ['<pad>', '<bos>', '<eos>', '<unk>']);
  assert.deepEqual(v.tokens.slice(4), ['.', 'cat', 'sat', 'the', '!', 'a', 'dog']);
  assert.equal(v.size, 11);
  assert.equal(v.numSpecials, 4);
});

test('minFreq and maxSize', () => {
  assert.deepEqual(Vocab.build(corpus, { minFreq: 2 }).tokens.slice(4), ['.', 'cat', 'sat', 'the']);
  assert.deepEqual(Vocab.build(corpus, { maxSize: 6 }).tokens, [...SPECIALS, '.', 'cat']);
  assert.deepEqual(Vocab.build(corpus, { maxSize: 4 }).tokens, [...SPECIALS]);
  assert.deepEqual(Vocab.build(corpus, { extraSpecials: ['<sep>'], maxSize: 6 }).tokens, [...SPECIALS, '<sep>', '.']);
  assert.throws(() => Vocab.build(corpus, { maxSize: 3 }), /smaller than the 4 specials/);
  assert.throws(() => Vocab.build(corpus, { minFreq: 0 }), /minFreq/);
  // a special in the data is not added twice
  assert.equal(Vocab.build([['<unk>', 'x']]).tokens.filter((t) => t === '<unk>').length, 1);
});

test('encode and decode', () => {
  const v = Vocab.build(corpus);
  const ids = v.encode(['the', 'bird', 'sat'], { bos: true, eos: true });
  assert.deepEqual(ids, [BOS_ID, v.id('the'), UNK_ID, v.id('sat'), EOS_ID]);
  assert.deepEqual(v.decode(ids), ['the', '<unk>', 'sat']);
  assert.deepEqual(v.decode([...ids, PAD_ID, PAD_ID]), ['the', '<unk>', 'sat']);
  assert.deepEqual(v.decode([v.id('cat'), EOS_ID, v.id('dog')]), ['cat'], 'stops at <eos>');
  assert.deepEqual(v.decode([BOS_ID, v.id('cat'), EOS_ID], { keepSpecials: true }), ['<bos>', 'cat', '<eos>']);
  assert.throws(() => v.decode([99]), /id 99 is out of range \[0, 11\)/);
  assert.equal(v.unkRate([['the', 'bird'], ['cat']]), 1 / 3);
  assert.equal(v.has('cat'), true);
  assert.equal(v.token(4), '.');
});

test('toJSON/fromJSON round trip, and bad JSON is refused with a reason', () => {
  const v = Vocab.build(corpus, { minFreq: 1 });
  const back = Vocab.fromJSON(JSON.parse(JSON.stringify(v)));
  assert.deepEqual(back.tokens, v.tokens);
  assert.equal(back.id('dog'), v.id('dog'));
  assert.throws(() => Vocab.fromJSON({ tokens: [] }), /not an llmcore vocabulary/);
  assert.throws(() => Vocab.fromJSON({ format: 'llmcore-vocab', version: 2, tokens: [] }), /unsupported version 2/);
  assert.throws(() => Vocab.fromJSON({ format: 'llmcore-vocab', version: 1, tokens: ['<unk>', '<bos>', '<eos>', '<pad>'], specials: 4 }), /id 0 must be <pad>/);
  assert.throws(() => Vocab.fromJSON({ format: 'llmcore-vocab', version: 1, tokens: [...SPECIALS, 'a', 'a'], specials: 4 }), /appears twice/);
  assert.throws(() => Vocab.fromJSON(null), /not an llmcore vocabulary/);
});

test('countTokens accumulates', () => {
  const c = countTokens([['a', 'b'], ['a']]);
  assert.deepEqual([...c], [['a', 2], ['b', 1]]);
  countTokens([['b']], c);
  assert.equal(c.get('b'), 2);
});
