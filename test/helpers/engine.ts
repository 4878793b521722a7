/**
 * Shared test helpers for the tensor front end and autograd.
 *
 * The engine is imported module by module (not through src/index.ts) so these tests depend only on
 * the layers they check: tensor, autograd, ops and the reference backend.
 */
import assert from 'node:assert/strict';
import type { Module } from '../../src/nn/module.js';
import '../../src/backend/js/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { tensor, randn, rand } from '../../src/tensor/create.js';
import { gradcheck, type GradcheckOptions } from '../../src/autograd/gradcheck.js';
import { Generator } from '../../src/util/random.js';

export { Tensor } from '../../src/tensor/tensor.js';
export { tensor, zeros, ones, full, arange, randn, rand } from '../../src/tensor/create.js';
export { ShapeError, formatShape } from '../../src/tensor/shape.js';
export { noGrad, isGradEnabled, setAnomalyDetection, AnomalyError } from '../../src/autograd/grad-mode.js';
export { gradcheck } from '../../src/autograd/gradcheck.js';
export { Generator, manualSeed, defaultGenerator } from '../../src/util/random.js';
export { getBackend } from '../../src/backend/backend.js';
export * from '../../src/ops/elementwise.js';
export { sum, mean, max, min, argmax, argmin, logsumexp } from '../../src/ops/reduce.js';
export { reshape, permute, transpose, expand, squeeze, unsqueeze, flatten, slice, contiguous, clone, cast } from '../../src/ops/view.js';
export { matmul } from '../../src/ops/matmul.js';
export { indexSelect, gather, concat, stack } from '../../src/ops/index-ops.js';
export { softmax, logSoftmax, layerNorm, embedding, dropout, linear, crossEntropy, mseLoss } from '../../src/ops/nn.js';

/** Standard normal float32 values from a private generator, so each test's inputs are fixed. */
export function rn(shape: number[], seed = 1): Tensor {
  return randn(shape, { generator: new Generator(seed) });
}

/** Uniform values in [low, high) from a private generator. */
export function ru(shape: number[], low: number, high: number, seed = 1): Tensor {
  return rand(shape, { generator: new Generator(seed), low, high });
}

/** Normal values pushed at least `margin` away from 0 (for abs, relu and other kinks at 0). */
export function awayFromZero(shape: number[], seed = 1, margin = 0.2): Tensor {
  const t = rn(shape, seed);
  const d = t.data as Float32Array;
  for (let i = 0; i < d.length; i++) d[i] = d[i] >= 0 ? d[i] + margin : d[i] - margin;
  return t;
}

/** A (rows, cols) tensor stored transposed: a non-contiguous view with the same values as `rn([rows, cols])`-like data. */
export function transposedView(rows: number, cols: number, seed = 1): Tensor {
  const t = rn([cols, rows], seed).transpose(0, 1);
  assert.equal(t.isContiguous(), false);
  return t;
}

/** Runs the shared gradcheck helper and asserts that it passes (it throws with details otherwise). */
export function check(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], options?: GradcheckOptions): void {
  assert.equal(gradcheck(fn, inputs, options), true);
}

/** Nested-array or flat values of a tensor, as a flat number array. */
export function flat(t: Tensor): number[] {
  return Array.from(t.contiguousData());
}

/**
 * Asserts that `actual` equals `expected` elementwise within atol + rtol·|expected| (NaN matches NaN,
 * infinities must match exactly), and that the shapes agree when `expected` is a nested array or a Tensor
 * (a flat array is compared by values and length only).
 */
export function assertClose(actual: Tensor | number | readonly number[], expected: unknown, atol = 1e-5, rtol = 1e-5): void {
  let got: number[];
  if (actual instanceof Tensor) {
    if (Array.isArray(expected) && Array.isArray(expected[0])) assert.deepEqual([...actual.shape], shapeOfNested(expected), 'shape');
    if (expected instanceof Tensor) assert.deepEqual([...actual.shape], [...expected.shape], 'shape');
    got = flat(actual);
  } else {
    got = typeof actual === 'number' ? [actual] : [...actual];
  }
  const want = expected instanceof Tensor ? flat(expected)
    : typeof expected === 'number' ? [expected] : (expected as unknown[]).flat(Infinity as 1) as number[];
  assert.equal(got.length, want.length, `length: got ${got.length}, expected ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const a = got[i];
    const e = want[i];
    if (Number.isNaN(e)) { assert.ok(Number.isNaN(a), `element ${i}: got ${a}, expected NaN`); continue; }
    if (!Number.isFinite(e)) { assert.equal(a, e, `element ${i}`); continue; }
    assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), `element ${i}: got ${a}, expected ${e} (got [${got.join(', ')}])`);
  }
}

function shapeOfNested(v: unknown): number[] {
  const shape: number[] = [];
  let x = v;
  while (Array.isArray(x)) { shape.push(x.length); x = x[0]; }
  return shape;
}

/** Asserts that `fn` throws an error whose message contains every one of `parts`. */
export function throwsWith(fn: () => unknown, ...parts: string[]): void {
  let message: string | null = null;
  try {
    fn();
  } catch (e) {
    message = (e as Error).message;
  }
  assert.notEqual(message, null, `expected an error mentioning ${parts.map((p) => JSON.stringify(p)).join(', ')}`);
  for (const p of parts) assert.ok(message!.includes(p), `error message ${JSON.stringify(message)} should contain ${JSON.stringify(p)}`);
}

/** A float64 tensor from nested values (for exact reference computations). */
export function t64(values: number[] | number[][] | number[][][]): Tensor {
  return tensor(values, { dtype: 'float64' });
}

/**
 * gradcheck with respect to a module's parameters as well as `inputs`: on every call the module's
 * parameter fields are pointed at the float64 copies gradcheck perturbs, and restored afterwards.
 */
export function checkModule(module: Module, inputs: Tensor[], run: (...xs: Tensor[]) => Tensor, unused: string[] = []): void {
  const params: Tensor[] = module.parameters();
  const owners: [Record<string, unknown>, string, number][] = [];
  for (const [, m] of module.namedModules()) {
    const fields = m as unknown as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      const i = params.indexOf(fields[key] as Tensor);
      if (i >= 0) owners.push([fields, key, i]);
    }
  }
  assert.equal(new Set(owners.map((o) => o[2])).size, params.length, 'every parameter is reachable through a field');
  let seen: Tensor[] = [];
  try {
    check((...xs: Tensor[]) => {
      seen = xs;
      const ps = xs.slice(inputs.length);
      for (const [obj, key, i] of owners) obj[key] = ps[i];
      return run(...xs.slice(0, inputs.length));
    }, [...inputs, ...params]);
  } finally {
    for (const [obj, key, i] of owners) obj[key] = params[i];
  }
  // the check is only worth something if every parameter really received a gradient
  seen.slice(inputs.length).forEach((p, i) => {
    if (unused.includes(module.namedParameters()[i][0])) return;
    assert.ok(p.dtype === 'float64' && p.grad && Array.from(p.grad.contiguousData()).some((g) => g !== 0), `parameter ${module.namedParameters()[i][0]} got no gradient`);
  });
}
