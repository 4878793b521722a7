/**
 * Byte-level BPE, the tokenizer of GPT-2 (Radford et al., 2019) and of most GPT-style models since:
 * text is cut into words by a regular expression, each word's UTF-8 bytes are written as printable
 * characters (one per byte), and ranked merges join adjacent symbols into vocabulary tokens. Every
 * string encodes (any byte has a token), so there is no `<unk>`.
 *
 * `ByteLevelBpe` loads GPT-2's own files (vocab.json + merges.txt, or a Hugging Face tokenizer.json)
 * and gives the same ids as Hugging Face's `tokenizers` and OpenAI's encoder.py; `ByteLevelBpe.train`
 * learns a new one on our data and saves it as a tokenizer.json that Hugging Face loads.
 *
 * Browser-safe: only TextEncoder/TextDecoder, no node: modules.
 */

/**
 * GPT-2's pre-tokenizer, `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`,
 * with `\s` spelled out. OpenAI's encoder.py (Python `regex`) and Hugging Face's tokenizers (Oniguruma)
 * read `\s` as Unicode White_Space — tab to carriage return, U+0085 and the separators \p{Z} — while
 * JavaScript's `\s` adds U+FEFF and leaves out U+0085, which would cut text containing those two
 * characters differently from GPT-2.
 */
const WS = '\\t-\\r\\x85\\p{Z}';
export const GPT2_PRETOKENIZE_PATTERN =
  `'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^${WS}\\p{L}\\p{N}]+|[${WS}]+(?![^${WS}])|[${WS}]+`;
const PRETOKENIZE = new RegExp(GPT2_PRETOKENIZE_PATTERN, 'gu');

/** Cuts text into the words that merges never cross, as GPT-2 does: "I'm here" → ["I", "'m", " here"]. */
export function preTokenize(text: string): string[] {
  return text.match(PRETOKENIZE) ?? [];
}

/**
 * GPT-2's byte→character table: printable Latin-1 bytes stand for themselves, the other 68 bytes
 * (controls, space, soft hyphen…) for U+0100 onwards, so every token is a visible string and a space
 * shows as 'Ġ'. Index = byte.
 */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const chars: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    chars[b] = String.fromCharCode(printable ? b : 256 + extra++);
  }
  return chars;
})();
const CHAR_TO_BYTE = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));
/** The 256 byte characters in code-point order, the order of GPT-2's first 256 ids ('!' is 0, 'Ġ' 220). */
const ALPHABET_BYTES: readonly number[] = [...BYTE_TO_CHAR.keys()].sort((a, b) => BYTE_TO_CHAR[a].charCodeAt(0) - BYTE_TO_CHAR[b].charCodeAt(0));

