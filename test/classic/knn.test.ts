import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KNeighborsClassifier } from '../../src/classic/knn.js';
import { leaveOneOut } from '../../src/classic/validation.js';
import { DataError } from '../../src/classic/check.js';
import { loadIris } from '../../src/data/iris.js';
import { Generator } from '../../src/util/random.js';

interface Fixture {
  versions: Record<string, string>;
  loo: { k: number; metric: 'euclidean' | 'manhattan'; weights: 'uniform' | 'distance'; accuracy: number; predictions: number[] }[];
  kneighbors: { metric: 'euclidean' | 'manhattan'; query: number; indices: number[]; distances: number[] }[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/iris/sklearn.json', import.meta.url), 'utf8')) as Fixture;
const iris = loadIris();

test('leave-one-out on Iris equals scikit-learn exactly: k = 1..15, euclidean and manhattan, uniform and distance weights (every prediction)', () => {
  assert.equal(fixture.loo.length, 60);
  for (const r of fixture.loo) {
    const res = leaveOneOut(() => new KNeighborsClassifier({ k: r.k, metric: r.metric, weights: r.weights, algorithm: 'brute' }), iris.x, iris.y);
    assert.equal(res.accuracy, r.accuracy, `k=${r.k} ${r.metric} ${r.weights}`);
    assert.deepEqual(res.predictions, r.predictions, `k=${r.k} ${r.metric} ${r.weights}`);
  }
});

test('the KD-tree gives the same leave-one-out predictions (uniform weights)', () => {
  for (const r of fixture.loo.filter((f) => f.weights === 'uniform' && f.k % 2 === 1)) {
    const res = leaveOneOut(() => new KNeighborsClassifier({ k: r.k, metric: r.metric, algorithm: 'kdtree', leafSize: 4 }), iris.x, iris.y);
    assert.deepEqual(res.predictions, r.predictions, `kdtree k=${r.k} ${r.metric}`);
  }
});

test("kneighbors returns scikit-learn's indices, distances and tie order", () => {
  for (const algorithm of ['brute', 'kdtree'] as const) {
    const models = {
      euclidean: new KNeighborsClassifier({ k: 15, algorithm, leafSize: 8 }).fit(iris.x, iris.y),
      manhattan: new KNeighborsClassifier({ k: 15, metric: 'manhattan', algorithm, leafSize: 8 }).fit(iris.x, iris.y),
    };
    for (const r of fixture.kneighbors) {
      const nb = models[r.metric].kneighbors([iris.x[r.query]]);
      assert.deepEqual(nb.indices[0], r.indices, `${algorithm} ${r.metric} query ${r.query}`);
      assert.deepEqual(nb.distances[0], r.distances, `${algorithm} ${r.metric} query ${r.query}`);
    }
  }
});

test('KD-tree and brute force agree on data full of ties (integer grid), for every metric of the family', () => {
  const g = new Generator(7);
  const x = Array.from({ length: 400 }, () => [g.randint(6), g.randint(6), g.randint(6)]);
  const y = x.map(() => g.randint(3));
  const q = Array.from({ length: 60 }, () => [g.randint(7) - 0.5 * g.randint(2), g.randint(6), g.randint(6)]);
  for (const metric of ['euclidean', 'manhattan', 'minkowski'] as const) {
    for (const k of [1, 4, 9]) {
      const a = new KNeighborsClassifier({ k, metric, p: 3, algorithm: 'brute' }).fit(x, y);
      const b = new KNeighborsClassifier({ k, metric, p: 3, algorithm: 'kdtree', leafSize: 5 }).fit(x, y);
      assert.deepEqual(b.kneighbors(q), a.kneighbors(q), `${metric} k=${k}`);
      assert.deepEqual(b.predict(q), a.predict(q));
    }
  }
});

test('the matmul fast path finds the same neighbours as the exact path on continuous data', () => {
  const g = new Generator(11);
  const x = Array.from({ length: 300 }, () => Array.from({ length: 8 }, () => g.normal()));
  const y = x.map(() => g.randint(4));
  const q = Array.from({ length: 100 }, () => Array.from({ length: 8 }, () => g.normal()));
  const exact = new KNeighborsClassifier({ k: 10, precision: 'exact' }).fit(x, y).kneighbors(q);
  for (const precision of ['float64', 'float32'] as const) {
    const fast = new KNeighborsClassifier({ k: 10, precision }).fit(x, y).kneighbors(q);
    assert.deepEqual(fast.indices, exact.indices, precision);
    fast.distances.flat().forEach((d, i) => assert.ok(Math.abs(d - exact.distances.flat()[i]) < (precision === 'float32' ? 1e-5 : 1e-12)));
  }
});

test('predict, predictProba and the explainer example', () => {
  const knn = new KNeighborsClassifier({ k: 5 }).fit(iris.x, iris.y);
  assert.deepEqual(knn.predict([[5.1, 3.5, 1.4, 0.2], [6.0, 2.9, 4.5, 1.5], [6.9, 3.1, 5.8, 2.3]]), [0, 1, 2]);
  assert.deepEqual(knn.predictProba([[6.0, 2.8, 4.9, 1.7]])[0].map((p) => p * 5), [0, 1, 4]);
});

test('equal votes go to the smallest class label; distance weights: a zero distance wins outright', () => {
  const x = [[0], [2], [4], [-2]];
  const y = [2, 1, 0, 1];
  // query 1: rows 0 (class 2) and 1 (class 1) both at distance 1: a 1–1 vote → class 1
  assert.deepEqual(new KNeighborsClassifier({ k: 2 }).fit(x, y).predict([[1]]), [1]);
  const w = new KNeighborsClassifier({ k: 3, weights: 'distance' }).fit(x, y);
  assert.deepEqual(w.predict([[2]]), [1]);
  assert.deepEqual(w.predictProba([[2]])[0], [0, 1, 0]);
  // weights 1/d: class 2 at d=0.5 (2) beats class 1 at d=1.5 (0.667) and class 0 at d = 3.5
  assert.deepEqual(w.predict([[0.5]]), [2]);
});

test('minkowski p = 1 and 2 are manhattan and euclidean; p = 3 and cosine work', () => {
  const m1 = new KNeighborsClassifier({ k: 7, metric: 'minkowski', p: 1 }).fit(iris.x, iris.y);
  assert.equal(m1.metric, 'manhattan');
  assert.equal(new KNeighborsClassifier({ metric: 'minkowski', p: 2 }).metric, 'euclidean');
  const m3 = new KNeighborsClassifier({ k: 3, metric: 'minkowski', p: 3 }).fit([[0, 0], [1, 1], [3, 0]], [0, 1, 0]);
  const d = m3.kneighbors([[0, 0]]).distances[0];
  assert.deepEqual(d.map((v) => Number(v.toFixed(12))), [0, Number((2 ** (1 / 3)).toFixed(12)), 3]);
  const cos = new KNeighborsClassifier({ k: 1, metric: 'cosine' }).fit([[1, 0], [0, 1]], [0, 1]);
  assert.deepEqual(cos.predict([[10, 1], [1, 10]]), [0, 1]);
  assert.ok(Math.abs(cos.kneighbors([[1, 1]]).distances[0][0] - (1 - Math.SQRT1_2)) < 1e-15);
});

test('standardization puts features on one scale', () => {
  // feature 1 is huge and irrelevant; without scaling it decides, with scaling feature 0 does
  const x = [[0, 1000], [0, 3000], [1, 1000], [1, 3000]];
  const y = [0, 0, 1, 1];
  const q = [[0.9, 1100]];
  assert.deepEqual(new KNeighborsClassifier({ k: 1 }).fit(x, y).kneighbors(q).indices[0], [2]);
  const s = new KNeighborsClassifier({ k: 1, standardize: true }).fit(x, y);
  assert.deepEqual(s.predict(q), [1]);
  assert.ok(Math.abs(s.kneighbors(q).distances[0][0] - Math.hypot(0.2, 0.1)) < 1e-12);
});

test('bad input gets clear errors, never a silent answer', () => {
  const knn = new KNeighborsClassifier({ k: 5 }).fit(iris.x, iris.y);
  const is = (re: RegExp) => (e: Error) => e instanceof DataError && re.test(e.message);
  assert.throws(() => new KNeighborsClassifier({ k: 151 }).fit(iris.x, iris.y).predict([[1, 2, 3, 4]]), is(/k = 151 exceeds the training set \(150 samples\)/));
  assert.throws(() => new KNeighborsClassifier({ k: 0 }), is(/k must be an integer >= 1, got 0/));
  assert.throws(() => new KNeighborsClassifier({ k: 2.5 }), is(/k must be an integer >= 1/));
  assert.throws(() => knn.predict([[1, 2, 3]]), is(/needs 4 values .* got 3/));
  assert.throws(() => knn.predict([[1, 2, NaN, 4]]), is(/feature 2: expected a finite number, got NaN/));
  assert.throws(() => new KNeighborsClassifier().fit([], []), is(/empty/));
  assert.throws(() => new KNeighborsClassifier().fit([[1, 2], [3]], [0, 1]), is(/feature vector 1 has 1 values, expected 2/));
  assert.throws(() => new KNeighborsClassifier().fit([[1], [Infinity]], [0, 1]), is(/finite/));
  assert.throws(() => new KNeighborsClassifier().fit([[1], [2]], [0]), is(/expected 2 labels/));
  assert.throws(() => new KNeighborsClassifier().predict([[1]]), is(/call fit\(\)/));
  assert.throws(() => new KNeighborsClassifier({ metric: 'minkowski', p: 0.5 }), is(/p >= 1/));
  assert.throws(() => new KNeighborsClassifier({ metric: 'cosine', algorithm: 'kdtree' }), is(/KD-tree/));
  assert.throws(() => knn.kneighbors([[1, 2, 3, 4]], 0), is(/k must be an integer >= 1/));
});

test('distances that overflow float64 are errors, for queries and for training sets', () => {
  const knn = new KNeighborsClassifier({ k: 3 }).fit(iris.x, iris.y);
  const is = (re: RegExp) => (e: Error) => e instanceof DataError && re.test(e.message);
  assert.throws(() => knn.predict([[1e155, 1, 1, 1]]), is(/euclidean distance between query 0 and training sample 0 is Infinity, not a finite number/));
  assert.throws(() => knn.kneighbors([[1, 1, 1, -1e160]]), is(/not a finite number/));
  for (const algorithm of ['kdtree', 'brute'] as const) {
    // 1.7e308 − (−1.7e308) is beyond float64
    const m = new KNeighborsClassifier({ k: 1, metric: 'manhattan', algorithm }).fit([[1.7e308], [0]], [0, 1]);
    assert.deepEqual(m.predict([[1e308]]), [0]);
    assert.throws(() => m.predict([[-1.7e308]]), is(/manhattan distance .* is Infinity.*differences overflow/));
  }
  assert.throws(() => new KNeighborsClassifier({ precision: 'float64' }).fit([[1e200], [1]], [0, 1]), is(/feature vector 0: the sum of its squared features is Infinity/));
});

test('minkowski is computed stably for any p: huge p is the largest difference, p = 3 as before', () => {
  const x = [[0, 0], [0.5, 0.1], [0.3, 0.45], [2, 2]];
  const q = [[0.1, 0.05]];
  for (const algorithm of ['brute', 'kdtree'] as const) {
    const big = new KNeighborsClassifier({ k: 4, metric: 'minkowski', p: 1e308, algorithm }).fit(x, [0, 1, 2, 3]).kneighbors(q);
    const cheb = x.map((r) => Math.max(Math.abs(r[0] - 0.1), Math.abs(r[1] - 0.05)));
    assert.deepEqual(big.indices[0], [0, 2, 1, 3], algorithm);
    big.distances[0].forEach((d, i) => assert.ok(Math.abs(d - cheb[big.indices[0][i]]) < 1e-15, `${algorithm}: ${d}`));
  }
  const p3 = new KNeighborsClassifier({ k: 4, metric: 'minkowski', p: 3 }).fit(x, [0, 1, 2, 3]).kneighbors(q).distances[0];
  const direct = x.map((r) => (Math.abs(r[0] - 0.1) ** 3 + Math.abs(r[1] - 0.05) ** 3) ** (1 / 3)).sort((a, b) => a - b);
  p3.forEach((d, i) => assert.ok(Math.abs(d - direct[i]) < 1e-15));
});
