/**
 * Translating sentences with the trained Transformer: text → source ids → greedy or beam search over
 * the decoder with its KV cache → target ids → natural English, with what the explainer shows along
 * the way (each step's most likely words, the encoder-decoder attention) and clear behaviour on bad
 * input:
 *
 * - an empty line translates to an empty line (one line out per line in);
 * - a line longer than the model's maximum source length is split into its sentences (at 。！？; …),
 *   and a sentence still too long at clause punctuation (，、：) into parts that fit; the parts are
 *   translated one by one and joined; a piece that still does not fit is truncated. Either way
 *   `warnings` says so;
 * - characters never seen in training become `<unk>` ids, and `warnings` names them.
 */
import { Tensor } from '../../tensor/tensor.js';
import { BOS_ID, EOS_ID, PAD_ID, UNK_ID, type Vocab } from '../../text/vocab.js';
import { corpusBleu, type BleuScore } from '../../metrics/bleu.js';
import { corpusChrf, type ChrfScore } from '../../metrics/chrf.js';
import { greedySearch } from '../../decode/greedy.js';
import { beamSearch } from '../../decode/beam.js';
import { Seq2SeqStepModel, type AttentionLayers } from './step.js';
import type { Hypothesis, SearchOptions } from '../../decode/search.js';
import type { Seq2SeqTransformer } from './model.js';

/** A source sentence as the tokenizer encodes it: ids without bos/eos, cut to maxSourceLen. */
export interface EncodedSource {
  ids: number[];
  tokens: string[];
  /** True when the input was longer than maxSourceLen and cut. */
  truncated: boolean;
}

/** What translation needs of the tokenizer (TranslationTokenizer in tokenizer.ts has all of it). */
export interface TranslationTokenizerLike {
  encodeSource(text: string): EncodedSource;
  decodeTarget(ids: readonly number[]): string;
  targetPieces(ids: readonly number[]): string[];
  readonly srcVocab: Vocab;
  readonly tgtVocab: Vocab;
  readonly maxSourceLen: number;
}

export interface TranslateOptions {
  /** Beam width (default 4); 1 is greedy decoding. */
  beam?: number;
  /** α of the beam's length penalty logProb / length^α (default 1; see src/decode/beam.ts). */
  lengthPenalty?: number;
  /** Record each step's top candidates: true = 5, or how many (default none). */
  explain?: boolean | number;
  /** Record encoder-decoder attention (heads averaged): true/'last' = last decoder layer, 'all' = mean of all. */
  attention?: boolean | AttentionLayers;
  /**
   * Most target tokens (eos included) per sentence: a number, or a function of the source length
   * (default ⌈1.5·S⌉ + 10), capped by the model's positions.
   */
  maxLen?: number | ((sourceLength: number) => number);
  /** Sentences decoded together (default 32; beam search runs beam × that many rows). */
  batchSize?: number;
  /** Over-long input: 'split' at punctuation (default) or 'truncate'. */
  longInput?: 'split' | 'truncate';
  /** Never generate `<unk>` (default false: the model may say it does not know a word). */
  noUnk?: boolean;
  /** Called after each batch with the number of sentences done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** One decoding step, for `--explain`: the candidates the model offered and the word taken. */
export interface TranslationStep {
  /** 1-based step number within the sentence. */
  step: number;
  /** With split input: which part (0-based) this step belongs to. */
  part?: number;
  /** The word (target piece) taken at this step; `<eos>` ends the sentence. */
  chosen: string;
  /** Its probability under the model. */
  probability: number;
  /** The most likely words at this step, most likely first. */
  candidates: { word: string; probability: number }[];
}

/** Encoder-decoder attention of one translation: rows = target pieces, columns = source tokens. */
export interface AttentionMatrix {
  sourceTokens: string[];
  targetTokens: string[];
  /** weights[i][j]: how much target piece i attended to source token j (each row sums to ~1). */
  weights: number[][];
}

export interface TranslationResult {
  source: string;
  translation: string;
  /** True when some of the input was cut (too long even after splitting). */
  truncated: boolean;
  /** Human-readable notes: split, truncated, unknown characters, stopped at the maximum length. */
  warnings: string[];
  /** The source tokens the model read (all parts). */
  sourceTokens: string[];
  /** The target pieces it produced (all parts), without eos. */
  targetTokens: string[];
  /** Target ids (all parts), without bos/eos. */
  ids: number[];
  /** Summed log-probability of the output (eos included). */
  logProb: number;
  /** What the search ranked by (summed over parts): logProb for greedy, logProb / length^α for beam. */
  score: number;
  /** The input was translated in this many parts (1 unless split). */
  parts: number;
  steps?: TranslationStep[];
  attention?: AttentionMatrix;
}

/** One piece of input decoded as one sequence. */
interface Unit {
  sentence: number;
  part: number;
  ids: number[];
  tokens: string[];
  /** Where this part's tokens start in the sentence's sourceTokens. */
  column: number;
  hyp?: Hypothesis;
}

const SENTENCE_END = /[。！？!?；;…]/u;
const CLAUSE_END = /[，,、：:]/u;
const CLOSING = /[”’"』」）)\]]/u;

/** Cuts text after each run of `ends` (and the closing quotes/brackets right after it). */
function cutAfter(text: string, ends: RegExp): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < chars.length; i++) {
    cur += chars[i];
    if (ends.test(chars[i]) && !ends.test(chars[i + 1] ?? '')) {
      while (i + 1 < chars.length && CLOSING.test(chars[i + 1])) cur += chars[++i];
      out.push(cur);
      cur = '';
    }
  }
  if (cur.trim() !== '') out.push(cur);
  return out;
}

