// The playground's shell in Chromium: every page file has a nav entry, the served page is
// cross-origin isolated, the language toggle and the URL state work, an unknown page or a broken
// request shows a message, and nothing reaches the console as an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumSkip, openPage, screenshot, startPlayground, waitReady } from './harness.js';
import { listPages } from '../../scripts/build-web.js';

test('the shell loads every page from the nav, isolated, in both languages, with no console errors', { skip: chromiumSkip(), timeout: 60_000 }, async () => {
  const pl = await startPlayground();
  const files = listPages().map((f) => f.slice(0, -3));
  assert.ok(files.length > 0, 'web/src/pages/ has no page');
  const { page, errors, close } = await openPage(pl.url + '?lang=en');
  try {
    await waitReady(page);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the served page is cross-origin isolated (COOP/COEP)');
    const ids = await page.$$eval('nav a', (as) => as.map((a) => a.getAttribute('data-page')));
    assert.deepEqual(ids, files, 'one nav entry per page file, in file order');
    const enTitles = await page.$$eval('nav a', (as) => as.map((a) => a.textContent));
    // the first page is the default; each nav link mounts its page without a reload
    for (const id of files) {
      await page.click(`nav a[data-page="${id}"]`);
      await waitReady(page);
      assert.equal(new URL(page.url()).searchParams.get('page'), id);
      assert.equal(await page.getAttribute(`nav a[data-page="${id}"]`, 'aria-current'), 'page');
    }
    await page.click('[data-testid="lang-toggle"]');
    await waitReady(page);
    assert.equal(new URL(page.url()).searchParams.get('lang'), 'zh');
    const zhTitles = await page.$$eval('nav a', (as) => as.map((a) => a.textContent));
    assert.notDeepEqual(zhTitles, enTitles, 'the toggle changes the nav to Chinese');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    assert.deepEqual(errors, []);
    await page.goto(pl.url + '?page=99-nothing&lang=en');
    const msg = await page.textContent('[data-testid="error"]');
    assert.match(msg ?? '', /No such page: 99-nothing/);
    await page.goto(pl.url + '?lang=en');
    await waitReady(page);
    await screenshot(page, 'shell');
    assert.deepEqual(errors, []);
  } finally {
    await close();
    await pl.close();
  }
});
