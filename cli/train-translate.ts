/**
 * `llmcore train translate`: trains the Chinese→English Transformer on TSV pairs with the shared
 * trainer (progress, dev loss/BLEU/chrF each epoch, best/ and last/, --resume, a time budget, signals
 * that save). Settings come from the defaults (src/models/seq2seq/recipe.ts), then a recipe file
 * (`--recipe recipes/zh-en.json`), then the flags.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { readParallelFile } from '../src/data/parallel-file.js';
import { Generator } from '../src/util/random.js';
import { Seq2SeqTransformer } from '../src/models/seq2seq/model.js';
import { TranslationTokenizer } from '../src/models/seq2seq/tokenizer.js';
import { encodePairs, TranslationTask, translatorTrainer, type TranslationMetrics } from '../src/models/seq2seq/train.js';
import { resolveTranslatorRecipe, type TranslatorRecipe, type TranslatorRecipeFile } from '../src/models/seq2seq/recipe.js';
import { loadTranslatorConfig, loadWeights, saveTranslator, type TranslatorConfig } from '../src/models/seq2seq/checkpoint.js';
import { checkResumeConflicts, RecipeError } from '../src/train/recipe.js';
import { prepareRunDirectory, restoreCheckpoint, writeRunFile } from '../src/train/run-dir.js';
import { runTraining } from './training.js';
import { checkInputFile } from './paths.js';
import { given, readRecipeFile as readSharedRecipeFile } from './recipe-file.js';
import { integer, number, parseDuration, positiveInteger, printJson, commandGroup } from './options.js';

interface TrainTranslateOptions {
  train?: string;
  dev?: string;
  out: string;
  recipe?: string;
  config?: string;
  resume?: boolean;
  force?: boolean;
  timeBudget?: number;
  epochs?: number;
  maxSteps?: number;
  seed?: number;
  dModel?: number;
  heads?: number;
  encoderLayers?: number;
  decoderLayers?: number;
  ff?: number;
  dropout?: number;
  normFirst?: boolean;
  tie?: boolean;
  maxTokens?: number;
  warmup?: number;
  lrFactor?: number;
  clip?: number;
  source?: string;
  target?: string;
  bpeMerges?: number;
  srcBpeMerges?: number;
  digits?: string;
  devBleu?: number;
  skipBadLines?: boolean;
  json?: boolean;
}

/** The flags as a recipe layer (only those given). */
function flagLayer(o: TrainTranslateOptions): TranslatorRecipeFile {
  return {
    tokenizer: { source: o.source as 'char', target: o.target as 'bpe', bpeMerges: o.bpeMerges, srcBpeMerges: o.srcBpeMerges, digits: o.digits as 'split' },
    model: {
      dModel: o.dModel, nhead: o.heads, numEncoderLayers: o.encoderLayers, numDecoderLayers: o.decoderLayers, dimFeedforward: o.ff,
      dropout: o.dropout, normFirst: o.normFirst, tieOutput: o.tie,
    },
    training: {
      seed: o.seed, maxTokens: o.maxTokens, warmupSteps: o.warmup, lrFactor: o.lrFactor, clipNorm: o.clip, epochs: o.epochs,
      timeBudgetSeconds: o.timeBudget, maxSteps: o.maxSteps, devBleuSentences: o.devBleu,
    },
  };
}

/** Reads a translator recipe file (data paths relative to it). */
export function readRecipeFile(path: string): TranslatorRecipeFile {
  return readSharedRecipeFile<TranslatorRecipeFile>(path);
}

/** The recipe a run in `out` was started with (its recipe.json), if it can be read. */
function startedRecipe(out: string): TranslatorRecipeFile | undefined {
  try {
    return JSON.parse(readFileSync(join(out, 'recipe.json'), 'utf8')) as TranslatorRecipeFile;
  } catch {
    return undefined;
  }
}

/** Settings that may change when a run is resumed: how long it goes on, and how often dev BLEU is read. */
const RESUMABLE = new Set(['epochs', 'timeBudgetSeconds', 'maxSteps', 'devBleuSentences']);

