/**
 * safetensors, the checkpoint format of PyTorch and Hugging Face, read and written over plain bytes
 * (no Node imports: the same code runs in a browser on a fetched ArrayBuffer).
 *
 * Layout: an 8-byte little-endian u64 N, N bytes of UTF-8 JSON header
 * `{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, "__metadata__": {...}}`,
 * then the data section, where each tensor's row-major little-endian bytes sit at
 * [begin, end) relative to the section's start. The tensors must cover the section exactly.
 */
import { Tensor } from '../tensor/tensor.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import { decodeHalfInto, float32ToBfloat16Bits, float32ToFloat16Bits } from './half.js';

/** Every dtype the safetensors spec defines. */
const SPEC_DTYPES = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'] as const;
export type SafetensorsDType = (typeof SPEC_DTYPES)[number];

const DTYPE_SIZE: Record<SafetensorsDType, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** The dtypes decode understands; F8 variants are valid files llmcore cannot represent. */
const READABLE = new Set<SafetensorsDType>(['BOOL', 'U8', 'I8', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64']);

/** The Rust reference implementation refuses headers above 100 MB; a larger N means a corrupt file. */
const MAX_HEADER_BYTES = 100_000_000;

/** Thrown for every malformed file or unencodable input; the message names the key and what was expected. */
export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

export interface EncodeOptions {
  /**
   * Storage type of float tensors. Default: F32 for float32 tensors and F64 for float64 ones (so a
   * round trip is exact). F16/BF16 round to nearest, ties to even.
   */
  dtype?: 'F64' | 'F32' | 'F16' | 'BF16';
  /**
   * Storage type of int32 tensors. Default I64, because PyTorch's indices (embedding ids,
   * cross-entropy targets) are int64; decode turns either back into int32.
   */
  intDtype?: 'I64' | 'I32';
  /** String-to-string pairs stored under `__metadata__` (e.g. a model config as JSON). */
  metadata?: Record<string, string>;
}

export interface DecodedSafetensors {
  /** float32 for F32/F16/BF16, float64 for F64, int32 for the integer types. */
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
  /** The dtype each tensor had in the file, before conversion. */
  dtypes: Record<string, SafetensorsDType>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function fail(message: string): never {
  throw new SafetensorsError(`safetensors: ${message}`);
}

// ---------------------------------------------------------------------------------------------
// encode

interface Planned {
  key: string;
  dtype: SafetensorsDType;
  shape: number[];
  values: ArrayLike<number>;
  begin: number;
  end: number;
}

/**
 * Serializes tensors as a safetensors file. Keys are written sorted, the header is padded with
 * spaces to a multiple of 8 bytes (as the Rust crate does, so the data section is aligned), and the
 * tensors lie contiguously in header order.
 * @example
 * const bytes = encodeSafetensors(model.stateDict(), { metadata: { config: JSON.stringify(cfg) } });
 * const half = encodeSafetensors({ w }, { dtype: 'BF16' });
 */
export function encodeSafetensors(tensors: Record<string, Tensor>, options: EncodeOptions = {}): Uint8Array {
  if (options.dtype !== undefined && !['F64', 'F32', 'F16', 'BF16'].includes(options.dtype)) {
    fail(`encode: dtype must be F64, F32, F16 or BF16, got ${String(options.dtype)}`);
  }
  if (options.intDtype !== undefined && options.intDtype !== 'I64' && options.intDtype !== 'I32') {
    fail(`encode: intDtype must be I64 or I32, got ${String(options.intDtype)}`);
  }
  const metadata = options.metadata ?? {};
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') fail(`encode: metadata '${k}' must be a string, got ${typeof v} (serialize it with JSON.stringify)`);
  }

  const keys = Object.keys(tensors).sort();
  const planned: Planned[] = [];
  let cursor = 0;
  for (const key of keys) {
    const t = tensors[key];
    if (key === '__metadata__') fail(`encode: '__metadata__' is reserved for metadata and cannot name a tensor`);
    if (!(t instanceof Tensor)) fail(`encode: '${key}' is not a Tensor (got ${t === null ? 'null' : typeof t})`);
    const dtype: SafetensorsDType = t.dtype === 'int32'
      ? (options.intDtype ?? 'I64')
      : (options.dtype ?? (t.dtype === 'float64' ? 'F64' : 'F32'));
    const nbytes = t.size * DTYPE_SIZE[dtype];
    planned.push({ key, dtype, shape: [...t.shape], values: t.contiguousData(), begin: cursor, end: cursor + nbytes });
    cursor += nbytes;
  }

  // Assembled by hand: a JS object would move integer-like keys ("10", "9") to the front, and the
  // header order must be the layout order.
  const fields: string[] = [];
  if (options.metadata) fields.push(`"__metadata__":${JSON.stringify(metadata)}`);
  for (const p of planned) {
    fields.push(`${JSON.stringify(p.key)}:${JSON.stringify({ dtype: p.dtype, shape: p.shape, data_offsets: [p.begin, p.end] })}`);
  }
  const json = new TextEncoder().encode(`{${fields.join(',')}}`);
  const headerLen = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + headerLen + cursor);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLen, true); // N < 2^32 always here: the high word stays 0
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  const base = 8 + headerLen;
  for (const p of planned) writeValues(view, out, base + p.begin, p.values, p.dtype);
  return out;
}

