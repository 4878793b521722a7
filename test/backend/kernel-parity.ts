/**
 * Parity of a fast backend's kernels with the reference (js) backend, run for every fast backend (wasm,
 * native): random shapes including odd sizes, every matmul transpose variant, batch broadcasting,
 * accumulation, strided and broadcast views, and IEEE special values. Arithmetic that rounds once
 * (+ - * /, comparisons, max/min) must match exactly; approximated functions and reassociated sums
 * within the stated tolerances.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AttentionParams, Backend, BinaryOp, MatmulParams, ReduceOp, StridedView, UnaryOp } from '../../src/backend/backend.js';
import { createJsBackend } from '../../src/backend/js/index.js';
import { matmulNaive } from '../../src/backend/js/matmul.js';
import { attention as refAttention, attentionBackward as refAttentionBackward } from '../../src/backend/js/attention.js';
import { dropout as refDropout, dropoutBackward as refDropoutBackward } from '../../src/backend/js/nn.js';
import { geluTanh as refGeluTanh, geluTanhBackward as refGeluTanhBackward } from '../../src/backend/js/special.js';

/** mulberry32: a tiny seeded PRNG, so every run sees the same data. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const rand = prng(20240611);
export const uniform = (n: number, lo = -1, hi = 1): Float32Array => Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
export const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
export const ODD = [1, 2, 3, 4, 5, 7, 8, 16, 17, 31, 33, 64, 65, 129] as const;

export const js = createJsBackend();

export function same(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) || a === b;
}

/** Asserts |got - want| <= abs + rel·|want| elementwise (NaN matches NaN, infinities must match). */
export function close(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, abs: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (same(g, w)) continue;
    const ok = Number.isFinite(w) && Math.abs(g - w) <= abs + rel * Math.abs(w);
    if (!ok) assert.fail(`${what}: element ${i}: got ${g}, want ${w}`);
  }
}

export function exact(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!same(got[i], want[i]) && !(got[i] === 0 && want[i] === 0)) assert.fail(`${what}: element ${i}: got ${got[i]}, want ${want[i]}`);
  }
}

