/**
 * The image-and-question model's recipe (`"arch": "vqa"` in a vision recipe): every setting of a
 * `llmcore train vision --arch vqa` run, with its defaults in this one place (recipes/vision-vqa.json
 * holds the shipped model's).
 */
import { z } from 'zod';
import { field, resolveRecipe } from '../../train/recipe.js';
import type { VqaTrainingConfig } from './vqa-train.js';
import { checkPatchShape } from './recipe.js';

const model = z.object({
  patchSize: field.int(1, 56),
  dModel: field.int(1, 1024),
  nhead: field.int(1, 64),
  encoderLayers: field.int(1, 24),
  decoderLayers: field.int(1, 24),
  dimFeedforward: field.int(1, 8192),
  dropout: field.num(0, 0.99),
}).strict();

const training = z.object({
  seed: field.int(0, 2 ** 31 - 1),
  scenes: field.int(1, 4096),
  questionsPerScene: field.int(1, 64),
  gridFraction: field.num(0, 1),
  lr: field.num(1e-7, 1),
  weightDecay: field.num(0, 10),
  warmupSteps: field.int(0, 10_000_000),
  hflip: field.bool(),
  clipNorm: field.num(0, 1e6),
  epochs: field.int(1, 1_000_000),
  stepsPerEpoch: field.int(1, 10_000_000),
  timeBudgetSeconds: field.num(0, 1e8),
  maxSteps: field.int(0, 1e9),
  valSize: field.int(1, 1_000_000),
  valScenes: field.int(2, 100_000),
}).strict();

/** `warmStart`: a ViT model folder (28×28, same patch size, width and feed-forward) whose encoder starts this one; relative to the recipe. */
const data = z.object({ dir: z.string().min(1), warmStart: z.string() }).strict();

export const vqaRecipeFile = z.object({
  chapter: z.literal('vision', { error: 'expected "vision" (this is a recipe for another chapter)' }).optional(),
  arch: z.literal('vqa').optional(),
  description: z.string().optional(),
  data: data.partial().optional(),
  model: model.partial().optional(),
  training: training.partial().optional(),
}).strict();

export const vqaRecipe = z.object({
  chapter: z.literal('vision'),
  arch: z.literal('vqa'),
  description: z.string().optional(),
  data: data.partial().optional(),
  model,
  training,
}).strict().superRefine((r, ctx) => checkPatchShape(r.model, ctx, 'tile'));

export type VqaRecipeFile = z.infer<typeof vqaRecipeFile>;
export type VqaRecipe = z.infer<typeof vqaRecipe>;

export const DEFAULT_VQA_RECIPE: VqaRecipe = {
  chapter: 'vision',
  arch: 'vqa',
  model: { patchSize: 7, dModel: 64, nhead: 4, encoderLayers: 4, decoderLayers: 2, dimFeedforward: 128, dropout: 0 },
  training: {
    seed: 1, scenes: 16, questionsPerScene: 4, gridFraction: 0.75, lr: 1e-3, weightDecay: 0.05, warmupSteps: 300, hflip: true, clipNorm: 1,
    epochs: 20, stepsPerEpoch: 500, timeBudgetSeconds: 0, maxSteps: 0, valSize: 5000, valScenes: 200,
  } satisfies VqaTrainingConfig,
};

/** Defaults ← each layer (a recipe file, the command line), each checked on its own, then the whole. */
export function resolveVqaRecipe(layers: readonly { source: string; values: unknown }[]): VqaRecipe {
  return resolveRecipe(vqaRecipeFile, vqaRecipe, DEFAULT_VQA_RECIPE, layers);
}
