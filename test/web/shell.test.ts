// The playground's shell in Chromium: every page file has a nav entry, the served page is
// cross-origin isolated, the language toggle and the URL state work, an unknown page or a broken
// request shows a message, and nothing reaches the console as an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { MIME_TYPES } from '../../cli/serve.js';
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

test('threads: the served page is isolated and the engine in a worker multiplies on Web Workers, equal to one thread', { skip: chromiumSkip(), timeout: 60_000 }, async () => {
  const pl = await startPlayground();
  const { page, errors, close } = await openPage(pl.url + '?lang=en');
  try {
    await waitReady(page);
    const r = await page.evaluate(() => new Promise<Record<string, unknown>>((ok) => {
      const w = new Worker('workers/threads-check.js', { type: 'module' });
      w.onmessage = (ev) => ok(ev.data as Record<string, unknown>);
      w.onerror = (ev) => ok({ error: ev.message });
      w.postMessage({ size: 512 });
    }));
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.equal(r.error, undefined);
    assert.equal(r.isolated, true);
    assert.equal(r.backend, 'wasm');
    assert.equal(r.threads, Math.min(64, cores), 'one thread per core the browser reports');
    assert.equal(r.ready, r.threads, 'every matmul worker started');
    assert.equal(r.equal, true, 'the threaded 512³ product equals the one-thread product bit for bit');
    console.log(`# threads-check in Chromium: ${r.threads} threads, 512x512x512 matmul ${Number(r.msOne).toFixed(1)} ms on one thread, ${Number(r.msAll).toFixed(1)} ms on ${r.threads}`);
    assert.deepEqual(errors, []);
  } finally {
    await close();
    await pl.close();
  }
});

test('a static host without COOP/COEP: the service-worker shim reloads the page once, isolated', { skip: chromiumSkip(), timeout: 60_000 }, async () => {
  const pl = await startPlayground();
  // a plain static server: the right types, none of the isolation headers
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = join(pl.root, path === '/' ? 'index.html' : path);
    if (!file.startsWith(pl.root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': MIME_TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  const { page, errors, close } = await openPage(`http://127.0.0.1:${port}/?lang=en`);
  try {
    await page.waitForFunction(() => crossOriginIsolated, undefined, { timeout: 30_000 });
    await waitReady(page);
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller !== null), true, 'the page is served through the shim');
    assert.deepEqual(errors, []);
  } finally {
    await close();
    server.close();
    await pl.close();
  }
});
