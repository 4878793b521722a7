/** dropout's mask: one 32-bit draw per element against p·2³², drawn in bulk by Generator.fillUint32. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, check, dropout, flat, rn, tensor } from '../helpers/engine.js';

test('Generator.fillUint32 gives exactly the numbers of repeated nextUint32 calls, and continues the stream', () => {
  for (const seed of [0, 1, 42, 2 ** 32 + 5, -7]) {
    const a = new Generator(seed);
    const b = new Generator(seed);
    const bulk = a.fillUint32(new Uint32Array(1003));
    for (let i = 0; i < bulk.length; i++) assert.equal(bulk[i], b.nextUint32(), `seed ${seed}, draw ${i}`);
    assert.equal(a.nextUint32(), b.nextUint32());
    assert.deepEqual(a.getState(), b.getState());
    // a partial fill leaves the rest of the buffer alone
    const part = a.fillUint32(new Uint32Array(5), 3);
    assert.deepEqual([part[3], part[4]], [0, 0]);
    assert.deepEqual([...part.subarray(0, 3)], [b.nextUint32(), b.nextUint32(), b.nextUint32()]);
  }
});

test('dropout keeps an element exactly when its draw is at least round(p·2³²), scaled by 1/(1−p)', () => {
  const x = rn([7, 13], 3);
  const p = 0.37;
  const y = flat(dropout(x, p, true, new Generator(11)));
  const bits = new Generator(11).fillUint32(new Uint32Array(x.size));
  const xs = flat(x);
  const t = Math.round(p * 2 ** 32);
  for (let i = 0; i < xs.length; i++) {
    assert.equal(y[i], Math.fround(xs[i] * (bits[i] >= t ? Math.fround(1 / (1 - p)) : 0)), `element ${i}`);
  }
});

test('dropout on float64 and non-contiguous inputs, with gradcheck', () => {
  const x = rn([5, 6], 4).to('float64').transpose(0, 1);
  const y = dropout(x, 0.5, true, new Generator(2));
  assert.equal(y.dtype, 'float64');
  const ref = dropout(x.contiguous(), 0.5, true, new Generator(2));
  assert.deepEqual(flat(y), flat(ref));
  check((v) => dropout(v.transpose(0, 1), 0.3, true, new Generator(5)), [rn([4, 3], 6)]);
  // NaN is kept by a dropped element's product with 0, as a masked product gives
  const z = flat(dropout(tensor([NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN]), 0.5, true, new Generator(1)));
  assert.ok(z.every((v) => Number.isNaN(v)));
});
