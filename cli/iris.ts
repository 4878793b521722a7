/**
 * `llmcore iris`: the explainer's f(x) on Fisher's Iris: KNN ("the data set is the model") and the
 * other classic classifiers, validated the way scikit-learn does it.
 */
import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { KNeighborsClassifier, type KnnMetric, type KnnWeights } from '../src/classic/knn.js';
import { LogisticRegression } from '../src/classic/logistic.js';
import { SVC } from '../src/classic/svm.js';
import { DecisionTreeClassifier } from '../src/classic/tree.js';
import { RandomForestClassifier } from '../src/classic/forest.js';
import { crossValidate, kSweep, leaveOneOut, stratifiedKFold, type Classifier } from '../src/classic/validation.js';
import { knnDecisionSvg } from '../src/classic/plot.js';
import { labelledDataset, readCsvFile } from '../src/data/csv.js';
import { IRIS_FEATURES_ZH, IRIS_SPECIES_ZH, loadIris } from '../src/data/iris.js';
import { confusionMatrix, formatConfusionMatrix } from '../src/metrics/classification.js';
import { integer, number, positiveInteger, printJson, printLine } from './options.js';

export type IrisModel = 'knn' | 'logistic' | 'svm' | 'tree' | 'forest';
export const IRIS_ARCHS: readonly IrisModel[] = ['knn', 'logistic', 'svm', 'tree', 'forest'];

export interface IrisOptions {
  /** The classifier (default knn). */
  arch?: IrisModel;
  /** The old name of `arch`, still accepted (cli/tour.ts passes it). */
  model?: IrisModel;
  k: number;
  metric: KnnMetric;
  p: number;
  weights: KnnWeights;
  algorithm: 'auto' | 'brute' | 'kdtree';
  standardize?: boolean;
  kernel: 'rbf' | 'linear';
  cv?: 'loo' | '10fold';
  shuffle?: boolean;
  seed: number;
  sweep?: boolean;
  predict?: string;
  csv?: string;
  /** false: --csv has no header row; columns are then named 1..N (commander's --no-header). */
  header?: boolean;
  label?: string;
  plot?: string;
  plotX?: string;
  plotY?: string;
  json?: boolean;
}

interface Data {
  x: number[][];
  y: number[];
  features: string[];
  classes: string[];
  /** Chinese class names where known (Iris). */
  classesZh?: string[];
  name: string;
}

function choice<T extends string>(values: readonly T[]): (v: string) => T {
  return (v: string) => {
    if (!values.includes(v as T)) throw new InvalidArgumentError(`expected one of ${values.join(', ')}, got '${v}'`);
    return v as T;
  };
}

function loadData(o: IrisOptions): Data {
  if (!o.csv) {
    if (o.label) throw new Error('iris: --label names the class column of a --csv file; give --csv too');
    if (o.header === false) throw new Error('iris: --no-header describes a --csv file; give --csv too');
    return { ...loadIris(), classesZh: [...IRIS_SPECIES_ZH], name: 'Iris (Fisher 1936)' };
  }
  const noHeader = o.header === false;
  if (!o.label) throw new Error(`iris: --csv ${o.csv} needs --label COLUMN (the column holding the class${noHeader ? '; with --no-header, its position 1..N' : ''})`);
  try {
    const table = readCsvFile(o.csv, `--csv ${o.csv}`, { header: !noHeader });
    if (!noHeader && !table.header.includes(o.label) && table.header.some((h) => h !== '' && Number.isFinite(Number(h)))) {
      // UCI's iris.data is such a file: its first flower would otherwise be taken for column names
      throw new Error(`${o.csv}: no column '${o.label}' (columns: ${table.header.join(', ')}); the first line looks like data: if the file has no header row, add --no-header and name the label column by position (e.g. --label ${table.header.length})`);
    }
    return { ...labelledDataset(table, o.label, o.csv), name: o.csv };
  } catch (e) {
    throw new Error(`iris: ${(e as Error).message}`);
  }
}

