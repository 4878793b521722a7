/**
 * The tokenizer of a GPT model directory, as a Hugging Face GPT-2 folder holds it: tokenizer.json
 * (preferred: it is the one file that says everything), or GPT-2's original vocab.json + merges.txt;
 * or, for a character-level model llmcore trained, char-vocab.json (src/models/gpt/data.ts).
 * Node only (reads files); the tokenizer itself is src/text/byte-bpe.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ByteLevelBpe } from '../../text/byte-bpe.js';
import type { GptConfig } from './config.js';
import { CHAR_VOCAB_FILE, CharTokenizer } from './data.js';

/** What generation needs of a tokenizer: GPT-2's byte-level BPE, or the characters of a char-level model. */
export type GptTokenizer = ByteLevelBpe | CharTokenizer;

/**
 * Loads `dir`'s tokenizer and checks it against the model: every id it can produce must have a row in
 * the embedding (GPT-2's 50257 tokens fill its 50257 rows; a model may have more rows, never fewer).
 * @example const tokenizer = loadGptTokenizer('gpt2/', config)
 */
export function loadGptTokenizer(dir: string, config: GptConfig): ByteLevelBpe {
  const tj = join(dir, 'tokenizer.json');
  const vocab = join(dir, 'vocab.json');
  const merges = join(dir, 'merges.txt');
  let tokenizer: ByteLevelBpe;
  let from: string;
  try {
    if (existsSync(tj)) {
      from = tj;
      tokenizer = ByteLevelBpe.fromTokenizerJson(readFileSync(tj, 'utf8'));
    } else if (existsSync(vocab) && existsSync(merges)) {
      from = `${vocab} and merges.txt`;
      tokenizer = ByteLevelBpe.fromVocabAndMerges(JSON.parse(readFileSync(vocab, 'utf8')) as Record<string, number>, readFileSync(merges, 'utf8'));
    } else {
      throw new Error(`${dir}: no tokenizer: expected tokenizer.json, or vocab.json and merges.txt (GPT-2's byte-level BPE, as the Hugging Face hub has them)`);
    }
  } catch (e) {
    if ((e as Error).message.startsWith(dir)) throw e;
    throw new Error(`${dir}: cannot read the tokenizer: ${(e as Error).message}`);
  }
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new Error(`${from}: the tokenizer has ${tokenizer.vocabSize} tokens but the model only ${config.vocabSize} (vocab_size in config.json): they are not a pair`);
  }
  return tokenizer;
}

/**
 * The tokenizer of any GPT folder: char-vocab.json for a character-level model llmcore trained,
 * otherwise GPT-2's BPE as {@link loadGptTokenizer} reads it.
 * @example const tokenizer = loadAnyGptTokenizer('runs/shakespeare/best', config)
 */
export function loadAnyGptTokenizer(dir: string, config: GptConfig): GptTokenizer {
  const chars = join(dir, CHAR_VOCAB_FILE);
  if (!existsSync(chars)) return loadGptTokenizer(dir, config);
  // a character-level model (nanoGPT's shakespeare_char): no BPE files beside it
  const t = CharTokenizer.fromJson(readFileSync(chars, 'utf8'), chars);
  if (t.vocabSize > config.vocabSize) throw new Error(`${chars}: the tokenizer has ${t.vocabSize} characters but the model only ${config.vocabSize} (vocab_size in config.json): they are not a pair`);
  return t;
}
