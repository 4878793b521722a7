/**
 * Shape arithmetic shared by the tensor front end and the backends.
 * Dimension letters used across llmcore: B batch, T time/positions, S source length,
 * C channels (d_model), H heads, D head size, V vocabulary.
 */

export type Shape = readonly number[];

/** Thrown for every user-facing shape, axis, index or dtype problem; the message names expected and actual. */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

/** `(2,3)` — the notation every error message uses. */
export function formatShape(shape: Shape): string {
  return `(${shape.join(',')}${shape.length === 1 ? ',' : ''})`;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous tensor of this shape. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Validates a user-given shape: non-negative integers. */
export function checkShape(shape: Shape, op: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${op}: invalid shape ${formatShape(shape)}: sizes must be non-negative integers`);
  }
}

/** NumPy/PyTorch broadcasting of two shapes. */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else throw new ShapeError(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot broadcast: size ${da} vs ${db} at dim ${i - n}`);
  }
  return out;
}

/**
 * Strides that read a tensor of `shape`/`strides` as if it had `outShape` (stride 0 on
 * broadcast dimensions). `outShape` must be a broadcast of `shape`.
 */
export function broadcastStrides(shape: Shape, strides: readonly number[], outShape: Shape): number[] {
  const n = outShape.length;
  const lead = n - shape.length;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    if (i < lead) out[i] = 0;
    else out[i] = shape[i - lead] === 1 && outShape[i] !== 1 ? 0 : strides[i - lead];
  }
  return out;
}

/**
 * Normalizes a possibly negative axis, with an error that names the op and the rank. A 0-d tensor has
 * no axis to index, except for ops that treat it as one element (reductions, squeeze: `allowScalar`,
 * where axis 0 or -1 means "the whole tensor", as in PyTorch).
 */
export function normalizeAxis(axis: number, rank: number, op: string, allowScalar = false): number {
  const n = rank === 0 && allowScalar ? 1 : rank;
  if (!Number.isInteger(axis) || axis < -n || axis >= n) {
    throw new ShapeError(rank === 0 && !allowScalar
      ? `${op}: a 0-d tensor has no axis ${axis}`
      : `${op}: axis ${axis} is out of range for a tensor of rank ${rank} (expected ${-n}..${n - 1})`);
  }
  return axis < 0 ? axis + n : axis;
}

/** Normalizes, sorts and de-duplicates axes; `undefined` means all axes. */
export function normalizeAxes(axes: number | readonly number[] | undefined, rank: number, op: string): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const all = [...new Set(list.map((a) => normalizeAxis(a, rank, op, true)))];
  if (all.length !== list.length) throw new ShapeError(`${op}: repeated axis in [${list.join(',')}]`);
  // on a 0-d tensor axis 0 is the tensor itself: there is nothing left to reduce over
  const out = all.filter((a) => a < rank).sort((x, y) => x - y);
  return out;
}

/** Resolves a single `-1` in a reshape target. */
export function inferReshape(shape: Shape, size: number, op: string): number[] {
  const out = [...shape];
  let infer = -1;
  let known = 1;
  for (let i = 0; i < out.length; i++) {
    if (out[i] === -1) {
      if (infer >= 0) throw new ShapeError(`${op}: only one dimension can be -1, got ${formatShape(shape)}`);
      infer = i;
    } else {
      if (!Number.isInteger(out[i]) || out[i] < 0) throw new ShapeError(`${op}: invalid size ${out[i]} in ${formatShape(shape)}`);
      known *= out[i];
    }
  }
  if (infer >= 0) {
    if (known === 0 || size % known !== 0) throw new ShapeError(`${op}: cannot reshape ${size} elements into ${formatShape(shape)}`);
    out[infer] = size / known;
  }
  if (sizeOf(out) !== size) throw new ShapeError(`${op}: cannot reshape ${size} elements into ${formatShape(shape)} (${sizeOf(out)} elements)`);
  return out;
}
