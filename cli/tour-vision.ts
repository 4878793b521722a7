/**
 * The tour's multimodal chapter: a picture and a question in, an answer out, and where the model looked.
 * The shipped models/fashion-vqa carries a few Fashion-MNIST test images (samples.json), so the chapter
 * needs no data folder: four of them make a 2×2 scene, the model is asked about it in English and in
 * Chinese (greedy, so the same answers every time), and each word of the English answer shows its
 * attention over the scene's 8×8 patches as a terminal heatmap.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadVqa } from '../src/models/vision/vqa-checkpoint.js';
import { answerText, composeScene, questionText, encodeText, CLASS_WORDS, POSITIONS, SCENE_SIZE } from '../src/models/vision/scenes.js';
import { FASHION_CLASSES } from '../src/models/vision/data.js';
import { sideBySide, textHeatmap } from '../src/models/vision/attention-view.js';
import { answerWithAttention, defaultVqaModelDir, renderPicture } from './vision-ask.js';

/** The test images shipped with the model: `count` 28×28 images as base64 bytes, their labels and test-set indices. */
export interface VisionSamples {
  source: string;
  size: number;
  indices: number[];
  labels: number[];
  pixels: string;
}

/** Writes `dir`/samples.json: the listed 28×28 images of a set (shipping a model: `source` says where they come from). */
export function writeSamples(dir: string, set: { pixels: Uint8Array; labels: ArrayLike<number> }, indices: readonly number[], source: string): void {
  const pixels = new Uint8Array(indices.length * 784);
  indices.forEach((k, i) => pixels.set(set.pixels.subarray(k * 784, (k + 1) * 784), i * 784));
  const samples: VisionSamples = { source, size: 28, indices: [...indices], labels: indices.map((k) => set.labels[k]), pixels: Buffer.from(pixels).toString('base64') };
  writeFileSync(join(dir, 'samples.json'), JSON.stringify(samples) + '\n');
}

/** Reads `dir`/samples.json (checked: sizes agree). */
export function loadSamples(dir: string): { indices: number[]; labels: number[]; pixels: Uint8Array; source: string } {
  const path = join(dir, 'samples.json');
  const raw = JSON.parse(readFileSync(path, 'utf8')) as VisionSamples;
  const pixels = new Uint8Array(Buffer.from(raw.pixels, 'base64'));
  if (raw.size !== 28 || !Array.isArray(raw.labels) || raw.labels.length !== raw.indices?.length || pixels.length !== raw.labels.length * 784 || raw.labels.length < 4) {
    throw new Error(`${path}: expected at least four 28×28 images with their labels and indices`);
  }
  return { indices: raw.indices, labels: raw.labels, pixels, source: raw.source };
}

/**
 * Runs the chapter: `say` gets the lines, the result is JSON-able; an absent model folder skips it.
 * @example const r = await tourVision(console.log, false) // { model, scene, questions: [{ question, answer, expected, correct }, …] }
 */
export async function tourVision(say: (line: string) => void, json: boolean, dir: string = defaultVqaModelDir()): Promise<Record<string, unknown>> {
  if (!existsSync(dir)) {
    const skipped = `no model at ${dir}`;
    say(`(skipped: ${skipped}; train one with \`llmcore train vision --recipe recipes/vision-vqa.json\`, see the README's Chapter 6)`);
    return { skipped };
  }
  const { model } = await loadVqa(dir);
  const samples = loadSamples(dir);
  const pick = [0, 1, 2, 3];
  const scene = composeScene(samples.pixels, samples.labels, pick);
  const parameters = model.numParameters();
  say('Chapter 6. A picture is a sentence of patches: the 56×56 scene below is cut into 8×8 patches of 7×7');
  say(`pixels, each embedded like a word and read by a Transformer encoder. A text decoder reads the question and`);
  say(`writes the answer word by word, attending to the patches (${parameters.toLocaleString('en')} parameters, trained here on`);
  say(`Fashion-MNIST scenes). Four test images (${samples.source}):\n`);
  if (!json) for (const l of renderPicture(scene.pixels, SCENE_SIZE)) say(l);
  const questions = [
    { kind: 'position' as const, lang: 'en' as const, about: 3 },
    { kind: 'describe' as const, lang: 'zh' as const, about: 0 },
  ];
  const results: Record<string, unknown>[] = [];
  for (const q of questions) {
    const question = questionText(q.kind, q.lang, q.about);
    const expected = answerText(q.kind, q.lang, scene.items, q.about);
    const r = answerWithAttention(model, scene.pixels, encodeText(question));
    say(`\nQ: ${question}\nA: ${r.answer}${r.answer === expected ? '  ✓' : `  ✗ (the picture shows: ${expected})`}`);
    const peaks = r.cross.map((w) => w.indexOf(Math.max(...w)));
    if (q.lang === 'en') {
      say(`where each word looked (the decoder's attention over the 8×8 patches; the ${POSITIONS[q.about]} is rows 4–7, columns 4–7):`);
      for (const l of sideBySide(r.words.map((w, i) => ({ title: w, lines: textHeatmap(r.cross[i], Math.round(Math.sqrt(model.numPatches))) })))) say(l);
    }
    results.push({ question, answer: r.answer, expected, correct: r.answer === expected, words: r.words, peakPatch: peaks });
  }
  return {
    model: dir, parameters,
    scene: { source: samples.source, indices: pick.map((i) => samples.indices[i]), classes: scene.items.map((c) => FASHION_CLASSES[c]), zh: scene.items.map((c) => CLASS_WORDS[c].zh) },
    questions: results,
  };
}
