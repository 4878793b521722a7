/**
 * Parallel corpora as TSV text: one pair per line, source, one TAB, target (the Tatoeba files are
 * `chinese<TAB>english`). Pure: no file system here, so it runs in browsers too; reading a file is
 * src/data/parallel-file.ts.
 */

export interface ParallelPair {
  source: string;
  target: string;
  /** 1-based line number in the file. */
  line: number;
}

export interface SkippedLine {
  line: number;
  reason: string;
}

export interface ParallelCorpus {
  pairs: ParallelPair[];
  /** Malformed lines passed over (only with `skipBadLines`). */
  skipped: SkippedLine[];
  /** Blank lines passed over (always allowed, e.g. the last line). */
  blankLines: number;
}

export interface ParseParallelOptions {
  /** Name for messages, e.g. the file path (default 'parallel corpus'). */
  source?: string;
  /** Pass over malformed lines and count them instead of throwing (default false). */
  skipBadLines?: boolean;
  /**
   * Said after a malformed line's error, in the caller's terms: a command names its own option
   * (`use --skip-bad-lines to pass over such lines`). Default: nothing.
   */
  hint?: string;
}

/** A malformed line in a parallel corpus; the message names the line. */
export class ParallelFormatError extends Error {
  override name = 'ParallelFormatError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** Why a line is malformed, or null for a good one. Fields are trimmed. */
function checkLine(raw: string): { reason: string } | { source: string; target: string } {
  const fields = raw.split('\t');
  if (fields.length === 1) return { reason: 'no TAB between source and target' };
  if (fields.length > 2) return { reason: `expected 2 fields separated by one TAB, got ${fields.length}` };
  const source = fields[0].trim();
  const target = fields[1].trim();
  if (source === '' && target === '') return { reason: 'both sides are empty' };
  if (source === '') return { reason: 'the source side is empty' };
  if (target === '') return { reason: 'the target side is empty' };
  return { source, target };
}

/**
 * Parses `source<TAB>target` lines. `\r\n` line ends and a leading BOM are accepted; blank lines are
 * passed over. A line without a TAB, with more than one TAB, or with an empty side is an error naming
 * its line number — or, with `skipBadLines`, is passed over and listed in `skipped`.
 * @example parseParallel('我正在吃饭。\tI am eating.\n').pairs[0] // { source: '我正在吃饭。', target: 'I am eating.', line: 1 }
 */
export function parseParallel(text: string, options: ParseParallelOptions = {}): ParallelCorpus {
  const { source: name = 'parallel corpus', skipBadLines = false, hint } = options;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split('\n');
  const pairs: ParallelPair[] = [];
  const skipped: SkippedLine[] = [];
  let blankLines = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    const line = i + 1;
    if (raw.trim() === '' && !raw.includes('\t')) {
      if (i < lines.length - 1 || raw !== '') blankLines++;
      continue;
    }
    const r = checkLine(raw);
    if ('reason' in r) {
      if (!skipBadLines) {
        throw new ParallelFormatError(
          `${name}: line ${line}: ${r.reason} (expected 'source<TAB>target'; got ${preview(raw)})${hint ? `; ${hint}` : ''}`,
          line,
        );
      }
      skipped.push({ line, reason: r.reason });
      continue;
    }
    pairs.push({ source: r.source, target: r.target, line });
  }
  return { pairs, skipped, blankLines };
}

function preview(s: string): string {
  const shown = s.length > 60 ? s.slice(0, 57) + '...' : s;
  return JSON.stringify(shown);
}
