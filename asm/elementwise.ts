// Elementwise kernels over f32: unary maps and their derivatives, and binary ops over 2-D blocks
// whose operands are each contiguous (inner stride 1) or broadcast (inner stride 0) along a row.
import { splat, vexp, vgelu, vgeluGrad, vlog, vsigmoid, vtanh } from './vmath';

/** Static scratch for vector tails: four 16-byte slots. */
export const TAIL: usize = memory.data(64, 16);

// Unary op codes (keep in sync with src/backend/wasm/ops.ts).
const U_NEG = 0, U_EXP = 1, U_LOG = 2, U_SQRT = 3, U_ABS = 4, U_TANH = 5, U_SIGMOID = 6, U_RELU = 7, U_GELU = 8, U_SIGN = 9;
// Binary op codes.
const B_ADD = 0, B_SUB = 1, B_MUL = 2, B_DIV = 3, B_MAX = 4, B_MIN = 5, B_EQ = 6, B_NE = 7, B_LT = 8, B_LE = 9, B_GT = 10, B_GE = 11;

// @ts-ignore: decorator
@inline function unaryV(op: i32, x: v128): v128 {
  switch (op) {
    case U_NEG: return f32x4.neg(x);
    case U_EXP: return vexp(x);
    case U_LOG: return vlog(x);
    case U_SQRT: return f32x4.sqrt(x);
    case U_ABS: return f32x4.abs(x);
    case U_TANH: return vtanh(x);
    case U_SIGMOID: return vsigmoid(x);
    // NaN passes through (x != x), as in PyTorch
    case U_RELU: return v128.bitselect(x, splat(0), v128.or(f32x4.gt(x, splat(0)), f32x4.ne(x, x)));
    case U_GELU: return vgelu(x);
    case U_SIGN: {
      // 1 for x > 0, -1 for x < 0, x itself for ±0 and NaN
      const r = v128.bitselect(splat(1), x, f32x4.gt(x, splat(0)));
      return v128.bitselect(splat(-1), r, f32x4.lt(x, splat(0)));
    }
    default: return x;
  }
}

// @ts-ignore: decorator
@inline function unaryLoop(op: i32, x: usize, out: usize, n: i32): void {
  const end = x + (<usize>n << 2);
  const d = out - x;
  let p = x;
  // two independent vectors per step give the long polynomial chains something to overlap with
  for (; p + 32 <= end; p += 32) {
    const r0 = unaryV(op, v128.load(p));
    const r1 = unaryV(op, v128.load(p, 16));
    v128.store(p + d, r0);
    v128.store(p + d, r1, 16);
  }
  for (; p + 16 <= end; p += 16) v128.store(p + d, unaryV(op, v128.load(p)));
  if (p < end) {
    // the tail through a zero-padded vector so every lane gets the same arithmetic
    const len = end - p;
    v128.store(TAIL, splat(0));
    memory.copy(TAIL, p, len);
    v128.store(TAIL, unaryV(op, v128.load(TAIL)));
    memory.copy(p + d, TAIL, len);
  }
}

/** out[i] = op(x[i]); out may equal x. */
export function unary(op: i32, x: usize, out: usize, n: i32): void {
  switch (op) {
    case U_NEG: unaryLoop(U_NEG, x, out, n); break;
    case U_EXP: unaryLoop(U_EXP, x, out, n); break;
    case U_LOG: unaryLoop(U_LOG, x, out, n); break;
    case U_SQRT: unaryLoop(U_SQRT, x, out, n); break;
    case U_ABS: unaryLoop(U_ABS, x, out, n); break;
    case U_TANH: unaryLoop(U_TANH, x, out, n); break;
    case U_SIGMOID: unaryLoop(U_SIGMOID, x, out, n); break;
    case U_RELU: unaryLoop(U_RELU, x, out, n); break;
    case U_GELU: unaryLoop(U_GELU, x, out, n); break;
    case U_SIGN: unaryLoop(U_SIGN, x, out, n); break;
    default: break;
  }
}

// ---- unary derivatives ---------------------------------------------------------------------

