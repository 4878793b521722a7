/**
 * The GPT recipe: every setting of a `llmcore train gpt` run, with its defaults in this one place.
 * The defaults are nanoGPT's CPU recipe for character-level Tiny Shakespeare (its README: 4 layers,
 * 4 heads, width 128, context 64, batch 12, 2,000 iterations, dropout 0, AdamW lr 1e-3 with 100 warmup
 * iterations and a cosine down to 1e-4, betas (0.9, 0.99), weight decay 0.1, clip 1; evaluation every
 * 250 iterations on 20 batches): recipes/gpt-shakespeare-char.json says the same.
 */
import { z } from 'zod';
import { field, resolveRecipe } from '../../train/recipe.js';

/**
 * What the model reads, told by the files named (every string of a recipe's data section is a path,
 * relative to the recipe file): `text` alone, a text file (nanoGPT's way); `tatoeba` alone, the
 * pre-training text built from a Tatoeba TSV (each pair's Chinese and English lines,
 * src/models/gpt/tasks.ts); `tatoeba` and `iris`, the chat-format exchanges of the multi-task
 * fine-tuning (zh→en, en→zh, Iris asked in either language). The held-out part is the last
 * valFraction of the text (of the shuffled pairs; of the shuffled exchanges).
 */
const data = z.object({
  text: z.string().min(1, { error: 'expected the path of a UTF-8 text file' }),
  /** A Tatoeba TSV (Chinese TAB English): the train split, never the dev one. */
  tatoeba: z.string().min(1, { error: 'expected the path of a Chinese<TAB>English TSV' }),
  /** Iris as CSV (../shared/data/iris/iris.csv). */
  iris: z.string().min(1, { error: 'expected the path of iris.csv' }),
  /** Iris rows per species held out for the accuracy (never trained on), drawn with the training seed. */
  irisHeldOutPerSpecies: field.int(1, 49),
  /** Copies of each training flower per language among the exchanges. */
  irisRepeats: field.int(1, 10_000),
  valFraction: field.num(0, 0.9, 'the training part must keep at least a tenth of the text'),
}).strict();

const tokenizer = z.object({
  kind: z.enum(['char', 'bpe'], { error: 'expected "char" (one token per character, as nanoGPT\'s shakespeare_char) or "bpe" (a byte-level BPE learned on the training text)' }),
  /** The BPE's vocabulary: 256 bytes + merges (kind "bpe"). */
  vocabSize: field.int(257, 1_000_000),
}).strict();

const model = z.object({
  nLayer: field.int(1, 96),
  nHead: field.int(1, 128),
  nEmbd: field.int(1, 16_384),
  /** The context: positions the model reads at once (n_positions), and the length of a training window. */
  context: field.int(1, 65_536),
  dropout: field.num(0, 0.99),
  /** A model folder to start from (fine-tuning): its weights and tokenizer; the shape above must be its. */
  init: z.string().min(1, { error: 'expected the path of a GPT model folder' }),
}).strict();

const training = z.object({
  seed: field.int(0, 2 ** 31 - 1),
  batchSize: field.int(1, 65_536),
  /** nanoGPT's max_iters: optimizer steps in all. */
  maxIters: field.int(1, 1e9),
  lr: field.num(0, 10),
  /** The cosine ends here at maxIters (nanoGPT's min_lr, with lr_decay_iters = max_iters). */
  minLr: field.num(0, 10),
  warmupIters: field.int(0, 1e9),
  beta1: field.num(0, 0.999999),
  beta2: field.num(0, 0.999999),
  /** AdamW's decoupled decay, on the matrices only (embeddings and projections; no biases or LayerNorm gains). */
  weightDecay: field.num(0, 10),
  clip: field.num(0, 1e6),
  /** Steps between evaluations: the trainer's "epoch". */
  evalInterval: field.int(1, 1e9),
  /** Random held-out batches averaged for the validation loss (nanoGPT's eval_iters). */
  evalIters: field.int(1, 100_000),
  timeBudgetSeconds: field.num(0, 1e8),
  /**
   * Seed of the training windows when it must differ from `seed` (which also draws the data splits):
   * a run continuing another on the same data, so that it reads new windows, not the first run's again.
   */
  windowSeed: field.int(0, 2 ** 31 - 1),
}).strict();

