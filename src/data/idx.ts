/**
 * The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a big-endian header —
 * two zero bytes, a type byte, the number of dimensions, then one uint32 per dimension — followed by
 * the values, row-major. Images are magic 2051 (0x00000803: unsigned bytes, 3 dimensions), labels
 * 2049 (0x00000801: unsigned bytes, 1 dimension).
 *
 * Browser-safe: bytes in, arrays out, no node: imports. Gzipped files (`*.gz`, as distributed) are
 * recognised by their first two bytes and inflated with fflate, under a cap so a hostile file cannot
 * allocate without bound.
 */
import { gunzipSync } from 'fflate';

export const IDX_IMAGES_MAGIC = 2051;
export const IDX_LABELS_MAGIC = 2049;

/** The most bytes an inflated IDX file may take: Fashion-MNIST's largest is 47 MB. */
export const MAX_IDX_BYTES = 256 * 1024 * 1024;

/** A malformed or unexpected IDX file; the message names the file. */
export class IdxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdxError';
  }
}

/** Unsigned-byte IDX contents: the dimensions and the values, row-major. */
export interface IdxArray {
  magic: number;
  dims: number[];
  data: Uint8Array;
}

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols pixels, 0 = background. */
  pixels: Uint8Array;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Inflates a gzip file, naming it when it is broken or too large once inflated. */
export function gunzipIdx(bytes: Uint8Array, name: string, maxBytes = MAX_IDX_BYTES): Uint8Array {
  // gzip stores the inflated size mod 2³² in its last 4 bytes: refuse a bomb before inflating it
  if (bytes.length >= 18) {
    const n = bytes.length;
    const size = (bytes[n - 4] | (bytes[n - 3] << 8) | (bytes[n - 2] << 16) | (bytes[n - 1] << 24)) >>> 0;
    if (size > maxBytes) throw new IdxError(`${name}: its gzip trailer claims ${size} bytes once inflated, more than the ${maxBytes} an IDX file may take; the file is truncated or not an IDX file`);
  }
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new IdxError(`${name}: not a readable gzip file (${(e as Error).message}); is it truncated? Fetch it again`);
  }
}

/**
 * Parses an unsigned-byte IDX file (gzipped or not). `name` is used in every message.
 * @example parseIdx(readFileSync('t10k-labels-idx1-ubyte.gz'), 't10k-labels-idx1-ubyte.gz').dims // [10000]
 */
export function parseIdx(input: Uint8Array, name: string): IdxArray {
  const bytes = isGzip(input) ? gunzipIdx(input, name) : input;
  if (bytes.length < 4) throw new IdxError(`${name}: ${bytes.length} bytes is too short for an IDX header; the file is truncated or not an IDX file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const type = bytes[2];
  const ndim = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new IdxError(`${name}: not an IDX file (magic number ${magic}, expected ${IDX_LABELS_MAGIC} for labels or ${IDX_IMAGES_MAGIC} for images)`);
  if (type !== 0x08) throw new IdxError(`${name}: IDX type 0x${type.toString(16).padStart(2, '0')} is not unsigned bytes (0x08), the only type MNIST-style data sets use`);
  if (ndim < 1 || ndim > 4) throw new IdxError(`${name}: ${ndim} dimensions; expected 1 to 4`);
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) throw new IdxError(`${name}: the header needs ${headerBytes} bytes, the file has ${bytes.length}; it is truncated`);
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (size > MAX_IDX_BYTES) throw new IdxError(`${name}: dimensions ${dims.join(' × ')} make ${size} values, more than ${MAX_IDX_BYTES}`);
  const have = bytes.length - headerBytes;
  if (have < size) throw new IdxError(`${name}: dimensions ${dims.join(' × ')} need ${size} bytes of data, the file has ${have}; it is truncated`);
  if (have > size) throw new IdxError(`${name}: ${have - size} bytes after the ${dims.join(' × ')} values; not a well-formed IDX file`);
  return { magic, dims, data: bytes.subarray(headerBytes) };
}

/** Parses an IDX image file (magic 2051: count × rows × cols). */
export function parseIdxImages(input: Uint8Array, name: string): IdxImages {
  const a = parseIdx(input, name);
  if (a.magic !== IDX_IMAGES_MAGIC) throw new IdxError(`${name}: magic number ${a.magic} is not an image file's (${IDX_IMAGES_MAGIC}); ${a.magic === IDX_LABELS_MAGIC ? 'this is a label file' : 'wrong file?'}`);
  const [count, rows, cols] = a.dims;
  return { count, rows, cols, pixels: a.data };
}

/** Parses an IDX label file (magic 2049: count labels). */
export function parseIdxLabels(input: Uint8Array, name: string): Uint8Array {
  const a = parseIdx(input, name);
  if (a.magic !== IDX_LABELS_MAGIC) throw new IdxError(`${name}: magic number ${a.magic} is not a label file's (${IDX_LABELS_MAGIC}); ${a.magic === IDX_IMAGES_MAGIC ? 'this is an image file' : 'wrong file?'}`);
  return a.data;
}

/** Writes unsigned-byte IDX bytes (uncompressed): for tests, and for saving a subset of a data set. */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new IdxError(`encodeIdx: dimensions ${dims.join(' × ')} make ${size} values, got ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + size);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
