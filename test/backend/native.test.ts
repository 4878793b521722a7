/**
 * The native backend (native/*.cc through Node-API): every kernel it replaces held to the reference
 * (./kernel-parity.ts), its own block sizes and thread split, bounds that throw instead of corrupting
 * memory, and the choice of backend. Where the addon cannot run (not built, a CPU without AVX2/FMA) the
 * tests skip with the reason — except under CI, which builds it at install and must run them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { MatmulParams } from '../../src/backend/backend.js';
import { getBackend, listBackends } from '../../src/backend/backend.js';
import { matmulNaive } from '../../src/backend/js/matmul.js';
import { createNativeBackend, loadNativeKernels, setNativeThreads } from '../../src/backend/native/index.js';
import { defaultThreadCount } from '../../src/backend/wasm/index.js';
import { isCi } from '../helpers/fixtures.js';
import { close, exact, kernelParityTests, uniform } from './kernel-parity.js';

const { kernels, reason } = loadNativeKernels();
if (!kernels && isCi()) {
  test('native backend builds and loads under CI', () => assert.fail(`the native backend did not load under CI: ${reason}`));
} else if (!kernels) {
  test('native backend', (t) => { t.skip(`not available here: ${reason}`); });
} else {
  const native = createNativeBackend();

  test('native backend: registered, the default, the wasm backend beneath it', () => {
    assert.ok(listBackends().includes('native'));
    assert.equal(native.name, 'native');
    assert.equal(getBackend().name, 'native', 'the fastest backend is the default');
    assert.equal(native.hold, undefined, 'no kept copies: the kernels read the arrays where they are');
  });

  kernelParityTests(native);

  const product = (p: MatmulParams, a: Float32Array, b: Float32Array, out: Float32Array): Float32Array => {
    native.matmul(a, b, out, p);
    return out;
  };

  test('matmul: sizes crossing the native blocks (MR=6|8, NR=16|32, KC=256, MC=120|128, NC=2048), with bias', () => {
    for (const [m, k, n] of [[121, 257, 17], [126, 513, 33], [7, 3, 2049], [241, 300, 15], [6, 256, 16], [129, 40, 65], [8, 256, 32]] as const) {
      for (let v = 0; v < 8; v++) {
        const p: MatmulParams = {
          batch: 1, m, k, n, transA: (v & 1) === 1, transB: (v & 2) === 2, aOffset: 2, bOffset: 1, aBatchStride: m * k, bBatchStride: k * n,
          accumulate: (v & 4) === 4, bias: v >= 6 ? uniform(n) : undefined,
        };
        const a = uniform(2 + m * k), b = uniform(1 + k * n), init = uniform(m * n);
        const want = init.slice();
        matmulNaive(a, b, want, p);
        close(product(p, a, b, init.slice()), want, 2e-5, 2e-5, `${m}x${k}x${n} variant ${v}`);
      }
    }
  });

  test('matmul: the AVX2 and AVX-512 register tiles give the same bits (the tile is chosen by shape)', (t) => {
    if (kernels.setTile(-1) !== 512) return t.skip('this CPU has no AVX-512: one tile only');
    try {
      for (const [batch, m, k, n] of [[1, 121, 257, 17], [1, 126, 513, 33], [1, 7, 3, 2049], [3, 130, 300, 70], [1, 8, 256, 32], [2, 600, 130, 96]] as const) {
        for (let v = 0; v < 8; v++) {
          const p: MatmulParams = {
            batch, m, k, n, transA: (v & 1) === 1, transB: (v & 2) === 2, aOffset: 0, bOffset: 0, aBatchStride: m * k, bBatchStride: k * n,
            accumulate: (v & 4) === 4, bias: v >= 6 ? uniform(n) : undefined,
          };
          const a = uniform(batch * m * k), b = uniform(batch * k * n), init = uniform(batch * m * n);
          kernels.setTile(0);
          const avx2 = product(p, a, b, init.slice());
          kernels.setTile(1);
          const avx512 = product(p, a, b, init.slice());
          exact(avx512, avx2, `${batch}x${m}x${k}x${n} variant ${v}`);
        }
      }
    } finally {
      kernels.setTile(-1);
    }
  });

  test('matmul: one thread and every thread give the same numbers (the split never changes a sum)', (t) => {
    if (defaultThreadCount() < 2) return t.skip('one core');
    try {
      for (const [batch, m, k, n] of [[1, 600, 130, 70], [1, 40, 90, 1500], [33, 48, 64, 48]] as const) {
        assert.ok(batch * m * k * n >= 1 << 22, "above the size at which a product is split between threads");
        const p: MatmulParams = { batch, m, k, n, transA: false, transB: true, aOffset: 0, bOffset: 0, aBatchStride: m * k, bBatchStride: 0 };
        const a = uniform(batch * m * k), b = uniform(k * n);
        setNativeThreads(1);
        const one = product(p, a, b, new Float32Array(batch * m * n));
        setNativeThreads(64);
        const all = product(p, a, b, new Float32Array(batch * m * n));
        exact(all, one, `${batch}x${m}x${k}x${n}`);
      }
    } finally {
      setNativeThreads(64);
    }
  });

  test('bounds: operands shorter than the shapes are an error, never a write out of bounds', () => {
    const p: MatmulParams = { batch: 2, m: 3, k: 4, n: 5, transA: false, transB: false, aOffset: 0, bOffset: 0, aBatchStride: 12, bBatchStride: 20 };
    assert.throws(() => kernels.sgemm(new Float32Array(23), new Float32Array(40), new Float32Array(30), null, 2, 3, 4, 5, 0, 0, 0, 0, 12, 20, 0), RangeError);
    assert.throws(() => native.matmul(new Float32Array(24), new Float32Array(40), new Float32Array(29), p), RangeError);
    assert.throws(() => kernels.copyStrided(new Float32Array(4), 1, new Float32Array(4), 1, 1, 1, 1, 1, 4, 0, 0, 0, 0, 0, 1), RangeError);
    assert.throws(() => kernels.copyStrided(new Float32Array(4), 2, new Float32Array(4), 1, 1, 1, 1, 1, 4, 0, 0, 0, 0, 0, -1), RangeError,
      'a negative stride walking below index 0');
    assert.throws(() => kernels.crossEntropy(new Float32Array(6), 2, 3, Int32Array.from([0, 3]), 0, new Float32Array(2), new Float32Array(4)), RangeError);
    assert.throws(() => kernels.adam(new Float32Array(4), new Float32Array(3), new Float32Array(4), new Float32Array(4), null, 0.9, 0.1, 0.99, 0.01, 1e-8, 1, 1, 1, 0, false), RangeError);
    // attention: 2 slices of 3 queries, 4 keys, 5 features; q one element short, then a mask stride reaching past its end
    const attn = (q: number, mask: (number | Float32Array | null)[]) => kernels.attention(
      2, 1, 3, 4, 5, 5, 1, // n, heads, t, s, d, dv, scale
      new Float32Array(q), 0, 15, 0, 5, new Float32Array(40), 0, 20, 0, 5, new Float32Array(40), 0, 20, 0, 5, // q, k, v: offset, sb, sh, row
      ...mask, null, new Float32Array(30), new Float32Array(24), null, // mask, drop, out, probs, dropped
    );
    attn(30, [null, 0, 0, 0, 0, 0]);
    assert.throws(() => attn(29, [null, 0, 0, 0, 0, 0]), RangeError);
    assert.throws(() => attn(30, [new Float32Array(12), 0, 0, 0, 4, 2]), RangeError);
    assert.throws(() => kernels.sgemm(new Float64Array(4) as unknown as Float32Array, new Float32Array(4), new Float32Array(4), null, 1, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0), TypeError);
  });

  test('LLMCORE_NATIVE=0 and LLMCORE_BACKEND=wasm choose the wasm backend; the default is native', () => {
    const name = (env: Record<string, string>): string => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', "import('./src/backend/backend.ts').then((m) => console.log(m.getBackend().name))"], {
        encoding: 'utf8', env: { ...process.env, LLMCORE_BACKEND: '', LLMCORE_NATIVE: '', ...env },
      });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    };
    assert.equal(name({}), 'native');
    assert.equal(name({ LLMCORE_NATIVE: '0' }), 'wasm');
    assert.equal(name({ LLMCORE_BACKEND: 'wasm' }), 'wasm');
  });
}
