import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fma, fmaDot } from '../../src/classic/fma.js';
import { Generator } from '../../src/util/random.js';

/** Exact a·b + c rounded to nearest even, by BigInt arithmetic: the oracle. */
function exactFma(a: number, b: number, c: number): number {
  const parts = (v: number): [bigint, number] => {
    if (v === 0) return [0n, 0];
    const buf = new DataView(new ArrayBuffer(8));
    buf.setFloat64(0, v);
    const bits = buf.getBigUint64(0);
    const sign = bits >> 63n ? -1n : 1n;
    const e = Number((bits >> 52n) & 0x7ffn);
    const m = bits & ((1n << 52n) - 1n);
    return e === 0 ? [sign * m, -1074] : [sign * (m | (1n << 52n)), e - 1075];
  };
  const [ma, ea] = parts(a);
  const [mb, eb] = parts(b);
  const [mc, ec] = parts(c);
  const ep = ea + eb;
  const e = Math.min(ep, ec);
  const sum = ma * mb * (1n << BigInt(ep - e)) + mc * (1n << BigInt(ec - e));
  // round sum · 2^e to a double: keep 53 significant bits, ties to even
  if (sum === 0n) return 0;
  const neg = sum < 0n;
  let mag = neg ? -sum : sum;
  let exp = e;
  const bitlen = mag.toString(2).length;
  if (bitlen > 53) {
    const shift = BigInt(bitlen - 53);
    const rem = mag & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    mag >>= shift;
    exp += Number(shift);
    if (rem > half || (rem === half && (mag & 1n) === 1n)) mag += 1n;
  }
  const v = Number(mag) * 2 ** exp;
  return neg ? -v : v;
}

test('fma rounds once: a·b + c exactly, then to nearest', () => {
  assert.equal(fma(0.1, 10, -1), 5.551115123125783e-17);
  assert.equal(0.1 * 10 - 1, 0);
  assert.equal(fma(2, 3, 4), 10);
  const g = new Generator(1);
  for (let i = 0; i < 20000; i++) {
    // Iris-like one-decimal values, and random doubles over a few magnitudes
    const a = i % 2 ? Math.round(g.uniform() * 80) / 10 : (g.uniform() - 0.5) * 2 ** (g.randint(20) - 10);
    const b = i % 2 ? Math.round(g.uniform() * 80) / 10 : (g.uniform() - 0.5) * 2 ** (g.randint(20) - 10);
    const c = i % 3 ? a * b * (g.uniform() * 4 - 2) : (g.uniform() - 0.5) * 100;
    assert.equal(fma(a, b, c), exactFma(a, b, c), `fma(${a}, ${b}, ${c})`);
  }
});

test('fmaDot accumulates like an FMA BLAS kernel', () => {
  const x = [5.1, 3.5, 1.4, 0.2];
  const y = [4.9, 3.0, 1.4, 0.2];
  let acc = x[0] * y[0];
  for (let i = 1; i < 4; i++) acc = exactFma(x[i], y[i], acc);
  assert.equal(fmaDot(x, 0, y, 0, 4), acc);
  assert.equal(fmaDot([], 0, [], 0, 0), 0);
});
