/**
 * Translator directories on disk (Node only): `model.safetensors` (weights, PyTorch names),
 * `tokenizer.json` and `config.json`, each written atomically; the weights record the training step
 * they were saved at, which a resumed run checks against its train state (src/train/run-dir.ts).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSafetensors, readJsonFile, saveSafetensors, writeTextFileAtomic } from '../../io/file.js';
import { checkConfigNumber, checkHeaderShapes, countLayers, readSafetensorsHeader, type ExpectedShape } from '../../io/file.js';
import { Generator } from '../../util/random.js';
import { resolveSeq2SeqConfig, Seq2SeqTransformer, type Seq2SeqConfig } from './model.js';
import { TranslationTokenizer } from './tokenizer.js';
import type { TrainingConfig } from './train.js';

export interface DecodingDefaults {
  /** Beam width of the default decoding (1 = greedy). */
  beam: number;
  lengthPenalty: number;
}

export interface TranslatorConfig {
  format: 'llmcore-translator';
  version: 1;
  model: Seq2SeqConfig;
  training?: TrainingConfig;
  decoding: DecodingDefaults;
}

export interface LoadedTranslator {
  model: Seq2SeqTransformer;
  tokenizer: TranslationTokenizer;
  config: TranslatorConfig;
}

const STEP_KEY = 'llmcore.step';

/** Writes a model directory; weights in F32 (training) or F16/BF16 (shipping). */
export async function saveTranslator(
  dir: string,
  t: { model: Seq2SeqTransformer; tokenizer: TranslationTokenizer; config: TranslatorConfig; step?: number },
  options: { dtype?: 'F32' | 'F16' | 'BF16' } = {},
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await saveSafetensors(join(dir, 'model.safetensors'), t.model.stateDict(), {
    dtype: options.dtype ?? 'F32',
    metadata: { format: 'pt', [STEP_KEY]: String(t.step ?? 0) },
  });
  await writeTextFileAtomic(join(dir, 'tokenizer.json'), JSON.stringify(t.tokenizer.toJSON()));
  await writeTextFileAtomic(join(dir, 'config.json'), JSON.stringify(t.config, null, 2) + '\n');
}

/**
 * Loads a model directory written by saveTranslator (or shipped in models/). Every file problem
 * names the file; a weight file that does not fit the config names the keys and shapes.
 */
export async function loadTranslator(dir: string): Promise<LoadedTranslator & { step: number }> {
  const { config, tokenizer } = await loadTranslatorConfig(dir);
  await checkWeightShapes(dir, config);
  const model = new Seq2SeqTransformer(config.model, { generator: new Generator(0) });
  const step = await loadWeights(dir, model);
  model.eval();
  return { model, tokenizer, config, step };
}

/** Loads `dir`/model.safetensors into `model` (strict); returns the step it was saved at. */
export async function loadWeights(dir: string, model: Seq2SeqTransformer): Promise<number> {
  const weightsPath = join(dir, 'model.safetensors');
  const { tensors, metadata } = await loadSafetensors(weightsPath);
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    throw new Error(`translator: ${weightsPath} does not fit ${join(dir, 'config.json')}: ${(e as Error).message}`);
  }
  return Number(metadata[STEP_KEY] ?? 0);
}

/** Reads and checks a directory's config.json and tokenizer.json. */
export async function loadTranslatorConfig(dir: string): Promise<{ config: TranslatorConfig; tokenizer: TranslationTokenizer }> {
  const config = (await readJsonFile(join(dir, 'config.json'), 'translator', 'is this a model directory written by `llmcore train translate`?')) as TranslatorConfig;
  if (!config || config.format !== 'llmcore-translator' || !config.model) {
    throw new Error(`translator: ${join(dir, 'config.json')} is not an llmcore translator config`);
  }
  checkTranslatorConfig(config, join(dir, 'config.json'));
  const tokenizer = TranslationTokenizer.fromJSON(await readJsonFile(join(dir, 'tokenizer.json'), 'translator'));
  if (tokenizer.srcVocab.size !== config.model.srcVocab || tokenizer.tgtVocab.size !== config.model.tgtVocab) {
    throw new Error(`translator: tokenizer.json has vocabularies of ${tokenizer.srcVocab.size}/${tokenizer.tgtVocab.size} but config.json says ${config.model.srcVocab}/${config.model.tgtVocab}`);
  }
  return { config, tokenizer };
}

/** The widest beam a translator decodes with: each beam is a whole decoder pass per sentence, and BLEU stops improving long before. */
export const MAX_BEAM = 64;

/**
 * Bounds on every field of a translator's config.json, checked before any of them sizes an
 * allocation (a hand-edited `maxLen: 1e9` must be a message naming the field, not a crash).
 */
