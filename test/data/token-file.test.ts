/**
 * The token-file format shared with python/llmcore_torch/tokens.py: streams round-trip exactly, the
 * id width follows the largest vocabulary, and a damaged or mismatched file is a clear error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTokenFile, encodeTokenFile, tokenSequence } from '../../src/data/token-file.js';

const src = [[5, 6, 7], [8], [9, 3, 4, 4]];
const tgt = [[1, 10, 2], [1, 11, 12, 2], [1, 2]];

test('pairs round-trip as uint16, little-endian, offsets after ids on a 4-byte boundary', () => {
  const { bytes, index } = encodeTokenFile('pairs', { src, tgt }, { src: 20, tgt: 13 }, { tokenizer: { sha256: 'abc' } });
  assert.equal(index.dtype, 'uint16');
  assert.equal(index.sequences, 3);
  assert.equal(index.byteLength, bytes.length);
  assert.deepEqual(index.streams.src, { idsAt: 0, tokens: 8, offsetsAt: 16 });
  assert.equal(index.streams.tgt.idsAt, 16 + 4 * 4);
  assert.deepEqual(index.tokenizer, { sha256: 'abc' });
  // the first id, 5, as a little-endian uint16
  assert.deepEqual([bytes[0], bytes[1]], [5, 0]);
  const back = decodeTokenFile(bytes, JSON.parse(JSON.stringify(index)));
  assert.deepEqual([0, 1, 2].map((i) => tokenSequence(back.src, i)), src);
  assert.deepEqual([0, 1, 2].map((i) => tokenSequence(back.tgt, i)), tgt);
  assert.ok(back.src.ids instanceof Uint16Array);
});

test('a vocabulary past 65536 ids switches every stream to uint32', () => {
  const big = [[70000, 1], [65535]];
  const { bytes, index } = encodeTokenFile('text', { text: big }, { text: 70001 });
  assert.equal(index.dtype, 'uint32');
  const back = decodeTokenFile(bytes, index);
  assert.deepEqual([tokenSequence(back.text, 0), tokenSequence(back.text, 1)], big);
  assert.ok(back.text.ids instanceof Uint32Array);
});

test('an id outside its vocabulary is refused when writing, naming the stream and the sequence', () => {
  assert.throws(() => encodeTokenFile('pairs', { src, tgt }, { src: 20, tgt: 12 }), /stream 'tgt' sequence 1 holds id 12, outside its vocabulary of 12/);
  assert.throws(() => encodeTokenFile('pairs', { src, tgt: tgt.slice(1) }, { src: 20, tgt: 13 }), /must be aligned/);
  assert.throws(() => encodeTokenFile('pairs', { src }, { src: 20 }, { dtype: 'x' }), /extra field 'dtype'/);
});

test('a truncated file, another index, bad offsets or ids are one clear error each', () => {
  const { bytes, index } = encodeTokenFile('pairs', { src, tgt }, { src: 20, tgt: 13 });
  assert.throws(() => decodeTokenFile(bytes.subarray(0, bytes.length - 2), index, 'train.tokens'), /train\.tokens: the binary file has \d+ bytes but its index says \d+/);
  assert.throws(() => decodeTokenFile(bytes, { ...index, format: 'other' }, 'x'), /x: format is "other", expected "llmcore-tokens"/);
  assert.throws(() => decodeTokenFile(bytes, { ...index, version: 2 }), /version 2 is not supported/);
  assert.throws(() => decodeTokenFile(bytes, { ...index, vocab: { src: 20 } }), /vocab\.tgt must be a non-negative integer/);
  const badOffsets = bytes.slice();
  new DataView(badOffsets.buffer).setUint32(index.streams.src.offsetsAt + 4, 7, true); // 7 > the next offset, 1 + …
  assert.throws(() => decodeTokenFile(badOffsets, index), /offsets that do not start at 0 and rise/);
  const badId = bytes.slice();
  new DataView(badId.buffer).setUint16(0, 25, true);
  assert.throws(() => decodeTokenFile(badId, index), /stream 'src' holds id 25 at position 0, outside its vocabulary of 20/);
});
