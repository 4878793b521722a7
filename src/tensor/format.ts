/** PyTorch-style printing: aligned values, `...` past a threshold, shape and dtype in the footer. */
import type { Tensor } from './tensor.js';

const EDGE = 3;
const THRESHOLD = 1000;

function formatNumber(v: number, isInt: boolean, sci: boolean): string {
  if (isInt) return String(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  return sci ? v.toExponential(4) : v.toFixed(4);
}

export function formatTensor(t: Tensor): string {
  const data = t.contiguousData();
  const isInt = t.dtype === 'int32';
  const summarize = t.size > THRESHOLD;
  let maxAbs = 0;
  let minAbs = Infinity; // smallest non-zero finite magnitude
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]);
    if (!Number.isFinite(a)) continue;
    maxAbs = Math.max(maxAbs, a);
    if (a > 0) minAbs = Math.min(minAbs, a);
  }
  // A tiny non-zero value beside larger ones (e.g. [1e-5, 2]) would print as 0.0000 in fixed
  // notation; like PyTorch, switch to scientific notation when some non-zero magnitude is below 1e-4.
  const sci = !isInt && (maxAbs >= 1e5 || (maxAbs > 0 && maxAbs < 1e-3) || minAbs < 1e-4);
  const cells: string[] = Array.from(data, (v) => formatNumber(v, isInt, sci));
  const width = cells.reduce((w, c) => Math.max(w, c.length), 0);
  const strides: number[] = [];
  let s = 1;
  for (let i = t.ndim - 1; i >= 0; i--) { strides[i] = s; s *= t.shape[i]; }

  const render = (dim: number, start: number, indent: number): string => {
    const n = t.shape[dim];
    const pick = summarize && n > 2 * EDGE ? [...range(0, EDGE), -1, ...range(n - EDGE, n)] : range(0, n);
    if (dim === t.ndim - 1) {
      return '[' + pick.map((i) => (i < 0 ? '...' : cells[start + i].padStart(width))).join(', ') + ']';
    }
    const sep = ',' + '\n'.repeat(t.ndim - dim - 1) + ' '.repeat(indent + 1);
    return '[' + pick.map((i) => (i < 0 ? '...' : render(dim + 1, start + i * strides[dim], indent + 1))).join(sep) + ']';
  };
  const body = t.ndim === 0 ? cells[0] : render(0, 0, 'tensor('.length);
  const extras = [`shape=(${t.shape.join(', ')})`, `dtype=${t.dtype}`];
  if (t.gradFn) extras.push(`gradFn=${t.gradFn.op}`);
  else if (t.requiresGrad) extras.push('requiresGrad=true');
  return `tensor(${body}, ${extras.join(', ')})`;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
}
