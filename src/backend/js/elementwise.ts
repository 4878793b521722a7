/** Elementwise kernels: unary maps, their derivatives, broadcast binary ops and where. */
import type { Shape } from '../../tensor/shape.js';
import type { BinaryOp, FloatArray, StridedView, UnaryOp } from '../backend.js';
import { forEachStrided3 } from './strided.js';
import { gelu, geluGrad } from './special.js';

export function unary(op: UnaryOp, x: FloatArray, out: FloatArray): void {
  const n = x.length;
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++) out[i] = -x[i]; break;
    case 'exp': for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]); break;
    case 'log': for (let i = 0; i < n; i++) out[i] = Math.log(x[i]); break;
    case 'sqrt': for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]); break;
    case 'abs': for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]); break;
    case 'tanh': for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]); break;
    case 'sigmoid':
      // two branches keep exp from overflowing for large |x|
      for (let i = 0; i < n; i++) {
        const v = x[i];
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else { const e = Math.exp(v); out[i] = e / (1 + e); }
      }
      break;
    // NaN passes through, as in PyTorch, so a NaN upstream is not hidden from the loss
    case 'relu': for (let i = 0; i < n; i++) out[i] = x[i] > 0 || x[i] !== x[i] ? x[i] : 0; break;
    case 'gelu': for (let i = 0; i < n; i++) out[i] = gelu(x[i]); break;
    case 'sign': for (let i = 0; i < n; i++) out[i] = Math.sign(x[i]); break;
    default: throw new Error(`unary: unknown op ${op as string}`);
  }
}

export function unaryBackward(op: UnaryOp, x: FloatArray, y: FloatArray, g: FloatArray, out: FloatArray): void {
  const n = x.length;
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++) out[i] = -g[i]; break;
    case 'exp': for (let i = 0; i < n; i++) out[i] = g[i] * y[i]; break;
    case 'log': for (let i = 0; i < n; i++) out[i] = g[i] / x[i]; break;
    case 'sqrt': for (let i = 0; i < n; i++) out[i] = g[i] / (2 * y[i]); break;
    case 'abs': for (let i = 0; i < n; i++) out[i] = g[i] * Math.sign(x[i]); break;
    case 'tanh': for (let i = 0; i < n; i++) out[i] = g[i] * (1 - y[i] * y[i]); break;
    case 'sigmoid': for (let i = 0; i < n; i++) out[i] = g[i] * y[i] * (1 - y[i]); break;
    case 'relu': for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? g[i] : 0; break;
    case 'gelu': for (let i = 0; i < n; i++) out[i] = g[i] * geluGrad(x[i]); break;
    case 'sign': for (let i = 0; i < n; i++) out[i] = 0; break;
    default: throw new Error(`unaryBackward: unknown op ${op as string}`);
  }
}

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => Math.pow(a, b),
  // NaN propagates as in PyTorch's maximum/minimum
  maximum: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
};

export function binary(op: BinaryOp, a: StridedView, b: StridedView, shape: Shape, out: FloatArray): void {
  const x = a.data;
  const y = b.data;
  // The four arithmetic ops get monomorphic loops; the rest go through the table.
  forEachStrided3(shape, a, b, null, (i, oa, ob, _oc, len, sa, sb) => {
    switch (op) {
      case 'add': for (let j = 0; j < len; j++) out[i + j] = x[oa + j * sa] + y[ob + j * sb]; return;
      case 'sub': for (let j = 0; j < len; j++) out[i + j] = x[oa + j * sa] - y[ob + j * sb]; return;
      case 'mul': for (let j = 0; j < len; j++) out[i + j] = x[oa + j * sa] * y[ob + j * sb]; return;
      case 'div': for (let j = 0; j < len; j++) out[i + j] = x[oa + j * sa] / y[ob + j * sb]; return;
      default: {
        const f = BINARY[op];
        for (let j = 0; j < len; j++) out[i + j] = f(x[oa + j * sa], y[ob + j * sb]);
      }
    }
  });
}

export function where(cond: StridedView, a: StridedView, b: StridedView, shape: Shape, out: FloatArray): void {
  const c = cond.data;
  const x = a.data;
  const y = b.data;
  forEachStrided3(shape, cond, a, b, (i, oc, oa, ob, len, sc, sa, sb) => {
    for (let j = 0; j < len; j++) out[i + j] = c[oc + j * sc] !== 0 ? x[oa + j * sa] : y[ob + j * sb];
  });
}
