/**
 * The reference for fused attention (Backend.attention / attentionBackward): per (batch, head) slice
 * and query row, the scores scale·q·k + mask, their softmax, dropout, and the weighted sum of the
 * values — in float64, rounded where a value is stored — and the backward pass by the chain rule:
 * g = (∂out·vᵀ + ∂weights)·drop, ∂scores = p·(g − Σ g·p), ∂q = scale·∂scores·k, ∂k += ∂scoresᵀ·scale·q,
 * ∂v += (p·drop)ᵀ·∂out.
 */
import type { AttentionOperand, AttentionParams, FloatArray } from '../backend.js';

/** Where slice i of an operand starts. */
const start = (x: AttentionOperand, i: number, heads: number): number => x.offset + Math.floor(i / heads) * x.strides[0] + (i % heads) * x.strides[1];

/** out (n, t, dv), probs (n, t, s) and, with dropout, dropped = probs·drop. */
export function attention(a: AttentionParams, out: FloatArray, probs: FloatArray, dropped: FloatArray | null): void {
  const { n, heads, t: T, s: S, d: D, dv: DV, scale } = a;
  const { q, k, v, mask } = a;
  const row = new Float64Array(S);
  const qs = new Float64Array(D);
  const acc = new Float64Array(DV);
  for (let i = 0; i < n; i++) {
    const k0 = start(k, i, heads), v0 = start(v, i, heads), m0 = mask ? start(mask, i, heads) : 0;
    for (let t = 0; t < T; t++) {
      const q0 = start(q, i, heads) + t * q.strides[2];
      for (let d = 0; d < D; d++) qs[d] = q.data[q0 + d] * scale;
      let max = -Infinity;
      for (let s = 0; s < S; s++) {
        let x = 0;
        const kr = k0 + s * k.strides[2];
        for (let d = 0; d < D; d++) x += qs[d] * k.data[kr + d];
        if (mask) x += mask.data[m0 + t * mask.strides[2] + s * mask.strides[3]];
        row[s] = x;
        if (x > max) max = x;
      }
      const shift = max === -Infinity ? 0 : max;
      let sum = 0;
      for (let s = 0; s < S; s++) sum += (row[s] = Math.exp(row[s] - shift));
      const base = (i * T + t) * S;
      acc.fill(0);
      for (let s = 0; s < S; s++) {
        const p = (probs[base + s] = row[s] / sum);
        let w = p;
        if (a.drop) w = dropped![base + s] = p * a.drop[base + s];
        if (w === 0) continue;
        const vr = v0 + s * v.strides[2];
        for (let d = 0; d < DV; d++) acc[d] += w * v.data[vr + d];
      }
      out.set(acc, (i * T + t) * DV);
    }
  }
}

/** dq (n, t, d) written; dk (n, s, d) and, with gOut, dv (n, s, dv) added into. */
export function attentionBackward(
  a: AttentionParams, probs: FloatArray, gOut: FloatArray | null, gWeights: FloatArray | null, dq: FloatArray, dk: FloatArray, dv: FloatArray | null,
): void {
  const { n, heads, t: T, s: S, d: D, dv: DV, scale } = a;
  const { q, k, v } = a;
  const g = new Float64Array(S);
  const qs = new Float64Array(D);
  const acc = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    const k0 = start(k, i, heads), v0 = start(v, i, heads);
    for (let t = 0; t < T; t++) {
      const q0 = start(q, i, heads) + t * q.strides[2];
      for (let d = 0; d < D; d++) qs[d] = q.data[q0 + d] * scale;
      const base = (i * T + t) * S;
      const go = (i * T + t) * DV;
      for (let s = 0; s < S; s++) {
        const vr = v0 + s * v.strides[2];
        let x = 0;
        if (gOut) for (let d = 0; d < DV; d++) x += gOut[go + d] * v.data[vr + d];
        if (gWeights) x += gWeights[base + s];
        const keep = a.drop ? a.drop[base + s] : 1;
        g[s] = x * keep;
        if (gOut && dv) {
          const w = probs[base + s] * keep;
          const dr = (i * S + s) * DV;
          for (let d = 0; d < DV; d++) dv[dr + d] += w * gOut[go + d];
        }
      }
      let r = 0;
      for (let s = 0; s < S; s++) r += g[s] * probs[base + s];
      acc.fill(0);
      for (let s = 0; s < S; s++) {
        const ds = probs[base + s] * (g[s] - r);
        if (ds === 0) continue;
        const kr = k0 + s * k.strides[2];
        const dr = (i * S + s) * D;
        for (let d = 0; d < D; d++) {
          acc[d] += ds * k.data[kr + d];
          dk[dr + d] += ds * qs[d];
        }
      }
      const dqr = (i * T + t) * D;
      for (let d = 0; d < D; d++) dq[dqr + d] = acc[d] * scale;
    }
  }
}
