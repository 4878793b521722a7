/**
 * Downloads that a hostile or broken server cannot turn into a hang, a full disk or an out-of-memory
 * crash: every byte taken from the server counts against a cap, silence times out, the whole
 * download has a deadline, and a connection that closes early is reported as such (URL, bytes
 * received of bytes announced) instead of undici's bare "terminated".
 *
 * Node only (fetch, zlib, fs): the engine's index never imports this file.
 *
 * - `downloadBytes`: a bounded download into memory, for small archives (the Tatoeba zip).
 * - `downloadToFile`: a bounded download streamed to a file written atomically (temporary file in
 *   the same folder, fsync, rename), optionally gunzipped under a cap of its own on the way: what a
 *   data set of gzip files (Fashion-MNIST's IDX files, ~30 MB) needs.
 * - `unzipEntry`: one entry out of a zip, inflated by zlib under a cap, so a zip bomb is refused at
 *   the cap instead of being allocated whole.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, inflateRawSync } from 'node:zlib';

/** What went wrong, for callers that add their own advice (a mirror, a copy on disk). */
export type DownloadErrorKind = 'bad-url' | 'network' | 'http' | 'too-large' | 'timeout' | 'truncated' | 'unpacked-too-large' | 'bad-data' | 'checksum' | 'file';

export class DownloadError extends Error {
  constructor(readonly kind: DownloadErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DownloadError';
  }
}

export interface DownloadLimits {
  /** Most bytes taken from the server (the body as sent); the download is refused beyond. */
  maxBytes: number;
  /** Most seconds without a byte from the server: waiting for the answer, or between two pieces of the body. */
  idleTimeout: number;
  /** Most seconds for the whole download, however steadily the bytes come. */
  maxTime: number;
}

/** Option names put into messages, so a user reads which flag lifts a limit (the CLI passes its own). */
export interface LimitNames {
  maxBytes?: string;
  idleTimeout?: string;
  maxTime?: string;
  maxUnpacked?: string;
}

export const DEFAULT_DOWNLOAD_LIMITS: Readonly<DownloadLimits> = { maxBytes: 100e6, idleTimeout: 30, maxTime: 600 };

export interface DownloadOptions extends Partial<DownloadLimits> {
  names?: LimitNames;
  userAgent?: string;
  /** Called after every piece of the body: bytes so far, and the total the server announced (if any). */
  onProgress?: (received: number, total: number | undefined) => void;
}

/** 1234567 → "1.2 MB" (powers of 1000, as download sizes are usually given). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} bytes`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${Number(v.toFixed(v < 10 ? 2 : 1))} ${units[u]}`;
}

function formatSecondsShort(s: number): string {
  return s >= 120 ? `${Number((s / 60).toFixed(1))} min` : `${Number(s.toFixed(3))} s`;
}

const hint = (name: string | undefined): string => (name ? ` (${name})` : '');

function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}

/**
 * The body of `url`, piece by piece, under the limits. Stopping early (a consumer that throws or
 * breaks) aborts the request, so the socket is closed and the server sends nothing more.
 */