/** Greedily packs consecutive pieces into parts that fit. */
function pack(pieces: string[], fits: (s: string) => boolean): string[] {
  const parts: string[] = [];
  let cur = '';
  for (const p of pieces) {
    if (cur === '' || fits(cur + p)) cur += p;
    else {
      parts.push(cur);
      cur = p;
    }
  }
  if (cur !== '') parts.push(cur);
  return parts;
}

/**
 * Parts of an over-long line that each fit the model: one part per sentence (the model learned on
 * single sentences, so they are not packed together); a sentence that does not fit is cut at clause
 * punctuation, and its clauses are packed greedily into parts that fit.
 */
export function splitLongInput(text: string, fits: (s: string) => boolean): string[] {
  if (fits(text)) return [text];
  const out: string[] = [];
  for (const sentence of cutAfter(text, SENTENCE_END)) {
    if (fits(sentence)) out.push(sentence);
    else out.push(...pack(cutAfter(sentence, CLAUSE_END), fits));
  }
  return out.map((p) => p.trim()).filter((p) => p !== '');
}

function defaultMaxLen(sourceLength: number): number {
  return Math.ceil(sourceLength * 1.5) + 10;
}

/** (B, S) int32 ids padded with pad. */
function padIds(rows: readonly (readonly number[])[]): Tensor {
  const S = Math.max(1, ...rows.map((r) => r.length));
  const data = new Int32Array(rows.length * S).fill(PAD_ID);
  rows.forEach((r, i) => data.set(r, i * S));
  return new Tensor(data, [rows.length, S]);
}

/**
 * Translates sentences (one per entry; empty ones give ''). Greedy with `beam: 1`, beam search
 * otherwise; the model is put in eval mode for the call (and restored after).
 * @example
 * const [r] = translate(model, tokenizer, ['我正在吃饭'], { beam: 1, explain: true });
 * r.translation // "I'm eating."
 * r.steps[0].candidates // [{ word: 'i', probability: 0.41 }, { word: 'we', probability: 0.12 }, …]
 */