/** The classifier kind: `arch`, or the old `model` where only that is given. */
export function irisArch(o: Pick<IrisOptions, 'arch' | 'model'>): IrisModel {
  if (o.arch && o.model && o.arch !== o.model) throw new Error(`iris: --arch ${o.arch} and --model ${o.model} disagree; give only --arch`);
  const arch = o.arch ?? o.model ?? 'knn';
  if (!IRIS_ARCHS.includes(arch)) throw new Error(`iris: --arch must be one of ${IRIS_ARCHS.join(', ')}, got '${String(arch)}'`);
  return arch;
}

/** A factory of the chosen model with the chosen options. */
export function makeModel(o: Pick<IrisOptions, 'arch' | 'model' | 'k' | 'metric' | 'p' | 'weights' | 'algorithm' | 'standardize' | 'kernel' | 'seed'>): () => Classifier {
  switch (irisArch(o)) {
    case 'knn': return () => new KNeighborsClassifier({ k: o.k, metric: o.metric, p: o.p, weights: o.weights, algorithm: o.algorithm, standardize: o.standardize });
    case 'logistic': return () => new LogisticRegression();
    case 'svm': return () => new SVC({ kernel: o.kernel });
    case 'tree': return () => new DecisionTreeClassifier({ seed: o.seed });
    case 'forest': return () => new RandomForestClassifier({ seed: o.seed });
  }
}

function describe(o: IrisOptions): string {
  switch (irisArch(o)) {
    case 'knn': return `KNN (k = ${o.k}, ${o.metric}${o.metric === 'minkowski' ? ` p = ${o.p}` : ''}, ${o.weights} weights${o.standardize ? ', standardized' : ''})`;
    case 'logistic': return 'multinomial logistic regression (L2, C = 1)';
    case 'svm': return `SVM (${o.kernel} kernel, C = 1, one-vs-one)`;
    case 'tree': return 'decision tree (CART, Gini)';
    case 'forest': return `random forest (100 trees, seed ${o.seed})`;
  }
}

function className(data: Data, c: number): string {
  return data.classesZh ? `${data.classes[c]} ${data.classesZh[c]}` : data.classes[c];
}

function parseVector(s: string, d: number, features: string[]): number[] {
  const parts = s.split(',').map((t) => t.trim());
  if (parts.length !== d) throw new Error(`iris: --predict needs ${d} comma-separated numbers (${features.join(', ')}), got ${parts.length}: '${s}'`);
  return parts.map((t, i) => {
    const v = t === '' ? NaN : Number(t);
    if (!Number.isFinite(v)) throw new Error(`iris: --predict: ${features[i]} must be a finite number, got '${t}'`);
    return v;
  });
}

function featureIndex(spec: string | undefined, fallback: number, features: string[]): number {
  if (spec === undefined) return fallback;
  const byName = features.indexOf(spec);
  if (byName >= 0) return byName;
  const i = Number(spec);
  if (Number.isInteger(i) && i >= 0 && i < features.length) return i;
  throw new Error(`iris: no feature '${spec}' (features: ${features.join(', ')}, or an index 0..${features.length - 1})`);
}

/**
 * The smallest training set any requested run fits KNN on: leave-one-out fits on n − 1 samples and
 * 10-fold CV on n less the largest fold, so `--k` is checked against that, not against n.
 */
function checkK(o: IrisOptions, n: number, cv: 'loo' | '10fold' | undefined, folds: number[][] | null): void {
  const limits: { size: number; what: string }[] = [];
  if (o.predict !== undefined || o.plot) limits.push({ size: n, what: `the training set (${n} samples)` });
  if (cv === 'loo') limits.push({ size: n - 1, what: `the training set of leave-one-out (${n - 1} samples: the ${n} less the one left out)` });
  if (cv === '10fold' && folds) {
    const largest = Math.max(...folds.map((f) => f.length));
    limits.push({ size: n - largest, what: `the training set of 10-fold CV (${n - largest} samples: the ${n} less the largest fold's ${largest})` });
  }
  const tightest = limits.reduce<{ size: number; what: string } | null>((a, b) => (a && a.size <= b.size ? a : b), null);
  if (tightest && o.k > tightest.size) throw new Error(`iris: --k ${o.k} exceeds ${tightest.what}; choose k <= ${tightest.size}`);
}

