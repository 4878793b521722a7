/**
 * The 'native' backend, for Node on x86-64 with AVX2 and FMA: the wasm backend with its float32
 * matmul replaced by a compiled kernel (native/gemm.cc, built at install by scripts/build-native.mjs),
 * which reads and writes the engine's Float32Arrays where they are and uses every core. Everything
 * else — and everything where the addon is absent (a browser, another CPU, no compiler at install) — is
 * the wasm backend's. Browser-safe: nothing Node-only is imported; the addon is found at run time.
 */
import type { AdamStep, AttentionOperand, AttentionParams, Backend, BinaryOp, DataArray, FloatArray, MatmulParams, ReduceOp, StridedView } from '../backend.js';
import type { Shape } from '../../tensor/shape.js';
import { createWasmBackend, defaultThreadCount } from '../wasm/index.js';
import { coalesce, pad6 } from '../wasm/strided.js';
import { coalesce as coalesceBinary } from '../wasm/elementwise.js';
import { geluTanh as jsGeluTanh, geluTanhBackward as jsGeluTanhBackward } from '../js/special.js';
import { dropout as jsDropout, dropoutBackward as jsDropoutBackward } from '../js/nn.js';
import { attention as jsAttention, attentionBackward as jsAttentionBackward } from '../js/attention.js';

/** The addon's functions (native/addon.cc). */
export interface NativeKernels {
  /** Whether this CPU has AVX2 and FMA. */
  readonly supported: boolean;
  sgemm(
    a: Float32Array, b: Float32Array, out: Float32Array, bias: Float32Array | null, batch: number, m: number, k: number, n: number,
    transA: number, transB: number, aOffset: number, bOffset: number, aBatchStride: number, bBatchStride: number, accumulate: number,
  ): void;
  setThreads(n: number): number;
  /** The register tile: -1 by shape (the default), 0 AVX2, 1 AVX-512 where present; returns 512 or 256 (what the CPU has). */
  setTile(choice: number): number;
  threads(): number;
  copyStrided(x: Float32Array, offset: number, out: Float32Array, ...dimsThenStrides: number[]): void;
  addIntoStrided(src: Float32Array, y: Float32Array, offset: number, ...dimsThenStrides: number[]): void;
  adam(
    p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vmax: Float32Array | null, beta1: number, a1: number, beta2: number,
    a2: number, eps: number, stepSize: number, bc2sqrt: number, shrink: number, l2: number, maximize: boolean,
  ): void;
  crossEntropy(x: Float32Array, rows: number, cols: number, targets: Int32Array, eps: number, loss: Float32Array, stats: Float32Array): void;
  crossEntropyBackward(
    x: Float32Array, stats: Float32Array, g: Float32Array, rows: number, cols: number, targets: Int32Array, eps: number, dx: Float32Array,
  ): void;
  geluTanh(x: Float32Array, g: Float32Array | null, out: Float32Array): void;
  binary(op: number, x: Float32Array, offA: number, y: Float32Array, offB: number, out: Float32Array, ...dimsThenStrides: number[]): void;
  relu(x: Float32Array, g: Float32Array | null, out: Float32Array): void;
  softmax(x: Float32Array, g: Float32Array | null, rows: number, cols: number, out: Float32Array, log: boolean): void;
  layerNorm(
    x: Float32Array, w: Float32Array | null, b: Float32Array | null, rows: number, cols: number, eps: number, out: Float32Array,
    mean: Float32Array, rstd: Float32Array,
  ): void;
  layerNormBackward(
    x: Float32Array, w: Float32Array | null, mean: Float32Array, rstd: Float32Array, g: Float32Array, rows: number, cols: number,
    dx: Float32Array, dw: Float32Array | null, db: Float32Array | null,
  ): void;
  reduce(op: number, x: Float32Array, outer: number, mid: number, inner: number, out: Float32Array): void;
  /** attention(n, heads, t, s, d, dv, scale, q, qOffset, qSb, qSh, qRow, k…, v…, mask | null, mOffset, mSb, mSh, mRow, mCol, drop | null, out, probs, dropped | null) */
  attention(...args: (number | Float32Array | null)[]): void;
  /** attentionBackward(the same 29 operand arguments, probs, gOut | null, gWeights | null, dq, dk, dv | null) */
  attentionBackward(...args: (number | Float32Array | null)[]): void;
  dropout(
    bits: Uint32Array | null, threshold: number, scale: number, x: Float32Array | null, g: Float32Array | null, out: Float32Array,
    mask: Float32Array, n: number,
  ): void;
}

