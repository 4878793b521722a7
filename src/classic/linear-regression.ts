/**
 * The explainer's first model, y = ax + b: a and b are parameters learned from data by gradient
 * descent on the mean squared error, next to the closed-form least-squares answer for comparison.
 */
import { tensor } from '../tensor/create.js';
import { mseLoss } from '../ops/nn.js';
import { Module, type Parameter } from '../nn/module.js';
import { zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { Generator } from '../util/random.js';
import { noGrad } from '../autograd/grad-mode.js';
import { SGD } from '../optim/sgd.js';

/** The model y = a·x + b with two scalar parameters. */
export class LineModel extends Module {
  readonly a: Parameter;
  readonly b: Parameter;

  constructor() {
    super();
    this.a = this.param('a', zeros([1]));
    this.b = this.param('b', zeros([1]));
  }

  forward(x: Tensor): Tensor {
    return x.mul(this.a).add(this.b);
  }
}

export interface LinePoints {
  x: number[];
  y: number[];
}

/**
 * Bounds of the chapter's sizes, checked before any work. 1,000,000 points take about 300 MB and
 * 12 s for 200 steps; 100,000 steps take about 10 s on 1,000 points (measured on one core). Far past
 * them a run would not finish in reasonable time, or V8 cannot allocate the arrays at all.
 */
export const LINEAR_LIMITS = { points: 1_000_000, steps: 100_000 } as const;

/**
 * Noisy points on y = ax + b: x uniform in [0, 10), Gaussian noise of standard deviation `noise`.
 * @example makeLinePoints({ a: 2, b: 1, noise: 0.5, points: 1000, seed: 0 })
 */
export function makeLinePoints(o: { a: number; b: number; noise: number; points: number; seed: number }): LinePoints {
  if (!Number.isInteger(o.points) || o.points < 2 || o.points > LINEAR_LIMITS.points) {
    throw new Error(`linear: --points must be an integer from 2 to ${LINEAR_LIMITS.points.toLocaleString('en-US')} (every point is held in memory and touched by every step), got ${o.points}`);
  }
  if (!(o.noise >= 0)) throw new Error(`linear: --noise must be >= 0, got ${o.noise}`);
  const g = new Generator(o.seed);
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < o.points; i++) {
    const xi = 10 * g.uniform();
    x.push(xi);
    y.push(o.a * xi + o.b + o.noise * g.normal());
  }
  return { x, y };
}

/** Ordinary least squares in closed form: a = cov(x, y) / var(x), b = ȳ − a·x̄. */
export function leastSquares({ x, y }: LinePoints): { a: number; b: number } {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  if (sxx === 0) throw new Error('linear: all x values are equal, so the slope is undetermined');
  const a = sxy / sxx;
  return { a, b: my - a * mx };
}

/** Gradient descent that did not converge: the loss became non-finite or grew. */
export class DivergenceError extends Error {
  override name = 'DivergenceError';
  constructor(message: string, readonly last: FitStep) {
    super(message);
  }
}

export interface FitStep {
  step: number;
  a: number;
  b: number;
  loss: number;
}

export interface FitOptions {
  steps?: number;
  lr?: number;
  /** Called after each step (for printing progress). */
  onStep?: (s: FitStep) => void;
}

/**
 * Fits a and b by full-batch gradient descent. x is centred and scaled inside (z = (x−μ)/σ) so one
 * learning rate suits data of any scale; a and b are reported in the data's own units.
 */
export function fitLine(points: LinePoints, options: FitOptions = {}): FitStep {
  const { steps = 200, lr = 0.1, onStep } = options;
  const { x, y } = points;
  if (x.length !== y.length || x.length < 2) throw new Error(`linear: need at least 2 points with x and y, got ${x.length} x and ${y.length} y`);
  if (x.length > LINEAR_LIMITS.points) throw new Error(`linear: at most ${LINEAR_LIMITS.points.toLocaleString('en-US')} points (every point is held in memory and touched by every step), got ${x.length.toLocaleString('en-US')}`);
  if (!Number.isInteger(steps) || steps < 1 || steps > LINEAR_LIMITS.steps) {
    throw new Error(`linear: --steps must be an integer from 1 to ${LINEAR_LIMITS.steps.toLocaleString('en-US')} (the loss has converged long before; each step touches every point), got ${steps}`);
  }
  if (!(lr > 0) || !Number.isFinite(lr)) throw new Error(`linear: --lr must be a number > 0, got ${lr}`);
  const n = x.length;
  const mu = x.reduce((s, v) => s + v, 0) / n;
  const sigma = Math.sqrt(x.reduce((s, v) => s + (v - mu) ** 2, 0) / n);
  if (sigma === 0) throw new Error('linear: all x values are equal, so the slope is undetermined');
  const z = tensor(x.map((v) => (v - mu) / sigma));
  const target = tensor(y);
  const model = new LineModel();
  const optimizer = new SGD(model.parameters(), { lr });
  const toOriginal = (): { a: number; b: number } => {
    const a = model.a.item() / sigma;
    return { a, b: model.b.item() - a * mu };
  };
  let last: FitStep = { step: 0, ...toOriginal(), loss: NaN };
  let initialLoss = NaN;
  for (let step = 1; step <= steps; step++) {
    model.zeroGrad();
    const loss = mseLoss(model.forward(z), target);
    loss.backward();
    optimizer.step();
    last = { step, ...toOriginal(), loss: loss.item() };
    if (step === 1) initialLoss = last.loss;
    if (step === 1 && !Number.isFinite(last.loss)) {
      // the loss of a = b = 0 is the mean of y²: no learning rate is to blame
      const big = y.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      throw new DivergenceError(`linear: the loss is ${last.loss} before any learning: y values up to ${big.toPrecision(3)} are too large for the engine's float32 arithmetic (their squares pass 3.4e38); rescale y`, last);
    }
    if (!Number.isFinite(last.loss) || !Number.isFinite(last.a) || !Number.isFinite(last.b)) {
      throw new DivergenceError(`linear: gradient descent diverged at step ${step}: the loss is ${last.loss} (a = ${last.a}, b = ${last.b}) with --lr ${lr}; x is standardized, so a rate below 1 converges (the default is 0.1)`, last);
    }
    onStep?.(last);
  }
  // the loss of the final parameters, not of the ones before the last update
  last.loss = noGrad(() => mseLoss(model.forward(z), target).item());
  // With standardized x the MSE's curvature is 2 in both directions, so any lr < 1 lowers the loss at
  // every step and lr >= 1 never converges: a final loss not below the loss of a = b = 0 is divergence
  // even while it is still a finite number. (A loss of 0 at a = b = 0 is data that y = 0 fits exactly.)
  // At lr = 1 exactly the parameters oscillate between 0 and twice the answer, so the loss stays where it
  // started up to rounding — which the backend's summation order decides — so for lr >= 1 a loss not
  // halved is divergence too, on every backend.
  const stalled = initialLoss > 0 && (!(last.loss < initialLoss) || (lr >= 1 && !(last.loss < 0.5 * initialLoss)));
  if (!Number.isFinite(last.loss) || stalled) {
    throw new DivergenceError(`linear: gradient descent diverged: the loss went from ${initialLoss.toPrecision(6)} at step 1 to ${last.loss.toPrecision(6)} after step ${last.step} with --lr ${lr}; x is standardized, so a rate below 1 converges (the default is 0.1)`, last);
  }
  return last;
}
