/** The LSTM step kernels of the wasm backend: the forward (five transcendentals per unit) runs in SIMD. */
import type { LstmGradStep, LstmStep } from '../backend.js';
import * as jsLstm from '../js/lstm.js';
import type { WasmRuntime } from './runtime.js';

export function wasmLstmCell(rt: WasmRuntime, s: LstmStep): void {
  const { B, H, gx, gh, h, c, saved } = s;
  if (!(gx instanceof Float32Array && gh instanceof Float32Array && h instanceof Float32Array && c instanceof Float32Array
    && saved instanceof Float32Array) || B * H === 0) {
    jsLstm.lstmCell(s);
    return;
  }
  const H4 = 4 * H;
  const BH = B * H;
  rt.reset();
  // gx rows are B separate runs of 4H (a strided view of the input projection): gather them
  const pgx = rt.alloc(B * H4);
  const mem = rt.f32;
  if (s.gxStride === H4) mem.set(gx.subarray(s.gxOff, s.gxOff + B * H4), pgx >>> 2);
  else for (let b = 0; b < B; b++) mem.set(gx.subarray(s.gxOff + b * s.gxStride, s.gxOff + b * s.gxStride + H4), (pgx >>> 2) + b * H4);
  const pgh = rt.put(gh, 0, B * H4);
  const pcp = rt.put(c, s.cPrev, BH);
  const pcn = rt.alloc(BH);
  const phn = rt.alloc(BH);
  const psv = rt.alloc(5 * BH);
  const scratch = rt.alloc(128);
  rt.k.lstmCell(pgx, pgh, pcp, pcn, phn, psv, B, H, scratch);
  rt.get(pcn, c, BH, s.cNext);
  rt.get(phn, h, BH, s.hNext);
  rt.get(psv, saved, 5 * BH, s.savedOff);
}

export function wasmLstmCellBackward(_rt: WasmRuntime, s: LstmGradStep): void {
  // no transcendentals: the reference loop costs about what copying its operands in and out would
  jsLstm.lstmCellBackward(s);
}