/** A recipe file as written: every section and field optional. */
export const gptRecipeFile = z.object({
  chapter: z.literal('gpt', { error: 'expected "gpt" (this is a recipe for another chapter)' }).optional(),
  description: z.string().optional(),
  data: data.partial().optional(),
  tokenizer: tokenizer.partial().optional(),
  model: model.partial().optional(),
  training: training.partial().optional(),
}).strict();

/** A complete recipe: what a run is built from. */
export const gptRecipe = z.object({
  chapter: z.literal('gpt'),
  description: z.string().optional(),
  data: data.partial({ text: true, tatoeba: true, iris: true }),
  tokenizer: tokenizer.partial({ vocabSize: true }),
  model: model.partial({ init: true }),
  training: training.partial({ windowSeed: true }),
}).strict().superRefine((r, ctx) => {
  if (r.model.nEmbd % r.model.nHead !== 0) {
    ctx.addIssue({ code: 'custom', path: ['model', 'nEmbd'], message: `${r.model.nEmbd} is not divisible by model.nHead ${r.model.nHead}` });
  }
  if (r.tokenizer.kind === 'bpe' && r.tokenizer.vocabSize === undefined && !r.model.init) {
    ctx.addIssue({ code: 'custom', path: ['tokenizer', 'vocabSize'], message: 'a "bpe" tokenizer needs its vocabulary size (e.g. 4096)' });
  }
  if (r.data.text && r.data.tatoeba) ctx.addIssue({ code: 'custom', path: ['data', 'text'], message: 'give data.text (a text file) or data.tatoeba (a TSV), not both' });
  if (r.data.iris && !r.data.tatoeba) ctx.addIssue({ code: 'custom', path: ['data', 'iris'], message: 'the multi-task exchanges need data.tatoeba too (the translation pairs)' });
  if (r.training.minLr > r.training.lr) {
    ctx.addIssue({ code: 'custom', path: ['training', 'minLr'], message: `${r.training.minLr} is above training.lr ${r.training.lr}: the cosine goes down to it` });
  }
  if (r.training.warmupIters >= r.training.maxIters) {
    ctx.addIssue({ code: 'custom', path: ['training', 'warmupIters'], message: `${r.training.warmupIters} leaves no step for the cosine: it must be below training.maxIters ${r.training.maxIters}` });
  }
});

export type GptRecipeFile = z.infer<typeof gptRecipeFile>;
export type GptRecipe = z.infer<typeof gptRecipe>;
export type GptTrainingSettings = GptRecipe['training'];
export type GptModelSettings = GptRecipe['model'];

/** What a recipe's data section trains on, by the files it names. */
export function gptDataKind(data: GptRecipe['data']): 'text' | 'tatoeba' | 'multitask' {
  return data.iris ? 'multitask' : data.tatoeba ? 'tatoeba' : 'text';
}

/** nanoGPT's CPU recipe for character-level Tiny Shakespeare (809,856 parameters at its 65 characters). */
export const DEFAULT_GPT_RECIPE: GptRecipe = {
  chapter: 'gpt',
  data: { valFraction: 0.1, irisHeldOutPerSpecies: 10, irisRepeats: 10 },
  tokenizer: { kind: 'char' },
  model: { nLayer: 4, nHead: 4, nEmbd: 128, context: 64, dropout: 0 },
  training: {
    seed: 1337, batchSize: 12, maxIters: 2000, lr: 1e-3, minLr: 1e-4, warmupIters: 100, beta1: 0.9, beta2: 0.99,
    weightDecay: 0.1, clip: 1, evalInterval: 250, evalIters: 20, timeBudgetSeconds: 0,
  },
};

/**
 * Builds a run's recipe: the defaults, then each layer (a recipe file, the command line) in order; each
 * layer is checked on its own (so an error names the file or the flags holding it), then the whole.
 * @example resolveGptRecipe([{ source: 'recipes/gpt-shakespeare-char.json', values: JSON.parse(text) }])
 */
export function resolveGptRecipe(layers: readonly { source: string; values: unknown }[]): GptRecipe {
  return resolveRecipe(gptRecipeFile, gptRecipe, DEFAULT_GPT_RECIPE, layers);
}
