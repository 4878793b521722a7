/**
 * Training a word-level LM with truncated backpropagation through time, as PyTorch's
 * word_language_model example does it:
 *
 * 1. the token stream is cut into B parallel streams (`batchify`): row b is a contiguous stretch of
 *    the text, so position t of a chunk continues position t of the chunk before;
 * 2. each step takes the next `bptt` positions of every stream (`x`) and the same shifted by one
 *    (`y`, the next words), runs the model from the state the last chunk ended in, cut from the graph
 *    (`detachState`: gradients flow back `bptt` steps, the memory flows on forever);
 * 3. cross-entropy, backward, gradient clipping by global norm, Adam — the shared Trainer's loop
 *    (src/train/trainer.ts), which also keeps the budgets, the stops and the exact resumption; the
 *    state carried between chunks is part of what a checkpoint saves.
 *
 * The Transformer has no state: each training chunk is its own context of `bptt` ≤ `context` positions.
 * Perplexity on the held-out split is exp(mean cross-entropy) over the same predicted positions for every
 * kind (and the unigram baseline): the recurrent kinds carry their state through the text, the
 * Transformer slides a window so each token is scored once with the context it was trained to use.
 */
import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { Adam } from '../../optim/adam.js';
import { detachState, type RecurrentState } from '../../nn/rnn.js';
import type { Generator } from '../../util/random.js';
import { checkDataFingerprint, dataFingerprint, Trainer, type BatchLoss, type EvalRecord, type TrainingTask } from '../../train/trainer.js';
import { EOS_ID } from '../../text/vocab.js';
import { perplexityFromLoss } from '../../metrics/perplexity.js';
import type { WordLM } from './model.js';

export interface LmTrainingConfig {
  /** Most passes over the training stream (default 10). */
  epochs: number;
  /** B, parallel streams per step (default 32). */
  batchSize: number;
  /** Positions per chunk: how far back gradients flow (default 32; at most the Transformer's context). */
  bptt: number;
  /** Adam's learning rate (default 2e-3). */
  lr: number;
  /** Clip the global gradient norm to this (default 1; 0 turns clipping off). */
  clip: number;
  /** Seed of the initialisation and dropout (recorded; the caller seeds the model's generator). */
  seed: number;
  /** Stop after this many seconds of training, evaluation excluded (0: no limit). */
  timeBudgetSeconds: number;
  /** Stop after this many steps (0: no limit). */
  maxSteps: number;
  /** Streams of the held-out evaluation (default 8). */
  evalBatchSize: number;
}

export const DEFAULT_LM_TRAINING: LmTrainingConfig = {
  epochs: 10, batchSize: 32, bptt: 32, lr: 2e-3, clip: 1, seed: 0, timeBudgetSeconds: 0, maxSteps: 0, evalBatchSize: 8,
};

/** B streams of N tokens: row b holds ids[b·N, (b+1)·N); the tail that does not fill a row is dropped. */
export interface Streams {
  data: Int32Array;
  B: number;
  N: number;
}

/**
 * Cuts a token stream into B parallel streams (fewer when the text is too short for B streams of at
 * least two tokens). Throws when there are fewer than two tokens.
 * @example batchify(Int32Array.from([0,1,2,3,4,5,6]), 2) // rows [0,1,2] and [3,4,5]
 */
export function batchify(ids: Int32Array, batchSize: number): Streams {
  if (ids.length < 2) throw new Error(`lm: ${ids.length} token${ids.length === 1 ? '' : 's'} is too little text to train or evaluate on (need at least 2)`);
  const B = Math.max(1, Math.min(batchSize, Math.floor(ids.length / 2)));
  const N = Math.floor(ids.length / B);
  return { data: ids.slice(0, B * N), B, N };
}

/** Chunk at position i of the streams: x = [i, i+len), y = [i+1, i+1+len), len = min(bptt, N−1−i). */
export function chunk(s: Streams, i: number, bptt: number): { x: Tensor; y: Tensor; len: number } {
  const len = Math.min(bptt, s.N - 1 - i);
  const x = new Int32Array(s.B * len);
  const y = new Int32Array(s.B * len);
  for (let b = 0; b < s.B; b++) {
    const row = b * s.N + i;
    x.set(s.data.subarray(row, row + len), b * len);
    y.set(s.data.subarray(row + 1, row + 1 + len), b * len);
  }
  return { x: new Tensor(x, [s.B, len]), y: new Tensor(y, [s.B, len]), len };
}

/**
 * Splits a stream into training and held-out parts at a line end near (1 − fraction) of the way, so
 * no line is cut in two. Both parts keep at least two tokens when the stream has four or more.
 */