function writeValues(view: DataView, out: Uint8Array, at: number, values: ArrayLike<number>, dtype: SafetensorsDType): void {
  const n = values.length;
  switch (dtype) {
    case 'F32':
      if (LITTLE_ENDIAN) {
        const f32 = values instanceof Float32Array ? values : Float32Array.from(values);
        out.set(new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength), at);
      } else {
        for (let i = 0; i < n; i++) view.setFloat32(at + 4 * i, values[i], true);
      }
      return;
    case 'F64':
      for (let i = 0; i < n; i++) view.setFloat64(at + 8 * i, values[i], true);
      return;
    case 'F16':
      for (let i = 0; i < n; i++) view.setUint16(at + 2 * i, float32ToFloat16Bits(values[i]), true);
      return;
    case 'BF16':
      for (let i = 0; i < n; i++) view.setUint16(at + 2 * i, float32ToBfloat16Bits(values[i]), true);
      return;
    case 'I32':
      for (let i = 0; i < n; i++) view.setInt32(at + 4 * i, values[i], true);
      return;
    case 'I64':
      for (let i = 0; i < n; i++) {
        view.setInt32(at + 8 * i, values[i], true);
        view.setInt32(at + 8 * i + 4, values[i] < 0 ? -1 : 0, true); // sign extension
      }
      return;
    default:
      fail(`encode: cannot write dtype ${dtype}`);
  }
}

// ---------------------------------------------------------------------------------------------
// decode