// @ts-ignore: decorator
@inline function unaryGradV(op: i32, x: v128, y: v128, g: v128): v128 {
  switch (op) {
    case U_NEG: return f32x4.neg(g);
    case U_EXP: return f32x4.mul(g, y);
    case U_LOG: return f32x4.div(g, x);
    case U_SQRT: return f32x4.div(g, f32x4.add(y, y));
    case U_ABS: return f32x4.mul(g, unaryV(U_SIGN, x));
    case U_TANH: return f32x4.mul(g, f32x4.sub(splat(1), f32x4.mul(y, y)));
    case U_SIGMOID: return f32x4.mul(f32x4.mul(g, y), f32x4.sub(splat(1), y));
    case U_RELU: return v128.bitselect(g, splat(0), f32x4.gt(x, splat(0)));
    case U_GELU: return f32x4.mul(g, vgeluGrad(x));
    case U_SIGN: return splat(0);
    default: return g;
  }
}

// @ts-ignore: decorator
@inline function unaryGradLoop(op: i32, x: usize, y: usize, g: usize, out: usize, n: i32): void {
  const bytes = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) {
    v128.store(out + i, unaryGradV(op, v128.load(x + i), v128.load(y + i), v128.load(g + i)));
  }
  if (i < bytes) {
    const len = bytes - i;
    memory.fill(TAIL, 0, 48);
    memory.copy(TAIL, x + i, len);
    memory.copy(TAIL + 16, y + i, len);
    memory.copy(TAIL + 32, g + i, len);
    v128.store(TAIL, unaryGradV(op, v128.load(TAIL), v128.load(TAIL, 16), v128.load(TAIL, 32)));
    memory.copy(out + i, TAIL, len);
  }
}

/** out[i] = g[i] · op'(x[i]) given y = op(x); out may alias any input. */
export function unaryBackward(op: i32, x: usize, y: usize, g: usize, out: usize, n: i32): void {
  switch (op) {
    case U_NEG: unaryGradLoop(U_NEG, x, y, g, out, n); break;
    case U_EXP: unaryGradLoop(U_EXP, x, y, g, out, n); break;
    case U_LOG: unaryGradLoop(U_LOG, x, y, g, out, n); break;
    case U_SQRT: unaryGradLoop(U_SQRT, x, y, g, out, n); break;
    case U_ABS: unaryGradLoop(U_ABS, x, y, g, out, n); break;
    case U_TANH: unaryGradLoop(U_TANH, x, y, g, out, n); break;
    case U_SIGMOID: unaryGradLoop(U_SIGMOID, x, y, g, out, n); break;
    case U_RELU: unaryGradLoop(U_RELU, x, y, g, out, n); break;
    case U_GELU: unaryGradLoop(U_GELU, x, y, g, out, n); break;
    case U_SIGN: unaryGradLoop(U_SIGN, x, y, g, out, n); break;
    default: break;
  }
}

// ---- binary ----------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function binaryV(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case B_ADD: return f32x4.add(a, b);
    case B_SUB: return f32x4.sub(a, b);
    case B_MUL: return f32x4.mul(a, b);
    case B_DIV: return f32x4.div(a, b);
    // a > b ? a : b (a < b ? a : b), NaN if either is NaN: exactly the reference's choice for ±0 too
    case B_MAX: return v128.bitselect(f32x4.add(a, b), v128.bitselect(a, b, f32x4.gt(a, b)), v128.or(f32x4.ne(a, a), f32x4.ne(b, b)));
    case B_MIN: return v128.bitselect(f32x4.add(a, b), v128.bitselect(a, b, f32x4.lt(a, b)), v128.or(f32x4.ne(a, a), f32x4.ne(b, b)));
    case B_EQ: return v128.and(f32x4.eq(a, b), splat(1));
    case B_NE: return v128.and(f32x4.ne(a, b), splat(1));
    case B_LT: return v128.and(f32x4.lt(a, b), splat(1));
    case B_LE: return v128.and(f32x4.le(a, b), splat(1));
    case B_GT: return v128.and(f32x4.gt(a, b), splat(1));
    case B_GE: return v128.and(f32x4.ge(a, b), splat(1));
    default: return a;
  }
}

