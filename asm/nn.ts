// Row-wise kernels for neural networks over f32: softmax, layer norm, and their gradients.
import { splat, vexp, vlog, vmadd } from './vmath';
import { TAIL } from './elementwise';

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// @ts-ignore: decorator
@inline function hmax(v: v128): f32 {
  // NaN propagates, as through f32x4.max
  const m = f32x4.max(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.max(m, i32x4.shuffle(m, m, 1, 0, 3, 2)), 0);
}

/** Loads the `len` < 16 trailing bytes at p into a vector padded with `fill`. */
// @ts-ignore: decorator
@inline function loadTail(p: usize, len: usize, fill: f32): v128 {
  v128.store(TAIL, splat(fill));
  memory.copy(TAIL, p, len);
  return v128.load(TAIL);
}

// @ts-ignore: decorator
@inline function storeTail(p: usize, len: usize, v: v128): void {
  v128.store(TAIL, v);
  memory.copy(p, TAIL, len);
}

/** Row-wise softmax (or log-softmax) of (rows, cols); out may equal x. */
export function softmax(x: usize, out: usize, rows: i32, cols: i32, log: bool): void {
  const bytes = <usize>cols << 2;
  const body = bytes & ~<usize>15;
  const rest = bytes - body;
  for (let r = 0; r < rows; r++) {
    const px = x + <usize>r * bytes;
    const po = out + <usize>r * bytes;
    let vm = splat(-Infinity);
    let i: usize = 0;
    for (; i < body; i += 16) vm = f32x4.max(vm, v128.load(px + i));
    if (rest) vm = f32x4.max(vm, loadTail(px + i, rest, -Infinity));
    const max = hmax(vm);
    // a row of -Infinity (everything masked) gives NaN, as in PyTorch; a finite shift keeps exp in range
    const shift = splat(max == -Infinity ? 0 : max);
    let s0 = splat(0), s1 = splat(0);
    i = 0;
    for (; i + 32 <= body; i += 32) {
      const e0 = vexp(f32x4.sub(v128.load(px + i), shift));
      const e1 = vexp(f32x4.sub(v128.load(px + i, 16), shift));
      s0 = f32x4.add(s0, e0);
      s1 = f32x4.add(s1, e1);
      if (!log) { v128.store(po + i, e0); v128.store(po + i, e1, 16); }
    }
    for (; i < body; i += 16) {
      const e = vexp(f32x4.sub(v128.load(px + i), shift));
      s0 = f32x4.add(s0, e);
      if (!log) v128.store(po + i, e);
    }
    if (rest) {
      const e = vexp(f32x4.sub(loadTail(px + i, rest, -Infinity), shift));
      s0 = f32x4.add(s0, e);
      if (!log) storeTail(po + i, rest, e);
    }
    const sum = <f64>hsum(f32x4.add(s0, s1));
    if (log) {
      // (x - shift) - lse in two steps, as the reference: x - shift is exact near the maximum
      // vlog rather than Math.log: its tables would be data segments, written again by every worker's instantiation
      const lse = vlog(splat(<f32>sum));
      i = 0;
      for (; i < body; i += 16) v128.store(po + i, f32x4.sub(f32x4.sub(v128.load(px + i), shift), lse));
      if (rest) storeTail(po + i, rest, f32x4.sub(f32x4.sub(loadTail(px + i, rest, 0), shift), lse));
    } else {
      const inv = splat(<f32>(1 / sum));
      i = 0;
      for (; i < body; i += 16) v128.store(po + i, f32x4.mul(v128.load(po + i), inv));
      if (rest) storeTail(po + i, rest, f32x4.mul(loadTail(po + i, rest, 0), inv));
    }
  }
}