export async function* downloadChunks(url: string, o: DownloadOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
  const { maxBytes, idleTimeout, maxTime } = { ...DEFAULT_DOWNLOAD_LIMITS, ...definedOnly(o) };
  // before any timer starts: a throw here must leave nothing running
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // leaves parsed undefined
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol)) throw new DownloadError('bad-url', `cannot download ${JSON.stringify(url)}: not an http:// or https:// URL`);
  const names = o.names ?? {};
  const controller = new AbortController();
  let failure: DownloadError | undefined;
  let received = 0;
  let total: number | undefined;
  const fail = (e: DownloadError): void => {
    failure ??= e;
    controller.abort(e);
  };
  const of = (): string => (total !== undefined ? `${received} of ${total} bytes` : `${received} bytes`);
  let idle: NodeJS.Timeout | undefined;
  const armIdle = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      fail(
        received === 0 && total === undefined
          ? new DownloadError('timeout', `no answer from ${url} within ${formatSecondsShort(idleTimeout)}${hint(names.idleTimeout)}`)
          : new DownloadError('timeout', `${url} sent nothing for ${formatSecondsShort(idleTimeout)} after ${of()}${hint(names.idleTimeout)}`),
      );
    }, idleTimeout * 1000);
    idle.unref(); // an abandoned download must not keep the process alive; an open socket does that while it matters
  };
  const deadline = setTimeout(() => {
    fail(new DownloadError('timeout', `the download of ${url} took longer than ${formatSecondsShort(maxTime)}${hint(names.maxTime)}; stopped after ${of()}`));
  }, maxTime * 1000);
  deadline.unref();
  try {
    armIdle();
    let res: Response;
    try {
      res = await fetch(url, {
        signal: controller.signal,
        redirect: 'follow',
        // identity: the bytes counted against the cap and compared with Content-Length are the bytes sent
        headers: { 'user-agent': o.userAgent ?? 'llmcore-data/0.1', 'accept-encoding': 'identity' },
      });
    } catch (e) {
      if (failure) throw failure;
      throw new DownloadError('network', `cannot download ${url}: ${causeOf(e)}`, { cause: e });
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new DownloadError('http', `${url} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    }
    const length = res.headers.get('content-length');
    // with a Content-Encoding fetch decodes the body, so the announced length is not what is counted
    if (length !== null && /^\d+$/.test(length.trim()) && !res.headers.get('content-encoding')) total = Number(length);
    if (total !== undefined && total > maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new DownloadError('too-large', `${url} announces ${formatBytes(total)}, more than the cap of ${formatBytes(maxBytes)}${hint(names.maxBytes)}; refused`);
    }
    if (!res.body) return;
    const reader = res.body.getReader();
    for (;;) {
      armIdle();
      let piece: ReadableStreamReadResult<Uint8Array>;
      try {
        piece = await reader.read();
      } catch (e) {
        if (failure) throw failure;
        const why = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
        throw new DownloadError('truncated', `the connection to ${url} closed after ${of()}${total === undefined ? ', before the end of the body' : ''} (${why})`, { cause: e });
      }
      if (piece.done) break;
      received += piece.value.length;
      if (received > maxBytes) {
        throw new DownloadError('too-large', `${url} sent more than the cap of ${formatBytes(maxBytes)}${hint(names.maxBytes)}; refused`);
      }
      o.onProgress?.(received, total);
      // the consumer's time (writing, unpacking) is not the server's silence
      clearTimeout(idle);
      yield piece.value;
    }
    if (total !== undefined && received !== total) {
      throw new DownloadError('truncated', `the connection to ${url} closed after ${of()}`);
    }
  } finally {
    clearTimeout(idle);
    clearTimeout(deadline);
    controller.abort();
  }
}

function definedOnly(o: Partial<DownloadLimits>): Partial<DownloadLimits> {
  const r: Partial<DownloadLimits> = {};
  if (o.maxBytes !== undefined) r.maxBytes = o.maxBytes;
  if (o.idleTimeout !== undefined) r.idleTimeout = o.idleTimeout;
  if (o.maxTime !== undefined) r.maxTime = o.maxTime;
  return r;
}

/**
 * The whole body of `url` in memory, under the limits (the cap bounds the memory too).
 * @example const zip = await downloadBytes('https://www.manythings.org/anki/cmn-eng.zip', { maxBytes: 50e6 })
 */
export async function downloadBytes(url: string, o: DownloadOptions = {}): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const c of downloadChunks(url, o)) {
    chunks.push(c);
    size += c.length;
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

export interface DownloadToFileOptions extends DownloadOptions {
  /** Gunzip the body on the way to the file, writing at most `maxBytes` decompressed bytes. */
  gunzip?: { maxBytes: number };
  /** The sha256 (hex) the downloaded bytes must have; the file is not written otherwise. */
  sha256?: string;
  /**
   * A last check of the complete temporary file (e.g. of what it unpacks to), after the sha256 and
   * before it becomes `path`: a throw leaves `path` as it was and the temporary file removed.
   */
  verify?: (tempPath: string, result: DownloadToFileResult) => Promise<void> | void;
}

export interface DownloadToFileResult {
  path: string;
  /** Bytes received from the server. */
  downloaded: number;
  /** Bytes in the file (after gunzip, if asked). */
  written: number;
  /** sha256 (hex) of the bytes received. */
  sha256: string;
}

/** A pass-through that refuses more than `max` bytes: the cap on what gunzip produces. */
function capped(max: number, onOver: () => Error, count: (n: number) => void): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      n += chunk.length;
      count(n);
      if (n > max) done(onOver());
      else done(null, chunk);
    },
  });
}

/**
 * Streams `url` to `path` under the limits, optionally gunzipping under a cap: memory stays at a few
 * pieces whatever the size. The file appears only complete (temporary file beside it, fsync, rename);
 * on any failure the temporary file is removed and an existing `path` is left as it was.
 * @example await downloadToFile(url, 'data/fashion-mnist/train-images-idx3-ubyte', { gunzip: { maxBytes: 60e6 } })
 */
export async function downloadToFile(url: string, path: string, o: DownloadToFileOptions = {}): Promise<DownloadToFileResult> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const hash = createHash('sha256');
  let downloaded = 0;
  let written = 0;
  let created = false;
  async function* source(): AsyncGenerator<Uint8Array> {
    for await (const c of downloadChunks(url, o)) {
      hash.update(c);
      downloaded += c.length;
      yield c;
    }
  }
  try {
    let fh;
    try {
      fh = await open(temp, 'wx'); // wx: never clobber a file this call did not create
    } catch (e) {
      throw new DownloadError('file', `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
    created = true;
    const sink = fh.createWriteStream(); // closes fh when it finishes or fails
    const counted = (n: number): void => {
      written = n;
    };
    try {
      if (o.gunzip) {
        const max = o.gunzip.maxBytes;
        const over = (): Error => new DownloadError('unpacked-too-large', `${url} unpacks to more than the cap of ${formatBytes(max)}${hint(o.names?.maxUnpacked)}; refused`);
        await pipeline(Readable.from(source()), createGunzip(), capped(max, over, counted), sink);
      } else {
        await pipeline(Readable.from(source()), capped(Infinity, () => new Error('unreachable'), counted), sink);
      }
      // the bytes must be on disk before the rename makes them the file
      const again = await open(temp, 'r+');
      try {
        await again.sync();
      } finally {
        await again.close();
      }
    } catch (e) {
      if (e instanceof DownloadError) throw e;
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (code.startsWith('Z_')) {
        throw new DownloadError('bad-data', `${url} is not complete gzip data (${(e as Error).message})`, { cause: e });
      }
      throw new DownloadError('file', `cannot write ${path}: ${code || (e as Error).message}`, { cause: e });
    }
    const sha256 = hash.digest('hex');
    if (o.sha256 && o.sha256.toLowerCase() !== sha256) {
      throw new DownloadError('checksum', `${url} has sha256 ${sha256}, not the expected ${o.sha256.toLowerCase()}; the file was not written`);
    }
    const result = { path, downloaded, written, sha256 };
    await o.verify?.(temp, result);
    await rename(temp, path);
    created = false;
    return result;
  } finally {
    if (created) await unlink(temp).catch(() => undefined);
  }
}

export interface UnzipEntryResult {
  /** The entry's name in the zip, or undefined when no entry matched. */
  name?: string;
  bytes?: Uint8Array;
  /** Names of every entry (for "it holds: …" messages). */
  names: string[];
}

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  localOffset: number;
}

