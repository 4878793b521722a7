/**
 * A model directory's config.json is checked before it sizes anything: every field has a bound (the
 * message names the file and the field), and the sizes the weights pin down are compared with
 * model.safetensors' header before the model is built — for translators and language models.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/backend/js/index.js';
import { loadTranslator, saveTranslator } from '../../src/models/seq2seq/checkpoint.js';
import { loadLm, saveLm } from '../../src/models/lm/checkpoint.js';
import { WordLM, type WordLMConfig } from '../../src/models/lm/model.js';
import { LmTokenizer } from '../../src/models/lm/tokenizer.js';
import { Generator } from '../../src/util/random.js';
import { tempDir, tinyTranslator } from '../decode/tiny-translator.js';

const root = tempDir('model-dirs-');
const tiny = tinyTranslator();
const good = join(root, 'translator');
await saveTranslator(good, { model: tiny.model, tokenizer: tiny.tokenizer, config: tiny.config });

/** A copy of `from` whose config.json has `edit` applied. */
function edited(from: string, name: string, edit: (c: Record<string, any>) => void, file = 'config.json'): string {
  const dir = join(root, name);
  cpSync(from, dir, { recursive: true });
  const c = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  edit(c);
  writeFileSync(join(dir, file), JSON.stringify(c));
  return dir;
}

test('translator: out-of-bound config fields are refused up front, naming the file, the field and why', async () => {
  const cases: [string, (c: Record<string, any>) => void, RegExp][] = [
    ['ff', (c) => (c.model.dimFeedforward = 1_000_000), /config\.json: model\.dimFeedforward must be an integer from 1 to 65536, got 1000000/],
    ['maxlen', (c) => (c.model.maxLen = 1e9), /config\.json: model\.maxLen must be an integer from 2 to 4096 \(the positional table/],
    ['heads', (c) => (c.model.nhead = 3), /model\.dModel 32 is not divisible by model\.nhead 3/],
    ['drop', (c) => (c.model.dropout = -1), /model\.dropout must be a number from 0 to 0\.99, got -1/],
    ['act', (c) => (c.model.activation = 'swish'), /model\.activation must be relu or gelu, got "swish"/],
    ['beam', (c) => (c.decoding.beam = 1e9), /decoding\.beam must be an integer from 1 to \d+ \(a beam wider than/],
    ['lp', (c) => (c.decoding.lengthPenalty = 'big'), /decoding\.lengthPenalty must be a number from 0 to 10, got "big"/],
    ['vocab', (c) => (c.model.srcVocab = 1.5), /model\.srcVocab must be an integer/],
  ];
  for (const [name, edit, message] of cases) {
    await assert.rejects(loadTranslator(edited(good, name, edit)), message, name);
  }
});

test('translator: a config that disagrees with the weights is refused before the model is built', async () => {
  // within bounds, but 16384 × 32 floats per layer the weights do not hold: the header says so first
  await assert.rejects(loadTranslator(edited(good, 'ff-header', (c) => (c.model.dimFeedforward = 16384))),
    /model\.safetensors does not fit .*config\.json: shape mismatch for 'transformer\.encoder\.layers\.0\.linear1\.weight': model\.dimFeedforward and model\.dModel in the config make it \[16384, 32\], the weights have \[64, 32\]/);
  await assert.rejects(loadTranslator(edited(good, 'layers', (c) => (c.model.numDecoderLayers = 3))),
    /model\.numDecoderLayers is 3 but the weights hold 1 decoder layers/);
  await assert.rejects(loadTranslator(edited(good, 'width', (c) => (c.model.dModel = 64))), /shape mismatch for 'src_emb\.weight'/);
  const t = await loadTranslator(good);
  assert.equal(t.config.model.dimFeedforward, 64);
});

test('tokenizer.json: source and target lengths are bounded', async () => {
  await assert.rejects(loadTranslator(edited(good, 'srclen', (c) => (c.config.maxSourceLen = 1e9), 'tokenizer.json')),
    /tokenizer\.json: config\.maxSourceLen must be an integer from 1 to 4096/);
});

async function lmDir(name: string, config: WordLMConfig): Promise<string> {
  const tokenizer = LmTokenizer.train('the cat sat on the mat.\nthe dog sat on the log.\n');
  const model = new WordLM({ ...config, vocabSize: tokenizer.size }, { generator: new Generator(1) });
  const dir = join(root, name);
  mkdirSync(dir);
  await saveLm(dir, { model, tokenizer, config: { format: 'llmcore-lm', version: 1, model: model.config } });
  return dir;
}

test('lm: bounded fields, and the config compared with the weights before the model is built', async () => {
  const lstm = await lmDir('lstm', { kind: 'lstm', vocabSize: 1, embDim: 8, hiddenSize: 12, numLayers: 2 });
  assert.equal((await loadLm(lstm)).model.kind, 'lstm');
  await assert.rejects(loadLm(edited(lstm, 'lm-h', (c) => (c.model.hiddenSize = 1e9))), /lm: .*config\.json: model\.hiddenSize must be an integer from 1 to 8192, got 1000000000/);
  await assert.rejects(loadLm(edited(lstm, 'lm-h2', (c) => (c.model.hiddenSize = 4096))),
    /does not fit .*shape mismatch for 'rnn\.weight_hh_l0': model\.kind and model\.hiddenSize in the config make it \[16384, 4096\], the weights have \[48, 12\]/);
  await assert.rejects(loadLm(edited(lstm, 'lm-kind', (c) => (c.model.kind = 'gru'))), /shape mismatch for 'rnn\.weight_hh_l0'/);
  await assert.rejects(loadLm(edited(lstm, 'lm-layers', (c) => (c.model.numLayers = 3))), /model\.numLayers is 3 but the weights hold 2 layers/);
  const tf = await lmDir('tf', { kind: 'transformer', vocabSize: 1, embDim: 8, nhead: 2, numLayers: 1, dimFeedforward: 16, context: 8 });
  assert.equal((await loadLm(tf)).model.kind, 'transformer');
  await assert.rejects(loadLm(edited(tf, 'tf-ctx', (c) => (c.model.context = 1e9))), /model\.context must be an integer from 1 to 4096 \(the positional table/);
  await assert.rejects(loadLm(edited(tf, 'tf-ff', (c) => (c.model.dimFeedforward = 60000))), /shape mismatch for 'transformer_encoder\.layers\.0\.linear1\.weight'/);
  await assert.rejects(loadLm(edited(tf, 'tf-heads', (c) => (c.model.nhead = 3))), /config\.json: WordLM: embDim 8 is not divisible by nhead 3/);
});