/** Gradient of softmax (log: of log-softmax) from its output y and incoming g; out may equal g. */
export function softmaxBackward(y: usize, g: usize, out: usize, rows: i32, cols: i32, log: bool): void {
  const bytes = <usize>cols << 2;
  const body = bytes & ~<usize>15;
  const rest = bytes - body;
  for (let r = 0; r < rows; r++) {
    const py = y + <usize>r * bytes;
    const pg = g + <usize>r * bytes;
    const po = out + <usize>r * bytes;
    let acc = splat(0);
    let i: usize = 0;
    if (log) {
      // g - softmax · Σg
      for (; i < body; i += 16) acc = f32x4.add(acc, v128.load(pg + i));
      if (rest) acc = f32x4.add(acc, loadTail(pg + i, rest, 0));
      const sg = splat(hsum(acc));
      i = 0;
      for (; i < body; i += 16) v128.store(po + i, f32x4.sub(v128.load(pg + i), f32x4.mul(vexp(v128.load(py + i)), sg)));
      if (rest) storeTail(po + i, rest, f32x4.sub(loadTail(pg + i, rest, 0), f32x4.mul(vexp(loadTail(py + i, rest, 0)), sg)));
    } else {
      // y · (g - Σ y·g)
      for (; i < body; i += 16) acc = vmadd(v128.load(py + i), v128.load(pg + i), acc);
      if (rest) acc = vmadd(loadTail(py + i, rest, 0), loadTail(pg + i, rest, 0), acc);
      const dot = splat(hsum(acc));
      i = 0;
      for (; i < body; i += 16) v128.store(po + i, f32x4.mul(v128.load(py + i), f32x4.sub(v128.load(pg + i), dot)));
      if (rest) storeTail(po + i, rest, f32x4.mul(loadTail(py + i, rest, 0), f32x4.sub(loadTail(pg + i, rest, 0), dot)));
    }
  }
}

/**
 * Row-wise layer norm of (rows, cols): out = (x - mean)·rstd·w + b (w, b optional: pass 0).
 * Writes per-row mean and rstd. out may equal x.
 */
export function layerNorm(
  x: usize, w: usize, b: usize, rows: i32, cols: i32, eps: f64, out: usize, mean: usize, rstd: usize,
): void {
  const bytes = <usize>cols << 2;
  const body = bytes & ~<usize>15;
  const rest = bytes - body;
  for (let r = 0; r < rows; r++) {
    const px = x + <usize>r * bytes;
    const po = out + <usize>r * bytes;
    let s0 = splat(0), s1 = splat(0);
    let i: usize = 0;
    for (; i + 32 <= body; i += 32) { s0 = f32x4.add(s0, v128.load(px + i)); s1 = f32x4.add(s1, v128.load(px + i, 16)); }
    for (; i < body; i += 16) s0 = f32x4.add(s0, v128.load(px + i));
    if (rest) s0 = f32x4.add(s0, loadTail(px + i, rest, 0));
    const mu = <f32>(<f64>hsum(f32x4.add(s0, s1)) / cols);
    const vmu = splat(mu);
    s0 = splat(0); s1 = splat(0);
    i = 0;
    for (; i + 32 <= body; i += 32) {
      const d0 = f32x4.sub(v128.load(px + i), vmu);
      const d1 = f32x4.sub(v128.load(px + i, 16), vmu);
      s0 = vmadd(d0, d0, s0);
      s1 = vmadd(d1, d1, s1);
    }
    for (; i < body; i += 16) { const d = f32x4.sub(v128.load(px + i), vmu); s0 = vmadd(d, d, s0); }
    if (rest) { const d = f32x4.sub(loadTail(px + i, rest, mu), vmu); s0 = vmadd(d, d, s0); }
    const rs = <f32>(1 / Math.sqrt(<f64>hsum(f32x4.add(s0, s1)) / cols + eps));
    store<f32>(mean + (<usize>r << 2), mu);
    store<f32>(rstd + (<usize>r << 2), rs);
    const vrs = splat(rs);
    i = 0;
    for (; i < body; i += 16) {
      let v = f32x4.mul(f32x4.sub(v128.load(px + i), vmu), vrs);
      if (w) v = f32x4.mul(v, v128.load(w + i));
      if (b) v = f32x4.add(v, v128.load(b + i));
      v128.store(po + i, v);
    }
    if (rest) {
      let v = f32x4.mul(f32x4.sub(loadTail(px + i, rest, 0), vmu), vrs);
      if (w) v = f32x4.mul(v, loadTail(w + i, rest, 0));
      if (b) v = f32x4.add(v, loadTail(b + i, rest, 0));
      storeTail(po + i, rest, v);
    }
  }
}

