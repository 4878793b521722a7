import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { crossValidate, type Classifier } from '../../src/classic/validation.js';
import { KNeighborsClassifier } from '../../src/classic/knn.js';
import { LogisticRegression } from '../../src/classic/logistic.js';
import { SVC } from '../../src/classic/svm.js';
import { DecisionTreeClassifier } from '../../src/classic/tree.js';
import { RandomForestClassifier } from '../../src/classic/forest.js';
import { loadIris } from '../../src/data/iris.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/iris/sklearn.json', import.meta.url), 'utf8'));
const iris = loadIris();

const models: Record<string, () => Classifier> = {
  knn: () => new KNeighborsClassifier(),
  logistic: () => new LogisticRegression({ steps: 300 }),
  svm_rbf: () => new SVC(),
  svm_linear: () => new SVC({ kernel: 'linear' }),
  tree: () => new DecisionTreeClassifier(),
  forest: () => new RandomForestClassifier({ seed: 0 }),
};

for (const [name, make] of Object.entries(models)) {
  test(`${name}: 10-fold stratified CV on Iris within 2 points of scikit-learn's defaults (${(fixture.cv10[name].mean * 100).toFixed(2)}%)`, () => {
    const r = crossValidate(make, iris.x, iris.y, fixture.cv10.folds);
    assert.ok(Math.abs(r.accuracy - fixture.cv10[name].mean) <= 0.02, `${name}: ours ${r.accuracy}, scikit-learn ${fixture.cv10[name].mean}`);
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
