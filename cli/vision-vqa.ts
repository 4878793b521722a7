/**
 * The image-and-question half of the vision chapter's commands:
 *   llmcore train vision --arch vqa (or a recipe with "arch": "vqa")   trains the VQA model on scenes built
 *                        from Fashion-MNIST's training images, warm-starting its image encoder from a ViT
 *   llmcore eval vision --model DIR (a VQA folder)   exact-match accuracy on scenes from the test split
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Generator } from '../src/util/random.js';
import { loadSafetensors } from '../src/io/file.js';
import { checkResumeConflicts } from '../src/train/recipe.js';
import { prepareRunDirectory, restoreCheckpoint, writeRunFile } from '../src/train/run-dir.js';
import { FASHION_CLASSES, findFashionDir, loadImageSet, splitValidation, type ImageSet } from '../src/models/vision/data.js';
import { loadVisionConfig, VISION_FORMAT } from '../src/models/vision/checkpoint.js';
import type { LabelledImages } from '../src/models/vision/train.js';
import { DEFAULT_VQA_CONFIG, VqaModel, warmStartFromVit, type VqaConfig } from '../src/models/vision/vqa.js';
import { buildScenes, evaluateScenes, summarize, VqaTask, vqaTrainer, type SceneMetrics, type VqaMetrics } from '../src/models/vision/vqa-train.js';
import { resolveVqaRecipe, type VqaRecipe, type VqaRecipeFile } from '../src/models/vision/vqa-recipe.js';
import { loadVqa, loadVqaConfig, loadVqaWeights, saveVqa, type VqaDirConfig } from '../src/models/vision/vqa-checkpoint.js';
import { drawScenes, LANGS, QUESTION_KINDS } from '../src/models/vision/scenes.js';
import { runTraining } from './training.js';
import { given } from './recipe-file.js';

const log = (line: string): void => { process.stderr.write(line + '\n'); };

function asLabelled(set: ImageSet): LabelledImages {
  return { count: set.count, size: set.rows, pixels: set.pixels, labels: set.labels };
}

/** The flags `train vision` shares with the ViT, as the VQA recipe reads them. */
export interface TrainVqaFlags {
  data?: string;
  out: string;
  resume?: boolean;
  force?: boolean;
  timeBudget?: number;
  epochs?: number;
  maxSteps?: number;
  seed?: number;
  patch?: number;
  dModel?: number;
  heads?: number;
  layers?: number;
  decoderLayers?: number;
  ff?: number;
  dropout?: number;
  batchSize?: number;
  questions?: number;
  stepsPerEpoch?: number;
  lr?: number;
  weightDecay?: number;
  warmup?: number;
  hflip?: boolean;
  clip?: number;
  valSize?: number;
  warmStart?: string;
  json?: boolean;
}

function flagLayer(o: TrainVqaFlags): VqaRecipeFile {
  return given({
    data: { warmStart: o.warmStart === undefined ? undefined : resolve(o.warmStart) },
    model: { patchSize: o.patch, dModel: o.dModel, nhead: o.heads, encoderLayers: o.layers, decoderLayers: o.decoderLayers, dimFeedforward: o.ff, dropout: o.dropout },
    training: {
      seed: o.seed, scenes: o.batchSize, questionsPerScene: o.questions, stepsPerEpoch: o.stepsPerEpoch, lr: o.lr, weightDecay: o.weightDecay, warmupSteps: o.warmup,
      hflip: o.hflip === false ? false : undefined, clipNorm: o.clip, epochs: o.epochs, timeBudgetSeconds: o.timeBudget, maxSteps: o.maxSteps, valSize: o.valSize,
    },
  });
}

const RESUMABLE = new Set(['epochs', 'timeBudgetSeconds', 'maxSteps']);

function pixelStats(set: ImageSet): { mean: number; std: number } {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < set.pixels.length; i++) { const v = set.pixels[i] / 255; sum += v; sq += v * v; }
  const mean = sum / set.pixels.length;
  return { mean: Number(mean.toFixed(4)), std: Number(Math.sqrt(Math.max(sq / set.pixels.length - mean * mean, 1e-12)).toFixed(4)) };
}

