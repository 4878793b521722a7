/**
 * English tokenization and detokenization, designed to be reversible: `detokenizeEnglish(
 * tokenizeEnglish(s))` gives `s` back for ordinary sentences (measured on the Tatoeba dev split in
 * test/text/english.test.ts), so a model's output tokens turn into natural text that BLEU can score
 * against the raw reference.
 *
 * Tokens: words; punctuation split off the ends of words (. , ! ? ; : " ( ) [ ] { } % $ … and '...');
 * contractions split as in the Penn Treebank (I'm → I 'm, don't → do n't, can't → ca n't, Tom's →
 * Tom 's); numbers kept whole (40,000 3.5 9:00 1880); hyphenated words kept whole unless
 * `splitHyphens` (well-known → well @-@ known).
 */

/** Marks a split hyphen: well-known → well @-@ known. */
export const HYPHEN_TOKEN = '@-@';

/** Punctuation peeled off the front of a word. */
const LEADING = new Set(['"', '(', '[', '{', '¿', '¡', '$', '#', '£', '€', '“', '‘']);
/** Punctuation peeled off the end of a word. */
const TRAILING = new Set(['.', ',', '!', '?', ';', ':', '"', ')', ']', '}', '%', '…', '”', '’']);

/** Clitics split off the end of a word (Penn Treebank style); matched case-insensitively. */
const CLITIC = /^(.*[\p{L}\p{N}])('s|'m|'re|'ve|'ll|'d)$/iu;
const NEGATION = /^(.*\p{L})(n't)$/iu;
/** Words that begin with an apostrophe and are not quotations. */
const APOSTROPHE_WORDS = new Set(["'em", "'tis", "'twas", "'cause", "'til", "'bout", "'n'"]);

/** Typographic quotes and apostrophes written the plain way (’ → ', “ ” → "). */
export function normalizeEnglish(text: string): string {
  return text
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/gu, ' ')
    .trim();
}

export interface EnglishTokenizeOptions {
  /** Lower-case every token (default false). */
  lowercase?: boolean;
  /** Split hyphenated words, marking the hyphen as `@-@` (default false). */
  splitHyphens?: boolean;
  /** Apply {@link normalizeEnglish} first (default true). */
  normalize?: boolean;
}

/**
 * Splits an English sentence into tokens.
 * @example tokenizeEnglish("I'm eating.") // ['I', "'m", 'eating', '.']
 * @example tokenizeEnglish("Don't!", { lowercase: true }) // ['do', "n't", '!']
 */
export function tokenizeEnglish(text: string, options: EnglishTokenizeOptions = {}): string[] {
  const { lowercase = false, splitHyphens = false, normalize = true } = options;
  const s = normalize ? normalizeEnglish(text) : text;
  const out: string[] = [];
  const chunks = s.split(/\s+/u).filter(Boolean);
  chunks.forEach((chunk, i) => splitChunk(chunk, splitHyphens, i === chunks.length - 1, out));
  return lowercase ? out.map((t) => t.toLowerCase()) : out;
}

/** Titles whose period belongs to the word (Mr. Smith), unless the sentence ends there. */
const TITLES = new Set(['mr.', 'mrs.', 'ms.', 'dr.', 'st.', 'jr.', 'sr.', 'prof.', 'mt.', 'vs.']);
/** Letter-period abbreviations: U.S. a.m. I.D. T.V. */
const LETTER_ABBREVIATION = /^(?:\p{L}\.){2,}$/u;

