/**
 * Scenes, questions and answers for the image-and-question model (browser-safe).
 *
 * A scene is a 56×56 picture: either a 2×2 grid of four 28×28 Fashion-MNIST images (reading order:
 * top left, top right, bottom left, bottom right) or one image in the middle of a black canvas. About a
 * scene the generator asks, in English or Chinese, one of four kinds of question and writes the answer
 * as a short sentence in the language of the question:
 *   what      What is this? → A sneaker.            这是什么? → 这是一双运动鞋。           (one image)
 *   position  What is in the top left? → A bag.     左上角是什么? → 左上角是一个包。       (grids)
 *   exists    Is there a bag? → Yes. / No.          有包吗? → 有。/ 没有。
 *   describe  Describe the picture. → A bag, a coat, a dress and a sneaker.
 *             描述这张图片。 → 图中有一个包、一件外套、一条连衣裙和一双运动鞋。
 * The vocabulary is closed (every word of every template), and text is split into its words by longest
 * match, so one tokenizer serves both languages (Chinese has no spaces).
 */
import { Generator } from '../../util/random.js';

export const SCENE_SIZE = 56;
export const TILE = 28;
export const LANGS = ['en', 'zh'] as const;
export type Lang = (typeof LANGS)[number];
export const QUESTION_KINDS = ['what', 'position', 'exists', 'describe'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];
export const POSITIONS = ['top left', 'top right', 'bottom left', 'bottom right'] as const;
const ZH_POSITIONS = ['左上角', '右上角', '左下角', '右下角'] as const;

/** The ten classes in English (with the article a sentence needs) and in Chinese (with its measure word). */
export const CLASS_WORDS: readonly { en: string; enNoun: string; zh: string; zhMeasure: string }[] = [
  { en: 'a T-shirt', enNoun: 'T-shirt', zh: 'T恤', zhMeasure: '一件' },
  { en: 'a pair of trousers', enNoun: 'pair of trousers', zh: '裤子', zhMeasure: '一条' },
  { en: 'a pullover', enNoun: 'pullover', zh: '套头衫', zhMeasure: '一件' },
  { en: 'a dress', enNoun: 'dress', zh: '连衣裙', zhMeasure: '一条' },
  { en: 'a coat', enNoun: 'coat', zh: '外套', zhMeasure: '一件' },
  { en: 'a sandal', enNoun: 'sandal', zh: '凉鞋', zhMeasure: '一双' },
  { en: 'a shirt', enNoun: 'shirt', zh: '衬衫', zhMeasure: '一件' },
  { en: 'a sneaker', enNoun: 'sneaker', zh: '运动鞋', zhMeasure: '一双' },
  { en: 'a bag', enNoun: 'bag', zh: '包', zhMeasure: '一个' },
  { en: 'an ankle boot', enNoun: 'ankle boot', zh: '短靴', zhMeasure: '一双' },
];

/** A picture to ask about: 56×56 bytes and what is where (`items[i]` is the class in tile i, or one item). */
export interface Scene {
  layout: 'grid' | 'single';
  pixels: Uint8Array;
  /** grid: four classes in reading order; single: one class. */
  items: number[];
}

export interface QA {
  kind: QuestionKind;
  lang: Lang;
  question: string;
  answer: string;
  /** position questions: which tile (0–3). */
  position?: number;
}

/** Composes a scene from 28×28 images (`indices` into `pixels`): four make a grid, one is centred. */
export function composeScene(pixels: Uint8Array, labels: ArrayLike<number>, indices: readonly number[], flips?: readonly boolean[]): Scene {
  if (indices.length !== 1 && indices.length !== 4) throw new Error(`a scene holds 1 or 4 images, got ${indices.length}`);
  const out = new Uint8Array(SCENE_SIZE * SCENE_SIZE);
  const n = TILE * TILE;
  const place = (src: number, top: number, left: number, flip = false): void => {
    for (let r = 0; r < TILE; r++) {
      const row = pixels.subarray(src * n + r * TILE, src * n + (r + 1) * TILE);
      const at = (top + r) * SCENE_SIZE + left;
      if (flip) for (let c = 0; c < TILE; c++) out[at + c] = row[TILE - 1 - c];
      else out.set(row, at);
    }
  };
  if (indices.length === 1) place(indices[0], TILE / 2, TILE / 2, flips?.[0]);
  else indices.forEach((k, i) => place(k, (i >> 1) * TILE, (i & 1) * TILE, flips?.[i]));
  return { layout: indices.length === 1 ? 'single' : 'grid', pixels: out, items: indices.map((k) => labels[k]) };
}

