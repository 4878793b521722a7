import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import '../../src/backend/js/index.js';
import { tensor } from '../../src/tensor/create.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from '../../src/io/safetensors.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/pytorch/', import.meta.url));

/** A safetensors file put together byte by byte, without the writer under test. */
function assemble(header: string, data: Uint8Array | number[] = []): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, h.length, true);
  dv.setUint32(4, 0, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function rawHeader(bytes: Uint8Array): { n: number; text: string; json: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const n = dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  return { n, text, json: JSON.parse(text) };
}

test('decodes a file assembled by hand: F32, I64, F16, BF16, F64, I32 and metadata, at unaligned offsets', () => {
  // Keys out of order and a header length that is not a multiple of 8, so data is unaligned.
  const header = '{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},' +
    '"ids":{"dtype":"I64","shape":[3],"data_offsets":[16,40]},' +
    '"h":{"dtype":"F16","shape":[2],"data_offsets":[40,44]},' +
    '"b":{"dtype":"BF16","shape":[1],"data_offsets":[44,46]},' +
    '"d":{"dtype":"F64","shape":[],"data_offsets":[46,54]},' +
    '"i":{"dtype":"I32","shape":[2],"data_offsets":[54,62]},' +
    '"__metadata__":{"format":"pt","note":"hand-made"}}' + ' '.repeat(3);
  assert.notEqual(new TextEncoder().encode(header).length % 4, 0);
  const data = new Uint8Array(62);
  const dv = new DataView(data.buffer);
  [1.5, -2, 0.25, 3e-8].forEach((v, k) => dv.setFloat32(4 * k, v, true));
  [7n, -1n, 2147483647n].forEach((v, k) => dv.setBigInt64(16 + 8 * k, v, true));
  dv.setUint16(40, 0x3c00, true); // 1.0 in float16
  dv.setUint16(42, 0xc000, true); // -2.0 in float16
  dv.setUint16(44, 0x3f80, true); // 1.0 in bfloat16
  dv.setFloat64(46, Math.PI, true);
  dv.setInt32(54, -5, true);
  dv.setInt32(58, 123456, true);

  const { tensors, metadata, dtypes } = decodeSafetensors(assemble(header, data));
  assert.deepEqual(metadata, { format: 'pt', note: 'hand-made' });
  assert.deepEqual(Object.keys(tensors).sort(), ['b', 'd', 'h', 'i', 'ids', 'w']);
  assert.deepEqual(tensors.w.shape, [2, 2]);
  assert.equal(tensors.w.dtype, 'float32');
  assert.deepEqual(Array.from(tensors.w.data), [1.5, -2, 0.25, Math.fround(3e-8)]);
  assert.equal(tensors.ids.dtype, 'int32');
  assert.deepEqual(Array.from(tensors.ids.data), [7, -1, 2147483647]);
  assert.deepEqual(Array.from(tensors.h.data), [1, -2]);
  assert.deepEqual(Array.from(tensors.b.data), [1]);
  assert.equal(tensors.d.dtype, 'float64');
  assert.deepEqual(tensors.d.shape, []);
  assert.equal(tensors.d.item(), Math.PI);
  assert.deepEqual(Array.from(tensors.i.data), [-5, 123456]);
  assert.deepEqual(dtypes, { w: 'F32', ids: 'I64', h: 'F16', b: 'BF16', d: 'F64', i: 'I32' });
});

test('decodes from an ArrayBuffer and from a Uint8Array at an odd byte offset', () => {
  const file = assemble('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', [0, 0, 0x80, 0x3f]);
  assert.deepEqual(Array.from(decodeSafetensors(file.slice().buffer).tensors.x.data), [1]);
  const shifted = new Uint8Array(file.length + 3);
  shifted.set(file, 3);
  assert.deepEqual(Array.from(decodeSafetensors(shifted.subarray(3)).tensors.x.data), [1]);
});

test('zero-size tensors and an empty file are valid', () => {
  const { tensors } = decodeSafetensors(assemble('{"e":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"x":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}', [3, 250]));
  assert.deepEqual(tensors.e.shape, [0, 3]);
  assert.deepEqual(Array.from(tensors.x.data), [3, 250]);
  assert.deepEqual(decodeSafetensors(assemble('{}')).tensors, {});
});

/** Asserts that decoding fails with a SafetensorsError whose message matches. */
function rejects(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(() => decodeSafetensors(bytes), (err: unknown) => {
    assert.ok(err instanceof SafetensorsError, `expected SafetensorsError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

const f32 = (key: string, shape: number[], begin: number, end: number): string =>
  `"${key}":{"dtype":"F32","shape":${JSON.stringify(shape)},"data_offsets":[${begin},${end}]}`;

test('bad input: truncated files and bad headers', () => {
  rejects(new Uint8Array(5), /file is 5 bytes, shorter than the 8-byte header length/);
  const longHeader = assemble('{}');
  new DataView(longHeader.buffer).setUint32(0, 1000, true);
  rejects(longHeader, /header length 1000 runs past the end of the file \(10 bytes/);
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setUint32(4, 1, true); // N = 2^32
  rejects(huge, /implausibly large/);
  rejects(assemble('not json'), /header is not valid JSON/);
  rejects(assemble('[1,2]'), /header must be a JSON object, got an array/);
  rejects(assemble('null'), /header must be a JSON object, got null/);
  const badUtf8 = assemble('{"x":1}');
  badUtf8[10] = 0xff;
  rejects(badUtf8, /not valid UTF-8/);
  rejects(assemble('{"__metadata__":{"n":3}}'), /__metadata__ 'n' must be a string, got 3/);
  rejects(assemble('{"__metadata__":[]}'), /__metadata__ must be an object of strings/);
});

test('bad input: entries that name the key and what was expected', () => {
  rejects(assemble('{"x":5}'), /'x': expected an object with dtype, shape and data_offsets, got 5/);
  rejects(assemble('{"x":{"dtype":"F13","shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /'x': unknown dtype "F13" \(expected one of BOOL, .*F32/);
  rejects(assemble('{"x":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', [0]), /'x': dtype F8_E4M3 is valid safetensors but llmcore cannot read it/);
  rejects(assemble('{"x":{"dtype":"F32","shape":[2,-1],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /'x': shape must be an array of non-negative integers, got \[2,-1\]/);
  rejects(assemble('{"x":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}'), /'x': shape must be an array/);
  rejects(assemble('{"x":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}'), /'x': shape must be an array of non-negative integers/);
  rejects(assemble('{"x":{"dtype":"F32","shape":[1]}}'), /'x': data_offsets must be \[begin, end\].*got nothing/);
  rejects(assemble('{"x":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}'), /'x': data_offsets \[8, 4\] end before they begin/);
  rejects(assemble('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}', [0, 0, 0, 0]), /'x': unexpected field 'extra'/);
  rejects(assemble(`{${f32('w', [2, 2], 0, 12)}}`, new Array(12).fill(0)), /'w': data_offsets \[0, 12\] hold 12 bytes, but F32 \(2,2\) needs 16 \(4 × 4\)/);
});

test('bad input: offsets out of bounds, overlapping, gapped, trailing bytes', () => {
  rejects(assemble(`{${f32('w', [4], 0, 16)}}`, new Array(8).fill(0)), /'w': data_offsets \[0, 16\] run past the end of the data section \(8 bytes; file truncated\?\)/);
  rejects(assemble(`{${f32('a', [2], 0, 8)},${f32('b', [2], 4, 12)}}`, new Array(12).fill(0)), /'b': data \[4, 12\) overlaps 'a' \[0, 8\)/);
  rejects(assemble(`{${f32('a', [1], 0, 4)},${f32('b', [1], 8, 12)}}`, new Array(12).fill(0)), /'b': data begins at 8 but the previous tensor 'a' ends at 4: 4 bytes are not covered/);
  rejects(assemble(`{${f32('a', [1], 4, 8)}}`, new Array(8).fill(0)), /'a': data begins at 4 but the previous tensor ends at 0/);
  rejects(assemble(`{${f32('a', [1], 0, 4)}}`, new Array(8).fill(0)), /4 trailing bytes after the last tensor 'a' \(data section is 8 bytes, tensors cover 4\)/);
});

test('bad input: integers that do not fit int32 are an error naming the key, never wrapped', () => {
  const data = new Uint8Array(16);
  const dv = new DataView(data.buffer);
  dv.setBigInt64(0, 5n, true);
  dv.setBigInt64(8, 2n ** 31n, true);
  rejects(assemble('{"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}', data), /'ids': I64 value 2147483648 at flat index 1 does not fit in int32/);
  dv.setBigInt64(8, -(2n ** 31n) - 1n, true);
  rejects(assemble('{"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}', data), /'ids': I64 value -2147483649/);
  dv.setBigInt64(8, -(2n ** 31n), true);
  assert.deepEqual(Array.from(decodeSafetensors(assemble('{"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}', data)).tensors.ids.data), [5, -(2 ** 31)]);
  dv.setBigUint64(8, 2n ** 63n, true);
  rejects(assemble('{"ids":{"dtype":"U64","shape":[2],"data_offsets":[0,16]}}', data), /'ids': U64 value 9223372036854775808/);
});

test('encode: sorted keys, header padded with spaces to a multiple of 8, tensors contiguous in header order', () => {
  const bytes = encodeSafetensors({
    b: tensor([1, 2, 3]),
    a: tensor([[1, 2], [3, 4]]),
    '9': tensor([5]),
    '10': tensor([6, 7]),
  }, { metadata: { format: 'pt' } });
  const { n, text, json } = rawHeader(bytes);
  assert.equal(n % 8, 0);
  assert.match(text, /^\{.*\} *$/);
  assert.equal(text.trimEnd().length + (n - text.trimEnd().length), n);
  const keys = [...text.matchAll(/"([^"]+)":\{"dtype"/g)].map((m) => m[1]);
  assert.deepEqual(keys, ['10', '9', 'a', 'b'], 'header order is sorted order, integer-like keys included');
  let cursor = 0;
  for (const k of keys) {
    assert.equal(json[k].data_offsets[0], cursor, `${k} starts where the previous ends`);
    cursor = json[k].data_offsets[1];
  }
  assert.equal(bytes.length, 8 + n + cursor);
  assert.equal(json.a.dtype, 'F32');
  assert.deepEqual(json.a.shape, [2, 2]);
  // a's bytes, read straight from the data section
  const dv = new DataView(bytes.buffer, bytes.byteOffset + 8 + n + json.a.data_offsets[0]);
  assert.deepEqual([0, 1, 2, 3].map((k) => dv.getFloat32(4 * k, true)), [1, 2, 3, 4]);
  assert.deepEqual((json as unknown as Record<string, unknown>).__metadata__, { format: 'pt' });
});

test('encode: int32 → I64 by default (PyTorch index type), I32 on request; float64 → F64', () => {
  const ids = tensor([3, -1, 2147483647], { dtype: 'int32' });
  const bytes = encodeSafetensors({ ids, d: tensor([0.1], { dtype: 'float64' }) });
  const { n, json } = rawHeader(bytes);
  assert.equal(json.ids.dtype, 'I64');
  assert.equal(json.d.dtype, 'F64');
  const dv = new DataView(bytes.buffer, 8 + n);
  assert.equal(dv.getFloat64(json.d.data_offsets[0], true), 0.1);
  assert.deepEqual([0, 1, 2].map((k) => dv.getBigInt64(json.ids.data_offsets[0] + 8 * k, true)), [3n, -1n, 2147483647n]);
  const back = decodeSafetensors(bytes).tensors;
  assert.deepEqual(Array.from(back.ids.data), [3, -1, 2147483647]);
  assert.equal(back.d.dtype, 'float64');
  assert.equal(back.d.data[0], 0.1);
  const i32 = encodeSafetensors({ ids }, { intDtype: 'I32' });
  assert.equal(rawHeader(i32).json.ids.dtype, 'I32');
  assert.deepEqual(Array.from(decodeSafetensors(i32).tensors.ids.data), [3, -1, 2147483647]);
});

test('encode: F16 and BF16 write the expected bit patterns', () => {
  const x = tensor([1, 65504, 2 ** -24, Infinity, -2]);
  for (const [dtype, bits] of [['F16', [0x3c00, 0x7bff, 0x0001, 0x7c00, 0xc000]], ['BF16', [0x3f80, 0x4780, 0x3380, 0x7f80, 0xc000]]] as const) {
    const bytes = encodeSafetensors({ x }, { dtype });
    const { n, json } = rawHeader(bytes);
    assert.equal(json.x.dtype, dtype);
    assert.deepEqual(json.x.data_offsets, [0, 10]);
    const dv = new DataView(bytes.buffer, 8 + n);
    assert.deepEqual([0, 1, 2, 3, 4].map((k) => dv.getUint16(2 * k, true)), bits, dtype);
  }
});

function noisy(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) - 0.5) * 10 ** ((i % 9) - 4);
  }
  return out;
}

test('round trip F32 is exact, including NaN, ±Infinity, -0 and subnormals', () => {
  const values = noisy(1000, 1);
  values.set([NaN, Infinity, -Infinity, -0, 1e-45, 3.4028234663852886e38], 0);
  const t = tensor(values, { shape: [10, 100] });
  const back = decodeSafetensors(encodeSafetensors({ t })).tensors.t;
  assert.deepEqual(back.shape, [10, 100]);
  assert.deepEqual(new Uint8Array((back.data as Float32Array).buffer), new Uint8Array(values.buffer));
});

test('round trip F16 and BF16: within half a unit in the last place, exact on representable values', () => {
  const values = noisy(1000, 2).map((v) => v * 100);
  const t = tensor(values, { shape: [1000] });
  for (const [dtype, mantBits] of [['F16', 10], ['BF16', 7]] as const) {
    const back = decodeSafetensors(encodeSafetensors({ t }, { dtype })).tensors.t;
    assert.equal(back.dtype, 'float32');
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (dtype === 'F16' && Math.abs(v) < 2 ** -14) { assert.ok(Math.abs(back.data[i] - v) <= 2 ** -25, `${dtype} ${v}`); continue; }
      if (dtype === 'F16' && Math.abs(v) > 65504) continue;
      const ulp = 2 ** (Math.floor(Math.log2(Math.abs(v))) - mantBits);
      assert.ok(Math.abs(back.data[i] - v) <= ulp / 2, `${dtype}: ${v} came back ${back.data[i]}`);
    }
    const again = decodeSafetensors(encodeSafetensors({ t: back }, { dtype })).tensors.t;
    assert.deepEqual(again.data, back.data, `${dtype} values survive a second round trip exactly`);
  }
});

test('round trip of views, scalars and empty tensors', () => {
  const m = tensor([[1, 2, 3], [4, 5, 6]]);
  const tensors = { mt: m.transpose(0, 1), s: tensor(4.5).reshape([]), e: tensor([], { shape: [0] }) };
  const back = decodeSafetensors(encodeSafetensors(tensors)).tensors;
  assert.deepEqual(back.mt.toArray(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(back.s.shape, []);
  assert.equal(back.s.item(), 4.5);
  assert.deepEqual(back.e.shape, [0]);
});

test('encode: bad input is an error naming the key', () => {
  assert.throws(() => encodeSafetensors({ __metadata__: tensor([1]) }), /'__metadata__' is reserved/);
  assert.throws(() => encodeSafetensors({ w: [1, 2] as unknown as Tensor }), /'w' is not a Tensor \(got object\)/);
  assert.throws(() => encodeSafetensors({}, { metadata: { epoch: 3 as unknown as string } }), /metadata 'epoch' must be a string, got number/);
  assert.throws(() => encodeSafetensors({}, { dtype: 'F8' as 'F16' }), /dtype must be F64, F32, F16 or BF16, got F8/);
});

test('reads the PyTorch-written lstm_tiny.safetensors', (t) => {
  const path = `${FIXTURES}lstm_tiny.safetensors`;
  if (!existsSync(path)) return t.skip(`${path} not present`);
  const { tensors, metadata, dtypes } = decodeSafetensors(readFileSync(path));
  assert.equal(Object.keys(tensors).length, 25);
  assert.equal(metadata.torch, '1.13.0a0');
  assert.deepEqual(tensors['param.weight_ih_l0'].shape, [16, 3]);
  assert.equal(dtypes['param.weight_ih_l0'], 'F32');
  // values as numpy reads them from the file
  assert.deepEqual(Array.from(tensors['param.weight_ih_l0'].data.slice(0, 3)), [-0.3367798924446106, -0.14210307598114014, 0.48437511920928955]);
  assert.deepEqual(Array.from(tensors['input.x'].data.slice(0, 3)), [0.5245685577392578, -0.3932115435600281, -1.0124129056930542]);
  assert.equal(tensors['output.loss'].data[0], -0.2858886420726776);
});

test('re-encoding the PyTorch-written files reproduces them byte for byte (header, padding, layout, I64 ids)', (t) => {
  for (const name of ['lstm_tiny', 'transformer_tiny']) {
    const path = `${FIXTURES}${name}.safetensors`;
    if (!existsSync(path)) return t.skip(`${path} not present`);
    const original = readFileSync(path);
    const { tensors, metadata } = decodeSafetensors(original);
    assert.equal(Buffer.compare(Buffer.from(encodeSafetensors(tensors, { metadata })), original), 0, name);
  }
});

test('reads the PyTorch-written transformer_tiny.safetensors, I64 ids included', (t) => {
  const path = `${FIXTURES}transformer_tiny.safetensors`;
  if (!existsSync(path)) return t.skip(`${path} not present`);
  const { tensors, metadata, dtypes } = decodeSafetensors(readFileSync(path));
  assert.equal(Object.keys(tensors).length, 210);
  assert.equal(JSON.parse(metadata.config).d_model, 16);
  assert.equal(dtypes['input.src'], 'I64');
  assert.equal(tensors['input.src'].dtype, 'int32');
  assert.deepEqual(tensors['input.src'].shape, [2, 6]);
  assert.deepEqual(Array.from(tensors['input.src'].data.slice(0, 6)), [5, 3, 8, 2, 9, 4]);
  assert.equal(tensors['output.loss'].data[0], 2.637643814086914);
  assert.equal(tensors['param.out.bias'].data[0], -0.1350029706954956);
  assert.deepEqual(tensors['param.transformer.encoder.layers.0.self_attn.in_proj_weight'].shape, [48, 16]);
});
