/**
 * W7: Vision Transformer training on Fashion-MNIST-shaped input, one step of the shipped model's
 * recipe: the models/fashion-vit architecture (28×28 images cut into 16 patches of 7×7, width 64,
 * 4 heads, 4 pre-LN encoder layers with GELU and d_ff 128, final LayerNorm, mean pooling, 10 classes:
 * 138,890 parameters) with recipes/vision-vit.json's training settings (batch 64, each image mirrored
 * left–right with probability ½, cross-entropy, gradient clipping to norm 1, AdamW lr 2e-3 with weight
 * decay 0.05 on the matrices, linear warmup then cosine). The figure is training images per second:
 * batch / median step time. A step is zeroGrad, building the batch (bytes → normalised, mirrored
 * floats), forward, loss, backward, clip, AdamW update, the schedule's step, reading the loss.
 *
 * Data: seeded random bytes as 28×28 images and random labels (the speed does not depend on the pixels).
 * llmcore: src/models/vision (VisionTransformer and the VisionTask that `llmcore train vision` runs),
 * stepped as the shared Trainer steps it. PyTorch: the same model from nn.TransformerEncoder in
 * bench/pytorch/w7_vit.py. Both report their parameter count and the multiply-add FLOPs of the
 * matmuls one step runs (forward and backward), counted at the kernels (llmcore's fused attention as the
 * batched products it replaces), so a mismatch shows.
 *
 *   npx tsx bench/w7-vit.ts [--lib llmcore|pytorch] [--json]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getBackend, Generator } from '../src/index.js';
import { clipGradNorm } from '../src/optim/clip.js';
import { VisionTransformer, type VitConfig } from '../src/models/vision/model.js';
import { resolveVisionRecipe } from '../src/models/vision/recipe.js';
import { VisionTask, type LabelledImages } from '../src/models/vision/train.js';
import { PYTORCH_LIBS, runPython } from './peers/python.js';
import { time } from './timing.js';
import { llmcoreThreads } from './w2-transformer.js';
import type { Measurement, Workload } from './workload.js';

const ROOT = new URL('../', import.meta.url);
/** The shipped model's architecture and its training recipe, read from the files that define them. */
export const W7_MODEL: VitConfig = JSON.parse(readFileSync(fileURLToPath(new URL('models/fashion-vit/config.json', ROOT)), 'utf8')).model;
export const W7_RECIPE = resolveVisionRecipe([
  { source: 'recipes/vision-vit.json', values: JSON.parse(readFileSync(fileURLToPath(new URL('recipes/vision-vit.json', ROOT)), 'utf8')) },
]);
export const W7 = { batch: W7_RECIPE.training.batchSize, size: W7_MODEL.imageSize, images: 4096 };

function randomImages(count: number, size: number, seed: number): LabelledImages {
  const g = new Generator(seed);
  const pixels = new Uint8Array(count * size * size);
  for (let i = 0; i < pixels.length; i++) pixels[i] = g.randint(256);
  const labels = Uint8Array.from({ length: count }, () => g.randint(W7_MODEL.numClasses));
  return { count, size, pixels, labels };
}

/** One llmcore step as src/train/trainer.ts takes it, and a call that counts the FLOPs of one step's matmuls. */
function llmcoreStep(): { step: () => number; params: number; matmulFlops: () => number } {
  const model = new VisionTransformer(W7_MODEL, { generator: new Generator(1) });
  const train = randomImages(W7.images, W7.size, 5);
  const val = randomImages(W7.batch, W7.size, 6);
  const task = new VisionTask(model, train, val, { ...W7_RECIPE.training, maxSteps: 0, timeBudgetSeconds: 0 }, new Generator(1));
  const batches = task.batchCount(0);
  let n = 0;
  const step = (): number => {
    const index = n % batches;
    const epoch = Math.floor(n / batches);
    n++;
    model.train();
    task.optimizer.zeroGrad();
    const { loss } = task.forwardBackward(epoch, index);
    const value = loss.item();
    clipGradNorm(model.parameters(), W7_RECIPE.training.clipNorm);
    task.optimizer.step();
    task.scheduler.step();
    return value;
  };
  const params = model.parameters().reduce((s, p) => s + p.size, 0);
  const matmulFlops = (): number => {
    const backend = getBackend();
    const { matmul, attention, attentionBackward } = backend;
    let flops = 0;
    backend.matmul = function (a, b, out, p) {
      flops += 2 * p.batch * p.m * p.k * p.n;
      return matmul.call(this, a, b, out, p);
    };
    // fused attention does the products PyTorch runs as bmm — q·kᵀ and p·v forward; ∂p = ∂out·vᵀ, ∂v = pᵀ·∂out,
    // ∂q = ∂s·k and ∂k = ∂sᵀ·q backward — so they count as those products would
    if (attention && attentionBackward) {
      backend.attention = function (p, ...rest) {
        flops += 2 * p.n * p.t * p.s * (p.d + p.dv);
        return attention.call(this, p, ...rest);
      };
      backend.attentionBackward = function (p, probs, gOut, gWeights, ...rest) {
        flops += 2 * p.n * p.t * p.s * ((gOut ? 2 * p.dv : 0) + 2 * p.d);
        return attentionBackward.call(this, p, probs, gOut, gWeights, ...rest);
      };
    }
    try {
      step();
    } finally {
      Object.assign(backend, { matmul, attention, attentionBackward });
    }
    return flops;
  };
  return { step, params, matmulFlops };
}

export const w7: Workload = {
  id: 'W7',
  unit: 'img/s',
  higherIsBetter: true,
  libs: ['llmcore', ...PYTORCH_LIBS],
  notes: ['W7: ViT training images/s, models/fashion-vit (138,890 parameters) with recipes/vision-vit.json: batch 64 of 28×28, hflip, AdamW, clip 1'],
  async run(lib) {
    if (lib === 'pytorch') return runPython('torch', 'pytorch/w7_vit.py');
    const s = llmcoreStep();
    const flopsPerStep = s.matmulFlops();
    const seconds = (await time(s.step, { warmup: 3, minRuns: 10, minSeconds: 10 })).seconds;
    return [{ workload: 'W7', lib, value: W7.batch / seconds, unit: 'img/s', threads: llmcoreThreads(), params: s.params, flopsPerStep } satisfies Measurement];
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const lib = args.includes('--lib') ? args[args.indexOf('--lib') + 1] : 'llmcore';
  for (const m of await w7.run(lib)) {
    console.log(args.includes('--json') ? JSON.stringify(m) : `${m.workload} ${m.lib}: ${m.value.toFixed(1)} ${m.unit} (threads ${m.threads}; ${m.params} parameters, ${m.flopsPerStep} matmul FLOPs per step)`);
  }
}