export function splitHeldOut(ids: Int32Array, fraction: number): { train: Int32Array; valid: Int32Array } {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`lm: the held-out fraction must be in (0, 1), got ${fraction}`);
  const n = ids.length;
  if (n < 4) throw new Error(`lm: ${n} tokens is too little text to split into training and held-out parts (need at least 4)`);
  let cut = Math.min(n - 2, Math.max(2, Math.round(n * (1 - fraction))));
  // move the cut to just after the nearest line end before it (but keep ≥ 2 tokens each side)
  for (let j = cut; j > 2; j--) {
    if (ids[j - 1] === EOS_ID) { cut = j; break; }
  }
  return { train: ids.slice(0, cut), valid: ids.slice(cut) };
}

/** What the LM's evaluation measures on the held-out text (NaN when there is none). */
export type LmMetrics = { validLoss: number; validPerplexity: number };

/** An evaluation of an LM as the run's history keeps it. */
export type LmEvalRecord = EvalRecord<LmMetrics> & { trainLoss: number };

/** Loss and perplexity of a model on a token stream. */
export interface LmEvaluation {
  loss: number;
  perplexity: number;
  tokens: number;
}

/**
 * Mean cross-entropy and perplexity of a stream's next-token predictions, eval mode, no graph.
 *
 * The stream is cut into B parallel streams as in training (`batchify`) and the predicted tokens are
 * every stream's positions 1…N−1 — the same set for every kind and for {@link unigramPerplexity}, so
 * the figures compare. Each kind reads with the longest context it has:
 * - recurrent kinds: chunks of `bptt` with the state carried, so a token sees its whole stream so far;
 * - the Transformer: a window of `window` positions sliding by `stride` (default half the window):
 *   the first window scores all its tokens, each later one only the `stride` new ones at its end, so
 *   every token is scored once with at least window − stride + 1 tokens before it (all of them near a
 *   stream's start); stride 1 gives every token the full window. The window defaults to the training
 *   chunk `bptt` when given, at most the context: positions past the chunk were never trained (a
 *   64-context model trained on 32-token chunks measured 219.5 with 64-token windows, 205.5 with 32).
 */
export function evaluateLm(
  model: WordLM, ids: Int32Array, options: { batchSize?: number; bptt?: number; window?: number; stride?: number } = {},
): LmEvaluation {
  const s = batchify(ids, options.batchSize ?? 8);
  const wasTraining = model.training;
  model.eval();
  let total = 0;
  let tokens = 0;
  noGrad(() => {
    if (model.kind === 'transformer') {
      const W = Math.min(options.window ?? options.bptt ?? model.maxPositions, model.maxPositions);
      const stride = Math.min(W, options.stride ?? Math.max(1, Math.ceil(W / 2)));
      if (!(Number.isInteger(W) && W >= 1)) throw new Error(`lm: the evaluation window must be a positive integer, got ${W}`);
      if (!(Number.isInteger(stride) && stride >= 1)) throw new Error(`lm: the evaluation stride must be a positive integer, got ${options.stride}`);
      // targets t = 1…N−1 of each stream; `done` is the last one scored, the window [a, e) predicts a+1…e
      for (let done = 0; done < s.N - 1; ) {
        const e = done === 0 ? Math.min(W, s.N - 1) : Math.min(done + stride, s.N - 1);
        const a = Math.max(0, e - W);
        const { x, y } = chunk(s, a, e - a);
        const logits = model.forward(x).logits; // (B, e − a, V): position j sees inputs a…a+j only
        total += model.loss(logits.slice(1, done - a, e - a), y.slice(1, done - a, e - a), 'sum').item();
        tokens += s.B * (e - done);
        done = e;
      }
    } else {
      const bptt = options.bptt ?? 32;
      let state: RecurrentState | null = null;
      for (let i = 0; i < s.N - 1; i += bptt) {
        const { x, y, len } = chunk(s, i, bptt);
        const out = model.forward(x, state);
        state = out.state;
        total += model.loss(out.logits, y, 'sum').item();
        tokens += s.B * len;
      }
    }
  });
  model.train(wasTraining);
  const loss = total / tokens;
  return { loss, perplexity: perplexityFromLoss(loss), tokens };
}

/** A tensor as plain JSON (a checkpoint's trainer state is JSON). */
function tensorJson(t: Tensor | null | undefined): { shape: number[]; data: number[] } | null {
  return t ? { shape: [...t.shape], data: Array.from(t.toFloat32Array()) } : null;
}

function tensorFromJson(j: { shape: number[]; data: number[] } | null): Tensor | null {
  return j ? new Tensor(Float32Array.from(j.data), j.shape) : null;
}

