// Vectorized float32 special functions (4 lanes), accurate to a few ulp, with IEEE edge cases
// (NaN in -> NaN out, overflow -> Infinity, underflow -> 0 through the subnormals).

// @ts-ignore: decorator
@inline export function splat(x: f32): v128 {
  return f32x4.splat(x);
}

// @ts-ignore: decorator
@inline export function vmadd(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(a, b), c);
}

/** e^x: Cody-Waite reduction x = n·ln2 + r, a degree-6 polynomial (Cephes expf), 2^n in two halves so subnormal results round once. */
// @ts-ignore: decorator
@inline export function vexp(x: v128): v128 {
  // pmin/pmax (one instruction each on x64) keep NaN: the comparison is false and x passes through
  x = f32x4.pmax(f32x4.pmin(x, splat(88.8)), splat(-104.0));
  // n = round(x / ln2) by the 1.5·2^23 trick: the sum's low mantissa bits are n as an integer
  const j = vmadd(x, splat(1.44269504088896341), splat(12582912.0));
  const n = f32x4.sub(j, splat(12582912.0));
  let r = f32x4.sub(x, f32x4.mul(n, splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, splat(-2.12194440e-4)));
  let p = splat(1.9875691500e-4);
  p = vmadd(p, r, splat(1.3981999507e-3));
  p = vmadd(p, r, splat(8.3334519073e-3));
  p = vmadd(p, r, splat(4.1665795894e-2));
  p = vmadd(p, r, splat(1.6666665459e-1));
  p = vmadd(p, r, splat(5.0000001201e-1));
  const y = f32x4.add(vmadd(p, f32x4.mul(r, r), r), splat(1));
  const ni = i32x4.sub(j, i32x4.splat(0x4b400000));
  const n1 = i32x4.shr_s(ni, 1);
  const n2 = i32x4.sub(ni, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

/** Natural logarithm (Cephes logf), including subnormal inputs; log(0) = -Infinity, log(<0) = NaN. */
// @ts-ignore: decorator
@inline export function vlog(x0: v128): v128 {
  // scale subnormals up by 2^23 so the exponent field is meaningful
  const sub = f32x4.lt(x0, splat(1.17549435e-38));
  const x1 = v128.bitselect(f32x4.mul(x0, splat(8388608.0)), x0, sub);
  const bits = x1;
  let e = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126)));
  e = f32x4.sub(e, v128.and(sub, splat(23.0)));
  // mantissa in [0.5, 1)
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const small = f32x4.lt(m, splat(0.707106781186547524));
  // m < sqrt(1/2): e -= 1, m = 2m - 1; else m = m - 1
  e = f32x4.sub(e, v128.and(small, splat(1.0)));
  m = f32x4.sub(f32x4.add(m, v128.and(small, m)), splat(1.0));
  const z = f32x4.mul(m, m);
  let y = splat(7.0376836292e-2);
  y = vmadd(y, m, splat(-1.1514610310e-1));
  y = vmadd(y, m, splat(1.1676998740e-1));
  y = vmadd(y, m, splat(-1.2420140846e-1));
  y = vmadd(y, m, splat(1.4249322787e-1));
  y = vmadd(y, m, splat(-1.6668057665e-1));
  y = vmadd(y, m, splat(2.0000714765e-1));
  y = vmadd(y, m, splat(-2.4999993993e-1));
  y = vmadd(y, m, splat(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, m), z);
  y = vmadd(e, splat(-2.12194440e-4), y);
  y = f32x4.sub(y, f32x4.mul(z, splat(0.5)));
  let r = f32x4.add(m, y);
  r = vmadd(e, splat(0.693359375), r);
  // edge cases: 0 -> -inf, negative -> NaN, +inf -> +inf, NaN -> NaN
  r = v128.bitselect(splat(-Infinity), r, f32x4.eq(x0, splat(0)));
  r = v128.bitselect(splat(NaN), r, f32x4.lt(x0, splat(0)));
  r = v128.bitselect(x0, r, f32x4.eq(x0, splat(Infinity)));
  return v128.bitselect(x0, r, f32x4.ne(x0, x0));
}

