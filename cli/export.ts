/**
 * `llmcore export onnx --model DIR --out DIR2 [--float16]`: a model directory as ONNX graphs for ONNX
 * Runtime (onnxruntime-node on a server, onnxruntime-web in a page), weights as float32 initializers
 * (float16 with --float16, widened at load):
 *
 *   translator (config.json format llmcore-translator)  → encoder.onnx + decoder.onnx (KV cache in/out)
 *   GPT (a GPT-2 folder, as `llmcore train gpt` writes)  → model.onnx (past/present keys and values)
 *
 * beside them onnx.json (which graph has which inputs and outputs, the opset, the sizes and special
 * ids a decoding loop needs), and the model's config.json and tokenizer files, copied, so that DIR2
 * serves on its own. The graphs are built in src/io/onnx (browser-safe); this file reads and writes.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic, writeTextFileAtomic } from '../src/io/file.js';
import { loadTranslator } from '../src/models/seq2seq/checkpoint.js';
import { loadGpt } from '../src/models/gpt/checkpoint.js';
import { CHAR_VOCAB_FILE } from '../src/models/gpt/data.js';
import { BOS_ID, EOS_ID, PAD_ID, UNK_ID } from '../src/text/vocab.js';
import { exportGptOnnx, GPT_NAMES } from '../src/io/onnx/gpt.js';
import { exportTranslatorOnnx, TRANSLATOR_NAMES } from '../src/io/onnx/translator.js';
import { ONNX_IR_VERSION, ONNX_OPSET } from '../src/io/onnx/graph.js';
import { resolveModelDirectory } from '../src/train/run-dir.js';
import { printJson } from './options.js';
import { packageRoot } from './translate.js';

/** What onnx.json says: enough for a decoding loop in any language. */
export interface OnnxManifest {
  format: 'llmcore-onnx';
  version: 1;
  model: 'translator' | 'gpt';
  opset: number;
  irVersion: number;
  /** How the weights are stored (computed in float32 either way). */
  weights: 'float32' | 'float16';
  /** The directory exported. */
  source: string;
  graphs: Record<string, { inputs: string[]; outputs: string[] }>;
  /** Sizes of the KV tensors (batch, heads, length, headDim) and of the logits. */
  layers: number;
  heads: number;
  headDim: number;
  vocab: number;
  /** Most positions a sequence may have (the translator's target, the GPT's context). */
  positions: number;
  specialIds: Record<string, number | null>;
  bytes: Record<string, number>;
}

const TRANSLATOR_HELP = `The translator's graphs (N = decoder layer, 0 …):
  encoder.onnx  in:  src_ids (batch, src_len) int64, padded with 0
                out: memory (batch, src_len, d_model), memory_mask (batch, 1, 1, src_len),
                     cross.N.key, cross.N.value (batch, heads, src_len, head_dim)
  decoder.onnx  in:  tokens (batch, new_len) int64, memory_mask, cross.N.key, cross.N.value,
                     past.N.key, past.N.value (batch, heads, past_len, head_dim; past_len 0 at the first step)
                out: logits (batch, new_len, tgt_vocab), present.N.key, present.N.value (past_len + new_len)`;
const GPT_HELP = `The GPT's graph (N = block, 0 …):
  model.onnx    in:  input_ids (batch, new_len) int64, past.N.key, past.N.value (batch, heads, past_len, head_dim)
                out: logits (batch, new_len, vocab), present.N.key, present.N.value (past_len + new_len)`;

function fail(message: string): never {
  throw new Error(`export onnx: ${message}`);
}

/** Which kind of model a directory holds, from its config.json; a clear error for anything else. */
function modelKind(dir: string): 'translator' | 'gpt' {
  const configPath = join(dir, 'config.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (e) {
    fail(`${configPath}: ${(e as Error).name === 'SyntaxError' ? `not valid JSON (${(e as Error).message})` : (e as Error).message}`);
  }
  const j = (json ?? {}) as Record<string, unknown>;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(`${configPath} is not a JSON object`);
  if (j.format === 'llmcore-translator') return 'translator';
  if (j.model_type === 'gpt2' || (j.format === undefined && j.n_embd !== undefined)) return 'gpt';
  const what = typeof j.format === 'string' ? `an llmcore model of format ${j.format}` : j.model_type !== undefined ? `a model of type ${JSON.stringify(j.model_type)}` : 'no model llmcore knows';
  return fail(`${dir} holds ${what}; ONNX export covers the translator (format llmcore-translator) and the GPT (GPT-2 folders, model_type gpt2)`);
}

function copyIfThere(from: string, to: string, names: readonly string[]): string[] {
  const copied: string[] = [];
  for (const n of names) {
    if (existsSync(join(from, n))) {
      copyFileSync(join(from, n), join(to, n));
      copied.push(n);
    }
  }
  return copied;
}

/**
 * Exports the model directory `modelDir` (or the best/ model of a training run) into `outDir`.
 * Returns the manifest it wrote as onnx.json.
 */