/** dx is overwritten; dw and db (0 when absent) are accumulated into. dx may equal g. */
export function layerNormBackward(
  x: usize, w: usize, mean: usize, rstd: usize, g: usize, rows: i32, cols: i32, dx: usize, dw: usize, db: usize,
): void {
  const bytes = <usize>cols << 2;
  const body = bytes & ~<usize>15;
  const rest = bytes - body;
  for (let r = 0; r < rows; r++) {
    const px = x + <usize>r * bytes;
    const pg = g + <usize>r * bytes;
    const pd = dx + <usize>r * bytes;
    const vmu = v128.load32_splat(mean + (<usize>r << 2));
    const vrs = v128.load32_splat(rstd + (<usize>r << 2));
    let sG = splat(0), sGX = splat(0);
    let i: usize = 0;
    for (; i < bytes; i += 16) {
      const tail = i + 16 > bytes;
      const len = tail ? bytes - i : 16;
      const xv = tail ? loadTail(px + i, len, 0) : v128.load(px + i);
      const gv = tail ? loadTail(pg + i, len, 0) : v128.load(pg + i);
      const xh = f32x4.mul(f32x4.sub(xv, vmu), vrs);
      // padded lanes have g = 0, so they add nothing below
      const gh = w ? f32x4.mul(gv, tail ? loadTail(w + i, len, 0) : v128.load(w + i)) : gv;
      sG = f32x4.add(sG, gh);
      sGX = vmadd(gh, xh, sGX);
      if (dw) {
        const cur = tail ? loadTail(dw + i, len, 0) : v128.load(dw + i);
        const nv = vmadd(gv, xh, cur);
        if (tail) storeTail(dw + i, len, nv); else v128.store(dw + i, nv);
      }
      if (db) {
        const cur = tail ? loadTail(db + i, len, 0) : v128.load(db + i);
        const nv = f32x4.add(cur, gv);
        if (tail) storeTail(db + i, len, nv); else v128.store(db + i, nv);
      }
    }
    const mG = splat(<f32>(<f64>hsum(sG) / cols));
    const mGX = splat(<f32>(<f64>hsum(sGX) / cols));
    i = 0;
    for (; i < body; i += 16) {
      const xh = f32x4.mul(f32x4.sub(v128.load(px + i), vmu), vrs);
      const gv = v128.load(pg + i);
      const gh = w ? f32x4.mul(gv, v128.load(w + i)) : gv;
      v128.store(pd + i, f32x4.mul(vrs, f32x4.sub(f32x4.sub(gh, mG), f32x4.mul(xh, mGX))));
    }
    if (rest) {
      const xh = f32x4.mul(f32x4.sub(loadTail(px + i, rest, 0), vmu), vrs);
      const gv = loadTail(pg + i, rest, 0);
      const gh = w ? f32x4.mul(gv, loadTail(w + i, rest, 0)) : gv;
      storeTail(pd + i, rest, f32x4.mul(vrs, f32x4.sub(f32x4.sub(gh, mG), f32x4.mul(xh, mGX))));
    }
  }
}

/**
 * Row-wise cross-entropy of logits x (rows, cols) against one class per row (targets: i32, < 0 for
 * an ignored row) with label smoothing eps:
 *   loss[r] = (1 − eps)·(lse − x[t]) + eps·(lse − mean(x)),  0 for ignored rows,
 * where lse = log Σ exp(x). Keeps stats[2r] = the row maximum (the shift) and stats[2r + 1] = log Σ exp(x − shift)
 * for the backward pass. loss and stats are f32.
 */
