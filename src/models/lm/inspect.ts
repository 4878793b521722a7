/**
 * A recurrent word LM read one word at a time, for pictures: the embedding of each word, the
 * recurrent layer's states and gates at every step (src/nn/recurrent/inspect.ts) and the next-word
 * distribution after every step. Eval semantics (no dropout). The playground's RNN/LSTM page draws
 * it; test/models/lm-inspect.test.ts holds it to the model's own forward.
 */
import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { softmax } from '../../ops/nn.js';
import { traceRecurrent, type RecurrentTrace } from '../../nn/recurrent/inspect.js';
import type { WordLM } from './model.js';

export interface WordLMTrace extends RecurrentTrace {
  /** The ids read, one per step. */
  ids: number[];
  /** P(next word | words so far) after each step: (T, V) row-major. */
  probs: Float32Array;
  V: number;
}

/**
 * Reads `ids` from a fresh state through a recurrent WordLM and keeps every step.
 * @example const tr = traceWordLM(lm, tokenizer.encodePrompt('Apple is').ids); tr.layers[0].gates.forget
 */
export function traceWordLM(model: WordLM, ids: readonly number[]): WordLMTrace {
  if (!model.rnn) throw new Error(`traceWordLM: a ${model.kind} has no recurrent state to trace`);
  if (ids.length === 0) throw new Error('traceWordLM: no words to read');
  const V = model.config.vocabSize;
  for (const id of ids) if (!(Number.isInteger(id) && id >= 0 && id < V)) throw new Error(`traceWordLM: id ${id} is outside the vocabulary of ${V}`);
  return noGrad(() => {
    const emb = model.encoder.forward(new Tensor(Int32Array.from(ids), [1, ids.length])).reshape([ids.length, -1]); // (T, E)
    const trace = traceRecurrent(model.rnn!, emb);
    const top = trace.layers[trace.layers.length - 1].h;
    const logits = model.project(new Tensor(Float32Array.from(top), [ids.length, trace.H])); // (T, V)
    const probs = softmax(logits, -1).toFloat32Array();
    return { ...trace, ids: [...ids], probs, V };
  });
}
