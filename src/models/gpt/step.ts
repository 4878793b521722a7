/**
 * A GPT as a search's `StepModel` (src/decode/search.ts): greedy search, beam search and sampling
 * drive it one new token per step. Its self-attention keys and values stay in a KV cache, so while
 * the text fits the context a step costs one position. Past the context the model sees only the last
 * `nPositions` tokens; its positions are absolute, so when the window slides every position shifts
 * and no cached key stays valid: from then on each step reruns the window (as src/models/lm/step.ts).
 *
 * The tokens given to the constructor (the prompt but its last token) are read together with the
 * first step's token (the prompt's last), in one pass. Rows start as one; `reorder` forks, drops and
 * reorders them with their cache. The model should be in eval mode; the step model does not switch it.
 */
import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { KVCache } from '../../nn/attention.js';
import type { StepModel, StepOutput } from '../../decode/search.js';
import type { GptModel } from './model.js';

export interface GptStepOptions {
  /** Use the KV cache (default true); false reruns the whole window every step (the reference in tests). */
  useCache?: boolean;
}

/** A step's answer with the raw logits too: sampling's repetition penalty is defined on logits. */
export interface GptStepOutput extends StepOutput {
  /** (N, V) row-major next-token logits. */
  logits: Float32Array;
}

/**
 * @example
 * const ids = tokenizer.encode('Hello');
 * const stepper = new GptStepModel(model, ids.slice(0, -1));
 * const [h] = greedySearch(stepper, 1, { bos: ids[ids.length - 1], eos: config.eosTokenId ?? -1, maxLen: 20, minLen: 0 });
 */
export class GptStepModel implements StepModel {
  readonly vocabSize: number;
  private pending: number[];
  private rows = 1;
  private readonly cache: KVCache | null;
  /** Every token each row has read (the window is cut from it when the context is full). */
  private read: number[][] = [[]];

  constructor(private readonly model: GptModel, prompt: readonly number[] = [], options: GptStepOptions = {}) {
    this.vocabSize = model.config.vocabSize;
    this.pending = [...prompt];
    this.cache = options.useCache ?? true ? new KVCache() : null;
  }

  /** Next-token logits (N, V) after each row reads `tokens[r]` (the first call: the prompt, then it). */
  logits(tokens: readonly number[]): Tensor {
    if (tokens.length !== this.rows) throw new Error(`GptStepModel: ${tokens.length} tokens for ${this.rows} rows`);
    const fresh = tokens.map((t) => [...this.pending, t]);
    this.pending = [];
    fresh.forEach((f, r) => this.read[r].push(...f));
    const context = this.model.config.nPositions;
    return noGrad(() => {
      if (this.cache && this.cache.position + fresh[0].length <= context) {
        return lastPosition(this.model.forward(idsTensor(fresh), { cache: this.cache }));
      }
      if (this.cache && this.cache.position < context) {
        // the window slides: no cached key is valid any more; the cache is dropped and marked full,
        // so every later step takes the window path too
        this.cache.clear();
        this.cache.position = context;
      }
      const window = this.read.map((r) => r.slice(Math.max(0, r.length - context)));
      return lastPosition(this.model.forward(idsTensor(window)));
    });
  }

  step(tokens: readonly number[]): GptStepOutput {
    const logits = this.logits(tokens);
    return {
      logProbs: Float32Array.from(noGrad(() => logits.logSoftmax(-1)).contiguousData()),
      logits: Float32Array.from(logits.contiguousData()),
    };
  }

  reorder(index: readonly number[]): void {
    const idx = [...index];
    for (const i of idx) if (!(i >= 0 && i < this.rows)) throw new Error(`GptStepModel.reorder: row ${i} out of range [0, ${this.rows})`);
    noGrad(() => this.cache?.reorder(idx));
    this.read = idx.map((i) => [...this.read[i]]);
    this.rows = idx.length;
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
