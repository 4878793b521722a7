/**
 * What greedy decoding and beam search share: the model they search, seen only through next-token
 * log-probabilities (`StepModel`), and what they return (`Hypothesis`).
 *
 * The searches know nothing of Transformers or recurrent networks, and this folder imports no model:
 * a `StepModel` is anything that reads one more token per row, answers next-token log-probabilities
 * and can reorder its rows. That keeps the searches testable on a table of made-up probabilities;
 * each model brings its own adapter, next to it (the translator's in src/models/seq2seq/step.ts, the
 * language models' in src/models/lm/step.ts). The step model alone knows how far each row has got
 * (its cache's position): the searches hold only what they generated.
 * Dimension letters: N rows (live hypotheses), V vocabulary, S source length.
 */

/** What one `StepModel.step` returns. */
export interface StepOutput {
  /** (N, V) row-major: log-probabilities of the next token for each row. */
  logProbs: Float32Array;
  /** Per row, this step's attention over that row's source (S values), when the model records it. */
  attention?: Float32Array[];
}

/**
 * A decoder seen by a search. Rows are hypotheses: the search starts with one row per sentence
 * (row i is sentence i), and after every step tells the model which rows it keeps (`reorder`), so a
 * model with a cache can fork, drop and reorder its cached state along.
 */
export interface StepModel {
  /** V, the size of the output vocabulary. */
  readonly vocabSize: number;
  /**
   * Reads `tokens[r]` as row r's next token and returns the next-token log-probabilities of every
   * row. The first call gives each row the start token (`SearchOptions.bos`); every later call the
   * token the search chose for it. What came before is the model's to keep (a KV cache, a recurrent
   * state, or the tokens themselves).
   */
  step(tokens: readonly number[]): StepOutput;
  /** Keeps rows `index` in that order: an index may repeat (a beam forks) or be missing (it ended). */
  reorder(index: readonly number[]): void;
}

/** One decoding step of a hypothesis, for `explain`: the token chosen and the top candidates. */
export interface StepCandidates {
  /** The token this hypothesis took at this step. */
  token: number;
  /** Its probability under the model at this step. */
  prob: number;
  /** The most likely next tokens at this step, most likely first (ties: lower id first). */
  candidates: { token: number; prob: number }[];
}

/** A finished search result for one sentence. */
export interface Hypothesis {
  /** The generated tokens, without bos and without the final eos. */
  tokens: number[];
  /** Sum of the log-probabilities of the generated tokens, eos included when it ended with one. */
  logProb: number;
  /** What the search ranked by: beam search's logProb / length^α (length counting eos); greedy's logProb. */
  score: number;
  /** True when it ended with eos; false when it stopped at the maximum length. */
  finished: boolean;
  /** With `explain`: one entry per generated token, the final eos included. */
  steps?: StepCandidates[];
  /** With attention: per generated token (final eos included), the attention over the source. */
  attention?: Float32Array[];
}

export interface SearchOptions {
  /** The token every row reads first: the translator's bos; for a language model, its prompt's last token. */
  bos: number;
  eos: number;
  /**
   * Most tokens to generate per sentence, eos included: one number for all, or one per sentence.
   * A hypothesis that reaches it stops without eos (`finished: false`).
   */
  maxLen: number | readonly number[];
  /** Fewest tokens before eos may be chosen (default 1: no empty output, as fairseq's min_len). */
  minLen?: number;
  /** Tokens never generated (e.g. pad and bos, which cannot be fed back). */
  bannedTokens?: readonly number[];
  /** Record each step's top `explainTopK` candidates (default 0: none; `explain` in the CLI is 5). */
  explainTopK?: number;
  /** Keep the attention the model reports per step (default false). */
  attention?: boolean;
}

/**
 * The length penalty of fairseq (`--lenpen`) and OpenNMT's "avg": a hypothesis of `length` tokens
 * (eos included) and summed log-probability `logProb` scores logProb / length^α. α = 0 ranks by
 * log-probability alone (favouring short output); α = 1 by the mean log-probability per token.
 */
export function lengthNormalized(logProb: number, length: number, alpha: number): number {
  return alpha === 0 ? logProb : logProb / Math.max(1, length) ** alpha;
}

/**
 * The `k` largest entries of `row[from, from + V)` as [index, value] pairs, largest first; ties go to
 * the lower index (as argmax). −Infinity entries are never returned. O(V·k) worst case, O(V) usually.
 */
export function topK(row: Float32Array, from: number, V: number, k: number): { index: number[]; value: number[] } {
  const index: number[] = [];
  const value: number[] = [];
  if (k <= 0) return { index, value };
  for (let v = 0; v < V; v++) {
    const x = row[from + v];
    if (!(x > -Infinity)) continue; // -Infinity and NaN never win
    if (index.length === k && x <= value[k - 1]) continue;
    // insertion point: after every value >= x (equal values keep the earlier, lower index first)
    let i = index.length === k ? k - 1 : index.length;
    while (i > 0 && value[i - 1] < x) i--;
    if (index.length === k) {
      index.pop();
      value.pop();
    }
    index.splice(i, 0, v);
    value.splice(i, 0, x);
  }
  return { index, value };
}

/** The per-sentence maximum lengths as an array of `n`. */
export function maxLengths(maxLen: number | readonly number[], n: number): number[] {
  const out = typeof maxLen === 'number' ? new Array<number>(n).fill(maxLen) : [...maxLen];
  if (out.length !== n) throw new Error(`decode: maxLen has ${out.length} entries for ${n} sentences`);
  for (const m of out) if (!Number.isInteger(m) || m < 1) throw new Error(`decode: maxLen must be an integer >= 1, got ${m}`);
  return out;
}

/**
 * Applies bans and the minimum length to one row of log-probabilities, in place: banned tokens and
 * (before `minLen` tokens) eos become −Infinity.
 */
export function constrainRow(logProbs: Float32Array, from: number, length: number, o: SearchOptions): void {
  for (const t of o.bannedTokens ?? []) logProbs[from + t] = -Infinity;
  if (length < (o.minLen ?? 1)) logProbs[from + o.eos] = -Infinity;
}

/** The top-k candidates of a row as probabilities, for `explain`. */
export function candidatesOf(logProbs: Float32Array, from: number, V: number, k: number): { token: number; prob: number }[] {
  const { index, value } = topK(logProbs, from, V, k);
  return index.map((token, i) => ({ token, prob: Math.exp(value[i]) }));
}
