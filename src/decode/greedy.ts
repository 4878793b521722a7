/**
 * Greedy decoding, as the explainer describes it: at every step choose the most likely word, feed it
 * back, stop at the end-of-sentence token. Batched: one row per sentence; a sentence that has ended
 * leaves the batch (its row is dropped through `reorder`), so it costs nothing more.
 */
import { candidatesOf, constrainRow, maxLengths, topK, type Hypothesis, type SearchOptions, type StepModel } from './search.js';

/**
 * Greedy search over `numSentences` sentences (the model's rows 0 … n−1). Each step costs one
 * `model.step` call for the sentences still going.
 * @example
 * const [hyp] = greedySearch(stepModel, 1, { bos: 1, eos: 2, maxLen: 20, explainTopK: 5 }); // e.g. a Seq2SeqStepModel
 * hyp.tokens // [5, 9, 12]; hyp.steps[0].candidates // the 5 most likely first words
 */
export function greedySearch(model: StepModel, numSentences: number, options: SearchOptions): Hypothesis[] {
  const { bos, eos, explainTopK = 0, attention = false } = options;
  const V = model.vocabSize;
  const limits = maxLengths(options.maxLen, numSentences);
  const results: Hypothesis[] = new Array(numSentences);
  // live rows: which sentence each row is, and its hypothesis so far
  let rows = Array.from({ length: numSentences }, (_, s) => s);
  // what each live row reads next: bos first, then the token it chose
  let next: number[] = rows.map(() => bos);
  let hyps: Hypothesis[] = rows.map(() => ({ tokens: [], logProb: 0, score: 0, finished: false, ...(explainTopK > 0 ? { steps: [] } : {}), ...(attention ? { attention: [] } : {}) }));
  while (rows.length > 0) {
    const out = model.step(next);
    const lp = out.logProbs;
    if (lp.length !== rows.length * V) throw new Error(`greedySearch: step returned ${lp.length} log-probabilities for ${rows.length} rows of ${V}`);
    const keep: number[] = [];
    for (let r = 0; r < rows.length; r++) {
      const h = hyps[r];
      const from = r * V;
      const explained = explainTopK > 0 ? candidatesOf(lp, from, V, explainTopK) : null;
      constrainRow(lp, from, h.tokens.length, options);
      const best = topK(lp, from, V, 1);
      if (best.index.length === 0) throw new Error(`greedySearch: every token is banned at step ${h.tokens.length + 1}`);
      const token = best.index[0];
      h.logProb += best.value[0];
      if (explained) h.steps!.push({ token, prob: Math.exp(best.value[0]), candidates: explained });
      if (attention && out.attention) h.attention!.push(out.attention[r]);
      const length = h.tokens.length + 1; // tokens generated so far, this one included
      if (token === eos) {
        h.finished = true;
        h.score = h.logProb;
        results[rows[r]] = h;
        continue;
      }
      h.tokens.push(token);
      next[r] = token;
      if (length >= limits[rows[r]]) {
        h.score = h.logProb;
        results[rows[r]] = h;
        continue;
      }
      keep.push(r);
    }
    if (keep.length !== rows.length) {
      if (keep.length > 0) model.reorder(keep);
      rows = keep.map((r) => rows[r]);
      next = keep.map((r) => next[r]);
      hyps = keep.map((r) => hyps[r]);
    }
  }
  return results;
}
