/**
 * The Adam / AdamW update of the wasm backend: float32 runs in the SIMD kernel (f64 lanes, bit-identical
 * to the reference), anything else in the reference loop.
 */
import type { AdamStep, FloatArray } from '../backend.js';
import { adam as jsAdam } from '../js/optim.js';
import type { WasmRuntime } from './runtime.js';

/**
 * Elements per kernel call: the operands of one chunk (5 arrays · 4 bytes · 16K = 320 KiB) stay in L2
 * between copying in, updating and copying out, and linear memory never grows for the optimizer.
 */
export const ADAM_CHUNK = 1 << 14;

export function wasmAdam(rt: WasmRuntime, p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, vmax: FloatArray | null, h: AdamStep): void {
  if (!(p instanceof Float32Array && g instanceof Float32Array && m instanceof Float32Array && v instanceof Float32Array
    && (vmax === null || vmax instanceof Float32Array))) {
    jsAdam(p, g, m, v, vmax, h);
    return;
  }
  const n = p.length;
  const amsgrad = vmax !== null;
  const { beta1, beta2 } = h;
  for (let off = 0; off < n; off += ADAM_CHUNK) {
    const len = Math.min(ADAM_CHUNK, n - off);
    rt.reset();
    const pp = rt.put(p, off, len);
    const pg = rt.put(g, off, len);
    const pm = rt.put(m, off, len);
    const pv = rt.put(v, off, len);
    const px = amsgrad ? rt.put(vmax, off, len) : 0;
    rt.k.adam(pp, pg, pm, pv, px, len, beta1, 1 - beta1, beta2, 1 - beta2, h.eps, h.stepSize, h.bc2sqrt, h.shrink, h.l2, amsgrad ? 1 : 0, h.maximize ? 1 : 0);
    rt.get(pp, p, len, off);
    rt.get(pm, m, len, off);
    rt.get(pv, v, len, off);
    if (amsgrad) rt.get(px, vmax, len, off);
  }
}
