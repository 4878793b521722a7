/**
 * The 'wasm' backend: WebAssembly SIMD kernels (built from asm/ by scripts/build-wasm.mjs) for what
 * dominates training and inference — matmul in every transpose variant, elementwise maps and broadcast
 * binary ops, softmax, fused softmax + cross-entropy, layer norm, reductions, the LSTM step — plus
 * strided copies in TypeScript (./strided.ts), with the reference kernels (../js) for float64
 * (gradcheck) and for the kernels listed in `JS_KERNELS`.
 */
import type { Backend } from '../backend.js';
import * as jsElementwise from '../js/elementwise.js';
import * as jsNn from '../js/nn.js';
import * as jsReduce from '../js/reduce.js';
import { wasmBinary, wasmUnary, wasmUnaryBackward } from './elementwise.js';
import { wasmMatmul } from './matmul.js';
import {
  indexSelect, wasmCrossEntropy, wasmCrossEntropyBackward, wasmLayerNorm, wasmLayerNormBackward, wasmReduce, wasmSoftmax, wasmSoftmaxBackward,
} from './nn.js';
import { WasmRuntime } from './runtime.js';
import { addIntoStrided, copyStrided } from './strided.js';
import { wasmLstmCell, wasmLstmCellBackward } from './lstm.js';
import { wasmAdam } from './optim.js';
import { defaultThreadCount, MatmulPool } from './threads.js';

export { sharedMemorySupported, wasmSimdSupported } from './runtime.js';
export { defaultThreadCount, MIN_PARALLEL_FLOPS } from './threads.js';

/** Kernels that run the reference implementation in this backend (for every dtype). */
export const JS_KERNELS = ['where', 'argReduce', 'indexAdd', 'gather', 'scatterAdd'] as const;

let shared: { rt: WasmRuntime; pool: MatmulPool } | null = null;

/**
 * The process-wide kernels instance and matmul worker pool. Kernels are synchronous, so every backend
 * object can share one instance; sharing also means setBackend('wasm') never starts more workers.
 */
function runtime(): { rt: WasmRuntime; pool: MatmulPool } {
  if (!shared) {
    const rt = new WasmRuntime();
    shared = { rt, pool: new MatmulPool(rt, defaultThreadCount()) };
  }
  return shared;
}

/**
 * Caps the threads a matmul may use (1: single-threaded; at most the pool's size, which is
 * LLMCORE_THREADS or the available cores). Returns the cap in force.
 */
export function setWasmThreads(n: number): number {
  const { pool } = runtime();
  pool.limit = Math.max(1, Math.min(pool.threads, Math.floor(n)));
  return pool.limit;
}

/** A wasm backend object; throws when the engine lacks WebAssembly SIMD. */
export function createWasmBackend(): Backend & {
  readonly runtime: WasmRuntime;
  /** Threads a large matmul may use, the caller's included. */
  readonly threads: number;
  /** Threads usable right now (workers start in the background). */
  readyThreads(): number;
} {
  const { rt, pool } = runtime();
  return {
    name: 'wasm',
    runtime: rt,
    threads: pool.threads,
    readyThreads: () => Math.min(pool.limit, pool.ready() + 1),
    matmul: (a, b, out, p) => wasmMatmul(rt, pool, a, b, out, p),
    hold: (data) => (data instanceof Float32Array ? rt.hold(data) : () => {}),
    unary: (op, x, out) => wasmUnary(rt, op, x, out),
    unaryBackward: (op, x, y, g, out) => wasmUnaryBackward(rt, op, x, y, g, out),
    binary: (op, a, b, shape, out) => wasmBinary(rt, op, a, b, shape, out),
    reduce: (op, x, outer, mid, inner, out) => wasmReduce(rt, op, x, outer, mid, inner, out),
    softmax: (x, rows, cols, out, log) => wasmSoftmax(rt, x, rows, cols, out, log),
    softmaxBackward: (y, g, rows, cols, out, log) => wasmSoftmaxBackward(rt, y, g, rows, cols, out, log),
    lstmCell: (s) => wasmLstmCell(rt, s),
    lstmCellBackward: (s) => wasmLstmCellBackward(rt, s),
    crossEntropy: (x, rows, cols, t, eps, loss, stats) => wasmCrossEntropy(rt, x, rows, cols, t, eps, loss, stats),
    crossEntropyBackward: (x, stats, g, rows, cols, t, eps, dx) => wasmCrossEntropyBackward(rt, x, stats, g, rows, cols, t, eps, dx),
    layerNorm: (x, w, b, rows, cols, eps, out, mean, rstd) => wasmLayerNorm(rt, x, w, b, rows, cols, eps, out, mean, rstd),
    layerNormBackward: (x, w, mean, rstd, g, rows, cols, dx, dw, db) =>
      wasmLayerNormBackward(rt, x, w, mean, rstd, g, rows, cols, dx, dw, db),
    adam: (p, g, m, v, vmax, h) => wasmAdam(rt, p, g, m, v, vmax, h),
    indexSelect,
    copyStrided,
    addIntoStrided,
    // reference kernels (see JS_KERNELS)
    where: jsElementwise.where,
    argReduce: jsReduce.argReduce,
    indexAdd: jsNn.indexAdd,
    gather: jsNn.gather,
    scatterAdd: jsNn.scatterAdd,
  };
}

