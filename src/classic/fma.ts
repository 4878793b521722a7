/**
 * A correctly rounded fused multiply-add for JavaScript, which has none (no Math.fma).
 *
 * Why KNN needs it: scikit-learn computes squared Euclidean distances as ‖q‖² − 2·q·x + ‖x‖², with the
 * cross term q·x from BLAS dgemm; on x86-64 OpenBLAS accumulates that dot product with FMA
 * instructions (acc = round(q₀x₀), then acc = fma(qᵢ, xᵢ, acc)). Iris is full of exact and near
 * distance ties, so reproducing scikit-learn's neighbour choices means reproducing those roundings.
 *
 * Algorithm: Boldo & Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms
 * using rounding to odd" (IEEE TC 2008): (uh, ul) = a·b exactly, (th, tl) = c + uh exactly,
 * z = RN(th + RO(tl + ul)). Correct for all finite inputs away from overflow and underflow.
 */

const SPLITTER = 134217729; // 2^27 + 1 (Veltkamp split for 53-bit significands)
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE ? 0 : 1;
const HI = LITTLE ? 1 : 0;

/** The double next to `x` (finite, ≠ 0): one step larger in magnitude when `up`, smaller otherwise. */
function stepBits(x: number, up: boolean): number {
  f64[0] = x;
  if (up) {
    u32[LO] = (u32[LO] + 1) >>> 0;
    if (u32[LO] === 0) u32[HI] = (u32[HI] + 1) >>> 0;
  } else {
    if (u32[LO] === 0) u32[HI] = (u32[HI] - 1) >>> 0;
    u32[LO] = (u32[LO] - 1) >>> 0;
  }
  return f64[0];
}

/** a + b rounded to odd: the exact sum if representable, else the neighbour with an odd last bit. */
function addRoundOdd(a: number, b: number): number {
  const s = a + b;
  // TwoSum: the exact error of the rounded sum
  const bb = s - a;
  const err = (a - (s - bb)) + (b - bb);
  if (err === 0 || s === 0) return s;
  f64[0] = s;
  if ((u32[LO] & 1) === 1) return s;
  // s is even and inexact: the exact sum lies between s and its neighbour towards err; take that one
  const awayFromZero = (s > 0) === (err > 0);
  return stepBits(s, awayFromZero);
}

/**
 * fma(a, b, c) = a·b + c with one rounding (to nearest even), as the hardware instruction computes it.
 * @example fma(0.1, 10, -1) // 5.551115123125783e-17, where 0.1 * 10 - 1 gives 0
 */
export function fma(a: number, b: number, c: number): number {
  // uh + ul = a·b exactly (Dekker's product with Veltkamp splitting)
  const uh = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const ul = ((ah * bh - uh) + ah * bl + al * bh) + al * bl;
  // th + tl = c + uh exactly (TwoSum)
  const th = c + uh;
  const z = th - c;
  const tl = (c - (th - z)) + (uh - z);
  if (!Number.isFinite(th) || !Number.isFinite(uh)) return a * b + c;
  return th + addRoundOdd(tl, ul);
}

/**
 * Dot product of x[xo..xo+d) and y[yo..yo+d) accumulated the way an FMA BLAS kernel does:
 * acc = x₀y₀ rounded, then acc = fma(xᵢ, yᵢ, acc) in order.
 */
export function fmaDot(x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number, d: number): number {
  if (d === 0) return 0;
  let acc = x[xo] * y[yo];
  for (let i = 1; i < d; i++) acc = fma(x[xo + i], y[yo + i], acc);
  return acc;
}
