/**
 * The Vision Transformer: shapes, the patch embedding against a hand computation, a float64 gradient
 * check through every parameter, a tiny training task whose loss falls, save → load → identical
 * logits, and (where ../shared has it) the real Fashion-MNIST files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkModule } from '../helpers/engine.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { Generator } from '../../src/util/random.js';
import { DEFAULT_VIT_CONFIG, imagesToTensor, patchify, VisionTransformer, type VitConfig } from '../../src/models/vision/model.js';
import { evaluateImages, VisionTask, visionTrainer, type LabelledImages, type VisionTrainingConfig } from '../../src/models/vision/train.js';
import { loadVision, saveVision, VISION_FORMAT } from '../../src/models/vision/checkpoint.js';
import { loadImageSet, splitValidation } from '../../src/models/vision/data.js';
import { resolveVisionRecipe } from '../../src/models/vision/recipe.js';
import { missingFixture } from '../helpers/fixtures.js';

const TINY: VitConfig = { ...DEFAULT_VIT_CONFIG, imageSize: 4, patchSize: 2, numClasses: 3, dModel: 4, nhead: 2, numLayers: 1, dimFeedforward: 6, dropout: 0, pixelMean: 0, pixelStd: 1 };

function randomImages(B: number, size: number, g: Generator): Tensor {
  return new Tensor(Float32Array.from({ length: B * size * size }, () => g.normal()), [B, size, size]);
}

test('patchify cuts (B, H, W) into patches in reading order, each flattened row by row', () => {
  const x = new Tensor(Float32Array.from({ length: 16 }, (_, i) => i), [1, 4, 4]);
  const p = patchify(x, 2);
  assert.deepEqual(p.shape, [1, 4, 4]);
  assert.deepEqual(Array.from(p.contiguousData()), [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15]);
});

test('the patch embedding is W·patch + b, computed by hand for one patch', () => {
  for (const pool of ['mean', 'cls'] as const) {
    const vit = new VisionTransformer({ ...TINY, pool }, { generator: new Generator(3) });
    const x = new Tensor(Float32Array.from({ length: 16 }, (_, i) => (i % 5) - 2), [1, 4, 4]);
    const emb = vit.patch_embed.forward(patchify(x, 2)); // (1, 4, C)
    const patch3 = [x.contiguousData()[10], x.contiguousData()[11], x.contiguousData()[14], x.contiguousData()[15]].map(Number);
    const W = vit.patch_embed.weight.contiguousData();
    const b = vit.patch_embed.bias!.contiguousData();
    for (let c = 0; c < 4; c++) {
      const hand = patch3.reduce((s, v, k) => s + Number(W[c * 4 + k]) * v, Number(b[c]));
      assert.ok(Math.abs(Number(emb.contiguousData()[3 * 4 + c]) - hand) < 1e-5, `${pool} channel ${c}`);
    }
  }
});

test('forward: (B, 28, 28) → logits (B, 10), with mean and [CLS] pooling; wrong shapes are named', () => {
  const g = new Generator(1);
  for (const pool of ['mean', 'cls'] as const) {
    const vit = new VisionTransformer({ ...DEFAULT_VIT_CONFIG, patchSize: 7, dModel: 16, nhead: 2, numLayers: 1, dimFeedforward: 32, pool }, { generator: g });
    assert.deepEqual(vit.forward(randomImages(3, 28, g)).shape, [3, 10]);
    assert.equal(vit.pos_embed.shape[1], pool === 'cls' ? 17 : 16);
    assert.throws(() => vit.forward(randomImages(2, 14, g)), /VisionTransformer: expected images \(B, 28, 28\), got \(2, ?14, ?14\)/);
  }
  assert.throws(() => new VisionTransformer({ ...DEFAULT_VIT_CONFIG, patchSize: 5 }), /patchSize 5 does not divide imageSize 28/);
});

test('gradcheck (float64) of the loss through the images and every parameter, mean and [CLS] pooling', () => {
  for (const pool of ['mean', 'cls'] as const) {
    const g = new Generator(5);
    const vit = new VisionTransformer({ ...TINY, pool }, { generator: g });
    vit.train();
    const x = randomImages(2, 4, g);
    checkModule(vit, [x], (xs) => vit.loss(vit.forward(xs), [0, 2]));
  }
});

/** Two classes a ViT tells apart at once: bright or dim pictures, with noise. */
function halves(n: number, size: number, seed: number): LabelledImages {
  const g = new Generator(seed);
  const pixels = new Uint8Array(n * size * size);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) {
      pixels[i * size * size + r * size + c] = Math.min(255, Math.max(0, Math.round((labels[i] === 0 ? 170 : 60) + 40 * g.normal())));
    }
  }
  return { count: n, size, pixels, labels };
}

const TRAINING: VisionTrainingConfig = {
  seed: 1, batchSize: 16, lr: 3e-3, weightDecay: 0.01, warmupSteps: 2, hflip: false, clipNorm: 1, epochs: 3, timeBudgetSeconds: 0, maxSteps: 0, valSize: 32,
};

