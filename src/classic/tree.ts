/**
 * CART decision tree for classification (Gini impurity), as scikit-learn's DecisionTreeClassifier
 * with its defaults: grown until leaves are pure (no depth limit), thresholds halfway between
 * consecutive distinct values, `maxFeatures` features tried per split (all by default). Among equally
 * good splits the first found wins; the features are visited in a seeded random order.
 */
import { Generator } from '../util/random.js';
import { argmaxFirst, checkLabels, checkMatrix, DataError } from './check.js';

export interface TreeOptions {
  /** Deepest level (default unlimited). */
  maxDepth?: number;
  /** Fewest samples a node needs to be split (default 2). */
  minSamplesSplit?: number;
  /** Fewest samples in a leaf (default 1). */
  minSamplesLeaf?: number;
  /** Features tried per split: a count, 'sqrt', or all (default). */
  maxFeatures?: number | 'sqrt' | 'all';
  /** Seed of the feature order (default 0). */
  seed?: number;
  /** Draws from this generator instead of a new one (forests pass theirs). */
  generator?: Generator;
}

interface TreeNode {
  feature: number; // -1 for a leaf
  threshold: number;
  left: TreeNode | null;
  right: TreeNode | null;
  /** Class proportions of the training samples (weighted) that reached the node. */
  proba: number[];
}

export class DecisionTreeClassifier {
  private root: TreeNode | null = null;
  private nClasses = 0;
  private d = 0;
  private readonly gen: Generator;

  constructor(readonly options: TreeOptions = {}) {
    this.gen = options.generator ?? new Generator(options.seed ?? 0);
  }

  fit(x: readonly (readonly number[])[], y: readonly number[], sampleWeight?: readonly number[]): this {
    const { data, n, d } = checkMatrix(x, 'DecisionTree.fit');
    const { labels, nClasses } = checkLabels(y, n, 'DecisionTree.fit');
    this.nClasses = nClasses;
    this.d = d;
    const w = sampleWeight ? Float64Array.from(sampleWeight) : new Float64Array(n).fill(1);
    const idx = Array.from({ length: n }, (_, i) => i).filter((i) => w[i] > 0);
    this.root = this.grow(data, d, labels, w, idx, 0);
    return this;
  }

  private maxFeatures(): number {
    const m = this.options.maxFeatures ?? 'all';
    if (m === 'all') return this.d;
    if (m === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(this.d)));
    if (!Number.isInteger(m) || m < 1) throw new DataError(`DecisionTree: maxFeatures must be an integer >= 1, 'sqrt' or 'all', got ${m}`);
    return Math.min(m, this.d);
  }

  private grow(X: Float64Array, d: number, y: Int32Array, w: Float64Array, idx: number[], depth: number): TreeNode {
    const C = this.nClasses;
    const counts = new Array<number>(C).fill(0);
    let total = 0;
    for (const i of idx) { counts[y[i]] += w[i]; total += w[i]; }
    const leaf: TreeNode = { feature: -1, threshold: 0, left: null, right: null, proba: counts.map((c) => c / total) };
    const pure = counts.filter((c) => c > 0).length <= 1;
    const minSplit = this.options.minSamplesSplit ?? 2;
    const minLeaf = this.options.minSamplesLeaf ?? 1;
    if (pure || idx.length < minSplit || (this.options.maxDepth !== undefined && depth >= this.options.maxDepth)) return leaf;
    const gini = (c: number[], t: number): number => { let s = 0; for (const v of c) s += (v / t) ** 2; return 1 - s; };
    const parentImp = gini(counts, total);
    let best = { score: Infinity, feature: -1, threshold: 0 };
    const order = this.gen.permutation(d);
    const tryCount = this.maxFeatures();
    for (let f = 0; f < tryCount; f++) {
      const feat = order[f];
      const sorted = [...idx].sort((a, b) => X[a * d + feat] - X[b * d + feat] || a - b);
      const left = new Array<number>(C).fill(0);
      let lw = 0;
      for (let s = 0; s < sorted.length - 1; s++) {
        const i = sorted[s];
        left[y[i]] += w[i];
        lw += w[i];
        const v = X[i * d + feat];
        const next = X[sorted[s + 1] * d + feat];
        if (next <= v) continue;
        if (s + 1 < minLeaf || sorted.length - s - 1 < minLeaf) continue;
        const rw = total - lw;
        const right = counts.map((c, k) => c - left[k]);
        const score = (lw * gini(left, lw) + rw * gini(right, rw)) / total;
        if (score < best.score - 1e-12) best = { score, feature: feat, threshold: v / 2 + next / 2 };
      }
    }
    if (best.feature < 0 || best.score >= parentImp) return leaf;
    const li = idx.filter((i) => X[i * d + best.feature] <= best.threshold);
    const ri = idx.filter((i) => X[i * d + best.feature] > best.threshold);
    return {
      feature: best.feature, threshold: best.threshold, proba: leaf.proba,
      left: this.grow(X, d, y, w, li, depth + 1), right: this.grow(X, d, y, w, ri, depth + 1),
    };
  }

  /** Class proportions of the leaf each query falls into. */
  predictProba(x: readonly (readonly number[])[]): number[][] {
    if (!this.root) throw new DataError('DecisionTree: call fit() before predict()');
    const { data, n, d } = checkMatrix(x, 'DecisionTree.predict', this.d);
    const out: number[][] = [];
    for (let i = 0; i < n; i++) {
      let node = this.root;
      while (node.feature >= 0) node = data[i * d + node.feature] <= node.threshold ? node.left! : node.right!;
      const p = new Array<number>(this.nClasses).fill(0);
      node.proba.forEach((v, c) => (p[c] = v));
      out.push(p);
    }
    return out;
  }

  predict(x: readonly (readonly number[])[]): number[] {
    return this.predictProba(x).map(argmaxFirst);
  }

  /** Number of leaves. */
  get leaves(): number {
    const count = (n: TreeNode | null): number => (!n ? 0 : n.feature < 0 ? 1 : count(n.left) + count(n.right));
    return count(this.root);
  }
}
