/**
 * Translator directories on disk (Node only): `model.safetensors` (weights, PyTorch names),
 * `tokenizer.json`, `config.json`, and for a training run also `train-state.safetensors` (Adam
 * moments, schedule position, step/epoch/RNG as JSON metadata). Each file is written atomically, and
 * the model and train state carry the same step so a mismatched pair is refused on resume.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSafetensors, loadOptimizerState, readJsonFile, saveOptimizerState, saveSafetensors, writeTextFileAtomic } from '../../io/file.js';
import { Generator } from '../../util/random.js';
import { Seq2SeqTransformer, type Seq2SeqConfig } from './model.js';
import { TranslationTokenizer } from './tokenizer.js';
import type { TrainerState, TrainingConfig, TranslatorTrainer } from './train.js';

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
const TRAINER_KEY = 'llmcore.trainer';

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
  const tokenizer = TranslationTokenizer.fromJSON(await readJsonFile(join(dir, 'tokenizer.json'), 'translator'));
  if (tokenizer.srcVocab.size !== config.model.srcVocab || tokenizer.tgtVocab.size !== config.model.tgtVocab) {
    throw new Error(`translator: tokenizer.json has vocabularies of ${tokenizer.srcVocab.size}/${tokenizer.tgtVocab.size} but config.json says ${config.model.srcVocab}/${config.model.tgtVocab}`);
  }
  return { config, tokenizer };
}

/**
 * Saves everything a resumed run needs into `dir` as one unit: the files go to `dir.next`, then the
 * directories are swapped (`dir` → `dir.prev`, `dir.next` → `dir`), so a crash at any point leaves a
 * complete, consistent checkpoint in `dir` or `dir.prev` (see {@link findTrainingRun}).
 */
export async function saveTrainingRun(dir: string, trainer: TranslatorTrainer, config: TranslatorConfig): Promise<void> {
  const step = trainer.state.step;
  const next = `${dir}.next`;
  const prev = `${dir}.prev`;
  await rm(next, { recursive: true, force: true });
  await saveTranslator(next, { model: trainer.model, tokenizer: trainer.tokenizer, config, step });
  await saveOptimizerState(join(next, 'train-state.safetensors'), trainer.optimizer, {
    scheduler: trainer.scheduler,
    metadata: { [STEP_KEY]: String(step), [TRAINER_KEY]: JSON.stringify(trainer.state) },
  });
  await rm(prev, { recursive: true, force: true });
  if (existsSync(dir)) await rename(dir, prev);
  await rename(next, dir);
  await rm(prev, { recursive: true, force: true });
}

/** The directory holding the latest complete checkpoint of a run saved at `dir` (`dir` or, after a crash mid-swap, `dir.prev`), or null. */
export function findTrainingRun(dir: string): string | null {
  for (const d of [dir, `${dir}.prev`]) if (existsSync(join(d, 'train-state.safetensors'))) return d;
  return null;
}

/** Restores optimizer, schedule and trainer position from `dir` (the model weights are loaded by loadTranslator). */
export async function restoreTrainingRun(dir: string, trainer: TranslatorTrainer, modelStep: number): Promise<TrainerState> {
  const path = join(dir, 'train-state.safetensors');
  const metadata = await loadOptimizerState(path, trainer.optimizer, { scheduler: trainer.scheduler });
  const step = Number(metadata[STEP_KEY]);
  if (step !== modelStep) throw new Error(`resume: ${path} is at step ${step} but the model weights are at step ${modelStep}; the checkpoint is inconsistent`);
  const raw = metadata[TRAINER_KEY];
  if (!raw) throw new Error(`resume: ${path} has no trainer state`);
  const state = JSON.parse(raw) as TrainerState;
  trainer.restore(state);
  return state;
}