export function translate(
  model: Seq2SeqTransformer,
  tokenizer: TranslationTokenizerLike,
  sentences: readonly string[],
  options: TranslateOptions = {},
): TranslationResult[] {
  const beam = options.beam ?? 4;
  if (!Number.isInteger(beam) || beam < 1) throw new Error(`translate: beam must be an integer >= 1, got ${beam}`);
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`translate: batchSize must be an integer >= 1, got ${batchSize}`);
  const explainTopK = options.explain === true ? 5 : typeof options.explain === 'number' ? options.explain : 0;
  const attentionLayers: AttentionLayers | false = options.attention === true ? 'last' : options.attention || false;
  const positions = model.config.maxLen;
  const srcLimit = Math.min(tokenizer.maxSourceLen, positions);
  const tgtLimit = positions - 1;
  const maxLenOf = (n: number): number => {
    const m = typeof options.maxLen === 'number' ? options.maxLen : (options.maxLen ?? defaultMaxLen)(n);
    return Math.max(1, Math.min(tgtLimit, Math.floor(m)));
  };

  const results: TranslationResult[] = [];
  const units: Unit[] = [];
  sentences.forEach((raw, sentence) => {
    if (typeof raw !== 'string') throw new Error(`translate: sentence ${sentence + 1} is not a string`);
    const r: TranslationResult = {
      source: raw, translation: '', truncated: false, warnings: [], sourceTokens: [], targetTokens: [], ids: [], logProb: 0, score: 0, parts: 0,
    };
    results.push(r);
    const text = raw.trim();
    if (text === '') return;
    const encode = (s: string): EncodedSource & { cut: boolean } => {
      const e = tokenizer.encodeSource(s);
      const cut = e.truncated || e.ids.length > srcLimit;
      return { ids: e.ids.slice(0, srcLimit), tokens: e.tokens.slice(0, srcLimit), truncated: e.truncated, cut };
    };
    const pieces = options.longInput === 'truncate' ? [text] : splitLongInput(text, (s) => !encode(s).cut);
    if (pieces.length > 1) {
      r.warnings.push(`the input is longer than the model's maximum of ${srcLimit} source tokens: translated in ${pieces.length} parts split at punctuation`);
    }
    const unknown = new Set<string>();
    for (const piece of pieces) {
      const e = encode(piece);
      if (e.cut) {
        r.truncated = true;
        r.warnings.push(`${pieces.length > 1 ? 'a part of the input' : 'the input'} is longer than the model's maximum of ${srcLimit} source tokens: truncated, the rest was not translated`);
      }
      e.ids.forEach((id, i) => {
        if (id === UNK_ID && e.tokens[i] !== undefined) unknown.add(e.tokens[i]);
      });
      if (e.ids.length === 0) continue;
      units.push({ sentence, part: r.parts++, ids: e.ids, tokens: e.tokens, column: r.sourceTokens.length });
      r.sourceTokens.push(...e.tokens);
    }
    if (unknown.size > 0) {
      r.warnings.push(`${unknown.size} source token${unknown.size > 1 ? 's are' : ' is'} not in the model's vocabulary and read as <unk>: ${[...unknown].join(' ')}`);
    }
  });

  const wasTraining = model.training;
  model.eval();
  try {
    // longest first, so each batch holds sentences of similar length (little padding)
    const order = units.map((_, i) => i).sort((a, b) => units[b].ids.length - units[a].ids.length || a - b);
    const remaining = new Map<number, number>();
    for (const u of units) remaining.set(u.sentence, (remaining.get(u.sentence) ?? 0) + 1);
    let done = sentences.length - remaining.size; // empty lines are done at once
    const banned = [PAD_ID, BOS_ID, ...(options.noUnk ? [UNK_ID] : [])];
    for (let start = 0; start < order.length; start += batchSize) {
      const batch = order.slice(start, start + batchSize).map((i) => units[i]);
      const stepper = new Seq2SeqStepModel(model, padIds(batch.map((u) => u.ids)), { attention: attentionLayers });
      const search: SearchOptions = {
        bos: BOS_ID, eos: EOS_ID, maxLen: batch.map((u) => maxLenOf(u.ids.length)), minLen: 1, bannedTokens: banned,
        explainTopK, attention: attentionLayers !== false,
      };
      const hyps = beam === 1 ? greedySearch(stepper, batch.length, search) : beamSearch(stepper, batch.length, { ...search, beam, lengthPenalty: options.lengthPenalty });
      batch.forEach((u, i) => (u.hyp = hyps[i]));
      for (const u of batch) {
        const left = remaining.get(u.sentence)! - 1;
        remaining.set(u.sentence, left);
        if (left === 0) done++;
      }
      options.onProgress?.(done, sentences.length);
    }
  } finally {
    if (wasTraining) model.train();
  }

  for (const u of units) assemble(results[u.sentence], u, tokenizer, explainTopK > 0, attentionLayers !== false);
  for (const r of results) {
    if (r.parts > 0) r.translation = r.translation.replace(/\s+/g, ' ').trim();
  }
  return results;
}

