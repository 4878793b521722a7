// Chapter 4 in Chromium: the shipped model is fetched and built in the worker, 我正在吃饭 translates
// with each step's top 5 (greedy and beam) and every attention map (per layer and head), Traditional
// input is normalised, 10,000 characters and an empty box show messages; no console errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromiumSkip, openPage, screenshot, startPlayground, waitReady } from './harness.js';

const noModel = existsSync('models/zh-en/model.safetensors') ? false : 'models/zh-en is not in this checkout';

test('the translator translates 我正在吃饭 and shows its steps and attention', { skip: chromiumSkip() || noModel, timeout: 90_000 }, async () => {
  const pl = await startPlayground();
  const { page, errors, close } = await openPage(`${pl.url}?page=04-translator&lang=en&q=${encodeURIComponent('我正在吃饭')}`);
  try {
    await waitReady(page);
    await page.waitForSelector('[data-testid="tr-output"][data-done]', { timeout: 60_000 });
    const translation = (await page.textContent('[data-testid="translation"]')) ?? '';
    assert.match(translation, /eat/i, `translation: ${translation}`);
    // each step: the chosen piece and five candidates with probabilities
    const steps = await page.$$eval('[data-testid="steps-greedy"] tr', (rows) => rows.slice(1).map((r) => r.textContent ?? ''));
    assert.ok(steps.length >= 3, `greedy steps: ${steps.length}`);
    assert.match(steps[0], /0\.\d{3}.*0\.\d{3}/);
    assert.ok((await page.$$('[data-testid="steps-beam"] tr')).length >= 3);
    // attention: the default map is the last decoder layer's cross-attention, heads averaged: rows of English, columns of 我 正 在 吃 饭
    const cols = await page.$$eval('[data-testid="att-map"] .pg-col-label', (e) => e.map((x) => x.textContent));
    assert.deepEqual(cols, ['我', '正', '在', '吃', '饭']);
    const cells = await page.$$('[data-testid="att-map"] rect');
    assert.ok(cells.length >= 5 * 3, `cells: ${cells.length}`);
    assert.equal((await page.$$('[data-testid="attention-heads"] svg')).length, 4, 'one map per head');
    await page.hover('[data-testid="tr-output"] .pg-tgt[data-i="2"]');
    assert.match((await page.textContent('[data-testid="att-hover"]')) ?? '', /“eating” → /);
    await screenshot(page, '04-translator');
    await page.selectOption('[data-testid="att-kind"]', 'encoderSelf');
    await page.selectOption('[data-testid="att-layer"]', { value: '0' });
    await page.selectOption('[data-testid="att-head"]', { value: '2' });
    assert.equal(await page.$$eval('[data-testid="att-map"] rect', (e) => e.length), 25, 'encoder self-attention is 5 × 5');
    assert.equal(new URL(page.url()).searchParams.get('att'), 'encoderSelf,0,2');
    await page.hover('[data-testid="att-map"] rect[data-r="3"][data-c="3"]');
    assert.match((await page.textContent('[data-testid="att-hover"]')) ?? '', /“吃” → /);
    // Traditional input is normalised to Simplified
    await page.fill('[data-testid="zh-input"]', '我們喜歡吃蘋果。');
    await page.click('[data-testid="translate"]');
    await page.waitForFunction(() => /我们喜欢吃苹果/.test(document.querySelector('[data-testid="tr-output"]')?.textContent ?? ''));
    assert.match((await page.textContent('[data-testid="tr-output"]')) ?? '', /Traditional converted to Simplified/);
    // bad input: 10,000 characters, then nothing
    await page.fill('[data-testid="zh-input"]', '我'.repeat(10_000));
    await page.click('[data-testid="translate"]');
    await page.waitForFunction(() => /The input has 10,000 characters; this page translates at most 1,000/.test(document.querySelector('[data-testid="tr-note"]')?.textContent ?? ''));
    await page.fill('[data-testid="zh-input"]', '');
    await page.click('[data-testid="translate"]');
    await page.waitForFunction(() => /Type a Chinese sentence/.test(document.querySelector('[data-testid="tr-note"]')?.textContent ?? ''));
    assert.deepEqual(errors, []);
  } finally {
    await close();
    await pl.close();
  }
});
