/**
 * W5 side by side in one run: llmcore (float32 and float64 matmul paths) and ml-knn, on the same
 * seeded data (a smaller training set by default, since ml-knn is slow):
 *   npx tsx scripts/iris-w5-compare.ts [points] [queries] [path/to/ml-knn]
 */
import { KNeighborsClassifier } from '../src/classic/knn.js';
import { makeW5Data } from '../bench/knn.js';

const points = Number(process.argv[2] ?? 100_000);
const queries = Number(process.argv[3] ?? 200);
const mlPath = process.argv[4] ?? 'ml-knn';
const data = makeW5Data({ points, queries });
for (const precision of ['float32', 'float64'] as const) {
  const knn = new KNeighborsClassifier({ k: 10, algorithm: 'brute', precision }).fitFlat(data.train, data.n, data.d, data.labels);
  const t0 = performance.now();
  knn.kneighborsFlat(data.queries, 10);
  console.log(`llmcore ${precision}: ${(queries / ((performance.now() - t0) / 1000)).toFixed(1)} queries/s`);
}
try {
  const KNN = (await import(mlPath)).default;
  const rows = (a: Float64Array, count: number): number[][] => Array.from({ length: count }, (_, i) => Array.from(a.subarray(i * data.d, (i + 1) * data.d)));
  let t0 = performance.now();
  const model = new KNN(rows(data.train, data.n), Array.from(data.labels), { k: 10 });
  const build = (performance.now() - t0) / 1000;
  t0 = performance.now();
  model.predict(rows(data.queries, data.m));
  console.log(`ml-knn: ${(queries / ((performance.now() - t0) / 1000)).toFixed(1)} queries/s (tree build ${build.toFixed(1)} s, not counted)`);
} catch (e) {
  console.log(`ml-knn: not run (${(e as Error).message})`);
}
