/**
 * Checkpoint formats over plain bytes (browser-safe). The Node file layer, with atomic saves, is the
 * separate entry `io/file.ts`, so that bundles for browsers never pull in `node:fs`.
 */
export { encodeSafetensors, decodeSafetensors, SafetensorsError, type EncodeOptions, type DecodedSafetensors, type SafetensorsDType } from './safetensors.js';
export { float32ToFloat16Bits, float16BitsToFloat32, float32ToBfloat16Bits, bfloat16BitsToFloat32 } from './half.js';
