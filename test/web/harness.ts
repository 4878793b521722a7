/**
 * Browser tests of the playground: build it once per test process into a temp folder, serve it with
 * `llmcore serve`'s server on a free port, and drive Debian's Chromium through playwright-core
 * (which never downloads a browser). Where /usr/bin/chromium is missing the tests skip with a
 * message, except under CI (CI=true, as test/helpers/fixtures.ts reads it), where a missing browser
 * is a failure.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.js';
import { startServer, type RunningServer } from '../../cli/serve.js';
import { isCi } from '../helpers/fixtures.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Where {@link screenshot} writes: the README shows these. */
export const SCREENSHOT_DIR = join(REPO, 'docs', 'playground');

/**
 * The reason to skip browser tests (`test(name, { skip: chromiumSkip() }, …)`), or false to run
 * them. Under CI=true a missing Chromium throws: CI installs it, so its absence is a broken setup.
 */
export function chromiumSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (isCi()) throw new Error(`${CHROMIUM} is missing under CI=${process.env.CI}: .ci/run installs it (apt-get install -y chromium)`);
  return `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium fonts-noto-cjk) to run the browser tests`;
}

let built: Promise<string> | null = null;

/** Builds the playground once per process (into a temp folder, removed at exit). */
function buildOnce(): Promise<string> {
  built ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmcore-web-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    await buildWeb({ outDir: dir, quiet: true });
    return dir;
  })();
  return built;
}

/** Builds (once) and serves the playground on a free port of 127.0.0.1. */
export async function startPlayground(): Promise<{ url: string; root: string; close(): Promise<void> }> {
  const root = await buildOnce();
  const server: RunningServer = await startServer({ root, port: 0, host: '127.0.0.1' });
  return { url: server.url, root, close: () => server.close() };
}

export interface OpenOptions {
  /** Viewport; 1280×900 unless given (390×844 is a phone). */
  viewport?: { width: number; height: number };
  /** Browser locale (the shell picks the language from it when the URL has no lang). */
  locale?: string;
}

export interface OpenedPage {
  page: Page;
  /** Console errors and uncaught page errors, in order. */
  errors: string[];
  close(): Promise<void>;
}

/** Opens `url` in a fresh headless Chromium (its own user-data dir) and collects its errors. */
export async function openPage(url: string, opts: OpenOptions = {}): Promise<OpenedPage> {
  const userData = mkdtempSync(join(tmpdir(), 'llmcore-chromium-'));
  let context: BrowserContext | null = null;
  try {
    context = await chromium.launchPersistentContext(userData, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: opts.viewport ?? { width: 1280, height: 900 },
      locale: opts.locale ?? 'en-US',
    });
  } catch (e) {
    rmSync(userData, { recursive: true, force: true });
    throw e;
  }
  const ctx = context;
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}${m.location().url ? ` (${m.location().url})` : ''}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return {
    page,
    errors,
    close: async () => {
      await ctx.close();
      rmSync(userData, { recursive: true, force: true });
    },
  };
}

/** Waits until the shell says the current page has mounted (its root has data-ready). */
export async function waitReady(page: Page, timeoutMs = 20_000): Promise<void> {
  await page.waitForSelector('.page-root[data-ready="true"]', { timeout: timeoutMs });
}

/** Saves a screenshot to docs/playground/NAME.png (committed; the README shows it). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export type { Browser, Page };