export async function exportOnnx(modelDir: string, outDir: string, options: { float16?: boolean } = {}): Promise<OnnxManifest> {
  const float16 = options.float16 ?? false;
  if (!existsSync(modelDir)) fail(`--model ${modelDir}: no such directory`);
  if (!statSync(modelDir).isDirectory()) fail(`--model ${modelDir} is a file; give a model directory`);
  const dir = resolveModelDirectory(modelDir);
  if (!dir) fail(`--model ${modelDir}: no config.json (not a model directory, nor a training run with best/ or last/)`);
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) fail(`--out ${outDir} is a file; give a directory`);
  if (resolve(outDir) === resolve(dir)) fail(`--out ${outDir} is the model directory itself; choose another`);
  const kind = modelKind(dir);
  const version = String((JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version);
  const files: Record<string, Uint8Array> = {};
  let manifest: OnnxManifest;
  const base = { format: 'llmcore-onnx', version: 1, opset: ONNX_OPSET, irVersion: ONNX_IR_VERSION, weights: float16 ? 'float16' : 'float32', source: dir } as const;
  // the loaders' own errors name the file and field; this prefix says which command met them
  const load = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      return fail((e as Error).message);
    }
  };
  if (kind === 'translator') {
    const { model } = await load(() => loadTranslator(dir));
    const c = model.config;
    const { encoder, decoder } = exportTranslatorOnnx(model, { producerVersion: version, float16 });
    files['encoder.onnx'] = encoder;
    files['decoder.onnx'] = decoder;
    const N = TRANSLATOR_NAMES;
    const L = c.numDecoderLayers;
    const each = (f: (n: number) => string, g: (n: number) => string): string[] => Array.from({ length: L }, (_, i) => [f(i), g(i)]).flat();
    manifest = {
      ...base, model: 'translator',
      graphs: {
        'encoder.onnx': { inputs: [N.srcIds], outputs: [N.memory, N.memoryMask, ...each(N.crossKey, N.crossValue)] },
        'decoder.onnx': { inputs: [N.tokens, N.memoryMask, ...each(N.crossKey, N.crossValue), ...each(N.pastKey, N.pastValue)], outputs: [N.logits, ...each(N.presentKey, N.presentValue)] },
      },
      layers: L, heads: c.nhead, headDim: c.dModel / c.nhead, vocab: c.tgtVocab, positions: c.maxLen,
      specialIds: { pad: PAD_ID, bos: BOS_ID, eos: EOS_ID, unk: UNK_ID },
      bytes: {},
    };
  } else {
    const { model, config: c } = await load(() => loadGpt(dir));
    files['model.onnx'] = exportGptOnnx(model, { producerVersion: version, float16 });
    const N = GPT_NAMES;
    const each = (f: (n: number) => string, g: (n: number) => string): string[] => Array.from({ length: c.nLayer }, (_, i) => [f(i), g(i)]).flat();
    manifest = {
      ...base, model: 'gpt',
      graphs: { 'model.onnx': { inputs: [N.inputIds, ...each(N.pastKey, N.pastValue)], outputs: [N.logits, ...each(N.presentKey, N.presentValue)] } },
      layers: c.nLayer, heads: c.nHead, headDim: c.nEmbd / c.nHead, vocab: c.vocabSize, positions: c.nPositions,
      specialIds: { bos: c.bosTokenId, eos: c.eosTokenId },
      bytes: {},
    };
  }
  mkdirSync(outDir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) {
    await writeFileAtomic(join(outDir, name), bytes);
    manifest.bytes[name] = bytes.length;
  }
  copyIfThere(dir, outDir, ['config.json', 'tokenizer.json', 'vocab.json', 'merges.txt', CHAR_VOCAB_FILE]);
  await writeTextFileAtomic(join(outDir, 'onnx.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

export function registerExport(program: Command): void {
  const exp = program.command('export').description('write a trained model in another format');
  exp
    .command('onnx')
    .description('export a translator or GPT model directory as ONNX graphs for ONNX Runtime (opset 17)')
    .requiredOption('--model <dir>', 'the model directory (a translator, e.g. models/zh-en, or a GPT-2 folder; a training run: its best/)')
    .requiredOption('--out <dir>', 'where the .onnx files, onnx.json and the copied config/tokenizer files go (created if needed)')
    .option('--float16', 'store the weights as float16: half the file, still computed in float32 (ONNX Runtime widens them at load); exact for a model saved in F16, such as models/zh-en')
    .option('--json', 'print onnx.json (graphs, input/output names, sizes) instead of a summary')
    .addHelpText('after', `
ONNX opset ${ONNX_OPSET}, IR version ${ONNX_IR_VERSION}; weights are float32 initializers (float16 with --float16). KV tensors are
(batch, heads, length, head_dim); ids are int64. docs/onnx.md has a decoding loop.

${TRANSLATOR_HELP}

${GPT_HELP}

Examples:
  llmcore export onnx --model models/zh-en --out zh-en-onnx
  llmcore export onnx --model runs/shakespeare --out shakespeare-onnx`)
    .action(async (o: { model: string; out: string; json?: boolean; float16?: boolean }) => {
      const m = await exportOnnx(o.model, o.out, { float16: o.float16 });
      if (o.json) {
        printJson(m);
        return;
      }
      const sizes = Object.entries(m.bytes).map(([f, b]) => `${f} ${(b / 1e6).toFixed(1)} MB`).join(', ');
      process.stdout.write(`exported the ${m.model} in ${m.source} to ${o.out}: ${sizes} (opset ${m.opset}, ${m.weights} weights; inputs and outputs in onnx.json)\n`);
    });
}