/** Runs the command; returns the object --json prints. Everything is checked before anything is printed. */
export function runIris(o: IrisOptions, out: (line: string) => void = printLine): Record<string, unknown> {
  const arch = irisArch(o);
  const data = loadData(o);
  const say = o.json ? () => {} : out;
  const result: Record<string, unknown> = {};
  const n = data.x.length;
  const make = makeModel(o);
  make(); // the model's own option checks (e.g. --p), before any output
  const doCv = o.cv ?? (!o.sweep && !o.predict && !o.plot ? (arch === 'knn' ? 'loo' : '10fold') : undefined);
  if (doCv === 'loo' && n < 2) throw new Error(`iris: leave-one-out needs at least 2 samples, ${data.name} has ${n}`);
  let folds: number[][] | null = null;
  try {
    if (doCv === '10fold') folds = stratifiedKFold(data.y, 10, { shuffle: o.shuffle, seed: o.seed });
  } catch (e) {
    throw new Error(`iris: --cv 10fold on ${data.name}: ${(e as Error).message}`);
  }
  if (arch === 'knn') checkK(o, n, doCv, folds);
  if (o.sweep && n < 2) throw new Error(`iris: --sweep runs leave-one-out, which needs at least 2 samples; ${data.name} has ${n}`);
  const plotAxes = o.plot ? [featureIndex(o.plotX, o.csv ? 0 : 2, data.features), featureIndex(o.plotY, o.csv ? Math.min(1, data.features.length - 1) : 3, data.features)] : null;
  const predictVector = o.predict !== undefined ? parseVector(o.predict, data.features.length, data.features) : null;

  // the prediction is computed before anything is printed, so a query the model refuses (a distance
  // that overflows) is an error alone, not a species and half a table
  let predicted: { label: number; neighbors?: { indices: number[]; distances: number[] }; proba?: number[] } | null = null;
  if (predictVector) {
    try {
      const model = make();
      model.fit(data.x, data.y);
      const label = model.predict([predictVector])[0];
      predicted = { label };
      if (model instanceof KNeighborsClassifier) {
        const nb = model.kneighbors([predictVector]);
        predicted.neighbors = { indices: nb.indices[0], distances: nb.distances[0] };
        predicted.proba = model.predictProba([predictVector])[0];
      }
    } catch (e) {
      throw new Error(`iris: --predict ${o.predict}: ${(e as Error).message}`);
    }
  }

  say(`${data.name}: ${n} samples, ${data.features.length} features (${data.features.join(', ')}), ${data.classes.length} classes.`);

  if (predictVector && predicted) {
    const { label, neighbors, proba } = predicted;
    say(`${describe(o)} on [${predictVector.join(', ')}] → ${className(data, label)}`);
    const prediction: Record<string, unknown> = { label, species: data.classes[label] };
    if (data.classesZh) prediction.speciesZh = data.classesZh[label];
    result.model = arch;
    result.prediction = prediction;
    if (neighbors && proba) {
      result.proba = proba;
      result.neighbors = neighbors.indices.map((idx, r) => ({ index: idx, distance: neighbors.distances[r], label: data.y[idx], species: data.classes[data.y[idx]], features: data.x[idx] }));
      say(`The ${o.k} nearest ${o.csv ? 'samples' : 'flowers'} (K neighbours, ${o.metric} distance):`);
      say(`${'#'.padStart(3)} ${'row'.padStart(5)} ${'distance'.padStart(9)}  ${data.features.map((f) => f.padStart(Math.max(6, f.length))).join(' ')}  class`);
      neighbors.indices.forEach((idx, r) => {
        say(`${String(r + 1).padStart(3)} ${String(idx + 1).padStart(5)} ${neighbors.distances[r].toFixed(4).padStart(9)}  ${data.x[idx].map((val, j) => String(val).padStart(Math.max(6, data.features[j].length))).join(' ')}  ${className(data, data.y[idx])}`);
      });
      say(`votes: ${proba.map((p, c) => `${data.classes[c]} ${(p * o.k).toFixed(o.weights === 'uniform' ? 0 : 2)}${o.weights === 'uniform' ? '' : ' (weighted share ' + p.toFixed(3) + ')'}`).join(', ')}`);
    }
  }

  if (doCv) {
    const cvResult = doCv === 'loo' ? leaveOneOut(make, data.x, data.y) : crossValidate(make, data.x, data.y, folds!);
    const cm = confusionMatrix(data.y, cvResult.predictions, data.classes.length);
    const hits = cvResult.predictions.filter((p, i) => p === data.y[i]).length;
    say(`${describe(o)}`);
    say(doCv === 'loo'
      ? `leave-one-out accuracy: ${cvResult.accuracy.toFixed(4)} (${hits}/${n})`
      : `10-fold stratified CV accuracy${o.shuffle ? ` (shuffled, seed ${o.seed})` : ' (folds as scikit-learn StratifiedKFold(10))'}: ${cvResult.accuracy.toFixed(4)} (mean of folds; ${hits}/${n} held-out predictions right)`);
    say('confusion matrix (rows: true, columns: predicted):');
    say(formatConfusionMatrix(cm, data.classes));
    if (arch === 'knn' && doCv === 'loo' && !o.predict && !o.sweep && !o.plot) {
      // the shape the issue asks for: {"model","k","metric","accuracy"}
      Object.assign(result, { model: 'knn', k: o.k, metric: o.metric, accuracy: cvResult.accuracy });
    } else {
      Object.assign(result, { model: arch, ...(arch === 'knn' ? { k: o.k, metric: o.metric } : {}), cv: doCv, accuracy: cvResult.accuracy });
      if (doCv === '10fold') result.folds = cvResult.foldAccuracies;
      result.confusion = cm;
    }
  }

  if (o.sweep) {
    // leave-one-out trains on n − 1 samples, so k stops there on a small --csv
    const maxK = Math.min(15, n - 1);
    const rows = kSweep(data.x, data.y, { ks: Array.from({ length: maxK }, (_, i) => i + 1), metrics: ['euclidean', 'manhattan'], knn: { weights: o.weights, standardize: o.standardize } });
    say(`KNN leave-one-out accuracy by k (${o.weights} weights${o.standardize ? ', standardized' : ''}):`);
    say(`${'k'.padStart(3)}  ${'euclidean'.padStart(9)}  ${'manhattan'.padStart(9)}`);
    const best = Math.max(...rows.flatMap((r) => Object.values(r.accuracy)));
    for (const r of rows) {
      const cell = (v: number): string => (v.toFixed(4) + (v === best ? '*' : ' ')).padStart(10);
      say(`${String(r.k).padStart(3)} ${cell(r.accuracy.euclidean)} ${cell(r.accuracy.manhattan)}`);
    }
    say('* best');
    result.sweep = rows.map((r) => ({ k: r.k, ...r.accuracy }));
  }

  if (o.plot && plotAxes) {
    const [fx, fy] = plotAxes;
    const axis = (f: number): string => (!o.csv ? `${data.features[f]} ${IRIS_FEATURES_ZH[f]} (cm)` : data.features[f]);
    const svg = knnDecisionSvg({
      x: data.x, y: data.y, classes: data.classes.map((_, c) => className(data, c)), features: data.features.map((_, f) => axis(f)), fx, fy,
      knn: { k: o.k, metric: o.metric, p: o.p, weights: o.weights, standardize: o.standardize },
    });
    try {
      writeFileSync(o.plot, svg);
    } catch (e) {
      throw new Error(`iris: cannot write --plot ${o.plot}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    say(`wrote ${o.plot}: ${data.features[fx]} × ${data.features[fy]}, KNN regions (k = ${o.k}, ${o.metric}) fitted on these two features`);
    result.plot = o.plot;
  }
  return result;
}

/**
 * The old spelling `--model <kind>`: `--model` now always names a model directory, and iris has none
 * to load, so a kind given there still works (with a notice) and anything else is an error.
 */
function oldModelOption(o: IrisOptions, warn: (line: string) => void): void {
  if (o.model === undefined) return;
  const given = o.model as string;
  if (!IRIS_ARCHS.includes(given as IrisModel)) {
    throw new Error(`iris: --model names a model directory, and iris has none to load (it fits on the data each run); the classifier is --arch ${IRIS_ARCHS.join('|')}, got --model '${given}'`);
  }
  warn(`llmcore: --model ${given} is now --arch ${given} (the old spelling still works)`);
}

export function registerIris(program: Command): void {
  program
    .command('iris')
    .description('classify Fisher\'s Iris flowers (or a CSV) with KNN, logistic regression, SVM, a decision tree or a random forest')
    .option('--arch <kind>', 'the classifier: knn | logistic | svm | tree | forest (default knn)', choice(IRIS_ARCHS))
    .addOption(new Option('--model <kind>', 'old spelling of --arch').hideHelp())
    .option('--k <n>', 'KNN: number of neighbours (at most the training set: 149 for leave-one-out on Iris)', positiveInteger, 5)
    .option('--metric <name>', 'KNN: euclidean | manhattan | minkowski | cosine', choice(['euclidean', 'manhattan', 'minkowski', 'cosine'] as const), 'euclidean')
    .option('--p <number>', 'KNN: power of the minkowski metric (>= 1; large p tends to the largest coordinate difference)', number, 2)
    .option('--weights <name>', 'KNN: uniform | distance', choice(['uniform', 'distance'] as const), 'uniform')
    .option('--algorithm <name>', 'KNN: auto | brute | kdtree (same answers)', choice(['auto', 'brute', 'kdtree'] as const), 'auto')
    .option('--standardize', 'KNN: standardize features (training mean and std) before measuring distances')
    .option('--kernel <name>', 'SVM: rbf | linear', choice(['rbf', 'linear'] as const), 'rbf')
    .option('--cv <how>', 'validate: loo (leave-one-out) | 10fold (stratified); the default when nothing else is asked', choice(['loo', '10fold'] as const))
    .option('--shuffle', '10fold: shuffle each class before assigning folds (seeded by --seed)')
    .option('--seed <n>', 'seed of fold shuffling and of the forest/tree', integer, 0)
    .option('--sweep', 'KNN: leave-one-out accuracy for k = 1..15, euclidean and manhattan, as a table')
    .option('--predict <values>', 'classify one sample, e.g. "5.1,3.5,1.4,0.2"; KNN also lists the K neighbours')
    .option('--csv <file>', 'use a CSV (at most 64 MiB) instead of Iris: numeric feature columns and a --label column')
    .option('--no-header', '--csv has no header row (as UCI\'s iris.data): columns are named 1..N, e.g. --label 5')
    .option('--label <column>', 'the class column of --csv')
    .option('--plot <file.svg>', 'draw the samples on two features with the KNN decision regions')
    .option('--plot-x <feature>', 'feature on the horizontal axis (name or index; Iris default petal_length)')
    .option('--plot-y <feature>', 'feature on the vertical axis (name or index; Iris default petal_width)')
    .option('--json', 'print one JSON object (with --cv loo for KNN: {"model","k","metric","accuracy"})')
    .action((o: IrisOptions) => {
      oldModelOption(o, (line) => process.stderr.write(line + '\n'));
      const result = runIris(o);
      if (o.json) printJson(result);
    });
}
