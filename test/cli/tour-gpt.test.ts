/**
 * The tour's GPT chapter (cli/tour-gpt.ts): skipped, and said so, when the model folder is absent;
 * otherwise one model answers the three tasks, deterministically, as a JSON-able result — on a small
 * model folder made here, and on the shipped models/gpt-multitask.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultGptDir, tourGpt } from '../../cli/tour-gpt.js';
import { gptConfig } from '../../src/models/gpt/config.js';
import { GptModel } from '../../src/models/gpt/model.js';
import { saveGpt } from '../../src/models/gpt/checkpoint.js';
import { ByteLevelBpe } from '../../src/text/byte-bpe.js';
import { Generator } from '../../src/util/random.js';

test('tourGpt: an absent model folder skips the chapter and says so', async () => {
  const lines: string[] = [];
  const r = await tourGpt((l) => lines.push(l), false, join(tmpdir(), 'llmcore-no-such-gpt'));
  assert.match(String(r.skipped), /no model at .*llmcore-no-such-gpt/);
  assert.match(lines.join('\n'), /skipped/);
});

test('tourGpt: one model folder, three tasks (zh→en of 我正在吃饭, en→zh, an Iris flower), the same answers twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmcore-tour-gpt-'));
  try {
    const tokenizer = ByteLevelBpe.train(['User: Translate into English: 我正在吃饭\nAssistant: I am eating.\n\n'], { vocabSize: 280 });
    const model = new GptModel(gptConfig({ vocabSize: tokenizer.vocabSize, nPositions: 128, nEmbd: 16, nLayer: 1, nHead: 2, nInner: null, bosTokenId: null, eosTokenId: null }), { generator: new Generator(1) });
    await saveGpt(dir, model, { files: { 'tokenizer.json': JSON.stringify(tokenizer.toJSON()) } });
    const lines: string[] = [];
    const a = await tourGpt((l) => lines.push(l), false, dir);
    const b = await tourGpt(() => {}, true, dir);
    assert.deepEqual(a, b);
    assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
    const tasks = a.tasks as { task: string; prompt: string; answer: string }[];
    assert.deepEqual(tasks.map((t) => t.task), ['zh-en', 'en-zh', 'iris', 'iris']);
    assert.match(tasks[0].prompt, /我正在吃饭/);
    assert.equal(a.parameters, model.numParameters());
    assert.match(lines.join('\n'), /User: Translate into English: 我正在吃饭\nAssistant:/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tourGpt on the shipped models/gpt-multitask: English for 我正在吃饭, Chinese for the English, a species for the flower', { skip: !existsSync(defaultGptDir()) && 'models/gpt-multitask is not in this checkout' }, async () => {
  const r = await tourGpt(() => {}, true);
  const [zhEn, enZh, irisEn, irisZh] = r.tasks as { answer: string; species?: string | null }[];
  assert.match(zhEn.answer, /^[\x20-\x7e]+$/, `zh→en answer ${JSON.stringify(zhEn.answer)} is not plain English`);
  assert.match(enZh.answer, /[\u4e00-\u9fff]/, `en→zh answer ${JSON.stringify(enZh.answer)} has no Chinese character`);
  assert.ok(irisEn.species, `the English Iris answer ${JSON.stringify(irisEn.answer)} names no species`);
  assert.ok(irisZh.species, `the Chinese Iris answer ${JSON.stringify(irisZh.answer)} names no species`);
});