/** 1 / (1 + e^-x), from e^-|x| so neither tail loses precision. */
// @ts-ignore: decorator
@inline export function vsigmoid(x: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  const s = f32x4.div(splat(1), f32x4.add(splat(1), e));
  return v128.bitselect(s, f32x4.mul(e, s), f32x4.ge(x, splat(0)));
}

/**
 * tanh: an odd polynomial near 0 (where 1 - 2/(e^2x + 1) would cancel), and 1 - 2/(e^2|x| + 1)
 * with the sign restored elsewhere.
 */
// @ts-ignore: decorator
@inline export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  // |x| < 0.55: Taylor series of tanh to x^15 (truncation < 2e-8 relative there)
  const z = f32x4.mul(x, x);
  let p = splat(-0.00145583438705131827); // -929569/638512875
  p = vmadd(p, z, splat(0.00359212803657248102)); // 21844/6081075
  p = vmadd(p, z, splat(-0.00886323552990219656)); // -1382/155925
  p = vmadd(p, z, splat(0.0218694885361552028)); // 62/2835
  p = vmadd(p, z, splat(-0.0539682539682539683)); // -17/315
  p = vmadd(p, z, splat(0.133333333333333333)); // 2/15
  p = vmadd(p, z, splat(-0.333333333333333333)); // -1/3
  const small = vmadd(f32x4.mul(p, z), x, x);
  const e = vexp(f32x4.add(ax, ax));
  let big = f32x4.sub(splat(1), f32x4.div(splat(2), f32x4.add(e, splat(1))));
  big = v128.or(big, v128.and(x, i32x4.splat(0x80000000))); // copy the sign of x
  return v128.bitselect(small, big, f32x4.lt(ax, splat(0.55)));
}

/**
 * Φ(x) = 0.5·erfc(-x/√2), with erfc from Numerical Recipes' Chebyshev fit (fractional error < 1.2e-7),
 * which keeps relative accuracy in the lower tail where gelu's x·Φ(x) is tiny.
 */
// @ts-ignore: decorator
@inline export function vnormcdf(x: v128): v128 {
  const zs = f32x4.mul(x, splat(-0.70710678118654752)); // erfc argument
  const z = f32x4.abs(zs);
  const t = f32x4.div(splat(1), vmadd(z, splat(0.5), splat(1)));
  let p = splat(0.17087277);
  p = vmadd(p, t, splat(-0.82215223));
  p = vmadd(p, t, splat(1.48851587));
  p = vmadd(p, t, splat(-1.13520398));
  p = vmadd(p, t, splat(0.27886807));
  p = vmadd(p, t, splat(-0.18628806));
  p = vmadd(p, t, splat(0.09678418));
  p = vmadd(p, t, splat(0.37409196));
  p = vmadd(p, t, splat(1.00002368));
  p = vmadd(p, t, splat(-1.26551223));
  const ans = f32x4.mul(t, vexp(f32x4.sub(p, f32x4.mul(z, z))));
  // erfc(zs) = ans for zs >= 0, 2 - ans otherwise
  const erfc = v128.bitselect(ans, f32x4.sub(splat(2), ans), f32x4.ge(zs, splat(0)));
  return f32x4.mul(erfc, splat(0.5));
}

/** x·Φ(x), exact-erf GELU as PyTorch's default. */
// @ts-ignore: decorator
@inline export function vgelu(x: v128): v128 {
  return f32x4.mul(x, vnormcdf(x));
}

/** d/dx x·Φ(x) = Φ(x) + x·φ(x). */
// @ts-ignore: decorator
@inline export function vgeluGrad(x: v128): v128 {
  const phi = f32x4.mul(vexp(f32x4.mul(f32x4.mul(x, x), splat(-0.5))), splat(0.3989422804014327));
  return vmadd(x, phi, vnormcdf(x));
}
