/**
 * A word LM as a search's `StepModel` (src/decode/search.ts), so that next-word prediction and
 * generation run through the same decoding loop as the translator, one new token per step:
 *
 * - the recurrent kinds carry their state (h, and c for the LSTM) from step to step;
 * - the causal Transformer keeps its self-attention keys and values in a KV cache. While the text fits
 *   its context, a step costs one position. Past the context the model sees only the last `context`
 *   tokens (as GPT models do); its positions are absolute, so when the window slides every position
 *   shifts and no cached key stays valid: from then on each step reruns the window, as before.
 *
 * The tokens given to the constructor (a prompt) are read together with the first step's token, in
 * one pass. Rows start as one; `reorder` forks, drops and reorders them with their state.
 * The model should be in eval mode (dropout off); the step model does not switch it.
 */
import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { indexSelect } from '../../ops/index-ops.js';
import { KVCache } from '../../nn/attention.js';
import type { RecurrentState } from '../../nn/rnn.js';
import type { StepModel, StepOutput } from '../../decode/search.js';
import type { WordLM } from './model.js';

/** The recurrent kinds read long inputs in pieces of this many positions, carrying the state (bounded memory). */
const RECURRENT_PIECE = 256;

export interface LmStepOptions {
  /** Transformer: use the KV cache (default true); false reruns the window every step (for tests). */
  useCache?: boolean;
}

/**
 * @example
 * const ids = tokenizer.encodePrompt('Apple is').ids;
 * const stepper = new LmStepModel(lm, ids.slice(0, -1));
 * const [h] = greedySearch(stepper, 1, { bos: ids[ids.length - 1], eos: EOS_ID, maxLen: 20, minLen: 0 });
 */
export class LmStepModel implements StepModel {
  readonly vocabSize: number;
  /** Tokens read with the first step, before its token. */
  private pending: number[];
  private rows = 1;
  private state: RecurrentState | null = null;
  private readonly cache: KVCache | null;
  /** Transformer: every token each row has read (the window is cut from it). */
  private read: number[][] | null;

  constructor(private readonly model: WordLM, prompt: readonly number[] = [], options: LmStepOptions = {}) {
    this.vocabSize = model.config.vocabSize;
    this.pending = [...prompt];
    const transformer = Number.isFinite(model.maxPositions);
    this.cache = transformer && (options.useCache ?? true) ? new KVCache() : null;
    this.read = transformer ? [[]] : null;
  }

  /** Next-token logits (N, V) after each row reads `tokens[r]` (the first call: the prompt, then it). */
  logits(tokens: readonly number[]): Tensor {
    if (tokens.length !== this.rows) throw new Error(`LmStepModel: ${tokens.length} tokens for ${this.rows} rows`);
    const fresh = tokens.map((t) => [...this.pending, t]);
    this.pending = [];
    return noGrad(() => (this.read ? this.transformerStep(fresh) : this.recurrentStep(fresh)));
  }

  step(tokens: readonly number[]): StepOutput {
    const logits = this.logits(tokens);
    return { logProbs: Float32Array.from(noGrad(() => logits.logSoftmax(-1)).contiguousData()) };
  }

  reorder(index: readonly number[]): void {
    const idx = [...index];
    for (const i of idx) if (!(i >= 0 && i < this.rows)) throw new Error(`LmStepModel.reorder: row ${i} out of range [0, ${this.rows})`);
    noGrad(() => {
      this.cache?.reorder(idx);
      // h and c are (layers, B, H): rows are the second axis
      if (this.state) this.state = { h: this.state.h && indexSelect(this.state.h, 1, idx), c: this.state.c && indexSelect(this.state.c, 1, idx) };
    });
    if (this.read) this.read = idx.map((i) => [...this.read![i]]);
    this.rows = idx.length;
  }

  private transformerStep(fresh: number[][]): Tensor {
    const read = this.read!;
    fresh.forEach((f, r) => read[r].push(...f));
    const context = this.model.maxPositions;
    // the cache's position is the one record of how far the rows have got
    if (this.cache && this.cache.position + fresh[0].length <= context) {
      return lastPosition(this.model.forwardCached(idsTensor(fresh), this.cache));
    }
    if (this.cache && this.cache.position < context) {
      // the window slides: no cached key is valid any more; the cache is dropped and marked full, so
      // that every later step takes the window path too
      this.cache.clear();
      this.cache.position = context;
    }
    // past the context (or without the cache): the last `context` tokens, from scratch
    const window = read.map((r) => r.slice(Math.max(0, r.length - context)));
    return lastPosition(this.model.forward(idsTensor(window)).logits);
  }

  private recurrentStep(fresh: number[][]): Tensor {
    let last: Tensor | null = null;
    const T = fresh[0].length;
    for (let i = 0; i < T; i += RECURRENT_PIECE) {
      const out = this.model.forward(idsTensor(fresh.map((f) => f.slice(i, i + RECURRENT_PIECE))), this.state);
      this.state = out.state;
      last = out.logits;
    }
    return lastPosition(last!);
  }
}

/** Rows of equal length as (N, T) int32 ids. */
function idsTensor(rows: readonly (readonly number[])[]): Tensor {
  return new Tensor(Int32Array.from(rows.flat()), [rows.length, rows[0].length]);
}

/** logits (N, T, V) → the last position's (N, V). */
function lastPosition(logits: Tensor): Tensor {
  const [N, T, V] = logits.shape;
  return logits.slice(1, T - 1, T).reshape([N, V]);
}
