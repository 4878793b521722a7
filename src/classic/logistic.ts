/**
 * Multinomial logistic regression (softmax regression) with an L2 penalty, trained by the engine's
 * autograd and Adam: the same objective as scikit-learn's LogisticRegression(C=1.0):
 *   minimize  Σᵢ crossEntropy(xᵢW + b, yᵢ) + ‖W‖² / (2C)      (the intercept is not penalized)
 * Features are standardized inside for a well-conditioned problem; the penalty is applied to the
 * weights of the raw features (W_raw = W_std / σ), so the optimum is scikit-learn's.
 */
import { noGrad } from '../autograd/grad-mode.js';
import { crossEntropy } from '../ops/nn.js';
import { Adam } from '../optim/index.js';
import { Tensor } from '../tensor/tensor.js';
import { argmaxFirst, checkLabels, checkMatrix, DataError, Standardizer } from './check.js';

export interface LogisticOptions {
  /** Inverse regularization strength (default 1, as scikit-learn). */
  C?: number;
  /** Optimizer steps, full batch (default 500). */
  steps?: number;
  /** Adam learning rate (default 0.05). */
  lr?: number;
}

export class LogisticRegression {
  private W: Float64Array | null = null; // (d, C) over raw features
  private b: Float64Array | null = null;
  private d = 0;
  private nClasses = 0;
  /** Loss of the last training step (mean over samples, penalty included). */
  finalLoss = NaN;

  constructor(readonly options: LogisticOptions = {}) {
    const C = options.C ?? 1;
    if (!(C > 0)) throw new DataError(`LogisticRegression: C must be > 0, got ${C}`);
  }

  fit(x: readonly (readonly number[])[], y: readonly number[]): this {
    const { data, n, d } = checkMatrix(x, 'LogisticRegression.fit');
    const { labels, nClasses } = checkLabels(y, n, 'LogisticRegression.fit');
    const C = nClasses;
    const scaler = Standardizer.fit(data, n, d);
    const z = new Tensor(scaler.apply(Float64Array.from(data), d), [n, d]);
    const W = new Tensor(new Float64Array(d * C), [d, C]).requiresGrad_();
    const b = new Tensor(new Float64Array(C), [C]).requiresGrad_();
    // penalty on raw weights: Σ (W_std[j,c] / σ_j)² = Σ W_std² · (1/σ_j²)
    const invVar = new Tensor(Float64Array.from({ length: d * C }, (_, i) => 1 / scaler.scale[Math.floor(i / C)] ** 2), [d, C]);
    const lambda = 1 / (2 * (this.options.C ?? 1) * n); // objective divided by n
    const opt = new Adam([W, b], { lr: this.options.lr ?? 0.05 });
    const targets = Array.from(labels);
    const steps = this.options.steps ?? 500;
    for (let s = 0; s < steps; s++) {
      opt.zeroGrad();
      const logits = z.matmul(W).add(b); // (n, C)
      const loss = crossEntropy(logits, targets).add(W.mul(W).mul(invVar).sum().mul(lambda));
      loss.backward();
      opt.step();
      if (s === steps - 1) this.finalLoss = loss.item();
    }
    noGrad(() => {
      const ws = W.floatData();
      const bs = b.floatData();
      this.W = new Float64Array(d * C);
      this.b = Float64Array.from(bs);
      for (let j = 0; j < d; j++) {
        for (let c = 0; c < C; c++) {
          const wr = ws[j * C + c] / scaler.scale[j];
          this.W[j * C + c] = wr;
          this.b[c] -= wr * scaler.mean[j];
        }
      }
    });
    this.d = d;
    this.nClasses = C;
    return this;
  }

  /** Softmax class probabilities. */
  predictProba(x: readonly (readonly number[])[]): number[][] {
    if (!this.W || !this.b) throw new DataError('LogisticRegression: call fit() before predict()');
    const { data, n, d } = checkMatrix(x, 'LogisticRegression.predict', this.d);
    const C = this.nClasses;
    const out: number[][] = [];
    for (let i = 0; i < n; i++) {
      const logits = Array.from(this.b);
      for (let j = 0; j < d; j++) for (let c = 0; c < C; c++) logits[c] += data[i * d + j] * this.W[j * C + c];
      const mx = Math.max(...logits);
      const e = logits.map((v) => Math.exp(v - mx));
      const s = e.reduce((a, v) => a + v, 0);
      out.push(e.map((v) => v / s));
    }
    return out;
  }

  predict(x: readonly (readonly number[])[]): number[] {
    return this.predictProba(x).map(argmaxFirst);
  }
}
