/**
 * Training a GPT as nanoGPT does, on the shared Trainer (src/train/trainer.ts):
 *
 * - each step reads B random windows of T + 1 consecutive tokens of the training stream (the windows
 *   of step s come from a generator seeded by (seed, s): a resumed run draws the same ones);
 * - cross-entropy of the next token at every position, AdamW with decoupled weight decay on the
 *   matrices only (biases and LayerNorm gains are not shrunk), linear warmup then a cosine down to
 *   minLr at the last step, gradient clipping by global norm;
 * - "iterations" are the Trainer's steps, and its "epoch" is `evalInterval` steps, so the held-out
 *   loss is estimated every evalInterval steps, nanoGPT's way: the mean loss of `evalIters` random
 *   held-out batches (the same batches at every evaluation, so the figures compare across steps).
 */
import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { crossEntropy } from '../../ops/nn.js';
import { AdamW } from '../../optim/adam.js';
import { cosine, LRScheduler } from '../../optim/schedules.js';
import { Generator } from '../../util/random.js';
import { Trainer, type BatchLoss, type EvalRecord, type TrainingTask } from '../../train/trainer.js';
import type { GptModel } from './model.js';
import { randomWindows, stepGenerator } from './data.js';
import type { GptTrainingSettings } from './recipe.js';

/** What an evaluation measures: held-out and training loss, each the mean of evalIters random batches. */
export type GptMetrics = { valLoss: number; trainLossEstimate: number };
export type GptEvalRecord = EvalRecord<GptMetrics> & { trainLoss: number };

/** Mean next-token cross-entropy of a model on (B, T) inputs and targets. */
export function gptLoss(model: GptModel, x: Tensor, y: Tensor): Tensor {
  const logits = model.forward(x); // (B, T, V)
  return crossEntropy(logits.reshape([-1, logits.shape[2]]), y.reshape([-1]));
}

/** The parameters AdamW decays (every tensor of two or more dimensions: embeddings and projections) and the rest. */
export function decayGroups(model: GptModel): { decay: Tensor[]; noDecay: Tensor[] } {
  const params = model.parameters();
  return { decay: params.filter((p) => p.ndim >= 2), noDecay: params.filter((p) => p.ndim < 2) };
}

/**
 * nanoGPT's loss estimate: the mean loss of `iters` batches of random windows, eval mode, no graph.
 * The windows are drawn from `seed`, so two calls with one seed read the same text.
 */
export function estimateLoss(model: GptModel, ids: Int32Array, o: { batchSize: number; context: number; iters: number; seed: number }): number {
  if (ids.length < o.context + 1) return NaN;
  const wasTraining = model.training;
  model.eval();
  const g = new Generator(o.seed);
  let sum = 0;
  noGrad(() => {
    for (let i = 0; i < o.iters; i++) {
      const { x, y } = randomWindows(ids, o.batchSize, o.context, g);
      sum += gptLoss(model, x, y).item();
    }
  });
  model.train(wasTraining);
  return sum / o.iters;
}

/**
 * The loss over a whole stream: consecutive windows of the context, each token scored once (the first
 * of each window with no context before it, as a window's first position always is), in batches.
 */
export function streamLoss(model: GptModel, ids: Int32Array, o: { context: number; batchSize?: number }): { loss: number; tokens: number } {
  const T = o.context;
  const windows = Math.floor((ids.length - 1) / T);
  if (windows < 1) throw new Error(`gpt: ${ids.length} tokens is too short for one window of ${T} + 1`);
  const B = o.batchSize ?? 32;
  const wasTraining = model.training;
  model.eval();
  let sum = 0;
  noGrad(() => {
    for (let w = 0; w < windows; w += B) {
      const n = Math.min(B, windows - w);
      const x = new Int32Array(n * T);
      const y = new Int32Array(n * T);
      for (let b = 0; b < n; b++) {
        const at = (w + b) * T;
        x.set(ids.subarray(at, at + T), b * T);
        y.set(ids.subarray(at + 1, at + 1 + T), b * T);
      }
      sum += gptLoss(model, new Tensor(x, [n, T]), new Tensor(y, [n, T])).item() * n * T;
    }
  });
  model.train(wasTraining);
  return { loss: sum / (windows * T), tokens: windows * T };
}

/**
 * The GPT's training work for the shared Trainer.
 * @example
 * const task = new GptTask(model, trainIds, valIds, recipe.training, generator);
 * await gptTrainer(task).run({ onEval: (r) => console.log(r.step, r.valLoss) });
 */
export class GptTask implements TrainingTask<GptMetrics> {
  readonly optimizer: AdamW;
  readonly scheduler: LRScheduler;
  readonly selection = { metric: 'valLoss', higherIsBetter: false } as const;
  readonly context: number;

  constructor(
    readonly model: GptModel,
    readonly train: Int32Array,
    readonly val: Int32Array,
    readonly config: GptTrainingSettings,
    /** The generator the model's dropout draws from (its state is saved with the run). */
    readonly generator?: Generator,
  ) {
    this.context = model.config.nPositions;
    if (train.length < this.context + 1) throw new Error(`gpt: the training text has ${train.length} tokens, too few for one window of the context ${this.context} + 1`);
    const { decay, noDecay } = decayGroups(model);
    const groups = [{ params: decay, weightDecay: config.weightDecay }, ...(noDecay.length ? [{ params: noDecay, weightDecay: 0 }] : [])];
    this.optimizer = new AdamW(groups, { lr: config.lr, betas: [config.beta1, config.beta2] });
    // the base lr of the cosine is each group's lr; minLr is absolute, as nanoGPT's min_lr
    this.scheduler = new LRScheduler(this.optimizer, cosine(config.maxIters, config.minLr, config.warmupIters));
  }

  /** Evaluations ("epochs") a run of maxIters steps makes: one every evalInterval steps, and one at the end. */
  get epochs(): number {
    return Math.ceil(this.config.maxIters / this.config.evalInterval);
  }

  batchCount(epoch: number): number {
    return Math.min(this.config.evalInterval, this.config.maxIters - epoch * this.config.evalInterval);
  }

  forwardBackward(epoch: number, index: number): BatchLoss {
    const step = epoch * this.config.evalInterval + index;
    const { x, y } = randomWindows(this.train, this.config.batchSize, this.context, stepGenerator(this.config.windowSeed ?? this.config.seed, step));
    const loss = gptLoss(this.model, x, y);
    loss.backward();
    return { loss, tokens: this.config.batchSize * this.context };
  }

  evaluate(): GptMetrics {
    const o = { batchSize: this.config.batchSize, context: this.context, iters: this.config.evalIters };
    return {
      valLoss: estimateLoss(this.model, this.val, { ...o, seed: this.config.seed + 1 }),
      trainLossEstimate: estimateLoss(this.model, this.train, { ...o, seed: this.config.seed + 2 }),
    };
  }

  saveState(): unknown {
    return { rng: this.generator?.getState() ?? null };
  }

  loadState(state: unknown): void {
    const rng = (state as { rng?: number[] | null } | null)?.rng;
    if (rng && this.generator) this.generator.setState(rng);
  }
}

/** The shared Trainer over a GPT task: maxIters steps, an evaluation every evalInterval, the recipe's clip and budget. */
export function gptTrainer(task: GptTask): Trainer<GptMetrics> {
  const c = task.config;
  return new Trainer(task, { epochs: task.epochs, timeBudgetSeconds: c.timeBudgetSeconds, maxSteps: c.maxIters, clipNorm: c.clip });
}
