/**
 * The translator's text pipeline in one object, saved beside the model as tokenizer.json:
 *   Chinese: Traditional→Simplified + punctuation normalisation, then characters (or ICU words, or
 *            BPE subwords learned inside runs of Han characters);
 *   English: reversible tokens, truecased, then BPE subwords (or whole words) — and back again.
 */
import { hanRuns, tokenizeChinese } from '../../text/chinese.js';
import { detokenizeEnglish, tokenizeEnglish, Truecaser } from '../../text/english.js';
import { Bpe, BPE_CONTINUATION, decodeBpe } from '../../text/bpe.js';
import { Vocab, EOS_ID, BOS_ID, PAD_ID } from '../../text/vocab.js';

/** Chinese units: characters, ICU dictionary words, or BPE subwords learned over runs of Han characters. */
export type SourceUnit = 'char' | 'word' | 'bpe';

/** Throws unless `unit` is a {@link SourceUnit}; `where` names the caller in the message. */
export function checkSourceUnit(unit: unknown, where: string): asserts unit is SourceUnit {
  if (unit !== 'char' && unit !== 'word' && unit !== 'bpe') throw new Error(`${where}: source must be char, word or bpe, got '${String(unit)}'`);
}

export interface TokenizerConfig {
  /** Chinese units: 'char' (default), ICU 'word' segmentation, or learned 'bpe' subwords. */
  source: SourceUnit;
  /** English units: 'bpe' subwords (default) or whole 'word's. */
  target: 'bpe' | 'word';
  /** BPE merges learned on the training English (default 4000). */
  bpeMerges: number;
  /** BPE merges learned on the training Chinese when source is 'bpe' (default 4000). */
  srcBpeMerges: number;
  srcMinFreq: number;
  tgtMinFreq: number;
  /** Longest source the model takes, in tokens (longer input is truncated, and says so). */
  maxSourceLen: number;
  /** Training pairs with a longer target are dropped. */
  maxTargetLen: number;
  /**
   * Numbers: 'split' (new tokenizers) makes every digit its own unit on both sides (我1991年 → 我 1 9 9 1
   * 年; "1,600" → 1@@ ,@@ 6@@ 0@@ 0@@ 0), so any number is made of units the model has seen and can be
   * copied digit by digit. 'run' (tokenizers saved before the field existed) keeps a run of digits
   * as one source unit and lets English BPE cut numbers as it learned, so unseen numbers are <unk>.
   */
  digits?: 'split' | 'run';
}

export const DEFAULT_TOKENIZER_CONFIG: Required<TokenizerConfig> = {
  source: 'char', target: 'bpe', bpeMerges: 4000, srcBpeMerges: 4000, srcMinFreq: 1, tgtMinFreq: 1, maxSourceLen: 64, maxTargetLen: 64, digits: 'split',
};

export interface EncodedSource {
  ids: number[];
  tokens: string[];
  /** True when the input was longer than maxSourceLen and cut. */
  truncated: boolean;
}

export interface TokenizerJSON {
  format: 'llmcore-translation-tokenizer';
  version: 1;
  config: TokenizerConfig;
  srcVocab: unknown;
  tgtVocab: unknown;
  truecaser: unknown;
  bpe: unknown | null;
  /** Source merges, present when config.source is 'bpe'. */
  srcBpe?: unknown;
}

/**
 * @example
 * const tok = TranslationTokenizer.train(pairs);
 * tok.encodeSource('我正在吃饭').tokens // ['我', '正', '在', '吃', '饭']
 * tok.decodeTarget(tok.encodeTarget("I'm eating.")) // "I'm eating."
 */
export class TranslationTokenizer {
  private constructor(
    readonly config: TokenizerConfig,
    readonly srcVocab: Vocab,
    readonly tgtVocab: Vocab,
    private readonly truecaser: Truecaser,
    private readonly bpe: Bpe | null,
    private readonly srcBpe: Bpe | null = null,
  ) {}

