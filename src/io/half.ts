/**
 * float16 (IEEE 754 binary16) and bfloat16 conversions, written out rather than borrowed so that
 * the rounding is known: round to nearest, ties to even, overflow to ±Infinity, gradual underflow to
 * subnormals, NaN kept NaN. Pure arithmetic: no Node imports, no dependence on platform endianness.
 */

/** Rounds y ≥ 0 to an integer, ties to even. Exact: `y - floor(y)` never rounds for doubles. */
function roundTiesEven(y: number): number {
  const f = Math.floor(y);
  const r = y - f;
  if (r > 0.5) return f + 1;
  if (r < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Encodes a double into a small float format with `expBits` exponent bits and `mantBits` stored
 * mantissa bits. Works from the double itself (not from a float32 first) so there is exactly one
 * rounding, even for float64 tensors.
 */
function encodeSmallFloat(x: number, expBits: number, mantBits: number): number {
  const signBit = 1 << (expBits + mantBits);
  const expMask = (1 << expBits) - 1;
  const bias = expMask >> 1;
  const quietNaN = (expMask << mantBits) | (1 << (mantBits - 1));
  if (Number.isNaN(x)) return quietNaN;
  const sign = x < 0 || Object.is(x, -0) ? signBit : 0;
  const a = Math.abs(x);
  const infinity = sign | (expMask << mantBits);
  // Halfway between the largest finite value and the next power of two: at or above it, round to inf.
  const overflow = (2 - 2 ** -(mantBits + 1)) * 2 ** bias;
  if (a >= overflow) return infinity;
  const minNormalExp = 1 - bias;
  if (a < 2 ** minNormalExp) {
    // Subnormal: a multiple of 2^(minNormalExp - mantBits). Rounding up to 2^mantBits yields the
    // smallest normal, whose bit pattern is exactly that integer.
    return sign | roundTiesEven(a * 2 ** (mantBits - minNormalExp));
  }
  let e = Math.floor(Math.log2(a));
  // log2 may be off by one near powers of two; the powers of two themselves are exact.
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  let q = roundTiesEven((a / 2 ** e - 1) * 2 ** mantBits);
  if (q === 2 ** mantBits) {
    q = 0;
    e++;
  }
  // e cannot exceed the largest exponent here: the overflow test above caught everything that would.
  return sign | ((e + bias) << mantBits) | q;
}

/**
 * The float16 bit pattern nearest to `x` (ties to even).
 * @example float32ToFloat16Bits(1) // 0x3c00
 */
export function float32ToFloat16Bits(x: number): number {
  return encodeSmallFloat(x, 5, 10);
}

/**
 * The bfloat16 bit pattern nearest to `x` (ties to even).
 * @example float32ToBfloat16Bits(1) // 0x3f80
 */
export function float32ToBfloat16Bits(x: number): number {
  return encodeSmallFloat(x, 8, 7);
}

let f16Table: Float32Array | null = null;

/** All 65536 float16 values, built on first use (256 KiB) so decoding is one lookup per element. */
function float16Table(): Float32Array {
  if (f16Table) return f16Table;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    if (e === 0) t[h] = s * m * 2 ** -24;
    else if (e === 0x1f) t[h] = m ? NaN : s * Infinity;
    else t[h] = s * (1024 + m) * 2 ** (e - 25);
  }
  f16Table = t;
  return t;
}

/**
 * The value of a float16 bit pattern (exact: every float16 is a float32).
 * @example float16BitsToFloat32(0x3c00) // 1
 */
export function float16BitsToFloat32(bits: number): number {
  return float16Table()[bits & 0xffff];
}

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/**
 * The value of a bfloat16 bit pattern: the top half of a float32.
 * @example bfloat16BitsToFloat32(0x3f80) // 1
 */
export function bfloat16BitsToFloat32(bits: number): number {
  // Both views share the platform's byte order, so this is endianness-independent.
  scratchU32[0] = (bits & 0xffff) << 16;
  return scratchF32[0];
}

/** Decodes `n` little-endian 16-bit patterns starting at byte `offset` of `view` into `out`. */
export function decodeHalfInto(view: DataView, offset: number, n: number, out: Float32Array, format: 'F16' | 'BF16'): void {
  if (format === 'F16') {
    const table = float16Table();
    for (let i = 0; i < n; i++) out[i] = table[view.getUint16(offset + 2 * i, true)];
  } else {
    const u32 = new Uint32Array(out.buffer, out.byteOffset, n);
    for (let i = 0; i < n; i++) u32[i] = view.getUint16(offset + 2 * i, true) << 16;
  }
}
