/**
 * Image-and-question model directories on disk (Node only), as the ViT's (./checkpoint.ts):
 * `config.json` (format `llmcore-vision`, arch `vqa`: sizes, pixel normalisation, vocabulary, training
 * settings and figures) and `model.safetensors` (F32 while training, F16 when shipped).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { checkConfigNumber, checkHeaderShapes, countLayers, loadSafetensors, readJsonFile, readSafetensorsHeader, saveSafetensors, writeTextFileAtomic } from '../../io/file.js';
import { Generator } from '../../util/random.js';
import { VISION_FORMAT } from './checkpoint.js';
import { VOCAB } from './scenes.js';
import { VqaModel, type VqaConfig } from './vqa.js';
import type { VqaTrainingConfig } from './vqa-train.js';

const STEP_KEY = 'llmcore.step';

export interface VqaDirConfig {
  format: typeof VISION_FORMAT;
  version: 1;
  arch: 'vqa';
  model: VqaConfig;
  /** The ten class names, in label order. */
  classes: string[];
  training?: VqaTrainingConfig;
  /** The ViT folder the image encoder started from, if any. */
  warmStart?: string;
  results?: Record<string, unknown>;
}

export async function saveVqa(dir: string, v: { model: VqaModel; config: VqaDirConfig; step?: number }, options: { dtype?: 'F32' | 'F16' } = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  await saveSafetensors(join(dir, 'model.safetensors'), v.model.stateDict(), { dtype: options.dtype ?? 'F32', metadata: { format: 'pt', [STEP_KEY]: String(v.step ?? 0) } });
  await writeTextFileAtomic(join(dir, 'config.json'), JSON.stringify(v.config, null, 2) + '\n');
}

/** The arch a vision model folder holds ('vit' or 'vqa'), read from its config.json. */
export async function visionArch(dir: string): Promise<string> {
  const raw = (await readJsonFile(join(dir, 'config.json'), 'vision', 'is this a model directory written by `llmcore train vision`?')) as { format?: unknown; arch?: unknown };
  if (!raw || typeof raw !== 'object' || raw.format !== VISION_FORMAT) throw new Error(`vision: ${join(dir, 'config.json')} is not an llmcore vision model config (format ${JSON.stringify(raw?.format)}, expected "${VISION_FORMAT}")`);
  return typeof raw.arch === 'string' ? raw.arch : 'vit';
}

export async function loadVqaConfig(dir: string): Promise<VqaDirConfig> {
  const path = join(dir, 'config.json');
  const raw = (await readJsonFile(path, 'vision', 'is this a model directory written by `llmcore train vision --arch vqa`?')) as Partial<VqaDirConfig> & { format?: unknown };
  if (!raw || typeof raw !== 'object' || raw.format !== VISION_FORMAT || raw.arch !== 'vqa') {
    throw new Error(`vision: ${path} is not an llmcore image-and-question model (format ${JSON.stringify(raw?.format)}, arch ${JSON.stringify((raw as { arch?: unknown })?.arch)}; expected "${VISION_FORMAT}", "vqa")`);
  }
  if (raw.version !== 1) throw new Error(`vision: ${path} has unsupported version ${JSON.stringify(raw.version)} (expected 1)`);
  const m = raw.model;
  if (!m || typeof m !== 'object') throw new Error(`vision: ${path} has no "model" section`);
  const num = (f: keyof VqaConfig, min: number, max: number, integer = true): void => checkConfigNumber(m[f], { what: 'vision', file: path, field: `model.${f}`, min, max, integer });
  num('imageSize', 1, 1024);
  num('patchSize', 1, m.imageSize);
  num('dModel', 1, 8192);
  num('nhead', 1, m.dModel);
  num('encoderLayers', 1, 64);
  num('decoderLayers', 1, 64);
  num('dimFeedforward', 1, 65536);
  num('dropout', 0, 0.99, false);
  num('pixelMean', -1e3, 1e3, false);
  num('pixelStd', 1e-6, 1e3, false);
  num('maxQuestion', 1, 1024);
  num('maxAnswer', 1, 1024);
  if (m.imageSize % m.patchSize !== 0) throw new Error(`vision: ${path}: model.patchSize ${m.patchSize} does not divide model.imageSize ${m.imageSize}`);
  if (m.dModel % m.nhead !== 0) throw new Error(`vision: ${path}: model.dModel ${m.dModel} is not divisible by model.nhead ${m.nhead}`);
  if (!Array.isArray(m.vocab) || m.vocab.join('\n') !== VOCAB.join('\n')) throw new Error(`vision: ${path}: model.vocab is not this version's vocabulary of questions and answers`);
  if (!Array.isArray(raw.classes) || raw.classes.length !== 10) throw new Error(`vision: ${path}: classes must list the 10 class names`);
  return raw as VqaDirConfig;
}

export async function loadVqaWeights(dir: string, model: VqaModel): Promise<number> {
  const path = join(dir, 'model.safetensors');
  const { tensors, metadata } = await loadSafetensors(path);
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    throw new Error(`vision: ${path} does not fit ${join(dir, 'config.json')}: ${(e as Error).message}`);
  }
  return Number(metadata[STEP_KEY] ?? 0);
}

/** Loads a VQA model folder in eval mode; a config that does not fit the weights is refused from the header. */
export async function loadVqa(dir: string): Promise<{ model: VqaModel; config: VqaDirConfig; step: number }> {
  const config = await loadVqaConfig(dir);
  const configPath = join(dir, 'config.json');
  const weightsPath = join(dir, 'model.safetensors');
  const header = await readSafetensorsHeader(weightsPath);
  const m = config.model;
  for (const [prefix, n, f] of [['encoder.layers.', m.encoderLayers, 'encoderLayers'], ['decoder.layers.', m.decoderLayers, 'decoderLayers']] as const) {
    const got = countLayers(header, prefix);
    if (got !== n) throw new Error(`vision: ${weightsPath} does not fit ${configPath}: model.${f} is ${n} but the weights hold ${got} layers`);
  }
  checkHeaderShapes(header, [
    { key: 'patch_embed.weight', shape: [m.dModel, m.patchSize * m.patchSize], fields: ['model.dModel', 'model.patchSize'] },
    { key: 'pos_embed', shape: [1, (m.imageSize / m.patchSize) ** 2, m.dModel], fields: ['model.imageSize', 'model.patchSize', 'model.dModel'] },
    { key: 'dec_pos', shape: [1, m.maxQuestion + m.maxAnswer, m.dModel], fields: ['model.maxQuestion', 'model.maxAnswer', 'model.dModel'] },
    { key: 'encoder.layers.0.linear1.weight', shape: [m.dimFeedforward, m.dModel], fields: ['model.dimFeedforward', 'model.dModel'] },
  ], { what: 'vision', config: configPath, weights: weightsPath });
  const model = new VqaModel(m, { generator: new Generator(0) });
  const step = await loadVqaWeights(dir, model);
  model.eval();
  return { model, config, step };
}

/** A run's best/ → a shipped folder: float16 weights, the config with the measured figures added. */
export async function shipVqa(from: string, to: string, results: Record<string, unknown> = {}): Promise<void> {
  const { model, config, step } = await loadVqa(from);
  await saveVqa(to, { model, config: { ...config, results: { ...config.results, ...results } }, step }, { dtype: 'F16' });
}
