/**
 * src/data/image.ts on pictures made here with the same libraries (fast-png, jpeg-js): decoding to
 * grayscale, the size read from the header and capped before decoding, damaged files refused in one
 * line, and the preprocessing that makes a photo look like Fashion-MNIST.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { decodeImage, imageSize, prepareImage, quarters, ImageError, sniffFormat } from '../../src/data/image.js';

/** A w×h RGB picture: a dark rectangle (the object) at (x0, y0)–(x1, y1) on a light background. */
function darkOnLight(w: number, h: number, box: [number, number, number, number]): Uint8Array {
  const rgb = new Uint8Array(w * h * 3).fill(230);
  for (let y = box[1]; y < box[3]; y++) for (let x = box[0]; x < box[2]; x++) rgb.set([20, 30, 40], (y * w + x) * 3);
  return rgb;
}

test('PNG: RGB, gray, gray+alpha and RGBA decode to the luma of each pixel', () => {
  const rgb = encodePng({ width: 2, height: 1, data: new Uint8Array([255, 0, 0, 0, 0, 255]), channels: 3, depth: 8 });
  assert.equal(sniffFormat(rgb), 'png');
  assert.deepEqual(Array.from(decodeImage(rgb).pixels), [76, 29]); // 0.299·255, 0.114·255
  const gray16 = encodePng({ width: 1, height: 1, data: new Uint16Array([65535]), channels: 1, depth: 16 });
  assert.deepEqual(Array.from(decodeImage(gray16).pixels), [255]);
  // a fully transparent pixel is the white it would be shown on
  const rgba = encodePng({ width: 2, height: 1, data: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 255]), channels: 4, depth: 8 });
  assert.deepEqual(Array.from(decodeImage(rgba).pixels), [255, 0]);
});

test('JPEG: decoded to grayscale near the encoded values; its size is read from the frame header', () => {
  const w = 40, h = 24;
  const rgba = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set(i % w < 20 ? [200, 200, 200, 255] : [10, 10, 10, 255], 4 * i);
  const bytes = new Uint8Array(jpeg.encode({ width: w, height: h, data: rgba }, 95).data);
  assert.equal(sniffFormat(bytes), 'jpeg');
  assert.deepEqual(imageSize(bytes, 'jpeg'), { width: 40, height: 24 });
  const img = decodeImage(bytes);
  assert.equal(img.width, 40);
  assert.ok(Math.abs(img.pixels[5 * w + 5] - 200) < 8 && Math.abs(img.pixels[5 * w + 35] - 10) < 8, `${img.pixels[5 * w + 5]} ${img.pixels[5 * w + 35]}`);
});

test('bad input: not an image, a truncated PNG, a damaged JPEG, a huge image (refused from its header)', () => {
  assert.throws(() => decodeImage(new TextEncoder().encode('hello, not a picture'), 'notes.txt'), (e: Error) => e instanceof ImageError && /^notes\.txt is not a PNG or JPEG image/.test(e.message));
  const png = encodePng({ width: 30, height: 30, data: darkOnLight(30, 30, [5, 5, 20, 25]), channels: 3, depth: 8 });
  assert.throws(() => decodeImage(png.subarray(0, png.length - 40), 'cut.png'), /^ImageError: cut\.png is a truncated or damaged PNG|cut\.png is a truncated or damaged PNG/);
  assert.throws(() => decodeImage(png.subarray(0, 20), 'stub.png'), /stub\.png is a truncated PNG \(20 bytes, no image header\)/);
  const jpg = new Uint8Array(jpeg.encode({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 4).fill(128) }, 90).data);
  assert.throws(() => decodeImage(jpg.subarray(0, 8), 'cut.jpg'), /cut\.jpg is a truncated or damaged JPEG/);
  // a header claiming 100000 × 100000 pixels: refused before a byte of it is inflated
  const huge = png.slice();
  new DataView(huge.buffer).setUint32(16, 100000);
  new DataView(huge.buffer).setUint32(20, 100000);
  assert.throws(() => decodeImage(huge, 'huge.png'), /huge\.png is 100000×100000 pixels, more than the 16 M decoded at most/);
});

test('prepareImage: a dark object on a light background becomes a light object on black, cropped to fill 28×28', () => {
  const w = 120, h = 80;
  // a 40×60 object, off-centre
  const bytes = encodePng({ width: w, height: h, data: darkOnLight(w, h, [10, 10, 50, 70]), channels: 3, depth: 8 });
  const p = prepareImage(decodeImage(bytes), 28);
  assert.equal(p.inverted, true);
  assert.deepEqual(p.crop, { x: 10, y: 10, width: 40, height: 60 });
  // the object spans the full height and 40/60 of the width, centred: columns 4..23 lit, 0..2 dark
  const at = (r: number, c: number): number => p.pixels[r * 28 + c];
  assert.equal(at(14, 14), 255);
  assert.equal(at(0, 14) > 200, true);
  assert.equal(at(14, 1), 0);
  assert.equal(at(14, 26), 0);
  // a light object on black is kept as it is
  const dark = prepareImage({ width: 4, height: 4, pixels: new Uint8Array([0, 0, 0, 0, 0, 200, 200, 0, 0, 200, 200, 0, 0, 0, 0, 0]) }, 28);
  assert.equal(dark.inverted, false);
  assert.deepEqual(dark.crop, { x: 1, y: 1, width: 2, height: 2 });
  assert.ok(dark.pixels.every((v) => v === 255));
});

test('quarters cuts a 2×2 scene into its tiles in reading order', () => {
  const pixels = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  const q = quarters({ width: 4, height: 4, pixels });
  assert.deepEqual(q.map((t) => Array.from(t.pixels)), [[1, 2, 5, 6], [3, 4, 7, 8], [9, 10, 13, 14], [11, 12, 15, 16]]);
});
