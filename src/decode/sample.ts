/**
 * Sampling: how a GPT writes, one token at a time, each drawn from the model's next-token
 * distribution reshaped by the usual knobs — the repetition penalty, temperature, top-k and top-p
 * (nucleus) — applied in that order, as Hugging Face's `generate` applies them. Temperature 0 is
 * greedy decoding (the most likely token, ties to the lower id). Draws come from a seeded generator:
 * the same seed, model and options give the same tokens.
 *
 * Like greedy and beam search it sees the model only as a `StepModel`; one row, one token per step.
 * A step model may add raw `logits` to its output (src/models/gpt/step.ts does): the repetition
 * penalty is defined on logits (dividing a positive one, multiplying a negative one) and would act
 * differently on log-probabilities, which are all negative.
 */
import { Generator } from '../util/random.js';
import { candidatesOf, topK, type StepCandidates, type StepModel, type StepOutput } from './search.js';

export interface SamplingOptions {
  /** The token read first: the prompt's last (the step model holds the rest of the prompt). */
  bos: number;
  /** Most tokens to generate (an end token included). */
  maxTokens: number;
  /** Tokens that end the text when drawn (e.g. GPT-2's <|endoftext|>); not part of the output. */
  eos?: readonly number[];
  /** 0 = greedy; below 1 sharpens the distribution, above 1 flattens it (default 1). */
  temperature?: number;
  /** Draw only from the k most likely tokens (default: all). Ties with the k-th are kept, as in HF. */
  topK?: number;
  /** Draw only from the smallest set of most likely tokens whose probability reaches p, in (0, 1] (default 1: all). */
  topP?: number;
  /**
   * > 1 discourages tokens already in the text (CTRL's penalty, HF's `repetition_penalty`): their
   * logit is divided by it when positive, multiplied when negative. Default 1 (off).
   */
  repetitionPenalty?: number;
  /** Tokens the penalty counts as already written besides the generated ones: the prompt, as HF does. */
  context?: readonly number[];
  /** Seed of the draws (default 0); or a generator of your own. */
  seed?: number;
  generator?: Generator;
  /** Called after each token with the tokens so far; true stops (e.g. a stop sequence was written). */
  stop?: (generated: readonly number[]) => boolean;
  /**
   * Called with each token as soon as it is chosen (for streaming), with its explanation when
   * `explainTopK` is on; returning false stops (e.g. the reader of stdout has gone).
   */
  onToken?: (token: number, explained?: StepCandidates) => boolean | void;
  /** Record each step's `explainTopK` most likely tokens under the model, before any reshaping (default 0). */
  explainTopK?: number;
  /** Tokens never drawn. */
  bannedTokens?: readonly number[];
}

export interface SampleResult {
  /** The generated tokens, without the end token. */
  tokens: number[];
  /** Sum of the model's log-probabilities of the generated tokens (before reshaping), the end token included. */
  logProb: number;
  /** Why it stopped: an end token, maxTokens, the `stop` callback, or `onToken` returning false. */
  finishReason: 'eos' | 'length' | 'stop' | 'cancelled';
  /** With explainTopK: one entry per drawn token, the end token included. */
  steps?: StepCandidates[];
}

/** Throws a RangeError naming the option unless every sampling option is in its range. */
export function checkSamplingOptions(o: Pick<SamplingOptions, 'maxTokens' | 'temperature' | 'topK' | 'topP' | 'repetitionPenalty'>): void {
  if (!(Number.isInteger(o.maxTokens) && o.maxTokens >= 0)) throw new RangeError(`maxTokens must be an integer >= 0, got ${o.maxTokens}`);
  const t = o.temperature ?? 1;
  if (!(t >= 0 && Number.isFinite(t))) throw new RangeError(`temperature must be a number >= 0 (0 is greedy), got ${o.temperature}`);
  if (o.topK !== undefined && !(Number.isInteger(o.topK) && o.topK >= 1)) throw new RangeError(`topK must be an integer >= 1, got ${o.topK}`);
  if (o.topP !== undefined && !(o.topP > 0 && o.topP <= 1)) throw new RangeError(`topP must be in (0, 1], got ${o.topP}`);
  const r = o.repetitionPenalty ?? 1;
  if (!(r > 0 && Number.isFinite(r))) throw new RangeError(`repetitionPenalty must be a number > 0 (1 is off), got ${o.repetitionPenalty}`);
}

/**
 * Generates up to `maxTokens` tokens from `model`, one row.
 * @example
 * const stepper = new GptStepModel(model, ids.slice(0, -1));
 * const r = sample(stepper, { bos: ids.at(-1)!, maxTokens: 50, eos: [50256], temperature: 0.8, topP: 0.95, seed: 1, context: ids });
 * tokenizer.decode(r.tokens)
 */
