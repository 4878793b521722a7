import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bfloat16BitsToFloat32, float16BitsToFloat32, float32ToBfloat16Bits, float32ToFloat16Bits } from '../../src/io/half.js';

const hex = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

test('float16: known bit patterns', () => {
  const cases: [number, number][] = [
    [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [0, 0x0000], [-0, 0x8000],
    [65504, 0x7bff], // largest finite
    [65519.99, 0x7bff], // just below the rounding midpoint to infinity
    [65520, 0x7c00], // the midpoint: ties to even rounds up to infinity
    [Infinity, 0x7c00], [-Infinity, 0xfc00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [1023 * 2 ** -24, 0x03ff], // largest subnormal
    [2 ** -25, 0x0000], // half the smallest subnormal: a tie, to even (zero)
    [2 ** -25 * 1.0001, 0x0001],
    [3 * 2 ** -25, 0x0002], // tie between subnormals 1 and 2 → 2
    [-(2 ** -26), 0x8000], // underflows to negative zero
    [1 / 3, 0x3555], [0.1, 0x2e66], [Math.PI, 0x4248],
    [1 + 2 ** -11, 0x3c00], // tie → even mantissa
    [1 + 3 * 2 ** -11, 0x3c02], // tie → even mantissa (up)
    [1 + 2 ** -11 + 2 ** -20, 0x3c01],
    [2 - 2 ** -12, 0x4000], // rounds up across the binade boundary
  ];
  for (const [x, bits] of cases) assert.equal(hex(float32ToFloat16Bits(x)), hex(bits), `float16(${x})`);
  const nan = float32ToFloat16Bits(NaN);
  assert.equal((nan & 0x7c00) === 0x7c00 && (nan & 0x3ff) !== 0, true, 'NaN stays NaN');
});

test('float16: decoding known patterns', () => {
  assert.equal(float16BitsToFloat32(0x3c00), 1);
  assert.equal(float16BitsToFloat32(0x7bff), 65504);
  assert.equal(float16BitsToFloat32(0x0001), 2 ** -24);
  assert.equal(float16BitsToFloat32(0x03ff), 1023 * 2 ** -24);
  assert.equal(float16BitsToFloat32(0x3555), 0.333251953125);
  assert.equal(float16BitsToFloat32(0x7c00), Infinity);
  assert.equal(float16BitsToFloat32(0xfc00), -Infinity);
  assert.ok(Number.isNaN(float16BitsToFloat32(0x7e00)));
  assert.ok(Object.is(float16BitsToFloat32(0x8000), -0));
});

test('float16: every bit pattern survives decode → encode', () => {
  for (let h = 0; h < 65536; h++) {
    const x = float16BitsToFloat32(h);
    if (Number.isNaN(x)) { assert.ok(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(x)))); continue; }
    if (float32ToFloat16Bits(x) !== h) assert.fail(`${hex(h)} → ${x} → ${hex(float32ToFloat16Bits(x))}`);
  }
});

test('float16: every midpoint between neighbours rounds to the even one, and just off it to the nearer', () => {
  for (let h = 0; h < 0x7bff; h++) {
    const lo = float16BitsToFloat32(h);
    const hi = float16BitsToFloat32(h + 1);
    const mid = (lo + hi) / 2; // exact in double
    const even = h % 2 === 0 ? h : h + 1;
    const eps = (hi - lo) * 2 ** -20;
    if (float32ToFloat16Bits(mid) !== even) assert.fail(`midpoint of ${hex(h)},${hex(h + 1)} gave ${hex(float32ToFloat16Bits(mid))}`);
    if (float32ToFloat16Bits(mid - eps) !== h) assert.fail(`below midpoint of ${hex(h)}`);
    if (float32ToFloat16Bits(mid + eps) !== h + 1) assert.fail(`above midpoint of ${hex(h)}`);
    if (float32ToFloat16Bits(-mid) !== (even | 0x8000)) assert.fail(`negative midpoint of ${hex(h)}`);
  }
});

test('bfloat16: known bit patterns', () => {
  const cases: [number, number][] = [
    [1, 0x3f80], [-2, 0xc000], [0, 0], [-0, 0x8000], [Infinity, 0x7f80], [-Infinity, 0xff80],
    [Math.PI, 0x4049], [1 + 2 ** -8, 0x3f80], [1 + 3 * 2 ** -8, 0x3f82],
    [3.3895313892515355e38, 0x7f7f], // largest finite
    [3.4028234663852886e38, 0x7f80], // float32 max rounds up to infinity
    [2 ** -126, 0x0080], [2 ** -133, 0x0001], [2 ** -149, 0x0000],
  ];
  for (const [x, bits] of cases) assert.equal(hex(float32ToBfloat16Bits(x)), hex(bits), `bfloat16(${x})`);
  assert.ok(Number.isNaN(bfloat16BitsToFloat32(float32ToBfloat16Bits(NaN))));
  assert.equal(bfloat16BitsToFloat32(0x3f80), 1);
  assert.equal(bfloat16BitsToFloat32(0x4049), 3.140625);
  assert.equal(bfloat16BitsToFloat32(0xff80), -Infinity);
});

test('bfloat16: matches the float32 bit trick (round half to even) on random float32 values', () => {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  let s = 12345;
  for (let k = 0; k < 200_000; k++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    u[0] = s;
    if (Number.isNaN(f[0])) continue;
    const bits = u[0];
    const expected = ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
    const got = float32ToBfloat16Bits(f[0]);
    if (got !== expected) assert.fail(`bits 0x${bits.toString(16)} (${f[0]}): got ${hex(got)}, expected ${hex(expected)}`);
  }
});

test('bfloat16: every bit pattern survives decode → encode', () => {
  for (let h = 0; h < 65536; h++) {
    const x = bfloat16BitsToFloat32(h);
    if (Number.isNaN(x)) continue;
    if (float32ToBfloat16Bits(x) !== h) assert.fail(`${hex(h)} → ${x} → ${hex(float32ToBfloat16Bits(x))}`);
  }
});
