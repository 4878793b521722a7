/**
 * The translator's training task for the shared {@link Trainer}: length-bucketed batches,
 * cross-entropy with label smoothing, Adam with the Noam warmup schedule, dropout, and an evaluation on
 * dev (loss, greedy BLEU and chrF) after each epoch; the best checkpoint is the one with the best dev
 * BLEU. The loop, clipping, budgets, stops and resumption are the Trainer's (src/train/trainer.ts).
 */
import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { Generator } from '../../util/random.js';
import { Adam } from '../../optim/adam.js';
import { LRScheduler, noam } from '../../optim/schedules.js';
import { bucketBatches, padSequences } from '../../data/batching.js';
import { checkDataFingerprint, dataFingerprint, Trainer, type BatchLoss, type EvalRecord, type TrainingTask } from '../../train/trainer.js';
import { evaluateTranslations } from './translate.js';
import { DEFAULT_TRANSLATOR_RECIPE } from './recipe.js';
import { BOS_ID, EOS_ID, PAD_ID } from '../../text/vocab.js';
import type { Seq2SeqTransformer } from './model.js';
import type { TranslationTokenizer } from './tokenizer.js';

export interface TrainingConfig {
  seed: number;
  /** Most target tokens per batch, padding included (B·T). */
  maxTokens: number;
  /** Noam schedule: lr = factor · dModel^−0.5 · min(s^−0.5, s · warmup^−1.5). */
  lrFactor: number;
  warmupSteps: number;
  /** Global gradient-norm clip (0 disables). */
  clipNorm: number;
  /** Stop after this many epochs… */
  epochs: number;
  /** …or after this many seconds of training (0: no limit)… */
  timeBudgetSeconds: number;
  /** …or after this many steps (0: no limit), whichever comes first. */
  maxSteps: number;
  /** Dev sentences decoded greedily for BLEU after each epoch (0: all). */
  devBleuSentences: number;
}

/** The translator's training defaults: the recipe's, kept in one place (./recipe.ts). */
export const DEFAULT_TRAINING: TrainingConfig = DEFAULT_TRANSLATOR_RECIPE.training;

/** One training pair as ids: src without bos/eos, tgt with both. */
export interface EncodedExample {
  src: number[];
  tgt: number[];
}

/** What the translator's evaluation measures on dev. */
export type TranslationMetrics = { devLoss: number; bleu: number; chrf: number };

/** An evaluation of the translator as the run's history and log.jsonl keep it. */
export type TranslationEvalRecord = EvalRecord<TranslationMetrics> & { trainLoss: number };

/** Encodes raw pairs, dropping empty ones and targets longer than the tokenizer allows. */
export function encodePairs(tokenizer: TranslationTokenizer, pairs: readonly { source: string; target: string }[]): EncodedExample[] {
  const out: EncodedExample[] = [];
  for (const p of pairs) {
    const src = tokenizer.encodeSource(p.source).ids;
    const body = tokenizer.encodeTarget(p.target);
    if (src.length === 0 || body.length === 0 || body.length + 2 > tokenizer.config.maxTargetLen) continue;
    out.push({ src, tgt: [BOS_ID, ...body, EOS_ID] });
  }
  return out;
}

function idTensor(rows: number[][]): Tensor {
  const { ids, shape } = padSequences(rows, PAD_ID);
  return new Tensor(Int32Array.from(ids), shape);
}

/** The (src, tgtIn, tgtOut) tensors of a batch: the decoder reads tgt[:-1] and predicts tgt[1:]. */
export function batchTensors(batch: readonly EncodedExample[]): { src: Tensor; tgtIn: Tensor; tgtOut: Tensor; tokens: number } {
  const tokens = batch.reduce((n, e) => n + e.tgt.length - 1, 0);
  return {
    src: idTensor(batch.map((e) => e.src)),
    tgtIn: idTensor(batch.map((e) => e.tgt.slice(0, -1))),
    tgtOut: idTensor(batch.map((e) => e.tgt.slice(1))),
    tokens,
  };
}

/**
 * The translator's training work, for the shared Trainer.
 * @example
 * const task = new TranslationTask(model, tokenizer, encodePairs(tokenizer, train), dev, config, generator);
 * const reason = await translatorTrainer(task).run({ onEval: (r) => console.log(r.bleu) });
 */
