/**
 * GPT model directories (Node only), in Hugging Face's layout so the same folder serves both worlds:
 *
 *   config.json        GPT2Config's keys (n_embd, n_head, n_layer, n_positions, …)
 *   model.safetensors  GPT-2's parameter names, with or without the `transformer.` prefix
 *   vocab.json + merges.txt, or tokenizer.json   GPT-2's byte-level BPE (read by the caller)
 *
 * A GPT-2 downloaded from the hub loads as it is; a model llmcore trains is saved the same way (and
 * loads in transformers: `GPT2LMHeadModel.from_pretrained(dir)`). Loading is strict: every missing,
 * unexpected or mis-shaped tensor is named in one error, checked from the file's header before the
 * model is built. Recognised and ignored: the causal-mask buffers `h.N.attn.bias` and
 * `h.N.attn.masked_bias` that older transformers versions saved (gpt2's own upload carries them), and
 * `lm_head.weight` when it is the tied copy of `wte.weight`.
 */
import { mkdir } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { loadSafetensors, readJsonFile, readSafetensorsHeader, saveSafetensors, writeTextFileAtomic } from '../../io/file.js';
import type { Generator } from '../../util/random.js';
import { gptConfigFromHf, gptConfigToHf, innerWidth, type GptConfig } from './config.js';
import { GptModel } from './model.js';

export const GPT_CONFIG_FILE = 'config.json';
export const GPT_WEIGHTS_FILE = 'model.safetensors';
/** The prefix `GPT2LMHeadModel` puts before `GPT2Model`'s names. */
export const HF_PREFIX = 'transformer.';

/** Every tensor of a GPT's state dict with its shape, from the config alone (no model built). */
export function gptParameterShapes(c: GptConfig): Record<string, number[]> {
  const C = c.nEmbd;
  const inner = innerWidth(c);
  const shapes: Record<string, number[]> = { 'wte.weight': [c.vocabSize, C], 'wpe.weight': [c.nPositions, C] };
  for (let i = 0; i < c.nLayer; i++) {
    const p = `h.${i}.`;
    Object.assign(shapes, {
      [`${p}ln_1.weight`]: [C], [`${p}ln_1.bias`]: [C],
      [`${p}attn.c_attn.weight`]: [C, 3 * C], [`${p}attn.c_attn.bias`]: [3 * C],
      [`${p}attn.c_proj.weight`]: [C, C], [`${p}attn.c_proj.bias`]: [C],
      [`${p}ln_2.weight`]: [C], [`${p}ln_2.bias`]: [C],
      [`${p}mlp.c_fc.weight`]: [C, inner], [`${p}mlp.c_fc.bias`]: [inner],
      [`${p}mlp.c_proj.weight`]: [inner, C], [`${p}mlp.c_proj.bias`]: [C],
    });
  }
  shapes['ln_f.weight'] = [C];
  shapes['ln_f.bias'] = [C];
  return shapes;
}

/** `h.N.attn.bias` / `h.N.attn.masked_bias`: the causal mask as a buffer, which llmcore builds itself. */
const MASK_BUFFER = /^h\.(\d+)\.attn\.(bias|masked_bias)$/;
const LM_HEAD = 'lm_head.weight';

/** How a checkpoint's keys map onto the model's: each file key → model key, or a reason to skip it. */
interface KeyPlan {
  /** model key → the file's key for it */
  load: Map<string, string>;
  /** file keys recognised and not loaded (mask buffers, the tied lm_head) */
  ignored: string[];
  /** the tied lm_head's file key, whose values must then equal wte's */
  lmHead: string | null;
  problems: string[];
}

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Matches a checkpoint's tensor names and shapes against the model a config describes. Returns the
 * plan; every problem is collected (not thrown at the first), so one error can list them all.
 */
function planKeys(fileShapes: Record<string, readonly number[]>, c: GptConfig): KeyPlan {
  const expected = gptParameterShapes(c);
  const plan: KeyPlan = { load: new Map(), ignored: [], lmHead: null, problems: [] };
  const unexpected: string[] = [];
  const mismatched: string[] = [];
  for (const [fileKey, shape] of Object.entries(fileShapes)) {
    const key = fileKey.startsWith(HF_PREFIX) ? fileKey.slice(HF_PREFIX.length) : fileKey;
    const mask = MASK_BUFFER.exec(key);
    if (mask && Number(mask[1]) < c.nLayer) { plan.ignored.push(fileKey); continue; }
    if (key === LM_HEAD) {
      if (shape.length !== 2 || shape[0] !== c.vocabSize || shape[1] !== c.nEmbd) mismatched.push(`'${fileKey}' is ${fmt(shape)}, the tied output layer is ${fmt([c.vocabSize, c.nEmbd])}`);
      else plan.lmHead = fileKey;
      continue;
    }
    const want = expected[key];
    if (!want) { unexpected.push(`'${fileKey}' ${fmt(shape)}`); continue; }
    if (plan.load.has(key)) { plan.problems.push(`'${key}' appears twice (with and without '${HF_PREFIX}')`); continue; }
    if (shape.length !== want.length || shape.some((d, i) => d !== want[i])) mismatched.push(`'${fileKey}' is ${fmt(shape)}, config.json makes it ${fmt(want)}`);
    plan.load.set(key, fileKey);
  }
  const missing = Object.keys(expected).filter((k) => !plan.load.has(k)).map((k) => `'${k}' ${fmt(expected[k])}`);
  if (missing.length) plan.problems.push(`missing ${missing.length}: ${listOf(missing)}`);
  if (unexpected.length) plan.problems.push(`unexpected ${unexpected.length}: ${listOf(unexpected)}`);
  if (mismatched.length) plan.problems.push(`wrong shape ${mismatched.length}: ${listOf(mismatched)}`);
  return plan;
}

