/**
 * Byte-pair encoding over characters (Sennrich et al., 2016, as in subword-nmt): learn merges of the
 * most frequent adjacent symbol pairs inside words, then split any word into known subwords, so rare
 * words become pieces instead of `<unk>`.
 *
 * Deterministic: the most frequent pair is merged first, ties go to the pair that sorts first in
 * code-point order; no randomness, so no seed. Words are whatever the caller's pre-tokenizer gives
 * (English tokens from tokenizeEnglish, Chinese words or runs of characters); pieces never cross words.
 *
 * Pieces that continue into the next piece of the same word end in `@@` (subword-nmt's marker):
 * 'unbelievable' → ['un@@', 'believ@@', 'able'], and {@link Bpe.decode} joins them back.
 */

/** The continuation marker on every piece but a word's last. */
export const BPE_CONTINUATION = '@@';
/** Internal end-of-word marker on a word's last symbol while learning and encoding. */
const EOW = '</w>';

export interface BpeLearnOptions {
  /** How many merges to learn (the subword vocabulary is about characters + merges). */
  numMerges: number;
  /** Stop when the best pair occurs fewer times than this (default 2). */
  minFrequency?: number;
}

export interface BpeJSON {
  format: 'llmcore-bpe';
  version: 1;
  /** The merges in the order learned: [left, right]; a word's last symbol carries '</w>'. */
  merges: [string, string][];
}

/** A max-heap of [count, pair] ordered by count, then by the pair's code-point order. */
class PairHeap {
  private readonly items: [number, string][] = [];

  get length(): number {
    return this.items.length;
  }

  private better(a: [number, string], b: [number, string]): boolean {
    return a[0] > b[0] || (a[0] === b[0] && a[1] < b[1]);
  }

