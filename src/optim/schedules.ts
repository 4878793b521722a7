/**
 * Learning-rate schedules. A `Schedule` maps a step number and a group's base lr to the lr to use;
 * an `LRScheduler` applies one to an optimizer's groups.
 *
 * Step numbering follows PyTorch's LRScheduler: constructing the scheduler sets the lr for step 0,
 * and each `scheduler.step()` (called after `optimizer.step()`) moves to the next. So the k-th
 * optimizer update (counting from 0) runs with `schedule(k, baseLr)`.
 */

/** The learning rate for step `step` (0, 1, 2, …) of a group whose lr was `baseLr` when scheduling began. */
export type Schedule = (step: number, baseLr: number) => number;

function checkSteps(v: number, name: string, where: string, min = 0): void {
  if (!Number.isInteger(v) || v < min) throw new Error(`${where}: ${name} must be an integer ≥ ${min}, got ${v}`);
}

/**
 * Linear warmup from 0 to the base lr over `warmupSteps`, then constant, or (with `decay: 'linear'`)
 * a straight line down to `minLr` at `totalSteps`, flat after. Hugging Face's linear schedule.
 * @example new LRScheduler(opt, linearWarmup(100, { decay: 'linear', totalSteps: 1000 }))
 */
export function linearWarmup(warmupSteps: number, options: { decay?: 'constant' | 'linear'; totalSteps?: number; minLr?: number } = {}): Schedule {
  checkSteps(warmupSteps, 'warmupSteps', 'linearWarmup');
  const decay = options.decay ?? 'constant';
  const minLr = options.minLr ?? 0;
  if (decay !== 'constant' && decay !== 'linear') throw new Error(`linearWarmup: decay must be 'constant' or 'linear', got ${String(decay)}`);
  if (decay === 'linear') {
    checkSteps(options.totalSteps ?? NaN, 'totalSteps (needed for linear decay)', 'linearWarmup', warmupSteps + 1);
  }
  const total = options.totalSteps ?? Infinity;
  return (step, baseLr) => {
    if (step < warmupSteps) return (baseLr * step) / warmupSteps;
    if (decay === 'constant') return baseLr;
    const left = Math.max(0, (total - step) / (total - warmupSteps));
    return minLr + (baseLr - minLr) * left;
  };
}

/**
 * The Transformer paper's schedule ("Noam"): lr = factor · dModel^−0.5 · min(s^−0.5, s · warmup^−1.5)
 * with s = max(step, 1). It rises linearly for `warmupSteps`, then decays as 1/√s. The value is the
 * lr itself: the optimizer's own lr is ignored (set it to anything).
 * @example new LRScheduler(new Adam(params, { betas: [0.9, 0.98], eps: 1e-9 }), noam(512, 4000))
 */
export function noam(dModel: number, warmupSteps: number, factor = 1): Schedule {
  checkSteps(dModel, 'dModel', 'noam', 1);
  checkSteps(warmupSteps, 'warmupSteps', 'noam', 1);
  if (!(factor > 0)) throw new Error(`noam: factor must be > 0, got ${factor}`);
  return (step) => {
    const s = Math.max(step, 1); // step 0 would divide by zero; the Annotated Transformer does the same
    return factor * dModel ** -0.5 * Math.min(s ** -0.5, s * warmupSteps ** -1.5);
  };
}

/**
 * Linear warmup to the base lr, then decay ∝ 1/√step (fairseq's and Hugging Face's inverse_sqrt):
 * baseLr · step/warmup before `warmupSteps`, baseLr · √(warmup/step) after. With no warmup,
 * baseLr/√max(step, 1).
 * @example new LRScheduler(opt, inverseSqrt(4000))
 */
export function inverseSqrt(warmupSteps: number): Schedule {
  checkSteps(warmupSteps, 'warmupSteps', 'inverseSqrt');
  return (step, baseLr) => {
    if (warmupSteps === 0) return baseLr / Math.sqrt(Math.max(step, 1));
    if (step < warmupSteps) return (baseLr * step) / warmupSteps;
    return baseLr * Math.sqrt(warmupSteps / step);
  };
}

/**
 * Optional linear warmup, then half a cosine from the base lr down to `minLr` at `totalSteps`,
 * flat at `minLr` after.
 * @example new LRScheduler(opt, cosine(10_000, 1e-5, 500))
 */
export function cosine(totalSteps: number, minLr = 0, warmupSteps = 0): Schedule {
  checkSteps(warmupSteps, 'warmupSteps', 'cosine');
  checkSteps(totalSteps, 'totalSteps', 'cosine', warmupSteps + 1);
  if (!(minLr >= 0)) throw new Error(`cosine: minLr must be ≥ 0, got ${minLr}`);
  return (step, baseLr) => {
    if (step < warmupSteps) return (baseLr * step) / warmupSteps;
    const progress = Math.min(1, (step - warmupSteps) / (totalSteps - warmupSteps));
    return minLr + (baseLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
  };
}

/** What an LRScheduler drives: anything with param groups that have an lr. */
export interface HasParamGroups {
  readonly paramGroups: { lr: number }[];
}

/** An LRScheduler's position, JSON-able. */
export interface LRSchedulerState {
  step: number;
  baseLrs: number[];
}

/**
 * Sets every group's lr from a schedule at each step. The base lrs are the groups' lrs when the
 * scheduler was made, so groups keep their ratios.
 * @example
 * const sched = new LRScheduler(opt, cosine(1000, 0, 100));
 * for (...) { loss.backward(); opt.step(); opt.zeroGrad(); sched.step(); }
 */
export class LRScheduler {
  readonly baseLrs: number[];
  private current = 0;

  constructor(readonly optimizer: HasParamGroups, readonly schedule: Schedule) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
    this.apply();
  }

  /** Advances one step and sets the new lr. */
  step(): void {
    this.current++;
    this.apply();
  }

  /** How many times step() has been called (the step whose lr is now set). */
  get lastStep(): number {
    return this.current;
  }

  /** The lr now set on each group. */
  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): LRSchedulerState {
    return { step: this.current, baseLrs: [...this.baseLrs] };
  }

  /** Restores a position saved by stateDict() and sets the lr for it. */
  loadStateDict(state: LRSchedulerState): void {
    if (!state || !Number.isInteger(state.step) || state.step < 0) throw new Error(`LRScheduler.loadStateDict: step must be an integer ≥ 0, got ${state?.step}`);
    const n = this.optimizer.paramGroups.length;
    if (!Array.isArray(state.baseLrs) || state.baseLrs.length !== n) {
      throw new Error(`LRScheduler.loadStateDict: expected ${n} base lrs (one per group), got ${Array.isArray(state.baseLrs) ? state.baseLrs.length : typeof state.baseLrs}`);
    }
    this.current = state.step;
    this.baseLrs.splice(0, this.baseLrs.length, ...state.baseLrs);
    this.apply();
  }

  private apply(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const lr = this.schedule(this.current, this.baseLrs[i]);
      if (!Number.isFinite(lr) || lr < 0) throw new Error(`LRScheduler: the schedule gave lr ${lr} at step ${this.current} for group ${i} (base lr ${this.baseLrs[i]})`);
      g.lr = lr;
    });
  }
}
