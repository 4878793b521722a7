/**
 * The vision chapter's recipe: every setting of a `llmcore train vision` run, with its defaults in this
 * one place (recipes/vision-vit.json holds the shipped model's, which are these).
 */
import { z } from 'zod';
import { field, resolveRecipe } from '../../train/recipe.js';
import { DEFAULT_VIT_CONFIG, VIT_POOLS } from './model.js';
import type { VisionTrainingConfig } from './train.js';

const model = z.object({
  patchSize: field.int(1, 28),
  dModel: field.int(1, 1024),
  nhead: field.int(1, 64),
  numLayers: field.int(1, 24),
  dimFeedforward: field.int(1, 8192),
  dropout: field.num(0, 0.99),
  pool: z.enum(VIT_POOLS, { error: `expected ${VIT_POOLS.map((p) => `"${p}"`).join(' or ')}` }),
  labelSmoothing: field.num(0, 0.99),
}).strict();

const training = z.object({
  seed: field.int(0, 2 ** 31 - 1),
  batchSize: field.int(1, 8192),
  lr: field.num(1e-7, 1),
  weightDecay: field.num(0, 10),
  warmupSteps: field.int(0, 10_000_000),
  hflip: field.bool(),
  clipNorm: field.num(0, 1e6),
  epochs: field.int(1, 1_000_000),
  timeBudgetSeconds: field.num(0, 1e8),
  maxSteps: field.int(0, 1e9),
  valSize: field.int(1, 1_000_000),
}).strict();

const data = z.object({ dir: z.string().min(1) }).strict();

export const visionRecipeFile = z.object({
  chapter: z.literal('vision', { error: 'expected "vision" (this is a recipe for another chapter)' }).optional(),
  description: z.string().optional(),
  data: data.partial().optional(),
  model: model.partial().optional(),
  training: training.partial().optional(),
}).strict();

export const visionRecipe = z.object({
  chapter: z.literal('vision'),
  description: z.string().optional(),
  data: data.partial().optional(),
  model,
  training,
}).strict().superRefine((r, ctx) => checkPatchShape(r.model, ctx, 'image'));

/**
 * The checks a ViT-shaped model section needs beyond its field bounds (the classifier's and the VQA
 * model's encoder): heads divide the width, and patches tile the 28-pixel `side` ('image' or 'tile').
 */
export function checkPatchShape(model: { dModel: number; nhead: number; patchSize: number }, ctx: z.RefinementCtx, side: string): void {
  if (model.dModel % model.nhead !== 0) ctx.addIssue({ code: 'custom', path: ['model', 'dModel'], message: `${model.dModel} is not divisible by model.nhead ${model.nhead}` });
  if (28 % model.patchSize !== 0) ctx.addIssue({ code: 'custom', path: ['model', 'patchSize'], message: `${model.patchSize} does not divide the 28-pixel ${side} side (use 1, 2, 4, 7, 14 or 28)` });
}

export type VisionRecipeFile = z.infer<typeof visionRecipeFile>;
export type VisionRecipe = z.infer<typeof visionRecipe>;

const d = DEFAULT_VIT_CONFIG;
export const DEFAULT_VISION_RECIPE: VisionRecipe = {
  chapter: 'vision',
  model: { patchSize: 7, dModel: d.dModel, nhead: d.nhead, numLayers: d.numLayers, dimFeedforward: d.dimFeedforward, dropout: 0, pool: 'mean', labelSmoothing: 0 },
  training: {
    seed: 1, batchSize: 64, lr: 2e-3, weightDecay: 0.05, warmupSteps: 400, hflip: true, clipNorm: 1, epochs: 15, timeBudgetSeconds: 0, maxSteps: 0, valSize: 5000,
  } satisfies VisionTrainingConfig,
};

/**
 * Defaults ← each layer (a recipe file, the command line), each checked on its own so an error names
 * the file or the flags, then the whole.
 * @example resolveVisionRecipe([{ source: 'recipes/vision-vit.json', values: JSON.parse(text) }])
 */
export function resolveVisionRecipe(layers: readonly { source: string; values: unknown }[]): VisionRecipe {
  return resolveRecipe(visionRecipeFile, visionRecipe, DEFAULT_VISION_RECIPE, layers);
}