/** An added token as Hugging Face's tokenizer.json stores it (e.g. `<|endoftext|>`). */
export interface AddedToken {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

export interface ByteLevelBpeEncodeOptions {
  /**
   * Special tokens that are read as themselves when they appear in the text: 'all', or a list.
   * Default none: "<|endoftext|>" typed by a user is ordinary text (as in OpenAI's encoder and
   * gpt-3-encoder), so user input cannot forge control tokens. Hugging Face's tokenizers match special
   * tokens by default; pass 'all' for its behaviour.
   */
  allowedSpecial?: 'all' | readonly string[];
}

export interface ByteLevelBpeTrainOptions {
  /** Final vocabulary size: special tokens + the 256 bytes + the merges learned. */
  vocabSize: number;
  /** Tokens given the first ids and never split, e.g. ['<|endoftext|>']; removed from the training text. */
  specialTokens?: readonly string[];
  /** Stop when the most frequent pair occurs fewer times than this (default 2). */
  minFrequency?: number;
}

/** The parts of a Hugging Face tokenizer.json that a byte-level BPE uses (others are kept verbatim). */
export interface HfTokenizerJson {
  version: string;
  truncation: unknown;
  padding: unknown;
  added_tokens: AddedToken[];
  normalizer: unknown;
  pre_tokenizer: unknown;
  post_processor: unknown;
  decoder: unknown;
  model: {
    type: 'BPE';
    dropout: null;
    unk_token: null;
    continuing_subword_prefix: string | null;
    end_of_word_suffix: string | null;
    fuse_unk: boolean;
    byte_fallback: boolean;
    ignore_merges: boolean;
    vocab: Record<string, number>;
    merges: string[] | [string, string][];
  };
}

interface Merge {
  rank: number;
  id: number;
}

interface Settings {
  addPrefixSpace: boolean;
  ignoreMerges: boolean;
  /** Fields of the tokenizer.json this came from that toJSON writes back unchanged. */
  passthrough: Partial<Pick<HfTokenizerJson, 'version' | 'truncation' | 'padding' | 'normalizer' | 'post_processor' | 'decoder'>> & { unk_token?: unknown };
}

const CACHE_LIMIT = 100_000;
const UTF8 = new TextEncoder();

function fail(where: string, why: string): never {
  throw new Error(`${where}: ${why}`);
}

function byteLevelDefaults(addPrefixSpace: boolean, trimOffsets: boolean): Record<string, unknown> {
  return { type: 'ByteLevel', add_prefix_space: addPrefixSpace, trim_offsets: trimOffsets, use_regex: true };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class ByteLevelBpe {
  private readonly idToToken: (string | undefined)[] = [];
  private readonly tokenToIdMap = new Map<string, number>();
  private readonly mergeList: [string, string][];
  private readonly mergeMap = new Map<number, Merge>();
  /** Pair keys are left * stride + right: one number, no string building in the hot loop. */
  private readonly stride: number;
  private readonly byteIds = new Int32Array(256).fill(-1);
  private readonly added: AddedToken[];
  private readonly addedById = new Map<number, AddedToken>();
  private readonly cache = new Map<string, number[]>();
  private readonly splitters = new Map<string, RegExp | null>();

  private constructor(vocab: Iterable<[string, number]>, merges: [string, string][], added: AddedToken[], private readonly settings: Settings, source: string) {
    for (const [token, id] of vocab) {
      if (!Number.isInteger(id) || id < 0) fail(`${source}: vocab["${token}"]`, `expected an id ≥ 0, got ${JSON.stringify(id)}`);
      if (this.idToToken[id] !== undefined) fail(`${source}: vocab["${token}"]`, `id ${id} is already "${this.idToToken[id]}"`);
      this.idToToken[id] = token;
      this.tokenToIdMap.set(token, id);
    }
    for (const t of added) {
      const existing = this.idToToken[t.id];
      if (existing !== undefined && existing !== t.content) fail(`${source}: added_tokens "${t.content}"`, `id ${t.id} is already "${existing}" in the vocabulary`);
      this.idToToken[t.id] = t.content;
      this.tokenToIdMap.set(t.content, t.id);
      this.addedById.set(t.id, t);
    }
    this.added = added;
    this.stride = this.idToToken.length + 1;
    this.mergeList = merges;
    merges.forEach(([a, b], rank) => {
      const ia = this.tokenToIdMap.get(a);
      const ib = this.tokenToIdMap.get(b);
      const im = this.tokenToIdMap.get(a + b);
      const where = `${source}: merges[${rank}] "${a} ${b}"`;
      if (ia === undefined) fail(where, `"${a}" is not in the vocabulary`);
      if (ib === undefined) fail(where, `"${b}" is not in the vocabulary`);
      if (im === undefined) fail(where, `the merged token "${a + b}" is not in the vocabulary`);
      const key = ia * this.stride + ib;
      // A repeated line keeps its first (best) rank, as Hugging Face's loader does.
      if (!this.mergeMap.has(key)) this.mergeMap.set(key, { rank, id: im });
    });
    for (let b = 0; b < 256; b++) this.byteIds[b] = this.tokenToIdMap.get(BYTE_TO_CHAR[b]) ?? -1;
  }

  /**
   * GPT-2's files as published (vocab.json / encoder.json and merges.txt / vocab.bpe). Tokens listed in
   * `specialTokens` that are in the vocabulary become special; by default `<|endoftext|>`, as
   * Hugging Face's GPT2Tokenizer does.
   */
  static fromVocabAndMerges(vocabJson: Record<string, number>, mergesTxt: string, options: { specialTokens?: readonly string[] } = {}): ByteLevelBpe {
    if (vocabJson === null || typeof vocabJson !== 'object' || Array.isArray(vocabJson)) fail('vocab.json', 'expected an object mapping tokens to ids');
    const merges: [string, string][] = [];
    mergesTxt.split(/\r?\n/).forEach((line, i) => {
      if (line === '' || (i === 0 && line.startsWith('#version'))) return;
      const parts = line.split(' ');
      if (parts.length !== 2 || parts[0] === '' || parts[1] === '') fail(`merges.txt line ${i + 1}`, `expected two tokens separated by one space, got ${JSON.stringify(line)}`);
      merges.push([parts[0], parts[1]]);
    });
    const specials = options.specialTokens ?? ['<|endoftext|>'];
    const added: AddedToken[] = [];
    const vocab: [string, number][] = [];
    for (const [token, id] of Object.entries(vocabJson)) {
      if (specials.includes(token)) added.push(addedToken(token, id));
      else vocab.push([token, id]);
    }
    return new ByteLevelBpe(vocab, merges, added, { addPrefixSpace: false, ignoreMerges: false, passthrough: {} }, 'vocab.json/merges.txt');
  }

  /**
   * A Hugging Face tokenizer.json of a GPT-2 style byte-level BPE (an object, or its text). Merges may be
   * "a b" strings or [a, b] pairs (tokenizers ≥ 0.20). Anything this class would not reproduce exactly —
   * another model type, a different pre-tokenizer, subword prefixes — is refused with the field named.
   */
  static fromTokenizerJson(json: unknown): ByteLevelBpe {
    const src = 'tokenizer.json';
    let j = json;
    if (typeof j === 'string') {
      try {
        j = JSON.parse(j);
      } catch (e) {
        fail(src, `not valid JSON (${(e as Error).message})`);
      }
    }
    if (!isObject(j)) fail(src, 'expected a JSON object');
    const model = j.model;
    if (!isObject(model)) fail(`${src}: model`, 'expected an object');
    if (model.type !== undefined && model.type !== 'BPE') fail(`${src}: model.type`, `expected "BPE", got ${JSON.stringify(model.type)}`);
    if (!isObject(model.vocab)) fail(`${src}: model.vocab`, 'expected an object mapping tokens to ids');
    if (!Array.isArray(model.merges)) fail(`${src}: model.merges`, 'expected an array');
    for (const field of ['continuing_subword_prefix', 'end_of_word_suffix'] as const) {
      const v = model[field];
      if (v !== undefined && v !== null && v !== '') fail(`${src}: model.${field}`, `expected none for a byte-level BPE, got ${JSON.stringify(v)}`);
    }
    if (model.dropout !== undefined && model.dropout !== null && model.dropout !== 0) {
      fail(`${src}: model.dropout`, `BPE dropout (${JSON.stringify(model.dropout)}) makes encoding random; expected null`);
    }
    const merges: [string, string][] = model.merges.map((m: unknown, i: number): [string, string] => {
      if (typeof m === 'string') {
        const parts = m.split(' ');
        if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') return [parts[0], parts[1]];
      } else if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') {
        return [m[0], m[1]];
      }
      return fail(`${src}: model.merges[${i}]`, `expected "a b" or ["a", "b"], got ${JSON.stringify(m)}`);
    });

    const pre = j.pre_tokenizer;
    if (!isObject(pre) || pre.type !== 'ByteLevel') {
      fail(`${src}: pre_tokenizer`, `expected {"type": "ByteLevel"} (GPT-2 style), got ${JSON.stringify(isObject(pre) ? pre.type ?? pre : pre)}`);
    }
    if (pre.use_regex === false) fail(`${src}: pre_tokenizer.use_regex`, 'false is not supported: expected GPT-2\'s regex');
    if (j.normalizer !== undefined && j.normalizer !== null) {
      fail(`${src}: normalizer`, `expected null (GPT-2 has none), got ${JSON.stringify(isObject(j.normalizer) ? j.normalizer.type : j.normalizer)}`);
    }

    const addedRaw = j.added_tokens ?? [];
    if (!Array.isArray(addedRaw)) fail(`${src}: added_tokens`, 'expected an array');
    const added = addedRaw.map((t: unknown, i: number): AddedToken => {
      if (!isObject(t) || typeof t.content !== 'string' || t.content === '' || !Number.isInteger(t.id)) {
        fail(`${src}: added_tokens[${i}]`, 'expected {"id": number, "content": non-empty string, …}');
      }
      if (t.single_word === true) fail(`${src}: added_tokens[${i}] "${t.content}"`, 'single_word: true is not supported');
      return { ...addedToken(t.content, t.id as number), ...pickBooleans(t), id: t.id as number, content: t.content };
    });
    // An added token may also be a vocab entry (GPT-2 lists <|endoftext|> in both): the added one rules.
    const addedContents = new Set(added.map((t) => t.content));
    const vocab = Object.entries(model.vocab).filter(([token]) => !addedContents.has(token)) as [string, number][];
    const passthrough: Settings['passthrough'] = {};
    for (const k of ['version', 'truncation', 'padding', 'normalizer', 'post_processor', 'decoder'] as const) {
      if (k in j) (passthrough as Record<string, unknown>)[k] = j[k];
    }
    if (model.unk_token !== undefined) passthrough.unk_token = model.unk_token;
    return new ByteLevelBpe(vocab, merges, added, {
      addPrefixSpace: pre.add_prefix_space === true,
      ignoreMerges: model.ignore_merges === true,
      passthrough,
    }, src);
  }

  /**
   * Learns a byte-level BPE on `texts`, pre-tokenized exactly as encode does, so the merges fit what
   * they will be applied to. Ids: special tokens first, then the 256 bytes in GPT-2's order, then one
   * id per merge. The most frequent pair is merged first; ties go to the pair whose left token has
   * the smaller id, then the right one — a fixed rule, so the same texts give the same tokenizer.
   */
  static train(texts: Iterable<string>, options: ByteLevelBpeTrainOptions): ByteLevelBpe {
    const specials = [...(options.specialTokens ?? [])];
    const minFrequency = options.minFrequency ?? 2;
    const { vocabSize } = options;
    const base = specials.length + 256;
    if (!Number.isInteger(vocabSize) || vocabSize < base) {
      fail('vocabSize', `expected an integer ≥ ${base} (${specials.length} special tokens + 256 bytes), got ${vocabSize}`);
    }
    if (!(minFrequency >= 1)) fail('minFrequency', `expected a number ≥ 1, got ${minFrequency}`);
    if (new Set(specials).size !== specials.length || specials.some((s) => s === '')) fail('specialTokens', 'expected distinct non-empty strings');

    const added = specials.map((s, i) => addedToken(s, i));
    const splitter = specials.length ? new RegExp([...specials].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g') : null;
    const wordCounts = new Map<string, number>();
    for (const text of texts) {
      for (const segment of splitter ? text.split(splitter) : [text]) {
        for (const w of preTokenize(segment)) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
      }
    }

    const tokens: string[] = ALPHABET_BYTES.map((b) => BYTE_TO_CHAR[b]);
    const firstId = specials.length;
    const byteId = new Int32Array(256);
    ALPHABET_BYTES.forEach((b, i) => (byteId[b] = firstId + i));
    const words: number[][] = [];
    const counts: number[] = [];
    for (const [w, c] of wordCounts) {
      const bytes = UTF8.encode(w);
      const syms = new Array<number>(bytes.length);
      for (let i = 0; i < bytes.length; i++) syms[i] = byteId[bytes[i]];
      words.push(syms);
      counts.push(c);
    }

    // Pair counts, the words each pair may occur in, and a max-heap that is checked lazily: after the
    // merge that creates a token, counts of pairs only fall, so a popped entry whose count is stale is
    // pushed back with the true count.
    const stride = vocabSize;
    const pairCounts = new Map<number, number>();
    const pairWords = new Map<number, Set<number>>();
    words.forEach((syms, wi) => {
      for (let i = 0; i + 1 < syms.length; i++) {
        const key = syms[i] * stride + syms[i + 1];
        pairCounts.set(key, (pairCounts.get(key) ?? 0) + counts[wi]);
        let set = pairWords.get(key);
        if (!set) pairWords.set(key, (set = new Set()));
        set.add(wi);
      }
    });
    const heap = new PairHeap();
    for (const [key, c] of pairCounts) heap.push(c, key);

    const merges: [string, string][] = [];
    const nextId = () => firstId + tokens.length;
    while (nextId() < vocabSize && heap.size > 0) {
      const [count, key] = heap.pop();
      const actual = pairCounts.get(key) ?? 0;
      if (actual !== count) {
        if (actual > 0) heap.push(actual, key);
        continue;
      }
      if (count < minFrequency) break;
      const left = Math.floor(key / stride);
      const right = key - left * stride;
      const newId = nextId();
      const lt = tokens[left - firstId];
      const rt = tokens[right - firstId];
      tokens.push(lt + rt);
      merges.push([lt, rt]);

      const delta = new Map<number, number>();
      const change = (k: number, by: number) => delta.set(k, (delta.get(k) ?? 0) + by);
      for (const wi of pairWords.get(key) ?? []) {
        const syms = words[wi];
        const c = counts[wi];
        const out: number[] = [];
        let i = 0;
        while (i < syms.length) {
          if (i + 1 < syms.length && syms[i] === left && syms[i + 1] === right) {
            // Neighbours as they are after the merges already done in this word, as Hugging Face's
            // trainer counts them, so runs like "a b a b" come out right.
            if (out.length > 0) {
              const prev = out[out.length - 1];
              change(prev * stride + left, -c);
              change(prev * stride + newId, c);
              addWord(pairWords, prev * stride + newId, wi);
            }
            if (i + 2 < syms.length) {
              const next = syms[i + 2];
              change(right * stride + next, -c);
              change(newId * stride + next, c);
              addWord(pairWords, newId * stride + next, wi);
            }
            out.push(newId);
            i += 2;
          } else {
            out.push(syms[i]);
            i++;
          }
        }
        words[wi] = out;
      }
      pairCounts.delete(key);
      pairWords.delete(key);
      for (const [k, d] of delta) {
        if (k === key || d === 0) continue;
        const c = (pairCounts.get(k) ?? 0) + d;
        if (c > 0) pairCounts.set(k, c);
        else pairCounts.delete(k);
        if (d > 0) heap.push(c, k);
      }
    }

    const vocab: [string, number][] = tokens.map((t, i) => [t, firstId + i]);
    return new ByteLevelBpe(vocab, merges, added, { addPrefixSpace: false, ignoreMerges: false, passthrough: {} }, 'train');
  }

  /** Number of ids (the largest id + 1), special tokens included. */
  get vocabSize(): number {
    return this.idToToken.length;
  }

  /** The merges in rank order. */
  get merges(): readonly (readonly [string, string])[] {
    return this.mergeList;
  }

  /** The special and other added tokens. */
  get addedTokens(): readonly AddedToken[] {
    return this.added;
  }

  /** The id of a token as the vocabulary writes it ('Ġthe', '<|endoftext|>'), or undefined. */
  tokenToId(token: string): number | undefined {
    return this.tokenToIdMap.get(token);
  }

  /** The token string as the vocabulary writes it ('Ġthe'); undefined for an unused id. */
  idToTokenString(id: number): string | undefined {
    return this.idToToken[id];
  }

  isSpecial(id: number): boolean {
    return this.addedById.get(id)?.special === true;
  }

  encode(text: string, options: ByteLevelBpeEncodeOptions = {}): number[] {
    const ids: number[] = [];
    const splitter = this.splitter(options.allowedSpecial);
    if (!splitter) {
      this.encodeOrdinary(text, ids);
      return ids;
    }
    splitter.lastIndex = 0;
    let start = 0;
    let pendingRstrip = false;
    for (let m = splitter.exec(text); m !== null; m = splitter.exec(text)) {
      const token = this.addedById.get(this.tokenToIdMap.get(m[0])!)!;
      let before = text.slice(start, m.index);
      if (pendingRstrip) before = before.replace(/^\s+/u, '');
      if (token.lstrip) before = before.replace(/\s+$/u, '');
      this.encodeOrdinary(before, ids);
      ids.push(token.id);
      pendingRstrip = token.rstrip;
      start = m.index + m[0].length;
    }
    let rest = text.slice(start);
    if (pendingRstrip) rest = rest.replace(/^\s+/u, '');
    this.encodeOrdinary(rest, ids);
    return ids;
  }

  /** The UTF-8 bytes that `ids` stand for (a streaming decoder can hold back a character's first bytes). */
  decodeBytes(ids: readonly number[]): Uint8Array {
    const out: number[] = [];
    for (const id of ids) {
      const token = this.idToToken[id];
      if (token === undefined) throw new RangeError(`token id ${id} is not in the vocabulary (ids 0–${this.idToToken.length - 1})`);
      if (this.addedById.has(id)) {
        for (const b of UTF8.encode(token)) out.push(b);
        continue;
      }
      for (const ch of token) {
        const b = CHAR_TO_BYTE.get(ch);
        if (b !== undefined) out.push(b);
        else for (const x of UTF8.encode(ch)) out.push(x);
      }
    }
    return Uint8Array.from(out);
  }

  /** The text of `ids`; bytes that do not form UTF-8 become U+FFFD, as in Hugging Face's decode. */
  decode(ids: readonly number[]): string {
    // ignoreBOM: a leading U+FEFF is text the user wrote, and TextDecoder would drop it by default.
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(this.decodeBytes(ids));
  }

  /**
   * A token as a person should see it: its text, with any byte that is only part of a character shown
   * as <0xE4> rather than "�" — '你' is the bytes E4 BD A0, and a token holding only E4 BD shows as
   * "<0xE4><0xBD>". Special tokens show as themselves.
   */
  tokenText(id: number): string {
    if (this.addedById.has(id)) return this.idToToken[id]!;
    return displayBytes(this.decodeBytes([id]));
  }

  /** The tokenizer as a Hugging Face tokenizer.json object (JSON.stringify it to save). */
  toJSON(): HfTokenizerJson {
    const vocab: Record<string, number> = Object.create(null);
    this.idToToken.forEach((t, id) => {
      if (t !== undefined) vocab[t] = id;
    });
    // "a b" strings are read by every tokenizers version; the pair form only when a token has a space.
    const spaced = this.mergeList.some(([a, b]) => a.includes(' ') || b.includes(' '));
    const p = this.settings.passthrough;
    const prefix = this.settings.addPrefixSpace;
    return {
      version: (p.version as string | undefined) ?? '1.0',
      truncation: p.truncation ?? null,
      padding: p.padding ?? null,
      added_tokens: this.added.map((t) => ({ ...t })),
      normalizer: p.normalizer ?? null,
      pre_tokenizer: byteLevelDefaults(prefix, true),
      post_processor: 'post_processor' in p ? p.post_processor : byteLevelDefaults(prefix, false),
      decoder: 'decoder' in p ? p.decoder : byteLevelDefaults(true, true),
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: (p.unk_token as null | undefined) ?? null,
        continuing_subword_prefix: '',
        end_of_word_suffix: '',
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: this.settings.ignoreMerges,
        vocab,
        merges: spaced ? this.mergeList.map(([a, b]): [string, string] => [a, b]) : this.mergeList.map(([a, b]) => `${a} ${b}`),
      },
    };
  }

  private splitter(allowed: ByteLevelBpeEncodeOptions['allowedSpecial']): RegExp | null {
    const cacheKey = allowed === undefined ? '' : allowed === 'all' ? '\u0000all' : JSON.stringify(allowed);
    const cached = this.splitters.get(cacheKey);
    if (cached !== undefined) return cached;
    if (Array.isArray(allowed)) {
      for (const s of allowed) {
        const id = this.tokenToIdMap.get(s);
        if (id === undefined || !this.addedById.get(id)?.special) throw new Error(`allowedSpecial: "${s}" is not a special token of this tokenizer`);
      }
    }
    // Non-special added tokens are always matched, as Hugging Face does; special ones only when allowed.
    const active = this.added.filter((t) => !t.special || allowed === 'all' || (Array.isArray(allowed) && allowed.includes(t.content)));
    const re = active.length
      ? new RegExp(active.map((t) => t.content).sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g')
      : null;
    this.splitters.set(cacheKey, re);
    return re;
  }

  private encodeOrdinary(text: string, ids: number[]): void {
    if (text === '') return;
    if (this.settings.addPrefixSpace && !text.startsWith(' ')) text = ' ' + text;
    PRETOKENIZE.lastIndex = 0;
    for (const word of text.match(PRETOKENIZE) ?? []) {
      let pieces = this.cache.get(word);
      if (!pieces) {
        pieces = this.encodeWord(word);
        if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
        this.cache.set(word, pieces);
      }
      for (const id of pieces) ids.push(id);
    }
  }

  /**
   * One word's merges, lowest rank first and leftmost first among equals — GPT-2's order — over a
   * linked list with a heap of candidate pairs, so a 100,000-character word costs n log n, not n².
   */
  private encodeWord(word: string): number[] {
    const bytes = UTF8.encode(word);
    const n = bytes.length;
    const sym = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const id = this.byteIds[bytes[i]];
      if (id < 0) throw new Error(`byte 0x${bytes[i].toString(16).toUpperCase().padStart(2, '0')} (in ${JSON.stringify(word)}) has no token in this vocabulary`);
      sym[i] = id;
    }
    if (this.settings.ignoreMerges) {
      const whole = this.tokenToIdMap.get(Array.from(bytes, (b) => BYTE_TO_CHAR[b]).join(''));
      if (whole !== undefined) return [whole];
    }
    if (n < 2) return sym;
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const alive = new Uint8Array(n).fill(1);
    // Heap entries are rank·2³² + position: one number orders by rank, then position.
    const heap = new MinHeap();
    const POS = 4294967296;
    for (let i = 0; i + 1 < n; i++) {
      const m = this.mergeMap.get(sym[i] * this.stride + sym[i + 1]);
      if (m) heap.push(m.rank * POS + i);
    }
    while (heap.size > 0) {
      const entry = heap.pop();
      const rank = Math.floor(entry / POS);
      const pos = entry - rank * POS;
      if (!alive[pos]) continue;
      const j = next[pos];
      if (j < 0) continue;
      const m = this.mergeMap.get(sym[pos] * this.stride + sym[j]);
      if (!m || m.rank !== rank) continue;
      sym[pos] = m.id;
      alive[j] = 0;
      next[pos] = next[j];
      if (next[j] >= 0) prev[next[j]] = pos;
      const p = prev[pos];
      if (p >= 0) {
        const mp = this.mergeMap.get(sym[p] * this.stride + sym[pos]);
        if (mp) heap.push(mp.rank * POS + p);
      }
      const k = next[pos];
      if (k >= 0) {
        const mk = this.mergeMap.get(sym[pos] * this.stride + sym[k]);
        if (mk) heap.push(mk.rank * POS + pos);
      }
    }
    const out: number[] = [];
    for (let i = 0; i >= 0; i = next[i]) out.push(sym[i]);
    return out;
  }
}

/** Bytes as text: complete UTF-8 characters as themselves, any other byte as <0xHH>. */
export function displayBytes(bytes: Uint8Array): string {
  let s = '';
  let i = 0;
  while (i < bytes.length) {
    const len = utf8SequenceLength(bytes, i);
    if (len === 0) {
      s += `<0x${bytes[i].toString(16).toUpperCase().padStart(2, '0')}>`;
      i++;
      continue;
    }
    let cp = len === 1 ? bytes[i] : bytes[i] & (0xff >> (len + 1));
    for (let k = 1; k < len; k++) cp = (cp << 6) | (bytes[i + k] & 0x3f);
    s += String.fromCodePoint(cp);
    i += len;
  }
  return s;
}

/** Length of the valid UTF-8 sequence starting at i, or 0 if the bytes there are not one (RFC 3629). */
function utf8SequenceLength(b: Uint8Array, i: number): number {
  const b0 = b[i];
  if (b0 < 0x80) return 1;
  let len: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) len = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    len = 3;
    if (b0 === 0xe0) lo = 0xa0; // overlong
    if (b0 === 0xed) hi = 0x9f; // surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    len = 4;
    if (b0 === 0xf0) lo = 0x90;
    if (b0 === 0xf4) hi = 0x8f;
  } else return 0;
  if (i + len > b.length) return 0;
  if (b[i + 1] < lo || b[i + 1] > hi) return 0;
  for (let k = 2; k < len; k++) if (b[i + k] < 0x80 || b[i + k] > 0xbf) return 0;
  return len;
}

