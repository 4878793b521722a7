/**
 * The vision chapter's commands:
 *   llmcore train vision   trains the ViT on Fashion-MNIST with the shared trainer (progress, a time
 *                          budget, best/ and last/, --resume, Ctrl-C saves); settings: defaults ←
 *                          --recipe ← flags, chosen on a validation split carved from train.
 *   llmcore eval vision    test accuracy of a model (--model DIR), or of a baseline (--arch knn | logistic)
 *   llmcore vision classify|ask|describe   a picture file or test images (cli/vision-ask.ts)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Generator } from '../src/util/random.js';
import { noGrad } from '../src/autograd/grad-mode.js';
import { checkResumeConflicts, RecipeError } from '../src/train/recipe.js';
import { prepareRunDirectory, resolveModelDirectory, restoreCheckpoint, writeRunFile } from '../src/train/run-dir.js';
import { KNeighborsClassifier } from '../src/classic/knn.js';
import { Linear } from '../src/nn/layers.js';
import { Adam } from '../src/optim/adam.js';
import { crossEntropy } from '../src/ops/nn.js';
import { Tensor } from '../src/tensor/tensor.js';
import { DEFAULT_VIT_CONFIG, VisionTransformer, type VitConfig } from '../src/models/vision/model.js';
import { evaluateImages, VisionTask, visionTrainer, type LabelledImages, type VisionMetrics } from '../src/models/vision/train.js';
import { resolveVisionRecipe, type VisionRecipe, type VisionRecipeFile } from '../src/models/vision/recipe.js';
import { FASHION_CLASSES, findFashionDir, loadImageSet, splitValidation, type ImageSet } from '../src/models/vision/data.js';
import { loadVision, loadVisionConfig, loadVisionWeights, saveVision, VISION_FORMAT, type VisionDirConfig } from '../src/models/vision/checkpoint.js';
import { runTraining } from './training.js';
import { runTrainVqa, runEvalVqa, type TrainVqaFlags } from './vision-vqa.js';
import { runAsk, runClassifyPicture, type AskOptions, type ClassifyPictureOptions } from './vision-ask.js';
import type { VqaRecipeFile } from '../src/models/vision/vqa-recipe.js';
import { visionArch } from '../src/models/vision/vqa-checkpoint.js';
import { given, readRecipeFile } from './recipe-file.js';
import { integer, number, parseDuration, positiveInteger, printJson, commandGroup } from './options.js';
import { packageRoot } from './translate.js';

const log = (line: string): void => { process.stderr.write(line + '\n'); };

/** The shipped model: models/fashion-vit/ in the package. */
export function defaultVisionModelDir(): string {
  return join(packageRoot(), 'models', 'fashion-vit');
}

function asLabelled(set: ImageSet): LabelledImages {
  return { count: set.count, size: set.rows, pixels: set.pixels, labels: set.labels };
}

function parseArch(value: string): string {
  return value;
}

export interface TrainVisionOptions extends TrainVqaFlags {
  data?: string;
  out: string;
  recipe?: string;
  resume?: boolean;
  force?: boolean;
  arch?: string;
  timeBudget?: number;
  epochs?: number;
  maxSteps?: number;
  seed?: number;
  patch?: number;
  dModel?: number;
  heads?: number;
  layers?: number;
  ff?: number;
  dropout?: number;
  pool?: string;
  labelSmoothing?: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  warmup?: number;
  hflip?: boolean;
  clip?: number;
  valSize?: number;
  json?: boolean;
}

function flagLayer(o: TrainVisionOptions): VisionRecipeFile {
  const layer: VisionRecipeFile = {
    model: {
      patchSize: o.patch, dModel: o.dModel, nhead: o.heads, numLayers: o.layers, dimFeedforward: o.ff, dropout: o.dropout,
      pool: o.pool as 'mean', labelSmoothing: o.labelSmoothing,
    },
    training: {
      seed: o.seed, batchSize: o.batchSize, lr: o.lr, weightDecay: o.weightDecay, warmupSteps: o.warmup,
      // commander sets hflip true unless --no-hflip is given: only that flag is a setting of the command line
      hflip: o.hflip === false ? false : undefined, clipNorm: o.clip,
      epochs: o.epochs, timeBudgetSeconds: o.timeBudget, maxSteps: o.maxSteps, valSize: o.valSize,
    },
  };
  return given(layer);
}

