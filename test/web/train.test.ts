// Chapter 5 in Chromium: a Transformer trains on the copy task in a worker while the page stays
// responsive; the loss goes down, Pause stops it between steps and Resume continues from the same
// step; the trained model copies what is typed, with its attention; bad fields show messages. The
// in-browser training speed (tokens/s) is printed for the README's figure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumSkip, openPage, screenshot, startPlayground, waitReady } from './harness.js';

test('training a Transformer in the browser: loss goes down, pause/resume, the model copies', { skip: chromiumSkip(), timeout: 150_000 }, async () => {
  const pl = await startPlayground();
  const { page, errors, close } = await openPage(`${pl.url}?page=05-train&lang=en&epochs=3&len=6&try=31415`);
  try {
    await waitReady(page);
    await page.waitForSelector('[data-testid="loss-chart"] polyline', { timeout: 30_000 });
    // the page answers while the worker trains
    const typed = await page.evaluate(() => new Promise<number>((resolve) => { const t0 = performance.now(); requestAnimationFrame(() => resolve(performance.now() - t0)); }));
    assert.ok(typed < 1000, `a frame took ${typed} ms during training`);
    // pause between steps, then resume from the same step
    await page.waitForFunction(() => /batch (1\d|[2-9]\d)\//.test(document.querySelector('[data-testid="train-status"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
    await page.click('[data-testid="pause"]');
    await page.waitForFunction(() => /paused at step \d+/.test(document.querySelector('[data-testid="train-status"]')?.textContent ?? ''));
    const pausedAt = Number(/paused at step (\d+)/.exec((await page.textContent('[data-testid="train-status"]'))!)![1]);
    await page.waitForTimeout(500);
    assert.match((await page.textContent('[data-testid="train-status"]')) ?? '', new RegExp(`paused at step ${pausedAt}$`), 'no step while paused');
    await page.click('[data-testid="pause"]');
    await page.waitForSelector('[data-testid="train-status"][data-done="true"]', { timeout: 110_000 });
    const status = (await page.textContent('[data-testid="train-status"]')) ?? '';
    assert.match(status, /done: 150 steps, 3 epochs/, status);
    const losses = await page.$eval('[data-testid="loss-chart"] polyline', (p) => p.getAttribute('points')!.split(' ').map((xy) => Number(xy.split(',')[1])));
    // SVG y grows downwards: a lower loss is a larger y
    const head = losses.slice(0, 10).reduce((a, b) => a + b, 0) / 10;
    const tail = losses.slice(-10).reduce((a, b) => a + b, 0) / 10;
    assert.ok(tail > head + 40, `the loss curve falls: mean y ${head.toFixed(0)} → ${tail.toFixed(0)}`);
    const accuracy = Number(await page.getAttribute('[data-testid="evals"]', 'data-accuracy'));
    assert.ok(accuracy >= 0.5, `held-out exact copies: ${accuracy}`);
    const tps = Number(await page.getAttribute('[data-testid="rate"]', 'data-tokens-per-second'));
    assert.ok(tps > 0);
    process.stdout.write(`# in-browser training (headless Chromium, copy task, strings of 2–6 symbols): ${Math.round(tps)} target tokens/s — ${await page.textContent('[data-testid="rate"]')}\n`);
    // the trained model copies what is typed, and its attention is drawn
    await page.waitForSelector('[data-testid="try-result"]');
    assert.match((await page.textContent('[data-testid="try-result"]')) ?? '', /^31415 ✓/);
    assert.ok((await page.$$('[data-testid="try-attention"] rect')).length >= 25);
    await screenshot(page, '05-train');
    await page.fill('[data-testid="try"]', '12xyz');
    await page.waitForFunction(() => /not in the model's vocabulary and read as <unk>/.test(document.querySelector('[data-testid="try-output"]')?.textContent ?? ''));
    await page.fill('[data-testid="try"]', ' ');
    await page.waitForSelector('[data-testid="try-note"]');
    // bad settings: a message, and the trained model stays
    await page.fill('[data-testid="epochs"]', 'many');
    await page.click('[data-testid="start"]');
    await page.waitForFunction(() => /epochs: 'many' is not a number/.test(document.querySelector('[data-testid="error"]')?.textContent ?? ''));
    // leaving while a run trains ends its worker without a message on the next page
    await page.fill('[data-testid="epochs"]', '50');
    await page.click('[data-testid="start"]');
    await page.waitForTimeout(500);
    await page.click('nav a[data-page="01-linear"]');
    await waitReady(page);
    await page.waitForTimeout(500);
    assert.equal(await page.$eval('[data-testid="error"]', (e) => (e as HTMLElement).hidden), true, 'no message carried to the next page');
    assert.deepEqual(errors, []);
  } finally {
    await close();
    await pl.close();
  }
});
