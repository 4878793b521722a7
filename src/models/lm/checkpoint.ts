/**
 * Language-model directories on disk (Node only), as the translator's: `config.json` (format
 * `llmcore-lm`, the model kind and sizes, the training settings and results), `tokenizer.json`
 * (the vocabulary) and `model.safetensors` (weights, PyTorch's names). Each file is written atomically.
 * Loading checks what the directory holds: a translator directory, another format, or an LM of a
 * different kind than asked is a clear error, not a crash.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSafetensors, readJsonFile, saveSafetensors, writeTextFileAtomic } from '../../io/file.js';
import { checkConfigNumber, checkHeaderShapes, countLayers, readSafetensorsHeader, type ExpectedShape } from '../../io/file.js';
import { Generator } from '../../util/random.js';
import { LM_KINDS, resolveWordLMConfig, WordLM, type LmKind, type WordLMConfig } from './model.js';
import { LmTokenizer } from './tokenizer.js';
import { LM_FORMAT, type LmDirConfig, type LoadedLm } from './config.js';

export { LM_FORMAT, type LmDirConfig, type LoadedLm };

/** Writes a model directory (weights in F32, recording the training `step` they were saved at). */
export async function saveLm(dir: string, lm: LoadedLm, options: { step?: number } = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  await saveSafetensors(join(dir, 'model.safetensors'), lm.model.stateDict(), {
    metadata: { format: 'pt', 'llmcore.kind': lm.model.kind, 'llmcore.step': String(options.step ?? 0) },
  });
  await writeTextFileAtomic(join(dir, 'tokenizer.json'), JSON.stringify(lm.tokenizer.toJSON()));
  await writeTextFileAtomic(join(dir, 'config.json'), JSON.stringify(lm.config, null, 2) + '\n');
}

/** Reads and checks `dir`/config.json; `kind`, when given, must match the saved model's. */
export async function loadLmConfig(dir: string, kind?: LmKind): Promise<LmDirConfig> {
  const path = join(dir, 'config.json');
  const raw = (await readJsonFile(path, 'lm', 'is this a model directory written by `llmcore train lm --out`?')) as Omit<Partial<LmDirConfig>, 'format'> & { format?: unknown };
  if (!raw || typeof raw !== 'object') throw new Error(`lm: ${path} is not an llmcore language-model config`);
  if (raw.format === 'llmcore-translator') {
    throw new Error(`lm: ${dir} holds a translator (format llmcore-translator), not a language model; give a directory written by \`llmcore train lm --out\``);
  }
  if (raw.format !== LM_FORMAT) throw new Error(`lm: ${path} is not an llmcore language-model config (format ${JSON.stringify(raw.format)}, expected "${LM_FORMAT}")`);
  if (raw.version !== 1) throw new Error(`lm: ${path} has unsupported version ${JSON.stringify(raw.version)} (expected 1)`);
  const saved = raw.model?.kind;
  if (!raw.model || !(LM_KINDS as readonly string[]).includes(saved as string)) {
    throw new Error(`lm: ${path} names no known model kind (got ${JSON.stringify(saved)}; known: ${LM_KINDS.join(', ')})`);
  }
  if (kind && kind !== saved) {
    throw new Error(`lm: ${dir} holds a '${saved}' language model, but '${kind}' was asked; drop --model to use it, or train a ${kind} model`);
  }
  checkLmModelConfig(raw.model, path);
  return raw as LmDirConfig;
}

