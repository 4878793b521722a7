// The pointwise LSTM step over f32 (gates in PyTorch's order i, f, g, o), SIMD across hidden units.
import { vsigmoid, vtanh } from './vmath';

// @ts-ignore: decorator
@inline function step4(gx: usize, gh: usize, cp: usize, cn: usize, hn: usize, sv: usize, H4: usize): void {
  // H4 = H·4 bytes: the distance between gates (and between saved blocks)
  const i = vsigmoid(f32x4.add(v128.load(gx), v128.load(gh)));
  const f = vsigmoid(f32x4.add(v128.load(gx + H4), v128.load(gh + H4)));
  const g = vtanh(f32x4.add(v128.load(gx + 2 * H4), v128.load(gh + 2 * H4)));
  const o = vsigmoid(f32x4.add(v128.load(gx + 3 * H4), v128.load(gh + 3 * H4)));
  const cv = f32x4.add(f32x4.mul(f, v128.load(cp)), f32x4.mul(i, g));
  const tc = vtanh(cv);
  v128.store(cn, cv);
  v128.store(hn, f32x4.mul(o, tc));
  v128.store(sv, i);
  v128.store(sv + H4, f);
  v128.store(sv + 2 * H4, g);
  v128.store(sv + 3 * H4, o);
  v128.store(sv + 4 * H4, tc);
}

/**
 * One LSTM step for B rows: gx, gh (B, 4H) pre-activations (summed here), cPrev (B, H) →
 * cNext, hNext (B, H) and saved (B, 5H) = i, f, g, o, tanh(c'). Columns beyond the last multiple
 * of 4 run through the same vector code on a padded copy, so every unit gets the same arithmetic.
 */
export function lstmCell(gx: usize, gh: usize, cPrev: usize, cNext: usize, hNext: usize, saved: usize, B: i32, H: i32, scratch: usize): void {
  const hb = <usize>H << 2;
  const body = hb & ~<usize>15;
  for (let b = 0; b < B; b++) {
    const rb = <usize>b;
    const px = gx + rb * 4 * hb;
    const pg = gh + rb * 4 * hb;
    const pc = cPrev + rb * hb;
    const pcn = cNext + rb * hb;
    const ph = hNext + rb * hb;
    const ps = saved + rb * 5 * hb;
    let j: usize = 0;
    for (; j < body; j += 16) step4(px + j, pg + j, pc + j, pcn + j, ph + j, ps + j, hb);
    if (j < hb) {
      // tail: gather the 1-3 remaining units of each gate into 16-byte slots of scratch, run, scatter back
      const len = hb - j;
      const S: usize = 16;
      memory.fill(scratch, 0, 24 * S);
      for (let k: usize = 0; k < 4; k++) {
        memory.copy(scratch + k * S, px + k * hb + j, len);
        memory.copy(scratch + (4 + k) * S, pg + k * hb + j, len);
      }
      memory.copy(scratch + 8 * S, pc + j, len);
      step4(scratch, scratch + 4 * S, scratch + 8 * S, scratch + 9 * S, scratch + 10 * S, scratch + 11 * S, S);
      memory.copy(pcn + j, scratch + 9 * S, len);
      memory.copy(ph + j, scratch + 10 * S, len);
      for (let k: usize = 0; k < 5; k++) memory.copy(ps + k * hb + j, scratch + (11 + k) * S, len);
    }
  }
}
