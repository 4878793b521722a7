/**
 * Validation: leave-one-out and stratified k-fold cross-validation, and the KNN k sweep.
 *
 * `stratifiedKFold(y, k)` without shuffling assigns folds exactly as scikit-learn's
 * StratifiedKFold(n_splits=k) (the `cv=10` of cross_val_score), so accuracies can be compared fold
 * for fold; with `shuffle: true` each class's samples are first permuted by a seeded Generator.
 */
import { Generator } from '../util/random.js';
import { accuracy } from '../metrics/classification.js';
import { DataError } from './check.js';
import { KNeighborsClassifier, numpySum, type KnnMetric, type KnnOptions } from './knn.js';

/** Anything with fit and predict over rows of numbers and integer labels. */
export interface Classifier {
  fit(x: number[][], y: number[]): unknown;
  predict(x: number[][]): number[];
}

export interface CvResult {
  /** Mean of the fold accuracies (what cross_val_score(...).mean() reports); LOO: the plain accuracy. */
  accuracy: number;
  /** Accuracy of each fold. */
  foldAccuracies: number[];
  /** The held-out prediction of every sample. */
  predictions: number[];
}

function checkData(x: readonly unknown[], y: readonly number[], where: string): void {
  if (x.length === 0) throw new DataError(`${where}: the data set is empty`);
  if (x.length !== y.length) throw new DataError(`${where}: ${x.length} feature vectors but ${y.length} labels`);
}

/** Leave-one-out: fit on all samples but one, predict that one, for each sample. */
export function leaveOneOut(make: () => Classifier, x: number[][], y: number[]): CvResult {
  checkData(x, y, 'leaveOneOut');
  if (x.length < 2) throw new DataError('leaveOneOut: needs at least 2 samples');
  return crossValidate(make, x, y, x.map((_, i) => [i]));
}

/**
 * Test-fold indices of stratified k-fold: every fold gets each class in proportion.
 * @example stratifiedKFold(y, 10) // the folds of scikit-learn's StratifiedKFold(10)
 */
export function stratifiedKFold(y: readonly number[], k: number, options: { shuffle?: boolean; seed?: number } = {}): number[][] {
  if (!Number.isInteger(k) || k < 2) throw new DataError(`stratifiedKFold: k must be an integer >= 2, got ${k}`);
  const n = y.length;
  if (n === 0) throw new DataError('stratifiedKFold: the data set is empty');
  // classes in sorted order, encoded 0..C-1 (np.unique)
  const classes = [...new Set(y)].sort((a, b) => a - b);
  const enc = y.map((v) => classes.indexOf(v));
  const counts = classes.map((_, c) => enc.filter((e) => e === c).length);
  if (Math.max(...counts) < k) throw new DataError(`stratifiedKFold: k = ${k} is more than the largest class has samples (${Math.max(...counts)})`);
  // scikit-learn: allocation[f][c] = bincount(sorted_labels[f::k]); class c's samples, in order,
  // go to folds 0,0,..,1,1,.. by those counts
  const sorted = [...enc].sort((a, b) => a - b);
  const alloc = Array.from({ length: k }, (_, f) => {
    const row = new Array<number>(classes.length).fill(0);
    for (let i = f; i < n; i += k) row[sorted[i]]++;
    return row;
  });
  const testFold = new Array<number>(n).fill(-1);
  const gen = new Generator(options.seed ?? 0);
  for (let c = 0; c < classes.length; c++) {
    const members = enc.flatMap((e, i) => (e === c ? [i] : []));
    const foldsForClass: number[] = [];
    for (let f = 0; f < k; f++) for (let r = 0; r < alloc[f][c]; r++) foldsForClass.push(f);
    if (options.shuffle) {
      const p = gen.permutation(foldsForClass.length);
      const shuffled = p.map((i) => foldsForClass[i]);
      members.forEach((m, i) => (testFold[m] = shuffled[i]));
    } else {
      members.forEach((m, i) => (testFold[m] = foldsForClass[i]));
    }
  }
  return Array.from({ length: k }, (_, f) => testFold.flatMap((t, i) => (t === f ? [i] : [])));
}

/** Cross-validation over given test folds: fit on the rest, predict the fold. */
export function crossValidate(make: () => Classifier, x: number[][], y: number[], testFolds: number[][]): CvResult {
  checkData(x, y, 'crossValidate');
  const predictions = new Array<number>(y.length).fill(-1);
  const foldAccuracies: number[] = [];
  const inTest = new Uint8Array(y.length);
  for (const fold of testFolds) {
    if (fold.length === 0) continue;
    inTest.fill(0);
    for (const i of fold) inTest[i] = 1;
    const trainX: number[][] = [];
    const trainY: number[] = [];
    for (let i = 0; i < y.length; i++) if (!inTest[i]) { trainX.push(x[i]); trainY.push(y[i]); }
    const model = make();
    model.fit(trainX, trainY);
    const pred = model.predict(fold.map((i) => x[i]));
    fold.forEach((i, j) => (predictions[i] = pred[j]));
    foldAccuracies.push(accuracy(fold.map((i) => y[i]), pred));
  }
  // the mean as numpy takes it (pairwise summation), so a mean of folds is scikit-learn's number to
  // the last bit: 0.96, where a left-to-right sum gives 0.9600000000000002
  const acc = testFolds.every((f) => f.length === 1)
    ? accuracy(y, predictions)
    : numpySum(Float64Array.from(foldAccuracies), foldAccuracies.length) / foldAccuracies.length;
  return { accuracy: acc, foldAccuracies, predictions };
}

export interface SweepRow {
  k: number;
  /** Leave-one-out accuracy per metric. */
  accuracy: Record<string, number>;
}

/** Leave-one-out accuracy of KNN for each k and metric: the explainer's "which K?" table. */
export function kSweep(x: number[][], y: number[], options: { ks?: number[]; metrics?: KnnMetric[]; knn?: KnnOptions } = {}): SweepRow[] {
  const ks = options.ks ?? Array.from({ length: 15 }, (_, i) => i + 1);
  const metrics = options.metrics ?? ['euclidean', 'manhattan'];
  return ks.map((k) => ({
    k,
    accuracy: Object.fromEntries(metrics.map((metric) => [metric, leaveOneOut(() => new KNeighborsClassifier({ ...options.knn, k, metric }), x, y).accuracy])),
  }));
}
