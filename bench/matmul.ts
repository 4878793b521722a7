/**
 * W1 matmul, float32: GFLOPS = 2·m·k·n / time of the js reference vs the wasm and native backends (one thread,
 * then all threads: LLMCORE_THREADS or the cores), on the shapes and every transpose variant
 * at 512³. Fixed-seed data, warm-up, then the median of repeats. Times include the copies into and
 * out of wasm memory, as a real call pays them.
 *
 *   npx tsx bench/matmul.ts            the table
 *   npx tsx bench/matmul.ts --json     one JSON object per measurement and line
 */
import type { MatmulParams } from '../src/backend/backend.js';
import { createJsBackend } from '../src/backend/js/index.js';
import { createWasmBackend, setWasmThreads } from '../src/backend/wasm/index.js';
import { createNativeBackend, loadNativeKernels, nativeSupported, setNativeThreads } from '../src/backend/native/index.js';

const json = process.argv.includes('--json');

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

/** Median seconds of one call: repeats until ~`budget` seconds or `maxReps`, after a warm-up. */
function time(fn: () => void, budget: number, maxReps = 50): number {
  const t0 = performance.now();
  fn();
  const first = (performance.now() - t0) / 1000;
  const reps = Math.max(3, Math.min(maxReps, Math.floor(budget / Math.max(first, 1e-6))));
  for (let i = 0; i < Math.min(3, reps); i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    fn();
    ts.push((performance.now() - s) / 1000);
  }
  ts.sort((a, b) => a - b);
  return ts[ts.length >> 1];
}

interface Shape { m: number; k: number; n: number; transA: boolean; transB: boolean }

const shapes: Shape[] = [];
for (const n of [128, 256, 512, 1024]) shapes.push({ m: n, k: n, n, transA: false, transB: false });
shapes.push({ m: 512, k: 128, n: 512, transA: false, transB: false });
shapes.push({ m: 512, k: 512, n: 128, transA: false, transB: false });
shapes.push({ m: 512, k: 512, n: 512, transA: true, transB: false });
shapes.push({ m: 512, k: 512, n: 512, transA: false, transB: true });
shapes.push({ m: 512, k: 512, n: 512, transA: true, transB: true });

const js = createJsBackend();
const wasm = createWasmBackend();
// let the worker threads start (bounded wait)
for (let i = 0; i < 250 && wasm.readyThreads() < wasm.threads; i++) await new Promise((r) => setTimeout(r, 20));
const threads = wasm.readyThreads();
interface Lib { name: string; threads: number; run: (a: Float32Array, b: Float32Array, out: Float32Array, p: MatmulParams) => void }
const libs: Lib[] = [
  { name: 'js', threads: 1, run: (a, b, out, p) => js.matmul(a, b, out, p) },
  { name: 'wasm', threads: 1, run: (a, b, out, p) => { setWasmThreads(1); wasm.matmul(a, b, out, p); } },
];
if (threads > 1) libs.push({ name: 'wasm', threads, run: (a, b, out, p) => { setWasmThreads(threads); wasm.matmul(a, b, out, p); } });
// the native backend (through Node-API, where it was built): one thread and all of them, with the tile it
// chooses (AVX-512 where the CPU has it) and, where that is AVX-512, with the AVX2 tile forced beside it
if (nativeSupported()) {
  const native = createNativeBackend();
  const { kernels } = loadNativeKernels();
  const tiles: [string, number][] = kernels!.setTile(-1) === 512 ? [['native', -1], ['native-avx2', 0]] : [['native', -1]];
  for (const [name, tile] of tiles) {
    const run = (n: number) => (a: Float32Array, b: Float32Array, out: Float32Array, p: MatmulParams) => {
      setNativeThreads(n);
      kernels!.setTile(tile);
      native.matmul(a, b, out, p);
      kernels!.setTile(-1);
    };
    libs.push({ name, threads: 1, run: run(1) });
    if (threads > 1) libs.push({ name, threads, run: run(threads) });
  }
}
const rows: string[][] = [];
for (const s of shapes) {
  const rand = prng(1234);
  const a = Float32Array.from({ length: s.m * s.k }, rand);
  const b = Float32Array.from({ length: s.k * s.n }, rand);
  const out = new Float32Array(s.m * s.n);
  const p: MatmulParams = {
    batch: 1, m: s.m, k: s.k, n: s.n, transA: s.transA, transB: s.transB, aOffset: 0, bOffset: 0, aBatchStride: 0, bBatchStride: 0,
  };
  const flops = 2 * s.m * s.k * s.n;
  const label = `${s.m}x${s.k}x${s.n}`;
  const variant = `${s.transA ? 'T' : 'N'}${s.transB ? 'T' : 'N'}`;
  const gflops: number[] = [];
  for (const lib of libs) {
    // the js reference is slow at 1024³: fewer repeats
    const sec = time(() => lib.run(a, b, out, p), lib.name === 'js' ? 1.5 : 1.0, lib.name === 'js' ? 7 : 50);
    const g = flops / sec / 1e9;
    gflops.push(g);
    if (json) console.log(JSON.stringify({ workload: 'W1', lib: `llmcore-${lib.name}`, shape: label, variant, value: +g.toFixed(2), unit: 'GFLOPS', threads: lib.threads }));
  }
  rows.push([label, variant, ...gflops.map((g) => g.toFixed(1)), (gflops[gflops.length - 1] / gflops[0]).toFixed(0) + 'x']);
}

if (!json) {
  const head = ['shape MxKxN', 'op(A)op(B)', ...libs.map((l) => `${l.name} ${l.threads}T GFLOPS`), 'best/js'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => c.padStart(widths[i])).join(' | ') + ' |';
  console.log(line(head));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
  console.log(`(median of repeats after warm-up; node ${process.version}; T = threads)`);
}