/** Registers the parity tests for `fast`. */
export function kernelParityTests(fast: Backend): void {
  // ---- matmul ----------------------------------------------------------------------------------

  interface MatmulCase extends MatmulParams { label: string }

  function runMatmul(c: MatmulCase): void {
    const { batch, m, k, n, transA, transB } = c;
    const aLen = c.aOffset + (batch - 1) * c.aBatchStride + m * k + 3;
    const bLen = c.bOffset + (batch - 1) * c.bBatchStride + k * n + 3;
    const a = uniform(aLen);
    const b = uniform(bLen);
    const init = uniform(batch * m * n);
    const got = init.slice();
    fast.matmul(a, b, got, c);
    // the oracle in float64
    const want = Float64Array.from(init);
    matmulNaive(Float64Array.from(a), Float64Array.from(b), want, c);
    close(got, want, 1e-5, 2e-7 * (k + 1), `matmul ${c.label} ${batch}x(${m},${k})x(${k},${n}) tA=${transA} tB=${transB} acc=${!!c.accumulate}`);
  }

  test('matmul: odd sizes, every transpose variant, overwrite and accumulate', () => {
    for (let t = 0; t < 160; t++) {
      const m = pick(ODD), k = pick(ODD), n = pick(ODD);
      const transA = (t & 1) === 1;
      const transB = (t & 2) === 2;
      runMatmul({
        label: 'odd', batch: 1, m, k, n, transA, transB, aOffset: 0, bOffset: 0,
        aBatchStride: m * k, bBatchStride: k * n, accumulate: (t & 4) === 4,
      });
    }
  });

  test('matmul: single rows (m = 1, the vector-matrix path) for every variant and width', () => {
    for (const n of [1, 3, 4, 5, 31, 32, 33, 65, 1000]) {
      for (const k of [1, 3, 4, 17, 128]) {
        for (let v = 0; v < 8; v++) {
          runMatmul({
            label: 'gemv', batch: v < 4 ? 1 : 3, m: 1, k, n, transA: (v & 1) === 1, transB: (v & 2) === 2, aOffset: 1, bOffset: 2,
            aBatchStride: k, bBatchStride: v === 7 ? 0 : k * n, accumulate: (v & 4) === 4,
          });
        }
      }
    }
  });

  test('matmul: sizes crossing the cache blocks (KC=256, MC=128, NC=2048)', () => {
    for (const [m, k, n] of [[130, 257, 67], [129, 513, 33], [5, 3, 2100], [257, 300, 9]] as const) {
      for (let v = 0; v < 4; v++) {
        runMatmul({
          label: 'blocks', batch: 1, m, k, n, transA: (v & 1) === 1, transB: (v & 2) === 2, aOffset: 0, bOffset: 0,
          aBatchStride: m * k, bBatchStride: k * n, accumulate: v === 3,
        });
      }
    }
  });

  test('matmul: batches with offsets, broadcast operands (batch stride 0) and padded strides', () => {
    for (let t = 0; t < 64; t++) {
      const m = pick(ODD), k = pick(ODD), n = pick(ODD);
      const batch = pick([1, 2, 3, 5]);
      const aMode = t % 3; // 0: packed batches, 1: broadcast, 2: padded stride
      const bMode = Math.floor(t / 3) % 3;
      const stride = (mode: number, size: number): number => (mode === 0 ? size : mode === 1 ? 0 : size + 7);
      runMatmul({
        label: `batch a${aMode} b${bMode}`, batch, m, k, n, transA: (t & 1) === 1, transB: (t & 4) === 4,
        aOffset: pick([0, 1, 5]), bOffset: pick([0, 2, 3]),
        aBatchStride: stride(aMode, m * k), bBatchStride: stride(bMode, k * n), accumulate: (t & 8) === 8,
      });
    }
    // the folded path: shared B, contiguous A batches (a Linear layer over (B, T, C))
    runMatmul({ label: 'folded', batch: 4, m: 17, k: 33, n: 65, transA: false, transB: true, aOffset: 3, bOffset: 1, aBatchStride: 17 * 33, bBatchStride: 0 });
    runMatmul({ label: 'folded acc', batch: 3, m: 5, k: 8, n: 3, transA: false, transB: false, aOffset: 0, bOffset: 0, aBatchStride: 40, bBatchStride: 0, accumulate: true });
  });

  test('matmul: empty dimensions and float64 delegation', () => {
    const out = new Float32Array(6).fill(7);
    fast.matmul(new Float32Array(0), new Float32Array(0), out, { batch: 1, m: 2, k: 0, n: 3, transA: false, transB: false, aOffset: 0, bOffset: 0, aBatchStride: 0, bBatchStride: 0 });
    exact(out, new Float32Array(6), 'k = 0 overwrites with zeros');
    out.fill(7);
    fast.matmul(new Float32Array(0), new Float32Array(0), out, { batch: 1, m: 2, k: 0, n: 3, transA: false, transB: false, aOffset: 0, bOffset: 0, aBatchStride: 0, bBatchStride: 0, accumulate: true });
    exact(out, new Float32Array(6).fill(7), 'k = 0 accumulates nothing');
    const p: MatmulParams = { batch: 2, m: 3, k: 5, n: 4, transA: true, transB: false, aOffset: 0, bOffset: 0, aBatchStride: 15, bBatchStride: 20 };
    const a = Float64Array.from(uniform(30));
    const b = Float64Array.from(uniform(40));
    const got = new Float64Array(24);
    const want = new Float64Array(24);
    fast.matmul(a, b, got, p);
    js.matmul(a, b, want, p);
    exact(got, want, 'float64 runs the reference');
  });

  // ---- elementwise -----------------------------------------------------------------------------

  const SPECIAL = [0, -0, 1, -1, NaN, Infinity, -Infinity, 1e-40, -1e-40, 3.4e38, -3.4e38, 88.7, 88.8, -87.5, -103, -104, 0.5, 1e-8];

  function unaryInput(n: number): Float32Array {
    const x = uniform(n, -12, 12);
    for (let i = 0; i < n; i += 7) x[i] = uniform(1, -100, 100)[0];
    for (let i = 0; i < Math.min(n, SPECIAL.length); i++) x[(i * 5) % n] = SPECIAL[i];
    return x;
  }

  // relative and absolute tolerance of each approximated function against the float64 reference
  const UNARY_TOL: Record<UnaryOp, [number, number]> = {
    neg: [0, 0], abs: [0, 0], sqrt: [0, 0], relu: [0, 0], sign: [0, 0],
    exp: [1e-6, 1e-44], log: [1e-6, 1e-7], tanh: [1e-6, 1e-12], sigmoid: [1e-6, 1e-44],
    // the reference's own erf loses the far lower tail (x < -8 rounds to -0); compare absolutely there
    gelu: [1e-5, 1e-6],
  };

  test('unary: every op on random, large and special values, contiguous lengths 1..260', () => {
    for (const op of Object.keys(UNARY_TOL) as UnaryOp[]) {
      const [rel, abs] = UNARY_TOL[op];
      for (const n of [1, 2, 3, 4, 5, 7, 17, 33, 64, 129, 260]) {
        const x = unaryInput(n);
        const got = new Float32Array(n);
        const want = new Float32Array(n);
        fast.unary(op, x, got);
        js.unary(op, x, want);
        if (rel === 0 && abs === 0) exact(got, want, `unary ${op} n=${n}`);
        else close(got, want, rel, abs, `unary ${op} n=${n}`);
      }
    }
  });

  test('unary: exp, tanh, sigmoid, log accurate to 1e-6 relative over a dense sweep', () => {
    const n = 200001;
    const x = Float32Array.from({ length: n }, (_, i) => -100 + (200 * i) / (n - 1));
    for (const op of ['exp', 'tanh', 'sigmoid'] as const) {
      const got = new Float32Array(n);
      const want = new Float32Array(n);
      fast.unary(op, x, got);
      js.unary(op, x, want);
      close(got, want, 1e-6, 1e-44, `unary ${op} sweep`);
    }
    const pos = Float32Array.from({ length: n }, (_, i) => Math.exp(-90 + (180 * i) / (n - 1)));
    const got = new Float32Array(n);
    const want = new Float32Array(n);
    fast.unary('log', pos, got);
    js.unary('log', pos, want);
    close(got, want, 1e-6, 1e-7, 'unary log sweep');
  });

  test('unaryBackward: every op against the reference', () => {
    for (const op of Object.keys(UNARY_TOL) as UnaryOp[]) {
      for (const n of [1, 3, 4, 17, 65, 130]) {
        const x = op === 'log' || op === 'sqrt' ? uniform(n, 0.01, 10) : uniform(n, -6, 6);
        const y = new Float32Array(n);
        js.unary(op, x, y);
        const g = uniform(n);
        const got = new Float32Array(n);
        const want = new Float32Array(n);
        fast.unaryBackward(op, x, y, g, got);
        js.unaryBackward(op, x, y, g, want);
        close(got, want, op === 'gelu' ? 1e-5 : 1e-6, 1e-7, `unaryBackward ${op} n=${n}`);
      }
    }
  });

  const BINARY_OPS: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'];

  /** A random array with special values and repeats (so comparisons see equal pairs). */
  function binaryData(n: number): Float32Array {
    const x = uniform(n, -3, 3);
    for (let i = 0; i < n; i += 3) x[i] = Math.round(x[i]);
    for (let i = 0; i < n; i += 11) x[i] = pick([NaN, Infinity, -Infinity, 0, -0]);
    return x;
  }

  function contiguous(shape: readonly number[]): number[] {
    const s = new Array<number>(shape.length);
    let acc = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      s[d] = acc;
      acc *= shape[d];
    }
    return s;
  }

  /** A view of `shape` over fresh data: broadcast on the dims in `bcast`, optionally transposed last two dims and offset. */
  function view(shape: readonly number[], bcast: readonly boolean[], opts: { transpose?: boolean; offset?: number } = {}): StridedView {
    const stored = shape.map((d, i) => (bcast[i] ? 1 : d));
    const offset = opts.offset ?? 0;
    let strides: number[];
    if (opts.transpose && shape.length >= 2) {
      const r = shape.length;
      const swapped = [...stored];
      [swapped[r - 1], swapped[r - 2]] = [swapped[r - 2], swapped[r - 1]];
      const cs = contiguous(swapped);
      strides = [...cs];
      [strides[r - 1], strides[r - 2]] = [cs[r - 2], cs[r - 1]];
    } else {
      strides = contiguous(stored);
    }
    strides = strides.map((s, i) => (bcast[i] ? 0 : s));
    const size = stored.reduce((p, d) => p * d, 1);
    return { data: binaryData(size + offset + 2), offset, strides };
  }

  function checkBinary(op: BinaryOp, a: StridedView, b: StridedView, shape: readonly number[], what: string): void {
    const total = shape.reduce((p, d) => p * d, 1);
    const got = new Float32Array(total);
    const want = new Float32Array(total);
    fast.binary(op, a, b, shape, got);
    js.binary(op, a, b, shape, want);
    exact(got, want, `binary ${op} ${what} shape (${shape.join(',')})`);
  }

  test('binary: every op, same shape, row/column/scalar broadcast, both sides', () => {
    for (const op of BINARY_OPS) {
      for (let t = 0; t < 12; t++) {
        const shape = [pick(ODD), pick(ODD)];
        const full = [false, false];
        checkBinary(op, view(shape, full), view(shape, full), shape, 'same');
        checkBinary(op, view(shape, full), view(shape, [true, false]), shape, 'row-broadcast b');
        checkBinary(op, view(shape, [true, false]), view(shape, full), shape, 'row-broadcast a');
        checkBinary(op, view(shape, full), view(shape, [false, true]), shape, 'column-broadcast b');
        checkBinary(op, view(shape, [false, true]), view(shape, [true, false]), shape, 'outer product');
        checkBinary(op, view(shape, full), view(shape, [true, true]), shape, 'scalar b');
      }
    }
  });

  test('binary: rank 3-4 broadcasting, offsets, transposed (non-contiguous) views, lower-rank operands', () => {
    for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'lt'] as BinaryOp[]) {
      for (let t = 0; t < 20; t++) {
        const shape = [pick([1, 2, 3]), pick(ODD), pick([1, 3, 5, 17]), pick(ODD)];
        const ba = shape.map(() => rand() < 0.3);
        const bb = shape.map(() => rand() < 0.4);
        checkBinary(op, view(shape, ba, { offset: pick([0, 3]) }), view(shape, bb, { offset: pick([0, 1]) }), shape, `bcast ${ba}/${bb}`);
        checkBinary(op, view(shape, ba, { transpose: true }), view(shape, bb), shape, 'transposed a');
        checkBinary(op, view(shape, [false, false, false, false]), view(shape, bb, { transpose: true, offset: 2 }), shape, 'transposed b');
        const s3 = shape.slice(1);
        checkBinary(op, view(s3, [false, false, false]), view(s3, [true, false, false]), s3, 'rank 3');
      }
    }
    // rank 0 and rank 1
    checkBinary('add', { data: Float32Array.of(2), offset: 0, strides: [] }, { data: Float32Array.of(3), offset: 0, strides: [] }, [], 'scalars');
    checkBinary('mul', view([100], [false]), view([100], [true]), [100], 'vector by scalar');
    // empty
    checkBinary('add', view([0, 5], [false, false]), view([0, 5], [false, false]), [0, 5], 'empty');
  });

  test('binary: float64 views delegate to the reference', () => {
    const a: StridedView = { data: Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9), offset: 0, strides: [3, 1] };
    const b: StridedView = { data: Float64Array.of(0.1, 0.2, 0.3), offset: 0, strides: [0, 1] };
    const got = new Float64Array(9);
    const want = new Float64Array(9);
    fast.binary('div', a, b, [3, 3], got);
    js.binary('div', a, b, [3, 3], want);
    exact(got, want, 'float64 div');
  });

  // ---- row-wise kernels ------------------------------------------------------------------------

  test('softmax and log-softmax: odd widths, large logits, masked entries and fully masked rows', () => {
    for (const log of [false, true]) {
      for (const cols of [1, 2, 3, 4, 5, 17, 33, 64, 129, 1000]) {
        const rows = pick([1, 3, 7]);
        const x = uniform(rows * cols, -20, 20);
        for (let i = 0; i < x.length; i += 9) x[i] = -Infinity;
        if (cols > 2) x[1] = 80;
        if (rows > 1) x.fill(-Infinity, cols, 2 * cols); // second row fully masked: NaN as in PyTorch
        const got = new Float32Array(x.length);
        const want = new Float32Array(x.length);
        fast.softmax(x, rows, cols, got, log);
        js.softmax(x, rows, cols, want, log);
        // log-softmax of logits up to |80| carries their float32 rounding (ulp(80) = 8e-6) into its absolute error
        close(got, want, 2e-6, log ? 8e-6 : 1e-7, `softmax log=${log} ${rows}x${cols}`);
      }
    }
  });

  test('softmaxBackward (softmax and log-softmax)', () => {
    for (const log of [false, true]) {
      for (const cols of [1, 3, 4, 17, 65, 200]) {
        const rows = pick([1, 2, 5]);
        const x = uniform(rows * cols, -5, 5);
        const y = new Float32Array(x.length);
        js.softmax(x, rows, cols, y, log);
        const g = uniform(x.length);
        const got = new Float32Array(x.length);
        const want = new Float32Array(x.length);
        fast.softmaxBackward(y, g, rows, cols, got, log);
        js.softmaxBackward(y, g, rows, cols, want, log);
        close(got, want, 1e-5, 1e-6, `softmaxBackward log=${log} ${rows}x${cols}`);
      }
    }
  });

  test('crossEntropy forward and backward: odd widths, ignored rows, label smoothing, large and masked logits', () => {
    for (const eps of [0, 0.1, 0.35]) {
      for (const cols of [1, 2, 3, 4, 5, 17, 33, 64, 129, 1000]) {
        const rows = pick([1, 3, 7, 16]);
        const x = uniform(rows * cols, -20, 20);
        if (cols > 2) x[1] = 80;
        if (cols > 3) for (let i = 2; i < x.length; i += 11) x[i] = -1e9; // masked-style logits
        const targets = Int32Array.from({ length: rows }, () => Math.floor(rand() * cols));
        if (rows > 1) targets[1] = -1; // an ignored row
        const lossG = new Float32Array(rows);
        const lossW = new Float32Array(rows);
        const statsG = new Float32Array(2 * rows);
        const statsW = new Float32Array(2 * rows);
        fast.crossEntropy(x, rows, cols, targets, eps, lossG, statsG);
        js.crossEntropy(x, rows, cols, targets, eps, lossW, statsW);
        const what = `crossEntropy eps=${eps} ${rows}x${cols}`;
        exact(statsG.filter((_, i) => i % 2 === 0), statsW.filter((_, i) => i % 2 === 0), `${what} shift`);
        close(statsG.filter((_, i) => i % 2 === 1), statsW.filter((_, i) => i % 2 === 1), 1e-6, 1e-6, `${what} logSum`);
        // a smoothed loss sums logits up to |1e9|: its float32 rounding carries into the mean term
        close(lossG, lossW, 2e-6, eps > 0 && cols > 3 ? 2e-6 * 1e9 * eps / cols * Math.sqrt(cols) : 8e-6, `${what} loss`);
        const g = uniform(rows, 0.1, 2);
        const dxG = new Float32Array(x.length).fill(7);
        const dxW = new Float32Array(x.length).fill(7);
        fast.crossEntropyBackward(x, statsW, g, rows, cols, targets, eps, dxG);
        js.crossEntropyBackward(x, statsW, g, rows, cols, targets, eps, dxW);
        close(dxG, dxW, 1e-5, 1e-6, `${what} backward`);
        if (rows > 1) exact(dxG.subarray(cols, 2 * cols), new Float32Array(cols), `${what} ignored row`);
      }
    }
    // float64 delegates to the reference
    const x64 = Float64Array.from(uniform(12));
    const t = Int32Array.from([0, 3, -1]);
    const [a, b] = [new Float64Array(3), new Float64Array(3)];
    const [sa, sb] = [new Float64Array(6), new Float64Array(6)];
    fast.crossEntropy(x64, 3, 4, t, 0.1, a, sa);
    js.crossEntropy(x64, 3, 4, t, 0.1, b, sb);
    exact(a, b, 'crossEntropy float64');
  });

  test('lstmCell and lstmCellBackward: odd hidden sizes, strided gx rows, offsets, large pre-activations', () => {
    for (const H of [1, 2, 3, 4, 5, 7, 16, 17, 33, 64, 65]) {
      const B = pick([1, 2, 3, 5]);
      const H4 = 4 * H;
      const gxStride = pick([H4, H4 * 3, H4 + 5]);
      const gxOff = pick([0, 3]);
      const gx = uniform(gxOff + (B - 1) * gxStride + H4, -4, 4);
      if (gx.length > 8) { gx[gxOff] = 30; gx[gxOff + 1] = -30; }
      const gh = uniform(B * H4, -2, 2);
      const T = 3;
      const c0 = uniform((T + 1) * B * H, -3, 3);
      const h0 = uniform((T + 1) * B * H);
      const saved0 = uniform(2 * B * 5 * H);
      const step = (c: Float32Array, h: Float32Array, saved: Float32Array) => ({
        B, H, gx, gxOff, gxStride, gh, h, hNext: 2 * B * H, c, cPrev: B * H, cNext: 2 * B * H, saved, savedOff: B * 5 * H,
      });
      const got = step(c0.slice(), h0.slice(), saved0.slice());
      const want = step(c0.slice(), h0.slice(), saved0.slice());
      fast.lstmCell(got);
      js.lstmCell(want);
      const what = `lstmCell B=${B} H=${H} stride=${gxStride}`;
      close(got.c, want.c, 2e-6, 2e-6, `${what} c`);
      close(got.h, want.h, 2e-6, 2e-6, `${what} h`);
      close(got.saved, want.saved, 2e-6, 2e-6, `${what} saved`);
      // backward from the same saved values
      const dh = uniform(B * H);
      const dc = uniform(B * H);
      const gs = (dgx: Float32Array) => ({ ...want, saved: want.saved, dh: dh.slice(), dc: dc.slice(), dgx, dgxOff: B * H4 });
      const bg = gs(new Float32Array(3 * B * H4));
      const bw = gs(new Float32Array(3 * B * H4));
      fast.lstmCellBackward(bg);
      js.lstmCellBackward(bw);
      close(bg.dgx, bw.dgx, 1e-6, 1e-6, `${what} dgx`);
      close(bg.dc, bw.dc, 1e-6, 1e-6, `${what} dc`);
      exact(bg.dh, new Float32Array(B * H), `${what} dh zeroed`);
    }
  });

  test('layerNorm forward and backward, with and without affine parameters', () => {
    for (const affine of [true, false]) {
      for (const cols of [1, 2, 3, 4, 7, 16, 33, 128, 129]) {
        const rows = pick([1, 3, 8]);
        const x = uniform(rows * cols, -3, 5);
        const w = affine ? uniform(cols) : null;
        const b = affine ? uniform(cols) : null;
        const got = [new Float32Array(x.length), new Float32Array(rows), new Float32Array(rows)] as const;
        const want = [new Float32Array(x.length), new Float32Array(rows), new Float32Array(rows)] as const;
        fast.layerNorm(x, w, b, rows, cols, 1e-5, ...got);
        js.layerNorm(x, w, b, rows, cols, 1e-5, ...want);
        close(got[0], want[0], 1e-5, 1e-5, `layerNorm out ${rows}x${cols}`);
        close(got[1], want[1], 1e-5, 1e-6, `layerNorm mean ${rows}x${cols}`);
        close(got[2], want[2], 1e-5, 1e-6, `layerNorm rstd ${rows}x${cols}`);

        const g = uniform(x.length);
        const dwInit = uniform(cols);
        const dbInit = uniform(cols);
        const gotDx = new Float32Array(x.length);
        const wantDx = new Float32Array(x.length);
        const gotDw = affine ? dwInit.slice() : null;
        const wantDw = affine ? dwInit.slice() : null;
        const gotDb = affine ? dbInit.slice() : null;
        const wantDb = affine ? dbInit.slice() : null;
        fast.layerNormBackward(x, w, want[1], want[2], g, rows, cols, gotDx, gotDw, gotDb);
        js.layerNormBackward(x, w, want[1], want[2], g, rows, cols, wantDx, wantDw, wantDb);
        close(gotDx, wantDx, 1e-4, 2e-5, `layerNormBackward dx ${rows}x${cols}`);
        if (affine) {
          close(gotDw!, wantDw!, 1e-5, 1e-5, `layerNormBackward dweight ${rows}x${cols}`);
          close(gotDb!, wantDb!, 1e-5, 1e-5, `layerNormBackward dbias ${rows}x${cols}`);
        }
      }
    }
  });

  test('reduce: sum, max, min over the middle axis of odd (outer, mid, inner), NaN wins', () => {
    for (const op of ['sum', 'max', 'min'] as ReduceOp[]) {
      for (let t = 0; t < 40; t++) {
        const outer = pick([1, 2, 5]);
        const mid = pick(ODD);
        const inner = pick([1, 1, 2, 3, 4, 17, 33]);
        const x = uniform(outer * mid * inner, -10, 10);
        if (t % 5 === 0) x[Math.floor(rand() * x.length)] = NaN;
        if (t % 7 === 0) x[Math.floor(rand() * x.length)] = -Infinity;
        const got = new Float32Array(outer * inner);
        const want = new Float32Array(outer * inner);
        fast.reduce(op, x, outer, mid, inner, got);
        js.reduce(op, x, outer, mid, inner, want);
        if (op === 'sum') close(got, want, 1e-5, 1e-5 * mid, `reduce sum ${outer}x${mid}x${inner}`);
        else exact(got, want, `reduce ${op} ${outer}x${mid}x${inner}`);
      }
    }
  });

  test('indexSelect, indexAdd, gather, scatterAdd, argReduce, where, strided copies match the reference', () => {
    for (const inner of [1, 3, 16, 33]) {
      const outer = 2, n = 7;
      const x = uniform(outer * n * inner);
      const idx = Int32Array.from({ length: 9 }, () => Math.floor(rand() * n));
      const m = idx.length;
      const got = new Float32Array(outer * m * inner);
      const want = new Float32Array(outer * m * inner);
      fast.indexSelect(x, outer, n, inner, idx, got);
      js.indexSelect(x, outer, n, inner, idx, want);
      exact(got, want, `indexSelect inner=${inner}`);
      const acc = uniform(outer * n * inner);
      const accW = acc.slice();
      fast.indexAdd(got, outer, n, inner, idx, acc);
      js.indexAdd(want, outer, n, inner, idx, accW);
      exact(acc, accW, `indexAdd inner=${inner}`);
    }
    const b: Backend = fast;
    const x = uniform(24);
    const arg = [new Int32Array(6), new Int32Array(6)];
    b.argReduce('argmax', x, 2, 4, 3, arg[0]);
    js.argReduce('argmax', x, 2, 4, 3, arg[1]);
    exact(arg[0], arg[1], 'argmax');
  });

  /** A random view of rank 0..8 over a larger array: permuted, sliced with steps and offsets, some dims broadcast. */
  function randomView(): { view: StridedView; shape: number[]; size: number } {
    const rank = pick([0, 1, 2, 3, 4, 4, 5, 6, 7, 8]);
    const shape = Array.from({ length: rank }, () => pick([1, 1, 2, 3, 4, 5, 7, 16, 17, 33]).valueOf()).slice(0, rank);
    while (shape.reduce((a, b) => a * b, 1) > 6000) shape[shape.indexOf(Math.max(...shape))] = 2;
    // a contiguous parent with room for a step and an offset on each dim, then permuted
    const steps = shape.map(() => pick([1, 1, 2]));
    const parent = shape.map((d, i) => d * steps[i] + pick([0, 1]));
    const pStrides = new Array<number>(rank);
    for (let i = rank - 1, s = 1; i >= 0; i--) { pStrides[i] = s; s *= parent[i]; }
    let strides = pStrides.map((s, i) => (shape[i] !== 1 && rand() < 0.15 ? 0 : s * steps[i]));
    let offset = pick([0, 1, 5]);
    const total = parent.reduce((a, b) => a * b, 1) + offset;
    const perm = shape.map((_, i) => i).sort(() => rand() - 0.5);
    const pShape = perm.map((p) => shape[p]);
    strides = perm.map((p) => strides[p]);
    const data = uniform(total);
    const size = pShape.reduce((a, b) => a * b, 1);
    if (rand() < 0.1) offset = 0;
    return { view: { data, offset, strides }, shape: pShape, size };
  }

  test('copyStrided and addIntoStrided: random views (permuted, stepped, broadcast, offset), ranks 0-8, float32/float64/int32', () => {
    for (let t = 0; t < 400; t++) {
      const { view, shape, size } = randomView();
      const kind = t % 5 === 3 ? 'f64' : t % 5 === 4 ? 'i32' : 'f32';
      const data = kind === 'f64' ? Float64Array.from(view.data) : kind === 'i32' ? Int32Array.from(view.data, (v) => Math.round(v * 100)) : view.data;
      const v: StridedView = { ...view, data };
      const Ctor = data.constructor as new (n: number) => Float32Array;
      const got = new Ctor(size);
      const want = new Ctor(size);
      fast.copyStrided(v, shape, got);
      js.copyStrided(v, shape, want);
      exact(got, want, `copyStrided ${kind} [${shape}] strides [${view.strides}]`);
      if (kind === 'i32') continue;
      const src = kind === 'f64' ? Float64Array.from(uniform(size)) : uniform(size);
      const dG = data.slice();
      const dW = data.slice();
      fast.addIntoStrided(src, { ...v, data: dG }, shape);
      js.addIntoStrided(src, { ...v, data: dW }, shape);
      // broadcast destinations add several values into one place: the order may differ
      close(dG, dW, 1e-6, 1e-6, `addIntoStrided ${kind} [${shape}] strides [${view.strides}]`);
    }
  });

  test('geluTanh forward and backward (where the backend has them): a dense sweep, large and special values', (t) => {
    if (!fast.geluTanh || !fast.geluTanhBackward) return t.skip(`${fast.name} uses the reference loop`);
    const sweep = Float32Array.from({ length: 4001 }, (_, i) => -20 + i * 0.01);
    const x = Float32Array.from([...sweep, ...uniform(517, -6, 6), 0, -0, NaN, Infinity, -Infinity, 1e-30, -1e-30, 3e38, -3e38]);
    const got = new Float32Array(x.length), want = new Float32Array(x.length);
    fast.geluTanh(x, got);
    refGeluTanh(x, want);
    close(got, want, 2e-6, 2e-6, 'geluTanh');
    const g = uniform(x.length, -2, 2);
    fast.geluTanhBackward(x, g, got);
    refGeluTanhBackward(x, g, want);
    close(got, want, 1e-5, 1e-5, 'geluTanhBackward');
  });

  test('dropout forward and backward (where the backend has them) equal the reference element for element', (t) => {
    if (!fast.dropout || !fast.dropoutBackward) return t.skip(`${fast.name} uses the reference loop`);
    for (const n of [1, 7, 1000, 300_000]) {
      for (const p of [1e-9, 0.1, 0.5, 0.999999, 1 - 2 ** -33]) {
        const bits = Uint32Array.from({ length: n + 5 }, () => Math.floor(rand() * 4294967296));
        bits[0] = 0; bits[n - 1] = 0xffffffff;
        const x = uniform(n, -3, 3);
        x[n >> 1] = NaN;
        const threshold = Math.round(p * 4294967296) - 2147483648;
        const scale = Math.fround(1 / (1 - p));
        const [out, mask, outW, maskW] = [new Float32Array(n), new Float32Array(n), new Float32Array(n), new Float32Array(n)];
        fast.dropout(bits, threshold, scale, x, out, mask);
        refDropout(bits, threshold, scale, x, outW, maskW);
        exact(mask, maskW, `dropout mask n=${n} p=${p}`);
        exact(out, outW, `dropout out n=${n} p=${p}`);
        const g = uniform(n);
        const [gx, gxW] = [new Float32Array(n), new Float32Array(n)];
        fast.dropoutBackward(g, mask, gx);
        refDropoutBackward(g, maskW, gxW);
        exact(gx, gxW, `dropout backward n=${n} p=${p}`);
      }
    }
  });

  // ---- fused attention -------------------------------------------------------------------------

  test('attention: fused forward and backward equal the reference (strided rows, broadcast masks, dropout, both gradients)', (t) => {
    if (!fast.attention || !fast.attentionBackward) return t.skip(`${fast.name} has no fused attention (it composes the ops)`);
    for (let c = 0; c < 40; c++) {
      const n = pick([1, 2, 3, 6]), T = pick([1, 2, 5, 8, 13]), S = pick([1, 3, 8, 9, 17, 33]), D = pick([1, 4, 8, 16, 17, 32]);
      const Dv = pick([D, 5, 16]);
      // (batch, head) slices of padded rows, one slice `gap` after another: heads read straight out of a projection
      const heads = pick([1, n]), batches = n / heads;
      const pad = (w: number): number => w + pick([0, 0, 3]);
      const laid = (rows: number, width: number): { data: Float32Array; offset: number; strides: number[] } => {
        const row = pad(width), sh = rows * row + 1, sb = heads * sh + 2;
        return { data: uniform(3 + batches * sb), offset: 3, strides: [sb, sh, row, 1] };
      };
      const [q, k, v] = [laid(T, D), laid(S, D), laid(S, Dv)];
      const maskKind = c % 3; // none, (T, S) shared, (n, 1, S) per slice
      let mask: AttentionParams['mask'] = null;
      if (maskKind === 1) {
        const m = uniform(T * S, -4, 1);
        for (let i = 0; i < T; i++) for (let s = i + 1; s < S; s++) if (s > i + S - T) m[i * S + s] = -Infinity;
        mask = { data: m, offset: 0, strides: [0, 0, S, 1] };
      } else if (maskKind === 2) {
        mask = { data: uniform(n * S, -4, 1), offset: 0, strides: [heads * S, S, 0, 1] };
      }
      const drop = c % 4 === 3 ? Float32Array.from({ length: n * T * S }, () => (rand() < 0.2 ? 0 : Math.fround(1 / 0.8))) : null;
      const p: AttentionParams = { n, heads, t: T, s: S, d: D, dv: Dv, scale: 1 / Math.sqrt(D), q, k, v, mask, drop };
      const label = `attention n=${n} T=${T} S=${S} D=${D} Dv=${Dv} mask=${maskKind} drop=${!!drop}`;
      const [out, probs, dropped] = [new Float32Array(n * T * Dv), new Float32Array(n * T * S), drop ? new Float32Array(n * T * S) : null];
      const [outW, probsW, droppedW] = [new Float64Array(n * T * Dv), new Float64Array(n * T * S), drop ? new Float64Array(n * T * S) : null];
      fast.attention(p, out, probs, dropped);
      refAttention(p, outW, probsW, droppedW);
      close(probs, probsW, 1e-5, 1e-6, `${label}: weights`);
      if (dropped) close(dropped, droppedW!, 1e-5, 1e-6, `${label}: weights after dropout`);
      close(out, outW, 1e-5, 2e-6 * (S + 1), `${label}: output`);
      for (const [withOut, withWeights] of [[true, false], [false, true], [true, true]]) {
        const gOut = withOut ? uniform(n * T * Dv) : null, gW = withWeights ? uniform(n * T * S) : null;
        const [dq, dk, dv] = [new Float32Array(n * T * D), new Float32Array(n * S * D), withOut ? new Float32Array(n * S * Dv) : null];
        const [dqW, dkW, dvW] = [new Float64Array(n * T * D), new Float64Array(n * S * D), withOut ? new Float64Array(n * S * Dv) : null];
        fast.attentionBackward(p, probs, gOut, gW, dq, dk, dv);
        refAttentionBackward(p, Float64Array.from(probs), gOut, gW, dqW, dkW, dvW);
        const what = `${label} backward (gOut ${withOut}, gWeights ${withWeights})`;
        close(dq, dqW, 1e-4, 1e-5 * (S + Dv + 1), `${what}: dq`);
        close(dk, dkW, 1e-4, 1e-5 * (T + Dv + 1), `${what}: dk`);
        if (dv) close(dv, dvW!, 1e-4, 1e-5 * (T + 1), `${what}: dv`);
      }
    }
  });

  test("attention: a row's weights do not depend on how many masked positions follow it", (t) => {
    if (!fast.attention) return t.skip(`${fast.name} has no fused attention`);
    const D = 8, T = 5;
    const q = uniform(T * D), kFull = uniform(40 * D), vFull = uniform(40 * D);
    const run = (S: number): Float32Array => {
      const mask = new Float32Array(T * S);
      for (let i = 0; i < T; i++) mask.fill(-Infinity, i * S + i + 1, (i + 1) * S);
      const rows = (data: Float32Array) => ({ data, offset: 0, strides: [0, 0, D, 1] });
      const p: AttentionParams = {
        n: 1, heads: 1, t: T, s: S, d: D, dv: D, scale: 0.3, q: rows(q), k: rows(kFull), v: rows(vFull),
        mask: { data: mask, offset: 0, strides: [0, 0, S, 1] }, drop: null,
      };
      const out = new Float32Array(T * D);
      fast.attention!(p, out, new Float32Array(T * S), null);
      return out;
    };
    const five = run(5);
    for (const S of [8, 9, 17, 40]) exact(run(S), five, `causal rows with ${S} key positions`);
  });
}