/** Reads a vision recipe file (its data folder relative to it). */
export function readVisionRecipeFile(path: string): VisionRecipeFile {
  return readRecipeFile<VisionRecipeFile>(path);
}

/** Settings a resumed run may change: how long it goes on. */
const RESUMABLE = new Set(['epochs', 'timeBudgetSeconds', 'maxSteps']);

function vitConfig(recipe: VisionRecipe, set: ImageSet): VitConfig {
  // the normalisation is the training images' own statistics, stored with the model
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < set.pixels.length; i++) { const v = set.pixels[i] / 255; sum += v; sq += v * v; }
  const mean = sum / set.pixels.length;
  const std = Math.sqrt(Math.max(sq / set.pixels.length - mean * mean, 1e-12));
  return { ...DEFAULT_VIT_CONFIG, ...recipe.model, imageSize: set.rows, numClasses: 10, pixelMean: Number(mean.toFixed(4)), pixelStd: Number(std.toFixed(4)) };
}

export async function runTrainVision(o: TrainVisionOptions): Promise<Record<string, unknown>> {
  const say = o.json ? () => {} : log;
  const rawFile = o.recipe ? readRecipeFile<{ arch?: unknown }>(o.recipe) : undefined;
  // a resumed run keeps its arch: its recipe.json says which
  let runArch: unknown;
  if (o.resume && !rawFile && existsSync(join(o.out, 'recipe.json'))) runArch = (JSON.parse(readFileSync(join(o.out, 'recipe.json'), 'utf8')) as { arch?: unknown }).arch;
  const arch = o.arch ?? (typeof rawFile?.arch === 'string' ? rawFile.arch : typeof runArch === 'string' ? runArch : 'vit');
  if (rawFile?.arch !== undefined && o.arch !== undefined && rawFile.arch !== o.arch) throw new Error(`train vision: --arch ${o.arch} contradicts ${o.recipe}'s "arch": ${JSON.stringify(rawFile.arch)}`);
  const only = (flags: [string, unknown][], kind: string): void => {
    const given = flags.filter(([, v]) => v !== undefined).map(([f]) => f);
    if (given.length) throw new Error(`train vision: ${given.join(', ')} ${given.length > 1 ? 'are' : 'is'} for --arch ${kind}; this run is --arch ${arch}`);
  };
  if (arch === 'vqa') only([['--pool', o.pool], ['--label-smoothing', o.labelSmoothing]], 'vit');
  else only([['--decoder-layers', o.decoderLayers], ['--questions', o.questions], ['--steps-per-epoch', o.stepsPerEpoch], ['--warm-start', o.warmStart]], 'vqa');
  if (arch === 'vqa') {
    // a resume without --recipe reads the run's own recipe (its data folder and warm start among it)
    const runRecipe = join(o.out, 'recipe.json');
    const base = rawFile ? { source: o.recipe!, values: rawFile as VqaRecipeFile } : runArch !== undefined ? { source: runRecipe, values: JSON.parse(readFileSync(runRecipe, 'utf8')) as VqaRecipeFile } : undefined;
    return runTrainVqa(o, base);
  }
  if (arch !== 'vit') throw new Error(`train vision: --arch ${arch} is not trainable here; the vision chapter trains --arch vit (the classifier) or vqa (image + question → answer); knn and logistic are baselines of \`llmcore eval vision --arch\``);
  if (rawFile) delete rawFile.arch;
  const fileLayer = rawFile as VisionRecipeFile | undefined;
  const layers = [...(fileLayer ? [{ source: o.recipe!, values: fileLayer }] : []), { source: 'the command line', values: flagLayer(o) }];
  let recipe = resolveVisionRecipe(layers);
  const dataDir = findFashionDir(o.data ?? recipe.data?.dir);
  const { resumeFrom, paths } = prepareRunDirectory(o.out, { chapter: 'vision', resume: o.resume, force: o.force });

  const all = loadImageSet(dataDir, 'train');
  let config: VisionDirConfig;
  if (resumeFrom) {
    config = await loadVisionConfig(resumeFrom);
    const saved: VisionRecipe = { ...recipe, model: { ...recipe.model, ...pickRecipeModel(config.model) }, training: { ...recipe.training, ...config.training } };
    for (const l of layers) checkResumeConflicts({ model: saved.model, training: saved.training }, l.values as VisionRecipeFile, l.source, { mayChange: RESUMABLE, changeable: 'epochs, time budget and step limit' });
    recipe = { ...saved, training: { ...saved.training, ...Object.fromEntries(Object.entries(recipe.training).filter(([k]) => RESUMABLE.has(k))) } };
    config = { ...config, training: recipe.training };
  } else {
    config = { format: VISION_FORMAT, version: 1, arch: 'vit', model: vitConfig(recipe, all), classes: classNames(10), training: recipe.training };
    await writeRunFile(paths, 'recipe.json', JSON.stringify({ ...recipe, data: { dir: resolve(dataDir) } }, null, 2) + '\n');
  }
  const t = recipe.training;
  if (t.valSize >= all.count) throw new Error(`train vision: training.valSize ${t.valSize} leaves no training images (the set has ${all.count})`);
  const { train, val } = splitValidation(all, t.valSize, t.seed);
  const generator = new Generator(t.seed);
  const model = new VisionTransformer(config.model, { generator });
  const task = new VisionTask(model, asLabelled(train), asLabelled(val), t, generator);
  const trainer = visionTrainer(task);
  if (resumeFrom) {
    const step = await loadVisionWeights(resumeFrom, model);
    await restoreCheckpoint(resumeFrom, { trainer, optimizer: task.optimizer, scheduler: task.scheduler }, step);
    say(`resumed ${resumeFrom} at step ${trainer.state.step} (epoch ${trainer.state.epoch + 1}, batch ${trainer.state.batchInEpoch})`);
  }
  const m = config.model;
  say(`ViT: ${model.numParameters().toLocaleString('en')} parameters, ${model.numPatches} patches of ${m.patchSize}×${m.patchSize}, d_model ${m.dModel}, ${m.numLayers} layers, ${m.pool} pooling; ${train.count.toLocaleString('en')} training and ${val.count.toLocaleString('en')} validation images from ${dataDir}`);
  const outcome = await runTraining<VisionMetrics>({
    trainer, paths, json: o.json, log, unit: 'img/s',
    writeModel: (dir, step) => saveVision(dir, { model, config: withResults(config, trainer.bestRecord), step }),
    describeEval: (r) => `validation loss ${r.valLoss.toFixed(3)}, accuracy ${(100 * r.valAccuracy).toFixed(2)}%`,
  });
  return { ...outcome, parameters: model.numParameters(), imagesPerSecond: outcome.perSecond, out: o.out };
}