  /** Learns the truecaser, BPE merges and both vocabularies from training pairs. */
  static train(pairs: readonly { source: string; target: string }[], config: Partial<TokenizerConfig> = {}): TranslationTokenizer {
    const c = { ...DEFAULT_TOKENIZER_CONFIG, ...config };
    if (pairs.length === 0) throw new Error('TranslationTokenizer.train: no training pairs');
    checkSourceUnit(c.source, 'TranslationTokenizer.train');
    checkDigits(c.digits, 'TranslationTokenizer.train');
    // normalisation (OpenCC) is the costly part: each sentence is normalised once, for learning and encoding
    let srcBpe: Bpe | null = null;
    let srcTokens: string[][];
    if (c.source === 'bpe') {
      const runs = pairs.map((p) => bpeWords(p.source, c.digits));
      const learned = Bpe.learn(runs, { numMerges: c.srcBpeMerges });
      srcTokens = runs.map((r) => learned.encode(r));
      srcBpe = learned;
    } else {
      const mode = c.source;
      srcTokens = pairs.map((p) => digitUnits(tokenizeChinese(p.source, { mode }), c.digits));
    }
    const enTokens = pairs.map((p) => tokenizeEnglish(p.target));
    const truecaser = Truecaser.learn(enTokens);
    const cased = enTokens.map((t) => truecaser.apply(t));
    // numbers are left out of the learned merges when their digits are units of their own
    const forMerges = c.digits === 'split' ? cased.map((t) => t.filter((w) => !HAS_DIGIT.test(w))) : cased;
    const bpe = c.target === 'bpe' ? Bpe.learn(forMerges, { numMerges: c.bpeMerges }) : null;
    const tgtTokens = cased.map((t) => targetPiecesOf(t, bpe, c.digits));
    if (c.digits === 'split') {
      // every digit is in both vocabularies even if the corpus lacks one: no number is ever <unk>
      for (let i = 0; i < c.srcMinFreq; i++) srcTokens.push([...DIGITS]);
      for (let i = 0; i < c.tgtMinFreq; i++) tgtTokens.push([...DIGITS, ...DIGITS.map((d) => d + BPE_CONTINUATION)]);
    }
    return new TranslationTokenizer(
      c,
      Vocab.build(srcTokens, { minFreq: c.srcMinFreq }),
      Vocab.build(tgtTokens, { minFreq: c.tgtMinFreq }),
      truecaser,
      bpe,
      srcBpe,
    );
  }

  get maxSourceLen(): number {
    return this.config.maxSourceLen;
  }

  /** Chinese text → normalised tokens (no truncation). */
  sourceTokens(text: string): string[] {
    return sourceUnits(text, this.config.source, this.srcBpe, this.config.digits ?? 'run');
  }

  /** English text → the target pieces the model predicts. */
  targetTokens(text: string): string[] {
    return targetPiecesOf(this.truecaser.apply(tokenizeEnglish(text)), this.bpe, this.config.digits ?? 'run');
  }

  /** Chinese text → ids without bos/eos, cut to maxSourceLen. */
  encodeSource(text: string): EncodedSource {
    const all = this.sourceTokens(text);
    const tokens = all.slice(0, this.config.maxSourceLen);
    return { ids: this.srcVocab.encode(tokens), tokens, truncated: all.length > tokens.length };
  }

  /** English text → target ids without bos/eos. */
  encodeTarget(text: string): number[] {
    return this.tgtVocab.encode(this.targetTokens(text));
  }

  /** The pieces of target ids as strings (stops at eos; bos and pad dropped). */
  targetPieces(ids: readonly number[]): string[] {
    const out: string[] = [];
    for (const id of ids) {
      if (id === EOS_ID) break;
      if (id === BOS_ID || id === PAD_ID) continue;
      out.push(this.tgtVocab.token(id));
    }
    return out;
  }

  /** Target ids → natural English text. */
  decodeTarget(ids: readonly number[]): string {
    const pieces = this.targetPieces(ids);
    const words = this.bpe || this.config.digits === 'split' ? decodeBpe(pieces) : pieces;
    return detokenizeEnglish(words);
  }

