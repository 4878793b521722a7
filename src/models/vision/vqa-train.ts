/**
 * The image-and-question model's training task for the shared {@link Trainer}, and its evaluation.
 * Each batch draws scenes from the training images (a seeded function of epoch and batch, so a resumed
 * run sees the same ones; each tile mirrored left–right half the time), asks a few random questions
 * about each (one encoding of a scene serves all its questions), and trains on the answers' words.
 * An "epoch" is a fixed number of batches; after each, exact-match accuracy on fixed validation scenes
 * built from a split carved out of train. The test split is never seen here. Browser-safe.
 */
import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { Generator } from '../../util/random.js';
import { AdamW } from '../../optim/adam.js';
import { cosine, LRScheduler } from '../../optim/schedules.js';
import { Trainer, type BatchLoss, type TrainingTask } from '../../train/trainer.js';
import { imagesToTensor } from './model.js';
import type { LabelledImages } from './train.js';
import { allQA, composeScene, drawScenes, encodeText, randomQA, decodeText, LANGS, QUESTION_KINDS, SCENE_SIZE, type QA, type Scene } from './scenes.js';
import { encodeQA, type VqaModel } from './vqa.js';

export interface VqaTrainingConfig {
  seed: number;
  /** Scenes per batch. */
  scenes: number;
  /** Questions asked about each scene of a batch. */
  questionsPerScene: number;
  /** Share of grid scenes (the rest are single images). */
  gridFraction: number;
  lr: number;
  weightDecay: number;
  warmupSteps: number;
  hflip: boolean;
  clipNorm: number;
  epochs: number;
  /** Batches per epoch (scenes are drawn afresh, so an epoch is a unit of evaluation, not a pass). */
  stepsPerEpoch: number;
  timeBudgetSeconds: number;
  maxSteps: number;
  /** Training images held out for the validation scenes. */
  valSize: number;
  /** Validation scenes (half grids, half single images). */
  valScenes: number;
}

export type VqaMetrics = { valExact: number; valPerItem: number; valDescribe: number };

/** Scenes of `set` by image indices (four make a grid, one is single). */
export function buildScenes(set: LabelledImages, draws: readonly number[][]): Scene[] {
  return draws.map((idx) => composeScene(set.pixels, set.labels, idx));
}

/** One question's outcome. */
export interface QAResult extends QA {
  scene: number;
  layout: Scene['layout'];
  predicted: string;
  correct: boolean;
}

/** Exact-match accuracy per question kind and language, per item (position questions) and of whole 4-item descriptions. */
export interface SceneMetrics {
  questions: number;
  exact: number;
  /** `${kind}.${lang}` → { accuracy, count } */
  byKind: Record<string, { accuracy: number; count: number }>;
  /** Position questions: one item named right. */
  perItem: number;
  /** Descriptions of grids: all four items, in order, in one right sentence. */
  wholeDescription: number;
}

export function summarize(results: readonly QAResult[]): SceneMetrics {
  const rate = (rs: readonly QAResult[]): number => (rs.length ? rs.filter((r) => r.correct).length / rs.length : 0);
  const byKind: SceneMetrics['byKind'] = {};
  for (const kind of QUESTION_KINDS) for (const lang of LANGS) {
    const rs = results.filter((r) => r.kind === kind && r.lang === lang);
    if (rs.length) byKind[`${kind}.${lang}`] = { accuracy: rate(rs), count: rs.length };
  }
  return {
    questions: results.length,
    exact: rate(results),
    byKind,
    perItem: rate(results.filter((r) => r.kind === 'position')),
    wholeDescription: rate(results.filter((r) => r.kind === 'describe' && r.layout === 'grid')),
  };
}

/** Asks every evaluation question (allQA) about each scene, greedily, in chunks of scenes; `seed` picks the exists questions' classes. */
export function evaluateScenes(model: VqaModel, scenes: readonly Scene[], seed: number, chunk = 40): QAResult[] {
  model.eval();
  const g = new Generator(seed);
  const out: QAResult[] = [];
  const { pixelMean, pixelStd } = model.config;
  noGrad(() => {
    for (let s0 = 0; s0 < scenes.length; s0 += chunk) {
      const group = scenes.slice(s0, s0 + chunk);
      const pixels = new Uint8Array(group.length * SCENE_SIZE * SCENE_SIZE);
      group.forEach((s, i) => pixels.set(s.pixels, i * SCENE_SIZE * SCENE_SIZE));
      const memory = model.encode(imagesToTensor(pixels, group.map((_, i) => i), SCENE_SIZE, pixelMean, pixelStd));
      const qas: { qa: QA; scene: number }[] = [];
      group.forEach((s, i) => { for (const qa of allQA(s, g)) qas.push({ qa, scene: i }); });
      const answers = model.greedy(memory, qas.map(({ qa }) => encodeQA(model.config, encodeText(qa.question)).input), qas.map((q) => q.scene));
      qas.forEach(({ qa, scene }, i) => {
        const predicted = decodeText(answers[i]);
        out.push({ ...qa, scene: s0 + scene, layout: group[scene].layout, predicted, correct: predicted === qa.answer });
      });
    }
  });
  return out;
}

