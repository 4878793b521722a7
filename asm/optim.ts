// The Adam / AdamW update over f32 storage, computed in f64 exactly as the reference loop in
// src/backend/js/optim.ts does (JavaScript numbers are doubles): every intermediate is a double, the
// moments are rounded to f32 when stored and read back rounded, so the result is bit-identical.
// Two f64 lanes per vector, two vectors per step so the long div/sqrt latencies overlap.

// @ts-ignore: decorator
@inline function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

// @ts-ignore: decorator
@inline function store2(p: usize, x: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(x), 0);
}

// f32 round trip of two doubles (what storing into a Float32Array and reading back gives)
// @ts-ignore: decorator
@inline function round2(x: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(x));
}

// @ts-ignore: decorator
@inline function step2(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, amsgrad: bool, neg: bool,
  b1: v128, a1: v128, b2: v128, a2: v128, eps: v128, stepSize: v128, bc2: v128, shrink: v128, l2: v128, useL2: bool,
): void {
  const pv = load2(p);
  let gv = load2(g);
  if (neg) gv = f64x2.neg(gv);
  if (useL2) gv = f64x2.add(gv, f64x2.mul(l2, pv));
  const mv = round2(f64x2.add(f64x2.mul(b1, load2(m)), f64x2.mul(a1, gv)));
  const vv = round2(f64x2.add(f64x2.mul(b2, load2(v)), f64x2.mul(f64x2.mul(a2, gv), gv)));
  store2(m, mv);
  store2(v, vv);
  let second = vv;
  if (amsgrad) {
    // pmax(vmax, v) = vmax < v ? v : vmax: a NaN moment leaves the running maximum alone, as `if (v > vmax)` does
    second = f64x2.pmax(load2(vmax), vv);
    store2(vmax, second);
  }
  const denom = f64x2.add(f64x2.div(f64x2.sqrt(second), bc2), eps);
  store2(p, f64x2.sub(f64x2.mul(pv, shrink), f64x2.div(f64x2.mul(stepSize, mv), denom)));
}

/**
 * One Adam step over n elements: p, g, m, v (and vmax when amsgrad) are f32 arrays at byte addresses.
 * a1 = 1 − β1 and a2 = 1 − β2 come computed from the caller, as the reference computes them.
 */
export function adam(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  beta1: f64, a1: f64, beta2: f64, a2: f64, eps: f64, stepSize: f64, bc2sqrt: f64, shrink: f64, l2: f64,
  amsgrad: bool, maximize: bool,
): void {
  const B1 = f64x2.splat(beta1), A1 = f64x2.splat(a1), B2 = f64x2.splat(beta2), A2 = f64x2.splat(a2);
  const E = f64x2.splat(eps), S = f64x2.splat(stepSize), C = f64x2.splat(bc2sqrt), K = f64x2.splat(shrink), L = f64x2.splat(l2);
  const useL2 = l2 != 0;
  const body = n & ~3;
  let i = 0;
  for (; i < body; i += 4) {
    const o = <usize>i << 2;
    step2(p + o, g + o, m + o, v + o, vmax + o, amsgrad, maximize, B1, A1, B2, A2, E, S, C, K, L, useL2);
    step2(p + o + 8, g + o + 8, m + o + 8, v + o + 8, vmax + o + 8, amsgrad, maximize, B1, A1, B2, A2, E, S, C, K, L, useL2);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pi = <f64>load<f32>(p + o);
    let gi = <f64>load<f32>(g + o);
    if (maximize) gi = -gi;
    if (useL2) gi += l2 * pi;
    const mi = <f64><f32>(beta1 * <f64>load<f32>(m + o) + a1 * gi);
    const vi = <f64><f32>(beta2 * <f64>load<f32>(v + o) + a2 * gi * gi);
    store<f32>(m + o, <f32>mi);
    store<f32>(v + o, <f32>vi);
    let second = vi;
    if (amsgrad) {
      const mx = <f64>load<f32>(vmax + o);
      if (!(second > mx)) second = mx;
      store<f32>(vmax + o, <f32>second);
    }
    store<f32>(p + o, <f32>(pi * shrink - (stepSize * mi) / (Math.sqrt(second) / bc2sqrt + eps)));
  }
}
