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
import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { softmax } from '../../ops/nn.js';
import { BOS_ID, PAD_ID, UNK_ID } from '../../text/vocab.js';
import type { RecurrentState } from '../../nn/rnn.js';
import type { WordLM } from './model.js';
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
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      let state: RecurrentState | null = null;
      let last: Tensor | null = null;
      // the recurrent kinds read long prompts in pieces, carrying the state (bounded memory)
      const piece = Number.isFinite(model.maxPositions) ? model.maxPositions : 256;
      for (let i = 0; i < ids.length; i += piece) {
        const part = ids.slice(i, i + piece);
        const out = model.forward(new Tensor(Int32Array.from(part), [1, part.length]), state);
        state = out.state;
        last = out.logits.slice(1, part.length - 1, part.length); // (1, 1, V)
      }
      return Float64Array.from(softmax(last!.reshape([-1]), -1).contiguousData());
    });
  } finally {
    model.train(wasTraining);
  }
}

/** Greedy continuation: the most likely word, appended, `n` times (stops at the end of a line). */
export function continueGreedy(model: WordLM, tokenizer: LmTokenizer, prompt: string, n: number): string[] {
  const enc = tokenizer.encodePrompt(prompt);
  const ids = [...enc.ids];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const window = ids.slice(Math.max(0, ids.length - (Number.isFinite(model.maxPositions) ? model.maxPositions : ids.length)));
    const p = nextDistribution(model, window);
    let best = -1;
    for (let j = 0; j < p.length; j++) if (j !== PAD_ID && j !== BOS_ID && j !== UNK_ID && (best < 0 || p[j] > p[best])) best = j;
    const w = tokenizer.word(best);
    if (w === '<eos>') break;
    out.push(w);
    ids.push(best);
  }
  return out;
}
