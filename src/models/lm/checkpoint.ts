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
import { Generator } from '../../util/random.js';
import { LM_KINDS, WordLM, type LmKind } from './model.js';
import { LmTokenizer } from './tokenizer.js';
import { LM_FORMAT, type LmDirConfig, type LoadedLm } from './config.js';

export { LM_FORMAT, type LmDirConfig, type LoadedLm };

/** Writes a model directory (weights in F32). */
export async function saveLm(dir: string, lm: LoadedLm): Promise<void> {
  await mkdir(dir, { recursive: true });
  await saveSafetensors(join(dir, 'model.safetensors'), lm.model.stateDict(), { metadata: { format: 'pt', 'llmcore.kind': lm.model.kind } });
  await writeTextFileAtomic(join(dir, 'tokenizer.json'), JSON.stringify(lm.tokenizer.toJSON()));
  await writeTextFileAtomic(join(dir, 'config.json'), JSON.stringify(lm.config, null, 2) + '\n');
}

/** Reads and checks `dir`/config.json; `kind`, when given, must match the saved model's. */
export async function loadLmConfig(dir: string, kind?: LmKind): Promise<LmDirConfig> {
  const path = join(dir, 'config.json');
  const raw = (await readJsonFile(path, 'lm', 'is this a model directory written by `llmcore lm train --out`?')) as Omit<Partial<LmDirConfig>, 'format'> & { format?: unknown };
  if (!raw || typeof raw !== 'object') throw new Error(`lm: ${path} is not an llmcore language-model config`);
  if (raw.format === 'llmcore-translator') {
    throw new Error(`lm: ${dir} holds a translator (format llmcore-translator), not a language model; give a directory written by \`llmcore lm train --out\``);
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
  return raw as LmDirConfig;
}

/** Loads a directory written by saveLm. Every file problem names the file. */
export async function loadLm(dir: string, options: { kind?: LmKind } = {}): Promise<LoadedLm> {
  const config = await loadLmConfig(dir, options.kind);
  const tokenizer = LmTokenizer.fromJSON(await readJsonFile(join(dir, 'tokenizer.json'), 'lm', 'is this a model directory written by `llmcore lm train --out`?'));
  if (tokenizer.size !== config.model.vocabSize) {
    throw new Error(`lm: ${join(dir, 'tokenizer.json')} has ${tokenizer.size} words but config.json says vocabSize ${config.model.vocabSize}`);
  }
  const model = new WordLM(config.model, { generator: new Generator(0) });
  const weights = join(dir, 'model.safetensors');
  const { tensors } = await loadSafetensors(weights);
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    throw new Error(`lm: ${weights} does not fit ${join(dir, 'config.json')} (a ${config.model.kind} model): ${(e as Error).message}`);
  }
  model.eval();
  return { model, tokenizer, config };
}