test('a tiny VisionTask trains: the loss falls and validation accuracy reaches 100% on a separable set', async () => {
  const g = new Generator(2);
  const vit = new VisionTransformer({ ...TINY, imageSize: 8, numClasses: 2, dModel: 16, dimFeedforward: 32, pixelMean: 0.4, pixelStd: 0.3 }, { generator: g });
  const task = new VisionTask(vit, halves(96, 8, 1), halves(32, 8, 2), TRAINING, g);
  const losses: number[] = [];
  const trainer = visionTrainer(task);
  await trainer.run({ onStep: (s) => losses.push(s.loss) });
  assert.equal(losses.length, 18);
  const first = (losses[0] + losses[1]) / 2;
  const last = (losses[16] + losses[17]) / 2;
  assert.ok(last < first * 0.5, `loss ${first.toFixed(3)} → ${last.toFixed(3)}`);
  assert.equal(trainer.bestRecord!.valAccuracy, 1);
});

test('save → load gives identical logits (F32 exactly; F16 within half precision), and the config names the format', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmcore-vit-'));
  const g = new Generator(4);
  const vit = new VisionTransformer({ ...DEFAULT_VIT_CONFIG, patchSize: 7, dModel: 16, nhead: 2, numLayers: 2, dimFeedforward: 32, pool: 'cls' }, { generator: g });
  vit.eval();
  const config = { format: VISION_FORMAT as typeof VISION_FORMAT, version: 1 as const, arch: 'vit' as const, model: vit.config, classes: Array.from({ length: 10 }, (_, i) => `c${i}`) };
  const set = halves(4, 28, 9);
  const x = imagesToTensor(set.pixels, [0, 1, 2, 3], 28, vit.config.pixelMean, vit.config.pixelStd);
  const before = Array.from(noGrad(() => vit.forward(x)).contiguousData());
  await saveVision(join(dir, 'f32'), { model: vit, config, step: 7 });
  const loaded = await loadVision(join(dir, 'f32'));
  assert.equal(loaded.step, 7);
  assert.deepEqual(Array.from(noGrad(() => loaded.model.forward(x)).contiguousData()), before);
  await saveVision(join(dir, 'f16'), { model: vit, config }, { dtype: 'F16' });
  const f16 = await loadVision(join(dir, 'f16'));
  const h = Array.from(noGrad(() => f16.model.forward(x)).contiguousData());
  assert.ok(h.every((v, i) => Math.abs(v - before[i]) < 0.02), `F16 logits differ: ${h} vs ${before}`);
});

test('the recipe: defaults, then a file\'s fields; a wrong field is named with its source', () => {
  const r = resolveVisionRecipe([{ source: 'r.json', values: { chapter: 'vision', model: { dModel: 32, nhead: 4 } } }]);
  assert.equal(r.model.dModel, 32);
  assert.equal(r.model.patchSize, 7);
  assert.throws(() => resolveVisionRecipe([{ source: 'bad.json', values: { model: { patchSize: 5 } } }]), /model\.patchSize: 5 does not divide the 28-pixel image side/);
  assert.throws(() => resolveVisionRecipe([{ source: 'bad.json', values: { training: { lr: 'fast' } } }]), /bad\.json: training\.lr: expected a number/);
  assert.throws(() => resolveVisionRecipe([{ source: 'x.json', values: { chapter: 'translate' } }]), /x\.json: chapter: expected "vision"/);
});

const SHARED = fileURLToPath(new URL('../../../shared/data/fashion-mnist/', import.meta.url));

test('the real Fashion-MNIST files: 60,000 + 10,000 images of 28×28, labels 0–9, a validation split carved from train', (t) => {
  if (missingFixture(t, join(SHARED, 't10k-images-idx3-ubyte.gz'))) return;
  const test10k = loadImageSet(SHARED, 'test');
  assert.deepEqual([test10k.count, test10k.rows, test10k.cols], [10_000, 28, 28]);
  assert.equal(test10k.labels[0], 9); // the first test image is an ankle boot
  const train = loadImageSet(SHARED, 'train');
  assert.equal(train.count, 60_000);
  assert.ok(train.labels.every((l) => l <= 9));
  const { train: tr, val } = splitValidation(train, 5000, 1);
  assert.deepEqual([tr.count, val.count], [55_000, 5000]);
});

const SHIPPED = fileURLToPath(new URL('../../models/fashion-vit/', import.meta.url));

test('the shipped models/fashion-vit loads (float16, 138,890 parameters) without any data set', async () => {
  const { model, config } = await loadVision(SHIPPED);
  assert.equal(model.numParameters(), 138_890);
  assert.equal(config.classes[9], 'Ankle boot');
  assert.ok(readFileSync(join(SHIPPED, 'model.safetensors')).length < 300_000);
});

test('the shipped model on the real test images: the first 1,000 at ≥ 88% (it scores 89.5% on all 10,000), image 0 an ankle boot', async (t) => {
  if (missingFixture(t, join(SHARED, 't10k-images-idx3-ubyte.gz'))) return;
  const { model } = await loadVision(SHIPPED);
  const set = loadImageSet(SHARED, 'test');
  const first = { count: 1000, size: 28, pixels: set.pixels.subarray(0, 1000 * 784), labels: set.labels.subarray(0, 1000) };
  const r = evaluateImages(model, first);
  assert.ok(r.accuracy >= 0.88, `accuracy ${r.accuracy}`);
  assert.equal(r.predictions[0], 9);
});
