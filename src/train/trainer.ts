/**
 * The one training loop every chapter uses (the translator, the word LMs, and the chapters to come).
 * A chapter describes its work as a {@link TrainingTask} — how many batches an epoch has, the
 * forward/backward pass of one batch, the held-out evaluation — and the {@link Trainer} does the rest,
 * the same way for all of them: the step loop, gradient clipping, the optimizer and schedule steps, a
 * time budget and a step limit, stopping on a signal (Ctrl-C, SIGTERM) between steps, refusing to go on
 * when the loss or the gradients stop being finite, evaluation after each epoch, the choice of the best
 * checkpoint, and the plain-data state that makes a resumed run continue exactly.
 *
 * Persistence goes through the `save` hook, so this file stays free of Node (the disk side is
 * src/train/run-dir.ts) and the same loop trains in a browser tab.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LRScheduler } from '../optim/schedules.js';
import { clipGradNorm } from '../optim/clip.js';

/** What one forward/backward pass reports: the mean loss it differentiated and how many tokens (or examples) it covered. */
export interface BatchLoss {
  /** The scalar loss whose `backward()` has already run. */
  loss: Tensor;
  tokens: number;
}

/** What an evaluation reports: named figures (dev loss, BLEU, perplexity, …); the trainer adds where and when. */
export type Metrics = Record<string, number>;

/** An evaluation as the history keeps it. */
export type EvalRecord<M extends Metrics = Metrics> = M & {
  /** Epochs completed when it ran (1-based: 1 after the first epoch). */
  epoch: number;
  step: number;
  /** False when it ran after a stop partway through an epoch. */
  complete: boolean;
  /** Seconds the evaluation took. */
  evalSeconds: number;
  /** Seconds of training steps so far (evaluation excluded). */
  trainSeconds: number;
};

/**
 * One chapter's training work. The batches of an epoch must be a function of the seed and the epoch
 * alone (not of earlier steps), so that a resumed run sees exactly the batches an uninterrupted one would.
 */
export interface TrainingTask<M extends Metrics = Metrics> {
  readonly model: Module;
  readonly optimizer: Optimizer;
  readonly scheduler?: LRScheduler;
  /** Batches in `epoch` (0-based). */
  batchCount(epoch: number): number;
  /** Runs forward and backward on batch `index` of `epoch` (gradients already zeroed); the trainer clips and steps. */
  forwardBackward(epoch: number, index: number): BatchLoss;
  /** Called before the first batch of an epoch and when a resumed run re-enters one partway. */
  startEpoch?(epoch: number, index: number): void;
  /** Held-out figures, in eval mode and without a graph. */
  evaluate(): M;
  /** The figure that chooses the best checkpoint, and which way is better. */
  readonly selection: { metric: keyof M & string; higherIsBetter: boolean };
  /** Whatever else a resumed run needs to continue exactly (a dropout generator, a carried recurrent state), as plain JSON. */
  saveState?(): unknown;
  loadState?(state: unknown): void;
}

export interface TrainerConfig {
  /** Stop after this many epochs… */
  epochs: number;
  /** …or this many seconds of training steps, evaluation excluded (0: no limit)… */
  timeBudgetSeconds: number;
  /** …or this many steps (0: no limit), whichever comes first. */
  maxSteps: number;
  /** Clip the global gradient norm to this before each step (0: no clipping). */
  clipNorm: number;
}

/** Everything about a run's position that is not weights or optimizer moments: plain data, saved beside them. */
export interface TrainerState<M extends Metrics = Metrics> {
  step: number;
  /** Epochs completed. */
  epoch: number;
  /** Batches of the current epoch already trained. */
  batchInEpoch: number;
  /** Seconds of training steps so far, over every resumption of the run. */
  seconds: number;
  trainTokens: number;
  /** Loss summed over the tokens of the current epoch so far (for its mean training loss). */
  epochLossSum: number;
  epochTokens: number;
  /** The best value of the selection metric so far (null before the first evaluation). */
  best: number | null;
  /** True between the end of an epoch's training and the end of its evaluation (a resumed run evaluates first). */
  pendingEval?: boolean;
  history: (EvalRecord<M> & { trainLoss: number })[];
  /** The task's own state ({@link TrainingTask.saveState}). */
  task?: unknown;
}

export interface StepInfo {
  step: number;
  /** 0-based epoch and 1-based batch within it. */
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  /** Global gradient norm before clipping (NaN when clipping is off). */
  gradNorm: number;
  lr: number;
  tokensPerSecond: number;
  /** Seconds of training so far. */
  seconds: number;
}

export type StopReason = 'done' | 'time' | 'steps' | 'stopped';

