/**
 * `llmcore data tokenize`: the token ids of a training set, written once by llmcore's own tokenizer,
 * for a trainer elsewhere (the PyTorch twin in python/) that must see exactly the ids llmcore would.
 *
 *   llmcore data tokenize --model DIR --pairs train.tsv --out train.tokens    (a translator's pairs)
 *   llmcore data tokenize --model DIR --text corpus.txt --out train.tokens    (an LM's or a GPT's text)
 *   llmcore data tokenize --model DIR --new [--recipe R] --pairs train.tsv --out train.tokens
 *
 * With --new, DIR does not exist yet: the tokenizer is learned from --pairs with the recipe's settings
 * and DIR is written as `llmcore train translate` would start it (config.json, tokenizer.json, and
 * model.safetensors initialised from the recipe's seed, step 0), so another trainer starts from
 * llmcore's own initial weights. Pairs are encoded as the translator's trainer encodes them
 * (encodePairs: empty pairs and over-long targets dropped, targets with bos and eos); the index
 * records the sha256 of the tokenizer files, which the twin checks against the model it trains.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { readParallelFile } from '../src/data/parallel-file.js';
import { encodeTokenFile, type TokenFileIndex } from '../src/data/token-file.js';
import { writeFileAtomic, writeTextFileAtomic } from '../src/io/file.js';
import { Generator } from '../src/util/random.js';
import { Seq2SeqTransformer } from '../src/models/seq2seq/model.js';
import { TranslationTokenizer } from '../src/models/seq2seq/tokenizer.js';
import { encodePairs } from '../src/models/seq2seq/train.js';
import { resolveTranslatorRecipe } from '../src/models/seq2seq/recipe.js';
import { loadTranslatorConfig, saveTranslator } from '../src/models/seq2seq/checkpoint.js';
import { loadLmConfig } from '../src/models/lm/checkpoint.js';
import { LmTokenizer } from '../src/models/lm/tokenizer.js';
import { gptConfigFromHf } from '../src/models/gpt/config.js';
import { loadAnyGptTokenizer } from '../src/models/gpt/tokenizer.js';
import { BOS_ID, EOS_ID, PAD_ID } from '../src/text/vocab.js';
import { checkInputFile } from './paths.js';
import { readRecipeFile } from './train-translate.js';

export interface DataTokenizeOptions {
  model: string;
  pairs?: string;
  text?: string;
  out: string;
  new?: boolean;
  recipe?: string;
  skipBadLines?: boolean;
  json?: boolean;
}

/** The files of a model directory that make up its tokenizer (whichever of them it has). */
export const TOKENIZER_FILES = ['tokenizer.json', 'vocab.json', 'merges.txt', 'char-vocab.json'];

/**
 * sha256 over the tokenizer files of `dir`, each as its name, a NUL, its bytes and a NUL, in the order
 * of {@link TOKENIZER_FILES}: python/llmcore_torch/tokens.py computes the same to refuse a token file
 * made with another tokenizer.
 */
export function tokenizerHash(dir: string): string {
  const h = createHash('sha256');
  for (const name of TOKENIZER_FILES) {
    const p = join(dir, name);
    if (!existsSync(p)) continue;
    h.update(name + '\0');
    h.update(readFileSync(p));
    h.update('\0');
  }
  return h.digest('hex');
}

function readConfigFormat(dir: string): string {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) throw new Error(`--model ${dir}: no config.json (give a model directory, or add --new to create one from the pairs)`);
  let json: { format?: unknown; n_embd?: unknown };
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as typeof json;
  } catch (e) {
    throw new Error(`--model ${path} is not JSON (${(e as Error).message})`);
  }
  if (json.format === 'llmcore-translator' || json.format === 'llmcore-lm') return json.format;
  if (json.format === undefined && json.n_embd !== undefined) return 'gpt';
  throw new Error(`--model ${path}: format ${JSON.stringify(json.format)} is not a translator, a language model or a GPT`);
}

/** Learns a translator's tokenizer on the pairs and writes DIR as `llmcore train translate` starts it. */
async function createTranslator(dir: string, pairs: { source: string; target: string }[], recipePath: string | undefined): Promise<TranslationTokenizer> {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`--new: ${dir} already holds files; --new creates a model directory, give a new or empty folder (or drop --new to use the model there)`);
  const layers = recipePath ? [{ source: recipePath, values: readRecipeFile(recipePath) }] : [];
  const recipe = resolveTranslatorRecipe(layers);
  const tokenizer = TranslationTokenizer.train(pairs, recipe.tokenizer);
  const config = {
    format: 'llmcore-translator' as const, version: 1 as const,
    model: { srcVocab: tokenizer.srcVocab.size, tgtVocab: tokenizer.tgtVocab.size, ...recipe.model },
    training: recipe.training,
    decoding: recipe.decoding,
  };
  // the same generator and order as `llmcore train translate`: its step-0 weights, bit for bit
  const model = new Seq2SeqTransformer(config.model, { generator: new Generator(recipe.training.seed) });
  await saveTranslator(dir, { model, tokenizer, config, step: 0 });
  return tokenizer;
}

