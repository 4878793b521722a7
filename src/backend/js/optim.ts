/** The reference Adam / AdamW update: the definition the fast kernels are tested against bit for bit. */
import type { AdamStep, FloatArray } from '../backend.js';

export function adam(p: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, vmax: FloatArray | null, h: AdamStep): void {
  const { beta1, beta2, eps, stepSize, bc2sqrt, shrink, l2, maximize } = h;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grad[i] : grad[i];
    if (l2 !== 0) g += l2 * p[i];
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    // read the stored moments back so the update uses exactly what a saved state would hold
    let second = v[i];
    if (vmax) {
      if (second > vmax[i]) vmax[i] = second;
      second = vmax[i];
    }
    const denom = Math.sqrt(second) / bc2sqrt + eps;
    p[i] = p[i] * shrink - (stepSize * m[i]) / denom;
  }
}
