/**
 * Support vector machine classifier: the soft-margin dual solved by SMO (sequential minimal
 * optimization, libsvm's update and maximal-violating-pair selection), one-vs-one for several
 * classes with majority voting (ties: the smallest class label), as scikit-learn's SVC.
 * Kernels: linear K(a,b) = a·b, and RBF K(a,b) = exp(−γ‖a−b‖²) with γ = 'scale' = 1/(d·Var(X)) by
 * default. The kernel matrix of each pair of classes is held in memory (fine for thousands of rows).
 */
import { checkLabels, checkMatrix, DataError, argmaxFirst } from './check.js';

/** Most samples of one pair of classes: their kernel matrix, 8,192² float64, is 512 MiB. */
export const SVC_MAX_PAIR = 8192;

export interface SvmOptions {
  /** 'rbf' (default) or 'linear'. */
  kernel?: 'rbf' | 'linear';
  /** Penalty of margin violations (default 1). */
  C?: number;
  /** RBF width: a number, or 'scale' (default) = 1 / (features · variance of all training values). */
  gamma?: number | 'scale';
  /** Stopping tolerance on the KKT violation (default 1e-3, as libsvm). */
  tol?: number;
  /** Most SMO iterations per pair of classes (default 100,000). */
  maxIter?: number;
}

interface Binary {
  a: number;
  b: number;
  sv: Float64Array; // support vectors, row-major
  coef: Float64Array; // αᵢ·yᵢ
  rho: number;
}

export class SVC {
  private models: Binary[] = [];
  private d = 0;
  private nClasses = 0;
  private gammaValue = 0;
  readonly kernel: 'rbf' | 'linear';

  constructor(readonly options: SvmOptions = {}) {
    this.kernel = options.kernel ?? 'rbf';
    if (this.kernel !== 'rbf' && this.kernel !== 'linear') throw new DataError(`SVC: kernel must be rbf or linear, got '${String(this.kernel)}'`);
    if (!((options.C ?? 1) > 0)) throw new DataError(`SVC: C must be > 0, got ${options.C}`);
  }

  private k(x: Float64Array, xo: number, z: Float64Array, zo: number): number {
    const d = this.d;
    if (this.kernel === 'linear') {
      let s = 0;
      for (let t = 0; t < d; t++) s += x[xo + t] * z[zo + t];
      return s;
    }
    let s = 0;
    for (let t = 0; t < d; t++) { const v = x[xo + t] - z[zo + t]; s += v * v; }
    return Math.exp(-this.gammaValue * s);
  }

  fit(x: readonly (readonly number[])[], y: readonly number[]): this {
    const { data, n, d } = checkMatrix(x, 'SVC.fit');
    const { labels, nClasses } = checkLabels(y, n, 'SVC.fit');
    this.d = d;
    this.nClasses = nClasses;
    const g = this.options.gamma ?? 'scale';
    if (g === 'scale') {
      let m = 0;
      for (const v of data) m += v;
      m /= data.length;
      let v2 = 0;
      for (const v of data) v2 += (v - m) ** 2;
      const variance = v2 / data.length;
      this.gammaValue = variance > 0 ? 1 / (d * variance) : 1;
    } else {
      if (!(g > 0)) throw new DataError(`SVC: gamma must be > 0 or 'scale', got ${g}`);
      this.gammaValue = g;
    }
    this.models = [];
    const present = [...new Set(labels)].sort((a, b) => a - b);
    for (let p = 0; p < present.length; p++) {
      for (let q = p + 1; q < present.length; q++) {
        const idx: number[] = [];
        for (let i = 0; i < n; i++) if (labels[i] === present[p] || labels[i] === present[q]) idx.push(i);
        this.models.push(this.solve(data, idx, labels, present[p], present[q]));
      }
    }
    return this;
  }

