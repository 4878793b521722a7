/** Special functions the kernels need, accurate to double precision so float64 gradchecks stay tight. */
import type { FloatArray } from '../backend.js';

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/** The error function erf(x), |error| < 1e-14. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series: converges fast here and loses at most two digits to cancellation.
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  // Continued fraction for erfc, evaluated bottom-up; 60 levels are ample for x >= 2.5.
  let f = ax;
  for (let n = 60; n >= 1; n--) f = ax + n / 2 / f;
  const erfc = Math.exp(-ax * ax) / (f * Math.sqrt(Math.PI));
  return x > 0 ? 1 - erfc : erfc - 1;
}

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;

/** GELU with the exact Gaussian CDF, as PyTorch's default: x·Φ(x). */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x * INV_SQRT2));
}

/** d/dx of x·Φ(x) = Φ(x) + x·φ(x). */
export function geluGrad(x: number): number {
  return 0.5 * (1 + erf(x * INV_SQRT2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/** √(2/π), the slope of the tanh approximation of GELU. */
const GELU_TANH_K = Math.sqrt(2 / Math.PI);
const GELU_TANH_C = 0.044715;

/** GPT-2's `gelu_new`: out = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), the reference loop. */
export function geluTanh(x: FloatArray, out: FloatArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = 0.5 * v * (1 + Math.tanh(GELU_TANH_K * (v + GELU_TANH_C * v * v * v)));
  }
}

/** Its gradient from the incoming g: the product rule, with dt/dx = (1 − t²)·k·(1 + 3c·x²). */
export function geluTanhBackward(x: FloatArray, g: FloatArray, out: FloatArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const t = Math.tanh(GELU_TANH_K * (v + GELU_TANH_C * v * v * v));
    out[i] = g[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_TANH_K * (1 + 3 * GELU_TANH_C * v * v));
  }
}
