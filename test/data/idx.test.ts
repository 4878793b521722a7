/** The IDX parser: magic numbers, dimensions, gzip, and truncated or wrong files named in the error. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'fflate';
import { encodeIdx, IdxError, parseIdx, parseIdxImages, parseIdxLabels } from '../../src/data/idx.js';

const images = encodeIdx([2, 3, 3], Uint8Array.from({ length: 18 }, (_, i) => i * 10));
const labels = encodeIdx([2], Uint8Array.from([7, 9]));

test('an image file: magic 2051, count × rows × cols, pixels row-major', () => {
  assert.deepEqual([...images.subarray(0, 4)], [0, 0, 8, 3]);
  const r = parseIdxImages(images, 'imgs');
  assert.deepEqual([r.count, r.rows, r.cols], [2, 3, 3]);
  assert.equal(r.pixels[17], 170);
  assert.equal(parseIdx(images, 'imgs').magic, 2051);
});

test('a label file: magic 2049; gzipped files are read the same', () => {
  assert.deepEqual([...parseIdxLabels(labels, 'labs')], [7, 9]);
  assert.deepEqual([...parseIdxLabels(gzipSync(labels), 'labs.gz')], [7, 9]);
  assert.equal(parseIdxImages(gzipSync(images), 'imgs.gz').pixels[9], 90);
});

test('a label file given as images (and the reverse) is refused by its magic number', () => {
  assert.throws(() => parseIdxImages(labels, 'train-labels-idx1-ubyte'), /train-labels-idx1-ubyte: magic number 2049 is not an image file's \(2051\); this is a label file/);
  assert.throws(() => parseIdxLabels(images, 'x.idx'), /x\.idx: magic number 2051 is not a label file's \(2049\); this is an image file/);
});

test('truncated files, bad headers and broken gzip name the file and the reason', () => {
  assert.throws(() => parseIdxImages(images.subarray(0, 20), 'cut.idx'), (e: Error) => e instanceof IdxError && /cut\.idx: dimensions 2 × 3 × 3 need 18 bytes of data, the file has 4; it is truncated/.test(e.message));
  assert.throws(() => parseIdx(images.subarray(0, 9), 'short.idx'), /short\.idx: the header needs 16 bytes, the file has 9; it is truncated/);
  assert.throws(() => parseIdx(new Uint8Array([1, 2]), 'tiny'), /tiny: 2 bytes is too short for an IDX header/);
  assert.throws(() => parseIdx(new TextEncoder().encode('hello world, not idx'), 'hello.txt'), /hello\.txt: not an IDX file/);
  const floats = Uint8Array.from(labels);
  floats[2] = 0x0d;
  assert.throws(() => parseIdx(floats, 'f.idx'), /f\.idx: IDX type 0x0d is not unsigned bytes/);
  const gz = gzipSync(images);
  assert.throws(() => parseIdx(gz.subarray(0, gz.length - 12), 'cut.gz'), /cut\.gz: .*the file is truncated|cut\.gz: not a readable gzip file .*truncated/);
  const bad = Uint8Array.from(gz);
  bad.fill(0xee, 10, 20);
  assert.throws(() => parseIdx(bad, 'bad.gz'), /bad\.gz: not a readable gzip file/);
  assert.throws(() => parseIdx(Uint8Array.from([...labels, 1]), 'long.idx'), /long\.idx: 1 bytes after the 2 values/);
});