/** Bounds on every size of an LM's config.json, checked before any of them sizes an allocation. */
function checkLmModelConfig(model: WordLMConfig, path: string): void {
  const num = (field: string, value: unknown, min: number, max: number, integer: boolean, why?: string): void =>
    checkConfigNumber(value, { what: 'lm', file: path, field: `model.${field}`, min, max, integer, why });
  num('vocabSize', model.vocabSize, 1, 1_000_000, true, 'at most a million words');
  for (const [field, max] of [['embDim', 8192], ['hiddenSize', 8192], ['numLayers', 64], ['nhead', 8192], ['dimFeedforward', 65536]] as const) {
    if (model[field] !== undefined) num(field, model[field], 1, max, true);
  }
  if (model.context !== undefined) num('context', model.context, 1, 4096, true, 'the positional table holds context × embDim numbers, built before any weight is read');
  if (model.dropout !== undefined) num('dropout', model.dropout, 0, 0.99, false);
  if (model.tieWeights !== undefined && typeof model.tieWeights !== 'boolean') throw new Error(`lm: ${path}: model.tieWeights must be true or false, got ${JSON.stringify(model.tieWeights)}`);
  try {
    resolveWordLMConfig(model);
  } catch (e) {
    throw new Error(`lm: ${path}: ${(e as Error).message}`);
  }
}

/**
 * Compares config.json with model.safetensors' header before the model is built: sizes that the
 * weights do not hold are refused without allocating them.
 */
async function checkLmWeightShapes(dir: string, model: WordLMConfig): Promise<void> {
  const files = { what: 'lm', config: join(dir, 'config.json'), weights: join(dir, 'model.safetensors') };
  const header = await readSafetensorsHeader(files.weights);
  const c = resolveWordLMConfig(model);
  const transformer = c.kind === 'transformer';
  const width = transformer ? c.embDim : c.hiddenSize;
  const layers = transformer ? countLayers(header, 'transformer_encoder.layers.') : countLayers(header, 'rnn.weight_hh_l');
  if (layers !== c.numLayers) throw new Error(`lm: ${files.weights} does not fit ${files.config}: model.numLayers is ${c.numLayers} but the weights hold ${layers} layers`);
  const expected: ExpectedShape[] = [{ key: 'encoder.weight', shape: [c.vocabSize, c.embDim], fields: ['model.vocabSize', 'model.embDim'] }];
  const gates = { rnn: 1, gru: 3, lstm: 4, transformer: 0 }[c.kind];
  for (let i = 0; i < c.numLayers; i++) {
    if (transformer) expected.push({ key: `transformer_encoder.layers.${i}.linear1.weight`, shape: [c.dimFeedforward, c.embDim], fields: ['model.dimFeedforward', 'model.embDim'] });
    else expected.push({ key: `rnn.weight_hh_l${i}`, shape: [gates * c.hiddenSize, c.hiddenSize], fields: ['model.kind', 'model.hiddenSize'] });
  }
  expected.push({ key: 'decoder.weight', shape: [c.vocabSize, width], fields: ['model.vocabSize', transformer ? 'model.embDim' : 'model.hiddenSize'] });
  checkHeaderShapes(header, expected, files);
}

/** Loads a directory written by saveLm. Every file problem names the file. */
export async function loadLm(dir: string, options: { kind?: LmKind; generator?: Generator } = {}): Promise<LoadedLm & { step: number }> {
  const config = await loadLmConfig(dir, options.kind);
  const tokenizer = LmTokenizer.fromJSON(await readJsonFile(join(dir, 'tokenizer.json'), 'lm', 'is this a model directory written by `llmcore train lm --out`?'));
  if (tokenizer.size !== config.model.vocabSize) {
    throw new Error(`lm: ${join(dir, 'tokenizer.json')} has ${tokenizer.size} words but config.json says vocabSize ${config.model.vocabSize}`);
  }
  await checkLmWeightShapes(dir, config.model);
  // the generator is the one its dropout draws from (a resumed run passes its own)
  const model = new WordLM(config.model, { generator: options.generator ?? new Generator(0) });
  const weights = join(dir, 'model.safetensors');
  const { tensors, metadata } = await loadSafetensors(weights);
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    throw new Error(`lm: ${weights} does not fit ${join(dir, 'config.json')} (a ${config.model.kind} model): ${(e as Error).message}`);
  }
  model.eval();
  return { model, tokenizer, config, step: Number(metadata['llmcore.step'] ?? 0) };
}
