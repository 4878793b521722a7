/**
 * training.windowSeed: a run that continues another on the same data (recipes/gpt-multitask-more.json)
 * reads other training windows than the first run did, while `seed` keeps drawing the same data splits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gptConfig } from '../../../src/models/gpt/config.js';
import { GptModel } from '../../../src/models/gpt/model.js';
import { GptTask } from '../../../src/models/gpt/train.js';
import { DEFAULT_GPT_RECIPE, resolveGptRecipe } from '../../../src/models/gpt/recipe.js';
import { Generator } from '../../../src/util/random.js';

function firstLoss(windowSeed: number | undefined): number {
  const ids = Int32Array.from({ length: 400 }, (_, i) => (i * 7 + (i % 13)) % 20);
  const model = new GptModel(gptConfig({ vocabSize: 20, nPositions: 8, nEmbd: 8, nLayer: 1, nHead: 2, nInner: null, bosTokenId: null, eosTokenId: null }), { generator: new Generator(1) });
  const task = new GptTask(model, ids, ids, { ...DEFAULT_GPT_RECIPE.training, batchSize: 2, windowSeed });
  return task.forwardBackward(0, 0).loss.item();
}

test('windowSeed changes the training windows; without it they are the seed\'s, as before', () => {
  assert.equal(firstLoss(undefined), firstLoss(DEFAULT_GPT_RECIPE.training.seed));
  assert.notEqual(firstLoss(2), firstLoss(undefined));
  assert.equal(firstLoss(2), firstLoss(2));
  assert.equal(resolveGptRecipe([{ source: 'r.json', values: { training: { windowSeed: 2 } } }]).training.windowSeed, 2);
  assert.throws(() => resolveGptRecipe([{ source: 'r.json', values: { training: { windowSeed: -1 } } }]), /r\.json: training\.windowSeed/);
});
