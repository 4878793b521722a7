/**
 * The ViT's training task for the shared {@link Trainer}: shuffled mini-batches of images (optionally
 * mirrored left–right, a label-preserving change for clothes), cross-entropy, AdamW with a linear warmup
 * and a cosine decay over the planned steps, and after each epoch the accuracy on a validation split
 * carved from the training set (the best checkpoint is the most accurate one). The test set is never
 * seen here. Browser-safe: data comes in as bytes.
 */
import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { Generator } from '../../util/random.js';
import { AdamW } from '../../optim/adam.js';
import { cosine, LRScheduler } from '../../optim/schedules.js';
import { Trainer, type BatchLoss, type TrainingTask } from '../../train/trainer.js';
import { imagesToTensor, type VisionTransformer } from './model.js';

export interface VisionTrainingConfig {
  seed: number;
  batchSize: number;
  /** Peak learning rate (AdamW). */
  lr: number;
  weightDecay: number;
  warmupSteps: number;
  /** Mirror each training image left–right with probability ½. */
  hflip: boolean;
  clipNorm: number;
  epochs: number;
  timeBudgetSeconds: number;
  maxSteps: number;
  /** Training images held out for validation. */
  valSize: number;
}

/** Labelled images as bytes: what the task trains and evaluates on. */
export interface LabelledImages {
  count: number;
  /** Images are size × size. */
  size: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

export type VisionMetrics = { valLoss: number; valAccuracy: number };

/** Accuracy and mean loss of `model` on `set`, in eval mode, without a graph, in batches. */
export function evaluateImages(model: VisionTransformer, set: LabelledImages, batchSize = 500): { loss: number; accuracy: number; predictions: Int32Array } {
  model.eval();
  const { pixelMean, pixelStd } = model.config;
  let lossSum = 0;
  let correct = 0;
  const predictions = new Int32Array(set.count);
  noGrad(() => {
    for (let start = 0; start < set.count; start += batchSize) {
      const idx = Array.from({ length: Math.min(batchSize, set.count - start) }, (_, i) => start + i);
      const labels = idx.map((i) => set.labels[i]);
      const logits = model.forward(imagesToTensor(set.pixels, idx, set.size, pixelMean, pixelStd));
      lossSum += model.loss(logits, labels).item() * idx.length;
      const pred = logits.argmax(1).contiguousData();
      for (let i = 0; i < idx.length; i++) {
        predictions[start + i] = Number(pred[i]);
        if (Number(pred[i]) === labels[i]) correct++;
      }
    }
  });
  return { loss: lossSum / Math.max(set.count, 1), accuracy: correct / Math.max(set.count, 1), predictions };
}

/**
 * @example
 * const task = new VisionTask(vit, train, val, config);
 * await visionTrainer(task).run({ onEval: (r) => console.log(r.valAccuracy) });
 */
export class VisionTask implements TrainingTask<VisionMetrics> {
  readonly optimizer: AdamW;
  readonly scheduler: LRScheduler;
  readonly selection = { metric: 'valAccuracy', higherIsBetter: true } as const;
  private cached: { epoch: number; order: number[]; flips: boolean[] } | null = null;

  constructor(
    readonly model: VisionTransformer,
    readonly train: LabelledImages,
    readonly val: LabelledImages,
    readonly config: VisionTrainingConfig,
    /** The generator the model's dropout draws from (its state is saved with the run). */
    readonly generator: Generator = new Generator(config.seed),
  ) {
    if (train.count === 0) throw new Error('train vision: no training images');
    if (val.count === 0) throw new Error('train vision: no validation images');
    if (train.size !== model.config.imageSize) throw new Error(`train vision: the images are ${train.size}×${train.size} but the model takes ${model.config.imageSize}×${model.config.imageSize}`);
    // no weight decay on biases, LayerNorm gains, positions and the [CLS] token (as ViT and timm)
    const decay = model.namedParameters().filter(([n, p]) => p.ndim >= 2 && !n.includes('pos_embed') && !n.includes('cls_token')).map(([, p]) => p);
    const rest = model.namedParameters().filter(([, p]) => !decay.includes(p)).map(([, p]) => p);
    this.optimizer = new AdamW([{ params: decay }, { params: rest, weightDecay: 0 }], { lr: config.lr, weightDecay: config.weightDecay, betas: [0.9, 0.999] });
    const total = Math.max(this.batchCount(0) * config.epochs, config.warmupSteps + 1);
    this.scheduler = new LRScheduler(this.optimizer, cosine(config.maxSteps > 0 ? Math.max(Math.min(total, config.maxSteps), config.warmupSteps + 1) : total, 0, config.warmupSteps));
  }

  /** The order and mirrorings of an epoch: a function of the seed and the epoch alone, so a resumed run sees the same ones. */
  private epochPlan(epoch: number): { order: number[]; flips: boolean[] } {
    if (this.cached?.epoch !== epoch) {
      const g = new Generator(this.config.seed * 100003 + epoch);
      const order = g.permutation(this.train.count);
      const flips = order.map(() => this.config.hflip && g.uniform() < 0.5);
      this.cached = { epoch, order, flips };
    }
    return this.cached;
  }

  batchCount(_epoch = 0): number {
    return Math.ceil(this.train.count / this.config.batchSize);
  }

  forwardBackward(epoch: number, index: number): BatchLoss {
    const { order, flips } = this.epochPlan(epoch);
    const from = index * this.config.batchSize;
    const to = Math.min(from + this.config.batchSize, order.length);
    const idx = order.slice(from, to);
    const { pixelMean, pixelStd } = this.model.config;
    const x = imagesToTensor(this.train.pixels, idx, this.train.size, pixelMean, pixelStd, flips.slice(from, to));
    const labels = new Tensor(Int32Array.from(idx, (i) => this.train.labels[i]), [idx.length]);
    const loss = this.model.loss(this.model.forward(x), labels);
    loss.backward();
    return { loss, tokens: idx.length };
  }

  saveState(): { rng: number[] } {
    return { rng: this.generator.getState() };
  }

  loadState(state: unknown): void {
    const rng = (state as { rng?: number[] } | null)?.rng;
    if (!Array.isArray(rng)) throw new Error('resume: the saved vision state has no dropout generator state');
    this.generator.setState(rng);
  }

  evaluate(): VisionMetrics {
    const r = evaluateImages(this.model, this.val);
    return { valLoss: r.loss, valAccuracy: r.accuracy };
  }
}

export function visionTrainer(task: VisionTask): Trainer<VisionMetrics> {
  const c = task.config;
  return new Trainer(task, { epochs: c.epochs, timeBudgetSeconds: c.timeBudgetSeconds, maxSteps: c.maxSteps, clipNorm: c.clipNorm });
}
