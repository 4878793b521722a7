// Page 01-linear in Chromium: gradient descent in the page reaches the least-squares line of the
// same seeded points `llmcore linear`'s generator makes, clicks add points (kept in the URL), a
// learning rate above 1 shows the divergence message and its reset recovers, bad URL state shows a
// message; screenshots on a desktop and a phone-sized viewport.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leastSquares, makeLinePoints } from '../../src/classic/linear-regression.js';
import { chromiumSkip, openPage, screenshot, startPlayground, waitReady, type Page } from './harness.js';

const num = async (page: Page, id: string): Promise<number> => Number(await page.textContent(`[data-testid="${id}"]`));

async function waitStep(page: Page, atLeast: number): Promise<void> {
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="step"]')?.textContent) >= n, atLeast, { timeout: 45_000 });
}

/** Waits until gradient descent's a and b are within tolerance of the least-squares ones. */
async function waitConverged(page: Page): Promise<void> {
  // a string, not a function: tsx would name an inner arrow function with a helper the page lacks
  const v = (id: string): string => `Number(document.querySelector('[data-testid="${id}"]')?.textContent)`;
  // tighter than the assertions after it, so a line still closing in cannot pass here and fail there
  await page.waitForFunction(`Math.abs(${v('a')} - ${v('ls-a')}) <= 0.002 && Math.abs(${v('b')} - ${v('ls-b')}) <= 0.01`, undefined, { timeout: 45_000 });
}

test('01-linear: the line learns, clicks add points, divergence is shown and recovered, bad state is a message', { skip: chromiumSkip(), timeout: 150_000 }, async () => {
  const pl = await startPlayground();
  try {
    const { page, errors, close } = await openPage(pl.url + '?page=01-linear&lang=en&seed=0&lr=0.1');
    try {
      await waitReady(page);
      // the page's points are makeLinePoints(a 3, b 5, noise 2, 20 points, seed 0), as in Node
      const p = makeLinePoints({ a: 3, b: 5, noise: 2, points: 20, seed: 0 });
      const ls = leastSquares({ x: p.x, y: p.y.map((v) => Math.min(45, Math.max(-5, v))) });
      assert.ok(Math.abs((await num(page, 'ls-a')) - ls.a) < 1e-3, 'the page shows the least-squares slope of the same points');
      await waitConverged(page);
      assert.ok(Math.abs((await num(page, 'a')) - ls.a) < 0.01, `gradient descent's a ${await num(page, 'a')} reaches ${ls.a}`);
      assert.ok(Math.abs((await num(page, 'b')) - ls.b) < 0.05, `gradient descent's b ${await num(page, 'b')} reaches ${ls.b}`);
      await screenshot(page, '01-linear');

      // a click on an empty spot adds a point, and the URL keeps the points
      const n0 = await num(page, 'n');
      const box = (await page.locator('[data-testid="plot"]').boundingBox())!;
      await page.mouse.click(box.x + box.width * 0.9, box.y + box.height * 0.9);
      assert.equal(await num(page, 'n'), n0 + 1);
      const pts = new URL(page.url()).searchParams.get('pts') ?? '';
      assert.equal(pts.split(';').length, n0 + 1, 'the points are in the URL');

      // dragging a point moves it (the URL follows when it is dropped): the one just added, alone
      // in its corner, so no other point lies over it
      const dot = (await page.locator(`[data-testid="plot"] circle[data-i="${n0}"]`).boundingBox())!;
      await page.mouse.move(dot.x + dot.width / 2, dot.y + dot.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2, { steps: 5 });
      await page.mouse.up();
      // the URL follows the drop; on a loaded machine that can land a moment after mouse.up returns
      const before = pts.split(';')[n0];
      await page.waitForFunction((b) => (new URL(location.href).searchParams.get('pts') ?? '').split(';').some((p, i, all) => all.length > 0 && i === all.length - 1 && p !== b), before, { timeout: 10_000 }).catch(() => {});
      const dragged = (new URL(page.url()).searchParams.get('pts') ?? '').split(';');
      assert.equal(dragged.length, n0 + 1, 'a drag moves a point, it adds none');
      assert.notEqual(dragged[n0], pts.split(';')[n0], 'the dragged point has moved');
      assert.deepEqual(dragged.slice(0, n0), pts.split(';').slice(0, n0), 'the others stay');
      await waitConverged(page);

      // a learning rate of 1.5 diverges: the message and its reset button appear
      await page.$eval('[data-testid="lr"]', (e) => { (e as HTMLInputElement).value = String(Math.log10(1.5)); e.dispatchEvent(new Event('input')); });
      assert.equal(new URL(page.url()).searchParams.get('lr'), '1.5');
      await page.click('[data-testid="reset"]');
      await page.waitForSelector('[data-testid="diverged"]:not([hidden])', { timeout: 20_000 });
      assert.match((await page.textContent('[data-testid="diverged"]')) ?? '', /Diverged/);
      await page.click('[data-testid="diverge-reset"]');
      assert.equal(await page.isHidden('[data-testid="diverged"]'), true);
      assert.equal(new URL(page.url()).searchParams.get('lr'), '0.1');
      await waitConverged(page);

      // a link with the points reproduces them
      await page.goto(pl.url + `?page=01-linear&lang=en&pts=${encodeURIComponent(dragged.join(';'))}`);
      await waitReady(page);
      assert.equal(await num(page, 'n'), n0 + 1);
      assert.deepEqual(errors, []);

      // bad URL state: a message, and the page still runs on its defaults
      await page.goto(pl.url + `?page=01-linear&lang=en&lr=abc&pts=${'9'.repeat(10_000)}`);
      await waitReady(page);
      const both = (await page.textContent('[data-testid="error"]')) ?? '';
      assert.match(both, /pts: expected x,y pairs/);
      assert.match(both, /lr: expected a number from 0.001 to 2, got 'abc'/);
      await waitStep(page, 5);
      await page.goto(pl.url + '?page=01-linear&lang=en&lr=1e999');
      await waitReady(page);
      assert.match((await page.textContent('[data-testid="error"]')) ?? '', /lr: expected a number from 0.001 to 2/);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
    const phone = await openPage(pl.url + '?page=01-linear&lang=zh', { viewport: { width: 390, height: 844 } });
    try {
      await waitReady(phone.page);
      await waitConverged(phone.page);
      const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling on a phone (${overflow} px too wide)`);
      await screenshot(phone.page, '01-linear-phone');
      assert.deepEqual(phone.errors, []);
    } finally {
      await phone.close();
    }
  } finally {
    await pl.close();
  }
});
