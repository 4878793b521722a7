/**
 * The word-level language model's tokenizer: lower-cased English words and punctuation
 * (`tokenizeEnglish`, so "Tom's" → tom 's), one `<eos>` after every non-empty line, and a vocabulary
 * with `<unk>` for words below the frequency cut or beyond the size limit.
 *
 * The text is read as a stream (as the PyTorch word_language_model example reads Penn Treebank): line
 * after line, each ended by `<eos>`, so a prompt is read as the start of a new line — `<eos>` first.
 */
import { tokenizeEnglish } from '../../text/english.js';
import { EOS_ID, UNK_ID, Vocab, countTokens, type VocabJSON } from '../../text/vocab.js';

export interface LmTokenizerOptions {
  /** Keep words seen at least this often (default 1); rarer ones become `<unk>`. */
  minFreq?: number;
  /** At most this many vocabulary entries, specials included (default 10,000). */
  maxVocab?: number;
}

export interface LmTokenizerJSON {
  format: 'llmcore-lm-tokenizer';
  version: 1;
  lowercase: true;
  vocab: VocabJSON;
}

/** Lines of a text, without their line ends; blank lines dropped. */
export function textLines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
}

/** The words of one line, lower-cased. */
export function lmTokens(line: string): string[] {
  return tokenizeEnglish(line, { lowercase: true });
}

/**
 * @example
 * const tok = LmTokenizer.train(text, { minFreq: 2, maxVocab: 10000 });
 * const ids = tok.encodeText(text);   // Int32Array, <eos> after each line
 * tok.encodePrompt('Apple is')        // { ids: [<eos>, apple, is], tokens, unknown: [] }
 */
export class LmTokenizer {
  constructor(readonly vocab: Vocab) {}

  /** Builds the vocabulary from a text. Throws on a text with no words. */
  static train(text: string, options: LmTokenizerOptions = {}): LmTokenizer {
    const lines = textLines(text).map(lmTokens).filter((t) => t.length > 0);
    if (lines.length === 0) throw new Error('lm: the text has no words (empty or only whitespace)');
    const counts = countTokens(lines);
    return new LmTokenizer(Vocab.fromCounts(counts, { minFreq: options.minFreq ?? 1, maxSize: options.maxVocab ?? 10_000 }));
  }

  get size(): number {
    return this.vocab.size;
  }

  /** Ids of a whole text: each non-empty line's words, then `<eos>`. */
  encodeText(text: string): Int32Array {
    const ids: number[] = [];
    for (const line of textLines(text)) {
      const toks = lmTokens(line);
      if (toks.length === 0) continue;
      for (const t of toks) ids.push(this.vocab.id(t));
      ids.push(EOS_ID);
    }
    return Int32Array.from(ids);
  }

  /**
   * A prompt as model input: `<eos>` (the start of a line) then its words. Words not in the
   * vocabulary become `<unk>` and are listed in `unknown`.
   */
  encodePrompt(prompt: string): { ids: number[]; tokens: string[]; unknown: string[] } {
    const tokens = lmTokens(prompt.replace(/\r?\n/g, ' '));
    const ids = [EOS_ID];
    const unknown: string[] = [];
    for (const t of tokens) {
      const id = this.vocab.id(t);
      if (id === UNK_ID) unknown.push(t);
      ids.push(id);
    }
    return { ids, tokens, unknown };
  }

  /** The word of an id (`<eos>` for the end of a line). */
  word(id: number): string {
    return this.vocab.token(id);
  }

  toJSON(): LmTokenizerJSON {
    return { format: 'llmcore-lm-tokenizer', version: 1, lowercase: true, vocab: this.vocab.toJSON() };
  }

  static fromJSON(json: unknown): LmTokenizer {
    const j = json as Partial<LmTokenizerJSON> | null;
    if (!j || typeof j !== 'object' || j.format !== 'llmcore-lm-tokenizer') {
      throw new Error(`LmTokenizer.fromJSON: not an llmcore LM tokenizer (expected format 'llmcore-lm-tokenizer', got ${JSON.stringify((j as { format?: unknown } | null)?.format)})`);
    }
    if (j.version !== 1) throw new Error(`LmTokenizer.fromJSON: unsupported version ${JSON.stringify(j.version)} (expected 1)`);
    return new LmTokenizer(Vocab.fromJSON(j.vocab));
  }
}
