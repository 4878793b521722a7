/**
 * The threaded matmul's wait for its workers is bounded: a worker that died (or hangs) makes the
 * product fail with a clear error instead of blocking the process, and threads stay off afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WasmRuntime } from '../../src/backend/wasm/runtime.js';
import { MatmulPool } from '../../src/backend/wasm/threads.js';
import { wasmMatmul } from '../../src/backend/wasm/matmul.js';

test('a matmul whose worker thread died fails within the wait limit, then runs on one thread', async (t) => {
  const rt = new WasmRuntime();
  if (!rt.shared) return t.skip('no shared WebAssembly memory here: matmul has no worker threads to wait for');
  const pool = new MatmulPool(rt, 2);
  for (let i = 0; i < 250 && pool.ready() < 1; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(pool.ready(), 1, 'the worker started within 5 s');
  // kill it the way a crash would: it stays counted as ready, so the next product hands it a chunk
  await (pool as unknown as { workers: { terminate(): Promise<number> }[] }).workers[0].terminate();
  pool.waitTimeoutMs = 300;

  const [m, k, n] = [256, 128, 256]; // 8M multiply-adds: above MIN_PARALLEL_FLOPS, so split across threads
  const a = new Float32Array(m * k).fill(1);
  const b = new Float32Array(k * n).fill(0.5);
  const p = { batch: 1, m, k, n, transA: false, transB: false, aOffset: 0, bOffset: 0, aBatchStride: m * k, bBatchStride: k * n, accumulate: false };
  const started = Date.now();
  assert.throws(() => wasmMatmul(rt, pool, a, b, new Float32Array(m * n), p), /^Error: backend 'wasm': matmul worker thread 1 did not finish its chunk within [\d.]+ s; threads are off from now on$/);
  assert.ok(Date.now() - started < 10_000, `failed in ${Date.now() - started} ms`);
  assert.equal(pool.ready(), 0, 'no worker is offered work again');
  const out = new Float32Array(m * n);
  wasmMatmul(rt, pool, a, b, out, p);
  assert.ok(out.every((v) => v === 64), 'the next product runs on the calling thread, right');
});
