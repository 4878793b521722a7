/**
 * Matmul across cores: worker threads that instantiate the same kernels module on the same shared
 * memory and, together with the calling thread, compute the product in chunks (bands of rows, or
 * groups of batches), each thread with its own packing scratch.
 *
 * In Node, worker_threads (reached through process.getBuiltinModule so nothing is imported
 * statically and the engine still loads in a browser). In a browser, Web Workers over the same
 * shared memory, where the page is cross-origin isolated (SharedArrayBuffer) and the engine runs in
 * a worker itself: the calling thread waits with Atomics.wait, which a page's main thread may not.
 * Elsewhere (a page's main thread, a page that is not isolated, no workers) one thread, chosen
 * automatically. Workers are started in the background and
 * unref'd (they never keep the process alive); a product is split only once they are ready and only
 * when it is large enough to repay the wake-up (see `MIN_PARALLEL_FLOPS`), so small ops never wait
 * for a thread. Chunks are taken from a shared counter, so when a worker is descheduled (a busy
 * machine), the calling thread takes over its share instead of waiting for it.
 *
 * Control block: an Int32Array on a SharedArrayBuffer. Header (the job, read by every thread):
 *   [0] next chunk (Atomics.add)  [1] chunks  [2] 1: chunks are batch groups, 0: row bands
 *   [3] batches or rows per chunk  [4] batch  [5...15] matmulPart's first 11 arguments
 * Then CTRL_WORDS words per worker:
 *   [0] job number, bumped by the calling thread to start a job (notify)
 *   [1] job number done, written by the worker when it finishes (notify)
 *   [2] 1 once the worker has instantiated the module   [3] its scratch address
 *   [31] 1 if the worker's kernel threw
 */
import type { WasmRuntime } from './runtime.js';

const HEADER = 16;
const CTRL_WORDS = 32;
const FAILED = CTRL_WORDS - 1;

/**
 * Below this many multiply-adds (batch·m·k·n) a product runs on the calling thread alone: waking a
 * worker costs tens of microseconds, and 128³ (2M) measured slower on two threads than on one.
 */
export const MIN_PARALLEL_FLOPS = 1 << 22;

/**
 * The least time the calling thread waits for a worker to finish its last chunk. Once the caller has
 * done its own share every chunk is taken, so a live worker is at most one chunk from done; past this
 * (or 50 times what the caller's share took, for very large products) the worker is taken for dead or
 * hung and the product fails instead of blocking the process forever.
 */
export const WORKER_WAIT_MS = 30_000;

/** Computes chunks until none is left; shared by the workers (as source) and the calling thread. */
function work(c: Int32Array, k: { matmulPart(...args: number[]): void }, scratch: number): void {
  const chunks = c[1];
  const byBatch = c[2] === 1;
  const per = c[3];
  const batch = c[4];
  const m = c[8];
  for (;;) {
    const u = Atomics.add(c, 0, 1);
    if (u >= chunks) return;
    const lo = u * per;
    const b0 = byBatch ? lo : 0;
    const b1 = byBatch ? Math.min(batch, lo + per) : batch;
    const i0 = byBatch ? 0 : lo;
    const i1 = byBatch ? m : Math.min(m, lo + per);
    k.matmulPart(c[5] >>> 0, c[6] >>> 0, c[7] >>> 0, c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15], scratch >>> 0, b0, b1, i0, i1);
  }
}

// What a worker does once it has its module, memory and control block: instantiate on the shared
// memory, say it is ready, then serve jobs until told to stop. Node and browsers hand over those
// three differently (workerData / the first message), so each program below wraps this one loop.
const SERVE_JOBS = `
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const c = new Int32Array(ctrl);
  const work = ${work.toString()};
  Atomics.store(c, base + 2, 1);
  let seen = Atomics.load(c, base);
  for (;;) {
    Atomics.wait(c, base, seen);
    const job = Atomics.load(c, base);
    if (job === seen) continue;
    if (job < 0) break;
    seen = job;
    try {
      work(c, k, c[base + 3]);
    } catch {
      Atomics.store(c, base + ${FAILED}, 1);
    }
    Atomics.store(c, base + 1, job);
    Atomics.notify(c, base + 1);
  }
`;

