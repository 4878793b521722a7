/**
 * Chinese text: Traditional→Simplified normalisation, punctuation and width normalisation, and
 * segmentation into characters or words.
 *
 * Runs in Node and in browsers: the converter is opencc-js's `t2cn` bundle (pure JavaScript, ~110 kB,
 * dictionaries bundled, nothing fetched at run time) and word segmentation is `Intl.Segmenter`.
 *
 * Which converter: `{ from: 't', to: 'cn' }`, OpenCC's `t2s`. Measured on the Tatoeba train split
 * (27,155 Chinese sentences): `t` changes 11,440 (42.1%) and is idempotent (converting its output again
 * changes nothing) and leaves Simplified input untouched. `tw` (tw2s) changes 11,490, but it rewrites
 * 50 sentences that were already Simplified, some wrongly (么→幺 in 不是么, 显著→显着) and is not
 * idempotent (13 sentences change again on a second pass); `hk` behaves like `t` here; `twp` also
 * rewrites words (程序员→进程员). `t` is also what the corpus split used (OpenCC `t2s.json`). What `t`
 * leaves is the Taiwanese aspect particle 著 (睡著, 看著: 245 train sentences), which stays a token of its
 * own beside 着 — harmless for a model, unlike changing Simplified input.
 */
import { Converter } from 'opencc-js/t2cn';

let t2s: ((text: string) => string) | null = null;

/**
 * Traditional → Simplified Chinese (OpenCC t2s: phrases first, then characters). Simplified text
 * and non-Chinese text pass through unchanged.
 * @example toSimplified('我們正在吃蘋果。') // '我们正在吃苹果。'
 */
export function toSimplified(text: string): string {
  const convert = (t2s ??= Converter({ from: 't', to: 'cn' }));
  return convert(text);
}

/** True when `text` contains characters that Traditional→Simplified conversion changes. */
export function hasTraditional(text: string): boolean {
  return toSimplified(text) !== text;
}

/** ASCII punctuation written inside Chinese text, and the full-width form Chinese text uses. */
const TO_FULL_WIDTH: Record<string, string> = {
  ',': '，', '?': '？', '!': '！', ':': '：', ';': '；', '(': '（', ')': '）',
};

/** Full-width punctuation kept as is (the Chinese forms); every other U+FF01–FF5E maps to ASCII. */
const KEEP_FULL_WIDTH = new Set(Object.values(TO_FULL_WIDTH));

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[\u{20000}-\u{2fa1f}]/u;

/** True for a Han character (CJK Unified Ideographs, extensions A–F, compatibility ideographs). */
export function isHan(ch: string): boolean {
  return CJK.test(ch);
}

export interface NormalizeChineseOptions {
  /** Traditional → Simplified (default true). */
  simplify?: boolean;
  /**
   * Punctuation and width (default true): full-width letters, digits and symbols (Ｔｏｍ, ３, ％) become
   * ASCII; ASCII , ? ! : ; ( ) become the Chinese full-width forms (，？！：；（）) except between digits
   * (3,000 and 2:30 stay); a '.' after a Han character becomes 。; ﹐ becomes ，; 「」 and 『』 become “”
   * and ‘’; straight double quotes become “ and ” in turn; zero-width characters go; every run of
   * whitespace (the ideographic space U+3000 too) becomes one space, trimmed at the ends.
   */
  punctuation?: boolean;
}

/**
 * Normalises a Chinese sentence for a model: Traditional → Simplified and one form for each
 * punctuation mark, so that 你相信她嗎? and 你相信她吗？ become the same tokens.
 * @example normalizeChinese('你相信她嗎?') // '你相信她吗？'
 */
export function normalizeChinese(text: string, options: NormalizeChineseOptions = {}): string {
  const { simplify = true, punctuation = true } = options;
  let s = text;
  if (punctuation) s = normalizeChinesePunctuation(s);
  if (simplify) s = toSimplified(s);
  return s;
}