/** The addon's operation codes (native/rowwise.cc); pow is not among them (it runs as the wasm backend runs it). */
const BINARY_CODE: Partial<Record<BinaryOp, number>> = {
  add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5, eq: 6, ne: 7, lt: 8, le: 9, gt: 10, ge: 11,
};
const REDUCE_CODE: Record<ReduceOp, number> = { sum: 0, max: 1, min: 2 };

/** Where the compiled addon lies, relative to the package root. */
export const NATIVE_ADDON_PATH = 'native/build/Release/llmcore_native.node';

let loaded: { kernels: NativeKernels | null; reason: string } | null = null;

interface NodeModules {
  createRequire(from: string): (id: string) => unknown;
}
interface NodeFs {
  existsSync(path: string | URL): boolean;
}

/**
 * The addon, loaded once, or null with the reason (not Node, not built, a CPU without AVX2/FMA,
 * `LLMCORE_NATIVE=0`).
 */
export function loadNativeKernels(): { kernels: NativeKernels | null; reason: string } {
  if (loaded) return loaded;
  loaded = { kernels: null, reason: '' };
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; env?: Record<string, string | undefined> } }).process;
  if (proc?.env?.LLMCORE_NATIVE === '0') return (loaded = { kernels: null, reason: 'LLMCORE_NATIVE=0' });
  const moduleApi = proc?.getBuiltinModule?.('node:module') as NodeModules | undefined;
  const fs = proc?.getBuiltinModule?.('node:fs') as NodeFs | undefined;
  const here = typeof import.meta.url === 'string' ? import.meta.url : '';
  if (!moduleApi || !fs || !here.startsWith('file:')) return (loaded = { kernels: null, reason: 'not running in Node' });
  // src/backend/native/ from tsx, dist/src/backend/native/ from the build: the package root is 3 or 4 levels up
  for (const up of ['../../../', '../../../../']) {
    const url = new URL(up + NATIVE_ADDON_PATH, here);
    if (!fs.existsSync(url)) continue;
    try {
      const kernels = moduleApi.createRequire(here)(url.pathname) as NativeKernels;
      if (!kernels.supported) return (loaded = { kernels: null, reason: 'this CPU lacks AVX2 or FMA' });
      kernels.setThreads(defaultThreadCount());
      return (loaded = { kernels, reason: '' });
    } catch (e) {
      return (loaded = { kernels: null, reason: `the addon did not load: ${(e as Error).message.split('\n')[0]}` });
    }
  }
  return (loaded = { kernels: null, reason: `${NATIVE_ADDON_PATH} was not built (npm run build:native)` });
}

/** Whether the native backend can run here. */
export function nativeSupported(): boolean {
  return loadNativeKernels().kernels !== null;
}

/**
 * Caps the threads a native matmul may use (1: single-threaded; at most LLMCORE_THREADS or the
 * available cores). Returns the cap in force, or 0 without the addon.
 */
export function setNativeThreads(n: number): number {
  const { kernels } = loadNativeKernels();
  if (!kernels) return 0;
  kernels.setThreads(Math.max(1, Math.min(defaultThreadCount(), Math.floor(n))));
  return kernels.threads();
}

