/** Reference kernels checked directly: unary derivatives, reductions, softmax rows, layer norm, gathers and scatters. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createJsBackend } from '../../src/backend/js/index.js';
import { erf } from '../../src/backend/js/special.js';
import type { UnaryOp } from '../../src/backend/backend.js';

const be = createJsBackend();
const f64 = (v: number[]): Float64Array => Float64Array.from(v);
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, label = ''): void => {
  assert.equal(a.length, b.length, label);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `${label} [${i}]: ${a[i]} vs ${b[i]}`);
};

test('every unary derivative matches a central difference of the unary kernel', () => {
  const ops: UnaryOp[] = ['neg', 'exp', 'log', 'sqrt', 'abs', 'tanh', 'sigmoid', 'relu', 'gelu', 'sign'];
  const xs = f64([0.3, 1.7, 2.5, -0.4, -2.2, 3.1, -3.5, 0.9]);
  for (const op of ops) {
    const x = op === 'log' || op === 'sqrt' ? xs.map(Math.abs) : xs;
    const y = new Float64Array(x.length);
    be.unary(op, x, y);
    const g = Float64Array.from(x, (_, i) => 0.5 + i);
    const dx = new Float64Array(x.length);
    be.unaryBackward(op, x, y, g, dx);
    const h = 1e-6;
    const yp = new Float64Array(x.length);
    const ym = new Float64Array(x.length);
    be.unary(op, x.map((v) => v + h), yp);
    be.unary(op, x.map((v) => v - h), ym);
    close(dx, Array.from(x, (_, i) => (g[i] * (yp[i] - ym[i])) / (2 * h)), 1e-6, op);
  }
});

test('erf is accurate to double precision on both branches', () => {
  // Python math.erf
  const ref: [number, number][] = [[0.1, 0.1124629160182849], [1, 0.8427007929497149], [2.4, 0.999311486103355], [2.6, 0.9997639655834707], [4, 0.9999999845827421], [-1.5, -0.9661051464753108]];
  for (const [x, e] of ref) assert.ok(Math.abs(erf(x) - e) < 1e-14, `erf(${x}) = ${erf(x)}, expected ${e}`);
});

test('reduce over the middle axis of (outer, mid, inner)', () => {
  // x[o][m][i] = 100o + 10m + i, shape (2,3,2)
  const x = f64([0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121]);
  const out = new Float64Array(4);
  be.reduce('sum', x, 2, 3, 2, out);
  assert.deepEqual(Array.from(out), [30, 33, 330, 333]);
  be.reduce('max', x, 2, 3, 2, out);
  assert.deepEqual(Array.from(out), [20, 21, 120, 121]);
  be.reduce('min', x, 2, 3, 2, out);
  assert.deepEqual(Array.from(out), [0, 1, 100, 101]);
  const idx = new Int32Array(4);
  be.argReduce('argmax', f64([1, 5, 9, 5, 9, 0, 2, 5, 9, 1, 0, 3]), 2, 3, 2, idx);
  assert.deepEqual(Array.from(idx), [1, 0, 1, 0]); // ties keep the first
  be.argReduce('argmin', f64([1, 5, 9, 5, 9, 0, 2, 5, 9, 1, 0, 3]), 2, 3, 2, idx);
  assert.deepEqual(Array.from(idx), [0, 2, 2, 1]);
});

test('softmax kernel rows and its backward against the Jacobian', () => {
  const x = f64([1, 2, 3, -1, 0, 1000]);
  const y = new Float64Array(6);
  be.softmax(x, 2, 3, y, false);
  const s = Math.exp(1) + Math.exp(2) + Math.exp(3);
  close(y, [Math.exp(1) / s, Math.exp(2) / s, Math.exp(3) / s, 0, 0, 1], 1e-15);
  const g = f64([0.1, -0.2, 0.3, 1, 2, 3]);
  const dx = new Float64Array(6);
  be.softmaxBackward(y, g, 2, 3, dx, false);
  // J = diag(y) - y yᵀ
  const want = [0, 1, 2].map((i) => [0, 1, 2].reduce((acc, j) => acc + ((i === j ? y[i] : 0) - y[i] * y[j]) * g[j], 0));
  close(dx.subarray(0, 3), want, 1e-15);
  const ly = new Float64Array(6);
  be.softmax(x, 2, 3, ly, true);
  close(ly.subarray(0, 3), [1, 2, 3].map((v) => v - Math.log(s)), 1e-15);
  be.softmaxBackward(ly, g, 2, 3, dx, true);
  const sg = 0.1 - 0.2 + 0.3;
  close(dx.subarray(0, 3), [0, 1, 2].map((i) => g[i] - y[i] * sg), 1e-15);
});

test('layerNorm kernel writes mean and 1/std; its backward accumulates into dweight and dbias', () => {
  const x = f64([1, 2, 3, 4, 2, 2, 2, 2]);
  const out = new Float64Array(8);
  const mean = new Float64Array(2);
  const rstd = new Float64Array(2);
  be.layerNorm(x, f64([1, 2, 1, 2]), f64([0, 0, 1, 1]), 2, 4, 1e-5, out, mean, rstd);
  close(mean, [2.5, 2], 0);
  close(rstd, [1 / Math.sqrt(1.25 + 1e-5), 1 / Math.sqrt(1e-5)], 1e-15);
  const r = rstd[0];
  close(out, [-1.5 * r, -1 * r, 0.5 * r + 1, 3 * r + 1, 0, 0, 1, 1], 1e-14);
  const dx = new Float64Array(8);
  const dw = f64([10, 10, 10, 10]);
  const db = f64([10, 10, 10, 10]);
  be.layerNormBackward(x, f64([1, 2, 1, 2]), mean, rstd, f64([1, 1, 1, 1, 1, 1, 1, 1]), 2, 4, dx, dw, db);
  close(db, [12, 12, 12, 12], 0);
  close(dw, [10 - 1.5 * r, 10 - 0.5 * r, 10 + 0.5 * r, 10 + 1.5 * r], 1e-14);
});

test('indexSelect/indexAdd and gather/scatterAdd are inverse-shaped and add repeats', () => {
  // x (outer=2, n=3, inner=2)
  const x = f64([0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]);
  const idx = Int32Array.from([2, 2, 0]);
  const out = new Float64Array(12);
  be.indexSelect(x, 2, 3, 2, idx, out);
  assert.deepEqual(Array.from(out), [4, 5, 4, 5, 0, 1, 14, 15, 14, 15, 10, 11]);
  const acc = new Float64Array(12);
  be.indexAdd(f64(Array(12).fill(1)), 2, 3, 2, idx, acc);
  assert.deepEqual(Array.from(acc), [1, 1, 0, 0, 2, 2, 1, 1, 0, 0, 2, 2]);
  // gather along the middle axis with m = 1: idx (2,1,2)
  const gi = Int32Array.from([2, 0, 1, 1]);
  const go = new Float64Array(4);
  be.gather(x, 2, 3, 2, gi, 1, go);
  assert.deepEqual(Array.from(go), [4, 1, 12, 13]);
  const sa = new Float64Array(12);
  be.scatterAdd(f64([1, 2, 3, 4]), 2, 3, 2, gi, 1, sa);
  assert.deepEqual(Array.from(sa), [0, 2, 0, 0, 1, 0, 0, 0, 3, 4, 0, 0]);
});

test('binary broadcast kernel and where read through strides', () => {
  const out = new Float64Array(6);
  // a (2,1) broadcast against b (3,) → (2,3)
  be.binary('sub', { data: f64([10, 20]), offset: 0, strides: [1, 0] }, { data: f64([1, 2, 3]), offset: 0, strides: [0, 1] }, [2, 3], out);
  assert.deepEqual(Array.from(out), [9, 8, 7, 19, 18, 17]);
  be.binary('pow', { data: f64([2, 3]), offset: 0, strides: [1, 0] }, { data: f64([0, 1, 2]), offset: 0, strides: [0, 1] }, [2, 3], out);
  assert.deepEqual(Array.from(out), [1, 2, 4, 1, 3, 9]);
  be.where(
    { data: f64([1, 0, 1]), offset: 0, strides: [0, 1] },
    { data: f64([5]), offset: 0, strides: [0, 0] },
    { data: f64([1, 2, 3, 4, 5, 6]), offset: 0, strides: [3, 1] },
    [2, 3], out,
  );
  assert.deepEqual(Array.from(out), [5, 2, 5, 5, 5, 5]);
});