/** Adds one decoded part to its sentence's result. */
function assemble(r: TranslationResult, u: Unit, tokenizer: TranslationTokenizerLike, explain: boolean, attention: boolean): void {
  const h = u.hyp!;
  const text = tokenizer.decodeTarget(h.tokens);
  r.translation = r.translation && text ? `${r.translation} ${text}` : r.translation || text;
  let pieces = tokenizer.targetPieces(h.tokens);
  if (pieces.length !== h.tokens.length) pieces = h.tokens.map((id) => tokenizer.tgtVocab.token(id));
  const firstRow = r.targetTokens.length;
  r.targetTokens.push(...pieces);
  r.ids.push(...h.tokens);
  r.logProb += h.logProb;
  r.score += h.score;
  if (!h.finished) r.warnings.push(`the translation${r.parts > 1 ? ` of part ${u.part + 1}` : ''} stopped at the maximum length of ${h.tokens.length} tokens without an end of sentence`);
  if (explain && h.steps) {
    r.steps ??= [];
    const offset = r.steps.length;
    h.steps.forEach((s, i) => {
      r.steps!.push({
        step: offset + i + 1,
        ...(r.parts > 1 ? { part: u.part } : {}),
        chosen: tokenizer.tgtVocab.token(s.token),
        probability: s.prob,
        candidates: s.candidates.map((c) => ({ word: tokenizer.tgtVocab.token(c.token), probability: c.prob })),
      });
    });
  }
  if (attention && h.attention) {
    r.attention ??= { sourceTokens: r.sourceTokens, targetTokens: r.targetTokens, weights: [] };
    const S = r.sourceTokens.length;
    // rows of this part: one per generated piece (the final eos row is left out); columns of the other parts are 0
    for (let i = 0; i < pieces.length; i++) {
      const row = new Array<number>(S).fill(0);
      const w = h.attention[i];
      for (let j = 0; j < u.tokens.length; j++) row[u.column + j] = w?.[j] ?? 0;
      r.attention.weights[firstRow + i] = row;
    }
  }
}

export interface EvaluationResult {
  /** Corpus BLEU (sacreBLEU defaults, 13a), 0–100. */
  bleu: number;
  /** Corpus chrF2 (sacreBLEU defaults), 0–100. */
  chrf: number;
  sentences: number;
  hypotheses: string[];
  bleuScore: BleuScore;
  chrfScore: ChrfScore;
}

/**
 * Translates the sources and scores the detokenized output against the raw references, as sacreBLEU
 * does with its defaults.
 * @example evaluateTranslations(model, tokenizer, readParallelFile('dev.tsv').pairs, { beam: 4 }).bleu
 */
export function evaluateTranslations(
  model: Seq2SeqTransformer,
  tokenizer: TranslationTokenizerLike,
  pairs: readonly { source: string; target: string }[],
  options: TranslateOptions = {},
): EvaluationResult {
  if (pairs.length === 0) throw new Error('evaluateTranslations: no sentence pairs');
  const hypotheses = translate(model, tokenizer, pairs.map((p) => p.source), options).map((r) => r.translation);
  const refs = pairs.map((p) => p.target);
  const bleuScore = corpusBleu(hypotheses, refs);
  const chrfScore = corpusChrf(hypotheses, refs);
  return { bleu: bleuScore.score, chrf: chrfScore.score, sentences: pairs.length, hypotheses, bleuScore, chrfScore };
}
