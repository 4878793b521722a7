/**
 * Vision model directories on disk (Node only), as the translator's: `config.json` (format
 * `llmcore-vision`: the model's sizes, its pixel normalisation, the class names, the training settings
 * and figures) and `model.safetensors` (weights: F32 while training, F16 when shipped). The weights record
 * the training step they were saved at, which a resumed run checks against its train state.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { checkConfigNumber, checkHeaderShapes, countLayers, loadSafetensors, readJsonFile, readSafetensorsHeader, saveSafetensors, writeTextFileAtomic } from '../../io/file.js';
import { Generator } from '../../util/random.js';
import { VisionTransformer, VIT_POOLS, type VitConfig } from './model.js';
import type { VisionTrainingConfig } from './train.js';

export const VISION_FORMAT = 'llmcore-vision' as const;
const STEP_KEY = 'llmcore.step';

export interface VisionDirConfig {
  format: typeof VISION_FORMAT;
  version: 1;
  arch: 'vit';
  model: VitConfig;
  /** One name per class, in label order. */
  classes: string[];
  training?: VisionTrainingConfig;
  /** Figures measured on the model (validation and, once, test accuracy). */
  results?: Record<string, number | string>;
}

export interface LoadedVision {
  model: VisionTransformer;
  config: VisionDirConfig;
  step: number;
}

export async function saveVision(dir: string, v: { model: VisionTransformer; config: VisionDirConfig; step?: number }, options: { dtype?: 'F32' | 'F16' } = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  await saveSafetensors(join(dir, 'model.safetensors'), v.model.stateDict(), {
    dtype: options.dtype ?? 'F32',
    metadata: { format: 'pt', [STEP_KEY]: String(v.step ?? 0) },
  });
  await writeTextFileAtomic(join(dir, 'config.json'), JSON.stringify(v.config, null, 2) + '\n');
}

/** Reads and checks `dir`/config.json: every size is bounded before it sizes an allocation. */
export async function loadVisionConfig(dir: string): Promise<VisionDirConfig> {
  const path = join(dir, 'config.json');
  const raw = (await readJsonFile(path, 'vision', 'is this a model directory written by `llmcore train vision`?')) as Partial<VisionDirConfig> & { format?: unknown };
  if (!raw || typeof raw !== 'object' || raw.format !== VISION_FORMAT) {
    throw new Error(`vision: ${path} is not an llmcore vision model config (format ${JSON.stringify(raw?.format)}, expected "${VISION_FORMAT}")`);
  }
  if (raw.version !== 1) throw new Error(`vision: ${path} has unsupported version ${JSON.stringify(raw.version)} (expected 1)`);
  const m = raw.model;
  if (!m || typeof m !== 'object') throw new Error(`vision: ${path} has no "model" section`);
  const num = (field: keyof VitConfig, min: number, max: number, integer = true): void =>
    checkConfigNumber(m[field], { what: 'vision', file: path, field: `model.${field}`, min, max, integer });
  num('imageSize', 1, 1024);
  num('patchSize', 1, m.imageSize);
  num('numClasses', 1, 100_000);
  num('dModel', 1, 8192);
  num('nhead', 1, m.dModel);
  num('numLayers', 1, 64);
  num('dimFeedforward', 1, 65536);
  num('dropout', 0, 0.99, false);
  num('labelSmoothing', 0, 0.99, false);
  num('pixelMean', -1e3, 1e3, false);
  num('pixelStd', 1e-6, 1e3, false);
  if (m.imageSize % m.patchSize !== 0) throw new Error(`vision: ${path}: model.patchSize ${m.patchSize} does not divide model.imageSize ${m.imageSize}`);
  if (m.dModel % m.nhead !== 0) throw new Error(`vision: ${path}: model.dModel ${m.dModel} is not divisible by model.nhead ${m.nhead}`);
  if (!(VIT_POOLS as readonly string[]).includes(m.pool)) throw new Error(`vision: ${path}: model.pool must be one of ${VIT_POOLS.join(', ')}, got ${JSON.stringify(m.pool)}`);
  if (!Array.isArray(raw.classes) || raw.classes.length !== m.numClasses || raw.classes.some((c) => typeof c !== 'string')) {
    throw new Error(`vision: ${path}: classes must list ${m.numClasses} names (model.numClasses)`);
  }
  return raw as VisionDirConfig;
}

/** Loads `dir`/model.safetensors into `model` (strict); returns the step it was saved at. */
export async function loadVisionWeights(dir: string, model: VisionTransformer): Promise<number> {
  const path = join(dir, 'model.safetensors');
  const { tensors, metadata } = await loadSafetensors(path);
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    throw new Error(`vision: ${path} does not fit ${join(dir, 'config.json')}: ${(e as Error).message}`);
  }
  return Number(metadata[STEP_KEY] ?? 0);
}

/**
 * Loads a model directory written by saveVision (or shipped in models/fashion-vit), in eval mode.
 * A config that does not fit the weights is refused from the header, before the model is built.
 */
export async function loadVision(dir: string): Promise<LoadedVision> {
  const config = await loadVisionConfig(dir);
  const configPath = join(dir, 'config.json');
  const weightsPath = join(dir, 'model.safetensors');
  const header = await readSafetensorsHeader(weightsPath);
  const m = config.model;
  const layers = countLayers(header, 'encoder.layers.');
  if (layers !== m.numLayers) throw new Error(`vision: ${weightsPath} does not fit ${configPath}: model.numLayers is ${m.numLayers} but the weights hold ${layers} layers`);
  const tokens = (m.imageSize / m.patchSize) ** 2 + (m.pool === 'cls' ? 1 : 0);
  checkHeaderShapes(header, [
    { key: 'patch_embed.weight', shape: [m.dModel, m.patchSize * m.patchSize], fields: ['model.dModel', 'model.patchSize'] },
    { key: 'pos_embed', shape: [1, tokens, m.dModel], fields: ['model.imageSize', 'model.patchSize', 'model.pool', 'model.dModel'] },
    { key: 'head.weight', shape: [m.numClasses, m.dModel], fields: ['model.numClasses', 'model.dModel'] },
    { key: 'encoder.layers.0.linear1.weight', shape: [m.dimFeedforward, m.dModel], fields: ['model.dimFeedforward', 'model.dModel'] },
  ], { what: 'vision', config: configPath, weights: weightsPath });
  const model = new VisionTransformer(m, { generator: new Generator(0) });
  const step = await loadVisionWeights(dir, model);
  model.eval();
  return { model, config, step };
}

/**
 * Turns a trained model directory (a run's best/) into a shipped one: float16 weights, the same
 * config with the figures measured on it added.
 * @example await shipVision('runs/vit/best', 'models/fashion-vit', { testAccuracy: 0.9 })
 */
export async function shipVision(from: string, to: string, results: Record<string, number | string> = {}): Promise<void> {
  const { model, config, step } = await loadVision(from);
  await saveVision(to, { model, config: { ...config, results: { ...config.results, ...results } }, step }, { dtype: 'F16' });
}
