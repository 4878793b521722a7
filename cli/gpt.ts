/**
 * The GPT chapter's commands:
 *
 *   llmcore train gpt --recipe recipes/gpt-shakespeare-char.json --out runs/shakespeare
 *   llmcore train gpt --recipe recipes/gpt-pretrain.json --out runs/gpt-pretrain   (then gpt-multitask.json)
 *   llmcore eval gpt --model models/gpt-multitask --task zh-en --data dev.tsv
 *   llmcore gpt ship --model runs/gpt-multitask-iris --out models/gpt-multitask
 *   llmcore eval gpt --model runs/shakespeare
 *   llmcore chat --model DIR
 *
 * Training is nanoGPT's (src/models/gpt/train.ts) on the shared trainer (progress, held-out loss every
 * evalInterval steps, best/ and last/, --resume, a time budget, signals that save). Settings come from
 * the defaults (src/models/gpt/recipe.ts: nanoGPT's shakespeare_char CPU recipe), then a recipe file,
 * then the flags. The model folders are Hugging Face GPT-2 folders with a char-vocab.json, which
 * `llmcore generate` and `llmcore chat` read.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Generator } from '../src/util/random.js';
import { loadSafetensors } from '../src/io/file.js';
import { gptConfig, gptConfigFromHf } from '../src/models/gpt/config.js';
import { GptModel } from '../src/models/gpt/model.js';
import { loadGpt, loadGptStateDict, saveGpt } from '../src/models/gpt/checkpoint.js';
import { CHAR_VOCAB_FILE, CharTokenizer, splitIds } from '../src/models/gpt/data.js';
import { evaluateIris, evaluateTranslation } from '../src/models/gpt/evaluate.js';
import { chatText, multitaskExamples, parseIrisCsv, parseTranslationTsv, pretrainingText, shuffled, splitIris } from '../src/models/gpt/tasks.js';
import { ByteLevelBpe } from '../src/text/byte-bpe.js';
import { estimateLoss, GptTask, gptTrainer, streamLoss, type GptMetrics } from '../src/models/gpt/train.js';
import { gptDataKind, resolveGptRecipe, type GptRecipe, type GptRecipeFile } from '../src/models/gpt/recipe.js';
import { checkResumeConflicts, mergeSections, RecipeError } from '../src/train/recipe.js';
import { prepareRunDirectory, resolveModelDirectory, restoreCheckpoint, writeRunFile } from '../src/train/run-dir.js';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { InvalidArgumentError } from 'commander';
import { loadAnyGptTokenizer, type GptTokenizer } from '../src/models/gpt/tokenizer.js';
import { GptStepModel } from '../src/models/gpt/step.js';
import { sample } from '../src/decode/sample.js';
import type { GptConfig } from '../src/models/gpt/config.js';
import { TextStream } from './generate.js';
import { processIo, type CliIo } from './translate.js';
import { runTraining } from './training.js';
import { checkInputFile, checkOutputFile } from './paths.js';
import { given, readRecipeFile } from './recipe-file.js';
import { integer, number, parseDuration, positiveInteger, printJson, commandGroup } from './options.js';

const STEP_KEY = 'llmcore.step';

export interface TrainGptOptions {
  recipe?: string;
  text?: string;
  out: string;
  resume?: boolean;
  force?: boolean;
  timeBudget?: number;
  maxIters?: number;
  seed?: number;
  layers?: number;
  heads?: number;
  width?: number;
  context?: number;
  dropout?: number;
  batchSize?: number;
  lr?: number;
  minLr?: number;
  warmup?: number;
  evalInterval?: number;
  evalIters?: number;
  json?: boolean;
}

/** The flags as a recipe layer, without the ones not given (so they never override a recipe value). */
function flagLayer(o: TrainGptOptions): GptRecipeFile {
  return given({
    model: { nLayer: o.layers, nHead: o.heads, nEmbd: o.width, context: o.context, dropout: o.dropout },
    training: {
      seed: o.seed, maxIters: o.maxIters, batchSize: o.batchSize, lr: o.lr, minLr: o.minLr, warmupIters: o.warmup,
      evalInterval: o.evalInterval, evalIters: o.evalIters, timeBudgetSeconds: o.timeBudget,
    },
  }) as GptRecipeFile;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The recipe a run in `out` was started with (its recipe.json) and the fingerprint of its text, if readable. */
function startedRun(out: string): { recipe: GptRecipe; sha256?: string } | undefined {
  const path = join(out, 'recipe.json');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { textSha256, ...recipe } = raw;
  return { recipe: resolveGptRecipe([{ source: path, values: recipe }]), sha256: typeof textSha256 === 'string' ? textSha256 : undefined };
}

/** Reads a text file as the model will see it, naming the option on failure. */
function readText(path: string, option: string): string {
  checkInputFile(path, option);
  const text = readFileSync(path, 'utf8');
  if (text.length === 0) throw new Error(`${option} ${path} is empty`);
  return text;
}

/** Only how long a resumed run goes on may change: the rest of its recipe is what its steps were taken with. */
const RESUMABLE = new Set(['timeBudgetSeconds']);

/** Builds a GPT of a recipe's model section for a vocabulary of V tokens. */
export function gptOfRecipe(m: GptRecipe['model'], V: number, generator: Generator): GptModel {
  const config = gptConfig({
    vocabSize: V, nPositions: m.context, nEmbd: m.nEmbd, nLayer: m.nLayer, nHead: m.nHead, nInner: null,
    embdPdrop: m.dropout, attnPdrop: m.dropout, residPdrop: m.dropout, bosTokenId: null, eosTokenId: null,
  });
  return new GptModel(config, { generator });
}

/** A model folder's config.json, as loadGpt reads it. */
function readGptConfig(dir: string): GptConfig {
  const path = join(dir, 'config.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: cannot read it as JSON (${(e as Error).message})`);
  }
  return gptConfigFromHf(json, path);
}

/** What a run trains on: the training and held-out texts, what they were built from, and a fingerprint of the sources. */
export interface GptRunData {
  train: string;
  val: string;
  /** The source files, by data field. */
  files: Record<string, string>;
  /** The number of Iris rows held out (multitask), for the model card. */
  describe: string;
}

/**
 * Builds a recipe's training and held-out texts from its data section (src/models/gpt/tasks.ts): a
 * text file split at its last valFraction; a Tatoeba TSV as pre-training text; or the multi-task
 * chat exchanges. Paths are read here; what is built from them is the engine's.
 */
export function gptRunData(recipe: GptRecipe, textFlag?: string): GptRunData {
  const d = recipe.data;
  const valFraction = d.valFraction ?? 0.1;
  const cut = (n: number): number => Math.floor(n * (1 - valFraction));
  if (gptDataKind(d) === 'tatoeba') {
    const pairs = parseTranslationTsv(readText(d.tatoeba!, 'data.tatoeba'), d.tatoeba!);
    const order = shuffled(pairs, recipe.training.seed);
    const k = cut(order.length);
    return {
      train: pretrainingText(order.slice(0, k), 0), val: pretrainingText(order.slice(k), 0), files: { tatoeba: d.tatoeba! },
      describe: `${k.toLocaleString('en')} Tatoeba pairs for training, ${(order.length - k).toLocaleString('en')} held out, as Chinese and English lines`,
    };
  }
  if (gptDataKind(d) === 'multitask') {
    const pairs = parseTranslationTsv(readText(d.tatoeba!, 'data.tatoeba'), d.tatoeba!);
    const flowers = parseIrisCsv(readText(d.iris!, 'data.iris'), d.iris!);
    const iris = splitIris(flowers, d.irisHeldOutPerSpecies ?? 10, recipe.training.seed);
    const examples = multitaskExamples(pairs, iris.train, { irisRepeats: d.irisRepeats ?? 10, seed: recipe.training.seed });
    const k = cut(examples.length);
    return {
      train: examples.slice(0, k).map(chatText).join(''), val: examples.slice(k).map(chatText).join(''), files: { tatoeba: d.tatoeba!, iris: d.iris! },
      describe: `${k.toLocaleString('en')} chat exchanges for training (${pairs.length.toLocaleString('en')} pairs both ways, ${iris.train.length} flowers × ${d.irisRepeats ?? 10} × 2 languages; ${iris.test.length} flowers held out), ${(examples.length - k).toLocaleString('en')} held out`,
    };
  }
  const path = textFlag ? resolve(textFlag) : d.text;
  if (!path) throw new Error('train gpt: give --text FILE (or a recipe with data.text), e.g. --recipe recipes/gpt-shakespeare-char.json');
  const text = readText(path, '--text');
  const k = Math.floor(text.length * (1 - valFraction));
  // split on characters, not ids, so a BPE and a char run hold out the same text
  return { train: text.slice(0, k), val: text.slice(k), files: { text: path }, describe: `${path}, its last ${(valFraction * 100).toFixed(0)}% held out` };
}

/** The files a tokenizer is saved as in a model folder. */
export function tokenizerFiles(t: GptTokenizer): Record<string, string> {
  return t instanceof CharTokenizer ? { [CHAR_VOCAB_FILE]: t.toJson() } : { 'tokenizer.json': JSON.stringify(t.toJSON()) + '\n' };
}

export async function runTrainGpt(o: TrainGptOptions, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<object> {
  const say = o.json ? () => {} : log;
  const fileLayer = o.recipe ? readRecipeFile<GptRecipeFile>(o.recipe) : undefined;
  const flags = flagLayer(o);
  const layers = [...(fileLayer ? [{ source: o.recipe!, values: fileLayer }] : []), { source: 'the command line', values: flags }];
  let recipe = resolveGptRecipe(layers);
  // a resumed run reads the data it was started on unless told otherwise (its recipe.json names it)
  const started = o.resume ? startedRun(o.out) : undefined;
  if (started && !o.text && !fileLayer?.data) recipe = { ...recipe, data: started.recipe.data };
  if (o.text && gptDataKind(recipe.data) !== 'text') throw new Error('train gpt: --text is for a text file; this recipe trains on data.tatoeba (and data.iris)');
  if (fileLayer?.model?.init) recipe = { ...recipe, model: { ...recipe.model, init: resolve(dirname(resolve(o.recipe!)), fileLayer.model.init) } };
  if (gptDataKind(recipe.data) === 'text') {
    const textPath = o.text ? resolve(o.text) : fileLayer?.data?.text ?? started?.recipe.data.text ?? recipe.data.text;
    if (!textPath) throw new Error('train gpt: give --text FILE (or a recipe with data.text), e.g. --recipe recipes/gpt-shakespeare-char.json');
    checkInputFile(textPath, '--text');
    recipe = { ...recipe, data: { ...recipe.data, text: textPath } };
  }
  if (recipe.model.init) checkInputFile(join(recipe.model.init, 'config.json'), 'model.init');
  const { resumeFrom, paths } = prepareRunDirectory(o.out, { chapter: 'gpt', resume: o.resume, force: o.force });

  const data = gptRunData(recipe);
  // of the whole text, as runs of a text file have always been fingerprinted (train + val is the file)
  const fingerprint = sha256(data.train + data.val);
  let tokenizer: GptTokenizer;
  let initWeights: string | undefined;
  if (resumeFrom) {
    if (!started) throw new Error(`--resume: ${join(o.out, 'recipe.json')} is missing or unreadable; the run's settings are not known`);
    if (started.sha256 && started.sha256 !== fingerprint) {
      if (data.files.text) throw new Error(`--resume: --text ${data.files.text} is not the text the run in ${o.out} was started on (${started.recipe.data.text}); resume on that text, or start a new run`);
      throw new Error(`--resume: the data (${Object.values(data.files).join(', ')}) is not what the run in ${o.out} was started on; resume on that data, or start a new run`);
    }
    const saved = started.recipe;
    // what the layers ask for together (a flag overrides its recipe file), against what the run has
    const asked = mergeSections<GptRecipeFile>(...layers.map((l) => l.values));
    checkResumeConflicts({ model: saved.model, training: saved.training }, asked, layers.map((l) => l.source).join(' + '), { mayChange: RESUMABLE, changeable: 'the time budget' });
    // only how long it goes on may change, where asked; the budget is the run's total training time
    recipe = { ...saved, training: { ...saved.training, timeBudgetSeconds: asked.training?.timeBudgetSeconds ?? saved.training.timeBudgetSeconds } };
    tokenizer = loadAnyGptTokenizer(resumeFrom, readGptConfig(resumeFrom));
  } else {
    if (recipe.model.init) {
      // fine-tuning: the tokenizer and weights of the model it starts from
      const initDir = resolveModelDirectory(recipe.model.init);
      if (!initDir) throw new Error(`model.init ${recipe.model.init}: no config.json in it, nor in its best/ or last/`);
      const config = readGptConfig(initDir);
      const m = recipe.model;
      const mismatch = ([['nLayer', config.nLayer], ['nHead', config.nHead], ['nEmbd', config.nEmbd], ['context', config.nPositions]] as const)
        .filter(([k, v]) => m[k] !== v).map(([k, v]) => `model.${k} ${m[k]} (the model has ${v})`);
      if (mismatch.length) throw new Error(`model.init ${initDir}: the recipe's shape is not the model's: ${mismatch.join(', ')}`);
      tokenizer = loadAnyGptTokenizer(initDir, config);
      initWeights = join(initDir, 'model.safetensors');
    } else if (recipe.tokenizer.kind === 'bpe') {
      const t0 = performance.now();
      tokenizer = ByteLevelBpe.train([data.train], { vocabSize: recipe.tokenizer.vocabSize! });
      say(`tokenizer: a byte-level BPE of ${tokenizer.vocabSize} tokens learned on the training text in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } else {
      tokenizer = CharTokenizer.fromText(data.train + data.val);
    }
    await writeRunFile(paths, 'recipe.json', JSON.stringify({ ...recipe, textSha256: fingerprint }, null, 2) + '\n');
  }
  const encode = (text: string, part: string): Int32Array => {
    try {
      return Int32Array.from(tokenizer.encode(text));
    } catch (e) {
      throw new Error(`train gpt: the ${part} text of ${Object.values(data.files).join(', ')}: ${(e as Error).message} (the run's vocabulary was built from the text it started with)`);
    }
  };
  const train = encode(data.train, 'training');
  const val = encode(data.val, 'held-out');
  const training = recipe.training;
  const generator = new Generator(training.seed);
  const model = gptOfRecipe(recipe.model, tokenizer.vocabSize, generator);
  if (initWeights) {
    const { tensors } = await loadSafetensors(initWeights);
    loadGptStateDict(model, tensors, initWeights);
    say(`starting from ${initWeights}`);
  }
  const task = new GptTask(model, train, val, training, generator);
  const trainer = gptTrainer(task);
  if (resumeFrom) {
    const weights = join(resumeFrom, 'model.safetensors');
    const { tensors, metadata } = await loadSafetensors(weights);
    loadGptStateDict(model, tensors, weights);
    await restoreCheckpoint(resumeFrom, { trainer, optimizer: task.optimizer, scheduler: task.scheduler }, Number(metadata[STEP_KEY] ?? 0));
    say(`resumed ${resumeFrom} at step ${trainer.state.step}`);
  }
  say(`data: ${data.describe}`);
  say(`model: ${model.numParameters().toLocaleString('en')} parameters (${recipe.model.nLayer} layers, ${recipe.model.nHead} heads, width ${recipe.model.nEmbd}, context ${recipe.model.context}); ${tokenizer.vocabSize} ${tokenizer instanceof CharTokenizer ? 'characters' : 'tokens'}; ${train.length.toLocaleString('en')} training and ${val.length.toLocaleString('en')} held-out tokens; ${training.maxIters} steps of ${training.batchSize}×${recipe.model.context}`);
  const outcome = await runTraining<GptMetrics>({
    trainer, paths, json: o.json, log,
    writeModel: (dir, step) => saveGpt(dir, model, { files: tokenizerFiles(tokenizer), metadata: { [STEP_KEY]: String(step) } }),
    describeEval: (r) => `val loss ${r.valLoss.toFixed(4)}, train loss estimate ${r.trainLossEstimate.toFixed(4)} (lr ${task.optimizer.paramGroups[0].lr.toExponential(2)})`,
  });
  const last = outcome.history[outcome.history.length - 1];
  return {
    ...outcome, tokensPerSecond: outcome.perSecond, parameters: model.numParameters(), out: o.out,
    valLoss: last?.valLoss ?? null, bestValLoss: outcome.best?.valLoss ?? null,
  };
}

/** The tasks `eval gpt --task` measures. */
export const GPT_EVAL_TASKS = ['perplexity', 'zh-en', 'en-zh', 'iris', 'all'] as const;
export type GptEvalTask = (typeof GPT_EVAL_TASKS)[number];

export interface EvalGptOptions {
  model?: string;
  task?: GptEvalTask;
  text?: string;
  /** A recipe whose data section gives the held-out text (perplexity) and the Iris split (iris). */
  recipe?: string;
  /** A Tatoeba TSV to translate (zh-en, en-zh): the dev split. */
  data?: string;
  iris?: string;
  irisHeldOut?: number;
  limit?: number;
  valFraction?: number;
  evalIters?: number;
  batchSize?: number;
  seed?: number;
  output?: string;
  json?: boolean;
}

/** The recipe a model folder was trained with: the run's (its recipe.json, beside best/ and last/), if any. */
function recipeOfModel(dir: string): GptRecipe | null {
  return startedRun(join(dir, '..'))?.recipe ?? null;
}

/**
 * `eval gpt`: the held-out perplexity of a GPT (over every held-out token, and nanoGPT's random-batch
 * estimate), and for the multi-task model its tasks: zh→en BLEU and chrF and en→zh chrF on a
 * Tatoeba TSV (the dev split), Iris accuracy on the rows its training held out.
 */
export async function runEvalGpt(o: EvalGptOptions, log: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<object> {
  if (!o.model) throw new Error('eval gpt: --model DIR is required (a model folder, or a training run: its best/)');
  const task = o.task ?? 'perplexity';
  if (!GPT_EVAL_TASKS.includes(task)) throw new Error(`eval gpt: --task ${JSON.stringify(task)}: expected one of ${GPT_EVAL_TASKS.join(', ')}`);
  const dir = resolveModelDirectory(o.model);
  if (!dir) throw new Error(`eval gpt: --model ${o.model}: ${existsSync(o.model) ? 'no config.json in it, nor in its best/ or last/' : 'no such directory'}`);
  const { model, config } = await loadGpt(dir).catch((e: Error) => { throw new Error(`eval gpt: ${e.message}`); });
  let tokenizer: GptTokenizer;
  try {
    tokenizer = loadAnyGptTokenizer(dir, config);
  } catch (e) {
    throw new Error(`eval gpt: ${(e as Error).message}`);
  }
  // the data: a --recipe file's, else the run's own recipe (a model folder outside a run has none)
  const recipe = o.recipe ? resolveGptRecipe([{ source: o.recipe, values: readRecipeFile<GptRecipeFile>(o.recipe) }]) : recipeOfModel(dir);
  const tasks: Exclude<GptEvalTask, 'all'>[] = task === 'all' ? ['perplexity', 'zh-en', 'en-zh', 'iris'] : [task];
  const say = o.json ? () => {} : log;
  const result: Record<string, unknown> = { model: dir };
  for (const t of tasks) {
    const t0 = performance.now();
    if (t === 'perplexity') result.perplexity = evalPerplexity(o, model, config, tokenizer, recipe, say);
    else if (t === 'iris') result.iris = evalIris(o, model, tokenizer, recipe, say);
    else result[t] = evalTranslation(o, t, model, tokenizer, say);
    (result[t] as { seconds: number }).seconds = (performance.now() - t0) / 1000;
  }
  // one task alone keeps its fields at the top, as eval gpt printed them before it had tasks
  const out = tasks.length === 1 ? { model: dir, task, ...(result[tasks[0]] as object) } : { ...result, task };
  if (o.output) writeFileSync(o.output, JSON.stringify(out, null, 2) + '\n');
  if (o.json) printJson(out);
  return out;
}

function evalPerplexity(o: EvalGptOptions, model: GptModel, config: GptConfig, tokenizer: GptTokenizer, recipe: GptRecipe | null, say: (l: string) => void): object {
  let val: string;
  let source: string;
  const valFraction = o.valFraction ?? recipe?.data?.valFraction ?? 0.1;
  if (o.text || !recipe || gptDataKind(recipe.data) === 'text') {
    const textPath = o.text ?? recipe?.data?.text;
    if (!textPath) throw new Error(`eval gpt: --text FILE (or --recipe FILE) is required (${o.model} is not inside a training run that names its data)`);
    const text = readText(textPath, '--text');
    val = text.slice(Math.floor(text.length * (1 - valFraction)));
    source = `the last ${(valFraction * 100).toFixed(0)}% of ${textPath}`;
  } else {
    const data = gptRunData({ ...recipe, data: { ...recipe.data, valFraction } });
    val = data.val;
    source = `the held-out part of ${data.describe}`;
  }
  let ids: Int32Array;
  try {
    ids = Int32Array.from(tokenizer.encode(val));
  } catch (e) {
    throw new Error(`eval gpt: ${source}: ${(e as Error).message}`);
  }
  const whole = streamLoss(model, ids, { context: config.nPositions });
  const estimate = estimateLoss(model, ids, {
    batchSize: o.batchSize ?? recipe?.training?.batchSize ?? 12, context: config.nPositions,
    iters: o.evalIters ?? recipe?.training?.evalIters ?? 20, seed: o.seed ?? (recipe?.training?.seed ?? 1337) + 1,
  });
  const unit = tokenizer instanceof CharTokenizer ? 'character' : 'token';
  say(`perplexity: ${source} (${ids.length.toLocaleString('en')} ${unit}s)`);
  say(`  loss over every held-out ${unit} (windows of ${config.nPositions}): ${whole.loss.toFixed(4)} (perplexity ${Math.exp(whole.loss).toFixed(3)})`);
  say(`  nanoGPT's estimate (random windows, as training reports it): ${estimate.toFixed(4)}`);
  return { text: o.text ?? recipe?.data?.text ?? recipe?.data?.tatoeba, valFraction, valTokens: ids.length, unit, valLoss: whole.loss, valPerplexity: Math.exp(whole.loss), valLossEstimate: estimate };
}

function evalTranslation(o: EvalGptOptions, direction: 'zh-en' | 'en-zh', model: GptModel, tokenizer: GptTokenizer, say: (l: string) => void): object {
  if (!o.data) throw new Error(`eval gpt: --task ${direction} needs --data FILE, a Chinese<TAB>English TSV (the dev split: ../shared/data/tatoeba-cmn-eng/dev.tsv)`);
  let pairs = parseTranslationTsv(readText(o.data, '--data'), o.data);
  if (o.limit !== undefined) pairs = pairs.slice(0, o.limit);
  const r = evaluateTranslation(model, tokenizer, pairs, direction, {
    onProgress: (done, total) => { if (!o.json && (done % 100 === 0 || done === total)) process.stderr.write(`eval gpt: ${direction} ${done}/${total}\r`); },
  });
  if (!o.json) process.stderr.write('\n');
  say(`${direction}: ${r.sentences} sentences of ${o.data}, greedy: ${r.bleu === null ? '' : `BLEU ${r.bleu.toFixed(2)}, `}chrF ${r.chrf.toFixed(2)}`);
  const show = Math.min(3, pairs.length);
  for (let i = 0; i < show; i++) say(`  ${direction === 'zh-en' ? pairs[i].zh : pairs[i].en} → ${r.hypotheses[i]}`);
  return { data: o.data, sentences: r.sentences, bleu: r.bleu, chrf: r.chrf, examples: pairs.slice(0, 5).map((p, i) => ({ ...p, output: r.hypotheses[i] })) };
}

function evalIris(o: EvalGptOptions, model: GptModel, tokenizer: GptTokenizer, recipe: GptRecipe | null, say: (l: string) => void): object {
  const irisPath = o.iris ?? recipe?.data?.iris;
  if (!irisPath) throw new Error('eval gpt: --task iris needs --iris FILE (iris.csv), or --recipe with data.iris');
  const perSpecies = o.irisHeldOut ?? recipe?.data?.irisHeldOutPerSpecies ?? 10;
  const seed = o.seed ?? recipe?.training?.seed ?? 1337;
  // the rows the fine-tuning held out: the same split, drawn with the same seed
  let { test } = splitIris(parseIrisCsv(readText(irisPath, '--iris'), irisPath), perSpecies, seed);
  if (o.limit !== undefined) test = test.slice(0, o.limit);
  const r = evaluateIris(model, tokenizer, test);
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  say(`iris: ${r.flowers} held-out flowers (${perSpecies} per species, seed ${seed}), each asked in English and in Chinese: accuracy ${pct(r.accuracy.all)} (English ${pct(r.accuracy.en)}, Chinese ${pct(r.accuracy.zh)}); answered in the language asked: English ${pct(r.inLanguage.en)}, Chinese ${pct(r.inLanguage.zh)}`);
  return { iris: irisPath, heldOutPerSpecies: perSpecies, seed, flowers: r.flowers, accuracy: r.accuracy, inLanguage: r.inLanguage, answers: r.answers.slice(0, 6) };
}

export interface ChatOptions {
  model?: string;
  maxTokens: number;
  temperature: number;
  topK?: number;
  topP: number;
  repetitionPenalty: number;
  seed: number;
  user: string;
  assistant: string;
  json?: boolean;
}

export interface ChatTurn {
  role: 'user' | 'assistant';
  text: string;
}

/**
 * A conversation in a plain role format, one turn a line:
 *
 *   User: how are you?
 *   Assistant: well, I thank you.
 *   User: …
 *   Assistant:
 *
 * The model continues after the last "Assistant:" until it starts the next turn (a line beginning
 * with a role name), leaves a blank line, or writes `maxTokens` tokens. The transcript must fit the context with room for
 * the reply: when it does not, the oldest turns are dropped (a user turn with the reply to it), and
 * the caller is told how many.
 */
export class ChatSession {
  turns: ChatTurn[] = [];
  private replies = 0;

  constructor(
    readonly model: GptModel, readonly config: GptConfig, readonly tokenizer: GptTokenizer, readonly options: ChatOptions,
  ) {
    for (const [flag, name] of [['--user', options.user], ['--assistant', options.assistant]] as const) {
      if (!name.trim() || name.includes('\n')) throw new Error(`chat: ${flag} must be a non-empty name on one line, got ${JSON.stringify(name)}`);
      try {
        tokenizer.encode(`\n${name}: `);
      } catch (e) {
        throw new Error(`chat: ${flag} ${JSON.stringify(name)}: ${(e as Error).message}; choose role names the model can read`);
      }
    }
  }

  private name(role: ChatTurn['role']): string {
    return role === 'user' ? this.options.user : this.options.assistant;
  }

  transcript(turns: readonly ChatTurn[]): string {
    return turns.map((t) => `${this.name(t.role)}: ${t.text}\n`).join('') + `${this.options.assistant}:`;
  }

  /** Tokens kept free for the reply: maxTokens, at most half the context. */
  get reserve(): number {
    return Math.min(this.options.maxTokens, Math.floor(this.config.nPositions / 2));
  }

  reset(): void {
    this.turns = [];
  }

  /**
   * Adds the user's turn, fits the transcript to the context and generates the reply (its text
   * streamed through `onText`). Throws, leaving the conversation as it was, when the text has a
   * token the model cannot read.
   */
  reply(text: string, onText: (piece: string) => void): { reply: string; droppedTurns: number; truncated: boolean; finishReason: string; seed: number } {
    const userTurn: ChatTurn = { role: 'user', text: text.replace(/\s*\n\s*/g, ' ').trim() };
    this.tokenizer.encode(`${userTurn.text}`);
    let turns = [...this.turns, userTurn];
    const room = this.config.nPositions - this.reserve;
    let dropped = 0;
    let ids = this.tokenizer.encode(this.transcript(turns));
    while (ids.length > room && turns.length > 1) {
      // drop the oldest exchange: a user turn and the reply to it
      const n = turns[1]?.role === 'assistant' && turns.length > 2 ? 2 : 1;
      turns = turns.slice(n);
      dropped += n;
      ids = this.tokenizer.encode(this.transcript(turns));
    }
    const truncated = ids.length > room;
    if (truncated) ids = ids.slice(ids.length - room);
    const seed = (this.options.seed + this.replies) >>> 0;
    // a reply ends where the next turn would begin, or at a blank line (the end of a speech in a play)
    const stops = [`\n${this.options.user}:`, `\n${this.options.assistant}:`, '\n\n'];
    const stream = new TextStream(this.tokenizer, stops);
    const generated: number[] = [];
    const eos = this.config.eosTokenId === null ? [] : [this.config.eosTokenId];
    let leading = true;
    const result = sample(new GptStepModel(this.model, ids.slice(0, -1)), {
      bos: ids[ids.length - 1], maxTokens: this.options.maxTokens, eos,
      temperature: this.options.temperature, topK: this.options.temperature === 0 ? undefined : this.options.topK,
      topP: this.options.topP, repetitionPenalty: this.options.repetitionPenalty, context: ids, seed,
      stop: () => stream.stopped,
      onToken: (token) => {
        if (!eos.includes(token)) generated.push(token);
        let piece = stream.update(generated);
        // the space after "Assistant:" is the format's, not the reply's
        if (leading) { piece = piece.replace(/^ +/, ''); if (piece) leading = false; }
        if (piece) onText(piece);
      },
    });
    let rest = stream.update(result.tokens, true);
    if (leading) rest = rest.replace(/^ +/, '');
    if (rest) onText(rest);
    const reply = stream.text.trim();
    this.turns = [...turns, { role: 'assistant', text: reply.replace(/\s*\n\s*/g, ' ') }];
    this.replies++;
    return { reply, droppedTurns: dropped, truncated, finishReason: stream.stopped ? 'stop' : result.finishReason, seed };
  }
}

const CHAT_HELP = 'commands: /reset (forget the conversation), /temperature T (0 is greedy), /help, /quit';

/**
 * `llmcore chat`: reads the user's turns a line at a time (a terminal, or piped stdin), answers each.
 * Replies go to stdout (one line per turn; with --json one object per turn); notices to stderr.
 */
export async function runChat(o: ChatOptions, io: CliIo = processIo()): Promise<void> {
  if (!o.model) throw new Error('chat: --model DIR is required (a GPT folder, or a training run: its best/)');
  const dir = resolveModelDirectory(o.model);
  if (!dir) throw new Error(`chat: --model ${o.model}: ${existsSync(o.model) ? 'no config.json in it, nor in its best/ or last/' : 'no such directory'}`);
  const { model, config } = await loadGpt(dir).catch((e: Error) => { throw new Error(`chat: ${e.message}`); });
  let tokenizer: GptTokenizer;
  try {
    tokenizer = loadAnyGptTokenizer(dir, config);
  } catch (e) {
    throw new Error(`chat: ${(e as Error).message}`);
  }
  const session = new ChatSession(model, config, tokenizer, o);
  const tty = Boolean(io.stdin.isTTY);
  const note = (line: string): void => io.stderr(`chat: ${line}\n`);
  if (tty) note(`${dir}, context ${config.nPositions} tokens. ${CHAT_HELP}`);
  const rl = createInterface({ input: io.stdin, terminal: false });
  const ask = (): void => { if (tty) io.stderr(`${o.user}> `); };
  ask();
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === '') { ask(); continue; }
    if (line.startsWith('/')) {
      const [cmd, ...args] = line.split(/\s+/);
      if (cmd === '/quit' || cmd === '/exit') break;
      if (cmd === '/reset') {
        session.reset();
        note('the conversation is cleared');
      } else if (cmd === '/temperature') {
        const t = Number(args[0]);
        if (args.length !== 1 || !(t >= 0 && Number.isFinite(t))) note(`/temperature wants one number >= 0 (0 is greedy), got ${JSON.stringify(args.join(' '))}; it stays ${o.temperature}`);
        else {
          o.temperature = t;
          note(`temperature ${t}`);
        }
      } else if (cmd === '/help') note(CHAT_HELP);
      else note(`unknown command ${cmd}; ${CHAT_HELP}`);
      ask();
      continue;
    }
    let r;
    try {
      if (tty && !o.json) io.stdout(`${o.assistant}: `);
      r = session.reply(line, (piece) => { if (!o.json) io.stdout(piece); });
    } catch (e) {
      if (tty && !o.json) io.stdout('\n');
      note(`${(e as Error).message}; this turn was not added`);
      ask();
      continue;
    }
    if (o.json) io.stdout(JSON.stringify({ user: line, reply: r.reply, droppedTurns: r.droppedTurns, truncated: r.truncated, finishReason: r.finishReason, seed: r.seed }) + '\n');
    else io.stdout('\n');
    if (r.droppedTurns) note(`the conversation outgrew the model's context of ${config.nPositions} tokens: the oldest ${r.droppedTurns} turn${r.droppedTurns === 1 ? ' was' : 's were'} dropped`);
    if (r.truncated) note(`your turn alone is longer than the context leaves room for: only its last part was read`);
    if (io.stdoutClosed?.()) break;
    ask();
  }
  rl.close();
}

export interface SweepOptions {
  recipe?: string;
  text?: string;
  out: string;
  /** "LAYERSxWIDTH" per model, e.g. 1x16,2x32,2x64,3x96,4x128. */
  sizes: string;
  maxIters?: number;
  evalIters: number;
  json?: boolean;
}

export interface SweepPoint {
  layers: number;
  width: number;
  heads: number;
  parameters: number;
  valLoss: number;
  trainSeconds: number;
}

/** Least squares of ln L = ln a − α ln N: the power law L ≈ a·N^(−α) through the points. */
export function fitPowerLaw(points: readonly { parameters: number; valLoss: number }[]): { a: number; alpha: number; r2: number } {
  const xs = points.map((p) => Math.log(p.parameters));
  const ys = points.map((p) => Math.log(p.valLoss));
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  const slope = sxy / sxx;
  return { a: Math.exp(my - slope * mx), alpha: -slope, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

/** A log-log plot of held-out loss against parameters, the points and the fitted line, as SVG. */
export function sweepSvg(points: readonly SweepPoint[], fit: { a: number; alpha: number }, title: string): string {
  const W = 640, H = 420, L = 70, R = 20, T = 40, B = 60;
  const lx = points.map((p) => Math.log10(p.parameters));
  const ly = points.map((p) => Math.log10(p.valLoss));
  const [x0, x1] = [Math.floor(Math.min(...lx) * 2) / 2, Math.ceil(Math.max(...lx) * 2) / 2];
  const pad = Math.max(0.02, (Math.max(...ly) - Math.min(...ly)) * 0.15);
  const [y0, y1] = [Math.min(...ly) - pad, Math.max(...ly) + pad];
  const px = (v: number): number => L + ((v - x0) / (x1 - x0)) * (W - L - R);
  const py = (v: number): number => H - B - ((v - y0) / (y1 - y0)) * (H - T - B);
  const f = (v: number): string => v.toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${title.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>`,
    `<text x="${(L + W - R) / 2}" y="${H - 15}" text-anchor="middle">parameters (log scale)</text>`,
    `<text x="18" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(T + H - B) / 2})">held-out loss (log scale)</text>`,
  ];
  for (let e = Math.ceil(x0); e <= x1; e++) {
    out.push(`<line x1="${f(px(e))}" y1="${H - B}" x2="${f(px(e))}" y2="${H - B + 5}" stroke="black"/><text x="${f(px(e))}" y="${H - B + 20}" text-anchor="middle">${(10 ** e).toLocaleString('en')}</text>`);
  }
  const step = (y1 - y0) / 5;
  for (let i = 0; i <= 5; i++) {
    const v = y0 + i * step;
    out.push(`<line x1="${L - 5}" y1="${f(py(v))}" x2="${L}" y2="${f(py(v))}" stroke="black"/><text x="${L - 8}" y="${f(py(v) + 4)}" text-anchor="end">${(10 ** v).toFixed(2)}</text>`);
  }
  const line = (v: number): number => Math.log10(fit.a) - fit.alpha * v;
  out.push(`<line x1="${f(px(x0))}" y1="${f(py(line(x0)))}" x2="${f(px(x1))}" y2="${f(py(line(x1)))}" stroke="#c33" stroke-dasharray="6 4"/>`);
  out.push(`<text x="${W - R - 4}" y="${T + 14}" text-anchor="end" fill="#c33">fit: loss = ${fit.a.toPrecision(3)} · N^−${fit.alpha.toFixed(3)}</text>`);
  points.forEach((p, i) => out.push(`<circle cx="${f(px(lx[i]))}" cy="${f(py(ly[i]))}" r="4" fill="#236"/><text x="${f(px(lx[i]) + 7)}" y="${f(py(ly[i]) - 7)}">${p.layers}×${p.width}</text>`));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/**
 * "More parameters, better predictions", measured: models of several sizes trained on the same text
 * with the same token budget (the same steps, batch, context, schedule and training windows), each
 * one's held-out loss on the same held-out windows, and the power law fitted through them.
 */
export async function runSweep(o: SweepOptions, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<object> {
  const sizes = o.sizes.split(',').map((s) => {
    const m = /^(\d+)x(\d+)$/.exec(s.trim());
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 2) throw new Error(`gpt sweep: --sizes ${JSON.stringify(s)} should be LAYERSxWIDTH, e.g. 2x64`);
    return { layers: Number(m[1]), width: Number(m[2]) };
  });
  if (sizes.length < 2) throw new Error('gpt sweep: --sizes needs at least two models to fit a line through');
  const fileLayer = o.recipe ? readRecipeFile<GptRecipeFile>(o.recipe) : undefined;
  const base = resolveGptRecipe(fileLayer ? [{ source: o.recipe!, values: fileLayer }] : []);
  // a shorter budget keeps the recipe's schedule in proportion (nanoGPT's: 100 warmup steps of 2,000)
  const warmupIters = o.maxIters ? Math.round((base.training.warmupIters * o.maxIters) / base.training.maxIters) : undefined;
  const recipe = resolveGptRecipe([
    ...(fileLayer ? [{ source: o.recipe!, values: fileLayer }] : []),
    { source: 'the command line', values: given({ training: { maxIters: o.maxIters, evalInterval: o.maxIters, warmupIters } }) },
  ]);
  const textPath = o.text ? resolve(o.text) : recipe.data.text;
  if (!textPath) throw new Error('gpt sweep: give --text FILE (or a recipe with data.text)');
  const text = readText(textPath, '--text');
  mkdirSync(o.out, { recursive: true });
  checkOutputFile(join(o.out, 'sweep.json'), '--out');
  const tokenizer = CharTokenizer.fromText(text);
  const { train, val } = splitIds(Int32Array.from(tokenizer.encode(text)), recipe.data.valFraction ?? 0.1);
  const training = { ...recipe.training, evalInterval: recipe.training.maxIters, evalIters: o.evalIters };
  const tokens = training.maxIters * training.batchSize * recipe.model.context;
  log(`sweep: ${sizes.length} models, each ${training.maxIters} steps × ${training.batchSize} × ${recipe.model.context} = ${tokens.toLocaleString('en')} training tokens of ${textPath}`);
  const points: SweepPoint[] = [];
  for (const { layers, width } of sizes) {
    const heads = [recipe.model.nHead, 4, 2, 1].find((h) => width % h === 0)!;
    const generator = new Generator(training.seed);
    const model = gptOfRecipe({ ...recipe.model, nLayer: layers, nEmbd: width, nHead: heads }, tokenizer.vocabSize, generator);
    const task = new GptTask(model, train, val, training, generator);
    const trainer = gptTrainer(task);
    await trainer.run();
    const valLoss = estimateLoss(model, val, { batchSize: training.batchSize, context: recipe.model.context, iters: o.evalIters, seed: training.seed + 1 });
    const p = { layers, width, heads, parameters: model.numParameters(), valLoss, trainSeconds: trainer.state.seconds };
    points.push(p);
    log(`  ${layers} layers × width ${width} (${heads} heads): ${p.parameters.toLocaleString('en')} parameters, held-out loss ${valLoss.toFixed(4)} (${p.trainSeconds.toFixed(0)} s)`);
  }
  const fit = fitPowerLaw(points);
  const spread = Math.max(...points.map((p) => p.parameters)) / Math.min(...points.map((p) => p.parameters));
  log(`power law: loss ≈ ${fit.a.toPrecision(4)} · N^−${fit.alpha.toFixed(4)} (R² ${fit.r2.toFixed(3)}), over ${spread.toFixed(0)}× in parameters`);
  const result = { text: textPath, tokens, steps: training.maxIters, batchSize: training.batchSize, context: recipe.model.context, evalIters: o.evalIters, points, fit, spread };
  writeFileSync(join(o.out, 'sweep.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(o.out, 'sweep.svg'), sweepSvg(points, fit, `held-out loss vs parameters, ${tokens.toLocaleString('en')} training tokens each`));
  const table = ['| layers × width | parameters | held-out loss | training time |', '|---|---:|---:|---:|',
    ...points.map((p) => `| ${p.layers} × ${p.width} | ${p.parameters.toLocaleString('en')} | ${p.valLoss.toFixed(4)} | ${p.trainSeconds.toFixed(0)} s |`)].join('\n');
  writeFileSync(join(o.out, 'sweep.md'), `${table}\n\nFit: loss ≈ ${fit.a.toPrecision(4)} · N^−${fit.alpha.toFixed(4)} (R² ${fit.r2.toFixed(3)})\n`);
  log(`wrote ${join(o.out, 'sweep.json')}, sweep.svg and sweep.md`);
  return result;
}

/**
 * `gpt ship`: a model folder for shipping — the weights of a run's best/ (or any GPT folder) in
 * float16, its config and tokenizer files; everything else (optimizer state, logs) stays behind.
 */
export async function runShipGpt(o: { model?: string; out: string; json?: boolean }, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<object> {
  if (!o.model) throw new Error('gpt ship: --model DIR is required (a training run: its best/, or a model folder)');
  const dir = resolveModelDirectory(o.model);
  if (!dir) throw new Error(`gpt ship: --model ${o.model}: ${existsSync(o.model) ? 'no config.json in it, nor in its best/ or last/' : 'no such directory'}`);
  if (resolve(dir) === resolve(o.out)) throw new Error(`gpt ship: --out ${o.out} is the model folder itself; write the shipped copy elsewhere`);
  const { model, config } = await loadGpt(dir).catch((e: Error) => { throw new Error(`gpt ship: ${e.message}`); });
  const tokenizer = loadAnyGptTokenizer(dir, config);
  await saveGpt(o.out, model, { dtype: 'F16', files: tokenizerFiles(tokenizer) });
  const bytes = ['config.json', 'model.safetensors', ...Object.keys(tokenizerFiles(tokenizer))].reduce((n, f) => n + statSync(join(o.out, f)).size, 0);
  log(`gpt ship: ${dir} → ${o.out}: ${model.numParameters().toLocaleString('en')} parameters in float16, ${(bytes / 1e6).toFixed(2)} MB with the tokenizer`);
  return { model: dir, out: o.out, parameters: model.numParameters(), bytes };
}

const chatNumber = (min: number, what: string) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min) throw new InvalidArgumentError(`expected ${what}, got '${v}'`);
  return n;
};

export function registerGpt(program: Command): void {
  const gpt = program.command('gpt').description('the GPT chapter\'s experiments');
  gpt
    .command('sweep')
    .description('"more parameters, better predictions": train GPTs of several sizes on the same text and token budget, fit held-out loss ≈ a·N^−α, write a table and an SVG plot')
    .option('--recipe <file.json>', 'the base recipe (default: nanoGPT\'s Tiny Shakespeare CPU recipe); its model section gives the context and heads')
    .option('--text <file>', 'the text (default: the recipe\'s)')
    .requiredOption('--out <dir>', 'where sweep.json, sweep.svg and sweep.md go')
    .option('--sizes <list>', 'models as LAYERSxWIDTH', '1x16,2x32,2x64,3x96,4x128')
    .option('--max-iters <n>', 'steps per model (the same token budget for all; default the recipe\'s)', positiveInteger)
    .option('--eval-iters <n>', 'held-out batches of the loss (the same windows for every model)', positiveInteger, 50)
    .option('--json', 'print the result as JSON')
    .action(async (o: SweepOptions) => {
      const r = await runSweep(o);
      if (o.json) printJson(r);
    });

  gpt
    .command('ship')
    .description('copy a trained GPT for shipping: float16 weights, config.json and the tokenizer (no optimizer state or logs)')
    .option('--model <dir>', 'a training run (its best/) or a model folder')
    .requiredOption('--out <dir>', 'the folder to write, e.g. models/gpt-multitask')
    .option('--json', 'print the result as JSON')
    .action(async (o: { model?: string; out: string; json?: boolean }) => {
      const r = await runShipGpt(o);
      if (o.json) printJson(r);
    });

  program
    .command('chat')
    .description('talk with a GPT, turn by turn ("User: …" / "Assistant: …"): one line per turn from a terminal or piped stdin; /reset, /temperature T')
    .option('--model <dir>', 'the model folder (a GPT-2 folder, or one llmcore trained; a training run: its best/)')
    .option('--max-tokens <n>', 'most tokens per reply', positiveInteger, 200)
    .option('--temperature <t>', 'below 1 sharper, above 1 more random; 0 is greedy', chatNumber(0, 'a number >= 0'), 0.8)
    .option('--top-k <k>', 'draw only from the k most likely tokens', positiveInteger)
    .option('--top-p <p>', 'draw only from the most likely tokens making up probability p, in (0, 1]', (v: string) => {
      const p = Number(v);
      if (!(p > 0 && p <= 1)) throw new InvalidArgumentError(`expected a number in (0, 1], got '${v}'`);
      return p;
    }, 1)
    .option('--repetition-penalty <r>', 'discourage tokens already in the text (1 is off)', chatNumber(Number.MIN_VALUE, 'a number > 0'), 1)
    .option('--seed <n>', 'seed of the draws: the same seed and turns give the same replies', integer, 0)
    .option('--user <name>', 'the user\'s role name in the transcript', 'User')
    .option('--assistant <name>', 'the model\'s role name in the transcript', 'Assistant')
    .option('--json', 'one JSON object per turn: {"user", "reply", "droppedTurns", …}')
    .addHelpText('after', '\nExamples:\n  llmcore chat --model runs/shakespeare\n  printf "hello\\n/temperature 0\\nwho are you?\\n" | llmcore chat --model runs/shakespeare --json')
    .action(async (o: ChatOptions) => { await runChat(o); });

  const train = commandGroup(program, 'train');
  train
    .command('gpt')
    .description('train a GPT: on a text, character by character, as nanoGPT does (the defaults: its Tiny Shakespeare CPU recipe), or, by recipe, pre-training on Tatoeba sentences with a byte-level BPE and multi-task chat fine-tuning from a model folder (model.init); a recipe file, then flags, override the defaults')
    .option('--recipe <file.json>', 'a recipe: {data, tokenizer, model, training} (e.g. recipes/gpt-shakespeare-char.json, recipes/gpt-pretrain.json, recipes/gpt-multitask.json)')
    .option('--text <file>', 'the training text (UTF-8); its last data.valFraction (default 10%) is held out')
    .requiredOption('--out <dir>', 'run folder: last/ (for --resume), best/ (lowest val loss), log.jsonl, recipe.json')
    .option('--resume', 'continue the run saved in OUT/last exactly where it stopped')
    .option('--force', 'start over in an OUT that holds a gpt run (deletes its checkpoints and log)')
    .option('--time-budget <duration>', 'stop after this much training time, e.g. 90s, 10m (evaluation excluded)', parseDuration)
    .option('--max-iters <n>', 'optimizer steps (default 2000)', positiveInteger)
    .option('--seed <n>', 'seed of initialisation and of the training windows (default 1337)', integer)
    .option('--layers <n>', 'Transformer blocks (default 4)', positiveInteger)
    .option('--heads <n>', 'attention heads (default 4)', positiveInteger)
    .option('--width <n>', 'model width n_embd (default 128)', positiveInteger)
    .option('--context <n>', 'positions read at once, and the training window (default 64)', positiveInteger)
    .option('--dropout <p>', 'dropout (default 0)', number)
    .option('--batch-size <n>', 'windows per step (default 12)', positiveInteger)
    .option('--lr <x>', 'peak learning rate (default 1e-3)', number)
    .option('--min-lr <x>', 'learning rate at the end of the cosine (default 1e-4)', number)
    .option('--warmup <n>', 'linear warmup steps (default 100)', integer)
    .option('--eval-interval <n>', 'steps between held-out evaluations (default 250)', positiveInteger)
    .option('--eval-iters <n>', 'random held-out batches per evaluation (default 20)', positiveInteger)
    .option('--json', 'print the run summary as JSON')
    .action(async (o: TrainGptOptions) => {
      try {
        const result = await runTrainGpt(o);
        if (o.json) printJson(result);
      } catch (e) {
        if (e instanceof RecipeError) throw new Error(`train gpt: ${e.message}`);
        throw e;
      }
    });

  const evalCmd = commandGroup(program, 'eval');
  evalCmd
    .command('gpt')
    .description('measure a GPT: held-out perplexity (every held-out token, and nanoGPT\'s random-batch estimate); for the multi-task model zh→en BLEU/chrF and en→zh chrF on a Tatoeba TSV, Iris accuracy on the held-out rows')
    .option('--model <dir>', 'the model folder, or a training run (its best/)')
    .option('--task <task>', `what to measure: ${GPT_EVAL_TASKS.join(', ')}`, 'perplexity')
    .option('--text <file>', 'perplexity: the text (default: the run\'s data); its last --val-fraction is read')
    .option('--recipe <file.json>', 'perplexity and iris: take the data (held-out part, Iris split) from this recipe instead of the run\'s')
    .option('--val-fraction <x>', 'perplexity: the held-out part (default: the run\'s, else 0.1)', number)
    .option('--eval-iters <n>', 'perplexity: random batches of the estimate (default: the run\'s, else 20)', positiveInteger)
    .option('--data <file.tsv>', 'zh-en, en-zh: Chinese<TAB>English pairs to translate (the dev split)')
    .option('--iris <file.csv>', 'iris: the Iris CSV (default: the run\'s data.iris)')
    .option('--iris-held-out <n>', 'iris: rows per species the training held out (default: the run\'s, else 10)', positiveInteger)
    .option('--seed <n>', 'iris: the seed of the held-out draw (default: the run\'s, else 1337)', integer)
    .option('--limit <n>', 'zh-en, en-zh, iris: only the first N pairs or flowers (for a quick look; shipped figures use all)', positiveInteger)
    .option('--output <file.json>', 'also write the result as JSON to this file')
    .option('--json', 'print one JSON object')
    .addHelpText('after', '\nExamples:\n  llmcore eval gpt --model runs/gpt-pretrain --task perplexity\n  llmcore eval gpt --model models/gpt-multitask --task zh-en --data ../shared/data/tatoeba-cmn-eng/dev.tsv --limit 100\n  llmcore eval gpt --model models/gpt-multitask --task iris --iris ../shared/data/iris/iris.csv --json')
    .action(async (o: EvalGptOptions) => { await runEvalGpt(o); });
}