  push(item: [number, string]): void {
    const h = this.items;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.better(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  pop(): [number, string] | undefined {
    const h = this.items;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.better(h[l], h[m])) m = l;
        if (r < h.length && this.better(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

/** The pair key: the two symbols separated by a space (words hold no whitespace). */
const key = (a: string, b: string) => `${a} ${b}`;

function symbolsOf(word: string): string[] {
  const chars = Array.from(word);
  chars[chars.length - 1] += EOW;
  return chars;
}

/**
 * A learned BPE model.
 * @example
 * const bpe = Bpe.learn(sentences.map((s) => tokenizeEnglish(s)), { numMerges: 4000 });
 * bpe.encode(['unbelievable', '.']) // ['un@@', 'believ@@', 'able', '.']
 */
export class Bpe {
  private readonly merges: [string, string][];
  private readonly ranks: Map<string, number>;
  private readonly cache = new Map<string, string[]>();

  private constructor(merges: [string, string][]) {
    this.merges = merges;
    this.ranks = new Map(merges.map(([a, b], i) => [key(a, b), i]));
  }

  /** Learns merges from pre-tokenized sentences (each a list of words). */
  static learn(sentences: Iterable<readonly string[]>, options: BpeLearnOptions): Bpe {
    const counts = new Map<string, number>();
    for (const s of sentences) for (const w of s) if (w !== '') counts.set(w, (counts.get(w) ?? 0) + 1);
    return Bpe.learnFromCounts(counts, options);
  }

  /** Learns merges from word counts. */
  static learnFromCounts(wordCounts: ReadonlyMap<string, number>, options: BpeLearnOptions): Bpe {
    const { numMerges, minFrequency = 2 } = options;
    if (!Number.isInteger(numMerges) || numMerges < 0) throw new Error(`Bpe.learn: numMerges must be a non-negative integer, got ${numMerges}`);
    if (/\s/u.test([...wordCounts.keys()].join(''))) throw new Error('Bpe.learn: words must not contain whitespace');
    // words in a fixed order, so that learning does not depend on the input's order
    const entries = [...wordCounts].filter(([w]) => w !== '').sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const words = entries.map(([w]) => symbolsOf(w));
    const freq = entries.map(([, n]) => n);
    const stats = new Map<string, number>();
    const where = new Map<string, Set<number>>();
    const add = (w: number, sign: 1 | -1) => {
      const syms = words[w];
      for (let i = 0; i + 1 < syms.length; i++) {
        const k = key(syms[i], syms[i + 1]);
        stats.set(k, (stats.get(k) ?? 0) + sign * freq[w]);
        if (sign > 0) {
          let s = where.get(k);
          if (!s) where.set(k, (s = new Set()));
          s.add(w);
        }
      }
    };
    words.forEach((_, w) => add(w, 1));
    const heap = new PairHeap();
    for (const [k, c] of stats) heap.push([c, k]);
    const merges: [string, string][] = [];
    while (merges.length < numMerges && heap.length > 0) {
      const [c, k] = heap.pop()!;
      const current = stats.get(k) ?? 0;
      if (current !== c) {
        if (current > 0) heap.push([current, k]); // stale entry: requeue with the live count
        continue;
      }
      if (c < minFrequency) break;
      const sp = k.indexOf(' ');
      const a = k.slice(0, sp);
      const b = k.slice(sp + 1);
      const merged = a + b;
      merges.push([a, b]);
      const touched = new Set<string>();
      for (const w of where.get(k) ?? []) {
        const syms = words[w];
        let has = false;
        for (let i = 0; i + 1 < syms.length; i++) if (syms[i] === a && syms[i + 1] === b) has = true;
        if (!has) continue;
        for (let i = 0; i + 1 < syms.length; i++) touched.add(key(syms[i], syms[i + 1]));
        add(w, -1);
        const out: string[] = [];
        for (let i = 0; i < syms.length; i++) {
          if (i + 1 < syms.length && syms[i] === a && syms[i + 1] === b) {
            out.push(merged);
            i++;
          } else out.push(syms[i]);
        }
        words[w] = out;
        add(w, 1);
        for (let i = 0; i + 1 < out.length; i++) touched.add(key(out[i], out[i + 1]));
      }
      stats.delete(k);
      where.delete(k);
      for (const t of touched) {
        const n = stats.get(t) ?? 0;
        if (n > 0 && t !== k) heap.push([n, t]);
        else if (n <= 0) stats.delete(t);
      }
    }
    return new Bpe(merges);
  }

  /** Number of merges. */
  get size(): number {
    return this.merges.length;
  }

  /** The pieces of one word, continuation pieces marked with `@@`. */
  encodeWord(word: string): string[] {
    if (word === '') return [];
    const cached = this.cache.get(word);
    if (cached) return cached;
    let syms = symbolsOf(word);
    while (syms.length > 1) {
      let best = Infinity;
      let at = -1;
      for (let i = 0; i + 1 < syms.length; i++) {
        const r = this.ranks.get(key(syms[i], syms[i + 1]));
        if (r !== undefined && r < best) (best = r), (at = i);
      }
      if (at < 0) break;
      const [a, b] = this.merges[best];
      const out: string[] = [];
      for (let i = 0; i < syms.length; i++) {
        if (i + 1 < syms.length && syms[i] === a && syms[i + 1] === b) {
          out.push(a + b);
          i++;
        } else out.push(syms[i]);
      }
      syms = out;
    }
    const pieces = syms.map((s, i) => (i === syms.length - 1 ? s.slice(0, -EOW.length) : s + BPE_CONTINUATION));
    if (this.cache.size < 100_000) this.cache.set(word, pieces);
    return pieces;
  }

  /** The pieces of a list of words. */
  encode(words: readonly string[]): string[] {
    return words.flatMap((w) => this.encodeWord(w));
  }

  /**
   * Joins pieces back into words: a piece ending in `@@` continues into the next. A dangling
   * continuation at the end (a model that stopped mid-word) is kept without its marker.
   */
  decode(pieces: readonly string[]): string[] {
    return decodeBpe(pieces);
  }

  toJSON(): BpeJSON {
    return { format: 'llmcore-bpe', version: 1, merges: this.merges.map(([a, b]) => [a, b]) };
  }

  static fromJSON(json: unknown): Bpe {
    const j = json as Partial<BpeJSON> | null;
    if (!j || j.format !== 'llmcore-bpe' || j.version !== 1 || !Array.isArray(j.merges)) {
      throw new Error(`Bpe.fromJSON: expected {format: 'llmcore-bpe', version: 1, merges: [...]}, got format ${JSON.stringify(j?.format)}`);
    }
    j.merges.forEach((m, i) => {
      if (!Array.isArray(m) || m.length !== 2 || typeof m[0] !== 'string' || typeof m[1] !== 'string') {
        throw new Error(`Bpe.fromJSON: merge ${i} must be a pair of strings, got ${JSON.stringify(m)}`);
      }
    });
    return new Bpe(j.merges.map(([a, b]) => [a, b]));
  }
}

/** Joins BPE pieces into words (see {@link Bpe.decode}); needs no model. */
export function decodeBpe(pieces: readonly string[]): string[] {
  const out: string[] = [];
  let word = '';
  for (const p of pieces) {
    if (p.endsWith(BPE_CONTINUATION) && p.length > BPE_CONTINUATION.length) word += p.slice(0, -BPE_CONTINUATION.length);
    else {
      out.push(word + p);
      word = '';
    }
  }
  if (word) out.push(word);
  return out;
}
