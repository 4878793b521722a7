/** The long-distance task's stream (determinism, labels, distances), the timing benchmark's bookkeeping and the claims' headlines. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANIMAL_FOOD, MemoryTask } from '../../../src/models/memory/task.js';
import { distanceBatches, runDistanceExperiment, runGradientExperiment } from '../../../src/models/memory/distance.js';
import { runParallelBenchmark, sequentialDepth } from '../../../src/models/memory/parallel.js';
import { distanceClaim, distanceHeadline, gradientClaim, gradientHeadline, parallelClaim, parallelHeadline, sequenceHeadlines } from '../../../src/models/memory/claims.js';

const FOOD = new Map(ANIMAL_FOOD.map(([a, f]) => [a, f]));

test('the training stream: the same seed gives the same batches, another seed others; every answer is the food of the story\'s animal', () => {
  const task = new MemoryTask({ bindings: 1 });
  for (const draw of ['log-uniform', 'uniform'] as const) {
    const a = distanceBatches(task, 4, 50, draw, 3);
    const b = distanceBatches(task, 4, 50, draw, 3);
    const c = distanceBatches(task, 4, 50, draw, 4);
    const ds: number[] = [];
    let differs = false;
    for (let s = 0; s < 40; s++) {
      const x = a.next().value;
      const y = b.next().value;
      const z = c.next().value;
      assert.deepEqual(x, y);
      if (x.distance !== z.distance || x.ids.some((v, i) => v !== z.ids[i])) differs = true;
      assert.ok(x.distance >= 0 && x.distance <= 50);
      assert.equal(x.T, task.length(x.distance));
      ds.push(x.distance);
      for (let i = 0; i < x.B; i++) {
        const words = Array.from(x.ids.subarray(i * x.T, (i + 1) * x.T), (id) => task.vocab.token(id));
        // "<name> is a <animal> ." … "<name> 's favorite food is"
        assert.equal(words[1], 'is');
        assert.equal(words[0], words[x.T - 5]);
        assert.deepEqual(words.slice(-4), ["'s", 'favorite', 'food', 'is']);
        assert.equal(task.vocab.token(x.answers[i]), FOOD.get(words[3]));
        for (const w of words.slice(5, x.T - 5)) assert.ok(!FOOD.has(w) && ![...FOOD.values()].includes(w), `filler word ${w}`);
      }
    }
    assert.ok(differs, `${draw}: another seed, other stories`);
    const short = ds.filter((d) => d <= Math.sqrt(50)).length;
    if (draw === 'log-uniform') assert.ok(short >= 12, `log-uniform: about half short, got ${short}/40`);
    else assert.ok(short <= 20, `uniform: mostly long, got ${short}/40 short`);
  }
});

test('a tiny distance run and gradient run: one accuracy row per seed, mean/min/max consistent; curves as long as asked', async () => {
  const r = await runDistanceExperiment({ models: ['rnn', 'lstm'], seeds: [0, 1], steps: 3, batchSize: 4, maxD: 10, distances: [0, 5, 30], testExamples: 8 });
  assert.equal(r.models.length, 2);
  for (const m of r.models) {
    assert.equal(m.accuracy.length, 2);
    m.mean.forEach((v, i) => {
      assert.ok(m.min[i] <= v + 1e-12 && v <= m.max[i] + 1e-12);
      assert.ok(Math.abs(v - (m.accuracy[0][i] + m.accuracy[1][i]) / 2) < 1e-12);
    });
  }
  // the same options give the same accuracies
  const again = await runDistanceExperiment({ models: ['rnn'], seeds: [0, 1], steps: 3, batchSize: 4, maxD: 10, distances: [0, 5, 30], testExamples: 8 });
  assert.deepEqual(again.models[0].accuracy, r.models[0].accuracy);
  const c = distanceClaim(r, 'llmcore memory distance --steps 3');
  assert.match(distanceHeadline(c), /^Forgetting, behaviourally: .* right at d = 0 → 30, 2 seeds, 3 steps × 4 stories each: RNN \d+%.* → \d+%.*; LSTM .*\(chance 12\.5%\)\.$/);
  await assert.rejects(runDistanceExperiment({ seeds: [] }), /memory distance: no seeds/);

  const g = await runGradientExperiment({ models: ['rnn', 'lstm'], steps: 2, batchSize: 4, maxD: 5, maxLag: 60, stories: 2 });
  for (const m of g.models) {
    assert.equal(m.untrained.length, 61);
    assert.equal(m.trained.length, 61);
  }
  assert.equal(g.models[1].forgetGate!.retained.length, 61);
  // the animal at the longest lag makes a story 4 words longer than the positional probe: the Transformer's context holds it
  const t = await runGradientExperiment({ models: ['transformer'], steps: 0, maxLag: 20, stories: 2 });
  assert.deepEqual(t.models[0].animalLags, [6, 10, 20]);
  assert.equal(t.models[0].animalUntrained.length, 3);
  assert.deepEqual(t.models[0].animalTrained, []);
  const gc = gradientClaim(g, 'x');
  assert.deepEqual(gc.lags, [0, 1, 2, 5, 10, 20, 50]);
  const rnn = gc.models[0];
  assert.equal(rnn.trained[0], Number(g.models[0].trained[0].toPrecision(3)));
  // the animal word's curve: at lags 6 (no filler) … 50, the word the answer needs
  assert.deepEqual(gc.animalLags, [6, 10, 20, 50]);
  assert.equal(g.models[0].animalTrained.length, 4);
  const line = gradientHeadline(gc);
  const e = (v: number) => v.toExponential(0).replace('e+', 'e');
  assert.ok(line.startsWith('Forgetting, directly: ‖∂h_T/∂x‖ of the animal word 6 → 20 → 50 words back (trained 2 steps): '), line);
  assert.ok(line.includes(`RNN ${e(rnn.animalTrained[0])} → ${e(rnn.animalTrained[2])} → ${e(rnn.animalTrained[3])}; LSTM`), line);
});

test('the timing benchmark: every model at every shape, per-sequence = per-step / B, the counted depth', async () => {
  assert.equal(sequentialDepth('rnn', 100, 1), 102);
  assert.equal(sequentialDepth('lstm', 7, 2), 17);
  assert.equal(sequentialDepth('transformer', 100, 2), 13);
  assert.equal(sequentialDepth('transformer', 1000, 2), 13);
  const r = await runParallelBenchmark({ models: ['rnn', 'transformer'], lengths: [4, 8], largeBatch: 3, largeBatchLengths: [4], repeats: 2, vocab: 10 });
  assert.deepEqual(r.rows.map((x) => `${x.kind}:${x.B}:${x.T}`), ['rnn:1:4', 'transformer:1:4', 'rnn:1:8', 'transformer:1:8', 'rnn:3:4', 'transformer:3:4']);
  for (const x of r.rows) {
    assert.ok(x.msPerStep > 0 && x.minMs <= x.msPerStep && x.msPerStep <= x.maxMs);
    assert.ok(Math.abs(x.msPerSequence - x.msPerStep / x.B) < 1e-12);
  }
  r.load = { before: [1.5, 1, 1], after: [2, 1, 1] };
  const line = parallelHeadline(parallelClaim(r, 'x'));
  assert.match(line, /^Parallel training \(2 shared cores, load average 1\.5; relative\): per sequence the Transformer is [\d.]+× (faster|slower) than the RNN at batch 1, T = 8, and [\d.]+× (faster|slower) at batch 3, T = 4; critical path 10 vs 13 matrix products at T = 8\.$/);
  assert.deepEqual(sequenceHeadlines({}), []);
  assert.equal(sequenceHeadlines({ parallel: parallelClaim(r, 'x') }).length, 1);
});
