// Entry point of the llmcore WebAssembly kernels (AssemblyScript, 128-bit SIMD, no GC runtime).
// Built by scripts/build-wasm.mjs into src/backend/wasm/kernels.wasm.ts. Every kernel works on f32
// data at byte addresses in linear memory; the TypeScript side (src/backend/wasm/) owns the layout.
export { matmul, matmulPart, matmulScratchBytes } from './matmul';
export { unary, unaryBackward, binary } from './elementwise';
export { softmax, softmaxBackward, layerNorm, layerNormBackward, crossEntropy, crossEntropyBackward } from './nn';
export { reduce } from './reduce';

/** First free byte after the module's static data: the TypeScript side manages memory from here. */
export function heapBase(): usize {
  return __heap_base;
}
export { lstmCell } from './lstm';
export { adam } from './optim';
