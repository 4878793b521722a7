/**
 * The multi-task GPT's data: the texts it is pre-trained on and the chat-format prompts it is
 * fine-tuned on, built from the data sets the other chapters use (Tatoeba's Chinese–English pairs and
 * Fisher's Iris flowers). Browser-safe: every function takes the files' text, not their paths.
 *
 * One format throughout, the one `llmcore chat` writes (cli/gpt.ts, ChatSession):
 *
 *   User: Translate into English: 我正在吃饭。
 *   Assistant: I am eating.
 *
 * and a blank line after the reply, where chat stops reading. A task is a way of asking: the same
 * parameters answer a zh→en or en→zh translation and an Iris flower written as text, asked in English
 * (answered in English) or in Chinese (answered in Chinese).
 */
import { Generator } from '../../util/random.js';

/** The chat format's role names: ChatSession's defaults (`llmcore chat --user/--assistant`). */
export const CHAT_USER = 'User';
export const CHAT_ASSISTANT = 'Assistant';

/** One exchange: what the user asks and the answer the model is taught to give. */
export interface ChatExample {
  prompt: string;
  answer: string;
}

/** A Chinese–English pair of a Tatoeba TSV (Chinese TAB English, as ../shared/data/tatoeba-cmn-eng has it). */
export interface TranslationPair {
  zh: string;
  en: string;
}

/** The four measurements of an Iris flower (cm) and its species. */
export interface IrisFlower {
  sepalLength: number;
  sepalWidth: number;
  petalLength: number;
  petalWidth: number;
  species: IrisSpecies;
}

export const IRIS_SPECIES = ['setosa', 'versicolor', 'virginica'] as const;
export type IrisSpecies = (typeof IRIS_SPECIES)[number];

/** Each species' answer in each language (the Chinese names are those of ../shared/data/iris/SOURCE.md). */
export const IRIS_ANSWERS: Record<'en' | 'zh', Record<IrisSpecies, string>> = {
  en: { setosa: 'Iris setosa.', versicolor: 'Iris versicolor.', virginica: 'Iris virginica.' },
  zh: { setosa: '山鸢尾。', versicolor: '变色鸢尾。', virginica: '维吉尼亚鸢尾。' },
};

/**
 * The pairs of a Tatoeba TSV: one pair a line, Chinese TAB English (further columns ignored); blank
 * lines skipped; a line without a tab is an error naming `source` and the line.
 */
export function parseTranslationTsv(text: string, source: string): TranslationPair[] {
  const pairs: TranslationPair[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const cols = line.split('\t');
    if (cols.length < 2 || !cols[0].trim() || !cols[1].trim()) throw new Error(`${source}: line ${i + 1} is not "Chinese<TAB>English"`);
    pairs.push({ zh: cols[0].trim(), en: cols[1].trim() });
  });
  if (pairs.length === 0) throw new Error(`${source}: no pairs in it`);
  return pairs;
}

/** The flowers of iris.csv (header sepal_length,sepal_width,petal_length,petal_width,species; "Iris-" prefixes accepted). */
export function parseIrisCsv(text: string, source: string): IrisFlower[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  const flowers: IrisFlower[] = [];
  lines.forEach((line, i) => {
    const cols = line.split(',').map((c) => c.trim());
    if (i === 0 && /sepal/i.test(line)) return;
    const species = cols[4]?.replace(/^Iris-/, '') as IrisSpecies;
    const nums = cols.slice(0, 4).map(Number);
    if (cols.length < 5 || nums.some((n) => !Number.isFinite(n)) || !IRIS_SPECIES.includes(species)) {
      throw new Error(`${source}: line ${i + 1} is not "sepal_length,sepal_width,petal_length,petal_width,species" with a species of ${IRIS_SPECIES.join('/')}`);
    }
    flowers.push({ sepalLength: nums[0], sepalWidth: nums[1], petalLength: nums[2], petalWidth: nums[3], species });
  });
  if (flowers.length === 0) throw new Error(`${source}: no flowers in it`);
  return flowers;
}

/** The zh→en question: a Chinese sentence to put into English. */
export function zhEnPrompt(zh: string): string {
  return `Translate into English: ${zh}`;
}

/** The en→zh question, asked in Chinese. */
export function enZhPrompt(en: string): string {
  return `翻译成中文：${en}`;
}

