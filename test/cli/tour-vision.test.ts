/**
 * The tour's multimodal chapter (cli/tour-vision.ts): skipped, and said so, when the model folder is
 * absent; otherwise a scene of the shipped sample images, two questions (English, Chinese), their
 * answers and the attention heatmaps, deterministic and JSON-able — on a small model folder made here,
 * and on the shipped models/fashion-vqa.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tourVision, writeSamples } from '../../cli/tour-vision.js';
import { defaultVqaModelDir } from '../../cli/vision-ask.js';
import { DEFAULT_VQA_CONFIG, VqaModel } from '../../src/models/vision/vqa.js';
import { saveVqa } from '../../src/models/vision/vqa-checkpoint.js';
import { FASHION_CLASSES } from '../../src/models/vision/data.js';
import { Generator } from '../../src/util/random.js';

test('tourVision: an absent model folder skips the chapter and says so', async () => {
  const lines: string[] = [];
  const r = await tourVision((l) => lines.push(l), false, join(tmpdir(), 'llmcore-no-such-vqa'));
  assert.match(String(r.skipped), /no model at .*llmcore-no-such-vqa/);
  assert.match(lines.join('\n'), /skipped/);
});

test('tourVision: the sample scene, an English and a Chinese question, heatmaps per answer word; the same result twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmcore-tour-vision-'));
  try {
    const config = { ...DEFAULT_VQA_CONFIG, dModel: 16, nhead: 2, encoderLayers: 1, decoderLayers: 1, dimFeedforward: 32 };
    const model = new VqaModel(config, { generator: new Generator(3) });
    await saveVqa(dir, { model, config: { format: 'llmcore-vision', version: 1, arch: 'vqa', model: config, classes: [...FASHION_CLASSES] } });
    const g = new Generator(1);
    const set = { pixels: Uint8Array.from({ length: 6 * 784 }, () => Math.floor(g.uniform() * 256)), labels: [9, 2, 1, 1, 6, 8] };
    writeSamples(dir, set, [0, 1, 2, 3, 4, 5], 'made in this test');
    const lines: string[] = [];
    const a = await tourVision((l) => lines.push(l), false, dir);
    const b = await tourVision(() => {}, true, dir);
    assert.deepEqual(a, b);
    assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
    assert.deepEqual((a.scene as { classes: string[] }).classes, ['Ankle boot', 'Pullover', 'Trouser', 'Trouser']);
    const qs = a.questions as { question: string; expected: string }[];
    assert.deepEqual(qs.map((q) => [q.question, q.expected]), [['What is in the bottom right?', 'A pair of trousers.'], ['描述这张图片。', '图中有一双短靴、一件套头衫、一条裤子和一条裤子。']]);
    const text = lines.join('\n');
    assert.match(text, /^Q: What is in the bottom right\?$/m);
    assert.match(text, /^\|[ ░▒▓█]{16}\|/m, 'a heatmap over the 8×8 patches');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tourVision on the shipped models/fashion-vqa: the bottom-right item of the sample scene named right', { skip: !existsSync(defaultVqaModelDir()) && 'models/fashion-vqa is not in this checkout' }, async () => {
  const r = await tourVision(() => {}, true);
  const [position] = r.questions as { answer: string; expected: string }[];
  assert.equal(position.answer, position.expected);
});
