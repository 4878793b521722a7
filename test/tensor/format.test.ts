/** Printing: aligned values, shape and dtype in the footer, '...' past 1000 elements. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arange, tensor, zeros } from '../helpers/engine.js';
import { inspect } from 'node:util';

test('a small matrix prints aligned, with shape and dtype', () => {
  assert.equal(
    tensor([[1, -2], [3, 4.5]]).toString(),
    'tensor([[ 1.0000, -2.0000],\n' +
    '        [ 3.0000,  4.5000]], shape=(2, 2), dtype=float32)',
  );
});

test('scalars, int32, 3-D and autograd footers', () => {
  assert.equal(tensor(3.5).toString(), 'tensor(3.5000, shape=(), dtype=float32)');
  assert.equal(tensor([1, 22, 3], { dtype: 'int32' }).toString(), 'tensor([ 1, 22,  3], shape=(3), dtype=int32)');
  assert.equal(
    arange(0, 8).reshape(2, 2, 2).toString(),
    'tensor([[[0.0000, 1.0000],\n' +
    '         [2.0000, 3.0000]],\n' +
    '\n' +
    '        [[4.0000, 5.0000],\n' +
    '         [6.0000, 7.0000]]], shape=(2, 2, 2), dtype=float32)',
  );
  assert.equal(tensor([1], { requiresGrad: true }).toString(), 'tensor([1.0000], shape=(1), dtype=float32, requiresGrad=true)');
  assert.equal(tensor([1], { requiresGrad: true }).mul(2).toString(), 'tensor([2.0000], shape=(1), dtype=float32, gradFn=mul)');
});

test('non-finite values, scientific notation and views', () => {
  assert.equal(tensor([NaN, Infinity, -Infinity, 1]).toString(), 'tensor([   nan,    inf,   -inf, 1.0000], shape=(4), dtype=float32)');
  assert.equal(tensor([1e6, 1]).toString(), 'tensor([1.0000e+6, 1.0000e+0], shape=(2), dtype=float32)');
  // a tiny non-zero value must not print as 0.0000
  assert.equal(tensor([1e-5, 2], { dtype: 'float64' }).toString(), 'tensor([1.0000e-5, 2.0000e+0], shape=(2), dtype=float64)');
  assert.equal(tensor([[1, 2], [3, 4]]).T.toString(), 'tensor([[1.0000, 3.0000],\n        [2.0000, 4.0000]], shape=(2, 2), dtype=float32)');
});

test('a large tensor is summarized with ... and stays short', () => {
  const s = arange(0, 2000).reshape(40, 50).toString();
  assert.ok(s.includes('...'));
  const lines = s.split('\n');
  assert.equal(lines.length, 7); // 3 rows, '...', 3 rows
  assert.ok(lines[0].startsWith('tensor([[   0.0000,    1.0000,    2.0000, ...,   47.0000,   48.0000,   49.0000],'), lines[0]);
  assert.equal(lines[3].trim(), '...,');
  assert.ok(lines[6].includes('1999.0000]], shape=(40, 50), dtype=float32)'), lines[6]);
  assert.ok(!s.includes('1000.0000'));
  const v = zeros([5000]).toString();
  assert.equal(v, 'tensor([0.0000, 0.0000, 0.0000, ..., 0.0000, 0.0000, 0.0000], shape=(5000), dtype=float32)');
  // at the threshold nothing is elided
  assert.ok(!arange(0, 1000).toString().includes('...'));
});

test('util.inspect and template strings use the same text', () => {
  const t = tensor([1, 2]);
  assert.equal(inspect(t), t.toString());
  assert.equal(`${t}`, t.toString());
});
