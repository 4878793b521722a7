/**
 * The vision page's worker: builds the shipped ViT (models/fashion-vit) from the fetched bytes, turns
 * an uploaded PNG/JPEG into a Fashion-MNIST-like 28×28 picture (src/data/image.ts, as
 * `llmcore vision classify` does), and classifies a picture with the attention of every layer.
 */
import { serveWorker } from '../lib/worker-rpc.js';
import { VisionTransformer, imagesToTensor, type VitConfig } from '../../../src/models/vision/model.js';
import { decodeSafetensors } from '../../../src/io/safetensors.js';
import { decodeImage, prepareImage } from '../../../src/data/image.js';
import { noGrad } from '../../../src/autograd/grad-mode.js';
import { softmax } from '../../../src/ops/nn.js';
import type { AttentionRecord } from '../../../src/nn/transformer.js';
import { Generator } from '../../../src/util/random.js';

let vit: VisionTransformer | null = null;
let classes: string[] = [];

function load(p: { config: ArrayBuffer; weights: ArrayBuffer }): unknown {
  let cfg: { format?: string; model?: VitConfig; classes?: string[]; results?: { testAccuracy?: number } };
  try {
    cfg = JSON.parse(new TextDecoder().decode(p.config));
  } catch (e) {
    throw new Error(`config.json: not JSON (${(e as Error).message})`);
  }
  if (cfg.format !== 'llmcore-vision' || !cfg.model || !Array.isArray(cfg.classes)) throw new Error('config.json: not an llmcore vision model (format "llmcore-vision" expected)');
  const model = new VisionTransformer(cfg.model, { generator: new Generator(0) });
  try {
    model.loadStateDict(decodeSafetensors(p.weights).tensors);
  } catch (e) {
    throw new Error(`model.safetensors does not fit config.json: ${(e as Error).message}`);
  }
  model.eval();
  vit = model;
  classes = cfg.classes;
  return { classes, parameters: model.numParameters(), testAccuracy: typeof cfg.results?.testAccuracy === 'number' ? cfg.results.testAccuracy : null, imageSize: cfg.model.imageSize, patchSize: cfg.model.patchSize, layers: cfg.model.numLayers };
}

function classify(p: { pixels: number[] }): unknown {
  if (!vit) throw new Error('the model is not loaded yet');
  const size = vit.config.imageSize;
  if (!Array.isArray(p.pixels) || p.pixels.length !== size * size) throw new Error(`expected ${size}×${size} pixels`);
  const pixels = Uint8Array.from(p.pixels);
  return noGrad(() => {
    const record: AttentionRecord = { self: [], cross: [] };
    const logits = vit!.forward(imagesToTensor(pixels, [0], size, vit!.config.pixelMean, vit!.config.pixelStd), record);
    const probs = Array.from(softmax(logits.reshape([-1]), -1).toFloat32Array());
    const offset = vit!.cls_token ? 1 : 0;
    // per layer: how much attention each patch receives, averaged over the heads and the asking positions
    const received = record.self.map((w) => {
      const [, N] = w.shape;
      const d = w.toFloat32Array();
      const out = new Array<number>(N - offset).fill(0);
      for (let i = 0; i < N; i++) for (let j = offset; j < N; j++) out[j - offset] += d[i * N + j] / N;
      return out;
    });
    return { probs: probs.map((prob, i) => ({ label: classes[i], prob })), received };
  });
}

function decode(p: { bytes: ArrayBuffer }): unknown {
  const img = decodeImage(new Uint8Array(p.bytes), 'the file');
  const prep = prepareImage(img, vit?.config.imageSize ?? 28);
  return { pixels: Array.from(prep.pixels), inverted: prep.inverted, width: img.width, height: img.height };
}

/** A drawing (the page's canvas as grey bytes) made into the model's 28×28 picture the same way as a file. */
function prepare(p: { width: number; height: number; pixels: number[] }): unknown {
  if (!(p.width > 0 && p.height > 0) || p.pixels.length !== p.width * p.height) throw new Error('the drawing has no pixels');
  const prep = prepareImage({ width: p.width, height: p.height, pixels: Uint8Array.from(p.pixels) }, vit?.config.imageSize ?? 28);
  return { pixels: Array.from(prep.pixels), inverted: prep.inverted, width: p.width, height: p.height };
}

serveWorker({ load, classify, decode, prepare });
