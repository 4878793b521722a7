/** Option parsers shared by the subcommands, with errors that say which option wanted what. */
import { writeSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';

export function number(value: string): number {
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v)) throw new InvalidArgumentError(`expected a number, got '${value}'`);
  return v;
}

export function integer(value: string): number {
  const v = number(value);
  if (!Number.isInteger(v)) throw new InvalidArgumentError(`expected an integer, got '${value}'`);
  return v;
}

export function positiveInteger(value: string): number {
  const v = integer(value);
  if (v < 1) throw new InvalidArgumentError(`expected an integer >= 1, got '${value}'`);
  return v;
}

/** Writes a machine-readable result: one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/** Formats a number for tables: fixed decimals, aligned. */
export function fmt(v: number, digits = 4, width = 10): string {
  return v.toFixed(digits).padStart(width);
}

/**
 * A duration option: "90m", "2h", "45s", "1.5h" or plain seconds; always more than zero (a budget of
 * nothing is a mistake, not "unlimited": leave the option out for no limit).
 * @example parseDuration('90m') // 5400
 */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(h|m|min|s)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`expected a duration like 90m, 2h or 3600, got '${value}'`);
  const v = Number(m[1]);
  const seconds = m[2] === 'h' ? v * 3600 : m[2] === 'm' || m[2] === 'min' ? v * 60 : v;
  if (!(seconds > 0)) throw new InvalidArgumentError(`expected a duration above zero (leave the option out for no limit), got '${value}'`);
  return seconds;
}

/** Seconds as "1h05m", "4m09s" or "12s". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/**
 * Writes one line to stdout synchronously. The work of a synchronous command (linear, iris, the tour)
 * never yields to the event loop, so an 'error' listener would hear of a closed pipe
 * (`llmcore linear --every 1 | head -1`) only after all the work; a synchronous write fails at once,
 * and the command stops there, quietly.
 */
export function printLine(line: string): void {
  const bytes = Buffer.from(line + '\n');
  try {
    for (let off = 0; off < bytes.length;) off += writeSync(1, bytes, off);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
    if (code === 'EAGAIN') {
      // a non-blocking stdout that is full: hand the rest to the stream, which waits
      process.stdout.write(line + '\n');
      return;
    }
    throw e;
  }
}

const GROUPS = { train: 'train a model of the explainer', eval: 'evaluate a trained model of the explainer' } as const;

/** The `train` or `eval` command that every chapter adds its subcommand to, created by whichever registers first. */
export function commandGroup(program: Command, name: keyof typeof GROUPS): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(GROUPS[name]);
}