function capitalize(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

function listEn(items: readonly number[]): string {
  const words = items.map((c) => CLASS_WORDS[c].en);
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

function listZh(items: readonly number[]): string {
  const words = items.map((c) => CLASS_WORDS[c].zhMeasure + CLASS_WORDS[c].zh);
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join('、')}和${words[words.length - 1]}`;
}

/** The question of a kind, in a language (`about`: the class an exists question names, or the tile a position question names). */
export function questionText(kind: QuestionKind, lang: Lang, about = 0): string {
  if (lang === 'en') {
    switch (kind) {
      case 'what': return 'What is this?';
      case 'position': return `What is in the ${POSITIONS[about]}?`;
      case 'exists': return `Is there ${CLASS_WORDS[about].en}?`;
      case 'describe': return 'Describe the picture.';
    }
  }
  switch (kind) {
    case 'what': return '这是什么?';
    case 'position': return `${ZH_POSITIONS[about]}是什么?`;
    case 'exists': return `有${CLASS_WORDS[about].zh}吗?`;
    case 'describe': return '描述这张图片。';
  }
}

/** The right answer to a question about a scene with these items. */
export function answerText(kind: QuestionKind, lang: Lang, items: readonly number[], about = 0): string {
  const en = lang === 'en';
  switch (kind) {
    case 'what': return en ? `${capitalize(CLASS_WORDS[items[0]].en)}.` : `这是${listZh([items[0]])}。`;
    case 'position': return en ? `${capitalize(CLASS_WORDS[items[about]].en)}.` : `${ZH_POSITIONS[about]}是${listZh([items[about]])}。`;
    case 'exists': return items.includes(about) ? (en ? 'Yes.' : '有。') : (en ? 'No.' : '没有。');
    case 'describe': return en ? `${capitalize(listEn(items))}.` : `图中有${listZh(items)}。`;
  }
}

/** The kinds of question that fit a layout. */
export function kindsFor(layout: Scene['layout']): QuestionKind[] {
  return layout === 'grid' ? ['position', 'exists', 'describe'] : ['what', 'exists', 'describe'];
}

export function makeQA(scene: Scene, kind: QuestionKind, lang: Lang, about = 0): QA {
  return { kind, lang, question: questionText(kind, lang, about), answer: answerText(kind, lang, scene.items, about), ...(kind === 'position' ? { position: about } : {}) };
}

/**
 * A random question about a scene (training): description and position questions are drawn more often,
 * since they teach the model to read every tile; an exists question names a present class half the time.
 */
export function randomQA(scene: Scene, g: Generator): QA {
  const lang: Lang = g.uniform() < 0.5 ? 'en' : 'zh';
  const u = g.uniform();
  if (scene.layout === 'grid') {
    if (u < 0.4) return makeQA(scene, 'position', lang, Math.floor(g.uniform() * 4));
    if (u < 0.7) return makeQA(scene, 'describe', lang);
  } else {
    if (u < 0.4) return makeQA(scene, 'what', lang);
    if (u < 0.6) return makeQA(scene, 'describe', lang);
  }
  const present = g.uniform() < 0.5;
  const absent = Array.from({ length: 10 }, (_, c) => c).filter((c) => !scene.items.includes(c));
  const pool = present || absent.length === 0 ? scene.items : absent;
  return makeQA(scene, 'exists', lang, pool[Math.floor(g.uniform() * pool.length)]);
}

/** Every question the evaluation asks about a scene: all kinds, both languages, all four tiles, and one present and one absent class. */
export function allQA(scene: Scene, g: Generator): QA[] {
  const out: QA[] = [];
  const absent = Array.from({ length: 10 }, (_, c) => c).filter((c) => !scene.items.includes(c));
  for (const lang of LANGS) {
    for (const kind of kindsFor(scene.layout)) {
      if (kind === 'position') for (let p = 0; p < 4; p++) out.push(makeQA(scene, kind, lang, p));
      else if (kind === 'exists') {
        out.push(makeQA(scene, kind, lang, scene.items[Math.floor(g.uniform() * scene.items.length)]));
        if (absent.length) out.push(makeQA(scene, kind, lang, absent[Math.floor(g.uniform() * absent.length)]));
      } else out.push(makeQA(scene, kind, lang));
    }
  }
  return out;
}

/** Image indices of `count` scenes drawn from `pool` (half grids of four, half single images), seeded. */
export function drawScenes(poolSize: number, count: number, seed: number): number[][] {
  const g = new Generator(seed);
  return Array.from({ length: count }, (_, i) => Array.from({ length: i % 2 === 0 ? 4 : 1 }, () => Math.floor(g.uniform() * poolSize)));
}

// ---- the tokenizer -------------------------------------------------------------------------------

export const PAD = 0;
export const BOS = 1;
export const SEP = 2;
export const EOS = 3;
export const UNK = 4;
const SPECIAL = ['<pad>', '<bos>', '<sep>', '<eos>', '<unk>'];

/** Every word of every question and answer the templates write, in a fixed order. */
function templateWords(): string[] {
  const words = new Set<string>();
  const en = (s: string): void => { for (const w of s.toLowerCase().match(/[a-z-]+|[^\sa-z-]/g) ?? []) words.add(w); };
  en('what is this ? what is in the top left right bottom ? is there a an pair of ? describe the picture . yes no , and');
  for (const c of CLASS_WORDS) en(c.en);
  for (const w of ['这是', '什么', '?', '是', '有', '吗', '没有', '。', '描述', '这张', '图片', '图中有', '、', '和', ...ZH_POSITIONS]) words.add(w);
  for (const c of CLASS_WORDS) { words.add(c.zh.toLowerCase()); words.add(c.zhMeasure); }
  return [...words];
}

/** The closed vocabulary: ids 0–4 are special, then the template words. */
export const VOCAB: readonly string[] = [...SPECIAL, ...templateWords()];
const IDS = new Map(VOCAB.map((w, i) => [w, i]));
const LONGEST = Math.max(...VOCAB.map((w) => w.length));

const isLetter = (ch: string | undefined): boolean => ch !== undefined && /[a-z]/.test(ch);

/**
 * Text → words (lower-cased, longest match against the vocabulary; a word of letters must be a whole
 * word). Full-width and half-width question marks are one. What matches nothing is one unknown word per
 * character or letter run.
 */
export function splitWords(text: string): { word: string; known: boolean }[] {
  const s = text.toLowerCase().replace(/？/g, '?').replace(/，/g, ',').replace(/．/g, '.').replace(/！/g, '!');
  const out: { word: string; known: boolean }[] = [];
  let i = 0;
  while (i < s.length) {
    if (/\s/.test(s[i])) { i++; continue; }
    let match = '';
    for (let len = Math.min(LONGEST, s.length - i); len > 0; len--) {
      const w = s.slice(i, i + len);
      if (!IDS.has(w) || IDS.get(w)! < SPECIAL.length) continue;
      if (isLetter(w[w.length - 1]) && isLetter(s[i + len])) continue;
      if (isLetter(w[0]) && isLetter(s[i - 1])) continue;
      match = w;
      break;
    }
    if (match) { out.push({ word: match, known: true }); i += match.length; continue; }
    const run = /^[\p{L}\p{M}\p{N}'’-]+/u.exec(s.slice(i))?.[0];
    const unknown = run && /^[a-z\u00c0-\u024f'’-]/.test(run) ? run : String.fromCodePoint(s.codePointAt(i)!);
    out.push({ word: unknown, known: false });
    i += unknown.length;
  }
  return out;
}

export function encodeText(text: string): number[] {
  return splitWords(text).map((w) => (w.known ? IDS.get(w.word)! : UNK));
}

const EN_WORD = /^[a-z]/;

/** Ids → a sentence: English words spaced and capitalised, Chinese joined, no space before punctuation. */
export function decodeText(ids: readonly number[]): string {
  let out = '';
  for (const id of ids) {
    const w = id >= SPECIAL.length && id < VOCAB.length ? VOCAB[id] : '<unk>';
    const display = w === 't-shirt' ? 'T-shirt' : w === 't恤' ? 'T恤' : w;
    if (out && EN_WORD.test(w) && /[a-z.,?]$/i.test(out) && !/[。、?]$/.test(out)) out += ' ';
    out += display;
  }
  return out ? out[0].toUpperCase() + out.slice(1) : out;
}

/** One word as it is shown (T-shirt, T恤 with their capital). */
export function wordText(id: number): string {
  const w = id >= SPECIAL.length && id < VOCAB.length ? VOCAB[id] : '<unk>';
  return w === 't-shirt' ? 'T-shirt' : w === 't恤' ? 'T恤' : w;
}

/** Which language a question is in: Chinese if it holds Han characters, English if it is Latin letters, else null. */
export function questionLanguage(text: string): Lang | null {
  // kana or hangul: Japanese or Korean, even with Han characters among them
  if (/[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(text)) return null;
  if (/\p{Script=Han}/u.test(text)) return 'zh';
  if (/[a-z]/i.test(text) && !/[^\x00-\x7f？]/.test(text)) return 'en';
  return null;
}
