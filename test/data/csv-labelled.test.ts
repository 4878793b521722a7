import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvError, labelledDataset, parseCsv } from '../../src/data/csv.js';

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