/** The zip's central directory (ZIP64 sizes and offsets included); throws a 'bad-data' DownloadError when there is none to read. */
function zipDirectory(zip: Uint8Array, from: string): ZipEntry[] {
  const bad = (why: string): DownloadError => new DownloadError('bad-data', `${from} is not a readable zip file (${why})`);
  if (zip.length < 22) throw bad(zip.length ? `it is only ${zip.length} bytes` : 'it is empty');
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const u16 = (at: number): number => view.getUint16(at, true);
  const u32 = (at: number): number => view.getUint32(at, true);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff) && eocd < 0; i--) {
    if (u32(i) === 0x06054b50) eocd = i;
  }
  if (eocd < 0) {
    const local = u32(0) === 0x04034b50;
    // an HTML error page and a copy cut short both lack the directory at the end; say which it looks like
    throw bad(local ? 'it ends early: no end-of-central-directory record' : `it does not start with a zip signature; it starts with ${JSON.stringify(new TextDecoder().decode(zip.subarray(0, 16)))}`);
  }
  let count = u16(eocd + 10);
  let offset = u32(eocd + 16);
  if ((count === 0xffff || offset === 0xffffffff) && eocd >= 20 && u32(eocd - 20) === 0x07064b50) {
    const z64 = Number(view.getBigUint64(eocd - 12, true));
    if (z64 + 56 > zip.length || u32(z64) !== 0x06064b50) throw bad('a broken ZIP64 record');
    count = Number(view.getBigUint64(z64 + 32, true));
    offset = Number(view.getBigUint64(z64 + 48, true));
  }
  const entries: ZipEntry[] = [];
  let at = offset;
  for (let k = 0; k < count; k++) {
    if (at + 46 > zip.length || u32(at) !== 0x02014b50) throw bad('a broken central directory');
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const flags = u16(at + 8);
    const raw = zip.subarray(at + 46, at + 46 + nameLength);
    // bit 11: UTF-8 names; older tools wrote CP437, which agrees with UTF-8 on the ASCII names that matter here
    const name = new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(raw);
    let compressedSize = u32(at + 20);
    const size = u32(at + 24);
    let localOffset = u32(at + 42);
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength; ) {
      const id = u16(e);
      const length = u16(e + 2);
      if (id === 0x0001) {
        // ZIP64: the 64-bit values present are those whose 32-bit fields hold 0xFFFFFFFF, in this order
        let p = e + 4;
        if (size === 0xffffffff) p += 8;
        if (compressedSize === 0xffffffff) (compressedSize = Number(view.getBigUint64(p, true))), (p += 8);
        if (localOffset === 0xffffffff) localOffset = Number(view.getBigUint64(p, true));
      }
      e += 4 + length;
    }
    entries.push({ name, method: u16(at + 10), compressedSize, localOffset });
    at += 46 + nameLength + extraLength + u16(at + 32);
  }
  return entries;
}

