/** BPE: the merges of Sennrich et al.'s example, encode/decode round trips, determinism, JSON, real data. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Bpe, decodeBpe } from '../../src/text/bpe.js';
import { tokenizeEnglish } from '../../src/text/english.js';
import { readParallelFile } from '../../src/data/parallel-file.js';

const DATA = fileURLToPath(new URL('../../../shared/data/tatoeba-cmn-eng/', import.meta.url));
const example = new Map([['low', 5], ['lower', 2], ['newest', 6], ['widest', 3]]);

test('learns the merges of the low/lower/newest/widest example, most frequent first, ties in code-point order', () => {
  // Sennrich et al. (2016), Algorithm 1's vocabulary. 'e s' and 's t</w>' tie at 9: 'e s' sorts first.
  const bpe = Bpe.learnFromCounts(example, { numMerges: 10 });
  assert.deepEqual(bpe.toJSON().merges, [
    ['e', 's'], ['es', 't</w>'], ['l', 'o'], ['e', 'w'], ['ew', 'est</w>'],
    ['n', 'ewest</w>'], ['lo', 'w</w>'], ['d', 'est</w>'], ['i', 'dest</w>'], ['w', 'idest</w>'],
  ]);
  assert.deepEqual(bpe.encode(['lowest', 'newer', 'low', 'newest']), ['lo@@', 'w@@', 'est', 'n@@', 'ew@@', 'e@@', 'r', 'low', 'newest']);
  // minFrequency stops learning: only pairs seen at least 6 times
  assert.equal(Bpe.learnFromCounts(example, { numMerges: 100, minFrequency: 6 }).size, 6);
  // 0 merges: characters
  assert.deepEqual(Bpe.learnFromCounts(example, { numMerges: 0 }).encodeWord('low'), ['l@@', 'o@@', 'w']);
});

test('decode inverts encode; unseen characters and astral characters survive', () => {
  const bpe = Bpe.learn([['the', 'theatre', 'there', 'then'], ['other', 'these']], { numMerges: 20 });
  const words = ['the', 'thermos', 'éthe', '𠮷野家', 'x', '@-@', "n't"];
  const pieces = bpe.encode(words);
  assert.deepEqual(bpe.decode(pieces), words);
  assert.deepEqual(decodeBpe(['un@@', 'believ@@', 'able', '.']), ['unbelievable', '.']);
  assert.deepEqual(decodeBpe(['un@@']), ['un'], 'a dangling continuation is kept');
  assert.deepEqual(bpe.encode(['']), []);
});

test('learning does not depend on the order of the input; JSON round trip', () => {
  const a = Bpe.learn([['low', 'lower'], ['newest', 'widest', 'low']], { numMerges: 8, minFrequency: 1 });
  const b = Bpe.learn([['widest', 'low'], ['low', 'newest', 'lower']], { numMerges: 8, minFrequency: 1 });
  assert.deepEqual(a.toJSON(), b.toJSON());
  const back = Bpe.fromJSON(JSON.parse(JSON.stringify(a)));
  assert.deepEqual(back.encode(['lowest', 'wider']), a.encode(['lowest', 'wider']));
  assert.throws(() => Bpe.fromJSON({ format: 'llmcore-vocab' }), /llmcore-bpe/);
  assert.throws(() => Bpe.fromJSON({ format: 'llmcore-bpe', version: 1, merges: [['a']] }), /merge 0 must be a pair of strings/);
  assert.throws(() => Bpe.learn([['a b']], { numMerges: 1 }), /whitespace/);
  assert.throws(() => Bpe.learn([], { numMerges: -1 }), /numMerges/);
});

test('Tatoeba English: 4,000 merges cover dev with almost no unknown pieces and round-trip every sentence', (t) => {
  if (!existsSync(DATA + 'train.tsv')) return t.skip(`${DATA}train.tsv not present`);
  const train = readParallelFile(DATA + 'train.tsv').pairs.map((p) => tokenizeEnglish(p.target));
  const dev = readParallelFile(DATA + 'dev.tsv').pairs.map((p) => tokenizeEnglish(p.target));
  const bpe = Bpe.learn(train, { numMerges: 4000 });
  assert.equal(bpe.size, 4000);
  const known = new Set(train.flatMap((s) => bpe.encode(s)));
  let unk = 0;
  let total = 0;
  for (const s of dev) {
    const pieces = bpe.encode(s);
    assert.deepEqual(bpe.decode(pieces), s);
    total += pieces.length;
    unk += pieces.filter((p) => !known.has(p)).length;
  }
  // measured: 6 of 8,226 dev pieces (0.07%) unseen in train (cased tokens; whole words at minFreq 1: 1.92%)
  assert.ok(unk / total < 0.003, `unknown pieces ${unk}/${total}`);
});
