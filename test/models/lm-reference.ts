/**
 * Reference computations for the LM step-model tests: what the code did before the step model, by
 * full recomputation over the window for every word.
 */
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { softmax } from '../../src/ops/nn.js';
import { BOS_ID, PAD_ID, UNK_ID } from '../../src/text/vocab.js';
import type { WordLM } from '../../src/models/lm/model.js';
import type { LmTokenizer } from '../../src/models/lm/tokenizer.js';

/** The last position's logits of one forward pass over the last `context` tokens of `ids` (fresh state). */
export function recomputed(model: WordLM, ids: readonly number[]): Float32Array {
  return noGrad(() => {
    const window = ids.slice(Math.max(0, ids.length - model.maxPositions));
    const { logits } = model.forward(new Tensor(Int32Array.from(window), [1, window.length]));
    return Float32Array.from(logits.contiguousData().subarray((window.length - 1) * model.config.vocabSize));
  });
}

/** Greedy continuation as it was before the step model: the whole window rerun for every word. */
export function rerunGreedy(model: WordLM, tok: LmTokenizer, prompt: string, n: number): string[] {
  const ids = [...tok.encodePrompt(prompt).ids];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const logits = recomputed(model, ids);
    const p = noGrad(() => softmax(new Tensor(logits, [logits.length]), -1).contiguousData());
    let best = -1;
    for (let j = 0; j < p.length; j++) if (j !== PAD_ID && j !== BOS_ID && j !== UNK_ID && (best < 0 || p[j] > p[best])) best = j;
    const w = tok.word(best);
    if (w === '<eos>') break;
    out.push(w);
    ids.push(best);
  }
  return out;
}

