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
 * - `unzipEntry`: one entry out of a zip, inflated piece by piece under a cap, so a zip bomb is
 *   refused at the cap instead of being allocated whole.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Unzip, UnzipInflate } from 'fflate';

/** What went wrong, for callers that add their own advice (a mirror, a copy on disk). */
export type DownloadErrorKind = 'network' | 'http' | 'too-large' | 'timeout' | 'truncated' | 'unpacked-too-large' | 'bad-data' | 'checksum' | 'file';

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
  };
  const deadline = setTimeout(() => {
    fail(new DownloadError('timeout', `the download of ${url} took longer than ${formatSecondsShort(maxTime)}${hint(names.maxTime)}; stopped after ${of()}`));
  }, maxTime * 1000);
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
        throw new DownloadError('truncated', `the connection to ${url} closed after ${of()}${total === undefined ? ', before the end of the body' : ''} (${causeOf(e)})`, { cause: e });
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
    const sink = fh.createWriteStream({ autoClose: false });
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
      await fh.sync(); // the bytes must be on disk before the rename makes them the file
    } catch (e) {
      if (e instanceof DownloadError) throw e;
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (code.startsWith('Z_')) {
        throw new DownloadError('bad-data', `${url} is not complete gzip data (${(e as Error).message})`, { cause: e });
      }
      throw new DownloadError('file', `cannot write ${path}: ${code || (e as Error).message}`, { cause: e });
    } finally {
      await fh.close();
    }
    const sha256 = hash.digest('hex');
    if (o.sha256 && o.sha256.toLowerCase() !== sha256) {
      throw new DownloadError('checksum', `${url} has sha256 ${sha256}, not the expected ${o.sha256.toLowerCase()}; the file was not written`);
    }
    await rename(temp, path);
    created = false;
    return { path, downloaded, written, sha256 };
  } finally {
    if (created) await unlink(temp).catch(() => undefined);
  }
}

/** Input handed to the inflater at a time: DEFLATE expands at most ~1032×, so one step makes ≤ ~17 MB. */
const UNZIP_STEP = 16 * 1024;

export interface UnzipEntryResult {
  /** The entry's name in the zip, or undefined when no entry matched. */
  name?: string;
  bytes?: Uint8Array;
  /** Names of every entry seen (for "it holds: …" messages). */
  names: string[];
}

/**
 * The first entry of `zip` whose name passes `match`, inflated piece by piece: past `maxBytes` the
 * inflation stops and an 'unpacked-too-large' DownloadError is thrown, so a small zip holding
 * gigabytes costs at most the cap plus one step, never the whole. Sizes in the zip's headers are
 * not trusted (they can lie); the bytes produced are counted.
 */
export function unzipEntry(zip: Uint8Array, match: (name: string) => boolean, maxBytes: number, what: { from: string; capName?: string }): UnzipEntryResult {
  // the streaming reader skips bytes it does not recognise, so an HTML error page would pass as an empty zip
  const signature = zip.length >= 4 ? (zip[0] | (zip[1] << 8) | (zip[2] << 16) | (zip[3] << 24)) >>> 0 : 0;
  if (signature !== 0x04034b50 && signature !== 0x06054b50) {
    throw new DownloadError('bad-data', `${what.from} is not a readable zip file (it does not start with a zip signature${zip.length ? `; it starts with ${JSON.stringify(new TextDecoder().decode(zip.subarray(0, 16)))}` : '; it is empty'})`);
  }
  const names: string[] = [];
  const chunks: Uint8Array[] = [];
  let name: string | undefined;
  let size = 0;
  let over = false;
  let error: Error | undefined;
  let finished = false;
  const unzip = new Unzip((file) => {
    names.push(file.name);
    if (name !== undefined || !match(file.name)) return; // not started: fflate skips its data
    name = file.name;
    file.ondata = (err, data, final) => {
      if (err) {
        error ??= err;
        return;
      }
      if (over) return;
      size += data.length;
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        file.terminate();
        return;
      }
      chunks.push(data);
      if (final) finished = true;
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    for (let at = 0; at < zip.length && !over && !error; at += UNZIP_STEP) {
      const end = Math.min(at + UNZIP_STEP, zip.length);
      unzip.push(zip.subarray(at, end), end === zip.length);
    }
  } catch (e) {
    error ??= e as Error;
  }
  if (over) {
    throw new DownloadError('unpacked-too-large', `${name} in ${what.from} unpacks to more than the cap of ${formatBytes(maxBytes)}${hint(what.capName)}; refused`);
  }
  if (error) throw new DownloadError('bad-data', `${what.from} is not a readable zip file (${error.message})`, { cause: error });
  if (name === undefined) return { names };
  if (!finished) throw new DownloadError('bad-data', `${what.from} is not a readable zip file (${name} ends early)`);
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return { name, bytes, names };
}
