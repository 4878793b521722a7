import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IRIS_SPECIES, IRIS_SPECIES_ZH, loadIris } from '../../src/data/iris.js';
import { parseCsv } from '../../src/data/csv.js';

const shared = fileURLToPath(new URL('../../../shared/data/iris/iris.csv', import.meta.url));

test('Iris: 150 rows of 4 features, 50 of each species, with English and Chinese names', () => {
  const { x, y, classes, features } = loadIris();
  assert.equal(x.length, 150);
  assert.ok(x.every((r) => r.length === 4));
  assert.deepEqual(features, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
  assert.deepEqual(classes, ['setosa', 'versicolor', 'virginica']);
  assert.deepEqual(IRIS_SPECIES_ZH, ['山鸢尾', '变色鸢尾', '维吉尼亚鸢尾']);
  for (let c = 0; c < 3; c++) assert.equal(y.filter((v) => v === c).length, 50);
  assert.deepEqual(y.slice(0, 50), new Array(50).fill(0));
});

test("Iris has Fisher's values in rows 35 and 38, not UCI's transcription errors", () => {
  const { x } = loadIris();
  assert.deepEqual(x[34], [4.9, 3.1, 1.5, 0.2]);
  assert.deepEqual(x[37], [4.9, 3.6, 1.4, 0.1]);
  assert.deepEqual(x[0], [5.1, 3.5, 1.4, 0.2]);
  assert.deepEqual(x[149], [5.9, 3.0, 5.1, 1.8]);
  // published column sums (cm): 876.5, 458.6, 563.7, 179.9
  const sums = [0, 1, 2, 3].map((j) => Math.round(x.reduce((s, r) => s + r[j], 0) * 10) / 10);
  assert.deepEqual(sums, [876.5, 458.6, 563.7, 179.9]);
});

test('loadIris returns fresh arrays', () => {
  const a = loadIris();
  a.x[0][0] = 99;
  assert.equal(loadIris().x[0][0], 5.1);
});

test('the embedded rows equal ../shared/data/iris/iris.csv', { skip: existsSync(shared) ? false : 'no ../shared/data/iris/iris.csv here' }, () => {
  const table = parseCsv(readFileSync(shared, 'utf8'), shared);
  const { x, y } = loadIris();
  assert.equal(table.rows.length, 150);
  table.rows.forEach((row, i) => {
    assert.deepEqual(row.slice(0, 4).map(Number), x[i], `row ${i + 1}`);
    assert.equal(row[4], IRIS_SPECIES[y[i]], `species of row ${i + 1}`);
  });
});