/** All of a list up to 12 items, then a count: a checkpoint of another model would name hundreds. */
function listOf(items: string[]): string {
  return items.length <= 12 ? items.join(', ') : `${items.slice(0, 12).join(', ')} and ${items.length - 12} more`;
}

/**
 * Loads `tensors` (a checkpoint's, any of its accepted forms) into `model`. Throws one error naming
 * every problem, `where` first (e.g. the file's path).
 */
export function loadGptStateDict(model: GptModel, tensors: Record<string, Tensor>, where = 'GPT checkpoint'): void {
  const plan = planKeys(Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.shape])), model.config);
  if (plan.problems.length) throw new Error(`${where} does not fit the GPT of its config: ${plan.problems.join('; ')}`);
  const state: Record<string, Tensor> = {};
  for (const [key, fileKey] of plan.load) state[key] = tensors[fileKey];
  if (plan.lmHead) {
    const head = tensors[plan.lmHead].contiguousData();
    const wte = state['wte.weight'].contiguousData();
    for (let i = 0; i < head.length; i++) {
      if (head[i] !== wte[i]) {
        throw new Error(`${where}: '${plan.lmHead}' differs from the token embedding 'wte.weight' (at element ${i}): an output layer not tied to the embedding is not supported (GPT-2 ties them)`);
      }
    }
  }
  noGrad(() => model.loadStateDict(state));
}

/** What `loadGpt` returns. */
export interface LoadedGpt {
  model: GptModel;
  config: GptConfig;
  /** The directory it came from. */
  dir: string;
  /** The checkpoint's keys that were recognised and not loaded (mask buffers, the tied lm_head). */
  ignored: string[];
}

/**
 * Loads a GPT model directory (Hugging Face's GPT-2 layout) in eval mode. Errors name the directory
 * or file and what is wrong; a weight file that does not fit config.json is refused from its header,
 * before the model is built.
 * @example const { model, config } = await loadGpt('gpt2/') // config.json + model.safetensors
 */
export async function loadGpt(dir: string, options: { generator?: Generator } = {}): Promise<LoadedGpt> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: no such model directory`);
  const configPath = join(dir, GPT_CONFIG_FILE);
  const weightsPath = join(dir, GPT_WEIGHTS_FILE);
  if (!existsSync(configPath)) throw new Error(`${dir}: no ${GPT_CONFIG_FILE} (a GPT model directory holds config.json, model.safetensors and the tokenizer files, as a Hugging Face GPT-2 does)`);
  if (!existsSync(weightsPath)) {
    const bin = existsSync(join(dir, 'pytorch_model.bin')) ? ' (pytorch_model.bin is a pickle llmcore does not read: download the model.safetensors of the same model)' : '';
    throw new Error(`${dir}: no ${GPT_WEIGHTS_FILE}${bin}`);
  }
  const config = gptConfigFromHf(await readJsonFile(configPath, 'GPT'), configPath);
  const header = await readSafetensorsHeader(weightsPath);
  const plan = planKeys(Object.fromEntries(Object.entries(header.tensors).map(([k, t]) => [k, t.shape])), config);
  if (plan.problems.length) throw new Error(`${weightsPath} does not fit ${configPath}: ${plan.problems.join('; ')}`);
  const { tensors } = await loadSafetensors(weightsPath);
  const model = new GptModel(config, { ...options, init: false });
  loadGptStateDict(model, tensors, weightsPath);
  model.eval();
  return { model, config, dir, ignored: plan.ignored };
}

export interface SaveGptOptions {
  /** Storage type of the weights (default F32; F16 halves the size for shipping). */
  dtype?: 'F32' | 'F16' | 'BF16';
  /** Files written beside the weights, name → text: the tokenizer's vocab.json/merges.txt or tokenizer.json. */
  files?: Record<string, string>;
  /** Added to the safetensors metadata (e.g. the training step); `format: pt` is always there. */
  metadata?: Record<string, string>;
}

/**
 * Writes a model directory that `loadGpt` and transformers' `GPT2LMHeadModel.from_pretrained` both
 * read: config.json in GPT2Config's keys, model.safetensors with `transformer.`-prefixed names (as
 * save_pretrained writes them, the tied lm_head left out) and `metadata.format = "pt"` (transformers
 * refuses a safetensors file without it), and the given tokenizer files. Each file is written
 * atomically; the folder is created if needed.
 * @example await saveGpt('runs/gpt/best', model, { files: { 'vocab.json': vocab, 'merges.txt': merges } })
 */
export async function saveGpt(dir: string, model: GptModel, options: SaveGptOptions = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  const state: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(model.stateDict())) state[HF_PREFIX + k] = t;
  await saveSafetensors(join(dir, GPT_WEIGHTS_FILE), state, { dtype: options.dtype ?? 'F32', metadata: { ...options.metadata, format: 'pt' } });
  for (const [name, text] of Object.entries(options.files ?? {})) await writeTextFileAtomic(join(dir, name), text);
  const dtype = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[options.dtype ?? 'F32'];
  await writeTextFileAtomic(join(dir, GPT_CONFIG_FILE), JSON.stringify({ ...gptConfigToHf(model.config), torch_dtype: dtype }, null, 2) + '\n');
}
