/**
 * A translator from the bytes of its three files (config.json, tokenizer.json, model.safetensors),
 * for places without a file system — a browser page or worker that fetched them. The Node loader
 * (checkpoint.ts, `loadTranslator(dir)`) reads the same files from disk; this one never touches it.
 */
import { decodeSafetensors } from '../../io/safetensors.js';
import { Generator } from '../../util/random.js';
import { Seq2SeqTransformer, type Seq2SeqConfig } from './model.js';
import { TranslationTokenizer } from './tokenizer.js';

/** What a model directory's config.json holds (the fields this loader reads). */
export interface TranslatorConfigJson {
  format: 'llmcore-translator';
  version: 1;
  model: Seq2SeqConfig;
  decoding?: { beam?: number; lengthPenalty?: number };
}

export interface TranslatorFromBytes {
  model: Seq2SeqTransformer;
  tokenizer: TranslationTokenizer;
  config: TranslatorConfigJson;
}

function parseJson(bytes: Uint8Array | ArrayBuffer | string, file: string): unknown {
  const text = typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message})`);
  }
}

/** Bounds on the sizes that allocate before any weight is read (a hand-edited maxLen of 1e9 must be refused, not allocated). */
function checkSizes(m: Seq2SeqConfig): void {
  const bounded: [string, unknown, number, number][] = [
    ['srcVocab', m.srcVocab, 4, 1_000_000], ['tgtVocab', m.tgtVocab, 4, 1_000_000], ['dModel', m.dModel ?? 128, 1, 8192],
    ['nhead', m.nhead ?? 4, 1, 8192], ['numEncoderLayers', m.numEncoderLayers ?? 2, 1, 64], ['numDecoderLayers', m.numDecoderLayers ?? 2, 1, 64],
    ['dimFeedforward', m.dimFeedforward ?? 512, 1, 65536], ['maxLen', m.maxLen ?? 256, 2, 4096],
  ];
  for (const [field, v, lo, hi] of bounded) {
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi)) throw new Error(`config.json: model.${field} must be an integer from ${lo} to ${hi}, got ${JSON.stringify(v)}`);
  }
  if ((m.dModel ?? 128) % (m.nhead ?? 4) !== 0) throw new Error(`config.json: model.dModel ${m.dModel} is not divisible by model.nhead ${m.nhead}`);
}

/**
 * Builds the model and tokenizer from the files' contents; every problem names the file.
 * @example const t = translatorFromBytes(await (await fetch('config.json')).arrayBuffer(), …)
 */
export function translatorFromBytes(
  configBytes: Uint8Array | ArrayBuffer | string,
  tokenizerBytes: Uint8Array | ArrayBuffer | string,
  weights: Uint8Array | ArrayBuffer,
): TranslatorFromBytes {
  const config = parseJson(configBytes, 'config.json') as TranslatorConfigJson | null;
  if (!config || typeof config !== 'object' || config.format !== 'llmcore-translator' || !config.model) {
    throw new Error('config.json: not an llmcore translator config (format "llmcore-translator" expected)');
  }
  checkSizes(config.model);
  const tokenizer = TranslationTokenizer.fromJSON(parseJson(tokenizerBytes, 'tokenizer.json'));
  if (tokenizer.srcVocab.size !== config.model.srcVocab || tokenizer.tgtVocab.size !== config.model.tgtVocab) {
    throw new Error(`tokenizer.json has vocabularies of ${tokenizer.srcVocab.size}/${tokenizer.tgtVocab.size} but config.json says ${config.model.srcVocab}/${config.model.tgtVocab}`);
  }
  let tensors;
  try {
    tensors = decodeSafetensors(weights).tensors;
  } catch (e) {
    throw new Error(`model.safetensors: ${(e as Error).message}`);
  }
  const model = new Seq2SeqTransformer(config.model, { generator: new Generator(0) });
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    throw new Error(`model.safetensors does not fit config.json: ${(e as Error).message}`);
  }
  model.eval();
  return { model, tokenizer, config };
}
