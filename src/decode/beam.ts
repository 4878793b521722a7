/**
 * Beam search, batched over sentences, in the shape of fairseq's `SequenceGenerator` with the
 * stopping rule of Hugging Face's `BeamSearchScorer`:
 *
 * - each sentence keeps `beam` live hypotheses (K); every step scores all K·V continuations by their
 *   summed log-probability and looks at the best 2K of them;
 * - a continuation that is eos and ranks among the best K is finished: it is scored
 *   logProb / length^α (length counting eos; `lengthPenalty` α) and set aside;
 * - the best K continuations that are not eos stay live (2K candidates always hold K of them, since
 *   at most K are eos), and the model's rows (its KV cache) are reordered to their parents;
 * - a sentence is done when it has K finished hypotheses and its best live one, scored as if it
 *   ended now, is no better than the K-th best finished one; or when it reaches the maximum length
 *   (its live hypotheses are then kept, unfinished, scored the same way). The search ends when every
 *   sentence is done, and each sentence's answer is its best hypothesis by score.
 *
 * fairseq stops a sentence as soon as K hypotheses are finished. That drops a far better live
 * hypothesis whenever K poor ones happen to end first (a confident model's runners-up are poor and
 * short): the rule here keeps going while a live hypothesis still leads. It is also why K = 1 is
 * exactly greedy decoding: the one live hypothesis is the most likely word's, and when eos is the
 * most likely word it is finished and no continuation can score better.
 *
 * The start is one row per sentence (all beams would be the same bos), so the first step picks K
 * different first words.
 *
 * Why α = 1 by default: this is fairseq's formula and its default (`--lenpen 1`), the mean
 * log-probability per token. Summed log-probabilities (α = 0) favour short output — each token costs
 * some probability — and BLEU's brevity penalty punishes short output. GNMT's 0.6 belongs to its own
 * formula ((5 + |Y|)/6)^α, which grows far more slowly with length; with |Y|^α, 0.6 would be a much
 * weaker correction. The translator's config.json can set another value chosen on dev BLEU.
 */
import { candidatesOf, constrainRow, lengthNormalized, maxLengths, topK, type Hypothesis, type SearchOptions, type StepCandidates, type StepModel } from './search.js';

export interface BeamSearchOptions extends SearchOptions {
  /** K, the number of live hypotheses per sentence (default 4). */
  beam?: number;
  /** α of the length penalty logProb / length^α (default 1, fairseq's). */
  lengthPenalty?: number;
}

interface Live {
  tokens: number[];
  logProb: number;
  steps?: StepCandidates[];
  attention?: Float32Array[];
}

interface Candidate {
  row: number;
  token: number;
  logProb: number; // the row's logProb + this token's
}

/** The K-th best score among finished hypotheses. */
function kthBestScore(hs: readonly Hypothesis[], K: number): number {
  return hs.map((h) => h.score).sort((a, b) => b - a)[K - 1];
}

/**
 * Beam search over `numSentences` sentences (the model's rows 0 … n−1). Returns, per sentence, every
 * hypothesis it set aside, best first (by score; ties: the one finished first).
 */