function pickRecipeModel(m: VitConfig): VisionRecipe['model'] {
  return { patchSize: m.patchSize, dModel: m.dModel, nhead: m.nhead, numLayers: m.numLayers, dimFeedforward: m.dimFeedforward, dropout: m.dropout, pool: m.pool, labelSmoothing: m.labelSmoothing };
}

function classNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => FASHION_CLASSES[i] ?? `class ${i}`);
}

function withResults(config: VisionDirConfig, best: { valAccuracy: number; epoch: number } | null): VisionDirConfig {
  return best ? { ...config, results: { ...config.results, valAccuracy: Number(best.valAccuracy.toFixed(4)), bestEpoch: best.epoch } } : config;
}

/** The model directory `--model` names (a run folder means its best/), or the shipped one. */
async function openModel(dirOption: string | undefined): Promise<{ dir: string; loaded: Awaited<ReturnType<typeof loadVision>> }> {
  const given = dirOption ?? defaultVisionModelDir();
  const dir = resolveModelDirectory(given);
  if (!dir) throw new Error(`--model ${given}: no model here (no config.json, nor a run's best/ or last/); train one with \`llmcore train vision --out DIR\``);
  return { dir, loaded: await loadVision(dir) };
}

export interface EvalVisionOptions {
  model?: string;
  arch?: string;
  data?: string;
  limit?: number;
  k?: number;
  trainLimit?: number;
  seed?: number;
  scenes?: number;
  json?: boolean;
}

const BASELINES = ['vit', 'knn', 'logistic'] as const;

function firstN(set: ImageSet, n: number | undefined): ImageSet {
  if (n === undefined || n >= set.count) return set;
  const size = set.rows * set.cols;
  return { ...set, count: n, pixels: set.pixels.subarray(0, n * size), labels: set.labels.subarray(0, n) };
}