export interface TrainerHooks<M extends Metrics = Metrics> {
  /** Stops cleanly between steps (Ctrl-C, SIGTERM): the current step finishes, then `save('last')` runs. */
  signal?: AbortSignal;
  onStep?: (info: StepInfo) => void;
  onEval?: (record: EvalRecord<M> & { trainLoss: number }, isBest: boolean) => void | Promise<void>;
  /** Persists the run: 'best' when the selection metric improves, 'last' after each epoch and on a stop. */
  save?: (kind: 'best' | 'last') => Promise<void>;
}

/** Training stopped because the loss or the gradients were not finite; the step that found it was not applied. */
export class TrainingDivergedError extends Error {
  constructor(readonly step: number, readonly what: string, readonly value: number) {
    const kept = what.startsWith('held-out')
      ? 'best/ keeps the best model so far (last/ holds the weights that diverged)'
      : 'the step was not applied and the last saved checkpoint is kept';
    super(`training diverged at step ${step}: the ${what} is ${value}; ${kept}. Lower the learning rate or keep gradient clipping on`);
    this.name = 'TrainingDivergedError';
  }
}

/**
 * A fingerprint of training data (FNV-1a over the ids and the sequence lengths), saved with a run so
 * that a resume on other data is refused rather than silently mixing two data sets.
 * @example dataFingerprint([[1, 2, 3], [4, 5]]) // 'fnv1a:…'
 */