export function beamSearchAll(model: StepModel, numSentences: number, options: BeamSearchOptions): Hypothesis[][] {
  const { eos, explainTopK = 0, attention = false } = options;
  const K = options.beam ?? 4;
  const alpha = options.lengthPenalty ?? 1;
  if (!Number.isInteger(K) || K < 1) throw new Error(`beamSearch: beam must be an integer >= 1, got ${K}`);
  if (!Number.isFinite(alpha)) throw new Error(`beamSearch: lengthPenalty must be a finite number, got ${alpha}`);
  const V = model.vocabSize;
  const limits = maxLengths(options.maxLen, numSentences);
  const finished: Hypothesis[][] = Array.from({ length: numSentences }, () => []);
  // live rows, grouped by sentence in sentence order: rowSentence[r], live[r], next[r]
  let rowSentence = Array.from({ length: numSentences }, (_, s) => s);
  let live: Live[] = rowSentence.map(() => ({ tokens: [], logProb: 0, ...(explainTopK > 0 ? { steps: [] } : {}), ...(attention ? { attention: [] } : {}) }));
  // what each live row reads next: bos first, then its last token
  let next: number[] = rowSentence.map(() => options.bos);

  const finish = (h: Live, s: number, ended: boolean, extra?: { token: number; logProb: number; step?: StepCandidates; attention?: Float32Array }): void => {
    const logProb = extra ? extra.logProb : h.logProb;
    const length = h.tokens.length + (extra ? 1 : 0);
    finished[s].push({
      tokens: h.tokens,
      logProb,
      score: lengthNormalized(logProb, length, alpha),
      finished: ended,
      ...(h.steps ? { steps: extra?.step ? [...h.steps, extra.step] : h.steps } : {}),
      ...(h.attention ? { attention: extra?.attention ? [...h.attention, extra.attention] : h.attention } : {}),
    });
  };

  while (rowSentence.length > 0) {
    const out = model.step(next);
    const lp = out.logProbs;
    if (lp.length !== rowSentence.length * V) throw new Error(`beamSearch: step returned ${lp.length} log-probabilities for ${rowSentence.length} rows of ${V}`);
    const explained: { token: number; prob: number }[][] = [];
    const perRow: Candidate[][] = [];
    for (let r = 0; r < rowSentence.length; r++) {
      const from = r * V;
      if (explainTopK > 0) explained[r] = candidatesOf(lp, from, V, explainTopK);
      constrainRow(lp, from, live[r].tokens.length, options);
      const { index, value } = topK(lp, from, V, 2 * K);
      perRow.push(index.map((token, i) => ({ row: r, token, logProb: live[r].logProb + value[i] })));
    }
    const nextParents: number[] = [];
    const nextLive: Live[] = [];
    const nextSentence: number[] = [];
    let r0 = 0;
    while (r0 < rowSentence.length) {
      const s = rowSentence[r0];
      let r1 = r0;
      while (r1 < rowSentence.length && rowSentence[r1] === s) r1++;
      // the sentence's candidates, best first; ties: lower row, then lower token (as argmax)
      const cands = perRow.slice(r0, r1).flat();
      cands.sort((a, b) => b.logProb - a.logProb || a.row - b.row || a.token - b.token);
      const kept: Live[] = [];
      const keptParents: number[] = [];
      for (let i = 0; i < Math.min(cands.length, 2 * K); i++) {
        const c = cands[i];
        const parent = live[c.row];
        const step = explainTopK > 0 ? { token: c.token, prob: Math.exp(c.logProb - parent.logProb), candidates: explained[c.row] } : undefined;
        const att = attention && out.attention ? out.attention[c.row] : undefined;
        if (c.token === eos) {
          if (i < K) finish(parent, s, true, { token: c.token, logProb: c.logProb, step, attention: att });
          continue;
        }
        if (kept.length === K) continue;
        kept.push({
          tokens: [...parent.tokens, c.token],
          logProb: c.logProb,
          ...(parent.steps ? { steps: [...parent.steps, step!] } : {}),
          ...(parent.attention ? { attention: att ? [...parent.attention, att] : parent.attention } : {}),
        });
        keptParents.push(c.row);
      }
      const done = kept.length === 0 || (finished[s].length >= K && kthBestScore(finished[s], K) >= lengthNormalized(kept[0].logProb, kept[0].tokens.length, alpha));
      if (!done && kept[0].tokens.length >= limits[s]) {
        // the maximum length: the live hypotheses stop here, unfinished
        for (const h of kept) finish(h, s, false);
      } else if (!done) {
        nextLive.push(...kept);
        nextParents.push(...keptParents);
        for (let i = 0; i < kept.length; i++) nextSentence.push(s);
      }
      r0 = r1;
    }
    if (nextParents.length > 0) model.reorder(nextParents);
    next = nextLive.map((h) => h.tokens[h.tokens.length - 1]);
    live = nextLive;
    rowSentence = nextSentence;
  }
  return finished.map((hs, s) => {
    if (hs.length === 0) throw new Error(`beamSearch: sentence ${s} ended without a hypothesis (every token banned?)`);
    // stable sort: among equal scores the one finished first stays first
    return hs.map((h, i) => ({ h, i })).sort((a, b) => b.h.score - a.h.score || a.i - b.i).map(({ h }) => h);
  });
}

/**
 * Beam search: the best hypothesis per sentence.
 * @example
 * const [hyp] = beamSearch(stepModel, 1, { bos: 1, eos: 2, maxLen: 20, beam: 4, lengthPenalty: 1 }); // e.g. a Seq2SeqStepModel
 */
export function beamSearch(model: StepModel, numSentences: number, options: BeamSearchOptions): Hypothesis[] {
  return beamSearchAll(model, numSentences, options).map((hs) => hs[0]);
}
