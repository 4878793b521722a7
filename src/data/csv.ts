/**
 * Reading tables of numbers from CSV text with a header row. Parsing is csv-parse's; what is ours is
 * the validation: every bad cell is reported with its line and column name.
 */
import { parse } from 'csv-parse/sync';

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

/** Parses CSV text with a header row; ragged rows are errors naming the line. */
export function parseCsv(text: string, source = 'CSV'): CsvTable {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as unknown as typeof records;
  } catch (e) {
    throw new CsvError(`${source}: ${(e as Error).message}`);
  }
  if (records.length === 0) throw new CsvError(`${source}: the file is empty (expected a header row)`);
  const header = records[0].record;
  const rows: string[][] = [];
  const lines: number[] = [];
  for (const { record, info } of records.slice(1)) {
    if (record.length !== header.length) {
      throw new CsvError(`${source}: line ${info.lines}: expected ${header.length} columns (${header.join(',')}), got ${record.length}`);
    }
    rows.push(record);
    lines.push(info.lines);
  }
  return { header, rows, lines };
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
