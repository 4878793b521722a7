/**
 * The GPT chapter's training data, nanoGPT's way: a text as one stream of token ids, its first part for
 * training and its last part held out, and batches of random contiguous windows of it.
 *
 * Character-level models (nanoGPT's shakespeare_char) need a tokenizer whose ids are characters, not
 * bytes: a byte-level BPE without merges splits "é" or "中" into two or three byte tokens, so its
 * vocabulary and its loss are not those of a character model. {@link CharTokenizer} is that tokenizer;
 * it is saved in the model folder as `char-vocab.json` (the characters in id order), which
 * `loadGptTokenizer` reads in place of GPT-2's BPE files.
 */
import { Tensor } from '../../tensor/tensor.js';
import { Generator } from '../../util/random.js';

export const CHAR_VOCAB_FILE = 'char-vocab.json';
export const CHAR_VOCAB_FORMAT = 'llmcore-char-vocab';

/**
 * One token per Unicode character (code point), ids in the order of `chars`. Text with a character
 * outside the vocabulary is refused by name rather than silently mapped to something else.
 * @example const t = CharTokenizer.fromText('hello'); t.encode('hole') // [2, 3, 2, 1]
 */
export class CharTokenizer {
  private readonly ids = new Map<string, number>();
  private readonly encoder = new TextEncoder();

  constructor(readonly chars: readonly string[]) {
    if (chars.length === 0) throw new Error('CharTokenizer: the vocabulary is empty');
    chars.forEach((c, i) => {
      if ([...c].length !== 1) throw new Error(`CharTokenizer: entry ${i} is ${JSON.stringify(c)}, not one character`);
      if (this.ids.has(c)) throw new Error(`CharTokenizer: ${JSON.stringify(c)} appears twice (ids ${this.ids.get(c)} and ${i})`);
      this.ids.set(c, i);
    });
  }

  /** The vocabulary of a text: its distinct characters in code-point order (nanoGPT's `sorted(set(text))`). */
  static fromText(text: string): CharTokenizer {
    return new CharTokenizer([...new Set(text)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
  }

  /** Reads `char-vocab.json`'s text; `file` names it in errors. */
  static fromJson(text: string, file: string): CharTokenizer {
    let j: unknown;
    try {
      j = JSON.parse(text);
    } catch (e) {
      throw new Error(`${file} is not valid JSON (${(e as Error).message})`);
    }
    const o = j as { format?: unknown; chars?: unknown };
    if (!o || typeof o !== 'object' || o.format !== CHAR_VOCAB_FORMAT) throw new Error(`${file}: format must be "${CHAR_VOCAB_FORMAT}"`);
    if (!Array.isArray(o.chars) || !o.chars.every((c) => typeof c === 'string')) throw new Error(`${file}: chars must be a list of one-character strings`);
    try {
      return new CharTokenizer(o.chars as string[]);
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`);
    }
  }

  toJson(): string {
    return JSON.stringify({ format: CHAR_VOCAB_FORMAT, chars: this.chars }) + '\n';
  }

  get vocabSize(): number {
    return this.chars.length;
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const c of text) {
      const id = this.ids.get(c);
      if (id === undefined) throw new Error(`the character ${JSON.stringify(c)} (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) is not in the model's ${this.chars.length}-character vocabulary`);
      out.push(id);
    }
    return out;
  }

  decode(ids: readonly number[]): string {
    return ids.map((i) => this.chars[i] ?? '').join('');
  }

  /** UTF-8 of the decoded text (the interface byte-level tokenizers share, for streaming). */
  decodeBytes(ids: readonly number[]): Uint8Array {
    return this.encoder.encode(this.decode(ids));
  }

  /** A token as a person reads it. */
  tokenText(id: number): string {
    return this.chars[id] ?? `<${id}>`;
  }
}

/** The ids of a text split nanoGPT's way: the first `1 − valFraction` for training, the rest held out. */
export function splitIds(ids: Int32Array, valFraction: number): { train: Int32Array; val: Int32Array } {
  if (!(valFraction >= 0 && valFraction < 1)) throw new Error(`gpt: the held-out fraction must be in [0, 1), got ${valFraction}`);
  const cut = Math.floor(ids.length * (1 - valFraction));
  return { train: ids.subarray(0, cut), val: ids.subarray(cut) };
}

/**
 * A batch of B random windows of T + 1 consecutive ids: inputs x (B, T) and next-token targets y (B, T).
 * Offsets are uniform in [0, n − T − 1], drawn from `g` (nanoGPT's get_batch).
 */
export function randomWindows(ids: Int32Array, B: number, T: number, g: Generator): { x: Tensor; y: Tensor } {
  const span = ids.length - T;
  if (span < 1) throw new Error(`gpt: the text has ${ids.length} tokens, too few for windows of ${T} + 1 (the context and its next token)`);
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const at = g.randint(span);
    x.set(ids.subarray(at, at + T), b * T);
    y.set(ids.subarray(at + 1, at + 1 + T), b * T);
  }
  return { x: new Tensor(x, [B, T]), y: new Tensor(y, [B, T]) };
}

/**
 * The generator of training step `step`'s windows: a function of the seed and the step alone, so a
 * resumed run draws exactly the windows an uninterrupted one would, with nothing to save.
 */
export function stepGenerator(seed: number, step: number): Generator {
  return new Generator(seed * 1_000_003 + step + 1);
}
