/**
 * The vision chapter's commands on one picture — a PNG or JPEG file of the user's, or test images by index:
 *   llmcore vision classify [file] | --index N          the ViT's top classes, with its doubt said
 *   llmcore vision ask [file] -q "What is this?"        the VQA model's answer, in the question's language
 *   llmcore vision describe [file] [--lang zh]          the same with "Describe the picture."
 * A file is preprocessed to look like the training data (src/data/image.ts); --show prints the input as
 * the model sees it; --attention out.svg draws the decoder's attention over the picture per answer word
 * and the encoder's self-attention from --patch N.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { noGrad } from '../src/autograd/grad-mode.js';
import { decodeImage, prepareImage, quarters, ImageError, type Prepared } from '../src/data/image.js';
import { imagesToTensor } from '../src/models/vision/model.js';
import { FASHION_CLASSES, findFashionDir, loadImageSet } from '../src/models/vision/data.js';
import { loadVision } from '../src/models/vision/checkpoint.js';
import { loadVqa, visionArch } from '../src/models/vision/vqa-checkpoint.js';
import { encodeQA } from '../src/models/vision/vqa.js';
import { composeScene, decodeText, encodeText, wordText, questionLanguage, questionText, splitWords, SCENE_SIZE, TILE, type Lang } from '../src/models/vision/scenes.js';
import { attentionSvg, sideBySide, textHeatmap, type AttentionPanel } from '../src/models/vision/attention-view.js';
import type { AttentionRecord } from '../src/nn/transformer.js';
import type { Tensor } from '../src/tensor/tensor.js';
import { resolveModelDirectory } from '../src/train/run-dir.js';
import { packageRoot } from './translate.js';

/** Files larger than this are refused before they are read (a picture to classify is far smaller). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Below this top probability the answer is reported as a guess. */
export const SURE = 0.5;

export function defaultVqaModelDir(): string {
  return join(packageRoot(), 'models', 'fashion-vqa');
}

export interface PictureOptions {
  index?: string;
  data?: string;
  grid?: boolean;
  show?: boolean;
  json?: boolean;
}

/** A picture made ready: 28×28 (one item) or 56×56 (a scene), with where it came from. */
export interface Picture {
  pixels: Uint8Array;
  size: number;
  source: string;
  /** The true classes when the picture is test images. */
  truth?: number[];
  prepared?: Prepared[];
}

/** Reads and decodes a picture file with one-line errors (missing, a folder, too large, not an image). */
export function readPicture(file: string): ReturnType<typeof decodeImage> {
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  const st = statSync(file);
  if (st.isDirectory()) throw new Error(`${file} is a folder; give a PNG or JPEG file`);
  if (st.size > MAX_FILE_BYTES) throw new Error(`${file} is ${(st.size / 1048576).toFixed(0)} MB, more than the ${MAX_FILE_BYTES / 1048576} MB read at most`);
  return decodeImage(new Uint8Array(readFileSync(file)), file);
}

function parseIndices(value: string, count: number): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.length !== 1 && parts.length !== 4) throw new Error(`--index ${value}: give one test image (N) or four for a 2×2 scene (a,b,c,d)`);
  return parts.map((p) => {
    if (!/^\d+$/.test(p)) throw new Error(`--index ${value}: '${p}' is not an image index (0 to ${count - 1})`);
    const n = Number(p);
    if (n >= count) throw new Error(`--index ${n} is past the test set's ${count} images (0 to ${count - 1})`);
    return n;
  });
}

/**
 * The picture a command works on: a file, or test images by index; `scene` makes it 56×56 (one item
 * centred, or a grid of four), else 28×28.
 */
