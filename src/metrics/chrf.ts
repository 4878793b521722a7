/**
 * chrF (Popović, 2015) and chrF++ (Popović, 2017) as sacreBLEU 2.x computes them. Defaults are
 * sacreBLEU's: character n-grams up to 6, no word n-grams (word order 0), β = 2, case-sensitive,
 * whitespace removed before counting, effective-order averaging (no eps smoothing). Signature:
 * `nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no`. Scores are on sacreBLEU's 0–100 scale.
 *
 * Counts are summed over the corpus per order first; the score is computed once from the sums.
 */
import { pySplit, referencesPerSegment } from './bleu.js';

export interface ChrfOptions {
  /** Character n-gram order (default 6). */
  charOrder?: number;
  /** Word n-gram order (default 0; 2 gives chrF++). */
  wordOrder?: number;
  /** Recall's weight β (default 2). */
  beta?: number;
  /** Lower-case first (default false). */
  lowercase?: boolean;
  /** Keep whitespace in character n-grams (default false). */
  whitespace?: boolean;
  /** chrF++.py / NLTK / Moses style eps smoothing instead of effective order (default false). */
  epsSmoothing?: boolean;
}

export interface ChrfScore {
  /** chrF, 0–100. */
  score: number;
  /** [hyp, ref, match] counts per order (characters 1..charOrder, then words), summed over the corpus. */
  stats: number[];
  /** 'chrF2' or 'chrF2++'. */
  name: string;
}

/** sacreBLEU's chrF+ punctuation (string.punctuation). */
const PUNCTS = new Set(Array.from('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'));

/** sacreBLEU's `_remove_punctuation`: split off one punctuation mark at a word's end, else its start. */
function wordsForChrf(sent: string): string[] {
  const out: string[] = [];
  for (const w of pySplit(sent)) {
    const chars = Array.from(w);
    if (chars.length === 1) out.push(w);
    else if (PUNCTS.has(chars[chars.length - 1])) out.push(chars.slice(0, -1).join(''), chars[chars.length - 1]);
    else if (PUNCTS.has(chars[0])) out.push(chars[0], chars.slice(1).join(''));
    else out.push(w);
  }
  return out;
}

function count<T>(items: Iterable<T>): Map<T, number> {
  const m = new Map<T, number>();
  for (const x of items) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

/** Counters of character n-grams for orders 1..maxOrder, over code points (as Python's str). */
function charNgrams(sent: string, maxOrder: number, whitespace: boolean): Map<string, number>[] {
  const chars = Array.from(whitespace ? sent : pySplit(sent).join(''));
  const out: Map<string, number>[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    const grams: string[] = [];
    for (let i = 0; i + n <= chars.length; i++) grams.push(chars.slice(i, i + n).join(''));
    out.push(count(grams));
  }
  return out;
}

function wordNgrams(words: readonly string[], n: number): Map<string, number> {
  const grams: string[] = [];
  for (let i = 0; i + n <= words.length; i++) grams.push(words.slice(i, i + n).join(' '));
  return count(grams);
}

function allNgrams(sent: string, o: Required<ChrfOptions>): Map<string, number>[] {
  const grams = charNgrams(sent, o.charOrder, o.whitespace);
  if (o.wordOrder > 0) {
    const words = wordsForChrf(sent);
    for (let n = 1; n <= o.wordOrder; n++) grams.push(wordNgrams(words, n));
  }
  return grams;
}

/** [hyp count, ref count, matches] for one order; no hyp count when the reference has no n-grams. */
function matchStats(hyp: Map<string, number>, ref: Map<string, number>): [number, number, number] {
  let match = 0;
  let hypCount = 0;
  for (const [g, c] of hyp) {
    hypCount += c;
    const r = ref.get(g);
    if (r !== undefined) match += Math.min(c, r);
  }
  let refCount = 0;
  for (const c of ref.values()) refCount += c;
  return [ref.size > 0 ? hypCount : 0, refCount, match];
}

/** The F-score from [hyp, ref, match] statistics, as sacreBLEU's `CHRF._compute_f_score`. */
export function chrfFromStats(stats: readonly number[], options: ChrfOptions = {}): number {
  const o = withDefaults(options);
  const order = o.charOrder + o.wordOrder;
  const eps = 1e-16;
  const factor = o.beta ** 2;
  let score = 0;
  let effective = 0;
  let avgPrec = 0;
  let avgRec = 0;
  for (let i = 0; i < order; i++) {
    const [nHyp, nRef, nMatch] = [stats[3 * i], stats[3 * i + 1], stats[3 * i + 2]];
    const prec = nHyp > 0 ? nMatch / nHyp : eps;
    const rec = nRef > 0 ? nMatch / nRef : eps;
    const denom = factor * prec + rec;
    score += denom > 0 ? ((1 + factor) * prec * rec) / denom : eps;
    if (nHyp > 0 && nRef > 0) {
      avgPrec += prec;
      avgRec += rec;
      effective++;
    }
  }
  if (o.epsSmoothing) return (100 * score) / order;
  if (effective === 0) return 0;
  avgPrec /= effective;
  avgRec /= effective;
  if (avgPrec + avgRec === 0) return 0;
  return (100 * (1 + factor) * avgPrec * avgRec) / (factor * avgPrec + avgRec);
}

function withDefaults(options: ChrfOptions): Required<ChrfOptions> {
  const o = { charOrder: 6, wordOrder: 0, beta: 2, lowercase: false, whitespace: false, epsSmoothing: false, ...options };
  if (!Number.isInteger(o.charOrder) || o.charOrder < 1) throw new Error(`chrF: charOrder must be a positive integer, got ${o.charOrder}`);
  if (!Number.isInteger(o.wordOrder) || o.wordOrder < 0) throw new Error(`chrF: wordOrder must be a non-negative integer, got ${o.wordOrder}`);
  return o;
}

/**
 * Corpus chrF, sacreBLEU-compatible. `references`: one string per hypothesis, or a list of reference
 * streams; with several references each segment uses the one with the best sentence F-score.
 * @example corpusChrf(['The cat sat.'], ['The cat sat.']).score // 100
 */
export function corpusChrf(
  hypotheses: readonly string[],
  references: readonly string[] | readonly (readonly string[])[],
  options: ChrfOptions = {},
): ChrfScore {
  const o = withDefaults(options);
  const order = o.charOrder + o.wordOrder;
  const perSegment = referencesPerSegment(hypotheses, references, 'corpusChrf');
  const sums = new Array<number>(3 * order).fill(0);
  hypotheses.forEach((hyp, i) => {
    if (typeof hyp !== 'string') throw new Error(`corpusChrf: hypothesis ${i + 1} is not a string`);
    const prep = (s: string) => (o.lowercase ? s.toLowerCase() : s);
    const h = allNgrams(prep(hyp), o);
    let best: number[] = [];
    let bestF = -1;
    for (const ref of perSegment[i]) {
      const r = allNgrams(prep(ref), o);
      const stats: number[] = [];
      for (let k = 0; k < order; k++) stats.push(...matchStats(h[k], r[k]));
      const f = chrfFromStats(stats, o);
      if (f > bestF) (bestF = f), (best = stats);
    }
    best.forEach((v, k) => (sums[k] += v));
  });
  return { score: chrfFromStats(sums, o), stats: sums, name: `chrF${o.beta}${'+'.repeat(o.wordOrder)}` };
}

/** Sentence chrF (sacreBLEU's `sentence_chrf`). */
export function sentenceChrf(hypothesis: string, references: readonly string[], options: ChrfOptions = {}): ChrfScore {
  return corpusChrf([hypothesis], references.map((r) => [r]), options);
}