function toFloat64(set: ImageSet): Float64Array {
  const out = new Float64Array(set.pixels.length);
  for (let i = 0; i < out.length; i++) out[i] = set.pixels[i] / 255;
  return out;
}

/**
 * Logistic (softmax) regression on raw pixels, trained with the engine: one Linear layer, Adam,
 * mini-batches of 128 in float32. Chapter 2's LogisticRegression fits full-batch in float64, which
 * at 60,000 × 784 ran for over 20 minutes here without finishing; this is the same model (without its
 * L2 penalty), trained the way the ViT is.
 */
function softmaxRegression(train: ImageSet, test: ImageSet, epochs: number, seed: number): Int32Array {
  const d = train.rows * train.cols;
  const g = new Generator(seed);
  const fc = new Linear(d, 10, { generator: g });
  const opt = new Adam(fc.parameters(), { lr: 1e-3 });
  const rows = (set: ImageSet, idx: readonly number[]): Tensor => {
    const x = new Float32Array(idx.length * d);
    idx.forEach((k, i) => { for (let j = 0; j < d; j++) x[i * d + j] = set.pixels[k * d + j] / 255; });
    return new Tensor(x, [idx.length, d]);
  };
  for (let e = 0; e < epochs; e++) {
    const order = new Generator(seed * 100003 + e).permutation(train.count);
    for (let s = 0; s < order.length; s += 128) {
      const idx = order.slice(s, s + 128);
      opt.zeroGrad();
      crossEntropy(fc.forward(rows(train, idx)), idx.map((k) => train.labels[k])).backward();
      opt.step();
    }
  }
  const out = new Int32Array(test.count);
  noGrad(() => {
    for (let s = 0; s < test.count; s += 1000) {
      const idx = Array.from({ length: Math.min(1000, test.count - s) }, (_, i) => s + i);
      const pred = fc.forward(rows(test, idx)).argmax(1).contiguousData();
      idx.forEach((k, i) => { out[k] = Number(pred[i]); });
    }
  });
  return out;
}