function splitChunk(chunk: string, splitHyphens: boolean, last: boolean, out: string[]): void {
  let w = chunk;
  const pre: string[] = [];
  const post: string[] = [];
  for (;;) {
    if (w.length > 1 && LEADING.has(w[0])) {
      pre.push(w[0]);
      w = w.slice(1);
    } else if (w.length > 1 && w[0] === "'" && /\p{L}/u.test(w[1]) && !isApostropheWord(w)) {
      pre.push("'");
      w = w.slice(1);
    } else break;
  }
  for (;;) {
    if (!last && (LETTER_ABBREVIATION.test(w) || TITLES.has(w.toLowerCase()))) break;
    if (w.length > 3 && w.endsWith('...')) {
      post.push('...');
      w = w.slice(0, -3);
    } else if (w.length > 1 && TRAILING.has(w[w.length - 1])) {
      post.push(w[w.length - 1]);
      w = w.slice(0, -1);
    } else if (w.length > 1 && w.endsWith("'") && !/'$/.test(w.slice(0, -1)) && !isApostropheWord(w)) {
      // students' (possessive) or a closing single quote
      post.push("'");
      w = w.slice(0, -1);
    } else break;
  }
  out.push(...pre);
  const core: string[] = [];
  for (;;) {
    const neg = NEGATION.exec(w);
    const cl = neg ? null : CLITIC.exec(w);
    const m = neg ?? cl;
    if (!m) break;
    core.unshift(m[2]);
    w = m[1];
  }
  if (splitHyphens && /[^-]-[^-]/.test(w)) {
    w.split('-').forEach((part, i) => {
      if (i > 0) out.push(HYPHEN_TOKEN);
      if (part) out.push(part);
    });
  } else if (w) out.push(w);
  out.push(...core);
  out.push(...post.reverse());
}