export function crossEntropy(x: usize, rows: i32, cols: i32, targets: usize, eps: f64, loss: usize, stats: usize): void {
  const bytes = <usize>cols << 2;
  const body = bytes & ~<usize>15;
  const rest = bytes - body;
  for (let r = 0; r < rows; r++) {
    const px = x + <usize>r * bytes;
    let vm = splat(-Infinity);
    let i: usize = 0;
    for (; i < body; i += 16) vm = f32x4.max(vm, v128.load(px + i));
    if (rest) vm = f32x4.max(vm, loadTail(px + i, rest, -Infinity));
    const max = hmax(vm);
    const shift = splat(max == -Infinity ? 0 : max);
    let s0 = splat(0), s1 = splat(0), t0 = splat(0), t1 = splat(0);
    i = 0;
    for (; i + 32 <= body; i += 32) {
      const a = v128.load(px + i);
      const b = v128.load(px + i, 16);
      s0 = f32x4.add(s0, vexp(f32x4.sub(a, shift)));
      s1 = f32x4.add(s1, vexp(f32x4.sub(b, shift)));
      t0 = f32x4.add(t0, a);
      t1 = f32x4.add(t1, b);
    }
    for (; i < body; i += 16) {
      const a = v128.load(px + i);
      s0 = f32x4.add(s0, vexp(f32x4.sub(a, shift)));
      t0 = f32x4.add(t0, a);
    }
    if (rest) {
      s0 = f32x4.add(s0, vexp(f32x4.sub(loadTail(px + i, rest, -Infinity), shift)));
      t0 = f32x4.add(t0, loadTail(px + i, rest, 0));
    }
    const logSum = f32x4.extract_lane(vlog(splat(hsum(f32x4.add(s0, s1)))), 0);
    const sh = f32x4.extract_lane(shift, 0);
    store<f32>(stats + (<usize>r << 3), sh);
    store<f32>(stats + (<usize>r << 3), logSum, 4);
    const t = load<i32>(targets + (<usize>r << 2));
    let l: f64 = 0;
    if (t >= 0) {
      const lse = <f64>sh + <f64>logSum;
      l = (1 - eps) * (lse - <f64>load<f32>(px + (<usize>t << 2)));
      if (eps > 0) l += eps * (lse - <f64>hsum(f32x4.add(t0, t1)) / <f64>cols);
    }
    store<f32>(loss + (<usize>r << 2), <f32>l);
  }
}

/**
 * Gradient of `crossEntropy` with respect to x from the per-row incoming gradient g (f32, rows):
 *   dx[r, c] = g[r]·(softmax(x)[r, c] − eps/cols − (1 − eps)·[c = t]),  0 on ignored rows.
 * dx may equal x.
 */
export function crossEntropyBackward(
  x: usize, stats: usize, g: usize, rows: i32, cols: i32, targets: usize, eps: f64, dx: usize,
): void {
  const bytes = <usize>cols << 2;
  const body = bytes & ~<usize>15;
  const rest = bytes - body;
  const uniform = <f32>(eps / <f64>cols);
  for (let r = 0; r < rows; r++) {
    const px = x + <usize>r * bytes;
    const po = dx + <usize>r * bytes;
    const t = load<i32>(targets + (<usize>r << 2));
    if (t < 0) {
      memory.fill(po, 0, bytes);
      continue;
    }
    const gr = load<f32>(g + (<usize>r << 2));
    const shift = splat(load<f32>(stats + (<usize>r << 3)));
    const logSum = splat(load<f32>(stats + (<usize>r << 3), 4));
    const vg = splat(gr);
    const vu = splat(uniform);
    let i: usize = 0;
    for (; i < body; i += 16) {
      const p = vexp(f32x4.sub(f32x4.sub(v128.load(px + i), shift), logSum));
      v128.store(po + i, f32x4.mul(vg, f32x4.sub(p, vu)));
    }
    if (rest) {
      const p = vexp(f32x4.sub(f32x4.sub(loadTail(px + i, rest, 0), shift), logSum));
      storeTail(po + i, rest, f32x4.mul(vg, f32x4.sub(p, vu)));
    }
    const pt = po + (<usize>t << 2);
    store<f32>(pt, load<f32>(pt) - gr * <f32>(1 - eps));
  }
}
