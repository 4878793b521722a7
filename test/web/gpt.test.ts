// Chapter 6 in Chromium: the page's small GPT trains in a worker; the next-word softmax is drawn and
// redrawn as temperature, top-k and top-p move (temperature 0 leaves one word, top-k 3 three); Sample
// writes a continuation; an empty prompt shows a message; no console errors; a screenshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumSkip, openPage, screenshot, startPlayground, waitReady } from './harness.js';

test('GPT sampling: the softmax redraws with the sliders, Sample writes', { skip: chromiumSkip(), timeout: 90_000 }, async () => {
  const pl = await startPlayground();
  const { page, errors, close } = await openPage(`${pl.url}?page=06-gpt&lang=en&epochs=4`);
  try {
    await waitReady(page);
    await page.waitForSelector('[data-testid="gpt-status"][data-done="true"]', { timeout: 60_000 });
    await page.waitForSelector('[data-testid="dist-shaped"] .pg-bar-row');
    const kept = async (): Promise<number> => Number(await page.$eval('.pg-two[data-kept]', (e) => e.getAttribute('data-kept')));
    const all = await kept();
    assert.ok(all > 50, `every word can be drawn at temperature 1: ${all}`);
    await page.$eval('[data-testid="topk"]', (e) => { (e as HTMLInputElement).value = '3'; e.dispatchEvent(new Event('input')); });
    assert.equal(await kept(), 3);
    await page.$eval('[data-testid="temp"]', (e) => { (e as HTMLInputElement).value = '0'; e.dispatchEvent(new Event('input')); });
    assert.equal(await kept(), 1, 'temperature 0 is greedy');
    assert.equal(new URL(page.url()).searchParams.get('temp'), '0');
    await page.$eval('[data-testid="temp"]', (e) => { (e as HTMLInputElement).value = '1'; e.dispatchEvent(new Event('input')); });
    await page.click('[data-testid="sample"]');
    await page.waitForSelector('[data-testid="gpt-text"][data-samples="1"]');
    assert.match((await page.textContent('[data-testid="gpt-text"]')) ?? '', /^Apple is \S/);
    await screenshot(page, '06-gpt');
    await page.fill('[data-testid="gpt-prompt"]', '');
    await page.waitForFunction(() => /the prompt is empty/.test(document.querySelector('[data-testid="gpt-note"]')?.textContent ?? ''));
    assert.deepEqual(errors, []);
  } finally {
    await close();
    await pl.close();
  }
});
