/**
 * safetensors on disk, for Node. This is the only io file that imports `node:`; the engine's index
 * never imports it, so browser bundles stay clean. It is its own entry point (a package `exports`
 * subpath), imported only by Node code: the CLI, training scripts, tests.
 *
 * Saves are atomic: the bytes go to a temporary file in the target's directory, are fsynced, and
 * only then renamed over the target. rename within one directory is atomic on POSIX and on NTFS, so
 * a crash at any moment leaves either the old file or the new one, never a torn mix. A crash can
 * leave a stray `.<name>.<random>.tmp` beside the target; it is harmless and can be deleted.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { Tensor } from '../tensor/tensor.js';
import type { Module, LoadStateDictOptions } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LRScheduler } from '../optim/schedules.js';
import {
  decodeSafetensors, decodeSafetensorsHeader, encodeSafetensors, safetensorsHeaderLength, SafetensorsError,
  type DecodedSafetensors, type EncodeOptions, type SafetensorsHeader,
} from './safetensors.js';

export interface SaveOptions extends EncodeOptions {
  /**
   * Runs after the temporary file is written and fsynced, before it replaces the target. Throwing
   * aborts the save (the temporary file is removed, the target untouched). Meant for tests that
   * simulate a crash mid-save.
   */
  beforeRename?: (tempPath: string) => void | Promise<void>;
}

