/**
 * Corpus BLEU (Papineni et al., 2002) computed as sacreBLEU 2.x computes it with its defaults:
 * the `13a` tokenizer (mteval-v13a.pl, sacreBLEU's `tokenizer_13a` + `tokenizer_re`), case-sensitive,
 * n-grams up to 4, clipped counts against the reference(s), the brevity penalty against the closest
 * reference length (the shorter on a tie), and `exp` smoothing (mteval's: an order with no match
 * gets 1/2^k of a match), without effective order. Signature:
 * `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp`. Scores are on sacreBLEU's 0–100 scale.
 */

export type BleuTokenizer = '13a' | 'none';
export type BleuSmoothing = 'exp' | 'none' | 'floor' | 'add-k';

export interface BleuOptions {
  /** '13a' (default) or 'none' (split on whitespace only). */
  tokenize?: BleuTokenizer;
  /** Lower-case hypotheses and references first (default false). */
  lowercase?: boolean;
  /** Smoothing (default 'exp', sacreBLEU's default for corpus BLEU). */
  smoothMethod?: BleuSmoothing;
  /** The value for 'floor' (default 0.1) and 'add-k' (default 1). */
  smoothValue?: number;
  /** Highest n-gram order (default 4). */
  maxNgramOrder?: number;
  /** Leave out orders that have no n-grams at all (default false; true for sentence BLEU). */
  effectiveOrder?: boolean;
}

export interface BleuScore {
  /** BLEU, 0–100. */
  score: number;
  /** Matched n-grams per order (clipped). */
  counts: number[];
  /** Hypothesis n-grams per order. */
  totals: number[];
  /** Precision per order, 0–100 (smoothed as the score used them). */
  precisions: number[];
  /** Brevity penalty. */
  bp: number;
  /** Hypothesis length in tokens, summed. */
  sysLen: number;
  /** Reference length in tokens (the closest reference per sentence), summed. */
  refLen: number;
  /** sysLen / refLen. */
  ratio: number;
}

/** Python's str.isspace() set, which sacreBLEU's `split()` and `strip()` use (JS's \s differs a little). */
const PY_WS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_WS_RUN = new RegExp(`[${PY_WS}]+`, 'u');
const PY_WS_END = new RegExp(`[${PY_WS}]+$`, 'u');
const PY_WS_ENDS = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, 'gu');

/** Python's `s.split()`: split on runs of whitespace, no empty strings. */
export function pySplit(s: string): string[] {
  const t = s.replace(PY_WS_ENDS, '');
  return t === '' ? [] : t.split(PY_WS_RUN);
}

// sacreBLEU tokenizer_re.TokenizerRegexp, the same four rules in the same order:
//   ([\{-\~\[-\` -\&\(-\+\:-\@\/])  →  ' \1 '   (symbols: { | } ~ [ \ ] ^ _ ` space ! " # $ % & ( ) * + : ; < = > ? @ /)
//   ([^0-9])([\.,])                 →  '\1 \2 ' (period and comma unless preceded by a digit)
//   ([\.,])([^0-9])                 →  ' \1 \2' (period and comma unless followed by a digit)
//   ([0-9])(-)                      →  '\1 \2 ' (dash after a digit)
const RE_13A: readonly [RegExp, string][] = [
  [/([\x7b-\x7e\x5b-\x60\x20-\x26\x28-\x2b\x3a-\x40\x2f])/gu, ' $1 '],
  [/([^0-9])([.,])/gu, '$1 $2 '],
  [/([.,])([^0-9])/gu, ' $1 $2'],
  [/([0-9])(-)/gu, '$1 $2 '],
];

/**
 * sacreBLEU's `13a` tokenizer (mteval-v13a.pl), exactly: drops `<skipped>`, joins `-\n`, turns `\n`
 * into a space, unescapes &quot; &amp; &lt; &gt;, then applies the four regular expressions and
 * collapses whitespace.
 * @example tokenize13a('Call at 9:00, $5.') // 'Call at 9 : 00 , $ 5 .'
 */
