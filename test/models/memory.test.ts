/**
 * The memory experiment: the story generator (form, answers, seeds, filler that carries no answer),
 * comparable model sizes, the training stream, scoring, a tiny end-to-end run and its plot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator } from '../../src/util/random.js';
import { ANIMAL_FOOD, FILLER_SENTENCES, MemoryTask, NAMES, fillerWords, type MemoryBatch } from '../../src/models/memory/task.js';
import {
  MEMORY_SIZES, drawDistance, makeMemoryModel, runMemoryExperiment, scoreMemory, testBatches, trainingBatches,
} from '../../src/models/memory/experiment.js';
import { memorySvg } from '../../src/models/memory/plot.js';

test('a story: bindings, d filler words, the question; the answer is the food of the queried name\'s animal', () => {
  const task = new MemoryTask({ bindings: 3 });
  const g = new Generator(5);
  for (const d of [0, 1, 7, 40]) {
    const ex = task.example(g, d);
    assert.equal(ex.tokens.length, task.length(d));
    assert.equal(ex.tokens.length, 3 * 5 + d + 5);
    const names = [0, 1, 2].map((i) => ex.tokens[i * 5]);
    const animals = [0, 1, 2].map((i) => ex.tokens[i * 5 + 3]);
    for (let i = 0; i < 3; i++) assert.deepEqual(ex.tokens.slice(i * 5, i * 5 + 5), [names[i], 'is', 'a', animals[i], '.']);
    assert.equal(new Set(names).size, 3);
    assert.equal(new Set(animals).size, 3);
    assert.deepEqual(ex.tokens.slice(-4), ["'s", 'favorite', 'food', 'is']);
    const q = ex.tokens[ex.tokens.length - 5];
    assert.equal(q, ex.name);
    const animal = animals[names.indexOf(q)];
    assert.equal(ex.animal, animal);
    assert.equal(ex.answer, ANIMAL_FOOD.find(([a]) => a === animal)![1]);
    assert.deepEqual(ex.storyFoods, animals.map((a) => ANIMAL_FOOD.find(([x]) => x === a)![1]));
  }
  // the explainer's own story is one of them
  assert.ok(NAMES.includes('tom') && ANIMAL_FOOD.some(([a, f]) => a === 'cat' && f === 'fish'));
  // seeded
  assert.deepEqual(task.example(new Generator(9), 12), task.example(new Generator(9), 12));
  assert.throws(() => task.example(g, -1), /distance must be a non-negative integer/);
  assert.throws(() => new MemoryTask({ bindings: 9 }), /bindings must be an integer in \[1, 8\]/);
});

test('the filler mentions no name, animal or food, and is exactly d words', () => {
  const banned = new Set([...NAMES, ...ANIMAL_FOOD.flat()]);
  for (const s of FILLER_SENTENCES) for (const w of s.split(' ')) assert.ok(!banned.has(w), `filler word ${w}`);
  const g = new Generator(1);
  for (const d of [0, 3, 80]) assert.equal(fillerWords(g, d).length, d);
});

test('batches are ids of one length; every story word is in the vocabulary', () => {
  const task = new MemoryTask();
  const b = task.batch(new Generator(2), 10, 4);
  assert.equal(b.T, task.length(10));
  assert.equal(b.ids.length, 4 * b.T);
  assert.equal(b.storyFoods.length, 4 * task.bindings);
  assert.ok(![...b.ids].includes(3), 'no <unk>');
  for (let i = 0; i < 4; i++) assert.ok([...b.storyFoods.subarray(i * 2, i * 2 + 2)].includes(b.answers[i]));
});

test('the models have about the same number of parameters', () => {
  const V = new MemoryTask().vocab.size;
  const counts = (['rnn', 'lstm', 'gru', 'transformer'] as const).map((k) => makeMemoryModel(k, V, 100, 0).numParameters());
  const lo = Math.min(...counts);
  const hi = Math.max(...counts);
  assert.ok(hi / lo < 1.02, `parameters ${counts.join(', ')}`);
  assert.equal(MEMORY_SIZES.transformer.numLayers, 2);
  // the LSTM starts with its forget gate open (b_ih + b_hh = 1 on the f rows)
  const lstm = makeMemoryModel('lstm', V, 100, 0);
  const H = lstm.config.hiddenSize;
  const l0 = lstm.rnn!.layers[0];
  assert.equal(l0.biasIh!.data[H] + l0.biasHh!.data[H], 1);
});

test('training distances: log-uniform in [0, max d]; the stream is seeded', () => {
  const g = new Generator(3);
  const ds = Array.from({ length: 4000 }, () => drawDistance(g, 80));
  assert.ok(ds.every((d) => d >= 0 && d <= 80 && Number.isInteger(d)));
  const short = ds.filter((d) => d <= 8).length / ds.length;
  assert.ok(short > 0.4 && short < 0.6, `share of d ≤ 8: ${short}`);
  const task = new MemoryTask();
  const take = (n: number): MemoryBatch[] => { const it = trainingBatches(task, 2, 80, 0); return Array.from({ length: n }, () => it.next().value); };
  const stream = take(40);
  assert.ok(stream.every((b) => b.B === 2 && b.T === task.length(b.distance) && b.distance <= 80));
  assert.deepEqual(stream.map((b) => b.distance), take(40).map((b) => b.distance));
});

test('scoring counts the right food and any food of the story', () => {
  const task = new MemoryTask();
  const model = makeMemoryModel('rnn', task.vocab.size, 100, 0);
  // a model whose decoder always says the first story food of row 0: rig the bias
  const tests = testBatches(task, 0, 8, 0);
  const food = tests[0].storyFoods[0];
  model.decoder.bias!.data.fill(0);
  model.decoder.weight.data.fill(0);
  model.decoder.bias!.data[food] = 10;
  const s = scoreMemory(model, tests);
  const b = tests[0];
  let right = 0;
  let inStory = 0;
  for (let i = 0; i < b.B; i++) {
    if (b.answers[i] === food) right++;
    if ([...b.storyFoods.subarray(i * 2, i * 2 + 2)].includes(food)) inStory++;
  }
  assert.equal(s.accuracy, right / b.B);
  assert.equal(s.inStory, inStory / b.B);
});

test('a tiny run gives a table per model and distance, throughput rows, and the same accuracies for the same seed', async () => {
  const options = { steps: 6, distances: [0, 3], testExamples: 16, batchSize: 8, benchLengths: [8], benchSteps: 1, batchesPerEpoch: 3 };
  const r = await runMemoryExperiment(options);
  assert.deepEqual(r.models.map((m) => m.kind), ['rnn', 'lstm', 'transformer']);
  for (const m of r.models) {
    assert.equal(m.accuracy.length, 2);
    assert.equal(m.inStory.length, 2);
    assert.ok(m.accuracy.every((a, i) => a >= 0 && a <= m.inStory[i] && m.inStory[i] <= 1));
    assert.equal(m.steps, 6);
    assert.equal(m.epochs, 2);
    assert.ok(m.tokensPerSecond > 0 && m.secondsPerEpoch > 0);
  }
  assert.deepEqual(r.throughput.map((t) => [t.kind, t.T, t.sequentialSteps]), [['rnn', 8, 8], ['lstm', 8, 8], ['transformer', 8, 2]]);
  assert.deepEqual(r.chance, { binding: 0.5, food: 0.125 }); // two names per story by default
  const again = await runMemoryExperiment({ ...options, benchLengths: [] });
  assert.deepEqual(again.models.map((m) => m.accuracy), r.models.map((m) => m.accuracy));
  assert.deepEqual(again.throughput, []);
  await assert.rejects(runMemoryExperiment({ distances: [] }), /no distances/);
  await assert.rejects(runMemoryExperiment({ distances: [1.5] }), /non-negative integers/);
  await assert.rejects(runMemoryExperiment({ models: [] }), /no models/);

  const svg = memorySvg(r);
  assert.match(svg, /^<svg /);
  assert.equal((svg.match(/<polyline /g) ?? []).length, 6); // right food and a food of the story, per model
  assert.match(svg, />Transformer</);
  assert.match(svg, /chance, any food \(12\.5%\)/);
  assert.match(svg, /stroke-dasharray/);
});
