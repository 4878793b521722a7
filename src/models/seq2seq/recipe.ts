/**
 * The translator's recipe: every setting of a `llmcore train translate` run, with its defaults in this
 * one place. The defaults are the shipped model's (recipes/zh-en.json says the same, and reproduces it).
 */
import { z } from 'zod';
import { field, resolveRecipe } from '../../train/recipe.js';
import type { TokenizerConfig } from './tokenizer.js';
import type { TrainingConfig } from './train.js';

const tokenizer = z.object({
  source: z.enum(['char', 'word', 'bpe'], { error: 'expected "char", "word" or "bpe"' }),
  target: z.enum(['bpe', 'word'], { error: 'expected "bpe" or "word"' }),
  bpeMerges: field.int(1, 100_000),
  srcBpeMerges: field.int(1, 100_000),
  srcMinFreq: field.int(1, 1_000_000),
  tgtMinFreq: field.int(1, 1_000_000),
  maxSourceLen: field.int(1, 1024),
  maxTargetLen: field.int(3, 1024, 'bos and eos included'),
  digits: z.enum(['split', 'run'], { error: 'expected "split" (every digit its own unit, so numbers are copied) or "run" (a digit run is one unit, as in the shipped model)' }),
}).strict();

const model = z.object({
  dModel: field.int(1, 4096),
  nhead: field.int(1, 64),
  numEncoderLayers: field.int(1, 48),
  numDecoderLayers: field.int(1, 48),
  dimFeedforward: field.int(1, 65_536),
  dropout: field.num(0, 0.99),
  normFirst: field.bool(),
  tieOutput: field.bool(),
  maxLen: field.int(2, 4096),
}).strict();

const training = z.object({
  seed: field.int(0, 2 ** 31 - 1),
  maxTokens: field.int(1, 1_000_000),
  lrFactor: field.num(1e-6, 1e3),
  warmupSteps: field.int(1, 10_000_000),
  clipNorm: field.num(0, 1e6),
  epochs: field.int(1, 1_000_000),
  timeBudgetSeconds: field.num(0, 1e8),
  maxSteps: field.int(0, 1e9),
  devBleuSentences: field.int(0, 10_000_000),
}).strict();

const decoding = z.object({
  beam: field.int(1, 64, 'wider beams cost memory and time for no gain on sentences this short'),
  lengthPenalty: field.num(0, 10),
}).strict();

const data = z.object({ train: z.string().min(1), dev: z.string().min(1) }).strict();

/** A recipe file as written: every section and field optional. */
export const translatorRecipeFile = z.object({
  chapter: z.literal('translate', { error: 'expected "translate" (this is a recipe for another chapter)' }).optional(),
  description: z.string().optional(),
  data: data.partial().optional(),
  tokenizer: tokenizer.partial().optional(),
  model: model.partial().optional(),
  training: training.partial().optional(),
  decoding: decoding.partial().optional(),
}).strict();

/** A complete recipe: what a run is built from. */
export const translatorRecipe = z.object({
  chapter: z.literal('translate'),
  description: z.string().optional(),
  data: data.partial().optional(),
  tokenizer,
  model,
  training,
  decoding,
}).strict().superRefine((r, ctx) => {
  if (r.model.dModel % r.model.nhead !== 0) {
    ctx.addIssue({ code: 'custom', path: ['model', 'dModel'], message: `${r.model.dModel} is not divisible by model.nhead ${r.model.nhead}` });
  }
});

export type TranslatorRecipeFile = z.infer<typeof translatorRecipeFile>;
export type TranslatorRecipe = z.infer<typeof translatorRecipe>;
export type TranslatorModelSettings = TranslatorRecipe['model'];

/**
 * The defaults: the shipped model's settings (models/zh-en, recipes/zh-en.json), except digits: new
 * tokenizers split numbers into digits so that unseen numbers are copied, not read as <unk> (the
 * shipped model predates that and keeps digit runs whole: its recipe says "digits": "run").
 */
export const DEFAULT_TRANSLATOR_RECIPE: TranslatorRecipe = {
  chapter: 'translate',
  tokenizer: { source: 'char', target: 'bpe', bpeMerges: 4000, srcBpeMerges: 4000, srcMinFreq: 1, tgtMinFreq: 1, maxSourceLen: 64, maxTargetLen: 64, digits: 'split' } satisfies TokenizerConfig,
  model: { dModel: 256, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 1024, dropout: 0.1, normFirst: false, tieOutput: true, maxLen: 256 },
  training: {
    seed: 1, maxTokens: 2500, lrFactor: 1, warmupSteps: 600, clipNorm: 1, epochs: 100, timeBudgetSeconds: 0, maxSteps: 0, devBleuSentences: 0,
  } satisfies TrainingConfig,
  decoding: { beam: 4, lengthPenalty: 1 },
};

/**
 * Builds the recipe of a run: the defaults, then each layer (a recipe file, the command line) in
 * order; each layer is checked on its own (so an error names the file or the flags that hold it), then
 * the whole.
 * @example resolveTranslatorRecipe([{ source: 'recipes/zh-en.json', values: JSON.parse(text) }])
 */
export function resolveTranslatorRecipe(layers: readonly { source: string; values: unknown }[]): TranslatorRecipe {
  return resolveRecipe(translatorRecipeFile, translatorRecipe, DEFAULT_TRANSLATOR_RECIPE, layers);
}
