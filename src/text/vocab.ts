/**
 * A vocabulary: tokens ↔ ids, with the four specials every sequence model here uses at fixed ids.
 * Built from token counts (most frequent first, ties in code-point order, so the same data always
 * gives the same ids), saved as JSON beside the model.
 */

export const PAD = '<pad>';
export const BOS = '<bos>';
export const EOS = '<eos>';
export const UNK = '<unk>';
/** The specials, at ids 0–3. */
export const SPECIALS = [PAD, BOS, EOS, UNK] as const;
export const PAD_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
export const UNK_ID = 3;

export interface VocabBuildOptions {
  /** Keep tokens seen at least this often (default 1). */
  minFreq?: number;
  /** At most this many entries in all, the 4 specials included (default: no limit). */
  maxSize?: number;
  /** Extra special tokens placed right after the four (e.g. a separator). */
  extraSpecials?: readonly string[];
}

export interface VocabJSON {
  format: 'llmcore-vocab';
  version: 1;
  /** Every token, in id order; the first four are the specials. */
  tokens: string[];
  /** How many of `tokens` are specials (4 plus any extra). */
  specials: number;
}

/** Counts tokens over sequences of tokens. */
export function countTokens(sequences: Iterable<readonly string[]>, counts = new Map<string, number>()): Map<string, number> {
  for (const seq of sequences) for (const t of seq) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

/**
 * Tokens ↔ ids.
 * @example
 * const v = Vocab.build([['I', "'m", 'eating', '.']], { minFreq: 1 });
 * v.encode(['I', 'am'], { bos: true, eos: true }) // [1, id('I'), 3, 2]
 */
export class Vocab {
  private readonly itos: readonly string[];
  private readonly stoi: Map<string, number>;
  /** How many ids at the start are specials. */
  readonly numSpecials: number;

  private constructor(tokens: readonly string[], numSpecials: number) {
    for (let i = 0; i < SPECIALS.length; i++) {
      if (tokens[i] !== SPECIALS[i]) throw new Error(`Vocab: id ${i} must be ${SPECIALS[i]}, got ${JSON.stringify(tokens[i])}`);
    }
    const stoi = new Map<string, number>();
    tokens.forEach((t, i) => {
      if (typeof t !== 'string') throw new Error(`Vocab: token ${i} is not a string: ${JSON.stringify(t)}`);
      if (stoi.has(t)) throw new Error(`Vocab: token ${JSON.stringify(t)} appears twice (ids ${stoi.get(t)} and ${i})`);
      stoi.set(t, i);
    });
    this.itos = tokens;
    this.stoi = stoi;
    this.numSpecials = numSpecials;
  }

  /** Builds a vocabulary from token sequences. */
  static build(sequences: Iterable<readonly string[]>, options: VocabBuildOptions = {}): Vocab {
    return Vocab.fromCounts(countTokens(sequences), options);
  }

  /** Builds a vocabulary from token counts: frequent first, ties in code-point order. */
  static fromCounts(counts: ReadonlyMap<string, number>, options: VocabBuildOptions = {}): Vocab {
    const { minFreq = 1, maxSize = Infinity, extraSpecials = [] } = options;
    if (!(minFreq >= 1)) throw new Error(`Vocab: minFreq must be at least 1, got ${minFreq}`);
    const specials = [...SPECIALS, ...extraSpecials];
    if (maxSize < specials.length) throw new Error(`Vocab: maxSize ${maxSize} is smaller than the ${specials.length} specials`);
    const reserved = new Set(specials);
    if (reserved.size !== specials.length) throw new Error(`Vocab: extraSpecials repeat a special: ${extraSpecials.join(' ')}`);
    const entries = [...counts].filter(([t, n]) => n >= minFreq && !reserved.has(t));
    entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const tokens = [...specials, ...entries.slice(0, Math.max(0, maxSize - specials.length)).map(([t]) => t)];
    return new Vocab(tokens, specials.length);
  }

  /** Number of ids (V). */
  get size(): number {
    return this.itos.length;
  }

  /** All tokens in id order. */
  get tokens(): readonly string[] {
    return this.itos;
  }

  has(token: string): boolean {
    return this.stoi.has(token);
  }

  /** The id of a token; `<unk>`'s id (3) for a token not in the vocabulary. */
  id(token: string): number {
    return this.stoi.get(token) ?? UNK_ID;
  }

  /** The token of an id; an error for an id out of range. */
  token(id: number): string {
    const t = this.itos[id];
    if (t === undefined) throw new RangeError(`Vocab.token: id ${id} is out of range [0, ${this.itos.length})`);
    return t;
  }

  /** Ids of tokens, with `<bos>` first and/or `<eos>` last if asked. */
  encode(tokens: readonly string[], options: { bos?: boolean; eos?: boolean } = {}): number[] {
    const ids = tokens.map((t) => this.id(t));
    if (options.bos) ids.unshift(BOS_ID);
    if (options.eos) ids.push(EOS_ID);
    return ids;
  }

  /**
   * Tokens of ids. By default it stops at the first `<eos>` and drops `<pad>` and `<bos>`; `<unk>`
   * stays (it is what the model said). `keepSpecials: true` returns every id's token as it is.
   */
  decode(ids: Iterable<number>, options: { keepSpecials?: boolean } = {}): string[] {
    const out: string[] = [];
    for (const id of ids) {
      if (!options.keepSpecials) {
        if (id === EOS_ID) break;
        if (id === PAD_ID || id === BOS_ID) continue;
      }
      out.push(this.token(id));
    }
    return out;
  }

  /** The fraction of tokens (over all sequences) that are not in the vocabulary. */
  unkRate(sequences: Iterable<readonly string[]>): number {
    let total = 0;
    let unk = 0;
    for (const seq of sequences) {
      for (const t of seq) {
        total++;
        if (!this.stoi.has(t)) unk++;
      }
    }
    return total === 0 ? 0 : unk / total;
  }

  toJSON(): VocabJSON {
    return { format: 'llmcore-vocab', version: 1, tokens: [...this.itos], specials: this.numSpecials };
  }

  /** Restores a vocabulary saved with `toJSON`; checks the format and the specials. */
  static fromJSON(json: unknown): Vocab {
    const j = json as Partial<VocabJSON> | null;
    if (!j || typeof j !== 'object' || j.format !== 'llmcore-vocab') {
      throw new Error(`Vocab.fromJSON: not an llmcore vocabulary (expected format 'llmcore-vocab', got ${JSON.stringify((j as { format?: unknown } | null)?.format)})`);
    }
    if (j.version !== 1) throw new Error(`Vocab.fromJSON: unsupported version ${JSON.stringify(j.version)} (expected 1)`);
    if (!Array.isArray(j.tokens)) throw new Error('Vocab.fromJSON: tokens must be an array of strings');
    const specials = j.specials ?? SPECIALS.length;
    if (!Number.isInteger(specials) || specials < SPECIALS.length || specials > j.tokens.length) {
      throw new Error(`Vocab.fromJSON: specials must be an integer in [4, ${j.tokens.length}], got ${JSON.stringify(j.specials)}`);
    }
    return new Vocab(j.tokens, specials);
  }
}
