/** Option parsers shared by the subcommands, with errors that say which option wanted what. */
import { InvalidArgumentError } from 'commander';

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
