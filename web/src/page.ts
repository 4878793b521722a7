/**
 * The contract between the playground's shell (app.ts) and its pages (pages/NN-name.ts): each page
 * file `export default`s a {@link Page}; the shell mounts it with a {@link PageContext}.
 */

export type Lang = 'zh' | 'en';

/** What the shell gives a page. */
export interface PageContext {
  lang: Lang;
  /** The URL's query: a page reads its state from here on mount. */
  params: URLSearchParams;
  /** Updates one URL parameter (history.replaceState; null removes it) so a link reproduces the state. */
  setParam(key: string, value: string | null): void;
  /** Shows a visible message on the page (replacing the previous one). */
  showError(message: string): void;
  /** The URL of a file served under `assets/`, e.g. `assetUrl('models/zh-en/model.safetensors')`. */
  assetUrl(path: string): string;
}

/** One chapter page. */
export interface Page {
  /** The file name without `.ts`, e.g. `01-linear`; also the `page` URL parameter. */
  id: string;
  title: Record<Lang, string>;
  mount(root: HTMLElement, ctx: PageContext): void | Promise<void>;
  /** Stops timers, workers and animation frames; the shell empties `root` afterwards. */
  unmount?(): void;
}

let currentLang: Lang = 'zh';

/** Set by the shell before each mount; pages read it through {@link t}. */
export function setCurrentLang(lang: Lang): void {
  currentLang = lang;
}

/** The text in the page's current language. */
export function t(texts: Record<Lang, string>): string {
  return texts[currentLang];
}

type Child = Node | string | number | null | undefined | false;

/**
 * Creates an element: `el('p', { class: 'note' }, 'text', child)`. Attributes whose value is
 * undefined or false are left out; `true` sets an empty attribute.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(typeof c === 'number' ? String(c) : c);
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element with attributes (numbers are written as they are). */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number | undefined> = {}, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, String(v));
  for (const c of children) e.append(c);
  return e;
}

/** The message of anything thrown. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Wraps an event handler so that a thrown error or a rejected promise becomes `ctx.showError(...)`
 * instead of an uncaught exception in the console.
 */
export function guard<A extends unknown[]>(ctx: Pick<PageContext, 'showError'>, fn: (...args: A) => void | Promise<void>): (...args: A) => void {
  return (...args: A) => {
    try {
      const r = fn(...args);
      if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch((e: unknown) => ctx.showError(errorMessage(e)));
    } catch (e) {
      ctx.showError(errorMessage(e));
    }
  };
}

/** A hash of the built assets, set by scripts/build-web.ts: a rebuilt model gets a new cache. */
declare const __ASSETS_VERSION__: string | undefined;
const CACHE_PREFIX = 'llmcore-assets-';
const CACHE_NAME = CACHE_PREFIX + (typeof __ASSETS_VERSION__ === 'string' ? __ASSETS_VERSION__ : 'dev');
let oldCachesDropped = false;

/** The Cache API's cache of this build, once the caches of earlier builds are dropped; null where there is none. */
async function assetCache(): Promise<Cache | null> {
  if (typeof caches === 'undefined') return null;
  try {
    if (!oldCachesDropped) {
      oldCachesDropped = true;
      for (const name of await caches.keys()) if (name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME) await caches.delete(name);
    }
    return await caches.open(CACHE_NAME);
  } catch {
    return null; // e.g. storage disabled: download every time
  }
}

/**
 * Fetches an asset's bytes, through the Cache API where the page has it (so a shipped model is
 * downloaded once), else straight from the network. Throws a one-line error naming the file.
 */
export async function fetchAsset(ctx: Pick<PageContext, 'assetUrl'>, path: string): Promise<ArrayBuffer> {
  const url = ctx.assetUrl(path);
  const cache = await assetCache();
  const hit = cache ? await cache.match(url).catch(() => undefined) : undefined;
  if (hit) return hit.arrayBuffer();
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`${path}: cannot download (${errorMessage(e)})`);
  }
  if (!res.ok) throw new Error(`${path}: the server answered ${res.status}${res.status === 404 ? ' (not built into this playground)' : ''}`);
  if (cache) await cache.put(url, res.clone()).catch(() => undefined);
  return res.arrayBuffer();
}
