/** Input checks shared by the classic classifiers: errors say what was expected and what came. */

/** Bad data or arguments given to a classifier (empty data, NaN, wrong lengths, bad k). */
export class DataError extends Error {
  override name = 'DataError';
}

/**
 * Checks a feature matrix: at least one row, every row `d` long (the first row's length unless given),
 * every value finite. Returns the flat row-major copy and the sizes.
 */
export function checkMatrix(x: readonly (readonly number[])[], where: string, d?: number): { data: Float64Array; n: number; d: number } {
  if (!Array.isArray(x)) throw new DataError(`${where}: expected an array of feature vectors, got ${typeof x}`);
  const n = x.length;
  if (n === 0) throw new DataError(`${where}: the data set is empty (expected at least one feature vector)`);
  const dim = d ?? x[0].length;
  if (dim === 0) throw new DataError(`${where}: feature vectors are empty (expected at least one feature)`);
  const data = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    const row = x[i];
    if (!row || row.length !== dim) {
      throw new DataError(`${where}: feature vector ${i} has ${row ? row.length : 0} values, expected ${dim}`);
    }
    for (let j = 0; j < dim; j++) {
      const v = row[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new DataError(`${where}: feature vector ${i}, feature ${j}: expected a finite number, got ${v}`);
      data[i * dim + j] = v;
    }
  }
  return { data, n, d: dim };
}

/** Checks labels: one per row, integers ≥ 0. Returns them and the number of classes (max + 1). */
export function checkLabels(y: readonly number[], n: number, where: string): { labels: Int32Array; nClasses: number } {
  if (!Array.isArray(y) || y.length !== n) throw new DataError(`${where}: expected ${n} labels (one per feature vector), got ${Array.isArray(y) ? y.length : typeof y}`);
  const labels = new Int32Array(n);
  let max = -1;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (!Number.isInteger(v) || v < 0) throw new DataError(`${where}: label ${i}: expected an integer class index >= 0, got ${v}`);
    labels[i] = v;
    if (v > max) max = v;
  }
  return { labels, nClasses: max + 1 };
}

/** A fitted feature standardization, z = (x − mean) / scale, as scikit-learn's StandardScaler. */
export class Standardizer {
  constructor(readonly mean: Float64Array, readonly scale: Float64Array) {}

  /** Population mean and standard deviation of each column (scale 1 where a column is constant). */
  static fit(data: Float64Array, n: number, d: number): Standardizer {
    const mean = new Float64Array(d);
    const scale = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += data[i * d + j];
      const m = s / n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (data[i * d + j] - m) ** 2;
      const sd = Math.sqrt(v / n);
      mean[j] = m;
      scale[j] = sd === 0 ? 1 : sd;
    }
    return new Standardizer(mean, scale);
  }

  /** Transforms a flat row-major matrix in place. */
  apply(data: Float64Array, d: number): Float64Array {
    for (let i = 0; i < data.length; i++) data[i] = (data[i] - this.mean[i % d]) / this.scale[i % d];
    return data;
  }
}

/** Index of the largest value; the first (smallest index) wins ties, as numpy's argmax. */
export function argmaxFirst(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}
