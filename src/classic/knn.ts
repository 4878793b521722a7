/**
 * K nearest neighbours: "the data set is the model". fit() only stores the flowers; predict() finds
 * the K nearest stored ones and lets them vote.
 *
 * ## Tie rules (the same as scikit-learn's KNeighborsClassifier(algorithm='brute'), 1.2+)
 * - **Equal distances.** Candidates are pushed in training-index order into scikit-learn's fixed-size
 *   max-heap (a candidate equal to the current k-th distance is rejected; on eviction, the tied entry
 *   that sits at the heap's root leaves), then the k survivors are quicksorted with scikit-learn's
 *   simultaneous_sort. Both steps are transcribed in select.ts. This is not "lowest index first":
 *   which of several equally distant flowers is kept depends on the heap's history, exactly as in
 *   scikit-learn.
 * - **Equal distances need equal roundings.** Euclidean distances are computed as scikit-learn does:
 *   r = (‖q‖² + (−2·q·x)) + ‖x‖² in float64, ‖·‖² summed left to right, q·x accumulated with fused
 *   multiply-adds as OpenBLAS's dgemm does on x86-64 (emulated exactly, fma.ts); distance = √max(r, 0).
 *   Manhattan sums |qᵢ − xᵢ| left to right. (precision 'exact'; the default for all but large
 *   problems, see `KnnOptions.precision`.)
 * - **Minkowski (p other than 1 and 2)** ranks by the distance itself, computed as
 *   m·(Σ(|qᵢ − xᵢ|/m)ᵖ)^(1/p) with m = maxᵢ|qᵢ − xᵢ|, not by scikit-learn's Σ|qᵢ − xᵢ|ᵖ: that sum
 *   overflows or underflows for large p (p = 1e308 turns every difference into 0 or ∞, and the
 *   answer into noise), the scaled one is finite for any p and tends to the largest difference.
 *   The order is the same in exact arithmetic; exact ties may round differently from scikit-learn's.
 * - **Non-finite distances are errors.** Features near 1e155 overflow the squares of the euclidean
 *   distance; such a query (or training set) is refused with a message, never answered with noise.
 * - **Equal votes.** Uniform weights: the class with most votes, the smallest class label among
 *   equals (scipy.stats.mode). Distance weights: weight 1/d per neighbour (if any neighbour is at
 *   distance 0, those get weight 1 and the rest 0), summed per class with numpy's pairwise summation,
 *   the smallest class label among equal sums (sklearn.utils.extmath.weighted_mode).
 * - **Cosine** is not on scikit-learn's heap path (it uses numpy argpartition + argsort there); here it
 *   goes through the same heap, so exact ties may be listed in another order than scikit-learn's.
 * - **Batch effect on tie order.** For a batch of at most 4·256·threads queries scikit-learn reduces
 *   "in parallel on the training set" and re-pushes the per-thread heap into a final heap before
 *   sorting, which reorders equal distances (not which neighbours are chosen when the training set
 *   has ≤ 256 samples); this is emulated (`KnnOptions.threads`, default 1).
 * - minkowski with p = 1 is manhattan and p = 2 is euclidean, as scikit-learn's effective metric.
 *
 * The KD-tree (algorithm 'kdtree') computes every distance with the same formula and returns the same
 * answer as brute force: when the K-th place is tied, or the K neighbours contain equal distances, it
 * replays the brute-force selection for that query, because only that reproduces the heap's choice.
 */
import { matmul } from '../ops/matmul.js';
import { Tensor } from '../tensor/tensor.js';
import { argmaxFirst, checkLabels, checkMatrix, DataError, Standardizer } from './check.js';
import { fmaDot } from './fma.js';
import { KdTree } from './kdtree.js';
import { TopK } from './select.js';

export type KnnMetric = 'euclidean' | 'manhattan' | 'minkowski' | 'cosine';
export type KnnWeights = 'uniform' | 'distance';

