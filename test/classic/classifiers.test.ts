import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { crossValidate, type Classifier } from '../../src/classic/validation.js';
import { KNeighborsClassifier } from '../../src/classic/knn.js';
import { LogisticRegression } from '../../src/classic/logistic.js';
import { SVC, SVC_MAX_PAIR } from '../../src/classic/svm.js';
import { DecisionTreeClassifier } from '../../src/classic/tree.js';
import { RandomForestClassifier } from '../../src/classic/forest.js';
import { loadIris } from '../../src/data/iris.js';
import { makeModel } from '../../cli/iris.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/iris/sklearn.json', import.meta.url), 'utf8'));
const iris = loadIris();

const models: Record<string, () => Classifier> = {
  knn: () => new KNeighborsClassifier(),
  logistic: () => new LogisticRegression(),
  svm_rbf: () => new SVC(),
  svm_linear: () => new SVC({ kernel: 'linear' }),
  tree: () => new DecisionTreeClassifier(),
  forest: () => new RandomForestClassifier({ seed: 0 }),
};

// What README's Iris table states, pinned: each model exactly as `llmcore iris --arch …` builds it
// (cli/iris.ts's own factory, defaults included), on scikit-learn's own folds, gives the same
// held-out prediction for every flower, hence the same fold accuracies and the same mean, to the bit.
const cliDefaults = { k: 5, metric: 'euclidean', p: 2, weights: 'uniform', algorithm: 'auto', seed: 0 } as const;
const asTheCliRuns: Record<string, Parameters<typeof makeModel>[0]> = {
  knn: { ...cliDefaults, arch: 'knn', kernel: 'rbf' },
  logistic: { ...cliDefaults, arch: 'logistic', kernel: 'rbf' },
  svm_rbf: { ...cliDefaults, arch: 'svm', kernel: 'rbf' },
  svm_linear: { ...cliDefaults, arch: 'svm', kernel: 'linear' },
  tree: { ...cliDefaults, arch: 'tree', kernel: 'rbf' },
  forest: { ...cliDefaults, arch: 'forest', kernel: 'rbf' },
};

test('the fixture was computed on the embedded rows (scikit-learn load_iris(): Fisher\'s values)', () => {
  assert.equal(fixture.data, 'sklearn.datasets.load_iris()');
  assert.deepEqual(fixture.x, iris.x);
});

for (const [name, options] of Object.entries(asTheCliRuns)) {
  test(`${name} as the CLI runs it: 10-fold CV on Iris equals scikit-learn's, prediction for prediction (${(fixture.cv10[name].mean * 100).toFixed(2)}%)`, () => {
    const r = crossValidate(makeModel(options), iris.x, iris.y, fixture.cv10.folds);
    assert.deepEqual(r.predictions, fixture.cv10[name].predictions, `${name}: held-out predictions`);
    assert.deepEqual(r.foldAccuracies, fixture.cv10[name].folds, `${name}: fold accuracies`);
    assert.equal(r.accuracy, fixture.cv10[name].mean, `${name}: mean of the folds`);
  });
}

test('logistic regression: the L2 penalty shrinks weights; probabilities sum to 1', () => {
  const x = [[0], [1], [2], [3]];
  const y = [0, 0, 1, 1];
  const strong = new LogisticRegression({ C: 0.01 }).fit(x, y).predictProba([[3]])[0];
  const weak = new LogisticRegression({ C: 100 }).fit(x, y).predictProba([[3]])[0];
  assert.ok(weak[1] > strong[1] && strong[1] > 0.5, `${weak[1]} > ${strong[1]} > 0.5`);
  assert.ok(Math.abs(strong[0] + strong[1] - 1) < 1e-12);
});

test('SVM: a linear kernel separates a separable set; RBF learns XOR', () => {
  const lin = new SVC({ kernel: 'linear', C: 10 }).fit([[0, 0], [0, 1], [2, 0], [2, 1]], [0, 0, 1, 1]);
  assert.deepEqual(lin.predict([[-1, 0], [3, 3]]), [0, 1]);
  const xor = [[0, 0], [1, 1], [0, 1], [1, 0]];
  const rbf = new SVC({ C: 10, gamma: 2 }).fit(xor, [0, 0, 1, 1]);
  assert.deepEqual(rbf.predict(xor), [0, 0, 1, 1]);
});

test('decision tree: pure leaves on training data; a forest is seeded', () => {
  const tree = new DecisionTreeClassifier().fit(iris.x, iris.y);
  assert.deepEqual(tree.predict(iris.x), iris.y);
  const a = new RandomForestClassifier({ nEstimators: 10, seed: 1 }).fit(iris.x, iris.y).predictProba(iris.x.slice(60, 80));
  const b = new RandomForestClassifier({ nEstimators: 10, seed: 1 }).fit(iris.x, iris.y).predictProba(iris.x.slice(60, 80));
  const c = new RandomForestClassifier({ nEstimators: 10, seed: 2 }).fit(iris.x, iris.y).predictProba(iris.x.slice(60, 80));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('the other classifiers refuse bad input too', () => {
  for (const make of Object.values(models)) {
    assert.throws(() => make().fit([], []), /empty/);
    const m = make();
    m.fit(iris.x, iris.y);
    assert.throws(() => m.predict([[1, 2, 3]]), /has 3 values, expected 4|needs 4 values/);
    assert.throws(() => m.predict([[1, 2, NaN, 4]]), /finite/);
  }
});

test('SVC refuses a pair of classes whose kernel matrix would not fit in memory, before allocating it', () => {
  const n = SVC_MAX_PAIR + 1;
  const x = Array.from({ length: n }, (_, i) => [i]);
  const y = x.map((_, i) => i % 2);
  assert.throws(() => new SVC().fit(x, y), /SVC\.fit: classes 0 and 1 have 8,193 samples together; at most 8,192, because their kernel matrix .* is held in memory/);
});
