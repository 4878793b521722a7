/**
 * Training the translator: length-bucketed batches, cross-entropy with label smoothing, Adam with the
 * Noam warmup schedule, dropout, gradient clipping, and an evaluation on dev (loss and BLEU) after
 * each epoch. Everything that persists goes through the `save` hook, so this file stays free of Node.
 * The state that makes a resumed run continue exactly — step, epoch, position in the epoch, the
 * dropout generator — is plain data in `TrainerState`.
 */
import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { Generator } from '../../util/random.js';
import { Adam } from '../../optim/adam.js';
import { clipGradNorm } from '../../optim/clip.js';
import { LRScheduler, noam } from '../../optim/schedules.js';
import { bucketBatches, padSequences } from '../../data/batching.js';
import { evaluateTranslations } from './translate.js';
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
  /** …or after this many seconds of training, whichever comes first (0: no limit). */
  timeBudgetSeconds: number;
  /** Dev sentences decoded greedily for BLEU after each epoch (0: all). */
  devBleuSentences: number;
}

export const DEFAULT_TRAINING: TrainingConfig = {
  seed: 1, maxTokens: 4096, lrFactor: 1, warmupSteps: 2000, clipNorm: 1, epochs: 100, timeBudgetSeconds: 0, devBleuSentences: 0,
};

/** One training pair as ids: src without bos/eos, tgt with both. */
export interface EncodedExample {
  src: number[];
  tgt: number[];
}

export interface EvalRecord {
  epoch: number;
  step: number;
  devLoss: number;
  bleu: number;
  chrf: number;
  seconds: number;
}

export interface TrainerState {
  step: number;
  epoch: number;
  /** Batches of the current epoch already trained. */
  batchInEpoch: number;
  /** Seconds of training so far, over all runs of a resumed job. */
  seconds: number;
  trainTokens: number;
  bestBleu: number;
  history: EvalRecord[];
  /** State of the generator that draws dropout masks. */
  rng: number[];
}

export interface StepInfo {
  step: number;
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  lr: number;
  tokensPerSecond: number;
  seconds: number;
}

export interface TrainHooks {
  /** Stops training cleanly (Ctrl-C): the current step finishes, then `save('last')` runs. */
  signal?: AbortSignal;
  onStep?: (info: StepInfo) => void;
  onEval?: (record: EvalRecord, isBest: boolean) => void;
  /** Persists the run: 'last' after each epoch and on stop, 'best' when dev BLEU improves. */
  save?: (kind: 'last' | 'best', trainer: TranslatorTrainer) => Promise<void>;
}

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

export class TranslatorTrainer {
  readonly optimizer: Adam;
  readonly scheduler: LRScheduler;
  state: TrainerState;

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
    this.optimizer = new Adam(model.parameters(), { lr: 1, betas: [0.9, 0.98], eps: 1e-9 });
    this.scheduler = new LRScheduler(this.optimizer, noam(model.config.dModel, config.warmupSteps, config.lrFactor));
    this.state = { step: 0, epoch: 0, batchInEpoch: 0, seconds: 0, trainTokens: 0, bestBleu: -1, history: [], rng: generator.getState() };
  }

  /** The batches of an epoch: a function of the seed and the epoch alone, so a resumed run sees the same ones. */
  epochBatches(epoch: number): EncodedExample[][] {
    return bucketBatches(this.train, { maxTokens: this.config.maxTokens, seed: new Generator(this.config.seed * 100003 + epoch) });
  }

  /** Restores a saved position (after the model, optimizer and scheduler states were loaded). */
  restore(state: TrainerState): void {
    this.state = structuredClone(state);
    this.generator.setState(state.rng);
  }

  private outOfTime(): boolean {
    return this.config.timeBudgetSeconds > 0 && this.state.seconds >= this.config.timeBudgetSeconds;
  }

  /** Trains until the epochs or the time budget run out, or the signal fires. Returns why it stopped. */
  async run(hooks: TrainHooks = {}): Promise<'done' | 'time' | 'stopped'> {
    const { signal, onStep, onEval, save } = hooks;
    let reason: 'done' | 'time' | 'stopped' = 'done';
    outer: while (this.state.epoch < this.config.epochs) {
      const batches = this.epochBatches(this.state.epoch);
      this.model.train();
      while (this.state.batchInEpoch < batches.length) {
        if (signal?.aborted) { reason = 'stopped'; break outer; }
        if (this.outOfTime()) { reason = 'time'; break outer; }
        const t0 = performance.now();
        const { src, tgtIn, tgtOut, tokens } = batchTensors(batches[this.state.batchInEpoch]);
        this.optimizer.zeroGrad();
        const loss = this.model.loss(this.model.forward(src, tgtIn), tgtOut);
        loss.backward();
        if (this.config.clipNorm > 0) clipGradNorm(this.model.parameters(), this.config.clipNorm);
        this.optimizer.step();
        this.scheduler.step();
        const seconds = (performance.now() - t0) / 1000;
        this.state.step++;
        this.state.batchInEpoch++;
        this.state.seconds += seconds;
        this.state.trainTokens += tokens;
        onStep?.({
          step: this.state.step, epoch: this.state.epoch, batch: this.state.batchInEpoch, batches: batches.length,
          loss: loss.item(), lr: this.scheduler.getLastLr()[0], tokensPerSecond: tokens / seconds, seconds: this.state.seconds,
        });
        // let signal handlers (Ctrl-C) run between steps
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (this.state.batchInEpoch >= batches.length) {
        this.state.epoch++;
        this.state.batchInEpoch = 0;
        const record = this.evaluate();
        const isBest = record.bleu > this.state.bestBleu;
        if (isBest) this.state.bestBleu = record.bleu;
        this.state.history.push(record);
        onEval?.(record, isBest);
        this.state.rng = this.generator.getState();
        if (isBest) await save?.('best', this);
        await save?.('last', this);
      }
    }
    this.state.rng = this.generator.getState();
    if (reason !== 'done') await save?.('last', this);
    return reason;
  }

  /** Dev loss (teacher forcing) and greedy-decoding BLEU/chrF against the raw references. */
  evaluate(): EvalRecord {
    const t0 = performance.now();
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
    this.model.train();
    return {
      epoch: this.state.epoch, step: this.state.step, devLoss: lossSum / Math.max(tokenSum, 1),
      bleu: scores.bleu, chrf: scores.chrf, seconds: (performance.now() - t0) / 1000,
    };
  }
}