export function sample(model: StepModel, options: SamplingOptions): SampleResult {
  checkSamplingOptions(options);
  const V = model.vocabSize;
  const temperature = options.temperature ?? 1;
  const penalty = options.repetitionPenalty ?? 1;
  const explainTopK = options.explainTopK ?? 0;
  const eos = new Set(options.eos ?? []);
  const generator = options.generator ?? new Generator(options.seed ?? 0);
  const seen = new Set(options.context ?? []);
  const result: SampleResult = { tokens: [], logProb: 0, finishReason: 'length', ...(explainTopK > 0 ? { steps: [] } : {}) };
  let next = options.bos;
  seen.add(next);
  for (let step = 0; step < options.maxTokens; step++) {
    const out = model.step([next]) as StepOutput & { logits?: Float32Array };
    if (out.logProbs.length !== V) throw new Error(`sample: step returned ${out.logProbs.length} log-probabilities for one row of ${V}`);
    const scores = Float32Array.from(out.logits ?? out.logProbs);
    for (const t of options.bannedTokens ?? []) scores[t] = -Infinity;
    if (penalty !== 1) for (const t of seen) scores[t] = scores[t] > 0 ? scores[t] / penalty : scores[t] * penalty;
    const best = argmax(scores);
    if (best < 0) throw new Error(`sample: every token is banned at step ${step + 1}`);
    const token = temperature === 0 ? best : draw(reshape(scores, temperature, options.topK, options.topP), generator);
    const logProb = out.logProbs[token];
    result.logProb += logProb;
    const explained = explainTopK > 0 ? { token, prob: Math.exp(logProb), candidates: candidatesOf(out.logProbs, 0, V, explainTopK) } : undefined;
    if (explained) result.steps!.push(explained);
    if (eos.has(token)) {
      result.finishReason = 'eos';
      options.onToken?.(token, explained);
      break;
    }
    result.tokens.push(token);
    seen.add(token);
    next = token;
    if (options.onToken?.(token, explained) === false) { result.finishReason = 'cancelled'; break; }
    if (options.stop?.(result.tokens)) { result.finishReason = 'stop'; break; }
  }
  return result;
}

/** The most likely token, ties to the lower id; −1 when every score is −Infinity. */
function argmax(scores: Float32Array): number {
  const { index } = topK(scores, 0, scores.length, 1);
  return index.length ? index[0] : -1;
}

/**
 * Temperature, then top-k, then top-p, as probabilities (zeros for the tokens cut). Computed in
 * float64: a nucleus of p = 0.9 over 50,000 tokens sums many small numbers.
 */
function reshape(scores: Float32Array, temperature: number, k: number | undefined, p: number | undefined): Float64Array {
  const V = scores.length;
  const z = new Float64Array(V);
  let max = -Infinity;
  for (let v = 0; v < V; v++) {
    z[v] = scores[v] / temperature;
    if (z[v] > max) max = z[v];
  }
  if (k !== undefined && k < V) {
    // HF keeps every token scoring at least the k-th score (ties with it included)
    const kth = topK(scores, 0, V, k).value.at(-1) ?? Infinity;
    for (let v = 0; v < V; v++) if (scores[v] < kth) z[v] = -Infinity;
  }
  const probs = new Float64Array(V);
  let total = 0;
  for (let v = 0; v < V; v++) {
    probs[v] = z[v] === -Infinity ? 0 : Math.exp(z[v] - max);
    total += probs[v];
  }
  for (let v = 0; v < V; v++) probs[v] /= total;
  if (p !== undefined && p < 1) {
    // the most likely tokens until their probability reaches p (the one that crosses it included)
    const order = Array.from({ length: V }, (_, v) => v).filter((v) => probs[v] > 0).sort((a, b) => probs[b] - probs[a] || a - b);
    let cum = 0;
    let cut = order.length;
    for (let i = 0; i < order.length; i++) {
      cum += probs[order[i]];
      if (cum >= p) { cut = i + 1; break; }
    }
    const kept = new Set(order.slice(0, cut));
    let sum = 0;
    for (let v = 0; v < V; v++) if (!kept.has(v)) probs[v] = 0; else sum += probs[v];
    for (let v = 0; v < V; v++) probs[v] /= sum;
  }
  return probs;
}

/** One token drawn from `probs` (summing to 1): the first whose cumulative probability passes a uniform draw. */
function draw(probs: Float64Array, generator: Generator): number {
  const u = generator.uniform();
  let cum = 0;
  let last = -1;
  for (let v = 0; v < probs.length; v++) {
    if (probs[v] === 0) continue;
    cum += probs[v];
    last = v;
    if (u < cum) return v;
  }
  return last; // rounding left the sum a hair below u
}