/** Runs the command; returns the index it wrote. */
export async function runDataTokenize(o: DataTokenizeOptions): Promise<TokenFileIndex> {
  if (!o.pairs === !o.text) throw new Error('data tokenize: give either --pairs FILE (a translator\'s TSV pairs) or --text FILE (an LM\'s or a GPT\'s text)');
  if (o.recipe && !o.new) throw new Error('data tokenize: --recipe sets up a new model; it needs --new');
  const input = (o.pairs ?? o.text)!;
  checkInputFile(input, o.pairs ? '--pairs' : '--text');
  const source = { file: resolve(input), bytes: readFileSync(input).length };
  let result: { bytes: Uint8Array; index: TokenFileIndex };
  if (o.pairs) {
    const corpus = readParallelFile(o.pairs, { skipBadLines: o.skipBadLines, hint: 'use --skip-bad-lines to pass over such lines' });
    if (corpus.pairs.length === 0) throw new Error(`--pairs ${o.pairs} has no sentence pairs`);
    let tokenizer: TranslationTokenizer;
    if (o.new) tokenizer = await createTranslator(o.model, corpus.pairs, o.recipe);
    else {
      const format = readConfigFormat(o.model);
      if (format !== 'llmcore-translator') throw new Error(`--pairs needs a translator model directory, but ${o.model} holds ${format === 'gpt' ? 'a GPT' : 'a language model'}; give its text with --text`);
      tokenizer = (await loadTranslatorConfig(o.model)).tokenizer;
    }
    const examples = encodePairs(tokenizer, corpus.pairs);
    if (examples.length === 0) throw new Error(`--pairs ${o.pairs}: no pair survives encoding (every target is empty or longer than the tokenizer's maxTargetLen)`);
    result = encodeTokenFile('pairs', { src: examples.map((e) => e.src), tgt: examples.map((e) => e.tgt) },
      { src: tokenizer.srcVocab.size, tgt: tokenizer.tgtVocab.size }, {
        model: { format: 'llmcore-translator', dir: resolve(o.model) },
        tokenizer: { sha256: tokenizerHash(o.model) },
        specials: { pad: PAD_ID, bos: BOS_ID, eos: EOS_ID },
        source: { ...source, pairs: corpus.pairs.length, kept: examples.length, skippedLines: corpus.skipped.length },
      });
  } else {
    if (o.new) throw new Error('data tokenize: --new learns a translator\'s tokenizer from --pairs; an LM or a GPT is created by its own `llmcore train` command');
    const format = readConfigFormat(o.model);
    const text = readFileSync(o.text!, 'utf8');
    let ids: number[];
    let vocab: number;
    if (format === 'llmcore-lm') {
      const config = await loadLmConfig(o.model);
      const tokenizer = LmTokenizer.fromJSON(JSON.parse(readFileSync(join(o.model, 'tokenizer.json'), 'utf8')));
      ids = Array.from(tokenizer.encodeText(text));
      vocab = config.model.vocabSize;
    } else if (format === 'gpt') {
      const configPath = join(o.model, 'config.json');
      const config = gptConfigFromHf(JSON.parse(readFileSync(configPath, 'utf8')), configPath);
      ids = loadAnyGptTokenizer(o.model, config).encode(text);
      vocab = config.vocabSize;
    } else throw new Error(`--text needs a language model or a GPT directory, but ${o.model} holds a translator; give its pairs with --pairs`);
    if (ids.length === 0) throw new Error(`--text ${o.text} has no tokens`);
    result = encodeTokenFile('text', { text: [ids] }, { text: vocab }, {
      model: { format: format === 'gpt' ? 'gpt2' : format, dir: resolve(o.model) },
      tokenizer: { sha256: tokenizerHash(o.model) },
      source,
    });
  }
  await writeFileAtomic(o.out, result.bytes);
  await writeTextFileAtomic(`${o.out}.json`, JSON.stringify(result.index, null, 2) + '\n');
  return result.index;
}

/** Adds `tokenize` to the `data` command group. */
export function registerDataTokenize(data: Command): void {
  data
    .command('tokenize')
    .description('write the token ids of a training set with a model directory\'s tokenizer: OUT (binary, little-endian uint16/uint32 ids and uint32 offsets) and OUT.json (its index), for the PyTorch trainer in python/')
    .requiredOption('--model <dir>', 'the model directory whose tokenizer encodes the text (with --new: the translator directory to create)')
    .option('--pairs <file>', 'translation pairs (TSV: Chinese TAB English), encoded as `llmcore train translate` encodes them')
    .option('--text <file>', 'text for a language model or a GPT directory, encoded as one sequence')
    .requiredOption('--out <file>', 'the binary file to write; its index goes to OUT.json')
    .option('--new', 'create --model: learn the tokenizer from --pairs and initialise the weights as `llmcore train translate` would')
    .option('--recipe <file>', 'with --new: the translator recipe (tokenizer, model and training settings; the defaults otherwise)')
    .option('--skip-bad-lines', 'pass over malformed lines of --pairs instead of stopping')
    .option('--json', 'print the index as JSON')
    .action(async (o: DataTokenizeOptions) => {
      const index = await runDataTokenize(o);
      if (o.json) process.stdout.write(JSON.stringify(index) + '\n');
      else process.stderr.write(`wrote ${o.out} (${index.byteLength.toLocaleString('en')} bytes, ${index.dtype}) and ${o.out}.json: ${index.sequences.toLocaleString('en')} ${index.kind === 'pairs' ? 'pairs' : 'sequence(s)'}, ${Object.entries(index.streams).map(([n, s]) => `${s.tokens.toLocaleString('en')} ${n} tokens`).join(', ')}\n`);
    });
}