interface Entry {
  key: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses a safetensors file. Every structural problem is an error naming the key and what was
 * expected against what was found: truncation, a bad header, unknown dtypes, bad shapes, offsets
 * that disagree with dtype × shape, overlaps, gaps and trailing bytes. Nothing is skipped.
 * @example
 * const { tensors, metadata } = decodeSafetensors(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 */
export function decodeSafetensors(bytes: Uint8Array | ArrayBuffer): DecodedSafetensors {
  const buf = bytes instanceof Uint8Array ? bytes
    : bytes instanceof ArrayBuffer ? new Uint8Array(bytes)
    : fail(`decode: expected a Uint8Array or ArrayBuffer, got ${describe(bytes)}`);
  if (buf.length < 8) fail(`file is ${buf.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const headerLen = hi * 2 ** 32 + lo;
  if (headerLen > MAX_HEADER_BYTES) fail(`header length ${headerLen} is implausibly large (limit ${MAX_HEADER_BYTES}); the file is not safetensors or is corrupt`);
  if (8 + headerLen > buf.length) fail(`header length ${headerLen} runs past the end of the file (${buf.length} bytes, so at most ${buf.length - 8})`);

  const header = parseHeader(buf.subarray(8, 8 + headerLen));
  const metadata = parseMetadata(header.__metadata__);
  const entries: Entry[] = [];
  for (const [key, raw] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    entries.push(parseEntry(key, raw));
  }

  const dataStart = 8 + headerLen;
  checkCoverage(entries, buf.length - dataStart);

  const tensors: [string, Tensor][] = [];
  const dtypes: [string, SafetensorsDType][] = [];
  for (const e of entries) {
    tensors.push([e.key, readTensor(view, dataStart, e)]);
    dtypes.push([e.key, e.dtype]);
  }
  // fromEntries defines own properties, so a key such as "__proto__" cannot reach the prototype.
  return { tensors: Object.fromEntries(tensors), metadata, dtypes: Object.fromEntries(dtypes) };
}

/** What a safetensors header says, without the data: each tensor's dtype and shape, and the metadata. */
export interface SafetensorsHeader {
  tensors: Record<string, { dtype: SafetensorsDType; shape: number[] }>;
  metadata: Record<string, string>;
}

/**
 * Reads the 8-byte length and the JSON header at the start of a safetensors file, checked as
 * {@link decodeSafetensors} checks them (the tensors must tile `dataLength` bytes exactly), without
 * touching the data: a model's config can be compared with the shapes before anything is allocated.
 * `start` is the beginning of the file, at least 8 bytes and as many more as the header needs.
 * @example decodeSafetensorsHeader(first, fileSize - 8 - headerLength(first))
 */
export function decodeSafetensorsHeader(start: Uint8Array, dataLength: number): SafetensorsHeader {
  const headerLen = safetensorsHeaderLength(start);
  if (8 + headerLen > start.length) fail(`header length ${headerLen} runs past the end of the bytes given (${start.length})`);
  const header = parseHeader(start.subarray(8, 8 + headerLen));
  const metadata = parseMetadata(header.__metadata__);
  const entries: Entry[] = [];
  for (const [key, raw] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    entries.push(parseEntry(key, raw));
  }
  checkCoverage(entries, dataLength);
  return { tensors: Object.fromEntries(entries.map((e) => [e.key, { dtype: e.dtype, shape: e.shape }])), metadata };
}

/** N, the header's length in bytes, from the first 8 bytes of a file (checked against the format's limit). */
export function safetensorsHeaderLength(start: Uint8Array): number {
  if (start.length < 8) fail(`file is ${start.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(start.buffer, start.byteOffset, 8);
  const headerLen = view.getUint32(4, true) * 2 ** 32 + view.getUint32(0, true);
  if (headerLen > MAX_HEADER_BYTES) fail(`header length ${headerLen} is implausibly large (limit ${MAX_HEADER_BYTES}); the file is not safetensors or is corrupt`);
  return headerLen;
}

function parseHeader(bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail(`header (${bytes.length} bytes) is not valid UTF-8`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    fail(`header is not valid JSON (${(err as Error).message}); it begins ${JSON.stringify(text.slice(0, 40))}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    fail(`header must be a JSON object, got ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  }
  return parsed as Record<string, unknown>;
}

function parseMetadata(raw: unknown): Record<string, string> {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`__metadata__ must be an object of strings, got ${describe(raw)}`);
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string') fail(`__metadata__ '${k}' must be a string, got ${describe(v)}`);
    out.push([k, v]);
  }
  return Object.fromEntries(out);
}

function parseEntry(key: string, raw: unknown): Entry {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`'${key}': expected an object with dtype, shape and data_offsets, got ${describe(raw)}`);
  const r = raw as Record<string, unknown>;
  for (const field of Object.keys(r)) {
    if (field !== 'dtype' && field !== 'shape' && field !== 'data_offsets') fail(`'${key}': unexpected field '${field}' (expected dtype, shape, data_offsets)`);
  }
  const dtype = r.dtype;
  if (typeof dtype !== 'string' || !(SPEC_DTYPES as readonly string[]).includes(dtype)) {
    fail(`'${key}': unknown dtype ${describe(dtype)} (expected one of ${SPEC_DTYPES.join(', ')})`);
  }
  if (!READABLE.has(dtype as SafetensorsDType)) fail(`'${key}': dtype ${dtype} is valid safetensors but llmcore cannot read it (readable: ${[...READABLE].join(', ')})`);
  const shape = r.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`'${key}': shape must be an array of non-negative integers, got ${describe(shape)}`);
  }
  const offsets = r.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail(`'${key}': data_offsets must be [begin, end] with non-negative integers, got ${describe(offsets)}`);
  }
  const [begin, end] = offsets as number[];
  if (end < begin) fail(`'${key}': data_offsets [${begin}, ${end}] end before they begin`);
  const size = DTYPE_SIZE[dtype as SafetensorsDType];
  const expected = sizeOf(shape) * size;
  if (end - begin !== expected) {
    fail(`'${key}': data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${dtype} ${formatShape(shape)} needs ${expected} (${sizeOf(shape)} × ${size})`);
  }
  return { key, dtype: dtype as SafetensorsDType, shape: shape as number[], begin, end };
}

