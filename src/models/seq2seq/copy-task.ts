/**
 * The copy task: the smallest thing a Transformer translator can learn — read a string of symbols,
 * write it out again (or reversed). Every pair is generated from a seed, so it needs no data files and
 * trains in seconds in a browser tab; it exercises everything translation does (encoder, masked
 * decoder, cross-attention, the shared Trainer, greedy decoding), and its cross-attention learns a
 * clean diagonal (an anti-diagonal when reversing), which is what the playground's training page shows.
 *
 * The tokenizer fits `translate()` (src/models/seq2seq/translate.ts), so a trained copier decodes,
 * explains its steps and reports attention exactly as the shipped translator does.
 */
import { Generator } from '../../util/random.js';
import { Adam } from '../../optim/adam.js';
import { LRScheduler, linearWarmup } from '../../optim/schedules.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { Trainer, type BatchLoss, type TrainingTask } from '../../train/trainer.js';
import { BOS_ID, EOS_ID, PAD_ID, UNK_ID, Vocab } from '../../text/vocab.js';
import { Seq2SeqTransformer, type Seq2SeqConfig } from './model.js';
import { batchTensors, type EncodedExample } from './train.js';
import { translate, type EncodedSource, type TranslationTokenizerLike } from './translate.js';

/** The symbols a copy task is made of: digits and the letters a–j. */
export const COPY_SYMBOLS: readonly string[] = [...'0123456789abcdefghij'];

export type CopyKind = 'copy' | 'reverse';

/** Symbols one at a time; spaces ignored; anything else is `<unk>`. Source and target share the vocabulary. */
export class CopyTokenizer implements TranslationTokenizerLike {
  readonly srcVocab: Vocab;
  readonly tgtVocab: Vocab;

  constructor(readonly maxSourceLen: number) {
    this.srcVocab = this.tgtVocab = Vocab.build([COPY_SYMBOLS]);
  }

  encodeSource(text: string): EncodedSource {
    const all = Array.from(text.toLowerCase()).filter((c) => c.trim() !== '');
    const tokens = all.slice(0, this.maxSourceLen);
    return { ids: this.srcVocab.encode(tokens), tokens, truncated: all.length > tokens.length };
  }

  targetPieces(ids: readonly number[]): string[] {
    const out: string[] = [];
    for (const id of ids) {
      if (id === EOS_ID) break;
      if (id === BOS_ID || id === PAD_ID) continue;
      out.push(this.tgtVocab.token(id));
    }
    return out;
  }

  decodeTarget(ids: readonly number[]): string {
    return this.targetPieces(ids).join('');
  }
}

export interface CopyTaskOptions {
  kind: CopyKind;
  /** Shortest and longest strings (symbols). */
  minLen: number;
  maxLen: number;
  /** Strings per batch. */
  batchSize: number;
  batchesPerEpoch: number;
  epochs: number;
  /** Adam's rate after a linear warmup of `warmupSteps`. */
  lr: number;
  warmupSteps: number;
  /** Held-out strings scored after each epoch. */
  devSize: number;
  seed: number;
}

export const DEFAULT_COPY_TASK: CopyTaskOptions = {
  kind: 'copy', minLen: 2, maxLen: 8, batchSize: 32, batchesPerEpoch: 50, epochs: 8, lr: 3e-3, warmupSteps: 50, devSize: 64, seed: 0,
};

/** A small Transformer for the task: 2 + 2 layers of width 32 (about 45k parameters). */
export const COPY_MODEL: Omit<Seq2SeqConfig, 'srcVocab' | 'tgtVocab'> = {
  dModel: 32, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 64, dropout: 0, maxLen: 40, labelSmoothing: 0,
};

export type CopyMetrics = { devLoss: number; accuracy: number };

/** Checks the options; a message names the field and the reason. */
export function checkCopyOptions(o: CopyTaskOptions): void {
  if (o.kind !== 'copy' && o.kind !== 'reverse') throw new Error(`copy task: kind must be copy or reverse, got '${o.kind}'`);
  const ints: [keyof CopyTaskOptions, number, number][] = [
    ['minLen', 1, 30], ['maxLen', 1, 30], ['batchSize', 1, 1024], ['batchesPerEpoch', 1, 100_000], ['epochs', 1, 10_000], ['warmupSteps', 0, 100_000], ['devSize', 1, 10_000], ['seed', 0, 2 ** 31],
  ];
  for (const [k, lo, hi] of ints) {
    const v = o[k] as number;
    if (!(Number.isInteger(v) && v >= lo && v <= hi)) throw new Error(`copy task: ${k} must be an integer from ${lo} to ${hi}, got ${v}`);
  }
  if (o.minLen > o.maxLen) throw new Error(`copy task: minLen ${o.minLen} is above maxLen ${o.maxLen}`);
  if (!(o.lr > 0 && o.lr <= 1)) throw new Error(`copy task: lr must be in (0, 1], got ${o.lr}`);
}