export function dataFingerprint(sequences: Iterable<ArrayLike<number>>): string {
  let h = 0x811c9dc5;
  let n = 0;
  const mix = (v: number): void => {
    for (let k = 0; k < 4; k++) {
      h ^= (v >>> (8 * k)) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  };
  for (const seq of sequences) {
    mix(seq.length);
    for (let i = 0; i < seq.length; i++) mix(seq[i]);
    n++;
  }
  return `fnv1a:${h.toString(16).padStart(8, '0')}:${n}`;
}

/** Throws unless a resumed run's data has the fingerprint saved with it. */
export function checkDataFingerprint(saved: unknown, now: string): void {
  if (typeof saved === 'string' && saved !== now) {
    throw new Error(`resume: the training data differs from the data this run was trained on (fingerprint ${now}, the run's ${saved}); give the same data, or start a new run`);
  }
}

/** Lets pending events run between steps (Ctrl-C, timers, a page's input): setImmediate in Node, a zero timeout elsewhere. */
export function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate;
  return new Promise<void>((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}

/**
 * @example
 * const trainer = new Trainer(task, { epochs: 10, timeBudgetSeconds: 0, maxSteps: 0, clipNorm: 1 });
 * const reason = await trainer.run({ onEval: (r) => console.log(r.epoch, r.devLoss) });
 */
export class Trainer<M extends Metrics = Metrics> {
  state: TrainerState<M> = {
    step: 0, epoch: 0, batchInEpoch: 0, seconds: 0, trainTokens: 0, epochLossSum: 0, epochTokens: 0, best: null, history: [],
  };

  constructor(readonly task: TrainingTask<M>, readonly config: TrainerConfig) {
    for (const k of ['epochs', 'timeBudgetSeconds', 'maxSteps', 'clipNorm'] as const) {
      if (!(config[k] >= 0) || !Number.isFinite(config[k])) throw new Error(`Trainer: ${k} must be a finite number ≥ 0, got ${config[k]}`);
    }
  }

  /** The state to save beside the weights and optimizer (the task's own part included). */
  snapshot(): TrainerState<M> {
    return structuredClone({ ...this.state, task: this.task.saveState?.() });
  }

  /** Restores a position saved by {@link snapshot} (after the model, optimizer and scheduler states were loaded). */
  restore(state: TrainerState<M>): void {
    this.state = structuredClone(state);
    if (state.task !== undefined) this.task.loadState?.(state.task);
  }

  /** The record of the best evaluation so far, or null. */
  get bestRecord(): (EvalRecord<M> & { trainLoss: number }) | null {
    const { metric, higherIsBetter } = this.task.selection;
    let best: (EvalRecord<M> & { trainLoss: number }) | null = null;
    for (const r of this.state.history) {
      if (best === null || (higherIsBetter ? r[metric] > best[metric] : r[metric] < best[metric])) best = r;
    }
    return best;
  }

  private stopReason(signal?: AbortSignal): StopReason | null {
    const c = this.config;
    if (signal?.aborted) return 'stopped';
    if (c.timeBudgetSeconds > 0 && this.state.seconds >= c.timeBudgetSeconds) return 'time';
    if (c.maxSteps > 0 && this.state.step >= c.maxSteps) return 'steps';
    return null;
  }

  /** One optimisation step on batch `index` of `epoch`; throws TrainingDivergedError before applying a non-finite one. */
  private trainStep(epoch: number, index: number): { loss: number; gradNorm: number; tokens: number } {
    const { model, optimizer, scheduler } = this.task;
    model.train();
    optimizer.zeroGrad();
    const { loss, tokens } = this.task.forwardBackward(epoch, index);
    const value = loss.item();
    if (!Number.isFinite(value)) throw new TrainingDivergedError(this.state.step + 1, 'loss', value);
    const gradNorm = this.config.clipNorm > 0 ? clipGradNorm(model.parameters(), this.config.clipNorm) : NaN;
    if (this.config.clipNorm > 0 && !Number.isFinite(gradNorm)) throw new TrainingDivergedError(this.state.step + 1, 'gradient norm', gradNorm);
    optimizer.step();
    scheduler?.step();
    return { loss: value, gradNorm, tokens };
  }

  private async evaluateEpoch(complete: boolean, hooks: TrainerHooks<M>): Promise<boolean> {
    const t0 = performance.now();
    const metrics = this.task.evaluate();
    this.task.model.train();
    const s = this.state;
    // an infinite held-out figure means the model broke (NaN is a figure not measured, e.g. no held-out data)
    for (const [k, v] of Object.entries(metrics)) {
      if (v === Infinity || v === -Infinity) throw new TrainingDivergedError(s.step, `held-out ${k}`, v);
    }
    const record = {
      ...metrics, epoch: complete ? s.epoch : s.epoch + 1, step: s.step, complete, evalSeconds: (performance.now() - t0) / 1000, trainSeconds: s.seconds,
      trainLoss: s.epochLossSum / Math.max(s.epochTokens, 1),
    } as EvalRecord<M> & { trainLoss: number };
    const { metric, higherIsBetter } = this.task.selection;
    const value = record[metric] as number;
    const isBest = Number.isFinite(value) && (s.best === null || (higherIsBetter ? value > s.best : value < s.best));
    if (isBest) s.best = value;
    s.history.push(record);
    await hooks.onEval?.(record, isBest);
    return isBest;
  }

  /** Evaluates the epoch just trained, keeps the best, and saves; its training was saved before. */
  private async finishEpoch(hooks: TrainerHooks<M>): Promise<void> {
    const s = this.state;
    const isBest = await this.evaluateEpoch(true, hooks);
    s.pendingEval = false;
    s.epochLossSum = 0;
    s.epochTokens = 0;
    if (isBest) await hooks.save?.('best');
    await hooks.save?.('last');
  }

  /** Trains until the epochs, the time budget or the step limit run out, or the signal fires. Returns why it stopped. */
  async run(hooks: TrainerHooks<M> = {}): Promise<StopReason> {
    const s = this.state;
    let reason: StopReason = 'done';
    let savedAt = -1;
    // a run stopped during an evaluation resumes by doing it
    if (s.pendingEval) await this.finishEpoch(hooks);
    outer: while (s.epoch < this.config.epochs) {
      const epoch = s.epoch;
      const batches = this.task.batchCount(epoch);
      if (batches < 1) throw new Error(`Trainer: epoch ${epoch + 1} has no batches; is the training data empty?`);
      this.task.startEpoch?.(epoch, s.batchInEpoch);
      while (s.batchInEpoch < batches) {
        const stop = this.stopReason(hooks.signal);
        if (stop) { reason = stop; break outer; }
        const t0 = performance.now();
        const r = this.trainStep(epoch, s.batchInEpoch);
        const seconds = (performance.now() - t0) / 1000;
        s.step++;
        s.batchInEpoch++;
        s.seconds += seconds;
        s.trainTokens += r.tokens;
        s.epochLossSum += r.loss * r.tokens;
        s.epochTokens += r.tokens;
        hooks.onStep?.({
          step: s.step, epoch, batch: s.batchInEpoch, batches, loss: r.loss, gradNorm: r.gradNorm,
          lr: this.task.optimizer.paramGroups[0].lr, tokensPerSecond: r.tokens / Math.max(seconds, 1e-9), seconds: s.seconds,
        });
        await yieldToEventLoop();
      }
      s.epoch++;
      s.batchInEpoch = 0;
      // the epoch's training is saved before its evaluation, which can take minutes: a stop or a
      // crash during it loses nothing (the resumed run evaluates first)
      s.pendingEval = true;
      await hooks.save?.('last');
      await this.finishEpoch(hooks);
      savedAt = s.step;
    }
    if (reason !== 'done') {
      // A run that used up its budget partway through an epoch still reports where it got to (a stop
      // by signal does not: the user asked to quit, and an evaluation can take minutes), once per step.
      const evaluatedHere = s.history.length > 0 && s.history[s.history.length - 1].step === s.step;
      if (reason !== 'stopped' && s.batchInEpoch > 0 && !evaluatedHere && (await this.evaluateEpoch(false, hooks))) {
        await hooks.save?.('best');
        savedAt = -1;
      }
      if (savedAt !== s.step) await hooks.save?.('last');
    }
    return reason;
  }
}