export async function runTrainTranslate(o: TrainTranslateOptions): Promise<object> {
  const log = (line: string): void => { process.stderr.write(line + '\n'); };
  const say = o.json ? () => {} : log;
  if (o.config) {
    log('llmcore: --config is now --recipe (the old spelling still works)');
    o.recipe ??= o.config;
  }
  const fileLayer = o.recipe ? readRecipeFile(o.recipe) : undefined;
  const flags = given(flagLayer(o));
  const layers = [...(fileLayer ? [{ source: o.recipe!, values: fileLayer }] : []), { source: 'the command line', values: flags }];
  let recipe: TranslatorRecipe = resolveTranslatorRecipe(layers);

  // a resumed run reads the data it was started on unless told otherwise (its recipe.json says which)
  const started = o.resume ? startedRecipe(o.out) : undefined;
  const trainPath = o.train ?? fileLayer?.data?.train ?? started?.data?.train;
  const devPath = o.dev ?? fileLayer?.data?.dev ?? started?.data?.dev;
  if (!trainPath) throw new Error('train translate: give --train FILE (or a recipe with data.train)');
  if (!devPath) throw new Error('train translate: give --dev FILE (or a recipe with data.dev)');
  checkInputFile(trainPath, '--train');
  checkInputFile(devPath, '--dev');
  // the folder is checked (and claimed) before the data is read and the tokenizer learned
  const { resumeFrom, paths } = prepareRunDirectory(o.out, { chapter: 'translate', resume: o.resume, force: o.force });

  const hint = 'use --skip-bad-lines to pass over such lines';
  const train = readParallelFile(trainPath, { skipBadLines: o.skipBadLines, hint });
  const dev = readParallelFile(devPath, { skipBadLines: o.skipBadLines, hint });
  for (const [name, c] of [[trainPath, train], [devPath, dev]] as const) {
    if (c.skipped.length) say(`skipped ${c.skipped.length} malformed lines in ${name} (first: line ${c.skipped[0].line}, ${c.skipped[0].reason})`);
  }
  if (dev.pairs.length === 0) throw new Error(`--dev ${devPath} has no sentence pairs to evaluate on`);
  if (train.pairs.length === 0) throw new Error(`--train ${trainPath} has no sentence pairs`);

  let config: TranslatorConfig;
  let tokenizer: TranslationTokenizer;
  if (resumeFrom) {
    ({ config, tokenizer } = await loadTranslatorConfig(resumeFrom));
    const savedTraining = { ...recipe.training, ...config.training };
    for (const l of layers) checkResumeConflicts({ model: config.model, training: savedTraining, tokenizer: tokenizer.config }, l.values, l.source, { mayChange: RESUMABLE, changeable: 'epochs, time budget, step limit and --dev-bleu' });
    // a resumed run goes on with its own settings; only how long it runs may change, where asked
    const extend = Object.assign({}, ...layers.map((l) => Object.fromEntries(Object.entries(l.values.training ?? {}).filter(([k, v]) => RESUMABLE.has(k) && v !== undefined))));
    recipe = { ...recipe, training: { ...savedTraining, ...extend } };
    config = { ...config, training: recipe.training };
  } else {
    const t0 = performance.now();
    tokenizer = TranslationTokenizer.train(train.pairs, recipe.tokenizer);
    say(`tokenizer: ${tokenizer.srcVocab.size} source and ${tokenizer.tgtVocab.size} target tokens (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    config = {
      format: 'llmcore-translator', version: 1,
      model: { srcVocab: tokenizer.srcVocab.size, tgtVocab: tokenizer.tgtVocab.size, ...recipe.model },
      training: recipe.training,
      decoding: recipe.decoding,
    };
    await writeRunFile(paths, 'recipe.json', JSON.stringify({ ...recipe, data: { train: resolve(trainPath), dev: resolve(devPath) } }, null, 2) + '\n');
  }
  const training = recipe.training;
  const generator = new Generator(training.seed);
  const model = new Seq2SeqTransformer(config.model, { generator });
  const task = new TranslationTask(model, tokenizer, encodePairs(tokenizer, train.pairs), dev.pairs, training, generator);
  const trainer = translatorTrainer(task);
  if (resumeFrom) {
    const step = await loadWeights(resumeFrom, model);
    await restoreCheckpoint(resumeFrom, { trainer, optimizer: task.optimizer, scheduler: task.scheduler }, step);
    say(`resumed ${resumeFrom} at step ${trainer.state.step} (epoch ${trainer.state.epoch + 1}, batch ${trainer.state.batchInEpoch})`);
  }
  say(`model: ${model.numParameters().toLocaleString('en')} parameters, d_model ${config.model.dModel}, ${config.model.numEncoderLayers}+${config.model.numDecoderLayers} layers; ${task.train.length} training pairs`);

  const outcome = await runTraining<TranslationMetrics>({
    trainer, paths, json: o.json, log,
    writeModel: (dir, step) => saveTranslator(dir, { model, tokenizer, config, step }),
    describeEval: (r) => `dev loss ${r.devLoss.toFixed(3)}, BLEU ${r.bleu.toFixed(2)}, chrF ${r.chrf.toFixed(2)}`,
  });
  return { ...outcome, tokensPerSecond: outcome.perSecond, out: o.out };
}

export function registerTrainTranslate(program: Command): void {
  const train = commandGroup(program, 'train');
  train
    .command('translate')
    .description('train the Chinese→English Transformer on TSV pairs (Chinese<TAB>English), evaluating on dev each epoch. Defaults are the shipped model\'s (recipes/zh-en.json); a recipe file, then flags, override them')
    .option('--train <file>', 'training pairs (TSV: Chinese TAB English); required unless the recipe names them')
    .option('--dev <file>', 'development pairs, for loss, BLEU and best-checkpoint choice; required unless the recipe names them')
    .requiredOption('--out <dir>', 'run folder: last/ (for --resume), best/ (best dev BLEU), log.jsonl, recipe.json; must be new, empty, or a translate run with --resume/--force')
    .option('--recipe <file.json>', 'a recipe: {tokenizer, model, training, decoding, data} (e.g. recipes/zh-en.json, which reproduces the shipped model)')
    .option('--config <file.json>', 'old name of --recipe')
    .option('--resume', 'continue the run saved in OUT/last exactly where it stopped, on the same data (--train/--dev may be left out) and settings (only --epochs, --time-budget, --max-steps, --dev-bleu may change)')
    .option('--force', 'start over in an OUT that holds a translate run (deletes its checkpoints and log)')
    .option('--time-budget <duration>', 'stop after this much training time, e.g. 90m or 2h (evaluation excluded; the run\'s total: a resumed run counts the time before)', parseDuration)
    .option('--epochs <n>', 'most epochs (default 100)', positiveInteger)
    .option('--max-steps <n>', 'most optimizer steps (the run\'s total)', positiveInteger)
    .option('--seed <n>', 'seed of initialisation, batching and dropout (default 1)', integer)
    .option('--d-model <n>', 'model width (default 256)', positiveInteger)
    .option('--heads <n>', 'attention heads (default 4)', positiveInteger)
    .option('--encoder-layers <n>', 'encoder layers (default 2)', positiveInteger)
    .option('--decoder-layers <n>', 'decoder layers (default 2)', positiveInteger)
    .option('--ff <n>', 'feed-forward width (default 1024)', positiveInteger)
    .option('--dropout <p>', 'dropout (default 0.1)', number)
    .option('--norm-first', 'pre-LN layers instead of the paper\'s post-LN')
    .option('--tie', 'tie the output projection to the target embedding (the default)')
    .option('--no-tie', 'a separate output projection')
    .option('--max-tokens <n>', 'target tokens per batch, padding included (default 2500)', positiveInteger)
    .option('--warmup <n>', 'Noam warmup steps (default 600)', positiveInteger)
    .option('--lr-factor <x>', 'Noam factor (default 1)', number)
    .option('--clip <x>', 'gradient-norm clip, 0: off (default 1)', number)
    .option('--source <unit>', 'Chinese units: char (default) | word (ICU) | bpe (subwords learned inside runs of Han characters)')
    .option('--target <unit>', 'English units: bpe (default) | word')
    .option('--bpe-merges <n>', 'BPE merges for English (default 4000)', positiveInteger)
    .option('--src-bpe-merges <n>', 'BPE merges for Chinese, with --source bpe (default 4000)', positiveInteger)
    .option('--digits <mode>', 'numbers: split (default: every digit its own unit, so unseen numbers are copied) | run (a digit run is one unit, as the shipped model)')
    .option('--dev-bleu <n>', 'dev sentences decoded for BLEU each epoch, 0: all (default 0)', integer)
    .option('--skip-bad-lines', 'skip malformed lines instead of stopping at the first')
    .option('--json', 'print the run summary as JSON')
    .action(async (o: TrainTranslateOptions) => {
      try {
        const result = await runTrainTranslate(o);
        if (o.json) printJson(result);
      } catch (e) {
        if (e instanceof RecipeError) throw new Error(`train translate: ${e.message}`);
        throw e;
      }
    });
}