/**
 * @example
 * const task = new VqaTask(model, train, val, config);
 * await vqaTrainer(task).run({ onEval: (r) => console.log(r.valExact) });
 */
export class VqaTask implements TrainingTask<VqaMetrics> {
  readonly optimizer: AdamW;
  readonly scheduler: LRScheduler;
  readonly selection = { metric: 'valExact', higherIsBetter: true } as const;
  readonly valScenes: Scene[];

  constructor(
    readonly model: VqaModel,
    readonly train: LabelledImages,
    readonly val: LabelledImages,
    readonly config: VqaTrainingConfig,
    readonly generator: Generator = new Generator(config.seed),
  ) {
    if (train.count === 0) throw new Error('train vision: no training images');
    if (val.count === 0) throw new Error('train vision: no validation images');
    if (train.size * 2 !== model.config.imageSize) throw new Error(`train vision: the images are ${train.size}×${train.size}; the VQA model's scenes are ${model.config.imageSize}×${model.config.imageSize} (2×2 tiles)`);
    const decay = model.namedParameters().filter(([n, p]) => p.ndim >= 2 && !n.includes('pos') && !n.includes('tok_emb')).map(([, p]) => p);
    const rest = model.namedParameters().filter(([, p]) => !decay.includes(p)).map(([, p]) => p);
    this.optimizer = new AdamW([{ params: decay }, { params: rest, weightDecay: 0 }], { lr: config.lr, weightDecay: config.weightDecay, betas: [0.9, 0.999] });
    const total = Math.max(config.stepsPerEpoch * config.epochs, config.warmupSteps + 1);
    this.scheduler = new LRScheduler(this.optimizer, cosine(config.maxSteps > 0 ? Math.max(Math.min(total, config.maxSteps), config.warmupSteps + 1) : total, 0, config.warmupSteps));
    this.valScenes = buildScenes(val, drawScenes(val.count, config.valScenes, config.seed + 7));
  }

  batchCount(_epoch = 0): number {
    return this.config.stepsPerEpoch;
  }

  /** The scenes and questions of one batch: a function of the seed, the epoch and the batch alone. */
  batch(epoch: number, index: number): { scenes: Scene[]; qas: { qa: QA; scene: number }[] } {
    const c = this.config;
    const g = new Generator((c.seed * 1000003 + epoch * 100003 + index) >>> 0);
    const scenes: Scene[] = [];
    for (let s = 0; s < c.scenes; s++) {
      const n = g.uniform() < c.gridFraction ? 4 : 1;
      const idx = Array.from({ length: n }, () => Math.floor(g.uniform() * this.train.count));
      const flips = idx.map(() => c.hflip && g.uniform() < 0.5);
      scenes.push(composeScene(this.train.pixels, this.train.labels, idx, flips));
    }
    const qas: { qa: QA; scene: number }[] = [];
    scenes.forEach((s, i) => { for (let q = 0; q < c.questionsPerScene; q++) qas.push({ qa: randomQA(s, g), scene: i }); });
    return { scenes, qas };
  }

  forwardBackward(epoch: number, index: number): BatchLoss {
    this.model.train();
    const { scenes, qas } = this.batch(epoch, index);
    const { pixelMean, pixelStd } = this.model.config;
    const pixels = new Uint8Array(scenes.length * SCENE_SIZE * SCENE_SIZE);
    scenes.forEach((s, i) => pixels.set(s.pixels, i * SCENE_SIZE * SCENE_SIZE));
    const memory = this.model.encode(imagesToTensor(pixels, scenes.map((_, i) => i), SCENE_SIZE, pixelMean, pixelStd));
    const rows = qas.map(({ qa }) => encodeQA(this.model.config, encodeText(qa.question), encodeText(qa.answer)));
    // the batch is as long as its longest answer
    const T = Math.max(...rows.map((r) => r.input.length));
    const pad = (a: number[]): number[] => [...a, ...Array(T - a.length).fill(0)];
    const input = new Tensor(Int32Array.from(rows.flatMap((r) => pad(r.input))), [rows.length, T]);
    const target = new Tensor(Int32Array.from(rows.flatMap((r) => pad(r.target))), [rows.length, T]);
    const loss = this.model.loss(this.model.decode(memory, input, qas.map((q) => q.scene)), target);
    loss.backward();
    const words = rows.reduce((n, r) => n + r.target.filter((t) => t !== 0).length, 0);
    return { loss, tokens: words };
  }

  saveState(): { rng: number[] } {
    return { rng: this.generator.getState() };
  }

  loadState(state: unknown): void {
    const rng = (state as { rng?: number[] } | null)?.rng;
    if (!Array.isArray(rng)) throw new Error('resume: the saved VQA state has no dropout generator state');
    this.generator.setState(rng);
  }

  evaluate(): VqaMetrics {
    const m = summarize(evaluateScenes(this.model, this.valScenes, this.config.seed + 11));
    return { valExact: m.exact, valPerItem: m.perItem, valDescribe: m.wholeDescription };
  }
}

export function vqaTrainer(task: VqaTask): Trainer<VqaMetrics> {
  const c = task.config;
  return new Trainer(task, { epochs: c.epochs, timeBudgetSeconds: c.timeBudgetSeconds, maxSteps: c.maxSteps, clipNorm: c.clipNorm });
}