export interface KnnOptions {
  /** Number of neighbours (default 5). */
  k?: number;
  /** Distance (default 'euclidean'). */
  metric?: KnnMetric;
  /** Power of the minkowski metric (default 2), p ≥ 1. */
  p?: number;
  /** 'uniform': one vote each; 'distance': votes weighted by 1/distance (default 'uniform'). */
  weights?: KnnWeights;
  /** 'brute', 'kdtree', or 'auto' (kdtree for ≤ 8 features and ≥ 2,000 samples, else brute). */
  algorithm?: 'auto' | 'brute' | 'kdtree';
  /** Standardize features (z = (x − mean) / std of the training set) before measuring distances. */
  standardize?: boolean;
  /**
   * How brute-force euclidean distances are computed. 'exact': scikit-learn's float64 roundings
   * (FMA emulated), bit for bit. 'float64' / 'float32': the cross term by the engine's blocked matmul
   * in that precision (fast; ties between nearly equal distances may then fall differently from
   * scikit-learn). 'auto' (default): 'exact' while queries·samples·features ≤ 4,000,000, else 'float32'.
   */
  precision?: 'auto' | 'exact' | 'float64' | 'float32';
  /** Points per KD-tree leaf (default 16). */
  leafSize?: number;
  /**
   * scikit-learn's thread count, as far as it shapes tie order (default 1). scikit-learn reduces a
   * batch of at most 4·256·threads queries "in parallel on the training set": per-thread heaps are
   * re-pushed into a final heap before sorting, which reorders equal distances. This is emulated for
   * one thread's heap (exact whenever threads = 1 or the training set has ≤ 256 samples).
   */
  threads?: number;
}

export interface Neighbors {
  /** Training-set indices of each query's neighbours, nearest first. */
  indices: number[][];
  /** Their distances. */
  distances: number[][];
}

const EXACT_WORK_LIMIT = 4_000_000;
const QUERY_BLOCK = 64;

/**
 * A K-nearest-neighbours classifier.
 * @example
 * const { x, y } = loadIris();
 * const knn = new KNeighborsClassifier({ k: 5 }).fit(x, y);
 * knn.predict([[5.1, 3.5, 1.4, 0.2]]) // [0]: setosa
 */
export class KNeighborsClassifier {
  readonly k: number;
  readonly metric: 'euclidean' | 'manhattan' | 'minkowski' | 'cosine';
  readonly p: number;
  readonly weights: KnnWeights;
  readonly algorithm: 'auto' | 'brute' | 'kdtree';
  readonly standardize: boolean;
  readonly precision: 'auto' | 'exact' | 'float64' | 'float32';
  readonly leafSize: number;
  readonly threads: number;

  private X: Float64Array = new Float64Array(0);
  private labels: Int32Array = new Int32Array(0);
  private n = 0;
  private d = 0;
  private nClasses = 0;
  /** ‖x‖² of each training row (euclidean) or ‖x‖ (cosine). */
  private norms = new Float64Array(0);
  private maxNorm = 0;
  private scaler: Standardizer | null = null;
  private tree: KdTree | null = null;
  private xT: { f32: Tensor | null; f64: Tensor | null } = { f32: null, f64: null };

  constructor(options: KnnOptions = {}) {
    const k = options.k ?? 5;
    if (!Number.isInteger(k) || k < 1) throw new DataError(`KNN: k must be an integer >= 1, got ${k}`);
    this.k = k;
    let metric = options.metric ?? 'euclidean';
    const p = options.p ?? 2;
    if (!['euclidean', 'manhattan', 'minkowski', 'cosine'].includes(metric)) {
      throw new DataError(`KNN: metric must be euclidean, manhattan, minkowski or cosine, got '${metric}'`);
    }
    if (metric === 'minkowski') {
      if (!(p >= 1) || !Number.isFinite(p)) throw new DataError(`KNN: minkowski needs a finite p >= 1, got ${p}`);
      if (p === 1) metric = 'manhattan';
      else if (p === 2) metric = 'euclidean';
    }
    this.metric = metric;
    this.p = metric === 'manhattan' ? 1 : metric === 'euclidean' ? 2 : p;
    this.weights = options.weights ?? 'uniform';
    if (this.weights !== 'uniform' && this.weights !== 'distance') throw new DataError(`KNN: weights must be uniform or distance, got '${String(this.weights)}'`);
    this.algorithm = options.algorithm ?? 'auto';
    if (!['auto', 'brute', 'kdtree'].includes(this.algorithm)) throw new DataError(`KNN: algorithm must be auto, brute or kdtree, got '${this.algorithm}'`);
    if (this.algorithm === 'kdtree' && this.metric === 'cosine') throw new DataError('KNN: the KD-tree needs a metric from the minkowski family (euclidean, manhattan, minkowski), not cosine');
    this.standardize = options.standardize ?? false;
    this.precision = options.precision ?? 'auto';
    this.leafSize = options.leafSize ?? 16;
    this.threads = options.threads ?? 1;
  }