/** One random string of symbol ids and its target (bos … eos). */
function example(g: Generator, tok: CopyTokenizer, o: CopyTaskOptions): EncodedExample {
  const n = o.minLen + g.randint(o.maxLen - o.minLen + 1);
  const src = Array.from({ length: n }, () => tok.srcVocab.id(COPY_SYMBOLS[g.randint(COPY_SYMBOLS.length)]));
  const body = o.kind === 'reverse' ? [...src].reverse() : src;
  return { src, tgt: [BOS_ID, ...body, EOS_ID] };
}

/** The expected output for a source string (what a perfect model writes). */
export function copyTarget(text: string, kind: CopyKind, tok: CopyTokenizer): string {
  const t = tok.encodeSource(text).tokens.map((c) => (tok.srcVocab.id(c) === UNK_ID ? '<unk>' : c));
  return (kind === 'reverse' ? t.reverse() : t).join('');
}

/**
 * The copy task for the shared Trainer: each epoch's batches come from the seed and the epoch alone;
 * the evaluation is the loss and the exact-match accuracy (greedy) on a fixed held-out set.
 * @example const task = new CopyTask({ ...DEFAULT_COPY_TASK, kind: 'reverse' }); await copyTrainer(task).run()
 */
export class CopyTask implements TrainingTask<CopyMetrics> {
  readonly model: Seq2SeqTransformer;
  readonly tokenizer: CopyTokenizer;
  readonly optimizer: Adam;
  readonly scheduler: LRScheduler;
  readonly selection = { metric: 'accuracy', higherIsBetter: true } as const;
  readonly dev: EncodedExample[];
  readonly generator: Generator;
  private cached: { epoch: number; batches: EncodedExample[][] } | null = null;

  constructor(readonly options: CopyTaskOptions = DEFAULT_COPY_TASK) {
    checkCopyOptions(options);
    this.tokenizer = new CopyTokenizer(options.maxLen);
    this.generator = new Generator(options.seed);
    const V = this.tokenizer.srcVocab.size;
    this.model = new Seq2SeqTransformer({ ...COPY_MODEL, srcVocab: V, tgtVocab: V, maxLen: Math.max(COPY_MODEL.maxLen ?? 40, options.maxLen + 2) }, { generator: this.generator });
    this.optimizer = new Adam(this.model.parameters(), { lr: options.lr, betas: [0.9, 0.98], eps: 1e-9 });
    this.scheduler = new LRScheduler(this.optimizer, linearWarmup(options.warmupSteps));
    const g = new Generator(options.seed * 7919 + 12345);
    this.dev = Array.from({ length: options.devSize }, () => example(g, this.tokenizer, options));
  }

  private epochBatches(epoch: number): EncodedExample[][] {
    if (this.cached?.epoch !== epoch) {
      const g = new Generator(this.options.seed * 100003 + epoch + 1);
      const { batchSize, batchesPerEpoch } = this.options;
      this.cached = { epoch, batches: Array.from({ length: batchesPerEpoch }, () => Array.from({ length: batchSize }, () => example(g, this.tokenizer, this.options))) };
    }
    return this.cached.batches;
  }

  batchCount(): number {
    return this.options.batchesPerEpoch;
  }

  forwardBackward(epoch: number, index: number): BatchLoss {
    const { src, tgtIn, tgtOut, tokens } = batchTensors(this.epochBatches(epoch)[index]);
    const loss = this.model.loss(this.model.forward(src, tgtIn), tgtOut);
    loss.backward();
    return { loss, tokens };
  }

  evaluate(): CopyMetrics {
    this.model.eval();
    const { src, tgtIn, tgtOut, tokens } = batchTensors(this.dev);
    const devLoss = noGrad(() => this.model.loss(this.model.forward(src, tgtIn), tgtOut).item());
    const sources = this.dev.map((e) => e.src.map((id) => this.tokenizer.srcVocab.token(id)).join(''));
    const out = translate(this.model, this.tokenizer, sources, { beam: 1, batchSize: 64, maxLen: this.options.maxLen + 1 });
    let right = 0;
    out.forEach((r, i) => {
      if (r.translation === this.tokenizer.decodeTarget(this.dev[i].tgt.slice(1))) right++;
    });
    void tokens;
    return { devLoss, accuracy: right / this.dev.length };
  }

  saveState(): { rng: number[] } {
    return { rng: this.generator.getState() };
  }

  loadState(state: unknown): void {
    const s = state as { rng?: number[] } | null;
    if (Array.isArray(s?.rng)) this.generator.setState(s.rng);
  }
}

/** The shared Trainer over a copy task (gradient clipping at 1). */
export function copyTrainer(task: CopyTask, limits: { maxSteps?: number; timeBudgetSeconds?: number } = {}): Trainer<CopyMetrics> {
  return new Trainer(task, { epochs: task.options.epochs, maxSteps: limits.maxSteps ?? 0, timeBudgetSeconds: limits.timeBudgetSeconds ?? 0, clipNorm: 1 });
}
