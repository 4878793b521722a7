/**
 * `llmcore predict --generate N` as a user runs it (child process): the continuation, now decoded
 * incrementally (KV cache / carried state), is the one the old rerun-the-window loop gives, for a
 * Transformer whose context the continuation runs past and for an LSTM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import '../../src/backend/js/index.js';
import { Generator } from '../../src/util/random.js';
import { WordLM, type LmKind } from '../../src/models/lm/model.js';
import { LmTokenizer } from '../../src/models/lm/tokenizer.js';
import { loadLm, saveLm } from '../../src/models/lm/checkpoint.js';
import { LM_FORMAT } from '../../src/models/lm/config.js';
import { llmcore, tempDir } from '../helpers/cli.js';
import { rerunGreedy } from '../models/lm-reference.js';

const dir = tempDir('llmcore-lm-generate-');

/** A model directory holding a seeded, untrained LM over the words w0 … w29 that never ends a line. */
async function modelDir(kind: LmKind): Promise<string> {
  const tokenizer = LmTokenizer.train(Array.from({ length: 30 }, (_, i) => `w${i}`).join(' '));
  const config = { kind, vocabSize: tokenizer.size, embDim: 16, hiddenSize: 16, numLayers: 2, nhead: 2, dimFeedforward: 32, context: 8 };
  const model = new WordLM(config, { generator: new Generator(3) });
  (model.decoder.bias!.data as Float32Array)[2] = -50; // <eos>: so that the continuation runs its full length
  const out = join(dir, kind);
  await saveLm(out, { model, tokenizer, config: { format: LM_FORMAT, version: 1, model: config } });
  return out;
}

for (const kind of ['transformer', 'lstm'] as const) {
  test(`predict --model DIR --generate 30 (${kind}): the continuation the old rerun-the-window loop gives`, async () => {
    const out = await modelDir(kind);
    const r = llmcore(['predict', 'w1 w2 w3', '--model', out, '--generate', '30', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'the current spelling: no notice');
    const got = JSON.parse(r.stdout) as { continuation: string[] };
    const lm = await loadLm(out);
    lm.model.eval();
    assert.equal(got.continuation.length, 30);
    assert.deepEqual(got.continuation, rerunGreedy(lm.model, lm.tokenizer, 'w1 w2 w3', 30));
  });
}
