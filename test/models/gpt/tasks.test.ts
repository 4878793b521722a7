/**
 * The multi-task GPT's prompt builders (src/models/gpt/tasks.ts) and its answer/scoring functions
 * (src/models/gpt/evaluate.ts): the chat format is the one `llmcore chat` writes, the splits are
 * seeded and disjoint, the pre-training and fine-tuning texts hold what they say, and a model taught
 * one exchange answers it back through `answer`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  chatPrompt, chatText, enZhPrompt, IRIS_ANSWERS, irisPrompt, irisSpeciesOf, multitaskExamples, parseIrisCsv,
  parseTranslationTsv, pretrainingText, shuffled, splitIris, zhEnPrompt,
} from '../../../src/models/gpt/tasks.js';
import { answer, evaluateIris, evaluateTranslation } from '../../../src/models/gpt/evaluate.js';
import { CharTokenizer } from '../../../src/models/gpt/data.js';
import { gptConfig } from '../../../src/models/gpt/config.js';
import { GptModel } from '../../../src/models/gpt/model.js';
import { GptTask, gptTrainer } from '../../../src/models/gpt/train.js';
import { DEFAULT_GPT_RECIPE } from '../../../src/models/gpt/recipe.js';
import { Generator } from '../../../src/util/random.js';

const IRIS = new URL('../../../../shared/data/iris/iris.csv', import.meta.url);

test('the chat format is the one llmcore chat writes: "User: …\\nAssistant: …" and a blank line', () => {
  assert.equal(chatText({ prompt: zhEnPrompt('我正在吃饭。'), answer: 'I am eating.' }), 'User: Translate into English: 我正在吃饭。\nAssistant: I am eating.\n\n');
  assert.equal(chatPrompt(enZhPrompt('I am eating.')), 'User: 翻译成中文：I am eating.\nAssistant:');
});

test('parseTranslationTsv reads Chinese<TAB>English, skips blank lines, names a bad line', () => {
  assert.deepEqual(parseTranslationTsv('你好。\tHello.\n\n再见。\tBye.\textra\n', 'x.tsv'), [{ zh: '你好。', en: 'Hello.' }, { zh: '再见。', en: 'Bye.' }]);
  assert.throws(() => parseTranslationTsv('你好。\tHello.\nno tab here\n', 'x.tsv'), /x\.tsv: line 2 is not "Chinese<TAB>English"/);
  assert.throws(() => parseTranslationTsv('\n', 'e.tsv'), /e\.tsv: no pairs/);
});

test('Iris: the CSV parses to 150 flowers; the held-out rows are stratified, seeded and never trained on', () => {
  const flowers = parseIrisCsv(readFileSync(IRIS, 'utf8'), 'iris.csv');
  assert.equal(flowers.length, 150);
  assert.deepEqual(flowers[0], { sepalLength: 5.1, sepalWidth: 3.5, petalLength: 1.4, petalWidth: 0.2, species: 'setosa' });
  const a = splitIris(flowers, 10, 1337);
  const b = splitIris(flowers, 10, 1337);
  const c = splitIris(flowers, 10, 7);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.test, c.test);
  assert.equal(a.test.length, 30);
  assert.equal(a.train.length, 120);
  for (const s of ['setosa', 'versicolor', 'virginica']) assert.equal(a.test.filter((f) => f.species === s).length, 10);
  for (const f of a.test) assert.ok(!a.train.includes(f));
  assert.deepEqual(a.test.slice(0, 3).map((f) => f.species), ['setosa', 'versicolor', 'virginica'], 'the species take turns');
  assert.throws(() => parseIrisCsv('sepal_length,sepal_width,petal_length,petal_width,species\n1,2,3,4,rose\n', 'bad.csv'), /bad\.csv: line 2/);
});

test('an Iris flower as text in both languages; an answer read back in either', () => {
  const f = { sepalLength: 5.1, sepalWidth: 3.5, petalLength: 1.4, petalWidth: 0.2 };
  assert.equal(irisPrompt(f, 'en'), 'Which iris is this? Sepal 5.1 cm long, 3.5 cm wide; petal 1.4 cm long, 0.2 cm wide.');
  assert.equal(irisPrompt(f, 'zh'), '这是哪种鸢尾花？花萼长5.1厘米，宽3.5厘米；花瓣长1.4厘米，宽0.2厘米。');
  assert.equal(irisSpeciesOf('Iris virginica.'), 'virginica');
  assert.equal(irisSpeciesOf(IRIS_ANSWERS.zh.versicolor), 'versicolor');
  assert.equal(irisSpeciesOf('山鸢尾或变色鸢尾'), null);
  assert.equal(irisSpeciesOf('a rose'), null);
});

test('the pre-training text holds both sides of every pair; the exchanges ask every pair both ways', () => {
  const pairs = [{ zh: '你好。', en: 'Hello.' }, { zh: '再见。', en: 'Bye.' }, { zh: '谢谢。', en: 'Thanks.' }];
  const text = pretrainingText(pairs, 1);
  for (const p of pairs) assert.ok(text.includes(`${p.zh}\n${p.en}\n`));
  assert.equal(text, pretrainingText(pairs, 1));
  const flowers = parseIrisCsv(readFileSync(IRIS, 'utf8'), 'iris.csv').slice(0, 2);
  const ex = multitaskExamples(pairs, flowers, { irisRepeats: 3, seed: 5 });
  assert.equal(ex.length, pairs.length * 2 + flowers.length * 3 * 2);
  assert.ok(ex.some((e) => e.prompt === zhEnPrompt('谢谢。') && e.answer === 'Thanks.'));
  assert.ok(ex.some((e) => e.prompt === enZhPrompt('Thanks.') && e.answer === '谢谢。'));
  assert.equal(ex.filter((e) => e.answer === IRIS_ANSWERS.zh.setosa).length, 6);
  assert.deepEqual(ex, multitaskExamples(pairs, flowers, { irisRepeats: 3, seed: 5 }));
  assert.notDeepEqual(ex, multitaskExamples(pairs, flowers, { irisRepeats: 3, seed: 6 }));
  assert.deepEqual([...shuffled([1, 2, 3, 4, 5], 3)].sort(), [1, 2, 3, 4, 5]);
});

test('answer: a GPT trained on one exchange gives it back greedily and stops at the blank line; the scores follow', async () => {
  const pairs = [{ zh: '我吃。', en: 'I eat.' }];
  const stream = chatText({ prompt: zhEnPrompt('我吃。'), answer: 'I eat.' }).repeat(60);
  const flower = { sepalLength: 5.1, sepalWidth: 3.5, petalLength: 1.4, petalWidth: 0.2, species: 'setosa' as const };
  const tokenizer = CharTokenizer.fromText(stream + irisPrompt(flower, 'en') + irisPrompt(flower, 'zh'));
  const ids = Int32Array.from(tokenizer.encode(stream));
  const g = new Generator(3);
  const model = new GptModel(gptConfig({ vocabSize: tokenizer.vocabSize, nPositions: 112, nEmbd: 32, nLayer: 1, nHead: 2, nInner: null, bosTokenId: null, eosTokenId: null }), { generator: g });
  const training = { ...DEFAULT_GPT_RECIPE.training, maxIters: 200, warmupIters: 10, lr: 1e-2, minLr: 1e-3, batchSize: 2, evalInterval: 200, evalIters: 1 };
  await gptTrainer(new GptTask(model, ids, ids, training, g)).run();
  assert.equal(answer(model, tokenizer, zhEnPrompt('我吃。')), 'I eat.');
  const t = evaluateTranslation(model, tokenizer, pairs, 'zh-en');
  assert.deepEqual(t.hypotheses, ['I eat.']);
  assert.equal(t.bleu, 0); // one sentence of two words has no 3- or 4-gram: BLEU is 0 without smoothing
  assert.equal(t.chrf, 100);
  // a model that never saw a flower names no species: accuracy 0, each answer read back as it was given
  const iris = evaluateIris(model, tokenizer, [flower]);
  assert.equal(iris.answers.length, 2);
  assert.deepEqual(iris.answers.map((a) => a.lang), ['en', 'zh']);
  for (const a of iris.answers) assert.equal(a.predicted, irisSpeciesOf(a.answer));
  assert.equal(iris.accuracy.all, iris.answers.filter((a) => a.predicted === 'setosa').length / 2);
});

test('answer: a prompt longer than the context loses its start (as in llmcore chat) instead of failing', () => {
  const prompt = zhEnPrompt('我正在吃饭。'.repeat(10));
  const tokenizer = CharTokenizer.fromText(chatPrompt(prompt) + '\n');
  const model = new GptModel(gptConfig({ vocabSize: tokenizer.vocabSize, nPositions: 16, nEmbd: 8, nLayer: 1, nHead: 2, nInner: null, bosTokenId: null, eosTokenId: null }), { generator: new Generator(1) });
  assert.ok(tokenizer.encode(chatPrompt(prompt)).length > 16);
  const a = answer(model, tokenizer, prompt, 5);
  assert.equal(typeof a, 'string');
  assert.ok([...a].length <= 5, JSON.stringify(a));
  assert.equal(answer(model, tokenizer, prompt, 5), a, 'greedy: the same answer again');
});