// The worker's whole program in Node (CommonJS, evaluated).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, base } = workerData;
${SERVE_JOBS}
`;

// The browser's worker program: started by a message instead of workerData (a Web Worker gets its
// module, memory and control block by postMessage; Atomics.wait is allowed there).
const BROWSER_WORKER_SOURCE = `
self.onmessage = (ev) => {
  self.onmessage = null;
  const { module, memory, ctrl, base } = ev.data;
  ${SERVE_JOBS}
  close();
};
`;

interface WorkerLike { unref(): void; terminate(): unknown; on(event: string, fn: (...args: unknown[]) => void): void }
interface WorkerThreads { Worker: new (src: string, opts: { eval: true; workerData: unknown }) => WorkerLike }

function workerThreads(): WorkerThreads | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return (proc?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined) ?? null;
  } catch {
    return null;
  }
}

interface BrowserWorker { postMessage(m: unknown): void; terminate(): void; addEventListener(type: string, fn: (ev: unknown) => void): void }
interface BrowserScope {
  Worker?: new (url: string, opts?: { name?: string }) => BrowserWorker;
  crossOriginIsolated?: boolean;
  document?: unknown;
  Blob?: new (parts: string[], opts: { type: string }) => unknown;
  URL?: { createObjectURL(b: unknown): string };
  navigator?: { hardwareConcurrency?: number };
}

/**
 * Web Workers that can share this thread's memory and be waited for: a cross-origin isolated page
 * (else SharedArrayBuffer cannot be posted) and not a page's main thread (where Atomics.wait throws).
 * Returns a factory of WorkerLike over one blob: URL, or null.
 */
function browserWorkers(): ((workerData: unknown) => WorkerLike) | null {
  const g = globalThis as BrowserScope;
  if (!g.Worker || g.crossOriginIsolated !== true || g.document !== undefined || !g.Blob || !g.URL) return null;
  const Ctor = g.Worker;
  let url: string;
  try {
    url = g.URL.createObjectURL(new g.Blob([BROWSER_WORKER_SOURCE], { type: 'text/javascript' }));
  } catch {
    return null;
  }
  return (workerData) => {
    const w = new Ctor(url, { name: 'llmcore-matmul' });
    w.postMessage(workerData);
    return {
      unref: () => {},
      terminate: () => w.terminate(),
      on: (event, fn) => w.addEventListener(event, fn),
    };
  };
}

function availableCores(): number {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const os = proc?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number; cpus: () => unknown[] } | undefined;
    if (os) return os.availableParallelism?.() ?? os.cpus().length;
  } catch { /* not Node */ }
  // a browser: the logical cores it reports (threads are only used where browserWorkers() allows)
  const hc = (globalThis as BrowserScope).navigator?.hardwareConcurrency;
  return typeof hc === 'number' && hc >= 1 ? Math.floor(hc) : 1;
}

/** How many threads (the caller's included) matmul may use: LLMCORE_THREADS, else the available cores. */
export function defaultThreadCount(): number {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.LLMCORE_THREADS;
  const n = env ? Number.parseInt(env, 10) : NaN;
  return Math.max(1, Math.min(64, Number.isFinite(n) && n > 0 ? n : availableCores()));
}

export class MatmulPool {
  /** Threads used for a large product, the calling thread included. */
  readonly threads: number;
  private readonly ctrl: Int32Array;
  private readonly workers: WorkerLike[] = [];
  /** At most this many threads per product (1 = single-threaded); `threads` by default. */
  limit: number;
  private readonly kernels: WasmRuntime['k'];
  private job = 0;
  private failed = false;
  /** WORKER_WAIT_MS; a test lowers it to see a dead worker reported in milliseconds. */
  waitTimeoutMs = WORKER_WAIT_MS;

  constructor(rt: WasmRuntime, threads: number) {
    const wt = threads > 1 && rt.shared ? workerThreads() : null;
    const start: ((workerData: unknown) => WorkerLike) | null = wt
      ? (workerData) => new wt.Worker(WORKER_SOURCE, { eval: true, workerData })
      : threads > 1 && rt.shared ? browserWorkers() : null;
    this.threads = start ? threads : 1;
    this.limit = this.threads;
    this.kernels = rt.k;
    // a page that is not isolated has no SharedArrayBuffer: one thread needs no shared control block
    this.ctrl = new Int32Array(start ? new SharedArrayBuffer((HEADER + (this.threads - 1) * CTRL_WORDS) * 4) : new ArrayBuffer(HEADER * 4));
    if (!start) return;
    for (let w = 0; w < this.threads - 1; w++) {
      try {
        const worker = start({ module: rt.module, memory: rt.memory, ctrl: this.ctrl.buffer, base: HEADER + w * CTRL_WORDS });
        worker.on('error', () => { this.failed = true; });
        worker.unref();
        this.workers.push(worker);
      } catch {
        this.failed = true;
        break;
      }
    }
  }

  /** Workers that have started and can take a band now (never waits for one to start). */
  ready(): number {
    if (this.failed) return 0;
    let n = 0;
    for (let w = 0; w < this.workers.length; w++) if (Atomics.load(this.ctrl, HEADER + w * CTRL_WORDS + 2) === 1) n++;
    return n === this.workers.length ? n : 0;
  }

  /**
   * Runs one product on the ready workers and the calling thread: groups of whole batches when there
   * are enough of them (each thread then packs only its own operands), else bands of rows (multiples
   * of 4, the micro-kernel's rows; about two per thread, at least 128 rows when m allows). `args`
   * are matmulPart's first 11 arguments; `scratch(t)` gives thread t its packing scratch. Returns
   * false (nothing done) when no worker is ready.
   */
  run(args: number[], batch: number, m: number, scratch: (t: number) => number): boolean {
    const workers = this.ready();
    if (workers === 0) return false;
    const threads = Math.min(workers + 1, this.limit);
    if (threads < 2) return false;
    const byBatch = batch >= 2 * threads || (batch >= threads && m < 64);
    const round4 = (x: number): number => Math.ceil(x / 4) * 4;
    const per = byBatch
      ? Math.max(1, Math.floor(batch / (2 * threads)))
      : round4(Math.max(Math.ceil(m / (2 * threads)), Math.min(128, Math.ceil(m / threads))));
    const chunks = Math.ceil((byBatch ? batch : m) / per);
    if (chunks < 2) return false;
    const c = this.ctrl;
    c[1] = chunks;
    c[2] = byBatch ? 1 : 0;
    c[3] = per;
    c[4] = batch;
    for (let i = 0; i < args.length; i++) c[5 + i] = args[i];
    Atomics.store(c, 0, 0);
    // stays positive: workers read a negative job number as the order to stop
    const job = (this.job = this.job >= 0x3fffffff ? 1 : this.job + 1);
    const started = Math.min(threads - 1, chunks - 1);
    for (let w = 0; w < started; w++) {
      const base = HEADER + w * CTRL_WORDS;
      c[base + 3] = scratch(w + 1);
      Atomics.store(c, base, job);
      Atomics.notify(c, base);
    }
    const t0 = Date.now();
    work(c, this.kernels, scratch(0));
    const deadline = Date.now() + Math.max(this.waitTimeoutMs, 50 * (Date.now() - t0));
    for (let w = 0; w < started; w++) {
      const base = HEADER + w * CTRL_WORDS;
      for (;;) {
        const done = Atomics.load(c, base + 1);
        if (done === job) break;
        const left = deadline - Date.now();
        if (left <= 0) {
          this.failed = true;
          throw new Error(`backend 'wasm': matmul worker thread ${w + 1} did not finish its chunk within ${((deadline - t0) / 1000).toFixed(1)} s; threads are off from now on`);
        }
        Atomics.wait(c, base + 1, done, left);
      }
    }
    for (let w = 0; w < started; w++) {
      if (c[HEADER + w * CTRL_WORDS + FAILED] !== 0) {
        this.failed = true;
        throw new Error("backend 'wasm': a matmul worker thread failed; threads are off from now on");
      }
    }
    return true;
  }

  /** Stops the workers (they are unref'd, so this is only needed to free them early). */
  close(): void {
    for (let w = 0; w < this.workers.length; w++) {
      Atomics.store(this.ctrl, HEADER + w * CTRL_WORDS, -1);
      Atomics.notify(this.ctrl, HEADER + w * CTRL_WORDS);
    }
    this.workers.length = 0;
  }
}