export class TranslationTask implements TrainingTask<TranslationMetrics> {
  readonly optimizer: Adam;
  readonly scheduler: LRScheduler;
  readonly selection = { metric: 'bleu', higherIsBetter: true } as const;
  private cached: { epoch: number; batches: EncodedExample[][] } | null = null;

  constructor(
    readonly model: Seq2SeqTransformer,
    readonly tokenizer: TranslationTokenizer,
    readonly train: readonly EncodedExample[],
    readonly dev: readonly { source: string; target: string }[],
    readonly config: TrainingConfig,
    /** The generator the model's dropout layers draw from (its state is saved with the run). */
    readonly generator: Generator,
  ) {
    if (train.length === 0) throw new Error('train translate: no usable training pairs');
    if (dev.length === 0) throw new Error('train translate: no dev pairs to evaluate on');
    this.optimizer = new Adam(model.parameters(), { lr: 1, betas: [0.9, 0.98], eps: 1e-9 });
    this.scheduler = new LRScheduler(this.optimizer, noam(model.config.dModel, config.warmupSteps, config.lrFactor));
  }

  /** The batches of an epoch: a function of the seed and the epoch alone, so a resumed run sees the same ones. */
  epochBatches(epoch: number): EncodedExample[][] {
    if (this.cached?.epoch !== epoch) {
      this.cached = { epoch, batches: bucketBatches(this.train, { maxTokens: this.config.maxTokens, seed: new Generator(this.config.seed * 100003 + epoch) }) };
    }
    return this.cached.batches;
  }

  batchCount(epoch: number): number {
    return this.epochBatches(epoch).length;
  }

  forwardBackward(epoch: number, index: number): BatchLoss {
    const { src, tgtIn, tgtOut, tokens } = batchTensors(this.epochBatches(epoch)[index]);
    const loss = this.model.loss(this.model.forward(src, tgtIn), tgtOut);
    loss.backward();
    return { loss, tokens };
  }

  /** The training pairs' fingerprint (computed once). */
  get fingerprint(): string {
    this.dataId ??= dataFingerprint(this.train.flatMap((e) => [e.src, e.tgt]));
    return this.dataId;
  }
  private dataId: string | undefined;

  saveState(): { rng: number[]; data: string } {
    return { rng: this.generator.getState(), data: this.fingerprint };
  }

  loadState(state: unknown): void {
    const s = state as { rng?: number[]; data?: string } | null;
    if (!Array.isArray(s?.rng)) throw new Error('resume: the saved translator state has no dropout generator state');
    checkDataFingerprint(s.data, this.fingerprint);
    this.generator.setState(s.rng);
  }

  /** Dev loss (teacher forcing) and greedy-decoding BLEU/chrF against the raw references. */
  evaluate(): TranslationMetrics {
    this.model.eval();
    const encoded = encodePairs(this.tokenizer, this.dev);
    let lossSum = 0;
    let tokenSum = 0;
    noGrad(() => {
      for (const batch of bucketBatches(encoded, { maxTokens: 8192, shuffle: false })) {
        const { src, tgtIn, tgtOut, tokens } = batchTensors(batch);
        lossSum += this.model.loss(this.model.forward(src, tgtIn), tgtOut).item() * tokens;
        tokenSum += tokens;
      }
    });
    const sample = this.config.devBleuSentences > 0 ? this.dev.slice(0, this.config.devBleuSentences) : this.dev;
    const scores = evaluateTranslations(this.model, this.tokenizer, sample, { beam: 1, batchSize: 64 });
    return { devLoss: lossSum / Math.max(tokenSum, 1), bleu: scores.bleu, chrf: scores.chrf };
  }
}

/** The shared Trainer over a translation task, with the task's budgets and clipping. */
export function translatorTrainer(task: TranslationTask): Trainer<TranslationMetrics> {
  const c = task.config;
  return new Trainer(task, { epochs: c.epochs, timeBudgetSeconds: c.timeBudgetSeconds, maxSteps: c.maxSteps ?? 0, clipNorm: c.clipNorm });
}
