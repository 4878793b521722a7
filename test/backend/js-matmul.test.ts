/** The reference backend's cache-blocked matmul against the textbook triple loop it replaces. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matmul, matmulNaive } from '../../src/backend/js/matmul.js';
import type { FloatArray, MatmulParams } from '../../src/backend/backend.js';
import { Generator } from '../helpers/engine.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

function randomArray(C: Ctor, n: number, g: Generator): FloatArray {
  const a = new C(n);
  for (let i = 0; i < n; i++) a[i] = g.normal();
  return a;
}

interface Case { m: number; k: number; n: number }

/** Runs blocked and naive on the same operands (with offsets, batch strides, flags) and compares. */
function compare(C: Ctor, { m, k, n }: Case, opts: { batch: number; transA: boolean; transB: boolean; aStride0: boolean; bStride0: boolean; accumulate: boolean }, g: Generator): void {
  const { batch, transA, transB, aStride0, bStride0, accumulate } = opts;
  const aOffset = 3;
  const bOffset = 5;
  const aBatchStride = aStride0 ? 0 : m * k + 2; // a gap between batches
  const bBatchStride = bStride0 ? 0 : k * n + 1;
  const a = randomArray(C, aOffset + aBatchStride * (batch - 1) + m * k + 4, g);
  const b = randomArray(C, bOffset + bBatchStride * (batch - 1) + k * n + 4, g);
  const aCopy = a.slice();
  const bCopy = b.slice();
  const size = batch * m * n;
  const init = randomArray(C, size + 8, g); // 8 sentinels past the end must stay untouched
  const fast = init.slice();
  const slow = init.slice();
  const p: MatmulParams = { batch, m, k, n, transA, transB, aOffset, bOffset, aBatchStride, bBatchStride, accumulate };
  matmul(a, b, fast, p);
  matmulNaive(a, b, slow, p);
  assert.deepEqual(a, aCopy, 'A must not be modified');
  assert.deepEqual(b, bCopy, 'B must not be modified');
  for (let i = size; i < size + 8; i++) assert.equal(fast[i], init[i], `wrote past the output at ${i}`);
  const tol = C === Float64Array ? 1e-12 : 2e-6;
  const label = JSON.stringify({ m, k, n, ...opts, dtype: C.name });
  for (let i = 0; i < size; i++) {
    const scale = Math.sqrt(k) + Math.abs(slow[i]);
    assert.ok(Math.abs(fast[i] - slow[i]) <= tol * scale * 4, `${label}: element ${i}: ${fast[i]} vs ${slow[i]}`);
  }
  if (!accumulate) {
    // spot-check the naive oracle itself against a direct dot product for the first batch
    const av = (i: number, q: number): number => (transA ? a[aOffset + q * m + i] : a[aOffset + i * k + q]);
    const bv = (q: number, j: number): number => (transB ? b[bOffset + j * k + q] : b[bOffset + q * n + j]);
    let s = 0;
    for (let q = 0; q < k; q++) s += av(m - 1, q) * bv(q, n - 1);
    assert.ok(Math.abs(slow[(m - 1) * n + n - 1] - s) <= 1e-5 * (1 + Math.abs(s)));
  }
}

const g0 = new Generator(2024);
const SIZES: Case[] = [
  { m: 1, k: 1, n: 1 },
  { m: 1, k: 7, n: 1 },
  { m: 3, k: 5, n: 2 },
  { m: 17, k: 1, n: 9 },
  { m: 33, k: 129, n: 7 }, // crosses BLOCK_M (32) and BLOCK_K (128), odd k
  { m: 65, k: 257, n: 3 },
  { m: 2, k: 3, n: 513 }, // crosses BLOCK_N (512)
  // random sizes, odd ones included
  ...Array.from({ length: 6 }, () => ({ m: 1 + g0.randint(40), k: 1 + g0.randint(40), n: 1 + g0.randint(40) })),
];

for (const C of [Float64Array, Float32Array] as Ctor[]) {
  test(`blocked matmul equals the naive one (${C.name}): all transpose flags, batch strides incl. 0, accumulate`, () => {
    const g = new Generator(C === Float64Array ? 1 : 2);
    for (const size of SIZES) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          compare(C, size, { batch: 1, transA, transB, aStride0: false, bStride0: false, accumulate: false }, g);
          compare(C, size, { batch: 3, transA, transB, aStride0: false, bStride0: false, accumulate: true }, g);
          compare(C, size, { batch: 2, transA, transB, aStride0: true, bStride0: false, accumulate: false }, g);
          compare(C, size, { batch: 2, transA, transB, aStride0: false, bStride0: true, accumulate: true }, g);
        }
      }
    }
  });
}

test('matmul on known numbers, transposed storage, and k = 0', () => {
  const a = new Float64Array([1, 2, 3, 4, 5, 6]); // (2,3)
  const b = new Float64Array([7, 8, 9, 10, 11, 12]); // (3,2)
  const out = new Float64Array(4);
  const base = { batch: 1, m: 2, k: 3, n: 2, aOffset: 0, bOffset: 0, aBatchStride: 0, bBatchStride: 0 };
  matmul(a, b, out, { ...base, transA: false, transB: false });
  assert.deepEqual(Array.from(out), [58, 64, 139, 154]);
  // the same A stored as (3,2): [[1,4],[2,5],[3,6]]
  matmul(new Float64Array([1, 4, 2, 5, 3, 6]), b, out, { ...base, transA: true, transB: false });
  assert.deepEqual(Array.from(out), [58, 64, 139, 154]);
  // the same B stored as (2,3): [[7,9,11],[8,10,12]]
  matmul(a, new Float64Array([7, 9, 11, 8, 10, 12]), out, { ...base, transA: false, transB: true });
  assert.deepEqual(Array.from(out), [58, 64, 139, 154]);
  matmul(a, b, out, { ...base, transA: false, transB: false, accumulate: true });
  assert.deepEqual(Array.from(out), [116, 128, 278, 308]);
  const empty = new Float64Array([9, 9]);
  matmul(new Float64Array(0), new Float64Array(0), empty, { ...base, m: 1, k: 0, n: 2, transA: false, transB: false });
  assert.deepEqual(Array.from(empty), [0, 0]);
});
