/**
 * Training a word-level LM with truncated backpropagation through time, as PyTorch's
 * word_language_model example does it:
 *
 * 1. the token stream is cut into B parallel streams (`batchify`): row b is a contiguous stretch of
 *    the text, so position t of a chunk continues position t of the chunk before;
 * 2. each step takes the next `bptt` positions of every stream (`x`) and the same shifted by one
 *    (`y`, the next words), runs the model from the state the last chunk ended in, cut from the graph
 *    (`detachState`: gradients flow back `bptt` steps, the memory flows on forever);
 * 3. cross-entropy, backward, gradient clipping by global norm, Adam.
 *
 * The Transformer has no state: each chunk is its own context of `bptt` ≤ `context` positions.
 * Perplexity on the held-out split is exp(mean cross-entropy) over every held-out token, read the same way.
 */
import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { Adam } from '../../optim/adam.js';
import { clipGradNorm } from '../../optim/clip.js';
import { detachState, type RecurrentState } from '../../nn/rnn.js';
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

/** Lets pending events run between training steps: setImmediate in Node, a zero timeout elsewhere. */
export function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate;
  return new Promise<void>((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}

export interface LmStepInfo {
  step: number;
  /** 0-based epoch and 1-based chunk within it. */
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  gradNorm: number;
  tokensPerSecond: number;
  /** Seconds of training so far (evaluation excluded). */
  seconds: number;
}

export interface LmEpochResult {
  epoch: number;
  step: number;
  trainLoss: number;
  trainPerplexity: number;
  validLoss: number;
  validPerplexity: number;
  /** Seconds this epoch trained (evaluation excluded). */
  seconds: number;
  tokensPerSecond: number;
  /** False when training stopped partway through this epoch. */
  complete: boolean;
}

export interface LmTrainerState {
  step: number;
  epoch: number;
  seconds: number;
  trainTokens: number;
  history: LmEpochResult[];
}

export type LmStopReason = 'done' | 'time' | 'steps' | 'stopped';

export interface LmRunHooks {
  /** Stops after the current step (Ctrl-C). */
  signal?: AbortSignal;
  onStep?: (s: LmStepInfo) => void;
  onEpoch?: (r: LmEpochResult) => void | Promise<void>;
}

/** Loss and perplexity of a model on a token stream. */
export interface LmEvaluation {
  loss: number;
  perplexity: number;
  tokens: number;
}

/**
 * Mean cross-entropy and perplexity over every next-token prediction of a stream, read in chunks of
 * `bptt` with the state carried (recurrent kinds) — the way the model was trained. Eval mode, no graph.
 */
export function evaluateLm(model: WordLM, ids: Int32Array, options: { batchSize?: number; bptt?: number } = {}): LmEvaluation {
  const bptt = Math.min(options.bptt ?? 32, model.maxPositions);
  const s = batchify(ids, options.batchSize ?? 8);
  const wasTraining = model.training;
  model.eval();
  let total = 0;
  let tokens = 0;
  noGrad(() => {
    let state: RecurrentState | null = null;
    for (let i = 0; i < s.N - 1; i += bptt) {
      const { x, y, len } = chunk(s, i, bptt);
      const out = model.forward(x, state);
      state = out.state;
      total += model.loss(out.logits, y, 'sum').item();
      tokens += s.B * len;
    }
  });
  model.train(wasTraining);
  const loss = total / tokens;
  return { loss, perplexity: perplexityFromLoss(loss), tokens };
}

/**
 * @example
 * const trainer = new LmTrainer(model, trainIds, validIds, { ...DEFAULT_LM_TRAINING, epochs: 5 });
 * const reason = await trainer.run({ onEpoch: (r) => console.log(r.validPerplexity) });
 */
export class LmTrainer {
  readonly optimizer: Adam;
  readonly streams: Streams;
  readonly state: LmTrainerState = { step: 0, epoch: 0, seconds: 0, trainTokens: 0, history: [] };

  constructor(readonly model: WordLM, train: Int32Array, readonly valid: Int32Array | null, readonly config: LmTrainingConfig) {
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

  /** One step on chunk (x, y) from `state`; returns the loss, the gradient norm before clipping and the new state. */
  step(x: Tensor, y: Tensor, state: RecurrentState | null): { loss: number; gradNorm: number; state: RecurrentState | null } {
    this.model.train();
    this.optimizer.zeroGrad();
    const out = this.model.forward(x, state ? detachState(state) : null);
    const loss = this.model.loss(out.logits, y);
    loss.backward();
    const gradNorm = this.config.clip > 0 ? clipGradNorm(this.model.parameters(), this.config.clip) : NaN;
    this.optimizer.step();
    const value = loss.item();
    if (!Number.isFinite(value)) throw new Error(`lm: the loss became ${value} at step ${this.state.step + 1}; lower --lr or keep --clip on`);
    return { loss: value, gradNorm, state: out.state };
  }

  /** Trains until the epochs, the step limit or the time budget run out, or the signal fires. */
  async run(hooks: LmRunHooks = {}): Promise<LmStopReason> {
    const c = this.config;
    const s = this.streams;
    const batches = this.batchesPerEpoch;
    while (this.state.epoch < c.epochs) {
      let state: RecurrentState | null = null;
      let lossSum = 0;
      let lossTokens = 0;
      let epochSeconds = 0;
      let epochTokens = 0;
      let batch = 0;
      let reason: LmStopReason | null = null;
      for (let i = 0; i < s.N - 1; i += c.bptt) {
        if (hooks.signal?.aborted) { reason = 'stopped'; break; }
        if (c.timeBudgetSeconds > 0 && this.state.seconds >= c.timeBudgetSeconds) { reason = 'time'; break; }
        if (c.maxSteps > 0 && this.state.step >= c.maxSteps) { reason = 'steps'; break; }
        const t0 = performance.now();
        const { x, y, len } = chunk(s, i, c.bptt);
        const r = this.step(x, y, state);
        state = r.state;
        const dt = (performance.now() - t0) / 1000;
        const n = s.B * len;
        batch++;
        this.state.step++;
        this.state.seconds += dt;
        this.state.trainTokens += n;
        epochSeconds += dt;
        epochTokens += n;
        lossSum += r.loss * n;
        lossTokens += n;
        hooks.onStep?.({ step: this.state.step, epoch: this.state.epoch, batch, batches, loss: r.loss, gradNorm: r.gradNorm, tokensPerSecond: n / Math.max(dt, 1e-9), seconds: this.state.seconds });
        await yieldToEventLoop(); // let Ctrl-C, timers and a page's events in
      }
      if (lossTokens > 0) {
        // a whole epoch, or the part trained before a stop (recorded with complete: false)
        const v = this.valid && this.valid.length >= 2 ? evaluateLm(this.model, this.valid, { batchSize: c.evalBatchSize, bptt: c.bptt }) : null;
        const trainLoss = lossSum / lossTokens;
        const result: LmEpochResult = {
          epoch: this.state.epoch + 1, step: this.state.step, trainLoss, trainPerplexity: Math.exp(trainLoss),
          validLoss: v ? v.loss : NaN, validPerplexity: v ? v.perplexity : NaN, seconds: epochSeconds, tokensPerSecond: epochTokens / Math.max(epochSeconds, 1e-9),
          complete: reason === null,
        };
        this.state.history.push(result);
        await hooks.onEpoch?.(result);
      }
      if (reason) return reason;
      this.state.epoch++;
    }
    return 'done';
  }
}

/**
 * The perplexity of the unigram model of `train` (add-one smoothed counts over V words) on `valid`:
 * the baseline a model that ignores context gets, to read the LM's perplexity against.
 */
export function unigramPerplexity(train: Int32Array, valid: Int32Array, V: number): number {
  const counts = new Float64Array(V).fill(1);
  for (const id of train) counts[id]++;
  const total = train.length + V;
  let nll = 0;
  // the LM predicts valid[1..]: score the same tokens
  for (let i = 1; i < valid.length; i++) nll -= Math.log(counts[valid[i]] / total);
  return Math.exp(nll / Math.max(1, valid.length - 1));
}
