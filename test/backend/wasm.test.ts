/**
 * The wasm backend: its kernels' parity with the reference (./kernel-parity.ts), and what is its own —
 * the kept copies of held operands, the memory arena, worker threads, unshared memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import type { MatmulParams } from '../../src/backend/backend.js';
import { listBackends } from '../../src/backend/backend.js';
import { matmulNaive } from '../../src/backend/js/matmul.js';
import { createWasmBackend, JS_KERNELS, setWasmThreads, wasmSimdSupported } from '../../src/backend/wasm/index.js';
import { moduleBytes } from '../../src/backend/wasm/runtime.js';
import { KERNELS_WASM_SHA256 } from '../../src/backend/wasm/kernels.wasm.js';
import { close, exact, js, kernelParityTests, uniform } from './kernel-parity.js';

const wasm = createWasmBackend();

test('wasm backend: registered, SIMD detected, module checksum present', () => {
  assert.equal(wasmSimdSupported(), true);
  assert.ok(listBackends().includes('wasm'));
  assert.equal(wasm.name, 'wasm');
  assert.match(KERNELS_WASM_SHA256, /^[0-9a-f]{64}$/);
  for (const k of JS_KERNELS) assert.equal(typeof wasm[k], 'function');
});

kernelParityTests(wasm);

test('hold: matmuls read a held operand from its kept copy, identical results; released arrays are read afresh', () => {
  const m = 5, k = 33, n = 17;
  const a = uniform(3 * m * k);
  const w = uniform(k * n);
  const p: MatmulParams = { batch: 1, m, k, n, transA: false, transB: false, aOffset: m * k, bOffset: 0, aBatchStride: 0, bBatchStride: 0 };
  const plain = new Float32Array(m * n);
  wasm.matmul(a, w, plain, p);
  const release = wasm.hold!(w);
  const nested = wasm.hold!(a); // a second hold keeps nothing
  const held = new Float32Array(m * n);
  for (let r = 0; r < 3; r++) {
    wasm.softmax(uniform(64), 4, 16, new Float32Array(64), false); // other kernels in between
    wasm.matmul(a, w, held, p);
    exact(held, plain, `held matmul, round ${r}`);
  }
  // the held array read transposed, with accumulation
  const acc = uniform(m * k);
  const accW = acc.slice();
  const q: MatmulParams = { ...p, k: n, n: k, transB: true, aOffset: 0, accumulate: true };
  wasm.matmul(a, w, acc, q);
  js.matmul(a, w, accW, q);
  close(acc, accW, 1e-5, 1e-5, 'held, transposed, accumulated');
  nested();
  release();
  w.fill(0.5); // after release the array may change, and matmul must see it
  const after = new Float32Array(m * n);
  const want = new Float32Array(m * n);
  wasm.matmul(a, w, after, p);
  js.matmul(a, w, want, p);
  close(after, want, 1e-5, 1e-5, 'after release');
});

test('memory: repeated calls reuse the arena (no growth after the first of a size)', () => {
  const rt = wasm.runtime;
  const a = uniform(256 * 256);
  const out = new Float32Array(256 * 256);
  const p: MatmulParams = { batch: 1, m: 256, k: 256, n: 256, transA: false, transB: true, aOffset: 0, bOffset: 0, aBatchStride: 0, bBatchStride: 0 };
  wasm.matmul(a, a, out, p);
  wasm.softmax(a, 256, 256, out, false);
  const before = rt.memoryBytes;
  for (let i = 0; i < 50; i++) {
    wasm.matmul(a, a, out, p);
    wasm.unary('tanh', a, out);
    wasm.softmax(a, 256, 256, out, true);
  }
  assert.equal(rt.memoryBytes, before);
});

test('matmul: multi-threaded products (worker threads on shared memory) match, with and without threads', async (t) => {
  if (wasm.threads < 2) {
    return t.skip(`matmul runs on ${wasm.threads} thread here (${availableParallelism()} core(s) available, LLMCORE_THREADS=${process.env.LLMCORE_THREADS ?? 'unset'}, or no shared memory): nothing to compare`);
  }
  // workers start in the background; wait (bounded) until they are all ready
  for (let i = 0; i < 250 && wasm.readyThreads() < wasm.threads; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(wasm.readyThreads(), wasm.threads, 'worker threads ready within 5 s');
  for (const [batch, m, k, n] of [[2, 128, 96, 130], [2, 133, 257, 65], [2, 97, 100, 300], [1, 8, 512, 512], [6, 33, 130, 257], [16, 17, 64, 600]] as const) {
    for (let v = 0; v < 4; v++) {
      const p: MatmulParams = {
        batch, m, k, n, transA: (v & 1) === 1, transB: (v & 2) === 2, aOffset: 1, bOffset: 0,
        aBatchStride: m * k, bBatchStride: v === 3 ? 0 : k * n, accumulate: v === 2,
      };
      const a = uniform(1 + batch * m * k);
      const b = uniform(batch * k * n);
      const init = uniform(batch * m * n);
      const multi = init.slice();
      const single = init.slice();
      setWasmThreads(64);
      wasm.matmul(a, b, multi, p);
      setWasmThreads(1);
      wasm.matmul(a, b, single, p);
      setWasmThreads(64);
      // each row is computed by the same code on one thread either way: identical bits
      exact(multi, single, `threaded matmul ${batch}x${m}x${k}x${n} v${v}`);
    }
  }
});

test('kernels module runs on unshared memory (no SharedArrayBuffer: the shared flag is cleared)', () => {
  const module = new WebAssembly.Module(moduleBytes(false) as BufferSource);
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 65536 });
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as {
    heapBase(): number; matmulScratchBytes(): number; matmul(...args: number[]): void;
  };
  const base = (k.heapBase() + 63) & ~63;
  memory.grow(Math.ceil((base + 3 * 64 + k.matmulScratchBytes() + 128) / 65536));
  const f = new Float32Array(memory.buffer);
  const a = uniform(16);
  const b = uniform(16);
  f.set(a, base / 4);
  f.set(b, base / 4 + 16);
  k.matmul(base, base + 64, base + 128, 1, 4, 4, 4, 0, 0, 0, 0, 0, base + 192);
  const want = new Float64Array(16);
  matmulNaive(Float64Array.from(a), Float64Array.from(b), want, { batch: 1, m: 4, k: 4, n: 4, transA: false, transB: false, aOffset: 0, bOffset: 0, aBatchStride: 0, bBatchStride: 0 });
  close(f.subarray(base / 4 + 32, base / 4 + 48), want, 1e-6, 1e-6, 'unshared matmul');
});
