/**
 * The image-and-question model's parts: scenes and the questions and answers about them, the
 * tokenizer both languages share, the decoder's input layout, greedy decoding with a KV cache against
 * the teacher-forced pass, the warm start from a ViT, and a tiny model learning one question.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../../src/tensor/tensor.js';
import { noGrad } from '../../../src/autograd/grad-mode.js';
import { Generator } from '../../../src/util/random.js';
import { Adam } from '../../../src/optim/adam.js';
import { allQA, answerText, composeScene, decodeText, encodeText, questionLanguage, splitWords, SEP, PAD, EOS } from '../../../src/models/vision/scenes.js';
import { DEFAULT_VQA_CONFIG, encodeQA, VqaModel, warmStartFromVit } from '../../../src/models/vision/vqa.js';
import { DEFAULT_VIT_CONFIG, VisionTransformer } from '../../../src/models/vision/model.js';
import { summarize, type QAResult } from '../../../src/models/vision/vqa-train.js';

const tiny = { ...DEFAULT_VQA_CONFIG, dModel: 16, nhead: 2, encoderLayers: 1, decoderLayers: 1, dimFeedforward: 32 };

test('scenes: four images tile the 56×56 picture in reading order (one is centred); answers in the language of the question', () => {
  const pixels = new Uint8Array(4 * 784);
  for (let i = 0; i < 4; i++) pixels.fill(10 * (i + 1), i * 784, (i + 1) * 784);
  const s = composeScene(pixels, [7, 8, 0, 9], [0, 1, 2, 3]);
  assert.deepEqual([s.pixels[0], s.pixels[28], s.pixels[28 * 56], s.pixels[56 * 56 - 1]], [10, 20, 30, 40]);
  const one = composeScene(pixels, [7, 8, 0, 9], [1]);
  assert.deepEqual([one.pixels[13 * 56 + 13], one.pixels[14 * 56 + 14], one.pixels[41 * 56 + 41], one.pixels[42 * 56 + 42]], [0, 20, 20, 0]);
  assert.equal(answerText('describe', 'en', s.items), 'A sneaker, a bag, a T-shirt and an ankle boot.');
  assert.equal(answerText('describe', 'zh', s.items), '图中有一双运动鞋、一个包、一件T恤和一双短靴。');
  assert.equal(answerText('position', 'zh', s.items, 3), '右下角是一双短靴。');
  assert.equal(answerText('what', 'zh', one.items), '这是一个包。');
  assert.equal(answerText('exists', 'zh', s.items, 1), '没有。');
  assert.equal(answerText('exists', 'en', s.items, 8), 'Yes.');
});

test('the tokenizer: every question and answer of every kind round-trips through word ids, both languages', () => {
  const g = new Generator(5);
  const pixels = new Uint8Array(10 * 784);
  const labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  for (let a = 0; a < 10; a++) for (const idx of [[a, (a + 1) % 10, (a + 4) % 10, (a + 9) % 10], [a]]) {
    for (const qa of allQA(composeScene(pixels, labels, idx), g)) {
      for (const text of [qa.question, qa.answer]) assert.ok(splitWords(text).every((w) => w.known), text);
      assert.equal(decodeText(encodeText(qa.answer)), qa.answer);
    }
  }
  assert.deepEqual(splitWords('有T恤吗？').map((w) => w.word), ['有', 't恤', '吗', '?']);
  assert.deepEqual(splitWords('Is there a bagel?').map((w) => [w.word, w.known]), [['is', true], ['there', true], ['a', true], ['bagel', false], ['?', true]]);
  assert.deepEqual(['什么?', 'What?', 'Что это?'].map(questionLanguage), ['zh', 'en', null]);
});

test('encodeQA: the question left-padded to Q, then <sep>, the answer and <eos>; targets only on the answer', () => {
  const c = { ...tiny, maxQuestion: 4, maxAnswer: 3 };
  const { input, target } = encodeQA(c, [10, 11], [20, 21]);
  assert.deepEqual(input, [PAD, PAD, 10, 11, SEP, 20, 21]);
  assert.deepEqual(target, [PAD, PAD, PAD, PAD, 20, 21, EOS]);
  assert.throws(() => encodeQA(c, [1, 2, 3, 4, 5]), /the question has 5 words; the model reads at most 4/);
  assert.throws(() => encodeQA(c, [1], [1, 2, 3]), /the answer has 3 words; the model writes at most 2/);
});

test('greedy decoding with the KV cache chooses what the teacher-forced pass over the same words would', () => {
  const model = new VqaModel(tiny, { generator: new Generator(2) });
  model.eval();
  const g = new Generator(4);
  const images = new Tensor(Float32Array.from({ length: 2 * 56 * 56 }, () => g.normal()), [2, 56, 56]);
  noGrad(() => {
    const memory = model.encode(images);
    const prefixes = [encodeQA(tiny, encodeText('What is this?')).input, encodeQA(tiny, encodeText('描述这张图片。')).input];
    const answers = model.greedy(memory, prefixes, [0, 1]);
    for (let b = 0; b < 2; b++) {
      const row = [...prefixes[b], ...answers[b]];
      const logits = model.decode(memory, new Tensor(Int32Array.from(row), [1, row.length]), [b]);
      const chosen = Array.from(logits.argmax(2).contiguousData(), Number).slice(prefixes[b].length - 1);
      // each generated word is the argmax after the words before it; then <eos> (or the length limit)
      assert.deepEqual(chosen.slice(0, answers[b].length), answers[b]);
      if (answers[b].length < tiny.maxAnswer - 1) assert.equal(chosen[answers[b].length], EOS);
    }
  });
});

test('warmStartFromVit copies the patch embedding and encoder layers, and tiles the ViT positions over the quarters (each quarter its own offset)', () => {
  const vit = new VisionTransformer({ ...DEFAULT_VIT_CONFIG, patchSize: 7, dModel: 16, nhead: 2, numLayers: 1, dimFeedforward: 32 }, { generator: new Generator(1) });
  const vqa = new VqaModel(tiny, { generator: new Generator(2) });
  const copied = warmStartFromVit(vqa, vit.stateDict(), 28, new Generator(3));
  assert.ok(copied.includes('patch_embed.weight') && copied.includes('encoder.layers.0.self_attn.in_proj_weight') && copied.includes('pos_embed'));
  assert.deepEqual(Array.from(vqa.patch_embed.weight.data as Float32Array), Array.from(vit.patch_embed.weight.data as Float32Array));
  const pos = vqa.pos_embed.data as Float32Array;
  const at = (r: number, c: number, k: number): number => pos[(r * 8 + c) * 16 + k];
  // inside one quarter, two patches differ as the ViT's positions do
  const vp = vit.pos_embed.data as Float32Array;
  assert.ok(Math.abs((at(0, 1, 0) - at(0, 0, 0)) - (vp[16] - vp[0])) < 1e-6);
  // the same place in two quarters differs by the quarters' offsets, the same for every place
  assert.ok(Math.abs((at(0, 4, 3) - at(0, 0, 3)) - (at(2, 6, 3) - at(2, 2, 3))) < 1e-6);
  assert.ok(Math.abs(at(0, 4, 3) - at(0, 0, 3)) > 1e-4);
  const wrong = new VisionTransformer({ ...DEFAULT_VIT_CONFIG, patchSize: 7, dModel: 32, nhead: 2, numLayers: 1, dimFeedforward: 32 }, { generator: new Generator(1) });
  assert.throws(() => warmStartFromVit(new VqaModel(tiny), wrong.stateDict(), 28), /warm start: patch_embed.weight is \(32,49\) in the ViT but \(16,49\) here/);
});

test('a tiny model learns to answer one question about two scenes that differ (the loss falls, the answers come out right)', () => {
  const model = new VqaModel(tiny, { generator: new Generator(7) });
  const bright = new Float32Array(56 * 56).fill(1);
  const images = new Tensor(Float32Array.from([...new Float32Array(56 * 56).fill(-1), ...bright]), [2, 56, 56]);
  const rows = [encodeQA(tiny, encodeText('What is this?'), encodeText('A bag.')), encodeQA(tiny, encodeText('What is this?'), encodeText('A coat.'))];
  const input = new Tensor(Int32Array.from(rows.flatMap((r) => r.input)), [2, rows[0].input.length]);
  const target = new Tensor(Int32Array.from(rows.flatMap((r) => r.target)), [2, rows[0].target.length]);
  const opt = new Adam(model.parameters(), { lr: 3e-3 });
  let first = 0;
  let last = 0;
  for (let step = 0; step < 60; step++) {
    opt.zeroGrad();
    const loss = model.loss(model.decode(model.encode(images), input, [0, 1]), target);
    loss.backward();
    opt.step();
    if (step === 0) first = loss.item();
    last = loss.item();
  }
  assert.ok(last < first / 10, `loss ${first} → ${last}`);
  model.eval();
  assert.deepEqual(noGrad(() => model.answer(images, ['What is this?', '这是什么?', 'What is this?'], [0, 1, 1])).filter((_, i) => i !== 1), ['A bag.', 'A coat.']);
});

test('summarize: exact match per kind and language, per item from position questions, whole descriptions from grids only', () => {
  const r = (kind: QAResult['kind'], lang: QAResult['lang'], layout: QAResult['layout'], correct: boolean): QAResult => ({ kind, lang, layout, correct, question: '', answer: '', predicted: '', scene: 0 });
  const m = summarize([r('position', 'en', 'grid', true), r('position', 'zh', 'grid', false), r('describe', 'en', 'grid', true), r('describe', 'zh', 'single', false), r('what', 'zh', 'single', true)]);
  assert.equal(m.perItem, 0.5);
  assert.equal(m.wholeDescription, 1);
  assert.equal(m.exact, 3 / 5);
  assert.deepEqual(m.byKind['position.zh'], { accuracy: 0, count: 1 });
});
