/**
 * Reading a parallel corpus file (Node only; the parsing itself is src/data/parallel.ts).
 */
import { readFileSync } from 'node:fs';
import { ParallelFormatError, parseParallel, type ParallelCorpus, type ParseParallelOptions } from './parallel.js';

/**
 * Reads a UTF-8 `source<TAB>target` file. Bytes that are not UTF-8 are an error naming the line (or,
 * with `skipBadLines`, that line is passed over like any malformed line).
 * @example readParallelFile('../shared/data/tatoeba-cmn-eng/dev.tsv').pairs.length // 1000
 */
export function readParallelFile(path: string, options: ParseParallelOptions = {}): ParallelCorpus {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`${path}: cannot read the parallel corpus (${err.code ?? err.message})`);
  }
  const opts = { source: path, ...options };
  try {
    return parseParallel(new TextDecoder('utf-8', { fatal: true }).decode(bytes), opts);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
  }
  // Not valid UTF-8: find the lines that are not.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const lines: string[] = [];
  const bad: number[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        lines.push(decoder.decode(bytes.subarray(start, i)));
      } catch {
        bad.push(lines.length + 1);
        lines.push('');
      }
      start = i + 1;
    }
  }
  if (!options.skipBadLines) {
    throw new ParallelFormatError(`${path}: line ${bad[0]}: not valid UTF-8${options.hint ? `; ${options.hint}` : ''}`, bad[0]);
  }
  const corpus = parseParallel(lines.join('\n'), opts);
  // parseParallel saw the undecodable lines as blank ones (except a last line, which it ignores)
  corpus.blankLines -= bad.filter((l) => l < lines.length).length;
  corpus.skipped.push(...bad.map((line) => ({ line, reason: 'not valid UTF-8' })));
  corpus.skipped.sort((a, b) => a.line - b.line);
  return corpus;
}
