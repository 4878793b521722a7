// The translator's per-head attention pass (src/models/seq2seq/inspect.ts) against the model's own
// forward, and the bytes loader (src/models/seq2seq/from-bytes.ts) against the disk loader on the
// shipped model: same weights, same translation of 我正在吃饭.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { Seq2SeqTransformer } from '../../src/models/seq2seq/model.js';
import { translationAttention } from '../../src/models/seq2seq/inspect.js';
import { translatorFromBytes } from '../../src/models/seq2seq/from-bytes.js';
import { translate } from '../../src/models/seq2seq/translate.js';
import { Generator } from '../../src/util/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import type { AttentionRecord } from '../../src/nn/transformer.js';

for (const normFirst of [false, true]) {
  test(`translationAttention (${normFirst ? 'pre' : 'post'}-LN): the model's logits, and head means equal to the layers' own records`, () => {
    const m = new Seq2SeqTransformer({ srcVocab: 20, tgtVocab: 25, dModel: 16, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 32, normFirst }, { generator: new Generator(2) });
    m.eval();
    const src = [5, 9, 12, 7];
    const tgt = [4, 8, 2];
    const a = translationAttention(m, src, tgt);
    const srcT = new Tensor(Int32Array.from(src), [1, 4]);
    const tgtIn = new Tensor(Int32Array.from([1, ...tgt]), [1, 4]);
    const ref = m.forward(srcT, tgtIn).reshape([4, 25]).toFloat32Array();
    const got = a.logits.toFloat32Array();
    for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(ref[i] - got[i]) < 1e-4, `logit ${i}`);
    const rec: AttentionRecord = { self: [], cross: [] };
    const enc = m.encode(srcT, rec);
    const decRec: AttentionRecord = { self: [], cross: [] };
    m.decode(tgtIn, enc, decRec);
    const mean = (maps: number[][][]): number[] => {
      const H = maps.length;
      return maps[0].flatMap((row, r) => row.map((_, c) => maps.reduce((s, h) => s + h[r][c], 0) / H));
    };
    const check = (mine: number[][][][], theirs: Tensor[], what: string): void => {
      assert.equal(mine.length, 2, `${what}: layers`);
      mine.forEach((layer, l) => {
        assert.equal(layer.length, 4, `${what}: heads`);
        const want = theirs[l].toFloat32Array();
        mean(layer).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5, `${what} layer ${l} [${i}]`));
        for (const head of layer) for (const row of head) assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-4);
      });
    };
    check(a.encoderSelf, rec.self, 'encoder self');
    check(a.decoderSelf, decRec.self, 'decoder self');
    check(a.cross, decRec.cross, 'cross');
    // the decoder cannot look ahead
    for (const head of a.decoderSelf[0]) for (let r = 0; r < 4; r++) for (let c = r + 1; c < 4; c++) assert.equal(head[r][c], 0);
  });
}

test('translatorFromBytes loads the shipped model as loadTranslator does: 我正在吃饭 translates the same', { skip: existsSync('models/zh-en/model.safetensors') ? false : 'models/zh-en is not here' }, async () => {
  const { loadTranslator } = await import('../../src/models/seq2seq/checkpoint.js');
  const disk = await loadTranslator('models/zh-en');
  const t = translatorFromBytes(readFileSync('models/zh-en/config.json'), readFileSync('models/zh-en/tokenizer.json'), readFileSync('models/zh-en/model.safetensors'));
  const [a] = translate(disk.model, disk.tokenizer, ['我正在吃饭'], { beam: 1 });
  const [b] = translate(t.model, t.tokenizer, ['我正在吃饭'], { beam: 1 });
  assert.equal(b.translation, a.translation);
  assert.match(b.translation, /eat/i);
});

test('translatorFromBytes names the file at fault', () => {
  assert.throws(() => translatorFromBytes('{', '{}', new Uint8Array(8)), /config\.json: not JSON/);
  assert.throws(() => translatorFromBytes('{"format":"x"}', '{}', new Uint8Array(8)), /config\.json: not an llmcore translator/);
  assert.throws(() => translatorFromBytes('{"format":"llmcore-translator","version":1,"model":{"srcVocab":10,"tgtVocab":10,"maxLen":1e9}}', '{}', new Uint8Array(8)), /model\.maxLen must be an integer from 2 to 4096/);
  const cfg = readFileSync('models/zh-en/config.json');
  const tok = readFileSync('models/zh-en/tokenizer.json');
  assert.throws(() => translatorFromBytes(cfg, tok, new Uint8Array(4)), /model\.safetensors: /);
});