function isApostropheWord(w: string): boolean {
  return APOSTROPHE_WORDS.has(w.toLowerCase().replace(/[^\p{L}']+$/u, ''));
}

/** Tokens written against the word before them. */
const ATTACH_LEFT = new Set(['.', ',', '!', '?', ';', ':', ')', ']', '}', '%', '...', '…', '”', '’']);
/** Tokens written against the word after them. */
const ATTACH_RIGHT = new Set(['(', '[', '{', '$', '#', '£', '€', '¿', '¡', '“', '‘']);
const CLITIC_TOKEN = /^(?:'s|'m|'re|'ve|'ll|'d|n't)$/i;
const SENTENCE_END = new Set(['.', '!', '?', '...', '…']);

export interface EnglishDetokenizeOptions {
  /**
   * Capitalise the first letter of each sentence and the pronoun i (default true). Tokens that are
   * already capitalised stay as they are, so this is harmless on cased tokens and restores lowercased
   * ones (except names: use a {@link Truecaser} at training time to keep those).
   */
  capitalize?: boolean;
}

/**
 * Joins tokens into natural text: no space before . , ! ? ; : ) and clitics, none after ( and $,
 * double quotes alternate between opening and closing, @-@ joins a hyphenated word.
 * @example detokenizeEnglish(['i', "'m", 'eating', '.']) // "I'm eating."
 */
export function detokenizeEnglish(tokens: readonly string[], options: EnglishDetokenizeOptions = {}): string {
  const { capitalize = true } = options;
  const toks = capitalize ? capitalizeTokens(tokens) : tokens;
  let out = '';
  let glueNext = true; // no space before the next token
  let doubleOpen = false;
  let singleOpen = false;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t === '') continue;
    let left = false;
    let right = false;
    if (t === '"') {
      if (doubleOpen) left = true;
      else right = true;
      doubleOpen = !doubleOpen;
    } else if (t === "'") {
      const prev = toks[i - 1] ?? '';
      if (singleOpen) {
        left = true;
        singleOpen = false;
      } else if (/[sS]$/.test(prev) && i > 0) left = true; // students'
      else {
        right = true;
        singleOpen = true;
      }
    } else if (t === HYPHEN_TOKEN) {
      left = right = true;
      out += '-';
      glueNext = true;
      continue;
    } else if (ATTACH_LEFT.has(t) || CLITIC_TOKEN.test(t)) left = true;
    else if (ATTACH_RIGHT.has(t)) right = true;
    out += out === '' || left || glueNext ? t : ' ' + t;
    glueNext = right;
  }
  return out;
}

function capitalizeTokens(tokens: readonly string[]): string[] {
  const initial = sentenceInitialPositions(tokens);
  return tokens.map((t, i) => (t === 'i' ? 'I' : initial[i] && !CLITIC_TOKEN.test(t) ? upperFirst(t) : t));
}

function upperFirst(t: string): string {
  const m = /\p{L}/u.exec(t);
  if (!m) return t;
  return t.slice(0, m.index) + t[m.index].toUpperCase() + t.slice(m.index + 1);
}

/**
 * True for the first word of each sentence: the first word, and a word after . ! ? … — except a word
 * right after a closing quote that follows them ("Where?" he asked: 'he' goes on the sentence).
 */
function sentenceInitialPositions(tokens: readonly string[]): boolean[] {
  const out = new Array<boolean>(tokens.length).fill(false);
  let start = true;
  let ended = false; // the last token ended a sentence
  let doubleOpen = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === '"') {
      if (doubleOpen) {
        if (ended) start = false; // a speech tag may follow: "Where?" he asked.
      } else if (i > 0 && /^[",:]$/.test(tokens[i - 1])) {
        start = true; // quoted speech: He said, "Go." / "Hi." "Why?"
      }
      doubleOpen = !doubleOpen;
      ended = false;
      continue;
    }
    if (SENTENCE_END.has(t)) {
      start = true;
      ended = true;
      continue;
    }
    if (!/\p{L}/u.test(t)) continue;
    out[i] = start;
    start = false;
    ended = false;
  }
  return out;
}

/**
 * A truecaser learned from cased text: it lower-cases a sentence's first word when that word is
 * written in lower case more often than not inside sentences (The → the, but Tom, I and Boston stay).
 * Used on training targets, so the vocabulary holds one form per word and names keep their capitals;
 * at output time {@link detokenizeEnglish} capitalises the sentence start again.
 */
export class Truecaser {
  /** Lower-cased word → its preferred form, for the words whose preferred form is not lower case. */
  private readonly forms: Map<string, string>;

  private constructor(forms: Map<string, string>) {
    this.forms = forms;
  }

  /** Learns the preferred form of each word from tokenized, cased sentences. */
  static learn(sentences: Iterable<readonly string[]>): Truecaser {
    const counts = new Map<string, Map<string, number>>();
    for (const tokens of sentences) {
      const initial = sentenceInitialPositions(tokens);
      tokens.forEach((t, i) => {
        if (initial[i] || !/\p{L}/u.test(t)) return;
        const key = t.toLowerCase();
        let forms = counts.get(key);
        if (!forms) counts.set(key, (forms = new Map()));
        forms.set(t, (forms.get(t) ?? 0) + 1);
      });
    }
    const forms = new Map<string, string>();
    for (const [key, seen] of counts) {
      // the most frequent form; a tie goes to the lower-case form, then to code-point order
      let best = '';
      let bestCount = -1;
      for (const [form, n] of seen) {
        const better = n > bestCount || (n === bestCount && (form === key || (best !== key && form < best)));
        if (better) (best = form), (bestCount = n);
      }
      if (best !== key) forms.set(key, best);
    }
    return new Truecaser(forms);
  }

  /** The number of words whose preferred form has capitals. */
  get size(): number {
    return this.forms.size;
  }

  /**
   * The tokens with each sentence-initial word in its preferred form: a listed word takes its form,
   * any other word is lower-cased unless it is the pronoun I or has a capital after its first letter
   * (NASA, iPhone).
   */
  apply(tokens: readonly string[]): string[] {
    const initial = sentenceInitialPositions(tokens);
    return tokens.map((t, i) => {
      if (!initial[i]) return t;
      const form = this.forms.get(t.toLowerCase());
      if (form !== undefined) return form;
      return t === 'I' || /\p{Lu}/u.test(t.slice(1)) ? t : t.toLowerCase();
    });
  }

  /** The preferred forms that are not lower case, sorted; everything else is lower case. */
  toJSON(): { format: 'llmcore-truecaser'; version: 1; forms: string[] } {
    return { format: 'llmcore-truecaser', version: 1, forms: [...this.forms.values()].sort() };
  }

  static fromJSON(json: unknown): Truecaser {
    const j = json as { format?: unknown; version?: unknown; forms?: unknown } | null;
    if (!j || j.format !== 'llmcore-truecaser' || j.version !== 1 || !Array.isArray(j.forms)) {
      throw new Error(`Truecaser.fromJSON: expected {format: 'llmcore-truecaser', version: 1, forms: [...]}, got ${describe(json)}`);
    }
    const forms = new Map<string, string>();
    for (const f of j.forms) {
      if (typeof f !== 'string') throw new Error(`Truecaser.fromJSON: forms must be strings, got ${describe(f)}`);
      forms.set(f.toLowerCase(), f);
    }
    return new Truecaser(forms);
  }
}

function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s;
}
