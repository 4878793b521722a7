/**
 * Batches of sequence pairs of similar length (so little of each batch is padding), in a seeded
 * random order, and padding into a rectangular (B, T) block.
 */
import { Generator } from '../util/random.js';
import { PAD_ID } from '../text/vocab.js';

/** Anything with a source and a target sequence of token ids. */
export interface EncodedPair {
  src: readonly number[];
  tgt: readonly number[];
}

export interface BucketBatchOptions {
  /**
   * Most tokens per batch, padding counted: a batch of B pairs whose longest side is T holds B·T
   * tokens on each side. A single pair longer than this gets a batch of its own.
   */
  maxTokens?: number;
  /** Most pairs per batch. */
  batchSize?: number;
  /** A seed or a Generator (its state advances, so successive epochs differ); default seed 0. */
  seed?: number | Generator;
  /** Shuffle the pairs within equal lengths and the order of the batches (default true). */
  shuffle?: boolean;
}

/**
 * Groups pairs into batches of similar length: pairs are sorted by length (longer side, then source,
 * then target; equal lengths in random order), cut into batches that respect `maxTokens` and/or
 * `batchSize`, and the batches are shuffled. Every pair lands in exactly one batch. Deterministic for
 * a given seed.
 * @example bucketBatches(pairs, { maxTokens: 4096, seed: epoch })
 */
export function bucketBatches<T extends EncodedPair>(pairs: readonly T[], options: BucketBatchOptions): T[][] {
  const { maxTokens = Infinity, batchSize = Infinity, shuffle = true } = options;
  if (maxTokens === Infinity && batchSize === Infinity) throw new Error('bucketBatches: give maxTokens or batchSize');
  if (!(maxTokens >= 1)) throw new Error(`bucketBatches: maxTokens must be at least 1, got ${maxTokens}`);
  if (!(batchSize >= 1)) throw new Error(`bucketBatches: batchSize must be at least 1, got ${batchSize}`);
  const gen = options.seed instanceof Generator ? options.seed : new Generator(options.seed ?? 0);
  const order = shuffle ? gen.permutation(pairs.length) : pairs.map((_, i) => i);
  const len = (p: T) => Math.max(p.src.length, p.tgt.length);
  // Array.prototype.sort is stable: equal lengths keep the shuffled order.
  order.sort((a, b) => {
    const pa = pairs[a];
    const pb = pairs[b];
    return len(pa) - len(pb) || pa.src.length - pb.src.length || pa.tgt.length - pb.tgt.length;
  });
  const batches: T[][] = [];
  let current: T[] = [];
  let longest = 0;
  for (const i of order) {
    const p = pairs[i];
    const l = Math.max(longest, len(p));
    if (current.length > 0 && ((current.length + 1) * l > maxTokens || current.length + 1 > batchSize)) {
      batches.push(current);
      current = [];
      longest = 0;
    }
    current.push(p);
    longest = Math.max(longest, len(p));
  }
  if (current.length > 0) batches.push(current);
  if (shuffle) {
    const perm = gen.permutation(batches.length);
    return perm.map((k) => batches[k]);
  }
  return batches;
}

export interface PaddedBatch {
  /** B·T ids, row-major, `padId` after each sequence's end. */
  ids: number[];
  /** (B, T) */
  shape: [number, number];
  /** The unpadded length of each row. */
  lengths: number[];
}

/**
 * Pads sequences to the longest one: a row-major (B, T) block of ids.
 * @example padSequences([[5, 6, 7], [8]]) // { ids: [5, 6, 7, 8, 0, 0], shape: [2, 3], lengths: [3, 1] }
 */
export function padSequences(seqs: readonly (readonly number[])[], padId = PAD_ID): PaddedBatch {
  const B = seqs.length;
  const T = seqs.reduce((m, s) => Math.max(m, s.length), 0);
  const ids = new Array<number>(B * T).fill(padId);
  seqs.forEach((s, b) => {
    for (let t = 0; t < s.length; t++) ids[b * T + t] = s[t];
  });
  return { ids, shape: [B, T], lengths: seqs.map((s) => s.length) };
}
