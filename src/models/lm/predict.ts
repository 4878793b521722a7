/**
 * Next-word prediction: read a prompt, give the k most likely next words with their probabilities —
 * "Apple is" → red 0.6, sweet 0.1, …
 *
 * Documented behaviour at the edges:
 * - a prompt is read as the start of a line (`<eos>` first), as the training text was;
 * - words the vocabulary lacks are read as `<unk>` and listed in `unknown`; a prompt with no known
 *   word at all (or no word) is an error, since there is nothing to condition on;
 * - a prompt longer than a Transformer's context keeps only its last `context` tokens (as GPT models
 *   do), and says how many it dropped in `truncated`; the recurrent kinds read prompts of any length.
 */
import { noGrad } from '../../autograd/grad-mode.js';
import { softmax } from '../../ops/nn.js';
import { BOS_ID, EOS_ID, PAD_ID, UNK_ID } from '../../text/vocab.js';
import { greedySearch } from '../../decode/greedy.js';
import type { WordLM } from './model.js';
import { LmStepModel } from './step.js';
import type { LmTokenizer } from './tokenizer.js';

export interface NextWord {
  word: string;
  id: number;
  prob: number;
}

export interface NextWordPrediction {
  prompt: string;
  /** The prompt's words as the model read them (lower-cased; unknown ones as typed). */
  tokens: string[];
  /** Prompt words not in the vocabulary (read as `<unk>`). */
  unknown: string[];
  /** Tokens dropped from the front because the prompt was longer than the Transformer's context. */
  truncated: number;
  top: NextWord[];
}

/** Thrown for a prompt the model cannot condition on. */
export class PromptError extends Error {
  override name = 'PromptError';
}

/** The k most likely next words after `prompt`. `<pad>` and `<bos>` never appear (nothing is trained to predict them). */
export function predictNext(model: WordLM, tokenizer: LmTokenizer, prompt: string, k = 5): NextWordPrediction {
  if (!Number.isInteger(k) || k < 1) throw new Error(`lm predict: top must be a positive integer, got ${k}`);
  const enc = tokenizer.encodePrompt(prompt);
  if (enc.tokens.length === 0) throw new PromptError('lm predict: the prompt is empty; give some words, e.g. "Apple is"');
  if (enc.unknown.length === enc.tokens.length) {
    const known = tokenizer.vocab.tokens.slice(tokenizer.vocab.numSpecials).filter((t) => /^\p{L}+$/u.test(t)).slice(0, 8).join(', ');
    throw new PromptError(`lm predict: none of the prompt's words (${enc.unknown.join(' ')}) is in the model's vocabulary of ${tokenizer.size} words, so there is nothing to predict from; try words it knows, e.g. ${known}`);
  }
  let ids = enc.ids;
  let truncated = 0;
  if (ids.length > model.maxPositions) {
    truncated = ids.length - model.maxPositions;
    ids = ids.slice(truncated);
  }
  const probs = nextDistribution(model, ids);
  const order = Array.from(probs.keys()).filter((i) => i !== PAD_ID && i !== BOS_ID);
  order.sort((a, b) => probs[b] - probs[a] || a - b);
  const top = order.slice(0, Math.min(k, order.length)).map((id) => ({ word: tokenizer.word(id), id, prob: probs[id] }));
  return { prompt, tokens: enc.tokens, unknown: enc.unknown, truncated, top };
}

/** P(next | ids) over the vocabulary, ids read from a fresh state; eval mode, no graph. */
export function nextDistribution(model: WordLM, ids: readonly number[]): Float64Array {
  if (ids.length === 0) throw new PromptError('lm predict: no tokens to predict from');
  return inEvalMode(model, () => {
    const logits = new LmStepModel(model, ids.slice(0, -1)).logits([ids[ids.length - 1]]); // (1, V)
    return Float64Array.from(noGrad(() => softmax(logits.reshape([-1]), -1)).contiguousData());
  });
}

/**
 * Greedy continuation: the most likely word, appended, up to `n` times (stops at the end of a line).
 * The words never chosen: `<pad>`, `<bos>` (nothing is trained to predict them) and `<unk>`. Each
 * word costs one incremental step (src/models/lm/step.ts), not a rerun of the window.
 */
export function continueGreedy(model: WordLM, tokenizer: LmTokenizer, prompt: string, n: number): string[] {
  if (n < 1) return [];
  const ids = tokenizer.encodePrompt(prompt).ids; // <eos> first: never empty
  const [h] = inEvalMode(model, () =>
    greedySearch(new LmStepModel(model, ids.slice(0, -1)), 1, {
      bos: ids[ids.length - 1], eos: EOS_ID, maxLen: n, minLen: 0, bannedTokens: [PAD_ID, BOS_ID, UNK_ID],
    }),
  );
  return h.tokens.map((id) => tokenizer.word(id));
}

function inEvalMode<T>(model: WordLM, f: () => T): T {
  const wasTraining = model.training;
  model.eval();
  try {
    return f();
  } finally {
    model.train(wasTraining);
  }
}
