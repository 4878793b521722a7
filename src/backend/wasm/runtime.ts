/**
 * Loading the SIMD kernels module and managing its linear memory.
 *
 * The front end owns every tensor's storage (plain Float32Arrays that the garbage collector frees),
 * so each kernel call copies its inputs into linear memory, runs, and copies its outputs back. The
 * memory is a per-call bump arena starting at the module's heap base: nothing is ever freed by the
 * user, nothing leaks; the memory only grows to the largest single call seen.
 *
 * Instantiation is synchronous (`new WebAssembly.Module`), which Node allows for any size. Browsers
 * cap synchronous compilation on the main thread (Chrome: 4 KB), so a page must load the engine in a
 * worker or precompile; not handled here.
 */
import { KERNELS_WASM_BASE64 } from './kernels.wasm.js';

/** The kernels' exports (see asm/index.ts); pointers are byte addresses, sizes in elements. */
export interface KernelExports {
  heapBase(): number;
  matmulScratchBytes(): number;
  matmul(
    a: number, b: number, c: number, batch: number, m: number, k: number, n: number,
    transA: number, transB: number, aBatchStride: number, bBatchStride: number, accumulate: number, scratch: number,
  ): void;
  /** Rows [i0, i1) of batches [b0, b1) of `matmul`'s product. */
  matmulPart(
    a: number, b: number, c: number, m: number, k: number, n: number,
    transA: number, transB: number, aBatchStride: number, bBatchStride: number, accumulate: number, scratch: number,
    b0: number, b1: number, i0: number, i1: number,
  ): void;
  unary(op: number, x: number, out: number, n: number): void;
  unaryBackward(op: number, x: number, y: number, g: number, out: number, n: number): void;
  binary(op: number, a: number, aInner: number, aRow: number, b: number, bInner: number, bRow: number, out: number, rows: number, cols: number): void;
  reduce(op: number, x: number, outer: number, mid: number, inner: number, out: number): void;
  softmax(x: number, out: number, rows: number, cols: number, log: number): void;
  softmaxBackward(y: number, g: number, out: number, rows: number, cols: number, log: number): void;
  crossEntropy(x: number, rows: number, cols: number, targets: number, eps: number, loss: number, stats: number): void;
  crossEntropyBackward(x: number, stats: number, g: number, rows: number, cols: number, targets: number, eps: number, dx: number): void;
  lstmCell(gx: number, gh: number, cPrev: number, cNext: number, hNext: number, saved: number, B: number, H: number, scratch: number): void;
  layerNorm(x: number, w: number, b: number, rows: number, cols: number, eps: number, out: number, mean: number, rstd: number): void;
  layerNormBackward(
    x: number, w: number, mean: number, rstd: number, g: number, rows: number, cols: number, dx: number, dw: number, db: number,
  ): void;
  adam(
    p: number, g: number, m: number, v: number, vmax: number, n: number, beta1: number, a1: number, beta2: number, a2: number,
    eps: number, stepSize: number, bc2sqrt: number, shrink: number, l2: number, amsgrad: number, maximize: number,
  ): void;
}

// (module (func (result v128) v128.const i32x4 0 0 0 0)): validates only where SIMD is supported
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

/** Whether this JavaScript engine runs WebAssembly with 128-bit SIMD. */
export function wasmSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** The memory import: (import "env" "memory" (memory 2 65536 shared)); the byte after it holds the limits flags. */
const MEMORY_IMPORT = [3, 101, 110, 118, 6, 109, 101, 109, 111, 114, 121, 2];
const LIMITS_SHARED = 3;
const LIMITS_UNSHARED = 1;