/** `llmcore train vision --arch vqa`: `fileLayer` is the recipe file's values (if any). */
export async function runTrainVqa(o: TrainVqaFlags, fileLayer?: { source: string; values: VqaRecipeFile }): Promise<Record<string, unknown>> {
  const say = o.json ? () => {} : log;
  const layers = [...(fileLayer ? [fileLayer] : []), { source: 'the command line', values: flagLayer(o) }];
  let recipe: VqaRecipe = resolveVqaRecipe(layers);
  const dataDir = findFashionDir(o.data ?? recipe.data?.dir);
  const { resumeFrom, paths } = prepareRunDirectory(o.out, { chapter: 'vision', resume: o.resume, force: o.force });
  const all = loadImageSet(dataDir, 'train');
  if (all.rows !== 28) throw new Error(`train vision: the VQA scenes are 2×2 grids of 28×28 images; ${dataDir} holds ${all.rows}×${all.cols}`);
  let config: VqaDirConfig;
  if (resumeFrom) {
    config = await loadVqaConfig(resumeFrom);
    const m = config.model;
    const saved: VqaRecipe = { ...recipe, model: { patchSize: m.patchSize, dModel: m.dModel, nhead: m.nhead, encoderLayers: m.encoderLayers, decoderLayers: m.decoderLayers, dimFeedforward: m.dimFeedforward, dropout: m.dropout }, training: { ...recipe.training, ...config.training } };
    for (const l of layers) checkResumeConflicts({ model: saved.model, training: saved.training }, l.values as VqaRecipeFile, l.source, { mayChange: RESUMABLE, changeable: 'epochs, time budget and step limit' });
    recipe = { ...saved, training: { ...saved.training, ...Object.fromEntries(Object.entries(recipe.training).filter(([k]) => RESUMABLE.has(k))) } };
    config = { ...config, training: recipe.training };
  } else {
    const { mean, std } = pixelStats(all);
    const model: VqaConfig = { ...DEFAULT_VQA_CONFIG, ...recipe.model, imageSize: 56, pixelMean: mean, pixelStd: std };
    config = { format: VISION_FORMAT, version: 1, arch: 'vqa', model, classes: [...FASHION_CLASSES], training: recipe.training, ...(recipe.data?.warmStart ? { warmStart: recipe.data.warmStart } : {}) };
    await writeRunFile(paths, 'recipe.json', JSON.stringify({ ...recipe, data: { ...recipe.data, dir: resolve(dataDir) } }, null, 2) + '\n');
  }
  const t = recipe.training;
  if (t.valSize >= all.count) throw new Error(`train vision: training.valSize ${t.valSize} leaves no training images (the set has ${all.count})`);
  const { train, val } = splitValidation(all, t.valSize, t.seed);
  const generator = new Generator(t.seed);
  const model = new VqaModel(config.model, { generator });
  if (!resumeFrom && config.warmStart) {
    const ws = config.warmStart;
    if (!existsSync(join(ws, 'model.safetensors'))) throw new Error(`train vision: data.warmStart ${ws}: no model.safetensors there (give a ViT model folder, e.g. models/fashion-vit)`);
    const { tensors } = await loadSafetensors(join(ws, 'model.safetensors'));
    // the ViT normalised its pixels with its own statistics: keep them, so its weights see what they learnt on
    const vc = (await loadVisionConfig(ws)).model;
    config.model = { ...config.model, pixelMean: vc.pixelMean, pixelStd: vc.pixelStd };
    (model.config as VqaConfig).pixelMean = vc.pixelMean;
    (model.config as VqaConfig).pixelStd = vc.pixelStd;
    const copied = warmStartFromVit(model, tensors, vc.imageSize, generator);
    say(`warm start: ${copied.length} tensors of the image encoder from ${ws}`);
  }
  const task = new VqaTask(model, asLabelled(train), asLabelled(val), t, generator);
  const trainer = vqaTrainer(task);
  if (resumeFrom) {
    const step = await loadVqaWeights(resumeFrom, model);
    await restoreCheckpoint(resumeFrom, { trainer, optimizer: task.optimizer, scheduler: task.scheduler }, step);
    say(`resumed ${resumeFrom} at step ${trainer.state.step} (epoch ${trainer.state.epoch + 1}, batch ${trainer.state.batchInEpoch})`);
  }
  const m = config.model;
  say(`VQA: ${model.numParameters().toLocaleString('en')} parameters; image encoder ${model.numPatches} patches of ${m.patchSize}×${m.patchSize}, d_model ${m.dModel}, ${m.encoderLayers} layers; text decoder ${m.decoderLayers} layers, ${m.vocab.length} words; batches of ${t.scenes} scenes × ${t.questionsPerScene} questions from ${train.count.toLocaleString('en')} training images (${val.count.toLocaleString('en')} held out: ${t.valScenes} validation scenes)`);
  const outcome = await runTraining<VqaMetrics>({
    trainer, paths, json: o.json, log, unit: 'words/s',
    writeModel: (dir, step) => saveVqa(dir, { model, config: withResults(config, trainer.bestRecord), step }),
    describeEval: (r) => `validation exact match ${(100 * r.valExact).toFixed(1)}%, per item ${(100 * r.valPerItem).toFixed(1)}%, whole descriptions ${(100 * r.valDescribe).toFixed(1)}%`,
  });
  return { ...outcome, arch: 'vqa', parameters: model.numParameters(), out: o.out };
}

