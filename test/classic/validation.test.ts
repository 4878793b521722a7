import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { crossValidate, kSweep, leaveOneOut, stratifiedKFold } from '../../src/classic/validation.js';
import { KNeighborsClassifier } from '../../src/classic/knn.js';
import { DecisionTreeClassifier } from '../../src/classic/tree.js';
import { loadIris } from '../../src/data/iris.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/iris/sklearn.json', import.meta.url), 'utf8'));
const iris = loadIris();

test("stratifiedKFold without shuffling is scikit-learn's StratifiedKFold(10), fold for fold", () => {
  assert.deepEqual(stratifiedKFold(iris.y, 10), fixture.cv10.folds);
});

test('shuffled stratified folds: seeded, a partition, each class spread evenly', () => {
  const a = stratifiedKFold(iris.y, 10, { shuffle: true, seed: 3 });
  assert.deepEqual(stratifiedKFold(iris.y, 10, { shuffle: true, seed: 3 }), a);
  assert.notDeepEqual(stratifiedKFold(iris.y, 10, { shuffle: true, seed: 4 }), a);
  assert.notDeepEqual(a, fixture.cv10.folds);
  assert.deepEqual(a.flat().sort((p, q) => p - q), Array.from({ length: 150 }, (_, i) => i));
  for (const fold of a) for (let c = 0; c < 3; c++) assert.equal(fold.filter((i) => iris.y[i] === c).length, 5);
  const uneven = stratifiedKFold([0, 0, 0, 1, 1, 1, 1], 3);
  assert.deepEqual(uneven.map((f) => f.length).reduce((s, v) => s + v), 7);
  assert.throws(() => stratifiedKFold([0, 0, 1], 3), /more than the largest class has samples/);
  assert.throws(() => stratifiedKFold([0, 1], 1), /k must be an integer >= 2/);
});

test('crossValidate reports the mean of fold accuracies and every held-out prediction', () => {
  const r = crossValidate(() => new KNeighborsClassifier(), iris.x, iris.y, fixture.cv10.folds);
  assert.deepEqual(r.foldAccuracies, fixture.cv10.knn.folds);
  assert.equal(r.accuracy, r.foldAccuracies.reduce((s, v) => s + v) / 10);
  assert.ok(r.predictions.every((p) => p >= 0 && p < 3));
});

test('kSweep is the leave-one-out table of the fixture', () => {
  const rows = kSweep(iris.x, iris.y, { ks: [1, 5, 11, 15] });
  for (const row of rows) {
    for (const metric of ['euclidean', 'manhattan']) {
      const want = fixture.loo.find((f: { k: number; metric: string; weights: string }) => f.k === row.k && f.metric === metric && f.weights === 'uniform');
      assert.equal(row.accuracy[metric], want.accuracy, `k=${row.k} ${metric}`);
    }
  }
});

test('validation refuses empty or mismatched data', () => {
  assert.throws(() => leaveOneOut(() => new KNeighborsClassifier(), [], []), /empty/);
  assert.throws(() => leaveOneOut(() => new KNeighborsClassifier({ k: 1 }), [[1]], [0]), /at least 2/);
  assert.throws(() => crossValidate(() => new KNeighborsClassifier(), [[1], [2]], [0], [[0]]), /2 feature vectors but 1 labels/);
});

test("the mean of fold accuracies is numpy's (pairwise summation): the tree's 10-fold CV is 0.96, not 0.9600000000000002", () => {
  const folds = fixture.cv10.tree.folds as number[];
  assert.notEqual(folds.reduce((a, b) => a + b, 0) / folds.length, 0.96); // why a plain sum will not do
  const fixed = { fit() {}, predict: (x: number[][]) => x.map(() => 0) };
  // fold accuracies of 1/3 each: numpy 1.24, np.mean([1/3] * 10) is 0.33333333333333337
  const r = crossValidate(() => fixed, iris.x, iris.y, fixture.cv10.folds);
  assert.equal(r.accuracy, 0.33333333333333337);
  const tree = crossValidate(() => new DecisionTreeClassifier(), iris.x, iris.y, fixture.cv10.folds);
  assert.deepEqual(tree.foldAccuracies, folds);
  assert.equal(tree.accuracy, fixture.cv10.tree.mean);
  assert.equal(tree.accuracy, 0.96);
});
