import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvError, labelledDataset, MAX_CSV_BYTES, numericColumn, parseCsv, readCsvFile } from '../../src/data/csv.js';

test('labelledDataset: the label column becomes sorted classes, the others numeric features', () => {
  const d = labelledDataset(parseCsv('a,kind,b\n1,dog,2\n3,cat,4\n5,dog,6\n'), 'kind');
  assert.deepEqual(d.features, ['a', 'b']);
  assert.deepEqual(d.classes, ['cat', 'dog']);
  assert.deepEqual(d.y, [1, 0, 1]);
  assert.deepEqual(d.x, [[1, 2], [3, 4], [5, 6]]);
});

test('numeric labels sort as numbers', () => {
  const d = labelledDataset(parseCsv('x,c\n1,10\n2,9\n3,10\n'), 'c');
  assert.deepEqual(d.classes, ['9', '10']);
  assert.deepEqual(d.y, [1, 0, 1]);
});

test('labelledDataset errors name the column or the line', () => {
  assert.throws(() => labelledDataset(parseCsv('a,b\n1,2\n', 'f.csv'), 'species', 'f.csv'), (e: Error) => e instanceof CsvError && /no column 'species' \(columns: a, b\)/.test(e.message));
  assert.throws(() => labelledDataset(parseCsv('a,c\n1,x\nzz,y\n', 'f.csv'), 'c', 'f.csv'), /line 3, column 'a': expected a number, got 'zz'/);
  assert.throws(() => labelledDataset(parseCsv('a,c\n', 'f.csv'), 'c', 'f.csv'), /no data rows/);
  assert.throws(() => labelledDataset(parseCsv('c\nx\n', 'f.csv'), 'c', 'f.csv'), /no feature columns/);
  assert.throws(() => labelledDataset(parseCsv('a,c\n1,\n', 'f.csv'), 'c', 'f.csv'), /line 2, column 'c': empty label/);
});

test('a UTF-8 byte order mark (Excel writes one) is not part of the first column name', () => {
  const t = parseCsv('\ufeffx,y\n1,2\n');
  assert.deepEqual(t.header, ['x', 'y']);
  assert.deepEqual(numericColumn(t, 'x'), [1]);
});

test('header: false names columns by position and keeps the first line as data (UCI iris.data)', () => {
  const t = parseCsv('5.1,3.5,Iris-setosa\n7.0,3.2,Iris-versicolor\n\n', 'iris.data', { header: false });
  assert.deepEqual(t.header, ['1', '2', '3']);
  assert.deepEqual(labelledDataset(t, '3').x, [[5.1, 3.5], [7.0, 3.2]]);
  assert.deepEqual(t.lines, [1, 2]);
  assert.throws(() => parseCsv('1,2\n3\n', 'f', { header: false }), /line 2: expected 2 columns \(as the first line\), got 1/);
});

test('readCsvFile: one-line errors for a missing file, a directory, a file over the size bound', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csv-'));
  const f = join(dir, 'a.csv');
  writeFileSync(f, 'x,y\n1,2\n');
  assert.deepEqual(readCsvFile(f, '--csv a.csv').rows, [['1', '2']]);
  assert.throws(() => readCsvFile(join(dir, 'none.csv'), '--csv none.csv'), /^CsvError: cannot read --csv none\.csv: no such file$/);
  assert.throws(() => readCsvFile(dir, '--csv dir'), /cannot read --csv dir: it is a directory/);
  assert.throws(() => readCsvFile(f, '--csv a.csv', { maxBytes: 4 }), /--csv a\.csv is 0\.0 MiB; at most 0 MiB is read, because the whole table is parsed in memory/);
  assert.equal(MAX_CSV_BYTES, 64 * 1024 * 1024);
});
