// Chapter 7 in Chromium: the shipped ViT is fetched and built in the worker; a drawing is classified
// with ten probabilities and the attention each of the 16 patches receives; an empty drawing and a
// file that is not a picture show messages; no console errors; a screenshot for the README.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromiumSkip, openPage, screenshot, startPlayground, waitReady } from './harness.js';

const noModel = existsSync('models/fashion-vit/model.safetensors') ? false : 'models/fashion-vit is not in this checkout';

test('the ViT classifies a drawing and shows its attention; bad pictures get messages', { skip: chromiumSkip() || noModel, timeout: 60_000 }, async () => {
  const pl = await startPlayground();
  const { page, errors, close } = await openPage(`${pl.url}?page=07-vision&lang=en`);
  try {
    await waitReady(page);
    await page.waitForSelector('[data-testid="vit-status"][data-ready="true"]', { timeout: 30_000 });
    const box = (await page.locator('[data-testid="draw"]').boundingBox())!;
    // a click without a stroke: nothing drawn
    await page.mouse.click(box.x + 5, box.y + 5);
    await page.waitForFunction(() => /The picture is empty/.test(document.querySelector('[data-testid="vit-note"]')?.textContent ?? ''));
    // a pair of trousers: a waistband and two legs
    const stroke = async (pts: [number, number][]): Promise<void> => {
      await page.mouse.move(box.x + pts[0][0] * box.width, box.y + pts[0][1] * box.height);
      await page.mouse.down();
      for (const [x, y] of pts.slice(1)) await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps: 8 });
      await page.mouse.up();
    };
    await stroke([[0.3, 0.1], [0.7, 0.1]]);
    await stroke([[0.33, 0.1], [0.3, 0.9]]);
    await stroke([[0.67, 0.1], [0.7, 0.9]]);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="vit-result"]')?.getAttribute('data-done') ?? 0) >= 3);
    const probs = await page.$$eval('[data-testid="vit-bars"] .pg-bar-value', (e) => e.map((x) => Number(x.textContent)));
    assert.equal(probs.length, 10);
    assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 0.01, `probabilities sum to 1: ${probs}`);
    assert.equal((await page.$$('[data-testid="model-view"] .pg-patch')).length, 16, 'one attention square per patch');
    const top = (await page.textContent('[data-testid="vit-top"]')) ?? '';
    process.stdout.write(`# the drawn trousers: ${top}\n`);
    await screenshot(page, '07-vision');
    await page.setInputFiles('[data-testid="upload"]', { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('this is not a picture') });
    await page.waitForFunction(() => /notes\.png: /.test(document.querySelector('[data-testid="error"]')?.textContent ?? ''));
    assert.deepEqual(errors, []);
  } finally {
    await close();
    await pl.close();
  }
});
