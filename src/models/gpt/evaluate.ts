/**
 * The multi-task GPT's answers and scores: a prompt in the chat format, answered greedily (the
 * deterministic answer, as the translator's greedy decoding), and each task scored on held-out data
 * — zh→en with corpus BLEU and chrF (sacreBLEU's defaults, as `llmcore eval translate` reports them),
 * en→zh with chrF (character n-grams need no Chinese word segmentation; BLEU's 13a tokenizer would
 * see a whole Chinese sentence as one word), Iris with accuracy. Browser-safe.
 */
import { sample } from '../../decode/sample.js';
import { corpusBleu } from '../../metrics/bleu.js';
import { corpusChrf } from '../../metrics/chrf.js';
import type { GptModel } from './model.js';
import { GptStepModel } from './step.js';
import {
  CHAT_ASSISTANT, CHAT_USER, chatPrompt, enZhPrompt, IRIS_SPECIES, irisPrompt, irisSpeciesOf, zhEnPrompt,
  type IrisFlower, type IrisSpecies, type TranslationPair,
} from './tasks.js';

/** What answering needs of a tokenizer (GPT-2's byte-level BPE and the char tokenizer both have it). */
export interface TextTokenizer {
  encode(text: string): number[];
  decodeBytes(ids: readonly number[]): Uint8Array;
}

/** Where an answer ends: a blank line (the format's end of an exchange) or the start of the next turn. */
export const ANSWER_STOPS = ['\n\n', `\n${CHAT_USER}:`, `\n${CHAT_ASSISTANT}:`];

/**
 * The model's greedy answer to one user turn: the chat transcript of that turn, continued until a
 * stop text, `maxTokens` tokens, or the context is full. Deterministic. A prompt too long to leave
 * room for the answer loses its start, as in `llmcore chat`.
 * @example answer(model, tokenizer, zhEnPrompt('我正在吃饭。')) // 'I am eating.'
 */
export function answer(model: GptModel, tokenizer: TextTokenizer, prompt: string, maxTokens = 64): string {
  let ids = tokenizer.encode(chatPrompt(prompt));
  // as llmcore chat does: room for the answer (maxTokens, at most half the context), the prompt's start dropped if need be
  const reserve = Math.min(maxTokens, Math.floor(model.config.nPositions / 2));
  if (ids.length > model.config.nPositions - reserve) ids = ids.slice(ids.length - (model.config.nPositions - reserve));
  const room = model.config.nPositions - ids.length;
  const decoder = new TextDecoder('utf-8');
  const textOf = (tokens: readonly number[]): string => decoder.decode(tokenizer.decodeBytes(tokens));
  const hitsStop = (text: string): boolean => ANSWER_STOPS.some((s) => text.includes(s));
  const wasTraining = model.training;
  model.eval();
  const r = sample(new GptStepModel(model, ids.slice(0, -1)), {
    bos: ids[ids.length - 1], maxTokens: Math.min(maxTokens, room), temperature: 0,
    stop: (generated) => hitsStop(textOf(generated)),
  });
  model.train(wasTraining);
  let text = textOf(r.tokens);
  for (const s of ANSWER_STOPS) {
    const at = text.indexOf(s);
    if (at >= 0) text = text.slice(0, at);
  }
  return text.trim();
}

export interface TranslationScore {
  direction: 'zh-en' | 'en-zh';
  sentences: number;
  /** Corpus BLEU (sacreBLEU defaults, 13a tokenizer); reported for zh→en only. */
  bleu: number | null;
  chrf: number;
  hypotheses: string[];
}

/**
 * Translates every pair's source side with the model and scores the translations against the other
 * side; `onProgress` hears after each sentence.
 */
export function evaluateTranslation(
  model: GptModel, tokenizer: TextTokenizer, pairs: readonly TranslationPair[], direction: 'zh-en' | 'en-zh',
  options: { maxTokens?: number; onProgress?: (done: number, total: number) => void } = {},
): TranslationScore {
  const hypotheses: string[] = [];
  for (const p of pairs) {
    hypotheses.push(answer(model, tokenizer, direction === 'zh-en' ? zhEnPrompt(p.zh) : enZhPrompt(p.en), options.maxTokens ?? 48));
    options.onProgress?.(hypotheses.length, pairs.length);
  }
  const refs = [pairs.map((p) => (direction === 'zh-en' ? p.en : p.zh))];
  return {
    direction, sentences: pairs.length, hypotheses,
    bleu: direction === 'zh-en' ? corpusBleu(hypotheses, refs).score : null,
    chrf: corpusChrf(hypotheses, refs).score,
  };
}

export interface IrisScore {
  /** Flowers asked (each once per language). */
  flowers: number;
  /** Share of answers naming the right species, per language and over both. */
  accuracy: { en: number; zh: number; all: number };
  /** Answers in the asked language that name a species (a Chinese question answered in English is not). */
  inLanguage: { en: number; zh: number };
  answers: { lang: 'en' | 'zh'; truth: IrisSpecies; answer: string; predicted: IrisSpecies | null }[];
}

/** Asks the model every held-out flower in English and in Chinese and counts the right species. */
export function evaluateIris(model: GptModel, tokenizer: TextTokenizer, flowers: readonly IrisFlower[]): IrisScore {
  const answers: IrisScore['answers'] = [];
  for (const lang of ['en', 'zh'] as const) {
    for (const f of flowers) {
      const a = answer(model, tokenizer, irisPrompt(f, lang), 16);
      answers.push({ lang, truth: f.species, answer: a, predicted: irisSpeciesOf(a) });
    }
  }
  const share = (xs: typeof answers, ok: (x: (typeof answers)[number]) => boolean): number => (xs.length ? xs.filter(ok).length / xs.length : NaN);
  const right = (x: (typeof answers)[number]): boolean => x.predicted === x.truth;
  const en = answers.filter((a) => a.lang === 'en');
  const zh = answers.filter((a) => a.lang === 'zh');
  const latin = (s: string): boolean => IRIS_SPECIES.some((sp) => s.toLowerCase().includes(sp));
  return {
    flowers: flowers.length,
    accuracy: { en: share(en, right), zh: share(zh, right), all: share(answers, right) },
    inLanguage: { en: share(en, (x) => x.predicted !== null && latin(x.answer)), zh: share(zh, (x) => x.predicted !== null && !latin(x.answer)) },
    answers,
  };
}
