/** Op codes shared with the AssemblyScript kernels (asm/elementwise.ts, asm/reduce.ts): keep in sync. */
import type { BinaryOp, ReduceOp, UnaryOp } from '../backend.js';

export const UNARY_CODE: Record<UnaryOp, number> = {
  neg: 0, exp: 1, log: 2, sqrt: 3, abs: 4, tanh: 5, sigmoid: 6, relu: 7, gelu: 8, sign: 9,
};

/** Binary ops with a SIMD kernel; the rest (pow) run on the reference backend. */
export const BINARY_CODE: Partial<Record<BinaryOp, number>> = {
  add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5, eq: 6, ne: 7, lt: 8, le: 9, gt: 10, ge: 11,
};

export const REDUCE_CODE: Record<ReduceOp, number> = { sum: 0, max: 1, min: 2 };

/** Which inputs each unary derivative reads: x, y (the forward output) or neither. */
export const UNARY_GRAD_NEEDS: Record<UnaryOp, { x: boolean; y: boolean }> = {
  neg: { x: false, y: false },
  exp: { x: false, y: true },
  log: { x: true, y: false },
  sqrt: { x: false, y: true },
  abs: { x: true, y: false },
  tanh: { x: false, y: true },
  sigmoid: { x: false, y: true },
  relu: { x: true, y: false },
  gelu: { x: true, y: false },
  sign: { x: false, y: false },
};