/** The spec requires the tensors to tile the data section: no overlap, no gap, no trailing bytes. */
function checkCoverage(entries: Entry[], dataLen: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let prev: Entry | null = null;
  for (const e of sorted) {
    if (e.end > dataLen) fail(`'${e.key}': data_offsets [${e.begin}, ${e.end}] run past the end of the data section (${dataLen} bytes; file truncated?)`);
    if (e.begin < cursor) fail(`'${e.key}': data [${e.begin}, ${e.end}) overlaps '${prev!.key}' [${prev!.begin}, ${prev!.end})`);
    if (e.begin > cursor) fail(`'${e.key}': data begins at ${e.begin} but the previous tensor${prev ? ` '${prev.key}'` : ''} ends at ${cursor}: ${e.begin - cursor} bytes are not covered by any tensor`);
    cursor = e.end;
    prev = e;
  }
  if (cursor !== dataLen) fail(`${dataLen - cursor} trailing bytes after the last tensor${prev ? ` '${prev.key}'` : ''} (data section is ${dataLen} bytes, tensors cover ${cursor})`);
}

function readTensor(view: DataView, dataStart: number, e: Entry): Tensor {
  const n = sizeOf(e.shape);
  const at = dataStart + e.begin;
  switch (e.dtype) {
    case 'F32': {
      const out = new Float32Array(n);
      if (LITTLE_ENDIAN) {
        // copy through bytes: the source offset need not be 4-byte aligned
        new Uint8Array(out.buffer).set(new Uint8Array(view.buffer, view.byteOffset + at, 4 * n));
      } else {
        for (let i = 0; i < n; i++) out[i] = view.getFloat32(at + 4 * i, true);
      }
      return new Tensor(out, e.shape);
    }
    case 'F64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(at + 8 * i, true);
      return new Tensor(out, e.shape);
    }
    case 'F16':
    case 'BF16': {
      const out = new Float32Array(n);
      decodeHalfInto(view, at, n, out, e.dtype);
      return new Tensor(out, e.shape);
    }
    default:
      return new Tensor(readInts(view, at, n, e), e.shape);
  }
}

/** Integer dtypes become int32 (llmcore's index type); values that do not fit are an error, never wrapped. */
function readInts(view: DataView, at: number, n: number, e: Entry): Int32Array {
  const out = new Int32Array(n);
  const tooBig = (i: number, v: bigint | number): never =>
    fail(`'${e.key}': ${e.dtype} value ${v} at flat index ${i} does not fit in int32 (llmcore's integer type holds -2147483648..2147483647)`);
  for (let i = 0; i < n; i++) {
    switch (e.dtype) {
      case 'BOOL': case 'U8': out[i] = view.getUint8(at + i); break;
      case 'I8': out[i] = view.getInt8(at + i); break;
      case 'I16': out[i] = view.getInt16(at + 2 * i, true); break;
      case 'U16': out[i] = view.getUint16(at + 2 * i, true); break;
      case 'I32': out[i] = view.getInt32(at + 4 * i, true); break;
      case 'U32': {
        const v = view.getUint32(at + 4 * i, true);
        if (v > 0x7fffffff) tooBig(i, v);
        out[i] = v;
        break;
      }
      case 'I64': case 'U64': {
        const low = view.getUint32(at + 8 * i, true);
        const high = view.getInt32(at + 8 * i + 4, true);
        // fits iff the high word is the sign extension of the low word's top bit
        const fits = e.dtype === 'I64' ? high === (low >= 0x80000000 ? -1 : 0) : high === 0 && low <= 0x7fffffff;
        if (!fits) tooBig(i, e.dtype === 'I64' ? view.getBigInt64(at + 8 * i, true) : view.getBigUint64(at + 8 * i, true));
        out[i] = low | 0;
        break;
      }
      default: fail(`'${e.key}': cannot read dtype ${e.dtype}`);
    }
  }
  return out;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
