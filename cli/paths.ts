/**
 * Checks on the files a command reads and writes, run before any work starts: a bad output path must
 * not be found after an hour of training, and an output must never replace one of the inputs.
 */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The canonical path of `path`, following links where it exists (so two spellings of one file compare equal). */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return resolve(realpathSync(dirname(path)), path.split(/[\\/]/).pop() ?? '');
    } catch {
      return resolve(path);
    }
  }
}

/** True when `a` and `b` name the same file (or would, once created). */
export function sameFile(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

/**
 * Throws unless `path` can be written as a file: its folder exists and is writable, it is not a
 * folder, and it is none of `inputs`.
 * @example checkOutputFile('out.txt', '--output', ['dev.tsv'])
 */
export function checkOutputFile(path: string, option: string, inputs: readonly (string | undefined)[] = []): void {
  for (const input of inputs) {
    if (input !== undefined && sameFile(path, input)) throw new Error(`${option} ${path} is also an input of this command; it would be overwritten. Choose another file`);
  }
  const dir = dirname(resolve(path));
  let info;
  try {
    info = statSync(dir);
  } catch {
    throw new Error(`${option} ${path}: the folder ${dir} does not exist`);
  }
  if (!info.isDirectory()) throw new Error(`${option} ${path}: ${dir} is not a folder`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new Error(`${option} ${path}: the folder ${dir} is not writable`);
  }
  try {
    if (statSync(path).isDirectory()) throw new Error(`${option} ${path} is a folder; give a file name`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Throws unless `path` is a readable file, naming the option. */
export function checkInputFile(path: string, option: string): void {
  let info;
  try {
    info = statSync(path);
  } catch (e) {
    throw new Error(`${option} ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (info.isDirectory()) throw new Error(`${option} ${path} is a folder; give a file`);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new Error(`${option} ${path} is not readable`);
  }
}