/** A native backend object; throws (with the reason) where the addon cannot run. */
export function createNativeBackend(): Backend & { readonly threads: number } {
  const { kernels, reason } = loadNativeKernels();
  if (!kernels) throw new Error(`the native backend is not available: ${reason}`);
  const wasm = createWasmBackend();
  const base = wasm.matmul.bind(wasm);
  const matmul = (a: FloatArray, b: FloatArray, out: FloatArray, p: MatmulParams): void => {
    const bias = p.bias;
    if (!(a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array) || (bias && !(bias instanceof Float32Array))) {
      base(a, b, out, p);
      return;
    }
    kernels.sgemm(
      a, b, out, (bias as Float32Array | undefined) ?? null, p.batch, p.m, p.k, p.n, p.transA ? 1 : 0, p.transB ? 1 : 0,
      p.aOffset, p.bOffset, p.aBatchStride, p.bBatchStride, p.accumulate ? 1 : 0,
    );
  };
  // rank ≤ 6 float32 views after coalescing run natively; the rest as the wasm backend runs them
  const strided = (shape: Shape, strides: readonly number[]): number[] | null => {
    const c = coalesce(shape, strides);
    if (!c || c.dims.length > 6) return null;
    pad6(c.dims, c.st);
    return [...c.dims, ...c.st];
  };
  const copyStrided = (src: StridedView, shape: Shape, out: DataArray): void => {
    const ds = src.data instanceof Float32Array && out instanceof Float32Array ? strided(shape, src.strides) : null;
    if (ds) kernels.copyStrided(src.data as Float32Array, src.offset, out as Float32Array, ...ds);
    else wasm.copyStrided(src, shape, out);
  };
  const addIntoStrided = (src: DataArray, dst: StridedView, shape: Shape): void => {
    const ds = src instanceof Float32Array && dst.data instanceof Float32Array ? strided(shape, dst.strides) : null;
    if (ds) kernels.addIntoStrided(src as Float32Array, dst.data as Float32Array, dst.offset, ...ds);
    else wasm.addIntoStrided(src, dst, shape);
  };
  const adam = (p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, vmax: FloatArray | null, h: AdamStep): void => {
    if (!(p instanceof Float32Array && g instanceof Float32Array && m instanceof Float32Array && v instanceof Float32Array
      && (vmax === null || vmax instanceof Float32Array))) {
      wasm.adam!(p, g, m, v, vmax, h);
      return;
    }
    // 1 − β computed here, as the reference computes it
    kernels.adam(p, g, m, v, vmax, h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.eps, h.stepSize, h.bc2sqrt, h.shrink, h.l2, h.maximize);
  };
  const crossEntropy: Backend['crossEntropy'] = (x, rows, cols, t, eps, loss, stats) => {
    if (x instanceof Float32Array && loss instanceof Float32Array && stats instanceof Float32Array && cols > 0) {
      kernels.crossEntropy(x, rows, cols, t, eps, loss, stats);
    } else wasm.crossEntropy(x, rows, cols, t, eps, loss, stats);
  };
  const crossEntropyBackward: Backend['crossEntropyBackward'] = (x, stats, g, rows, cols, t, eps, dx) => {
    if (x instanceof Float32Array && stats instanceof Float32Array && g instanceof Float32Array && dx instanceof Float32Array && cols > 0) {
      kernels.crossEntropyBackward(x, stats, g, rows, cols, t, eps, dx);
    } else wasm.crossEntropyBackward(x, stats, g, rows, cols, t, eps, dx);
  };
  const geluTanh = (x: FloatArray, out: FloatArray): void => {
    if (x instanceof Float32Array && out instanceof Float32Array) kernels.geluTanh(x, null, out);
    else jsGeluTanh(x, out);
  };
  const geluTanhBackward = (x: FloatArray, g: FloatArray, out: FloatArray): void => {
    if (x instanceof Float32Array && g instanceof Float32Array && out instanceof Float32Array) kernels.geluTanh(x, g, out);
    else jsGeluTanhBackward(x, g, out);
  };
  const dropout = (bits: Uint32Array, threshold: number, scale: number, x: FloatArray, out: FloatArray, mask: FloatArray): void => {
    if (x instanceof Float32Array && out instanceof Float32Array && mask instanceof Float32Array) {
      kernels.dropout(bits, threshold, scale, x, null, out, mask, out.length);
    } else jsDropout(bits, threshold, scale, x, out, mask);
  };
  const dropoutBackward = (g: FloatArray, mask: FloatArray, out: FloatArray): void => {
    if (g instanceof Float32Array && out instanceof Float32Array && mask instanceof Float32Array) {
      kernels.dropout(null, 0, 0, null, g, out, mask, out.length);
    } else jsDropoutBackward(g, mask, out);
  };
  const f32 = (...xs: (DataArray | null)[]): boolean => xs.every((x) => x === null || x instanceof Float32Array);
  const binary: Backend['binary'] = (op, a, b, shape, out) => {
    const code = BINARY_CODE[op];
    if (code !== undefined && f32(a.data, b.data, out)) {
      const c = coalesceBinary(shape, a.strides, b.strides);
      if (c.dims.length <= 6) {
        while (c.dims.length < 6) { c.dims.unshift(1); c.sa.unshift(0); c.sb.unshift(0); }
        kernels.binary(code, a.data as Float32Array, a.offset, b.data as Float32Array, b.offset, out as Float32Array, ...c.dims, ...c.sa, ...c.sb);
        return;
      }
    }
    wasm.binary(op, a, b, shape, out);
  };
  const unary: Backend['unary'] = (op, x, out) => {
    if (op === 'relu' && f32(x, out)) kernels.relu(x as Float32Array, null, out as Float32Array);
    else wasm.unary(op, x, out);
  };
  const unaryBackward: Backend['unaryBackward'] = (op, x, y, g, out) => {
    if (op === 'relu' && f32(x, g, out)) kernels.relu(x as Float32Array, g as Float32Array, out as Float32Array);
    else wasm.unaryBackward(op, x, y, g, out);
  };
  const softmax: Backend['softmax'] = (x, rows, cols, out, log) => {
    if (f32(x, out)) kernels.softmax(x as Float32Array, null, rows, cols, out as Float32Array, log);
    else wasm.softmax(x, rows, cols, out, log);
  };
  const softmaxBackward: Backend['softmaxBackward'] = (y, g, rows, cols, out, log) => {
    if (f32(y, g, out)) kernels.softmax(y as Float32Array, g as Float32Array, rows, cols, out as Float32Array, log);
    else wasm.softmaxBackward(y, g, rows, cols, out, log);
  };
  const layerNorm: Backend['layerNorm'] = (x, w, b, rows, cols, eps, out, mean, rstd) => {
    if (cols > 0 && f32(x, w, b, out, mean, rstd)) {
      kernels.layerNorm(x as Float32Array, w as Float32Array | null, b as Float32Array | null, rows, cols, eps, out as Float32Array, mean as Float32Array, rstd as Float32Array);
    } else wasm.layerNorm(x, w, b, rows, cols, eps, out, mean, rstd);
  };
  const layerNormBackward: Backend['layerNormBackward'] = (x, w, mean, rstd, g, rows, cols, dx, dw, db) => {
    if (cols > 0 && f32(x, w, mean, rstd, g, dx, dw, db)) {
      kernels.layerNormBackward(
        x as Float32Array, w as Float32Array | null, mean as Float32Array, rstd as Float32Array, g as Float32Array, rows, cols,
        dx as Float32Array, dw as Float32Array | null, db as Float32Array | null,
      );
    } else wasm.layerNormBackward(x, w, mean, rstd, g, rows, cols, dx, dw, db);
  };
  const reduce: Backend['reduce'] = (op, x, outer, mid, inner, out) => {
    if (f32(x, out)) kernels.reduce(REDUCE_CODE[op], x as Float32Array, outer, mid, inner, out as Float32Array);
    else wasm.reduce(op, x, outer, mid, inner, out);
  };
  const operand = (x: AttentionOperand): (number | Float32Array)[] => [x.data as Float32Array, x.offset, x.strides[0], x.strides[1], x.strides[2]];
  const operands = (p: AttentionParams): (number | Float32Array | null)[] => [
    p.n, p.heads, p.t, p.s, p.d, p.dv, p.scale, ...operand(p.q), ...operand(p.k), ...operand(p.v),
    ...(p.mask ? [...operand(p.mask), p.mask.strides[3]] : [null, 0, 0, 0, 0, 0]), p.drop as Float32Array | null,
  ];
  const attention = (p: AttentionParams, out: FloatArray, probs: FloatArray, dropped: FloatArray | null): void => {
    if (f32(p.q.data, p.k.data, p.v.data, p.mask?.data ?? null, p.drop, out, probs, dropped)) {
      kernels.attention(...operands(p), out as Float32Array, probs as Float32Array, dropped as Float32Array | null);
    } else jsAttention(p, out, probs, dropped);
  };
  const attentionBackward = (
    p: AttentionParams, probs: FloatArray, gOut: FloatArray | null, gWeights: FloatArray | null, dq: FloatArray, dk: FloatArray, dv: FloatArray | null,
  ): void => {
    if (f32(p.q.data, p.k.data, p.v.data, p.mask?.data ?? null, p.drop, probs, gOut, gWeights, dq, dk, dv)) {
      kernels.attentionBackward(
        ...operands(p), probs as Float32Array, gOut as Float32Array | null, gWeights as Float32Array | null, dq as Float32Array, dk as Float32Array,
        dv as Float32Array | null,
      );
    } else jsAttentionBackward(p, probs, gOut, gWeights, dq, dk, dv);
  };
  // the wasm backend's `hold` keeps copies in linear memory for its own matmul; this one reads in place
  const { hold: _held, ...rest } = wasm;
  void _held;
  return {
    ...rest, name: 'native', matmul, copyStrided, addIntoStrided, adam, crossEntropy, crossEntropyBackward, geluTanh, geluTanhBackward,
    dropout, dropoutBackward, binary, unary, unaryBackward, softmax, softmaxBackward, layerNorm, layerNormBackward, reduce,
    attention, attentionBackward,
    get threads() { return kernels.threads(); },
  };
}