/**
 * The first entry of `zip` whose name passes `match`, inflated under a cap: zlib stops producing
 * output at `maxBytes`, so a small zip holding gigabytes costs at most the cap, never the whole, and
 * the sizes the zip declares are not trusted (they can lie). Throws a DownloadError: 'bad-data'
 * for what is no readable zip, 'unpacked-too-large' past the cap.
 * @example unzipEntry(zip, (n) => n.endsWith('cmn.txt'), 100e6, { from: 'cmn-eng.zip', capName: '--max-unpacked' })
 */
export function unzipEntry(zip: Uint8Array, match: (name: string) => boolean, maxBytes: number, what: { from: string; capName?: string }): UnzipEntryResult {
  const entries = zipDirectory(zip, what.from);
  const names = entries.map((e) => e.name);
  const entry = entries.find((e) => match(e.name));
  if (!entry) return { names };
  const bad = (why: string): DownloadError => new DownloadError('bad-data', `${what.from} is not a readable zip file (${entry.name}: ${why})`);
  const tooLarge = (): DownloadError =>
    new DownloadError('unpacked-too-large', `${entry.name} in ${what.from} unpacks to more than the cap of ${formatBytes(maxBytes)}${hint(what.capName)}; refused`);
  const local = entry.localOffset;
  if (local + 30 > zip.length || zip[local] !== 0x50 || zip[local + 1] !== 0x4b || zip[local + 2] !== 3 || zip[local + 3] !== 4) throw bad('no local header where the directory says');
  const start = local + 30 + (zip[local + 26] | (zip[local + 27] << 8)) + (zip[local + 28] | (zip[local + 29] << 8));
  if (start + entry.compressedSize > zip.length) throw bad('its data run past the end of the file');
  const data = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) {
    if (data.length > maxBytes) throw tooLarge();
    return { name: entry.name, bytes: data.slice(), names };
  }
  if (entry.method !== 8) throw bad(`compression method ${entry.method}; only stored and DEFLATE are read`);
  try {
    const out = inflateRawSync(data, { maxOutputLength: Math.max(1, maxBytes) });
    return { name: entry.name, bytes: new Uint8Array(out.buffer, out.byteOffset, out.byteLength), names };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    throw bad((e as Error).message);
  }
}