  toJSON(): TokenizerJSON {
    return {
      format: 'llmcore-translation-tokenizer',
      version: 1,
      config: this.config,
      srcVocab: this.srcVocab.toJSON(),
      tgtVocab: this.tgtVocab.toJSON(),
      truecaser: this.truecaser.toJSON(),
      bpe: this.bpe ? this.bpe.toJSON() : null,
      ...(this.srcBpe ? { srcBpe: this.srcBpe.toJSON() } : {}),
    };
  }

  static fromJSON(json: unknown): TranslationTokenizer {
    const o = json as Partial<TokenizerJSON> | null;
    if (!o || o.format !== 'llmcore-translation-tokenizer' || o.version !== 1 || !o.config) {
      throw new Error('tokenizer.json: not an llmcore translation tokenizer (format/version missing or wrong)');
    }
    // a tokenizer saved before `digits` existed kept digit runs whole: it must go on doing so
    const config = { ...DEFAULT_TOKENIZER_CONFIG, ...o.config, digits: o.config.digits ?? 'run' };
    checkDigits(config.digits, 'tokenizer.json');
    if (config.target === 'bpe' && !o.bpe) throw new Error('tokenizer.json: target is bpe but no merges are stored');
    if (config.source === 'bpe' && !o.srcBpe) throw new Error('tokenizer.json: source is bpe but no source merges are stored');
    checkSourceUnit(config.source, 'tokenizer.json');
    // the lengths size every source batch and training filter: bounded like the model's positional table
    for (const field of ['maxSourceLen', 'maxTargetLen'] as const) {
      const v = config[field];
      if (!Number.isInteger(v) || v < 1 || v > 4096) throw new Error(`tokenizer.json: config.${field} must be an integer from 1 to 4096, got ${JSON.stringify(v)}`);
    }
    return new TranslationTokenizer(
      config,
      Vocab.fromJSON(o.srcVocab),
      Vocab.fromJSON(o.tgtVocab),
      Truecaser.fromJSON(o.truecaser),
      config.target === 'bpe' ? Bpe.fromJSON(o.bpe) : null,
      config.source === 'bpe' ? Bpe.fromJSON(o.srcBpe) : null,
    );
  }
}

type Digits = 'split' | 'run';

function checkDigits(digits: unknown, where: string): asserts digits is Digits {
  if (digits !== 'split' && digits !== 'run') throw new Error(`${where}: digits must be split or run, got ${JSON.stringify(digits)}`);
}

const HAS_DIGIT = /[0-9]/;
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** '1,600' → ['1', ',', '6', '0', '0'], 'MP3' → ['MP', '3']: each digit alone, the rest in runs. */
export function splitDigits(token: string): string[] {
  return token.match(/[0-9]|[^0-9]+/g) ?? [];
}

/** Source tokens with every digit a unit of its own ('split'), or as they are ('run'). */
function digitUnits(tokens: string[], digits: Digits): string[] {
  return digits === 'split' ? tokens.flatMap((t) => (HAS_DIGIT.test(t) ? splitDigits(t) : [t])) : tokens;
}

/** Cased English words → target pieces: BPE (if any), with the words holding digits cut digit by digit ('split'). */
function targetPiecesOf(words: readonly string[], bpe: Bpe | null, digits: Digits): string[] {
  if (digits === 'run') return bpe ? bpe.encode(words) : [...words];
  const out: string[] = [];
  for (const w of words) {
    if (!HAS_DIGIT.test(w)) out.push(...(bpe ? bpe.encodeWord(w) : [w]));
    else {
      const parts = splitDigits(w);
      parts.forEach((p, i) => out.push(i < parts.length - 1 ? p + BPE_CONTINUATION : p));
    }
  }
  return out;
}

/** Chinese text → the words a source BPE learns inside and encodes: normalised runs of Han characters. */
function bpeWords(text: string, digits: Digits): string[] {
  return hanRuns(digitUnits(tokenizeChinese(text, { mode: 'char' }), digits));
}

/** Chinese text → the model's source units. */
function sourceUnits(text: string, unit: SourceUnit, srcBpe: Bpe | null, digits: Digits): string[] {
  return unit === 'bpe' ? srcBpe!.encode(bpeWords(text, digits)) : digitUnits(tokenizeChinese(text, { mode: unit }), digits);
}