/**
 * The LM's training work for the shared Trainer: chunk `index` of the B parallel streams, read from the
 * state the previous chunk ended in (cut from the graph); the best checkpoint has the lowest held-out loss.
 * @example
 * const task = new LmTask(model, trainIds, validIds, { ...DEFAULT_LM_TRAINING, epochs: 5 }, generator);
 * const reason = await lmTrainer(task).run({ onEval: (r) => console.log(r.validPerplexity) });
 */
export class LmTask implements TrainingTask<LmMetrics> {
  readonly optimizer: Adam;
  readonly streams: Streams;
  readonly selection = { metric: 'validLoss', higherIsBetter: false } as const;
  /** The state the last chunk ended in: where the next chunk of the same epoch starts. */
  private carried: RecurrentState | null = null;

  constructor(
    readonly model: WordLM,
    train: Int32Array,
    readonly valid: Int32Array | null,
    readonly config: LmTrainingConfig,
    /** The generator the model's dropout draws from (its state is saved with the run). */
    readonly generator?: Generator,
  ) {
    if (config.bptt < 1 || !Number.isInteger(config.bptt)) throw new Error(`lm: bptt must be a positive integer, got ${config.bptt}`);
    if (config.bptt > model.maxPositions) {
      throw new Error(`lm: bptt ${config.bptt} exceeds the Transformer's context ${model.maxPositions}; use --bptt ≤ ${model.maxPositions} or a larger --context`);
    }
    this.streams = batchify(train, config.batchSize);
    this.optimizer = new Adam(model.parameters(), { lr: config.lr });
  }

  /** Chunks per epoch. */
  get batchesPerEpoch(): number {
    return Math.ceil((this.streams.N - 1) / this.config.bptt);
  }

  batchCount(): number {
    return this.batchesPerEpoch;
  }

  startEpoch(_epoch: number, index: number): void {
    // each epoch reads the streams from their beginning, with no memory of the last one
    if (index === 0) this.carried = null;
  }

  forwardBackward(_epoch: number, index: number): BatchLoss {
    const { x, y, len } = chunk(this.streams, index * this.config.bptt, this.config.bptt);
    const out = this.model.forward(x, this.carried ? detachState(this.carried) : null);
    const loss = this.model.loss(out.logits, y);
    loss.backward();
    this.carried = out.state;
    return { loss, tokens: this.streams.B * len };
  }

  evaluate(): LmMetrics {
    if (!this.valid || this.valid.length < 2) return { validLoss: NaN, validPerplexity: NaN };
    const v = evaluateLm(this.model, this.valid, { batchSize: this.config.evalBatchSize, bptt: this.config.bptt });
    return { validLoss: v.loss, validPerplexity: v.perplexity };
  }

  saveState(): unknown {
    return { rng: this.generator?.getState() ?? null, h: tensorJson(this.carried?.h), c: tensorJson(this.carried?.c), data: dataFingerprint([this.streams.data]) };
  }

  loadState(state: unknown): void {
    const s = state as { rng: number[] | null; h: { shape: number[]; data: number[] } | null; c: { shape: number[]; data: number[] } | null; data?: string };
    checkDataFingerprint(s.data, dataFingerprint([this.streams.data]));
    if (s.rng && this.generator) this.generator.setState(s.rng);
    const h = tensorFromJson(s.h);
    const c = tensorFromJson(s.c);
    this.carried = h ? (c ? { h, c } : { h }) : null;
  }
}

/** The shared Trainer over an LM task, with the task's budgets and clipping. */
export function lmTrainer(task: LmTask): Trainer<LmMetrics> {
  const c = task.config;
  return new Trainer(task, { epochs: c.epochs, timeBudgetSeconds: c.timeBudgetSeconds, maxSteps: c.maxSteps, clipNorm: c.clip });
}

/**
 * The perplexity of the unigram model of `train` (add-one smoothed counts over V words) on `valid`:
 * the baseline a model that ignores context gets, to read the LM's perplexity against. It scores the
 * tokens {@link evaluateLm} predicts with the same `batchSize` (positions 1…N−1 of each of the B
 * streams), so the two figures are over the same tokens.
 */
export function unigramPerplexity(train: Int32Array, valid: Int32Array, V: number, options: { batchSize?: number } = {}): number {
  const counts = new Float64Array(V).fill(1);
  for (const id of train) counts[id]++;
  const total = train.length + V;
  const s = batchify(valid, options.batchSize ?? 8);
  let nll = 0;
  for (let b = 0; b < s.B; b++) {
    for (let t = 1; t < s.N; t++) nll -= Math.log(counts[s.data[b * s.N + t]] / total);
  }
  return Math.exp(nll / (s.B * (s.N - 1)));
}