const cm = (x: number): string => x.toFixed(1);

/** An Iris flower as a question, in English or Chinese; the model answers in the language it is asked in. */
export function irisPrompt(f: Omit<IrisFlower, 'species'>, lang: 'en' | 'zh'): string {
  return lang === 'en'
    ? `Which iris is this? Sepal ${cm(f.sepalLength)} cm long, ${cm(f.sepalWidth)} cm wide; petal ${cm(f.petalLength)} cm long, ${cm(f.petalWidth)} cm wide.`
    : `这是哪种鸢尾花？花萼长${cm(f.sepalLength)}厘米，宽${cm(f.sepalWidth)}厘米；花瓣长${cm(f.petalLength)}厘米，宽${cm(f.petalWidth)}厘米。`;
}

/** The species an Iris answer names (either language), or null when it names none or several. */
export function irisSpeciesOf(answer: string): IrisSpecies | null {
  const found = IRIS_SPECIES.filter((s) => answer.toLowerCase().includes(s) || answer.includes(IRIS_ANSWERS.zh[s].replace('。', '')));
  return found.length === 1 ? found[0] : null;
}

/** One exchange in the chat format, with the blank line that ends it. */
export function chatText(e: ChatExample): string {
  return `${CHAT_USER}: ${e.prompt}\n${CHAT_ASSISTANT}: ${e.answer}\n\n`;
}

/** The transcript the model continues to answer `prompt`: what ChatSession sends for a first turn. */
export function chatPrompt(prompt: string): string {
  return `${CHAT_USER}: ${prompt}\n${CHAT_ASSISTANT}:`;
}

/** Fisher–Yates with a seeded generator: the same seed, the same order. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const order = new Generator(seed).permutation(items.length);
  return order.map((i) => items[i]);
}

/**
 * Iris rows split for classification: `heldOut` rows per species (a fixed-seed draw) kept for the
 * accuracy, the rest for training. Stratified, so every species is in both parts; the test rows
 * alternate species.
 */
export function splitIris(flowers: readonly IrisFlower[], heldOutPerSpecies: number, seed: number): { train: IrisFlower[]; test: IrisFlower[] } {
  const train: IrisFlower[] = [];
  const bySpecies = IRIS_SPECIES.map((s) => {
    const rows = shuffled(flowers.filter((f) => f.species === s), seed);
    if (rows.length <= heldOutPerSpecies) throw new Error(`iris: ${rows.length} ${s} rows cannot spare ${heldOutPerSpecies} for testing`);
    train.push(...rows.slice(heldOutPerSpecies));
    return rows.slice(0, heldOutPerSpecies);
  });
  // the species take turns, so the first n test rows (eval's --limit) hold every species
  const test = bySpecies[0].flatMap((_, i) => bySpecies.map((rows) => rows[i]));
  return { train, test };
}

/**
 * The pre-training text: each Tatoeba pair as two lines (the Chinese sentence, then the English one),
 * pairs in a seeded random order so a held-out tail is a sample of the whole, not its last sentences.
 */
export function pretrainingText(pairs: readonly TranslationPair[], seed: number): string {
  return shuffled(pairs, seed).map((p) => `${p.zh}\n${p.en}\n`).join('');
}

export interface MultitaskOptions {
  /** Copies of each training flower per language (Iris has 150 rows, Tatoeba tens of thousands of pairs). */
  irisRepeats: number;
  seed: number;
}

/**
 * The fine-tuning exchanges: every pair asked both ways (zh→en and en→zh), every training flower asked
 * in English and in Chinese `irisRepeats` times, in one seeded random order.
 */
export function multitaskExamples(pairs: readonly TranslationPair[], flowers: readonly IrisFlower[], o: MultitaskOptions): ChatExample[] {
  const out: ChatExample[] = [];
  for (const p of pairs) {
    out.push({ prompt: zhEnPrompt(p.zh), answer: p.en });
    out.push({ prompt: enZhPrompt(p.en), answer: p.zh });
  }
  for (let r = 0; r < o.irisRepeats; r++) {
    for (const f of flowers) {
      for (const lang of ['en', 'zh'] as const) out.push({ prompt: irisPrompt(f, lang), answer: IRIS_ANSWERS[lang][f.species] });
    }
  }
  return shuffled(out, o.seed);
}