export function checkTranslatorConfig(config: TranslatorConfig, path: string): void {
  const m = resolveSeq2SeqConfig(config.model);
  const num = (field: string, value: unknown, min: number, max: number, integer: boolean, why?: string): void =>
    checkConfigNumber(value, { what: 'translator', file: path, field, min, max, integer, why });
  num('model.srcVocab', m.srcVocab, 4, 1_000_000, true, 'the special tokens and at most a million words');
  num('model.tgtVocab', m.tgtVocab, 4, 1_000_000, true, 'the special tokens and at most a million words');
  num('model.dModel', m.dModel, 1, 8192, true);
  num('model.nhead', m.nhead, 1, m.dModel, true, 'at most one head per unit of dModel');
  if (m.dModel % m.nhead !== 0) throw new Error(`translator: ${path}: model.dModel ${m.dModel} is not divisible by model.nhead ${m.nhead}`);
  num('model.numEncoderLayers', m.numEncoderLayers, 1, 64, true);
  num('model.numDecoderLayers', m.numDecoderLayers, 1, 64, true);
  num('model.dimFeedforward', m.dimFeedforward, 1, 65536, true);
  num('model.maxLen', m.maxLen, 2, 4096, true, 'the positional table holds maxLen × dModel numbers, built before any weight is read');
  num('model.dropout', m.dropout, 0, 0.99, false);
  num('model.labelSmoothing', m.labelSmoothing, 0, 0.99, false);
  num('model.layerNormEps', m.layerNormEps, 1e-12, 1, false);
  num('model.padId', m.padId, 0, Math.min(m.srcVocab, m.tgtVocab) - 1, true, 'an id of both vocabularies');
  if (m.activation !== 'relu' && m.activation !== 'gelu') throw new Error(`translator: ${path}: model.activation must be relu or gelu, got ${JSON.stringify(m.activation)}`);
  for (const f of ['normFirst', 'tieOutput'] as const) {
    if (typeof m[f] !== 'boolean') throw new Error(`translator: ${path}: model.${f} must be true or false, got ${JSON.stringify(m[f])}`);
  }
  const d = config.decoding as Partial<DecodingDefaults> | undefined;
  if (d !== undefined) {
    if (d === null || typeof d !== 'object') throw new Error(`translator: ${path}: decoding must be an object like {"beam": 4, "lengthPenalty": 1}`);
    if (d.beam !== undefined) num('decoding.beam', d.beam, 1, Math.min(MAX_BEAM, m.tgtVocab), true, `a beam wider than ${MAX_BEAM} or than the target vocabulary costs time and memory for nothing`);
    if (d.lengthPenalty !== undefined) num('decoding.lengthPenalty', d.lengthPenalty, 0, 10, false);
  }
}

/** The tensors whose shapes pin every size in a translator's config (layer counts are checked apart). */
function translatorShapes(config: TranslatorConfig): ExpectedShape[] {
  const m = resolveSeq2SeqConfig(config.model);
  const out: ExpectedShape[] = [
    { key: 'src_emb.weight', shape: [m.srcVocab, m.dModel], fields: ['model.srcVocab', 'model.dModel'] },
    { key: 'tgt_emb.weight', shape: [m.tgtVocab, m.dModel], fields: ['model.tgtVocab', 'model.dModel'] },
    { key: 'out.weight', shape: [m.tgtVocab, m.dModel], fields: ['model.tgtVocab', 'model.dModel'] },
  ];
  for (const side of ['encoder', 'decoder'] as const) {
    const layers = side === 'encoder' ? m.numEncoderLayers : m.numDecoderLayers;
    for (let i = 0; i < layers; i++) {
      out.push({ key: `transformer.${side}.layers.${i}.linear1.weight`, shape: [m.dimFeedforward, m.dModel], fields: ['model.dimFeedforward', 'model.dModel'] });
    }
  }
  return out;
}

/**
 * Compares config.json with model.safetensors' header before the model is built: a config that
 * asks for more than the weights hold is refused without allocating it.
 */
async function checkWeightShapes(dir: string, config: TranslatorConfig): Promise<void> {
  const configPath = join(dir, 'config.json');
  const weightsPath = join(dir, 'model.safetensors');
  const header = await readSafetensorsHeader(weightsPath);
  const m = resolveSeq2SeqConfig(config.model);
  for (const [side, field, n] of [['encoder', 'numEncoderLayers', m.numEncoderLayers], ['decoder', 'numDecoderLayers', m.numDecoderLayers]] as const) {
    const found = countLayers(header, `transformer.${side}.layers.`);
    if (found !== n) throw new Error(`translator: ${weightsPath} does not fit ${configPath}: model.${field} is ${n} but the weights hold ${found} ${side} layers`);
  }
  checkHeaderShapes(header, translatorShapes(config), { what: 'translator', config: configPath, weights: weightsPath });
}