  /** SMO on one pair: class a is +1, class b is −1. */
  private solve(X: Float64Array, idx: number[], labels: Int32Array, a: number, b: number): Binary {
    const d = this.d;
    const l = idx.length;
    const C = this.options.C ?? 1;
    const tol = this.options.tol ?? 1e-3;
    if (l > SVC_MAX_PAIR) {
      throw new DataError(`SVC.fit: classes ${a} and ${b} have ${l.toLocaleString('en-US')} samples together; at most ${SVC_MAX_PAIR.toLocaleString('en-US')}, because their kernel matrix (samples² float64, here ${((l * l * 8) / 2 ** 30).toFixed(1)} GiB) is held in memory`);
    }
    const y = Float64Array.from(idx, (i) => (labels[i] === a ? 1 : -1));
    const K = new Float64Array(l * l);
    for (let i = 0; i < l; i++) for (let j = i; j < l; j++) K[i * l + j] = K[j * l + i] = this.k(X, idx[i] * d, X, idx[j] * d);
    const alpha = new Float64Array(l);
    const G = new Float64Array(l).fill(-1);
    const TAU = 1e-12;
    const maxIter = this.options.maxIter ?? 100_000;
    for (let iter = 0; iter < maxIter; iter++) {
      let gmax = -Infinity, gmin = Infinity, i = -1, j = -1;
      for (let t = 0; t < l; t++) {
        const v = -y[t] * G[t];
        const up = (y[t] > 0 && alpha[t] < C) || (y[t] < 0 && alpha[t] > 0);
        const low = (y[t] < 0 && alpha[t] < C) || (y[t] > 0 && alpha[t] > 0);
        if (up && v > gmax) { gmax = v; i = t; }
        if (low && v < gmin) { gmin = v; j = t; }
      }
      if (i < 0 || j < 0 || gmax - gmin < tol) break;
      const Qij = y[i] * y[j] * K[i * l + j];
      const oldI = alpha[i], oldJ = alpha[j];
      if (y[i] !== y[j]) {
        let quad = K[i * l + i] + K[j * l + j] + 2 * Qij;
        if (quad <= 0) quad = TAU;
        const delta = (-G[i] - G[j]) / quad;
        const diff = alpha[i] - alpha[j];
        alpha[i] += delta; alpha[j] += delta;
        if (diff > 0) { if (alpha[j] < 0) { alpha[j] = 0; alpha[i] = diff; } } else if (alpha[i] < 0) { alpha[i] = 0; alpha[j] = -diff; }
        if (diff > 0) { if (alpha[i] > C) { alpha[i] = C; alpha[j] = C - diff; } } else if (alpha[j] > C) { alpha[j] = C; alpha[i] = C + diff; }
      } else {
        let quad = K[i * l + i] + K[j * l + j] - 2 * Qij;
        if (quad <= 0) quad = TAU;
        const delta = (G[i] - G[j]) / quad;
        const sum = alpha[i] + alpha[j];
        alpha[i] -= delta; alpha[j] += delta;
        if (sum > C) { if (alpha[i] > C) { alpha[i] = C; alpha[j] = sum - C; } } else if (alpha[j] < 0) { alpha[j] = 0; alpha[i] = sum; }
        if (sum > C) { if (alpha[j] > C) { alpha[j] = C; alpha[i] = sum - C; } } else if (alpha[i] < 0) { alpha[i] = 0; alpha[j] = sum; }
      }
      const dI = alpha[i] - oldI, dJ = alpha[j] - oldJ;
      for (let t = 0; t < l; t++) G[t] += y[t] * (y[i] * K[i * l + t] * dI + y[j] * K[j * l + t] * dJ);
    }
    // rho: mean of yG over free vectors, else the middle of the feasible interval (libsvm)
    let ub = Infinity, lb = -Infinity, sumFree = 0, nFree = 0;
    for (let t = 0; t < l; t++) {
      const yG = y[t] * G[t];
      if (alpha[t] >= C) { if (y[t] < 0) ub = Math.min(ub, yG); else lb = Math.max(lb, yG); }
      else if (alpha[t] <= 0) { if (y[t] > 0) ub = Math.min(ub, yG); else lb = Math.max(lb, yG); }
      else { sumFree += yG; nFree++; }
    }
    const rho = nFree > 0 ? sumFree / nFree : (ub + lb) / 2;
    const sv: number[] = [];
    const coef: number[] = [];
    for (let t = 0; t < l; t++) {
      if (alpha[t] > 0) {
        for (let c = 0; c < d; c++) sv.push(X[idx[t] * d + c]);
        coef.push(alpha[t] * y[t]);
      }
    }
    return { a, b, sv: Float64Array.from(sv), coef: Float64Array.from(coef), rho };
  }

  /** One-vs-one decision values f(x) = Σ αᵢyᵢK(xᵢ, x) − ρ, one per pair of classes. */
  decisionFunction(x: readonly (readonly number[])[]): number[][] {
    if (this.models.length === 0 && this.nClasses === 0) throw new DataError('SVC: call fit() before predict()');
    const { data, n } = checkMatrix(x, 'SVC.predict', this.d);
    return Array.from({ length: n }, (_, i) => this.models.map((m) => {
      let s = -m.rho;
      for (let v = 0; v < m.coef.length; v++) s += m.coef[v] * this.k(m.sv, v * this.d, data, i * this.d);
      return s;
    }));
  }

  predict(x: readonly (readonly number[])[]): number[] {
    const dec = this.decisionFunction(x);
    return dec.map((row) => {
      const votes = new Array<number>(Math.max(1, this.nClasses)).fill(0);
      if (this.models.length === 0) return argmaxFirst(votes);
      row.forEach((v, p) => votes[v > 0 ? this.models[p].a : this.models[p].b]++);
      return argmaxFirst(votes);
    });
  }
}
