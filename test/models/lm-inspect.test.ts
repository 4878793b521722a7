// traceWordLM against the word LM's own path: the last step's distribution is nextDistribution's, and
// every step's is the model's forward at that position.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WordLM } from '../../src/models/lm/model.js';
import { traceWordLM } from '../../src/models/lm/inspect.js';
import { nextDistribution } from '../../src/models/lm/predict.js';
import { Generator } from '../../src/util/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { softmax } from '../../src/ops/nn.js';

for (const kind of ['rnn', 'lstm', 'gru'] as const) {
  test(`traceWordLM (${kind}) gives the model's next-word distribution after every word`, () => {
    const lm = new WordLM({ kind, vocabSize: 30, embDim: 8, hiddenSize: 12, numLayers: 2 }, { generator: new Generator(1) });
    lm.eval();
    const ids = [2, 5, 9, 11, 4];
    const tr = traceWordLM(lm, ids);
    assert.equal(tr.V, 30);
    assert.equal(tr.probs.length, 5 * 30);
    const last = nextDistribution(lm, ids);
    for (let v = 0; v < 30; v++) assert.ok(Math.abs(tr.probs[4 * 30 + v] - last[v]) < 1e-5);
    const all = softmax(lm.forward(new Tensor(Int32Array.from(ids), [1, 5])).logits.reshape([5, 30]), -1).toFloat32Array();
    for (let i = 0; i < all.length; i++) assert.ok(Math.abs(tr.probs[i] - all[i]) < 1e-5);
  });
}

test('traceWordLM refuses a Transformer, no words, and ids outside the vocabulary', () => {
  const t = new WordLM({ kind: 'transformer', vocabSize: 10, embDim: 8, nhead: 2 });
  assert.throws(() => traceWordLM(t, [1]), /a transformer has no recurrent state/);
  const r = new WordLM({ kind: 'lstm', vocabSize: 10, embDim: 8, hiddenSize: 8 });
  assert.throws(() => traceWordLM(r, []), /no words/);
  assert.throws(() => traceWordLM(r, [10]), /id 10 is outside the vocabulary of 10/);
});