export async function runEvalVision(o: EvalVisionOptions): Promise<Record<string, unknown>> {
  const say = o.json ? () => {} : log;
  const arch = o.arch ?? 'vit';
  if (!(BASELINES as readonly string[]).includes(arch)) throw new Error(`eval vision: --arch must be one of ${BASELINES.join(', ')}, got '${arch}'`);
  if (arch !== 'vit' && o.model) throw new Error(`eval vision: --model is a ViT model folder; --arch ${arch} is a baseline fitted on the training images now, drop --model`);
  if (arch === 'vit') {
    // a VQA folder is evaluated on scenes: its own metrics
    const given = o.model ?? defaultVisionModelDir();
    const modelDir = resolveModelDirectory(given);
    if (modelDir && await visionArch(modelDir) === 'vqa') return runEvalVqa({ modelDir, data: o.data, scenes: o.scenes, json: o.json });
  } else if (o.scenes !== undefined) throw new Error(`eval vision: --scenes is for a VQA model (--model DIR); --arch ${arch} is a classifier baseline`);
  const dir = findFashionDir(o.data);
  const test = firstN(loadImageSet(dir, 'test'), o.limit);
  const t0 = performance.now();
  let predictions: ArrayLike<number>;
  const extra: Record<string, unknown> = {};
  if (arch === 'vit') {
    const { dir: modelDir, loaded } = await openModel(o.model);
    if (loaded.config.model.imageSize !== test.rows) throw new Error(`eval vision: ${modelDir} takes ${loaded.config.model.imageSize}×${loaded.config.model.imageSize} images, ${dir} has ${test.rows}×${test.cols}`);
    predictions = evaluateImages(loaded.model, asLabelled(test)).predictions;
    Object.assign(extra, { model: modelDir, parameters: loaded.model.numParameters() });
  } else {
    const train = firstN(loadImageSet(dir, 'train'), o.trainLimit);
    const d = train.rows * train.cols;
    const labels = Int32Array.from(train.labels);
    if (arch === 'knn') {
      const k = o.k ?? 5;
      const knn = new KNeighborsClassifier({ k, precision: 'float32' }).fitFlat(toFloat64(train), train.count, d, labels, 10);
      predictions = knn.predictFlat(toFloat64(test));
      Object.assign(extra, { k, trainImages: train.count });
    } else {
      const epochs = 5;
      predictions = softmaxRegression(train, test, epochs, o.seed ?? 1);
      Object.assign(extra, { trainImages: train.count, epochs });
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  let correct = 0;
  const perClass = Array.from({ length: 10 }, () => ({ right: 0, total: 0 }));
  for (let i = 0; i < test.count; i++) {
    const ok = predictions[i] === test.labels[i];
    if (ok) correct++;
    const c = perClass[test.labels[i]];
    if (c) { c.total++; if (ok) c.right++; }
  }
  const accuracy = correct / test.count;
  say(`${arch}: test accuracy ${(100 * accuracy).toFixed(2)}% (${correct}/${test.count} images${o.limit ? `, the first ${test.count}` : ''}) in ${seconds.toFixed(1)} s`);
  perClass.forEach((c, i) => { if (c.total) say(`  ${FASHION_CLASSES[i].padEnd(12)} ${(100 * c.right / c.total).toFixed(1).padStart(5)}%`); });
  return { arch, accuracy, correct, images: test.count, seconds, ...extra };
}

export function registerVision(program: Command): void {
  const train = commandGroup(program, 'train');
  train
    .command('vision')
    .description('train the Vision Transformer on Fashion-MNIST (the image as a sentence of patches), choosing the best epoch on a validation split carved from train; defaults ← --recipe ← flags')
    .requiredOption('--out <dir>', 'run folder: last/ (for --resume), best/ (best validation accuracy), log.jsonl, recipe.json; must be new, empty, or a vision run with --resume/--force')
    .option('--data <dir>', 'Fashion-MNIST folder with the four IDX files (.gz or not) (default: the recipe\'s data.dir, $LLMCORE_FASHION_MNIST, /usr/share/datasets/fashion-mnist)')
    .option('--recipe <file.json>', 'a recipe: {model, training, data} (recipes/vision-vit.json reproduces the shipped model)')
    .option('--arch <kind>', 'the model kind: vit (the classifier, default) or vqa (image + question → answer; default: the recipe\'s "arch")', parseArch)
    .option('--resume', 'continue the run saved in OUT/last exactly where it stopped')
    .option('--force', 'start over in an OUT that holds a vision run (deletes its checkpoints and log)')
    .option('--time-budget <duration>', 'stop after this much training time, e.g. 30m (evaluation excluded)', parseDuration)
    .option('--epochs <n>', 'epochs (the learning rate decays to zero over them)', positiveInteger)
    .option('--max-steps <n>', 'most optimizer steps', positiveInteger)
    .option('--seed <n>', 'seed of initialisation, validation split, batching and flips', integer)
    .option('--patch <n>', 'patch side in pixels, dividing 28 (default 7: 16 patches)', positiveInteger)
    .option('--d-model <n>', 'model width', positiveInteger)
    .option('--heads <n>', 'attention heads', positiveInteger)
    .option('--layers <n>', 'encoder layers (vqa: of the image encoder)', positiveInteger)
    .option('--decoder-layers <n>', 'vqa: text decoder layers', positiveInteger)
    .option('--questions <n>', 'vqa: questions asked about each scene of a batch', positiveInteger)
    .option('--steps-per-epoch <n>', 'vqa: batches between validations (scenes are drawn afresh each batch)', positiveInteger)
    .option('--warm-start <dir>', 'vqa: a ViT model folder whose patch embedding and encoder layers start the image encoder (e.g. models/fashion-vit)')
    .option('--ff <n>', 'feed-forward width', positiveInteger)
    .option('--dropout <p>', 'dropout', number)
    .option('--pool <kind>', 'cls (a learned [CLS] token classifies) or mean (the mean of the patch outputs does)')
    .option('--label-smoothing <x>', 'label smoothing of the loss', number)
    .option('--batch-size <n>', 'images per step (vqa: scenes per step)', positiveInteger)
    .option('--lr <x>', 'peak learning rate (AdamW, warmup then cosine)', number)
    .option('--weight-decay <x>', 'AdamW weight decay', number)
    .option('--warmup <n>', 'warmup steps', integer)
    .option('--no-hflip', 'do not mirror training images left–right')
    .option('--clip <x>', 'gradient-norm clip, 0: off', number)
    .option('--val-size <n>', 'training images held out for validation', positiveInteger)
    .option('--json', 'print the run summary as JSON')
    .action(async (o: TrainVisionOptions) => {
      try {
        const r = await runTrainVision(o);
        if (o.json) printJson(r);
      } catch (e) {
        if (e instanceof RecipeError) throw new Error(`train vision: ${e.message}`);
        throw e;
      }
    });

  const evalCmd = commandGroup(program, 'eval');
  evalCmd
    .command('vision')
    .description('accuracy on the Fashion-MNIST test split: of a ViT model folder, or of a baseline fitted on the training images now (--arch knn | logistic); of a VQA model folder, exact-match accuracy of its answers about scenes built from the test split')
    .option('--model <dir>', 'ViT or VQA model folder, or a training run (its best/) (default: the shipped models/fashion-vit)')
    .option('--arch <kind>', 'vit (default), knn (5 nearest neighbours on raw pixels), logistic (softmax regression on raw pixels, 5 epochs of Adam)')
    .option('--data <dir>', 'Fashion-MNIST folder (default: $LLMCORE_FASHION_MNIST, then /usr/share/datasets/fashion-mnist)')
    .option('--limit <n>', 'only the first n test images', positiveInteger)
    .option('--train-limit <n>', 'baselines: fit on the first n training images only', positiveInteger)
    .option('--k <n>', 'knn: neighbours (default 5)', positiveInteger)
    .option('--scenes <n>', 'a VQA model: test scenes to ask about (default 1000: half 2×2 grids, half single images, seed 2026)', positiveInteger)
    .option('--json', 'print {"accuracy": …, …} on stdout (a VQA model: {"exact", "byKind", "perItem", "wholeDescription", …})')
    .action(async (o: EvalVisionOptions) => {
      const r = await runEvalVision(o);
      if (o.json) printJson(r);
    });

  const vision = program.command('vision').description('use the vision chapter\'s models on a picture: a PNG or JPEG file of yours, or test images by index');
  const pictureOptions = (c: Command): Command => c
    .option('--index <n>', 'a test image instead of a file (ask/describe: four, a,b,c,d, make a 2×2 scene)')
    .option('--data <dir>', 'Fashion-MNIST folder for --index (default: $LLMCORE_FASHION_MNIST, then /usr/share/datasets/fashion-mnist)')
    .option('--show', 'print the input as the model sees it (after preprocessing a file: grayscale, inverted if the background is light, cropped, padded square, resized)')
    .option('--json', 'print the result as JSON');
  pictureOptions(vision
    .command('classify [file]')
    .description('classify one picture (PNG or JPEG) or test image with the ViT: its top classes with probabilities; a low top probability is said ("not sure")')
    .option('--model <dir>', 'ViT model folder, or a training run (its best/) (default: the shipped models/fashion-vit)')
    .option('--top <n>', 'classes listed (default 3)', positiveInteger))
    .action(async (file: string | undefined, o: ClassifyPictureOptions) => {
      const r = await runClassifyPicture(file, o);
      if (o.json) printJson(r);
    });
  const askOptions = (c: Command): Command => pictureOptions(c
    .option('--model <dir>', 'VQA model folder, or a training run (its best/) (default: the shipped models/fashion-vqa)')
    .option('--grid', 'the file is a 2×2 scene: each quarter is prepared as one item')
    .option('--attention <out.svg>', 'draw, for each word of the answer, the decoder\'s attention over the picture (and with --patch the encoder\'s)')
    .option('--patch <n>', 'also show the encoder\'s self-attention from this patch (0–63, reading order over the 8×8 patches)', integer));
  askOptions(vision
    .command('ask [file]')
    .description('ask the image-and-question model about a picture, in English or Chinese; it answers in the language of the question, and prints where each answer word looked')
    .option('-q, --question <text>', 'e.g. "What is this?", "What is in the top left?", "Is there a bag?", "Describe the picture.", 这是什么?, 左上角是什么?, 有包吗?, 描述这张图片。'))
    .action(async (file: string | undefined, o: AskOptions) => {
      const r = await runAsk(file, o, 'ask');
      if (o.json) printJson(r);
    });
  askOptions(vision
    .command('describe [file]')
    .description('ask the image-and-question model to describe a picture (the items in reading order)')
    .option('--lang <en|zh>', 'the language of the description (default en)'))
    .action(async (file: string | undefined, o: AskOptions) => {
      const r = await runAsk(file, o, 'describe');
      if (o.json) printJson(r);
    });
}