export function loadPictureInput(file: string | undefined, o: PictureOptions, scene: boolean): Picture {
  if (file !== undefined && o.index !== undefined) throw new Error('give a picture file or --index, not both');
  if (file === undefined && o.index === undefined) throw new Error('give a picture (a PNG or JPEG file) or --index N of a test image');
  if (file !== undefined) {
    const img = readPicture(file);
    if (o.grid && !scene) throw new Error('--grid is for ask and describe (a 2×2 scene); classify takes one item');
    const tiles = o.grid ? quarters(img) : [img];
    const prepared = tiles.map((t) => prepareImage(t, TILE));
    if (!scene) return { pixels: prepared[0].pixels, size: TILE, source: file, prepared };
    const labels = prepared.map(() => 0);
    const all = new Uint8Array(prepared.length * TILE * TILE);
    prepared.forEach((p, i) => all.set(p.pixels, i * TILE * TILE));
    return { pixels: composeScene(all, labels, prepared.map((_, i) => i)).pixels, size: SCENE_SIZE, source: file, prepared };
  }
  if (o.grid) throw new Error('--grid is for a picture file; --index a,b,c,d makes a 2×2 scene of test images');
  const test = loadImageSet(findFashionDir(o.data), 'test');
  const idx = parseIndices(o.index!, test.count);
  if (!scene && idx.length !== 1) throw new Error(`--index ${o.index}: classify takes one image`);
  const truth = idx.map((i) => test.labels[i]);
  const source = `test image${idx.length > 1 ? 's' : ''} ${idx.join(', ')}`;
  if (!scene) return { pixels: test.pixels.slice(idx[0] * 784, (idx[0] + 1) * 784), size: TILE, source, truth };
  return { pixels: composeScene(test.pixels, test.labels, idx).pixels, size: SCENE_SIZE, source, truth };
}

