/** copyStrided / addIntoStrided: the one place that walks arbitrary strides. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addIntoStrided, copyStrided, forEachStrided3 } from '../../src/backend/js/strided.js';

/** Storage position of a multi-index. */
const at = (idx: number[], strides: number[], offset: number): number => idx.reduce((p, v, d) => p + v * strides[d], offset);

/** All multi-indices of `shape`, row-major. */
function indices(shape: number[]): number[][] {
  const out: number[][] = [];
  const total = shape.reduce((a, b) => a * b, 1);
  for (let n = 0; n < total; n++) {
    const idx: number[] = [];
    let r = n;
    for (let d = shape.length - 1; d >= 0; d--) { idx.unshift(r % shape[d]); r = Math.floor(r / shape[d]); }
    out.push(idx);
  }
  return out;
}

const storage = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => i * 1.5 + 0.25);

test('copyStrided materializes permuted, sliced, offset and broadcast views in row-major order', () => {
  const data = storage(100);
  const cases: { shape: number[]; strides: number[]; offset: number }[] = [
    { shape: [2, 3, 4], strides: [12, 4, 1], offset: 0 }, // contiguous
    { shape: [4, 2, 3], strides: [1, 12, 4], offset: 0 }, // permute(2,0,1) of (2,3,4)
    { shape: [3, 2, 4], strides: [4, 12, 1], offset: 7 }, // permute(1,0,2) with an offset
    { shape: [2, 2], strides: [24, 3], offset: 5 }, // stepped slice
    { shape: [3, 4], strides: [0, 1], offset: 10 }, // broadcast rows (stride 0)
    { shape: [3, 4], strides: [2, 0], offset: 1 }, // broadcast columns
    { shape: [5], strides: [7], offset: 2 },
    { shape: [], strides: [], offset: 42 }, // 0-d
    { shape: [2, 1, 3], strides: [1, 99, 2], offset: 0 }, // a size-1 dim with a junk stride
  ];
  for (const c of cases) {
    const out = new Float64Array(c.shape.reduce((a, b) => a * b, 1));
    copyStrided({ data, offset: c.offset, strides: c.strides }, c.shape, out);
    const want = indices(c.shape).map((idx) => data[at(idx, c.strides, c.offset)]);
    assert.deepEqual(Array.from(out), want, JSON.stringify(c));
  }
  // empty shapes write nothing
  const out = new Float64Array([9]);
  copyStrided({ data, offset: 0, strides: [1, 1] }, [0, 3], out);
  assert.deepEqual(Array.from(out), [9]);
});

test('copyStrided converts between element types', () => {
  const out = new Int32Array(3);
  copyStrided({ data: new Float32Array([1, 2, 3, 4, 5, 6]), offset: 1, strides: [2] }, [3], out);
  assert.deepEqual(Array.from(out), [2, 4, 6]);
});

test('addIntoStrided adds row-major values into a permuted view and leaves the rest alone', () => {
  const shape = [3, 2, 4];
  const strides = [4, 12, 1]; // permute(1,0,2) of a (2,3,4) buffer
  const offset = 3;
  const dst = storage(40);
  const before = dst.slice();
  const src = Float64Array.from({ length: 24 }, (_, i) => 100 + i);
  addIntoStrided(src, { data: dst, offset, strides }, shape);
  const touched = new Set<number>();
  indices(shape).forEach((idx, i) => {
    const p = at(idx, strides, offset);
    touched.add(p);
    assert.equal(dst[p], before[p] + src[i], `position ${p}`);
  });
  for (let p = 0; p < dst.length; p++) if (!touched.has(p)) assert.equal(dst[p], before[p], `untouched ${p}`);
});

test('addIntoStrided into a stepped slice, and into a stride-0 view (repeats add up)', () => {
  const dst = new Float64Array(10);
  addIntoStrided(new Float64Array([1, 2, 3]), { data: dst, offset: 1, strides: [3] }, [3]);
  assert.deepEqual(Array.from(dst), [0, 1, 0, 0, 2, 0, 0, 3, 0, 0]);
  const acc = new Float64Array(2);
  addIntoStrided(new Float64Array([1, 2, 3, 4, 5, 6]), { data: acc, offset: 0, strides: [1, 0] }, [2, 3]);
  assert.deepEqual(Array.from(acc), [6, 15]);
  // 0-d
  const one = new Float64Array([1, 1]);
  addIntoStrided(new Float64Array([5]), { data: one, offset: 1, strides: [] }, []);
  assert.deepEqual(Array.from(one), [1, 6]);
});

test('forEachStrided3 visits every element once with three independent layouts', () => {
  const shape = [2, 3, 2];
  const A = { data: new Float64Array(0), offset: 1, strides: [6, 2, 1] };
  const B = { data: new Float64Array(0), offset: 0, strides: [0, 1, 0] };
  const Cv = { data: new Float64Array(0), offset: 5, strides: [1, 2, 6] };
  const seen: number[][] = [];
  forEachStrided3(shape, A, B, Cv, (i, oa, ob, oc, len, sa, sb, sc) => {
    for (let j = 0; j < len; j++) seen.push([i + j, oa + j * sa, ob + j * sb, oc + j * sc]);
  });
  const want = indices(shape).map((idx, i) => [i, at(idx, A.strides, A.offset), at(idx, B.strides, B.offset), at(idx, Cv.strides, Cv.offset)]);
  assert.deepEqual(seen, want);
});
