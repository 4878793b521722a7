// Chapter 3 in Chromium: both models train in the worker with a live loss curve, "Apple is" gets next-word
// bars from each, an empty prompt and a bad field show messages, the memory experiment draws the
// hidden states and the LSTM's gates as heatmaps; no console errors; a screenshot for the README.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumSkip, openPage, screenshot, startPlayground, waitReady } from './harness.js';

test('RNN vs LSTM: trains in a worker, predicts the next word, draws the memory heatmaps', { skip: chromiumSkip(), timeout: 120_000 }, async () => {
  const pl = await startPlayground();
  const { page, errors, close } = await openPage(`${pl.url}?page=03-rnn-lstm&lang=en&epochs=3&msteps=10&maxd=6&d=3`);
  try {
    await waitReady(page);
    // the page answers while the worker trains: the loss curve grows
    await page.waitForSelector('[data-testid="lm-chart"] polyline', { timeout: 30_000 });
    await page.waitForSelector('[data-testid="lm-status"][data-done="true"]', { timeout: 60_000 });
    const status = (await page.textContent('[data-testid="lm-status"]')) ?? '';
    assert.match(status, /RNN: \d+ steps.*held-out perplexity \d/);
    assert.match(status, /LSTM: \d+ steps/);
    await page.waitForSelector('[data-testid="next-lstm"] .pg-bar-row');
    const words = await page.$$eval('[data-testid="next-lstm"] .pg-bar-label', (e) => e.map((x) => x.textContent));
    assert.equal(words.length, 8);
    const probs = await page.$$eval('[data-testid="next-rnn"] .pg-bar-value', (e) => e.map((x) => Number(x.textContent)));
    assert.ok(probs.every((p) => p >= 0 && p <= 1) && probs[0] >= probs[probs.length - 1], `sorted probabilities: ${probs}`);
    // the memory models train after the LMs, then the story is traced
    await page.waitForSelector('[data-testid="mem-status"][data-done="true"]', { timeout: 40_000 });
    await page.waitForSelector('[data-testid="heat-lstm-forget"] rect');
    for (const id of ['heat-rnn-h', 'heat-lstm-h', 'heat-lstm-c', 'heat-lstm-input', 'heat-lstm-output']) {
      assert.ok((await page.$$(`[data-testid="${id}"] rect`)).length > 100, `${id} has cells`);
    }
    assert.equal(await page.$$eval('[data-testid="heat-rnn-forget"]', (e) => e.length), 0, 'an RNN has no gates');
    await screenshot(page, '03-rnn-lstm');
    // a word the corpus lacks is named; an empty prompt and a bad step count show messages
    await page.fill('[data-testid="prompt"]', 'zebra is');
    await page.waitForFunction(() => /Not in the vocabulary: zebra/.test(document.querySelector('[data-testid="prompt-note"]')?.textContent ?? ''));
    await page.fill('[data-testid="prompt"]', '   ');
    await page.waitForFunction(() => /Type a few English words/.test(document.querySelector('[data-testid="prompt-note"]')?.textContent ?? ''));
    await page.fill('[data-testid="prompt"]', 'Apple is');
    await page.waitForFunction(() => document.querySelector('[data-testid="prompt-note"]')?.hasAttribute('hidden'));
    assert.equal(new URL(page.url()).searchParams.get('prompt'), 'Apple is');
    await page.fill('[data-testid="mem-steps"]', '');
    await page.click('[data-testid="mem-train"]');
    await page.waitForFunction(() => /steps: 'abc' is not a number|steps: empty/.test(document.querySelector('[data-testid="error"]')?.textContent ?? ''));
    assert.deepEqual(errors, []);
  } finally {
    await close();
    await pl.close();
  }
});