/** The picture as the model sees it, in the terminal: denser characters for brighter pixels. */
export function renderPicture(pixels: Uint8Array, size: number): string[] {
  const ramp = ' .:-=+*#%@';
  const lines: string[] = [];
  for (let r = 0; r < size; r++) {
    let line = '';
    for (let c = 0; c < size; c++) {
      const ch = ramp[Math.min(ramp.length - 1, Math.floor((pixels[r * size + c] / 256) * ramp.length))];
      line += size > 28 ? ch : ch + ch;
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

function describePreparation(p: Picture): string[] {
  return (p.prepared ?? []).map((q, i) => `${p.prepared!.length > 1 ? `tile ${i + 1}: ` : ''}${q.inverted ? 'light background, inverted; ' : ''}object ${q.crop.width}×${q.crop.height} at (${q.crop.x}, ${q.crop.y}) cropped, padded square, resized to ${q.size}×${q.size}`);
}

export interface ClassifyPictureOptions extends PictureOptions {
  model?: string;
  top?: number;
}

async function openModelDir(given: string | undefined, fallback: string, want: 'vit' | 'vqa', command: string): Promise<string> {
  const name = given ?? fallback;
  const dir = resolveModelDirectory(name);
  if (!dir) throw new Error(`--model ${name}: no model here (no config.json, nor a run's best/ or last/)`);
  const arch = await visionArch(dir);
  if (arch !== want) throw new Error(`--model ${name} holds a ${arch === 'vqa' ? 'VQA (image + question)' : 'ViT classifier'} model; \`llmcore vision ${command}\` needs a ${want === 'vqa' ? 'VQA model (e.g. models/fashion-vqa)' : 'ViT classifier (e.g. models/fashion-vit)'}`);
  return dir;
}

/** `vision classify`: the ViT's top classes for a file or a test image; a low top probability is said. */
export async function runClassifyPicture(file: string | undefined, o: ClassifyPictureOptions): Promise<Record<string, unknown>> {
  const out = (line: string): void => { if (!o.json) process.stdout.write(line + '\n'); };
  const pic = loadPictureInput(file, o, false);
  const dir = await openModelDir(o.model, join(packageRoot(), 'models', 'fashion-vit'), 'vit', 'classify');
  const { model, config } = await loadVision(dir);
  if (config.model.imageSize !== pic.size) throw new Error(`--model ${dir} takes ${config.model.imageSize}×${config.model.imageSize} images; the picture was prepared at ${pic.size}×${pic.size}`);
  const logits = noGrad(() => model.forward(imagesToTensor(pic.pixels, [0], pic.size, config.model.pixelMean, config.model.pixelStd)));
  const probs = Array.from(logits.softmax(1).contiguousData(), Number);
  const ranked = probs.map((p, i) => ({ label: i, name: config.classes[i], prob: p })).sort((a, b) => b.prob - a.prob).slice(0, o.top ?? 3);
  const sure = ranked[0].prob >= SURE;
  if (o.show) { for (const l of describePreparation(pic)) out(l); for (const l of renderPicture(pic.pixels, pic.size)) out(l); }
  const truth = pic.truth?.[0];
  const verdict = sure ? ranked[0].name : `not sure: top class ${ranked[0].name} ${(100 * ranked[0].prob).toFixed(0)}% (the model knows only ${config.classes.length} kinds of clothing; anything else is forced into one of them)`;
  out(`${pic.source}${truth !== undefined ? ` (true class: ${config.classes[truth]})` : ''} → ${verdict}${truth !== undefined ? (ranked[0].label === truth ? ' ✓' : ' ✗') : ''}`);
  for (const r of ranked) out(`  ${r.name.padEnd(12)} ${r.prob.toFixed(3)}  ${'█'.repeat(Math.round(r.prob * 30))}`);
  return { source: pic.source, predicted: ranked[0].label, predictedClass: ranked[0].name, sure, top: ranked, ...(truth !== undefined ? { label: truth, trueClass: config.classes[truth] } : {}), model: dir, preprocessing: pic.prepared?.map(({ inverted, crop }) => ({ inverted, crop })) };
}

export interface AskOptions extends PictureOptions {
  model?: string;
  question?: string;
  lang?: string;
  attention?: string;
  patch?: number;
}

/** Checks a question before the model reads it: empty, unknown language, unknown words each get their own message. */
export function checkQuestion(q: string | undefined, maxWords: number): { text: string; lang: Lang; ids: number[] } {
  const text = (q ?? '').trim();
  if (!text) throw new Error('--question is empty: ask e.g. "What is this?", "What is in the top left?", "Is there a bag?", "Describe the picture." or 这是什么?');
  const lang = questionLanguage(text);
  if (!lang) throw new Error(`the question "${text}" is in a language the model was not trained for: it reads English and Chinese questions only`);
  const words = splitWords(text);
  const unknown = words.filter((w) => !w.known).map((w) => w.word);
  if (unknown.length) {
    const latinForeign = lang === 'en' && unknown.length >= Math.ceil(words.length / 2);
    throw new Error(latinForeign
      ? `the question "${text}" does not look like English (${unknown.slice(0, 4).join(', ')} unknown): the model reads English and Chinese questions only`
      : `the question "${text}" has words the model never saw (${unknown.slice(0, 5).join(', ')}); it knows four kinds: what is this?, what is in the top left (top right, bottom left, bottom right)?, is there a <class>?, describe the picture. — and 这是什么?, 左上角是什么?, 有<class>吗?, 描述这张图片。`);
  }
  const ids = encodeText(text);
  if (ids.length > maxWords) throw new Error(`the question has ${ids.length} words; the model reads at most ${maxWords}`);
  return { text, lang, ids };
}

/** One answer with what the model attended to: the work of ask, describe and the tour. */
export interface AnswerWithAttention {
  answer: string;
  words: string[];
  /** Per answer word: the decoder's cross-attention over the patches (heads and layers averaged). */
  cross: number[][];
  /** Per answer word, per decoder layer: its cross-attention (heads averaged). */
  crossByLayer: number[][][];
  /** Per answer word: the probability the model gave it. */
  probs: number[];
  /** The last encoder layer's self-attention (patches × patches). */
  selfAttention: number[][];
}

/** Answers one question about one 56×56 scene, recording the attention. */
export function answerWithAttention(model: Awaited<ReturnType<typeof loadVqa>>['model'], scene: Uint8Array, questionIds: number[]): AnswerWithAttention {
  return noGrad(() => {
    const rec: AttentionRecord = { self: [], cross: [] };
    const memory = model.encode(imagesToTensor(scene, [0], SCENE_SIZE, model.config.pixelMean, model.config.pixelStd), rec);
    const perWord = { perWord: [] as Tensor[][], probs: [] as number[][] };
    const [ids] = model.greedy(memory, [encodeQA(model.config, questionIds).input], [0], perWord);
    const N = model.numPatches;
    const layers = perWord.perWord.slice(0, ids.length).map((perLayer) => perLayer.map((t) => Array.from(t.contiguousData(), Number).slice(0, N)));
    // the mean over the decoder's layers: each layer looks somewhere, the answer comes from all of them
    const cross = layers.map((perLayer) => Array.from({ length: N }, (_, k) => perLayer.reduce((s, l) => s + l[k], 0) / perLayer.length));
    const last = Array.from(rec.self[rec.self.length - 1].contiguousData(), Number);
    const selfAttention = Array.from({ length: N }, (_, i) => last.slice(i * N, (i + 1) * N));
    return { answer: decodeText(ids), words: ids.map((id) => wordText(id)), cross, crossByLayer: layers, probs: (perWord.probs[0] ?? []).slice(0, ids.length), selfAttention };
  });
}

/** `vision ask` and `vision describe`. */
export async function runAsk(file: string | undefined, o: AskOptions, command: 'ask' | 'describe'): Promise<Record<string, unknown>> {
  const out = (line: string): void => { if (!o.json) process.stdout.write(line + '\n'); };
  let questionRaw = o.question;
  if (command === 'describe') {
    if (o.question !== undefined) throw new Error('vision describe asks "Describe the picture." itself; use `vision ask --question` for another question');
    const lang = o.lang ?? 'en';
    if (lang !== 'en' && lang !== 'zh') throw new Error(`--lang must be en or zh (the languages the model was trained on), got '${lang}'`);
    questionRaw = questionText('describe', lang);
  }
  const dir = await openModelDir(o.model, defaultVqaModelDir(), 'vqa', command);
  const { model, config } = await loadVqa(dir);
  const q = checkQuestion(questionRaw, config.model.maxQuestion);
  const N = model.numPatches;
  if (o.patch !== undefined && !(Number.isInteger(o.patch) && o.patch >= 0 && o.patch < N)) throw new Error(`--patch ${o.patch}: the picture has ${N} patches (0 to ${N - 1}, reading order)`);
  const pic = loadPictureInput(file, o, true);
  const r = answerWithAttention(model, pic.pixels, q.ids);
  const sureness = Math.min(...r.probs, 1);
  const grid = Math.round(Math.sqrt(N));
  if (o.show) { for (const l of describePreparation(pic)) out(l); for (const l of renderPicture(pic.pixels, pic.size)) out(l); }
  out(`${pic.source}${pic.truth ? ` (${pic.truth.map((t) => FASHION_CLASSES[t]).join(', ')})` : ''}`);
  out(`Q: ${q.text}`);
  out(`A: ${r.answer}${sureness < SURE ? `   (not sure: its least certain word had ${(100 * sureness).toFixed(0)}%; the model knows only Fashion-MNIST's ten kinds of clothing)` : ''}`);
  out(`where each word of the answer looked (decoder cross-attention, heads and layers averaged, over the ${grid}×${grid} patches):`);
  const blocks = r.words.map((w, i) => ({ title: `${w} ${(100 * r.probs[i]).toFixed(0)}%`, lines: textHeatmap(r.cross[i], grid) }));
  for (let i = 0; i < blocks.length; i += 5) for (const l of sideBySide(blocks.slice(i, i + 5))) out(l);
  if (o.patch !== undefined) {
    out(`encoder self-attention from patch ${o.patch} (row ${Math.floor(o.patch / grid)}, column ${o.patch % grid}), last layer:`);
    for (const l of textHeatmap(r.selfAttention[o.patch], grid)) out(l);
  }
  if (o.attention) {
    const panels: AttentionPanel[] = r.words.map((w, i) => ({ title: w, weights: r.cross[i] }));
    if (o.patch !== undefined) panels.push({ title: `encoder: patch ${o.patch}`, weights: r.selfAttention[o.patch], mark: o.patch, colour: '#2f7bff' });
    writeFileSync(o.attention, attentionSvg(pic.pixels, pic.size, config.model.patchSize, panels, `${q.text} → ${r.answer}`));
    out(`wrote ${o.attention}`);
  }
  return { source: pic.source, question: q.text, language: q.lang, answer: r.answer, words: r.words, probabilities: r.probs, sure: sureness >= SURE, model: dir, ...(pic.truth ? { truth: pic.truth.map((t) => FASHION_CLASSES[t]) } : {}), ...(o.attention ? { attention: o.attention } : {}) };
}

export { ImageError };
