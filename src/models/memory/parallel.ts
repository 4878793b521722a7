/**
 * Parallel training, measured: the time of one training step (forward, backward, clipping, Adam) per
 * sequence, as the length T grows, at batch 1 and at a large batch — beside the sequential depth that
 * decides it on a machine with enough parallel units: the matrix products on the forward pass's
 * critical path (each needs the previous one's result). An RNN or LSTM layer has one per position
 * (h_t needs h_{t−1}); a Transformer layer has six whatever T is (the QKV projection, QKᵀ, the
 * weighted sum of V, the output projection and the two feed-forward products), all positions at once.
 *
 * On a loaded 2-core machine timings are noisy: the models' steps are interleaved (round r times each
 * model once, in turn), so a burst of load hits all of them alike, and the median of the rounds counts.
 */
import { Adam } from '../../optim/adam.js';
import { Generator as Rng } from '../../util/random.js';
import { yieldToEventLoop } from '../../train/trainer.js';
import { makeMemoryModel, trainMemoryStep, type MemoryModelKind } from './experiment.js';
import type { MemoryBatch } from './task.js';

export interface ParallelOptions {
  models: MemoryModelKind[];
  /** Lengths timed at batch 1. */
  lengths: number[];
  /** The large batch, and the lengths timed at it (short ones: a batch of long sequences costs minutes). */
  largeBatch: number;
  largeBatchLengths: number[];
  /** Timed rounds per shape (after one warm-up step of each model); the median counts. */
  repeats: number;
  /** Vocabulary of the random ids (the memory task's size). */
  vocab: number;
  seed: number;
}

export const DEFAULT_PARALLEL_OPTIONS: ParallelOptions = {
  models: ['rnn', 'lstm', 'transformer'], lengths: [16, 64, 256, 1024], largeBatch: 32, largeBatchLengths: [16, 64, 256], repeats: 7, vocab: 78, seed: 0,
};

export interface ParallelRow {
  kind: MemoryModelKind;
  B: number;
  T: number;
  /** Median ms of one training step over the rounds. */
  msPerStep: number;
  /** msPerStep / B: the time to train on one sequence. */
  msPerSequence: number;
  /** The spread of the rounds: fastest and slowest step, ms. */
  minMs: number;
  maxMs: number;
  /** Matrix products on the forward pass's critical path (see sequentialDepth). */
  depth: number;
}

export interface ParallelResult {
  options: ParallelOptions;
  rows: ParallelRow[];
  /** os.loadavg() of the machine before and after, when the caller gives it (the engine does not read it). */
  load?: { before: number[]; after: number[] };
}

/**
 * Matrix products on the critical path of a forward pass over T positions with `layers` layers: the
 * embedding lookup is not a product; the recurrent kinds project every input at once (1 product per
 * layer), then need T products h_{t−1}·W_hh one after another; a Transformer layer needs 6 whatever T;
 * then the decoder (1).
 */
export function sequentialDepth(kind: MemoryModelKind, T: number, layers: number): number {
  return kind === 'transformer' ? 6 * layers + 1 : layers * (T + 1) + 1;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

function checkParallelOptions(o: ParallelOptions): void {
  if (o.models.length === 0) throw new Error('memory parallel: no models');
  for (const T of [...o.lengths, ...o.largeBatchLengths]) if (!Number.isInteger(T) || T < 1) throw new Error(`memory parallel: lengths must be positive integers, got ${T}`);
  for (const [k, v] of [['largeBatch', o.largeBatch], ['repeats', o.repeats], ['vocab', o.vocab]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`memory parallel: ${k} must be a positive integer, got ${v}`);
  }
}

/** Times every model at every (B, T) of the options, interleaved; `log` hears one line per shape. */
export async function runParallelBenchmark(options: Partial<ParallelOptions> = {}, hooks: { log?: (line: string) => void; signal?: AbortSignal } = {}): Promise<ParallelResult> {
  const o: ParallelOptions = { ...DEFAULT_PARALLEL_OPTIONS, ...options };
  checkParallelOptions(o);
  const shapes = [...o.lengths.map((T) => [1, T]), ...o.largeBatchLengths.map((T) => [o.largeBatch, T])];
  const rows: ParallelRow[] = [];
  for (const [B, T] of shapes) {
    if (hooks.signal?.aborted) break;
    const g = new Rng(o.seed * 7 + T + B);
    const batch: MemoryBatch = {
      ids: Int32Array.from({ length: B * T }, () => g.randint(o.vocab)), answers: Int32Array.from({ length: B }, () => g.randint(o.vocab)),
      storyFoods: new Int32Array(B), B, T, distance: 0,
    };
    const runs = o.models.map((kind) => {
      const model = makeMemoryModel(kind, o.vocab, T, o.seed);
      return { kind, model, opt: new Adam(model.parameters(), { lr: 1e-3 }), times: [] as number[] };
    });
    for (const r of runs) trainMemoryStep(r.model, r.opt, batch, 1); // warm-up: JIT, buffers
    for (let round = 0; round < o.repeats; round++) {
      for (const r of runs) {
        const t0 = performance.now();
        trainMemoryStep(r.model, r.opt, batch, 1);
        r.times.push(performance.now() - t0);
      }
      await yieldToEventLoop();
    }
    for (const r of runs) {
      const ms = median(r.times);
      rows.push({ kind: r.kind, B, T, msPerStep: ms, msPerSequence: ms / B, minMs: Math.min(...r.times), maxMs: Math.max(...r.times), depth: sequentialDepth(r.kind, T, r.model.config.numLayers) });
    }
    hooks.log?.(`  B=${B} T=${T}: ${runs.map((r) => `${r.kind} ${median(r.times).toFixed(1)} ms`).join(', ')}`);
  }
  return { options: o, rows };
}
