/**
 * Random forest: many CART trees, each grown on a bootstrap sample (n draws with replacement) and
 * trying √d random features per split; the forest averages the trees' class probabilities, as
 * scikit-learn's RandomForestClassifier (defaults: 100 trees, max_features='sqrt'). Seeded.
 */
import { Generator } from '../util/random.js';
import { argmaxFirst, checkLabels, checkMatrix, DataError } from './check.js';
import { DecisionTreeClassifier } from './tree.js';

export interface ForestOptions {
  /** Number of trees (default 100). */
  nEstimators?: number;
  /** Features tried per split (default 'sqrt'). */
  maxFeatures?: number | 'sqrt' | 'all';
  /** Depth limit of each tree (default unlimited). */
  maxDepth?: number;
  /** Bootstrap samples (default true); false grows every tree on all samples. */
  bootstrap?: boolean;
  /** Seed (default 0). */
  seed?: number;
}

export class RandomForestClassifier {
  private trees: DecisionTreeClassifier[] = [];
  private nClasses = 0;

  constructor(readonly options: ForestOptions = {}) {
    const t = options.nEstimators ?? 100;
    if (!Number.isInteger(t) || t < 1) throw new DataError(`RandomForest: nEstimators must be an integer >= 1, got ${t}`);
  }

  fit(x: readonly (readonly number[])[], y: readonly number[]): this {
    const { n } = checkMatrix(x, 'RandomForest.fit');
    this.nClasses = checkLabels(y, n, 'RandomForest.fit').nClasses;
    const gen = new Generator(this.options.seed ?? 0);
    this.trees = [];
    for (let t = 0; t < (this.options.nEstimators ?? 100); t++) {
      // bootstrap as sample weights (the count of each sample's draws), like scikit-learn
      const w = new Array<number>(n).fill(this.options.bootstrap === false ? 1 : 0);
      if (this.options.bootstrap !== false) for (let i = 0; i < n; i++) w[gen.randint(n)]++;
      const tree = new DecisionTreeClassifier({ maxFeatures: this.options.maxFeatures ?? 'sqrt', maxDepth: this.options.maxDepth, generator: gen });
      this.trees.push(tree.fit(x, y, w));
    }
    return this;
  }

  /** Mean of the trees' class probabilities. */
  predictProba(x: readonly (readonly number[])[]): number[][] {
    if (this.trees.length === 0) throw new DataError('RandomForest: call fit() before predict()');
    const sum = x.map(() => new Array<number>(this.nClasses).fill(0));
    for (const tree of this.trees) {
      tree.predictProba(x).forEach((p, i) => p.forEach((v, c) => { if (c < this.nClasses) sum[i][c] += v; }));
    }
    return sum.map((row) => row.map((v) => v / this.trees.length));
  }

  predict(x: readonly (readonly number[])[]): number[] {
    return this.predictProba(x).map(argmaxFirst);
  }
}
