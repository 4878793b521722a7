/** The matmul kernel of the wasm backend: float32 goes to the packed SIMD kernel, float64 to the reference. */
import type { FloatArray, MatmulParams } from '../backend.js';
import { addBias, matmul as jsMatmul } from '../js/matmul.js';
import { BINARY_CODE } from './ops.js';
import type { WasmRuntime } from './runtime.js';
import { MIN_PARALLEL_FLOPS, type MatmulPool } from './threads.js';

/** Elements of `data` a batched operand reads: batches of `size` elements `stride` apart. */
function span(batch: number, stride: number, size: number): number {
  return size === 0 ? 0 : (batch - 1) * stride + size;
}

export function wasmMatmul(rt: WasmRuntime, pool: MatmulPool | null, a: FloatArray, b: FloatArray, out: FloatArray, p: MatmulParams): void {
  if (!(a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array) || p.aBatchStride < 0 || p.bBatchStride < 0) {
    jsMatmul(a, b, out, p);
    return;
  }
  let { batch, m } = p;
  const { k, n, transA, transB } = p;
  let aBatchStride = p.aBatchStride;
  const accumulate = !!p.accumulate;
  if (batch === 0 || m === 0 || n === 0) return;
  // One shared B and row-major A batches stacked back to back: a single (batch·m, k) product.
  if (batch > 1 && p.bBatchStride === 0 && !transA && aBatchStride === m * k) {
    m *= batch;
    batch = 1;
    aBatchStride = 0;
  }
  const outLen = batch * m * n;
  rt.reset();
  const heldA = rt.heldAt(a, p.aOffset);
  const heldB = rt.heldAt(b, p.bOffset);
  const pa = heldA >= 0 ? heldA : rt.put(a, p.aOffset, span(batch, aBatchStride, m * k));
  const pb = heldB >= 0 ? heldB : rt.put(b, p.bOffset, span(batch, p.bBatchStride, k * n));
  const pc = accumulate ? rt.put(out, 0, outLen) : rt.alloc(outLen);
  const scratchFloats = rt.k.matmulScratchBytes() / 4;
  const tA = transA ? 1 : 0;
  const tB = transB ? 1 : 0;
  const acc = accumulate ? 1 : 0;
  let done = false;
  if (pool && pool.limit > 1 && batch * m * k * n >= MIN_PARALLEL_FLOPS) {
    const scratch: number[] = [];
    for (let t = 0; t < pool.limit; t++) scratch.push(rt.alloc(scratchFloats));
    const args = [pa, pb, pc, m, k, n, tA, tB, aBatchStride, p.bBatchStride, acc];
    done = pool.run(args, batch, m, (t) => scratch[t]);
  }
  if (!done) rt.k.matmul(pa, pb, pc, batch, m, k, n, tA, tB, aBatchStride, p.bBatchStride, acc, rt.alloc(scratchFloats));
  const bias = p.bias;
  if (bias) {
    // in place while the product is still in linear memory: no second array in and out, as a separate add would need
    if (bias instanceof Float32Array) rt.k.binary(BINARY_CODE.add!, pc, 1, n, rt.put(bias, 0, n), 1, 0, pc, batch * m, n);
    else {
      rt.get(pc, out, outLen);
      addBias(out, bias, batch * m, n);
      return;
    }
  }
  rt.get(pc, out, outLen);
}