/**
 * Writes `bytes` to `path` atomically (temporary file, fsync, rename).
 * @example await writeFileAtomic('run/ckpt.safetensors', bytes)
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, hooks: Pick<SaveOptions, 'beforeRename'> = {}): Promise<void> {
  const dir = dirname(path);
  // Same directory as the target: rename across file systems is not atomic (and fails with EXDEV).
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let created = false;
  try {
    const fh = await open(temp, 'wx'); // wx: never clobber a file we did not create
    created = true;
    try {
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await fh.write(bytes, written, bytes.length - written);
        written += bytesWritten;
      }
      await fh.sync(); // the data must be on disk before the rename makes it the file
    } finally {
      await fh.close();
    }
    if (hooks.beforeRename) await hooks.beforeRename(temp);
    await rename(temp, path);
    created = false;
  } catch (err) {
    if (created) await unlink(temp).catch(() => undefined);
    throw new SafetensorsError(`save ${path}: ${(err as Error).message}`, { cause: err });
  }
  await syncDirectory(dir);
}

/** Makes the rename itself durable. Best effort: some platforms (Windows) cannot open a directory. */
async function syncDirectory(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // durability of the directory entry is not guaranteed there; the data itself already is
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/**
 * Saves tensors as a safetensors file, atomically.
 * @example await saveSafetensors('weights.safetensors', { w, b }, { dtype: 'F16', metadata: { epoch: '3' } })
 */
export async function saveSafetensors(path: string, tensors: Record<string, Tensor>, options: SaveOptions = {}): Promise<void> {
  // Encode first: an unencodable input must fail before anything touches the disk.
  const bytes = encodeSafetensors(tensors, options);
  await writeFileAtomic(path, bytes, options);
}

/**
 * Reads a safetensors file; errors name the path and the offending key.
 * @example const { tensors, metadata } = await loadSafetensors('weights.safetensors')
 */
export async function loadSafetensors(path: string): Promise<DecodedSafetensors> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new SafetensorsError(`load ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return decodeSafetensors(bytes);
  } catch (err) {
    throw new SafetensorsError(`load ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Reads only the header of a safetensors file (names, dtypes, shapes, metadata), checked against the
 * file's size: a config can be compared with the weights before a model of that size is built.
 * @example (await readSafetensorsHeader('model.safetensors')).tensors['src_emb.weight'].shape // [2874, 256]
 */
export async function readSafetensorsHeader(path: string): Promise<SafetensorsHeader> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new SafetensorsError(`load ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const size = (await fh.stat()).size;
    const first = new Uint8Array(Math.min(8, size));
    await fh.read(first, 0, first.length, 0);
    const headerLen = safetensorsHeaderLength(first);
    if (8 + headerLen > size) throw new SafetensorsError(`safetensors: header length ${headerLen} runs past the end of the file (${size} bytes, so at most ${size - 8})`);
    const start = new Uint8Array(8 + headerLen);
    start.set(first);
    let at = 8;
    while (at < start.length) {
      const { bytesRead } = await fh.read(start, at, start.length - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return decodeSafetensorsHeader(start, size - 8 - headerLen);
  } catch (err) {
    throw new SafetensorsError(`load ${path}: ${(err as Error).message}`, { cause: err });
  } finally {
    await fh.close();
  }
}

/** The shape a config implies for one tensor of a weight file, and the config fields behind it. */
export interface ExpectedShape {
  key: string;
  shape: number[];
  /** e.g. ['tgtVocab', 'dModel']: named in the message when the file disagrees. */
  fields: string[];
}

/**
 * Throws unless every expected tensor is in the header with the expected shape. The message names
 * both files, the tensor, and the config fields that disagree with the weights.
 * @example checkHeaderShapes(header, [{ key: 'src_emb.weight', shape: [2874, 256], fields: ['srcVocab', 'dModel'] }], { config: 'config.json', weights: 'model.safetensors', what: 'translator' })
 */
export function checkHeaderShapes(header: SafetensorsHeader, expected: readonly ExpectedShape[], files: { what: string; config: string; weights: string }): void {
  for (const e of expected) {
    const found = header.tensors[e.key];
    const head = `${files.what}: ${files.weights} does not fit ${files.config}`;
    const said = `${e.fields.join(' and ')} in the config make it [${e.shape.join(', ')}]`;
    if (!found) throw new Error(`${head}: missing '${e.key}': ${said}, the weights have no such tensor`);
    if (found.shape.length !== e.shape.length || found.shape.some((d, i) => d !== e.shape[i])) {
      throw new Error(`${head}: shape mismatch for '${e.key}': ${said}, the weights have [${found.shape.join(', ')}]`);
    }
  }
}

/**
 * Throws unless `value` is a number in [min, max] (an integer where asked): config fields are
 * checked before they size any allocation. `why` says where the bound comes from.
 * @example checkConfigNumber(c.maxLen, { what: 'translator', file: 'config.json', field: 'model.maxLen', min: 2, max: 4096, integer: true })
 */
export function checkConfigNumber(
  value: unknown,
  o: { what: string; file: string; field: string; min: number; max: number; integer?: boolean; why?: string },
): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= o.min && value <= o.max && (!o.integer || Number.isInteger(value));
  if (ok) return;
  const range = o.integer ? `an integer from ${o.min} to ${o.max}` : `a number from ${o.min} to ${o.max}`;
  const got = JSON.stringify(value) ?? String(value);
  throw new Error(`${o.what}: ${o.file}: ${o.field} must be ${range}${o.why ? ` (${o.why})` : ''}, got ${got.length > 40 ? got.slice(0, 37) + '...' : got}`);
}

/** The layer indices present in a header under `prefix` (e.g. 'transformer.encoder.layers.'): how many layers the weights hold. */
export function countLayers(header: SafetensorsHeader, prefix: string): number {
  let n = 0;
  for (const key of Object.keys(header.tensors)) {
    if (!key.startsWith(prefix)) continue;
    const i = Number.parseInt(key.slice(prefix.length), 10);
    if (Number.isInteger(i) && i + 1 > n) n = i + 1;
  }
  return n;
}

/**
 * Saves a module's state dict (PyTorch names, so `safetensors.torch.load_file` + `load_state_dict` read it).
 * @example await saveStateDict('model.safetensors', model, { metadata: { config: JSON.stringify(cfg) } })
 */
export async function saveStateDict(path: string, module: Module, options: SaveOptions = {}): Promise<void> {
  await saveSafetensors(path, module.stateDict(), options);
}

/**
 * Loads a safetensors file into a module. With `strict` (the default) every missing or unexpected
 * key is an error; shape mismatches always are. Returns the file's metadata.
 * @example const metadata = await loadStateDictFile('model.safetensors', model)
 */
export async function loadStateDictFile(path: string, module: Module, options: LoadStateDictOptions = {}): Promise<Record<string, string>> {
  const { tensors, metadata } = await loadSafetensors(path);
  try {
    module.loadStateDict(tensors, options);
  } catch (err) {
    const e = err as Error;
    e.message = `${path}: ${e.message}`;
    throw e;
  }
  return metadata;
}

const SCHEDULER_KEY = 'llmcore.scheduler';

/**
 * Saves an optimizer's state (moment buffers as F32 tensors, steps and hyper-parameters as JSON
 * metadata), and a scheduler's position if given, so a resumed run continues bit for bit.
 * @example await saveOptimizerState('optim.safetensors', opt, { scheduler: sched })
 */
export async function saveOptimizerState(path: string, optimizer: Optimizer, options: SaveOptions & { scheduler?: LRScheduler } = {}): Promise<void> {
  const { tensors, metadata } = optimizer.stateTensors();
  const all = { ...options.metadata, ...metadata };
  if (options.scheduler) all[SCHEDULER_KEY] = JSON.stringify(options.scheduler.stateDict());
  // Moment buffers keep the parameters' own precision: a lossy dtype would break exact resumption.
  await saveSafetensors(path, tensors, { ...options, dtype: undefined, metadata: all });
}

/**
 * Restores what saveOptimizerState wrote into an optimizer built over the same parameters.
 * @example await loadOptimizerState('optim.safetensors', opt, { scheduler: sched })
 */
export async function loadOptimizerState(path: string, optimizer: Optimizer, options: { scheduler?: LRScheduler } = {}): Promise<Record<string, string>> {
  const { tensors, metadata } = await loadSafetensors(path);
  try {
    optimizer.loadStateTensors({ tensors, metadata });
    if (options.scheduler) {
      const raw = metadata[SCHEDULER_KEY];
      if (raw === undefined) throw new Error(`no scheduler state ('${SCHEDULER_KEY}' metadata) in the file`);
      options.scheduler.loadStateDict(JSON.parse(raw));
    }
  } catch (err) {
    const e = err as Error;
    e.message = `${path}: ${e.message}`;
    throw e;
  }
  return metadata;
}

/**
 * Writes UTF-8 text atomically (temporary file + fsync + rename), like saveSafetensors.
 * @example await writeTextFileAtomic('config.json', JSON.stringify(config))
 */
export async function writeTextFileAtomic(path: string, text: string): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(text));
}

/**
 * Reads and parses a JSON file; errors say `what` was being read, the path, and why (with `hint`
 * added when the file does not exist).
 * @example await readJsonFile('model/config.json', 'translator')
 */
export async function readJsonFile(path: string, what: string, hint?: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${what}: cannot read ${path} (${code === 'ENOENT' && hint ? `no such file: ${hint}` : code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what}: ${path} is not valid JSON (${(e as Error).message})`);
  }
}