/** Whether shared WebAssembly memory (SharedArrayBuffer) is available: Node, or a cross-origin isolated page. */
export function sharedMemorySupported(): boolean {
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/**
 * The module declares its memory shared (for the matmul workers); where shared memory is unavailable,
 * the flag is cleared, which is valid because the kernels use no atomic instructions.
 */
export function moduleBytes(shared: boolean): Uint8Array {
  const bytes = decodeBase64(KERNELS_WASM_BASE64);
  if (shared) return bytes;
  outer: for (let i = 8; i < Math.min(bytes.length, 256); i++) {
    for (let j = 0; j < MEMORY_IMPORT.length; j++) if (bytes[i + j] !== MEMORY_IMPORT[j]) continue outer;
    const at = i + MEMORY_IMPORT.length;
    if (bytes[at] !== LIMITS_SHARED) break;
    bytes[at] = LIMITS_UNSHARED;
    return bytes;
  }
  throw new Error("backend 'wasm': unexpected kernels module layout (memory import not found); rebuild with scripts/build-wasm.mjs");
}

let compiled: { module: WebAssembly.Module; shared: boolean } | null = null;

/** The compiled kernels module (compiled once per process, on first use) and whether its memory is shared. */
export function kernelsModule(): { module: WebAssembly.Module; shared: boolean } {
  if (compiled) return compiled;
  if (!wasmSimdSupported()) {
    throw new Error(
      "backend 'wasm': this JavaScript engine lacks WebAssembly SIMD (Node >= 16.4 or a current browser has it); use setBackend('js')",
    );
  }
  const shared = sharedMemorySupported();
  compiled = { module: new WebAssembly.Module(moduleBytes(shared) as BufferSource), shared };
  return compiled;
}

/** Pages the module declares at least, and at most (4 GiB: address space is reserved, not committed). */
export const INITIAL_PAGES = 2;
export const MAXIMUM_PAGES = 65536;

const PAGE = 65536;
const ALIGN = 64;

/** One instance of the kernels with its bump arena. */
export class WasmRuntime {
  readonly k: KernelExports;
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  readonly shared: boolean;
  private readonly base: number;
  private top: number;
  private buffer: ArrayBufferLike;
  private view: Float32Array;

  constructor() {
    const { module, shared } = kernelsModule();
    this.module = module;
    this.shared = shared;
    this.memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared } as WebAssembly.MemoryDescriptor);
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.k = instance.exports as unknown as KernelExports;
    this.base = (this.k.heapBase() + ALIGN - 1) & ~(ALIGN - 1);
    this.top = this.base;
    this.floor = this.base;
    this.buffer = this.memory.buffer;
    this.view = new Float32Array(this.buffer);
  }

  /** An array the caller promised not to change, kept in linear memory below the arena (see `hold`). */
  private held: { data: Float32Array; p: number } | null = null;
  private floor: number;

  /** Starts a kernel call: everything allocated by the previous call is dropped. */
  reset(): void {
    this.top = this.floor;
  }

  /**
   * Copies `data` into linear memory once, where it stays until the returned function is called;
   * meanwhile `heldAt` finds it. One array at a time: while another is held, this holds nothing.
   */
  hold(data: Float32Array): () => void {
    if (this.held) return () => {};
    this.top = this.base;
    const p = this.put(data);
    const entry = { data, p };
    this.held = entry;
    this.floor = this.top;
    return () => {
      if (this.held !== entry) return;
      this.held = null;
      this.floor = this.base;
      this.top = this.base;
    };
  }

  /** The byte address of data[offset] when `data` is the held array, else -1. */
  heldAt(data: Float32Array, offset: number): number {
    const h = this.held;
    return h && h.data === data ? h.p + offset * 4 : -1;
  }

  /** Reserves `floats` 4-byte elements (64-byte aligned) and returns their byte address. */
  alloc(floats: number): number {
    const p = this.top;
    this.top += (floats * 4 + ALIGN - 1) & ~(ALIGN - 1);
    const have = this.memory.buffer.byteLength;
    if (this.top > have) this.memory.grow(Math.ceil((this.top - have) / PAGE));
    return p;
  }

  /** A Float32Array over the whole linear memory (recreated after the memory grows). */
  get f32(): Float32Array {
    if (this.memory.buffer !== this.buffer) {
      this.buffer = this.memory.buffer;
      this.view = new Float32Array(this.buffer);
    }
    return this.view;
  }

  /** Allocates room for src[offset, offset + len) and copies it in. */
  put(src: Float32Array, offset = 0, len = src.length - offset): number {
    const p = this.alloc(len);
    this.f32.set(offset === 0 && len === src.length ? src : src.subarray(offset, offset + len), p >>> 2);
    return p;
  }

  /** Copies `len` floats at byte address p into dst[dstOffset...]. */
  get(p: number, dst: Float32Array, len = dst.length, dstOffset = 0): void {
    dst.set(this.f32.subarray(p >>> 2, (p >>> 2) + len), dstOffset);
  }

  /** Bytes of linear memory (grows to the largest call, never shrinks). */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }
}