function withResults(config: VqaDirConfig, best: (VqaMetrics & { epoch: number }) | null): VqaDirConfig {
  return best ? { ...config, results: { ...config.results, valExact: Number(best.valExact.toFixed(4)), valPerItem: Number(best.valPerItem.toFixed(4)), valDescribe: Number(best.valDescribe.toFixed(4)), bestEpoch: best.epoch } } : config;
}

/** The evaluation scenes: built only from the test split, with a fixed seed. */
export const EVAL_SCENE_SEED = 2026;

/** `llmcore eval vision --model DIR` for a VQA folder: exact-match accuracy on `scenes` test scenes. */
export async function runEvalVqa(o: { modelDir: string; data?: string; scenes?: number; json?: boolean }): Promise<Record<string, unknown>> {
  const say = o.json ? () => {} : log;
  const { model } = await loadVqa(o.modelDir);
  const test = loadImageSet(findFashionDir(o.data), 'test');
  const count = o.scenes ?? 1000;
  const scenes = buildScenes(asLabelled(test), drawScenes(test.count, count, EVAL_SCENE_SEED));
  const t0 = performance.now();
  const results = evaluateScenes(model, scenes, EVAL_SCENE_SEED + 1);
  const seconds = (performance.now() - t0) / 1000;
  const m: SceneMetrics = summarize(results);
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  say(`${count} test scenes (${scenes.filter((s) => s.layout === 'grid').length} grids of four, the rest single images; seed ${EVAL_SCENE_SEED}), ${m.questions} questions, in ${seconds.toFixed(1)} s`);
  say(`  ${'question'.padEnd(10)} ${'English'.padStart(9)} ${'Chinese'.padStart(9)}`);
  for (const kind of QUESTION_KINDS) {
    const cells = LANGS.map((l) => m.byKind[`${kind}.${l}`]);
    if (cells.every((c) => !c)) continue;
    say(`  ${kind.padEnd(10)} ${cells.map((c) => (c ? pct(c.accuracy) : '-').padStart(9)).join(' ')}`);
  }
  say(`  exact match ${pct(m.exact)}; per item (position questions) ${pct(m.perItem)}; whole descriptions of 4-item scenes ${pct(m.wholeDescription)}`);
  const wrong = results.filter((r) => !r.correct).slice(0, 3);
  for (const w of wrong) say(`  e.g. scene ${w.scene}: ${w.question} → ${w.predicted} (expected ${w.answer})`);
  return { arch: 'vqa', model: o.modelDir, scenes: count, seed: EVAL_SCENE_SEED, seconds, ...m };
}