// Rows of `cols` elements; operand x advances xRow elements per row and 1 (xInner) or 0 per element.
// @ts-ignore: decorator
@inline function binaryRows(
  op: i32, aInner: bool, bInner: bool,
  a: usize, aRow: i32, b: usize, bRow: i32, out: usize, rows: i32, cols: i32,
): void {
  const bytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const pa = a + ((<usize>r * aRow) << 2);
    const pb = b + ((<usize>r * bRow) << 2);
    const po = out + <usize>r * bytes;
    const sa = v128.load32_splat(pa);
    const sb = v128.load32_splat(pb);
    let i: usize = 0;
    // two vectors per step: the ops are cheap, so loop overhead matters
    for (; i + 32 <= bytes; i += 32) {
      const a0 = aInner ? v128.load(pa + i) : sa;
      const a1 = aInner ? v128.load(pa + i, 16) : sa;
      const b0 = bInner ? v128.load(pb + i) : sb;
      const b1 = bInner ? v128.load(pb + i, 16) : sb;
      v128.store(po + i, binaryV(op, a0, b0));
      v128.store(po + i, binaryV(op, a1, b1), 16);
    }
    for (; i + 16 <= bytes; i += 16) {
      v128.store(po + i, binaryV(op, aInner ? v128.load(pa + i) : sa, bInner ? v128.load(pb + i) : sb));
    }
    if (i < bytes) {
      const len = bytes - i;
      if (aInner) { v128.store(TAIL, splat(0)); memory.copy(TAIL, pa + i, len); } else v128.store(TAIL, sa);
      if (bInner) { v128.store(TAIL, splat(0), 16); memory.copy(TAIL + 16, pb + i, len); } else v128.store(TAIL, sb, 16);
      v128.store(TAIL, binaryV(op, v128.load(TAIL), v128.load(TAIL, 16)), 32);
      memory.copy(po + i, TAIL + 32, len);
    }
  }
}

// @ts-ignore: decorator
@inline function binaryOp(
  op: i32, aInner: i32, bInner: i32, a: usize, aRow: i32, b: usize, bRow: i32, out: usize, rows: i32, cols: i32,
): void {
  if (aInner != 0) {
    if (bInner != 0) binaryRows(op, true, true, a, aRow, b, bRow, out, rows, cols);
    else binaryRows(op, true, false, a, aRow, b, bRow, out, rows, cols);
  } else {
    if (bInner != 0) binaryRows(op, false, true, a, aRow, b, bRow, out, rows, cols);
    else binaryRows(op, false, false, a, aRow, b, bRow, out, rows, cols);
  }
}

/**
 * out(rows, cols) = a op b, where operand x's element (r, c) is at x + (r·xRow + c·xInner) floats,
 * xInner being 1 (contiguous row) or 0 (one value broadcast along the row). out may alias a or b.
 */
export function binary(
  op: i32, a: usize, aInner: i32, aRow: i32, b: usize, bInner: i32, bRow: i32, out: usize, rows: i32, cols: i32,
): void {
  switch (op) {
    case B_ADD: binaryOp(B_ADD, aInner, bInner, a, aRow, b, bRow, out, rows, cols); break;
    case B_SUB: binaryOp(B_SUB, aInner, bInner, a, aRow, b, bRow, out, rows, cols); break;
    case B_MUL: binaryOp(B_MUL, aInner, bInner, a, aRow, b, bRow, out, rows, cols); break;
    case B_DIV: binaryOp(B_DIV, aInner, bInner, a, aRow, b, bRow, out, rows, cols); break;
    case B_MAX: binaryOp(B_MAX, aInner, bInner, a, aRow, b, bRow, out, rows, cols); break;
    case B_MIN: binaryOp(B_MIN, aInner, bInner, a, aRow, b, bRow, out, rows, cols); break;
    case B_EQ: binaryOp(B_EQ, aInner, bInner, a, aRow, b, bRow, out, rows, cols); break;
    case B_NE: binaryOp(B_NE, aInner, bInner, a, aRow, b, bRow, out, rows, cols); break;
    case B_LT: binaryOp(B_LT, aInner, bInner, a, aRow, b, bRow, out, rows, cols); break;
    case B_LE: binaryOp(B_LE, aInner, bInner, a, aRow, b, bRow, out, rows, cols); break;
    case B_GT: binaryOp(B_GT, aInner, bInner, a, aRow, b, bRow, out, rows, cols); break;
    case B_GE: binaryOp(B_GE, aInner, bInner, a, aRow, b, bRow, out, rows, cols); break;
    default: break;
  }
}
