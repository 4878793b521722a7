/** Row-wise kernels for neural networks: softmax, layer norm, and index gathers and scatters. */
import type { FloatArray } from '../backend.js';

export function softmax(x: FloatArray, rows: number, cols: number, out: FloatArray, log: boolean): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) if (x[o + c] > max) max = x[o + c];
    // a row of -Infinity (everything masked) gives NaN, as in PyTorch; a finite shift keeps exp in range
    const shift = max === -Infinity ? 0 : max;
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(x[o + c] - shift);
    if (log) {
      const lse = Math.log(sum);
      for (let c = 0; c < cols; c++) out[o + c] = x[o + c] - shift - lse;
    } else {
      const inv = 1 / sum;
      for (let c = 0; c < cols; c++) out[o + c] = Math.exp(x[o + c] - shift) * inv;
    }
  }
}

export function softmaxBackward(y: FloatArray, g: FloatArray, rows: number, cols: number, out: FloatArray, log: boolean): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    if (log) {
      // d logsoftmax: g - softmax · Σg
      let sg = 0;
      for (let c = 0; c < cols; c++) sg += g[o + c];
      for (let c = 0; c < cols; c++) out[o + c] = g[o + c] - Math.exp(y[o + c]) * sg;
    } else {
      // d softmax: y · (g - Σ y·g)
      let dot = 0;
      for (let c = 0; c < cols; c++) dot += y[o + c] * g[o + c];
      for (let c = 0; c < cols; c++) out[o + c] = y[o + c] * (g[o + c] - dot);
    }
  }
}

export function crossEntropy(
  x: FloatArray, rows: number, cols: number, targets: Int32Array, eps: number, loss: FloatArray, stats: FloatArray,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) if (x[o + c] > max) max = x[o + c];
    const shift = max === -Infinity ? 0 : max;
    let sum = 0;
    let sx = 0;
    for (let c = 0; c < cols; c++) {
      sum += Math.exp(x[o + c] - shift);
      sx += x[o + c];
    }
    const logSum = Math.log(sum);
    stats[2 * r] = shift;
    stats[2 * r + 1] = logSum;
    const t = targets[r];
    let l = 0;
    if (t >= 0) {
      const lse = shift + logSum;
      l = (1 - eps) * (lse - x[o + t]);
      if (eps > 0) l += eps * (lse - sx / cols);
    }
    loss[r] = l;
  }
}

export function crossEntropyBackward(
  x: FloatArray, stats: FloatArray, g: FloatArray, rows: number, cols: number, targets: Int32Array, eps: number, dx: FloatArray,
): void {
  const u = eps / cols;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const t = targets[r];
    if (t < 0) {
      dx.fill(0, o, o + cols);
      continue;
    }
    const gr = g[r];
    const shift = stats[2 * r];
    const logSum = stats[2 * r + 1];
    for (let c = 0; c < cols; c++) dx[o + c] = gr * (Math.exp(x[o + c] - shift - logSum) - u);
    dx[o + t] -= gr * (1 - eps);
  }
}

export function layerNorm(
  x: FloatArray, weight: FloatArray | null, bias: FloatArray | null, rows: number, cols: number, eps: number,
  out: FloatArray, mean: FloatArray, rstd: FloatArray,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let mu = 0;
    for (let c = 0; c < cols; c++) mu += x[o + c];
    mu /= cols;
    let v = 0;
    for (let c = 0; c < cols; c++) { const d = x[o + c] - mu; v += d * d; }
    const rs = 1 / Math.sqrt(v / cols + eps);
    mean[r] = mu;
    rstd[r] = rs;
    for (let c = 0; c < cols; c++) {
      let y = (x[o + c] - mu) * rs;
      if (weight) y *= weight[c];
      if (bias) y += bias[c];
      out[o + c] = y;
    }
  }
}

export function layerNormBackward(
  x: FloatArray, weight: FloatArray | null, mean: FloatArray, rstd: FloatArray, g: FloatArray,
  rows: number, cols: number, dx: FloatArray, dweight: FloatArray | null, dbias: FloatArray | null,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const mu = mean[r];
    const rs = rstd[r];
    // with xhat = (x-mu)·rs and gh = g·w: dx = rs · (gh - mean(gh) - xhat · mean(gh·xhat))
    let sumG = 0;
    let sumGX = 0;
    for (let c = 0; c < cols; c++) {
      const xh = (x[o + c] - mu) * rs;
      const gh = weight ? g[o + c] * weight[c] : g[o + c];
      sumG += gh;
      sumGX += gh * xh;
      if (dweight) dweight[c] += g[o + c] * xh;
      if (dbias) dbias[c] += g[o + c];
    }
    const mG = sumG / cols;
    const mGX = sumGX / cols;
    for (let c = 0; c < cols; c++) {
      const xh = (x[o + c] - mu) * rs;
      const gh = weight ? g[o + c] * weight[c] : g[o + c];
      dx[o + c] = rs * (gh - mG - xh * mGX);
    }
  }
}

export function indexSelect(x: FloatArray, outer: number, n: number, inner: number, idx: Int32Array, out: FloatArray): void {
  const m = idx.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * n + idx[j]) * inner;
      const dst = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = x[src + i];
    }
  }
}

export function indexAdd(src: FloatArray, outer: number, n: number, inner: number, idx: Int32Array, out: FloatArray): void {
  const m = idx.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const dst = (o * n + idx[j]) * inner;
      const s = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] += src[s + i];
    }
  }
}

export function gather(x: FloatArray, outer: number, n: number, inner: number, idx: Int32Array, m: number, out: FloatArray): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const row = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[row + i] = x[(o * n + idx[row + i]) * inner + i];
    }
  }
}

export function scatterAdd(src: FloatArray, outer: number, n: number, inner: number, idx: Int32Array, m: number, out: FloatArray): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const row = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[(o * n + idx[row + i]) * inner + i] += src[row + i];
    }
  }
}

/**
 * Dropout from one 32-bit draw per element: kept (mask = scale) where the draw is at least p·2³², read
 * as signed after flipping the top bit (u ^ 2³¹ ≥ t − 2³¹, so every value stays a small integer), else
 * mask = 0; out = x·mask, which keeps NaN as a product with the mask does. `threshold` = round(p·2³²) − 2³¹.
 */
export function dropout(bits: Uint32Array, threshold: number, scale: number, x: FloatArray, out: FloatArray, mask: FloatArray): void {
  dropoutMask(bits, threshold, scale, mask);
  for (let i = 0; i < out.length; i++) out[i] = x[i] * mask[i];
}

/** Dropout's mask alone: scale where (int)(bits ^ 2³¹) ≥ threshold, else 0, for each of mask.length draws. */
export function dropoutMask(bits: Uint32Array, threshold: number, scale: number, mask: FloatArray): void {
  const n = mask.length;
  const signed = new Int32Array(bits.buffer, bits.byteOffset, n);
  for (let i = 0; i < n; i++) mask[i] = (signed[i] ^ -2147483648) >= threshold ? scale : 0;
}

/** Dropout's gradient: out = g·mask. */
export function dropoutBackward(g: FloatArray, mask: FloatArray, out: FloatArray): void {
  for (let i = 0; i < out.length; i++) out[i] = g[i] * mask[i];
}