/** The punctuation and width half of {@link normalizeChinese}. */
export function normalizeChinesePunctuation(text: string): string {
  const chars = Array.from(
    text
      .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
      .replace(/\s+/gu, ' ')
      .trim(),
  );
  let out = '';
  let doubleOpen = false;
  for (let i = 0; i < chars.length; i++) {
    let ch = chars[i];
    const code = ch.codePointAt(0)!;
    if (code >= 0xff01 && code <= 0xff5e && !KEEP_FULL_WIDTH.has(ch)) ch = String.fromCodePoint(code - 0xfee0);
    if (ch === '﹐') ch = '，';
    else if (ch === '「') ch = '“';
    else if (ch === '」') ch = '”';
    else if (ch === '『') ch = '‘';
    else if (ch === '』') ch = '’';
    if (ch === '"') {
      ch = doubleOpen ? '”' : '“';
      doubleOpen = !doubleOpen;
    } else if (ch === '“') doubleOpen = true;
    else if (ch === '”') doubleOpen = false;
    else if (TO_FULL_WIDTH[ch] !== undefined) {
      const prev = chars[i - 1] ?? '';
      const next = chars[i + 1] ?? '';
      const betweenDigits = /[0-9]/.test(prev) && /[0-9]/.test(next) && (ch === ',' || ch === ':');
      if (!betweenDigits) ch = TO_FULL_WIDTH[ch];
    } else if (ch === '.' && isHan(chars[i - 1] ?? '')) ch = '。';
    out += ch;
  }
  // Spaces next to full-width punctuation carry nothing: 'DJ ?' → 'DJ？'.
  return out.replace(/ ?([，。？！：；（）“”‘’、]) ?/g, '$1');
}

const LATIN_RUN = /^[A-Za-z0-9\u00c0-\u024f]$/;

/**
 * Characters as tokens: each Han character and each punctuation mark is a token; a run of Latin
 * letters and digits is one token (Tom, MP3, 2:30, 3.5); whitespace separates and is dropped.
 * Code points, not UTF-16 units, so 𠮷 and emoji stay whole.
 * @example chineseChars('Tom在吃饭。') // ['Tom', '在', '吃', '饭', '。']
 */
export function chineseChars(text: string): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  let run = '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    const inNumber = run !== '' && /[.,:]/.test(ch) && /[0-9]$/.test(run) && /[0-9]/.test(chars[i + 1] ?? '');
    if (LATIN_RUN.test(ch) || inNumber) {
      run += ch;
      continue;
    }
    if (run) out.push(run), (run = '');
    if (/\s/u.test(ch)) continue;
    out.push(ch);
  }
  if (run) out.push(run);
  return out;
}

let segmenter: Intl.Segmenter | null = null;

/**
 * Words as tokens, by the platform's ICU dictionary segmenter (`Intl.Segmenter('zh', { granularity:
 * 'word' })`): 我正在吃饭 → 我 / 正在 / 吃饭. Punctuation marks are tokens; whitespace is dropped.
 * The segmentation comes from the ICU data of the running engine, so it can differ between Node
 * versions and browsers: a model trained on words should be served by the same engine.
 */
export function chineseWords(text: string): string[] {
  if (typeof Intl === 'undefined' || typeof Intl.Segmenter !== 'function') {
    throw new Error('chineseWords: Intl.Segmenter is not available in this JavaScript engine; use chineseChars');
  }
  segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
  const out: string[] = [];
  for (const { segment } of segmenter.segment(text)) {
    if (/^\s+$/u.test(segment)) continue;
    out.push(segment.trim());
  }
  return out;
}

export type ChineseSegmentation = 'char' | 'word';

/**
 * Joins each run of adjacent Han characters into one string and leaves every other token alone: the
 * "words" a Chinese BPE learns inside, so that learned subwords (吃饭, 我们) never cross punctuation,
 * Latin runs or digits.
 * @example hanRuns(['我', '正', '在', '吃', '饭', '，', 'Tom', '。']) // ['我正在吃饭', '，', 'Tom', '。']
 */
export function hanRuns(tokens: readonly string[]): string[] {
  const out: string[] = [];
  let run = '';
  for (const t of tokens) {
    if (Array.from(t).length === 1 && isHan(t)) {
      run += t;
      continue;
    }
    if (run) out.push(run), (run = '');
    out.push(t);
  }
  if (run) out.push(run);
  return out;
}

/**
 * Normalises (unless `normalize: false`) and segments a Chinese sentence.
 * @example tokenizeChinese('我們正在吃飯', { mode: 'word' }) // ['我们', '正在', '吃饭']
 */
export function tokenizeChinese(
  text: string,
  options: { mode?: ChineseSegmentation; normalize?: boolean | NormalizeChineseOptions } = {},
): string[] {
  const { mode = 'char', normalize = true } = options;
  const s = normalize === false ? text : normalizeChinese(text, normalize === true ? {} : normalize);
  return mode === 'word' ? chineseWords(s) : chineseChars(s);
}
