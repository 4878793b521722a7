/**
 * addmm (the fused x·Wᵀ + b of `linear`): the same values and gradients, bit for bit, as the two ops
 * it replaces (matmul, then a broadcast add), on the active backend and on both backends directly;
 * shapes it does not fuse take the two-op path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setBackend, getBackend, type MatmulParams } from '../../src/backend/backend.js';
import { createJsBackend } from '../../src/backend/js/index.js';
import { createWasmBackend, setWasmThreads } from '../../src/backend/wasm/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { addmm, matmul } from '../../src/ops/matmul.js';
import { linear } from '../../src/ops/nn.js';

let seed = 7;
const rnd = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296 - 0.5;
};
const rand = (shape: number[], requiresGrad = true): Tensor => {
  const t = new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rnd() * 4), shape);
  t.requiresGrad = requiresGrad;
  return t;
};

function sameBits(got: Tensor | null, want: Tensor | null, what: string): void {
  assert.ok(got && want, `${what}: missing`);
  assert.deepEqual([...got.shape], [...want.shape], `${what}: shape`);
  const x = got.contiguousData(), y = want.contiguousData();
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) assert.fail(`${what}[${i}]: fused ${x[i]}, two ops ${y[i]}`);
}

/** Forward and all three gradients of addmm(a, b, bias) against matmul(a, b).add(bias). */
function checkAgainstTwoOps(m: number, k: number, n: number, bTransposed: boolean): void {
  const a = rand([m, k]);
  const w = rand(bTransposed ? [n, k] : [k, n]);
  const bias = rand([n]);
  const b = bTransposed ? w.transpose(0, 1) : w;
  const g = rand([m, n], false);
  const fused = addmm(a, b, bias);
  fused.backward(g);
  const grads = [a.grad, w.grad, bias.grad];
  a.grad = w.grad = bias.grad = null;
  const plain = matmul(a, b).add(bias);
  plain.backward(g);
  const at = `${m}x${k}x${n}${bTransposed ? ' tB' : ''} on ${getBackend().name}`;
  sameBits(fused, plain, `value ${at}`);
  sameBits(grads[0], a.grad, `grad a ${at}`);
  sameBits(grads[1], w.grad, `grad w ${at}`);
  sameBits(grads[2], bias.grad, `grad bias ${at}`);
}

const SHAPES: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [17, 33, 9], [64, 300, 65], [130, 128, 257], [512, 128, 384]];

for (const backend of ['wasm', 'js']) {
  test(`addmm = matmul then add, values and gradients bit for bit (${backend})`, () => {
    setBackend(backend);
    try {
      for (const [m, k, n] of SHAPES) for (const t of [false, true]) checkAgainstTwoOps(m, k, n, t);
    } finally {
      setBackend('wasm');
    }
  });
}

test('the matmul bias of the wasm kernel equals the reference, threaded or not, over k = 0 too', () => {
  const js = createJsBackend();
  const wasm = createWasmBackend();
  for (const threads of [1, 2]) {
    setWasmThreads(threads);
    for (const [m, k, n] of [[1, 7, 5], [9, 0, 6], [256, 128, 512], [700, 64, 300]]) {
      const a = rand([m, k], false).contiguousData() as Float32Array;
      const b = rand([n, k], false).contiguousData() as Float32Array;
      const bias = rand([n], false).contiguousData() as Float32Array;
      const p: MatmulParams = { batch: 1, m, k, n, transA: false, transB: true, aOffset: 0, bOffset: 0, aBatchStride: 0, bBatchStride: 0, bias };
      // each backend: the product with the bias is its product without, plus the bias, rounded once
      for (const be of [js, wasm]) {
        const plain = new Float32Array(m * n);
        const withBias = new Float32Array(m * n);
        be.matmul(a, b, plain, { ...p, bias: undefined });
        be.matmul(a, b, withBias, p);
        for (let i = 0; i < plain.length; i++) {
          if (!Object.is(withBias[i], Math.fround(plain[i] + bias[i % n]))) assert.fail(`${be.name} ${m}x${k}x${n} threads ${threads} [${i}]: ${withBias[i]}`);
        }
      }
      const got = new Float32Array(m * n);
      wasm.matmul(a, b, got, p);
      if (k === 0) assert.deepEqual([...got], Array.from({ length: m * n }, (_, i) => bias[i % n]));
    }
  }
  setWasmThreads(64);
});

test('linear with a bias records one op (linear) and falls back to matmul + add for a bias that only broadcasts', () => {
  const x = rand([4, 3, 5]);
  const w = rand([6, 5]);
  const y = linear(x, w, rand([6]));
  assert.deepEqual([...y.shape], [4, 3, 6]);
  assert.equal(y.gradFn?.op, 'reshape');
  assert.equal(y.gradFn?.inputs[0].gradFn?.op, 'linear');
  // a (1, 6) bias is not a row of n values: the two-op path, same result as PyTorch's broadcasting
  const b2 = rand([1, 6]);
  const y2 = linear(x.reshape([12, 5]), w, b2);
  assert.equal(y2.gradFn?.op, 'add');
  sameBits(y2, matmul(x.reshape([12, 5]), w.transpose(0, 1)).add(b2), 'broadcast bias');
});
