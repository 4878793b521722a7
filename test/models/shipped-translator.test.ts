/**
 * The translator users get (models/zh-en, loaded from disk by the real command): 我正在吃饭 → "I'm
 * eating." greedy, with a beam and with the model's own default; and a BLEU floor on a fixed slice of
 * the Tatoeba dev split, so a corrupt or retrained-worse model cannot ship unnoticed. The floor sits a
 * few points under the 30.3 measured for the shipped model (greedy, first 100 dev pairs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { llmcore, SHARED, SHIPPED_MODEL, tempDir } from '../helpers/cli.js';
import { missingFixture } from '../helpers/fixtures.js';

const DEV = join(SHARED, 'data', 'tatoeba-cmn-eng', 'dev.tsv');
const SLICE = 100;
const BLEU_FLOOR = 27;

for (const [how, flags] of [['greedy', ['--greedy']], ['beam 4', ['--beam', '4']], ['its default decoding', []]] as const) {
  test(`the shipped model translates 我正在吃饭 as "I'm eating." (${how})`, (t) => {
    if (missingFixture(t, join(SHIPPED_MODEL, 'model.safetensors'))) return;
    const r = llmcore(['translate', '我正在吃饭', ...flags, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { translation: "I'm eating." });
  });
}

test(`the shipped model scores BLEU ≥ ${BLEU_FLOOR} on the first ${SLICE} Tatoeba dev pairs (greedy)`, (t) => {
  if (missingFixture(t, join(SHIPPED_MODEL, 'model.safetensors')) || missingFixture(t, DEV)) return;
  const slice = join(tempDir('llmcore-shipped-'), 'dev-slice.tsv');
  writeFileSync(slice, readFileSync(DEV, 'utf8').split('\n').slice(0, SLICE).join('\n') + '\n');
  const r = llmcore(['eval', 'translate', '--data', slice, '--greedy', '--json'], { timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const { bleu, sentences } = JSON.parse(r.stdout) as { bleu: number; sentences: number };
  assert.equal(sentences, SLICE);
  t.diagnostic(`BLEU ${bleu.toFixed(2)} on ${SLICE} dev pairs`);
  assert.ok(bleu >= BLEU_FLOOR, `BLEU ${bleu.toFixed(2)} < ${BLEU_FLOOR}`);
});
