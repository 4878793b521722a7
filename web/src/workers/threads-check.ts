/**
 * A diagnostic worker: how many threads the engine's matmul uses in this page, and whether a large
 * product on all of them equals the one-thread product bit for bit (the playground's test asks it;
 * a reader can too, from the console: `new Worker('workers/threads-check.js', { type: 'module' })`).
 * Replies once: { isolated, threads, ready, equal, shape, msOne, msAll }.
 */
import { getBackend } from '../../../src/backend/backend.js';
import { setWasmThreads } from '../../../src/backend/wasm/index.js';
import { randn } from '../../../src/tensor/create.js';
import { matmul } from '../../../src/ops/matmul.js';
import { Generator } from '../../../src/util/random.js';

interface ThreadInfo { threads?: number; readyThreads?: () => number }

async function check(size: number): Promise<Record<string, unknown>> {
  const backend = getBackend() as unknown as ThreadInfo & { name: string };
  const threads = backend.threads ?? 1;
  // the matmul workers start in the background: wait (bounded) until all are ready
  for (let i = 0; i < 250 && (backend.readyThreads?.() ?? 1) < threads; i++) await new Promise((r) => setTimeout(r, 20));
  const g = new Generator(0);
  const a = randn([size, size], { generator: g });
  const b = randn([size, size], { generator: g });
  matmul(a, b); // warm-up: the first product pays for growing memory and packing buffers
  setWasmThreads(1);
  let t0 = performance.now();
  const one = matmul(a, b).toFloat32Array();
  const msOne = performance.now() - t0;
  setWasmThreads(threads);
  t0 = performance.now();
  const all = matmul(a, b).toFloat32Array();
  const msAll = performance.now() - t0;
  let equal = one.length === all.length;
  for (let i = 0; equal && i < one.length; i++) if (!Object.is(one[i], all[i])) equal = false;
  return { backend: backend.name, isolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true, threads, ready: backend.readyThreads?.() ?? 1, equal, shape: [size, size, size], msOne, msAll };
}

self.onmessage = (ev: MessageEvent<{ size?: number }>) => {
  const size = Math.max(1, Math.min(2048, Math.floor(ev.data?.size ?? 512)));
  check(size).then(
    (r) => postMessage(r),
    (e: unknown) => postMessage({ error: e instanceof Error ? e.message : String(e) }),
  );
};
