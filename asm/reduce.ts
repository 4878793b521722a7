// Reductions over the middle axis of a row-major (outer, mid, inner) f32 array.
import { splat } from './vmath';
import { TAIL } from './elementwise';

const R_SUM = 0, R_MAX = 1, R_MIN = 2;

// @ts-ignore: decorator
@inline function combine(op: i32, a: v128, b: v128): v128 {
  // max/min: NaN wins, as in the reference (f32x4.max/min propagate NaN)
  return op == R_SUM ? f32x4.add(a, b) : op == R_MAX ? f32x4.max(a, b) : f32x4.min(a, b);
}

// @ts-ignore: decorator
@inline function identity(op: i32): f32 {
  return op == R_SUM ? 0 : op == R_MAX ? -Infinity : Infinity;
}

// @ts-ignore: decorator
@inline function reduceOp(op: i32, x: usize, outer: i32, mid: i32, inner: i32, out: usize): void {
  const id = splat(identity(op));
  if (inner == 1) {
    // each output is one contiguous run of `mid` values: four independent vector accumulators
    const bytes = <usize>mid << 2;
    for (let o = 0; o < outer; o++) {
      const p = x + <usize>o * bytes;
      let a0 = id, a1 = id, a2 = id, a3 = id;
      let i: usize = 0;
      // sums: each block of 256 values is added in f32 lanes, the blocks into an f64 total, so long
      // rows do not drift (a million 0.1s sum to 100000.0, not 100060)
      let total: f64 = 0;
      for (; i + 64 <= bytes; i += 64) {
        a0 = combine(op, a0, v128.load(p + i));
        a1 = combine(op, a1, v128.load(p + i, 16));
        a2 = combine(op, a2, v128.load(p + i, 32));
        a3 = combine(op, a3, v128.load(p + i, 48));
        if (op == R_SUM && (i & 1023) == 960) {
          let b = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
          total += <f64>f32x4.extract_lane(b, 0) + <f64>f32x4.extract_lane(b, 1) + <f64>f32x4.extract_lane(b, 2) + <f64>f32x4.extract_lane(b, 3);
          a0 = id; a1 = id; a2 = id; a3 = id;
        }
      }
      for (; i + 16 <= bytes; i += 16) a0 = combine(op, a0, v128.load(p + i));
      if (i < bytes) {
        v128.store(TAIL, id);
        memory.copy(TAIL, p + i, bytes - i);
        a1 = combine(op, a1, v128.load(TAIL));
      }
      let v = combine(op, combine(op, a0, a1), combine(op, a2, a3));
      if (op == R_SUM) {
        total += <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
        store<f32>(out + (<usize>o << 2), <f32>total);
        continue;
      }
      v = combine(op, v, i32x4.shuffle(v, v, 2, 3, 0, 1));
      v = combine(op, v, i32x4.shuffle(v, v, 1, 0, 3, 2));
      store<f32>(out + (<usize>o << 2), f32x4.extract_lane(v, 0));
    }
    return;
  }
  // rows of `inner` values combined into one output row
  const rowBytes = <usize>inner << 2;
  const body = rowBytes & ~<usize>15;
  for (let o = 0; o < outer; o++) {
    const base = x + <usize>o * mid * rowBytes;
    const po = out + <usize>o * rowBytes;
    let i: usize = 0;
    for (; i < body; i += 16) {
      let p = base + i;
      if (op == R_SUM) {
        // column sums over many rows (bias gradients over B·T) accumulate in f64 lanes
        let lo = f64x2.splat(0), hi = f64x2.splat(0);
        for (let r = 0; r < mid; r++) {
          const v = v128.load(p);
          lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
          hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
          p += rowBytes;
        }
        v128.store(po + i, i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
        continue;
      }
      let acc = id;
      for (let r = 0; r < mid; r++) {
        acc = combine(op, acc, v128.load(p));
        p += rowBytes;
      }
      v128.store(po + i, acc);
    }
    for (; i < rowBytes; i += 4) {
      let acc: f64 = identity(op);
      let p = base + i;
      for (let r = 0; r < mid; r++) {
        const v = <f64>load<f32>(p);
        acc = op == R_SUM ? acc + v : (v != v || (op == R_MAX ? v > acc : v < acc)) ? v : acc;
        p += rowBytes;
      }
      store<f32>(po + i, <f32>acc);
    }
  }
}

/** out(outer, inner) = op over the middle axis of x(outer, mid, inner). */
export function reduce(op: i32, x: usize, outer: i32, mid: i32, inner: i32, out: usize): void {
  if (op == R_SUM) reduceOp(R_SUM, x, outer, mid, inner, out);
  else if (op == R_MAX) reduceOp(R_MAX, x, outer, mid, inner, out);
  else reduceOp(R_MIN, x, outer, mid, inner, out);
}
