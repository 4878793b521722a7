/**
 * Reading tables of numbers from CSV text with a header row. Parsing is csv-parse's; what is ours is
 * the validation: every bad cell is reported with its line and column name.
 */
import { readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/**
 * The largest CSV file read: the whole text, then every cell as a string, is held in memory, which
 * takes many times the file's size; 64 MiB is far beyond the tables these chapters are for.
 */
export const MAX_CSV_BYTES = 64 * 1024 * 1024;

export class CsvError extends Error {
  override name = 'CsvError';
}

export interface CsvTable {
  header: string[];
  /** Raw cells, one array per data row. */
  rows: string[][];
  /** 1-based line number in the file of each data row. */
  lines: number[];
}

export interface ParseCsvOptions {
  /**
   * false: the file has no header row (UCI's iris.data is such a file); columns are then named by
   * their 1-based position, '1', '2', … Default true.
   */
  header?: boolean;
}

/**
 * Parses CSV text with a header row; ragged rows are errors naming the line. A leading UTF-8 byte
 * order mark (Excel writes one) is dropped, or it would become part of the first column's name.
 */
export function parseCsv(text: string, source = 'CSV', options: ParseCsvOptions = {}): CsvTable {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, info: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as unknown as typeof records;
  } catch (e) {
    throw new CsvError(`${source}: ${(e as Error).message}`);
  }
  const hasHeader = options.header ?? true;
  if (records.length === 0) throw new CsvError(`${source}: the file is empty (expected ${hasHeader ? 'a header row' : 'rows of data'})`);
  const header = hasHeader ? records[0].record : records[0].record.map((_, i) => String(i + 1));
  const rows: string[][] = [];
  const lines: number[] = [];
  for (const { record, info } of hasHeader ? records.slice(1) : records) {
    if (record.length !== header.length) {
      throw new CsvError(`${source}: line ${info.lines}: expected ${header.length} columns (${hasHeader ? header.join(',') : 'as the first line'}), got ${record.length}`);
    }
    rows.push(record);
    lines.push(info.lines);
  }
  return { header, rows, lines };
}

/**
 * Reads and parses a CSV file. `what` names it in errors as the user gave it (e.g. "--csv f.csv");
 * a missing file, a directory or one over MAX_CSV_BYTES is a one-line error.
 */
export function readCsvFile(path: string, what: string, options: ParseCsvOptions & { maxBytes?: number } = {}): CsvTable {
  const maxBytes = options.maxBytes ?? MAX_CSV_BYTES;
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > maxBytes) {
      throw new CsvError(`${what} is ${(size / 2 ** 20).toFixed(1)} MiB; at most ${(maxBytes / 2 ** 20).toFixed(0)} MiB is read, because the whole table is parsed in memory`);
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof CsvError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new CsvError(`cannot read ${what}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code ?? (e as Error).message}`);
  }
  return parseCsv(text, path, options);
}

/** Index of a named column, with an error that lists the columns there are. */
export function columnIndex(table: CsvTable, name: string, source = 'CSV'): number {
  const i = table.header.indexOf(name);
  if (i < 0) throw new CsvError(`${source}: no column '${name}' (columns: ${table.header.join(', ')})`);
  return i;
}

/** The numbers of one column; a cell that is not a finite number is an error naming line and column. */
export function numericColumn(table: CsvTable, name: string, source = 'CSV'): number[] {
  const c = columnIndex(table, name, source);
  return table.rows.map((row, r) => {
    const cell = row[c];
    const v = cell === '' ? NaN : Number(cell);
    if (!Number.isFinite(v)) throw new CsvError(`${source}: line ${table.lines[r]}, column '${name}': expected a number, got '${cell}'`);
    return v;
  });
}

/**
 * A classification data set from a table: `label` names the class column (its distinct values,
 * sorted, become classes 0..C−1), every other column must be numeric and becomes a feature. Errors
 * name the missing column, or the line and column of a bad cell; an empty table is an error.
 */
export function labelledDataset(table: CsvTable, label: string, source = 'CSV'): { x: number[][]; y: number[]; features: string[]; classes: string[] } {
  const li = columnIndex(table, label, source);
  if (table.rows.length === 0) throw new CsvError(`${source}: no data rows after the header (expected at least one)`);
  const features = table.header.filter((_, i) => i !== li);
  if (features.length === 0) throw new CsvError(`${source}: no feature columns besides the label column '${label}'`);
  const columns = features.map((name) => numericColumn(table, name, source));
  const x = table.rows.map((_, r) => columns.map((col) => col[r]));
  const raw = table.rows.map((row, r) => {
    if (row[li] === '') throw new CsvError(`${source}: line ${table.lines[r]}, column '${label}': empty label`);
    return row[li];
  });
  const numeric = raw.every((v) => Number.isFinite(Number(v)));
  const classes = [...new Set(raw)].sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  const index = new Map(classes.map((c, i) => [c, i]));
  return { x, y: raw.map((v) => index.get(v)!), features, classes };
}