export function tokenize13a(line: string): string {
  let s = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (s.includes('&')) s = s.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  s = ` ${s} `;
  for (const [re, rep] of RE_13A) s = s.replace(re, rep);
  return pySplit(s).join(' ');
}

function preprocess(sentence: string, tokenize: BleuTokenizer, lowercase: boolean): string[] {
  let s = lowercase ? sentence.toLowerCase() : sentence;
  s = s.replace(PY_WS_END, ''); // sacreBLEU: sent.rstrip()
  return pySplit(tokenize === '13a' ? tokenize13a(s) : s);
}

/** n-gram counts for orders 1..maxOrder; keys are the n-gram's tokens joined by U+0001. */
function ngramCounts(tokens: readonly string[], maxOrder: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 1; n <= maxOrder; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = n + '\u0001' + tokens.slice(i, i + n).join('\u0001');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * The sufficient statistics of one segment: [hypLen, refLen, correct_1..N, total_1..N]. For several
 * references a hypothesis n-gram is clipped by its highest count in any one reference, and refLen is
 * the reference length closest to the hypothesis length (the shorter on a tie).
 */
export function bleuSegmentStats(hyp: readonly string[], refs: readonly (readonly string[])[], maxOrder = 4): number[] {
  const refMax = new Map<string, number>();
  let refLen = -1;
  let closest = -1;
  for (const ref of refs) {
    for (const [k, c] of ngramCounts(ref, maxOrder)) if (c > (refMax.get(k) ?? 0)) refMax.set(k, c);
    const diff = Math.abs(hyp.length - ref.length);
    if (closest === -1 || diff < closest || (diff === closest && ref.length < refLen)) {
      closest = diff;
      refLen = ref.length;
    }
  }
  const correct = new Array<number>(maxOrder).fill(0);
  const total = new Array<number>(maxOrder).fill(0);
  for (const [k, c] of ngramCounts(hyp, maxOrder)) {
    const n = Number(k.slice(0, k.indexOf('\u0001'))) - 1;
    total[n] += c;
    const r = refMax.get(k);
    if (r !== undefined) correct[n] += Math.min(c, r);
  }
  return [hyp.length, refLen, ...correct, ...total];
}

/** sacreBLEU's my_log: log, with log(0) floored to -9999999999. */
function myLog(x: number): number {
  return x === 0 ? -9999999999 : Math.log(x);
}

/**
 * BLEU from its sufficient statistics, as sacreBLEU's `BLEU.compute_bleu` (same smoothing rules, the
 * same early stop when nothing matches). Defaults here are compute_bleu's: smoothing 'none'.
 */
export function computeBleu(
  correct: readonly number[],
  total: readonly number[],
  sysLen: number,
  refLen: number,
  options: Pick<BleuOptions, 'smoothMethod' | 'smoothValue' | 'effectiveOrder' | 'maxNgramOrder'> = {},
): BleuScore {
  const { smoothMethod = 'none', effectiveOrder = false, maxNgramOrder = 4 } = options;
  const smoothValue = options.smoothValue ?? (smoothMethod === 'floor' ? 0.1 : smoothMethod === 'add-k' ? 1 : 0);
  const c = correct.slice(0, maxNgramOrder);
  const t = total.slice(0, maxNgramOrder);
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array<number>(maxNgramOrder).fill(0);
  const result = (score: number): BleuScore => ({
    score, counts: c, totals: t, precisions, bp, sysLen, refLen, ratio: refLen ? sysLen / refLen : 0,
  });
  if (!c.some((x) => x !== 0)) return result(0);
  let smoothMteval = 1;
  let effOrder = maxNgramOrder;
  for (let n = 1; n <= maxNgramOrder; n++) {
    if (smoothMethod === 'add-k' && n > 1) {
      c[n - 1] += smoothValue;
      t[n - 1] += smoothValue;
    }
    if (t[n - 1] === 0) break;
    if (effectiveOrder) effOrder = n;
    if (c[n - 1] === 0) {
      if (smoothMethod === 'exp') {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * t[n - 1]);
      } else if (smoothMethod === 'floor') {
        precisions[n - 1] = (100 * smoothValue) / t[n - 1];
      }
    } else {
      precisions[n - 1] = (100 * c[n - 1]) / t[n - 1];
    }
  }
  let logSum = 0;
  for (let i = 0; i < effOrder; i++) logSum += myLog(precisions[i]);
  return result(bp * Math.exp(logSum / effOrder));
}

