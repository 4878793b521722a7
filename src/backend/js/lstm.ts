/**
 * The pointwise LSTM step and its backward (the reference for the wasm kernel), gates i, f, g, o. The
 * buffers are the recurrent driver's one step-buffer type (StepBuffers in src/nn/recurrent/cells.ts
 * extends LstmStep), so the RNN and GRU kernels there and this one read the same layout.
 */
import type { LstmGradStep, LstmStep } from '../backend.js';

export function lstmCell(s: LstmStep): void {
  const { B, H, gx, gh, h, c, saved } = s;
  const H4 = 4 * H;
  const H5 = 5 * H;
  for (let b = 0; b < B; b++) {
    const xo = s.gxOff + b * s.gxStride;
    const go = b * H4;
    const so = s.savedOff + b * H5;
    const cp = s.cPrev + b * H;
    const cn = s.cNext + b * H;
    const hn = s.hNext + b * H;
    for (let j = 0; j < H; j++) {
      const i = 1 / (1 + Math.exp(-(gx[xo + j] + gh[go + j])));
      const f = 1 / (1 + Math.exp(-(gx[xo + H + j] + gh[go + H + j])));
      const g = Math.tanh(gx[xo + 2 * H + j] + gh[go + 2 * H + j]);
      const o = 1 / (1 + Math.exp(-(gx[xo + 3 * H + j] + gh[go + 3 * H + j])));
      const cv = f * c[cp + j] + i * g;
      const tc = Math.tanh(cv);
      c[cn + j] = cv;
      h[hn + j] = o * tc;
      saved[so + j] = i;
      saved[so + H + j] = f;
      saved[so + 2 * H + j] = g;
      saved[so + 3 * H + j] = o;
      saved[so + 4 * H + j] = tc;
    }
  }
}

export function lstmCellBackward(s: LstmGradStep): void {
  const { B, H, c, saved, dh, dc, dgx } = s;
  const H4 = 4 * H;
  const H5 = 5 * H;
  for (let b = 0; b < B; b++) {
    const so = s.savedOff + b * H5;
    const cp = s.cPrev + b * H;
    const go = s.dgxOff + b * H4;
    const r = b * H;
    for (let j = 0; j < H; j++) {
      const i = saved[so + j];
      const f = saved[so + H + j];
      const g = saved[so + 2 * H + j];
      const o = saved[so + 3 * H + j];
      const tc = saved[so + 4 * H + j];
      const dhv = dh[r + j];
      const dct = dc[r + j] + dhv * o * (1 - tc * tc);
      dgx[go + j] = dct * g * i * (1 - i);
      dgx[go + H + j] = dct * c[cp + j] * f * (1 - f);
      dgx[go + 2 * H + j] = dct * i * (1 - g * g);
      dgx[go + 3 * H + j] = dhv * tc * o * (1 - o);
      dc[r + j] = dct * f;
      dh[r + j] = 0;
    }
  }
}