  /** Stores the training set (features as rows, integer class labels 0..C−1). */
  fit(x: readonly (readonly number[])[], y: readonly number[]): this {
    const { data, n, d } = checkMatrix(x, 'KNN.fit');
    const { labels, nClasses } = checkLabels(y, n, 'KNN.fit');
    return this.fitFlat(data, n, d, labels, nClasses);
  }

  /**
   * fit() over a flat row-major Float64Array (kept, not copied, unless standardized): the fast way in
   * for large data. `nClasses` defaults to the largest label + 1.
   */
  fitFlat(data: Float64Array, n: number, d: number, labels: Int32Array, nClasses?: number): this {
    if (n === 0) throw new DataError('KNN.fit: the data set is empty');
    if (data.length !== n * d) throw new DataError(`KNN.fit: ${data.length} values cannot be ${n} rows of ${d} features`);
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw new DataError(`KNN.fit: feature vector ${Math.floor(i / d)}, feature ${i % d}: expected a finite number, got ${data[i]}`);
    }
    this.scaler = this.standardize ? Standardizer.fit(data, n, d) : null;
    this.X = this.scaler ? this.scaler.apply(Float64Array.from(data), d) : data;
    this.n = n;
    this.d = d;
    this.labels = labels;
    let mx = 0;
    for (let i = 0; i < n; i++) if (labels[i] > mx) mx = labels[i];
    this.nClasses = Math.max(nClasses ?? 0, mx + 1);
    this.norms = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = this.metric === 'cosine' ? Math.sqrt(seqSquares(this.X, i * d, d)) : seqSquares(this.X, i * d, d);
      if (!Number.isFinite(v) && (this.metric === 'euclidean' || this.metric === 'cosine')) {
        throw new DataError(`KNN.fit: feature vector ${i}: the sum of its squared features${this.scaler ? ' (standardized)' : ''} is ${v}, beyond float64; the values are too large for ${this.metric} distances (rescale them)`);
      }
      this.norms[i] = v;
      if (v > this.maxNorm) this.maxNorm = v;
    }
    const useTree = this.algorithm === 'kdtree' || (this.algorithm === 'auto' && this.metric !== 'cosine' && d <= 8 && n >= 2000);
    this.tree = useTree ? new KdTree(this.X, n, d, this.leafSize) : null;
    this.xT = { f32: null, f64: null };
    return this;
  }

  /** Number of stored samples. */
  get nSamples(): number {
    return this.n;
  }

  /** Number of features. */
  get nFeatures(): number {
    return this.d;
  }

  /** The stored training labels. */
  get trainingLabels(): Int32Array {
    return this.labels;
  }

  /** The K nearest training samples of each query: indices and distances, nearest first. */
  kneighbors(queries: readonly (readonly number[])[], k = this.k): Neighbors {
    const { indices, distances, m } = this.kneighborsFlat(this.prepareQueries(queries), k);
    const out: Neighbors = { indices: [], distances: [] };
    for (let i = 0; i < m; i++) {
      out.indices.push(Array.from(indices.subarray(i * k, (i + 1) * k)));
      out.distances.push(Array.from(distances.subarray(i * k, (i + 1) * k)));
    }
    return out;
  }

  /** Predicted class label of each query. */
  predict(queries: readonly (readonly number[])[]): number[] {
    return this.predictFlat(this.prepareQueries(queries));
  }

  /** Class probabilities of each query (vote shares, weighted when weights = 'distance'). */
  predictProba(queries: readonly (readonly number[])[]): number[][] {
    const q = this.prepareQueries(queries);
    const { indices, distances, m } = this.kneighborsFlat(q, this.k);
    const C = this.nClasses;
    const out: number[][] = [];
    for (let i = 0; i < m; i++) {
      const w = this.voteWeights(distances, i);
      const proba = new Array<number>(C).fill(0);
      for (let j = 0; j < this.k; j++) proba[this.labels[indices[i * this.k + j]]] += w[j];
      let s = 0;
      for (const v of proba) s += v;
      out.push(proba.map((v) => v / (s === 0 ? 1 : s)));
    }
    return out;
  }

  /** predict() over a flat row-major query matrix (already in raw feature units). */
  predictFlat(queries: Float64Array): number[] {
    const q = this.scaler ? this.scaler.apply(Float64Array.from(queries), this.d) : queries;
    const { indices, distances, m } = this.kneighborsFlat(q, this.k);
    const k = this.k;
    const C = this.nClasses;
    const preds: number[] = [];
    const counts = new Float64Array(C);
    const column = new Float64Array(k);
    for (let i = 0; i < m; i++) {
      if (this.weights === 'uniform') {
        counts.fill(0);
        for (let j = 0; j < k; j++) counts[this.labels[indices[i * k + j]]]++;
        preds.push(argmaxFirst(counts));
      } else {
        // weighted_mode: per class, np.sum over the k weights masked to that class; strict > keeps
        // the smallest class among equal sums
        const w = this.voteWeights(distances, i);
        let best = -1;
        let bestScore = 0;
        for (let c = 0; c < C; c++) {
          let present = false;
          for (let j = 0; j < k; j++) {
            const mine = this.labels[indices[i * k + j]] === c;
            column[j] = mine ? w[j] : 0;
            present ||= mine;
          }
          if (!present) continue;
          const score = numpySum(column, k);
          if (best < 0 || score > bestScore) { best = c; bestScore = score; }
        }
        preds.push(best);
      }
    }
    return preds;
  }

  private voteWeights(distances: Float64Array, i: number): Float64Array {
    const k = this.k;
    const w = new Float64Array(k);
    if (this.weights === 'uniform') return w.fill(1);
    let zero = false;
    for (let j = 0; j < k; j++) if (distances[i * k + j] === 0) zero = true;
    for (let j = 0; j < k; j++) {
      const dist = distances[i * k + j];
      w[j] = zero ? (dist === 0 ? 1 : 0) : 1 / dist;
    }
    return w;
  }

  private prepareQueries(queries: readonly (readonly number[])[]): Float64Array {
    if (this.n === 0) throw new DataError('KNN: call fit() before asking for neighbours');
    if (Array.isArray(queries) && queries.length > 0 && queries[0]?.length !== this.d) {
      throw new DataError(`KNN: a feature vector needs ${this.d} values (the training set has ${this.d} features), got ${queries[0]?.length ?? 0}`);
    }
    const { data } = checkMatrix(queries, 'KNN (queries)', this.d);
    return this.scaler ? this.scaler.apply(data, this.d) : data;
  }

  /**
   * Neighbours of a flat row-major query matrix, already in the model's units (standardized when the
   * model standardizes): the fast way in for large query sets. Checks k and finiteness.
   */
  kneighborsFlat(q: Float64Array, k: number): { indices: Int32Array; distances: Float64Array; m: number } {
    if (this.n === 0) throw new DataError('KNN: call fit() before asking for neighbours');
    if (!Number.isInteger(k) || k < 1) throw new DataError(`KNN: k must be an integer >= 1, got ${k}`);
    if (k > this.n) throw new DataError(`KNN: k = ${k} exceeds the training set (${this.n} samples); choose k <= ${this.n}`);
    const d = this.d;
    if (q.length % d !== 0) throw new DataError(`KNN: ${q.length} query values are not whole feature vectors of ${d}`);
    const m = q.length / d;
    for (let i = 0; i < q.length; i++) {
      if (!Number.isFinite(q[i])) throw new DataError(`KNN: query ${Math.floor(i / d)}, feature ${i % d}: expected a finite number, got ${q[i]}`);
    }
    const indices = new Int32Array(m * k);
    const distances = new Float64Array(m * k);
    const heap = new TopK(k);
    // scikit-learn's 'auto' strategy: parallel_on_Y (with its heap merge) for small query batches
    this.merge = m <= 4 * 256 * this.threads ? new TopK(k) : null;
    const precision = this.precision === 'auto' ? (m * this.n * d <= EXACT_WORK_LIMIT ? 'exact' : 'float32') : this.precision;
    if (this.tree) {
      for (let i = 0; i < m; i++) {
        heap.reset();
        const ok = this.tree.search(heap, (j) => this.finite(this.rdist(q, i * d, j), i, j), (lo, hi) => this.boxBound(q, i * d, lo, hi), this.tolerance(q, i * d));
        if (!ok) this.bruteQuery(q, i * d, heap);
        this.emit(heap, i, indices, distances);
      }
    } else if (this.metric === 'euclidean' && precision !== 'exact') {
      this.bruteMatmul(q, m, heap, precision, indices, distances);
    } else {
      for (let i = 0; i < m; i++) {
        this.bruteQuery(q, i * d, heap);
        this.emit(heap, i, indices, distances);
      }
    }
    return { indices, distances, m };
  }

  private merge: TopK | null = null;

  private emit(heap: TopK, i: number, indices: Int32Array, distances: Float64Array): void {
    let final = heap;
    if (this.merge) {
      // _parallel_on_Y_synchronize: the thread's heap array, in array order, into a fresh heap
      final = this.merge;
      final.reset();
      for (let j = 0; j < heap.k; j++) final.push(heap.values[j], heap.indices[j]);
    }
    const { values, indices: ix } = final.sorted();
    const k = heap.k;
    for (let j = 0; j < k; j++) {
      indices[i * k + j] = ix[j];
      distances[i * k + j] = this.toDistance(values[j]);
    }
  }

  /** The rank-preserving distance scikit-learn compares ("rdist"), computed with its roundings. */
  rdist(q: Float64Array, qo: number, j: number): number {
    const X = this.X;
    const d = this.d;
    const xo = j * d;
    switch (this.metric) {
      case 'euclidean':
        return (seqSquares(q, qo, d) + -2 * fmaDot(q, qo, X, xo, d)) + this.norms[j];
      case 'manhattan': {
        let s = 0;
        for (let t = 0; t < d; t++) s += Math.abs(q[qo + t] - X[xo + t]);
        return s;
      }
      case 'minkowski': {
        let m = 0;
        for (let t = 0; t < d; t++) {
          const a = Math.abs(q[qo + t] - X[xo + t]);
          if (!(a <= m)) m = a; // NaN and ∞ too, so that finite() reports them
        }
        return this.scaledPower(m, (t) => Math.abs(q[qo + t] - X[xo + t]));
      }
      case 'cosine': {
        const qn = Math.sqrt(seqSquares(q, qo, d));
        let s = 0;
        for (let t = 0; t < d; t++) s += (q[qo + t] / (qn || 1)) * (X[xo + t] / (this.norms[j] || 1));
        return Math.min(Math.max(1 - s, 0), 2);
      }
    }
  }

  /** m·(Σ(aₜ/m)ᵖ)^(1/p) for aₜ ≤ m = max aₜ: the minkowski distance without overflow or underflow. */
  private scaledPower(m: number, a: (t: number) => number): number {
    if (m === 0 || !Number.isFinite(m)) return m;
    let s = 0;
    for (let t = 0; t < this.d; t++) s += (a(t) / m) ** this.p;
    return m * s ** (1 / this.p);
  }

  /** A distance key, or a DataError when it is not a finite number. */
  private finite(v: number, query: number, j: number): number {
    if (v > -Infinity && v < Infinity) return v;
    const why = this.metric === 'euclidean' || this.metric === 'cosine' ? 'their squares overflow' : 'their differences overflow';
    throw new DataError(`KNN: the ${this.metric} distance between query ${query} and training sample ${j} is ${v}, not a finite number: the feature values are too large for float64 arithmetic (${why}); rescale them`);
  }

  private toDistance(r: number): number {
    if (this.metric === 'euclidean') return Math.sqrt(Math.max(r, 0));
    return r;
  }

  private bruteQuery(q: Float64Array, qo: number, heap: TopK): void {
    heap.reset();
    if (this.metric === 'euclidean') {
      // hoisted ‖q‖², same value as in rdist()
      const qn = seqSquares(q, qo, this.d);
      const X = this.X;
      const d = this.d;
      for (let j = 0; j < this.n; j++) heap.push(this.finite((qn + -2 * fmaDot(q, qo, X, j * d, d)) + this.norms[j], qo / d, j), j);
      return;
    }
    for (let j = 0; j < this.n; j++) heap.push(this.finite(this.rdist(q, qo, j), qo / this.d, j), j);
  }

  /** Blocked brute force: the cross terms of QUERY_BLOCK queries at once by the engine's matmul. */
  private bruteMatmul(q: Float64Array, m: number, heap: TopK, precision: 'float64' | 'float32', indices: Int32Array, distances: Float64Array): void {
    const d = this.d;
    const n = this.n;
    let xT = precision === 'float32' ? this.xT.f32 : this.xT.f64;
    if (!xT) {
      const Ctor = precision === 'float32' ? Float32Array : Float64Array;
      const t = new Ctor(d * n);
      for (let j = 0; j < n; j++) for (let c = 0; c < d; c++) t[c * n + j] = this.X[j * d + c];
      xT = new Tensor(t, [d, n]);
      if (precision === 'float32') this.xT.f32 = xT; else this.xT.f64 = xT;
    }
    const norms = this.norms;
    for (let i0 = 0; i0 < m; i0 += QUERY_BLOCK) {
      const b = Math.min(QUERY_BLOCK, m - i0);
      const qb = precision === 'float32' ? Float32Array.from(q.subarray(i0 * d, (i0 + b) * d)) : q.slice(i0 * d, (i0 + b) * d);
      const g = matmul(new Tensor(qb, [b, d]), xT).floatData(); // (b, n) = Q · Xᵀ
      for (let r = 0; r < b; r++) {
        const qn = seqSquares(q, (i0 + r) * d, d);
        heap.reset();
        const row = r * n;
        for (let j = 0; j < n; j++) {
          const v = (qn + -2 * g[row + j]) + norms[j];
          if (!(v > -Infinity && v < Infinity)) this.finite(v, i0 + r, j);
          if (v < heap.values[0]) heap.push(v, j);
        }
        this.emit(heap, i0 + r, indices, distances);
      }
    }
  }

  /** Lower bound of rdist from the query to a box [lo, hi] (for KD-tree pruning). */
  private boxBound(q: Float64Array, qo: number, lo: Float64Array, hi: Float64Array): number {
    const gap = (t: number): number => {
      const v = q[qo + t];
      return v < lo[t] ? lo[t] - v : v > hi[t] ? v - hi[t] : 0;
    };
    if (this.metric === 'minkowski') {
      let m = 0;
      for (let t = 0; t < this.d; t++) m = Math.max(m, gap(t));
      return this.scaledPower(m, gap);
    }
    let s = 0;
    for (let t = 0; t < this.d; t++) {
      const g = gap(t);
      s += this.metric === 'euclidean' ? g * g : g;
    }
    return s;
  }

  /** Slack for pruning: bounds are computed without the expanded formula's roundings. */
  private tolerance(q: Float64Array, qo: number): number {
    if (this.metric === 'euclidean') return 1e-12 * (seqSquares(q, qo, this.d) + this.maxNorm + 1);
    return 1e-12;
  }
}

/** Σ xᵢ² left to right (as BLAS ddot over a short row). */
function seqSquares(x: ArrayLike<number>, o: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) s += x[o + t] * x[o + t];
  return s;
}

/** numpy's float64 sum of a short contiguous array (pairwise_sum: 8 partial sums from 8 values on). */
export function numpySum(a: Float64Array, n: number): number {
  if (n < 8) {
    let r = 0;
    for (let i = 0; i < n; i++) r += a[i];
    return r;
  }
  if (n <= 128) {
    const r = [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[i + j];
    let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += a[i];
    return res;
  }
  let n2 = n >> 1;
  n2 -= n2 % 8;
  return numpySum(a, n2) + numpySum(a.subarray(n2), n - n2);
}
