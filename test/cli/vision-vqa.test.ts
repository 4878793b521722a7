/**
 * The image-and-question commands as a user runs them (child processes), on a tiny synthetic
 * Fashion-MNIST folder written here: `train vision --recipe` with "arch": "vqa" and a resume,
 * `eval vision --model RUN --json` (the scene metrics), `vision ask|describe` on test images and on
 * PNG and JPEG files made here (with --show and --attention), and bad input answered in one line:
 * a file that is not an image, a truncated PNG, a huge PNG, an empty question, a question in a
 * language the model was not trained for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'fflate';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { encodeIdx } from '../../src/data/idx.js';
import { Generator } from '../../src/util/random.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'cli', 'main.ts');
const dir = mkdtempSync(join(tmpdir(), 'llmcore-vqa-cli-'));
const llmcore = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, LLMCORE_FASHION_MNIST: '' } });

const data = join(dir, 'fmnist');
mkdirSync(data);
for (const [stem, n, seed] of [['train', 64, 1], ['t10k', 16, 2]] as const) {
  const g = new Generator(seed);
  const pixels = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 10;
    for (let k = 0; k < 784; k++) pixels[i * 784 + k] = Math.max(0, Math.min(255, Math.round(20 * labels[i] + 20 * g.normal())));
  }
  writeFileSync(join(data, `${stem}-images-idx3-ubyte.gz`), gzipSync(encodeIdx([n, 28, 28], pixels)));
  writeFileSync(join(data, `${stem}-labels-idx1-ubyte`), encodeIdx([n], labels));
}
const recipe = join(dir, 'tiny-vqa.json');
writeFileSync(recipe, JSON.stringify({
  chapter: 'vision', arch: 'vqa', data: { dir: 'fmnist' },
  model: { patchSize: 7, dModel: 16, nhead: 2, encoderLayers: 1, decoderLayers: 1, dimFeedforward: 32, dropout: 0 },
  training: { scenes: 4, questionsPerScene: 2, stepsPerEpoch: 3, epochs: 2, warmupSteps: 1, valSize: 16, valScenes: 4 },
}));
const run = join(dir, 'run');

test('train vision with an "arch": "vqa" recipe: a run folder with best/ and last/; --resume continues it as a VQA run; eval vision prints the scene metrics', () => {
  const r = llmcore(['train', 'vision', '--recipe', recipe, '--out', run, '--max-steps', '3', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { arch: string; parameters: number };
  assert.equal(j.arch, 'vqa');
  assert.ok(j.parameters > 1000);
  const config = JSON.parse(readFileSync(join(run, 'best', 'config.json'), 'utf8')) as { arch: string; model: { dModel: number } };
  assert.deepEqual([config.arch, config.model.dModel], ['vqa', 16]);
  const again = llmcore(['train', 'vision', '--out', run, '--resume', '--max-steps', '6']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /resumed .*last at step 3/);

  const e = llmcore(['eval', 'vision', '--model', run, '--data', data, '--scenes', '6', '--json']);
  assert.equal(e.status, 0, e.stderr);
  const m = JSON.parse(e.stdout) as { arch: string; scenes: number; questions: number; exact: number; perItem: number; wholeDescription: number; byKind: Record<string, { accuracy: number; count: number }> };
  assert.deepEqual([m.arch, m.scenes], ['vqa', 6]);
  // 3 grids: (4 positions + 2 exists + 1 describe) × 2 languages; 3 singles: (what + 2 exists + describe) × 2
  assert.equal(m.questions, 3 * 14 + 3 * 8);
  assert.equal(m.byKind['position.zh'].count, 12);
  for (const x of [m.exact, m.perItem, m.wholeDescription]) assert.ok(x >= 0 && x <= 1);
});

test('vision ask and describe: test images by index and PNG / JPEG files, the picture shown, the attention drawn', () => {
  const a = llmcore(['vision', 'ask', '--model', run, '--data', data, '--index', '0,1,2,3', '-q', 'What is in the top left?', '--patch', '9', '--attention', join(dir, 'att.svg'), '--json']);
  assert.equal(a.status, 0, a.stderr);
  const j = JSON.parse(a.stdout) as { language: string; truth: string[]; words: string[]; probabilities: number[] };
  assert.equal(j.language, 'en');
  assert.deepEqual(j.truth, ['T-shirt/top', 'Trouser', 'Pullover', 'Dress']);
  assert.equal(j.words.length, j.probabilities.length);
  const svg = readFileSync(join(dir, 'att.svg'), 'utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /encoder: patch 9/);

  // a dark T-shirt-like block on a light background, as PNG and as JPEG
  const w = 90, h = 60;
  const rgb = new Uint8Array(w * h * 3).fill(240);
  for (let y = 8; y < 52; y++) for (let x = 25; x < 65; x++) rgb.set([30, 30, 60], (y * w + x) * 3);
  const png = join(dir, 'shirt.png');
  writeFileSync(png, encodePng({ width: w, height: h, data: rgb, channels: 3, depth: 8 }));
  const rgba = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set([rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2], 255], 4 * i);
  const jpg = join(dir, 'shirt.jpg');
  writeFileSync(jpg, jpeg.encode({ width: w, height: h, data: rgba }, 90).data);
  for (const file of [png, jpg]) {
    const d = llmcore(['vision', 'describe', file, '--model', run, '--lang', 'zh', '--show']);
    assert.equal(d.status, 0, d.stderr);
    assert.match(d.stdout, /light background, inverted; object 40×44 at \(25, 8\) cropped, padded square, resized to 28×28/);
    assert.match(d.stdout, /^Q: 描述这张图片。$/m);
    assert.match(d.stdout, /^A: /m);
  }
  const c = llmcore(['vision', 'classify', png, '--model', join(root, 'models', 'fashion-vit'), '--show', '--json']);
  assert.equal(c.status, 0, c.stderr);
  const cj = JSON.parse(c.stdout) as { sure: boolean; top: { prob: number }[]; preprocessing: { inverted: boolean }[] };
  assert.equal(cj.preprocessing[0].inverted, true);
  assert.equal(cj.sure, cj.top[0].prob >= 0.5);
});

test('bad input is one line: not an image, a truncated PNG, an empty question, a language it was not trained on (more in test/cli/vision-ask.test.ts)', () => {
  const notImage = join(dir, 'notes.png');
  writeFileSync(notImage, 'just some text\n');
  const cut = join(dir, 'cut.png');
  const full = encodePng({ width: 64, height: 64, data: new Uint8Array(64 * 64).map((_, i) => (i * 7) % 256), channels: 1, depth: 8 });
  writeFileSync(cut, full.subarray(0, full.length - 30));
  const cases: [string[], RegExp][] = [
    [['vision', 'classify', notImage], /^llmcore: .*notes\.png is not a PNG or JPEG image/],
    [['vision', 'ask', cut, '--model', run, '-q', 'What is this?'], /^llmcore: .*cut\.png is a truncated or damaged PNG/],
    [['vision', 'ask', '--index', '0', '--data', data, '--model', run, '-q', '  '], /^llmcore: --question is empty/],
    [['vision', 'ask', '--index', '0', '--data', data, '--model', run, '-q', 'Was ist das?'], /^llmcore: the question "Was ist das\?" does not look like English .*English and Chinese questions only/],
  ];
  for (const [args, want] of cases) {
    const r = llmcore(args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
});