/**
 * Turns `references` into one list of reference strings per hypothesis. Accepted: one string per
 * hypothesis (`string[]`), or sacreBLEU's shape, a list of reference streams, each with one string
 * per hypothesis (`string[][]`). Empty references are dropped (a variable number of references, as
 * in sacreBLEU); a hypothesis left without any is an error.
 */
export function referencesPerSegment(
  hypotheses: readonly string[],
  references: readonly string[] | readonly (readonly string[])[],
  who = 'corpusBleu',
): string[][] {
  const streams: readonly (readonly string[])[] =
    references.length > 0 && typeof references[0] === 'string' ? [references as readonly string[]] : (references as readonly (readonly string[])[]);
  if (streams.length === 0) throw new Error(`${who}: no references given`);
  streams.forEach((s, k) => {
    if (!Array.isArray(s)) throw new Error(`${who}: reference stream ${k} is not an array of strings`);
    if (s.length !== hypotheses.length) {
      throw new Error(`${who}: ${hypotheses.length} hypotheses but reference stream ${k} has ${s.length} lines`);
    }
  });
  return hypotheses.map((_, i) => {
    const refs = streams.map((s) => s[i]).filter((r) => r !== undefined && r !== null && r !== '');
    if (refs.length === 0) throw new Error(`${who}: empty reference for segment ${i + 1}`);
    return refs;
  });
}

/**
 * Corpus BLEU, sacreBLEU-compatible. `references` is one string per hypothesis, or a list of
 * reference streams (sacreBLEU's `refs`), for several references per hypothesis.
 * @example corpusBleu(['The cat sat.'], ['The cat sat.']).score // 100 (100.00000000000004, as sacreBLEU)
 */
export function corpusBleu(
  hypotheses: readonly string[],
  references: readonly string[] | readonly (readonly string[])[],
  options: BleuOptions = {},
): BleuScore {
  const { tokenize = '13a', lowercase = false, smoothMethod = 'exp', maxNgramOrder = 4, effectiveOrder = false } = options;
  const perSegment = referencesPerSegment(hypotheses, references);
  const sums = new Array<number>(2 + 2 * maxNgramOrder).fill(0);
  hypotheses.forEach((hyp, i) => {
    if (typeof hyp !== 'string') throw new Error(`corpusBleu: hypothesis ${i + 1} is not a string`);
    const h = preprocess(hyp, tokenize, lowercase);
    const rs = perSegment[i].map((r) => preprocess(r, tokenize, lowercase));
    bleuSegmentStats(h, rs, maxNgramOrder).forEach((v, k) => (sums[k] += v));
  });
  return computeBleu(sums.slice(2, 2 + maxNgramOrder), sums.slice(2 + maxNgramOrder), sums[0], sums[1], {
    smoothMethod, smoothValue: options.smoothValue, effectiveOrder, maxNgramOrder,
  });
}

/**
 * Sentence BLEU, as sacreBLEU's `sentence_bleu`: 'exp' smoothing with effective order by default.
 * BLEU is a corpus metric; use this for inspection only.
 */
export function sentenceBleu(hypothesis: string, references: readonly string[], options: BleuOptions = {}): BleuScore {
  return corpusBleu([hypothesis], references.map((r) => [r]), { effectiveOrder: true, ...options });
}

/**
 * sacreBLEU's text line: `BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)`.
 */
export function formatBleu(s: BleuScore): string {
  const prec = s.precisions.map((p) => p.toFixed(1)).join('/');
  return `BLEU = ${s.score.toFixed(2)} ${prec} (BP = ${s.bp.toFixed(3)} ratio = ${s.ratio.toFixed(3)} hyp_len = ${s.sysLen} ref_len = ${s.refLen})`;
}