function addedToken(content: string, id: number): AddedToken {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

function pickBooleans(t: Record<string, unknown>): Partial<AddedToken> {
  const out: Partial<AddedToken> = {};
  for (const k of ['single_word', 'lstrip', 'rstrip', 'normalized', 'special'] as const) {
    if (typeof t[k] === 'boolean') out[k] = t[k] as boolean;
  }
  return out;
}

function isObject(x: unknown): x is Record<string, any> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function addWord(map: Map<number, Set<number>>, key: number, wi: number): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(wi);
}

/** A binary min-heap of numbers. */
class MinHeap {
  private readonly h: number[] = [];

  get size(): number {
    return this.h.length;
  }

  push(x: number): void {
    const h = this.h;
    let i = h.push(x) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p] <= x) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = x;
  }

  pop(): number {
    const h = this.h;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && h[r] < h[l] ? r : l;
        if (h[c] >= last) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

/** Max-heap of (count, pair key): larger count first, then smaller key (smaller left id, then right id). */
class PairHeap {
  private readonly counts: number[] = [];
  private readonly keys: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  private before(c1: number, k1: number, c2: number, k2: number): boolean {
    return c1 > c2 || (c1 === c2 && k1 < k2);
  }

  push(count: number, key: number): void {
    const { counts, keys } = this;
    let i = counts.length;
    counts.push(count);
    keys.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(count, key, counts[p], keys[p])) break;
      counts[i] = counts[p];
      keys[i] = keys[p];
      i = p;
    }
    counts[i] = count;
    keys[i] = key;
  }

  pop(): [number, number] {
    const { counts, keys } = this;
    const top: [number, number] = [counts[0], keys[0]];
    const lc = counts.pop()!;
    const lk = keys.pop()!;
    if (counts.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= counts.length) break;
        const r = l + 1;
        const c = r < counts.length && this.before(counts[r], keys[r], counts[l], keys[l]) ? r : l;
        if (!this.before(counts[c], keys[c], lc, lk)) break;
        counts[i] = counts[c];
        keys[i] = keys[c];
        i = c;
      }
      counts[i] = lc;
      keys[i] = lk;
    }
    return top;
  }
}
