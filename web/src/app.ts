/**
 * The playground's shell: a nav with one entry per page (the build lists web/src/pages/), the
 * 中文/English toggle, the URL as the state (`?page=01-linear&lang=en&...`), and the error banner.
 */
import pageFiles from 'virtual:pages';
import { el, errorMessage, setCurrentLang, type Lang, type Page, type PageContext } from './page.js';

/**
 * Every page module, loaded before the first render (the nav needs their titles). A page that fails
 * to load keeps its nav entry, named by its file, and shows why when opened: one broken page never
 * blanks the playground.
 */
const loaded = await Promise.all(pageFiles.map(async (f): Promise<{ page: Page; failure?: string }> => {
  try {
    const page = (await f.load()).default;
    if (!page || typeof page.mount !== 'function') throw new Error('its module has no default export with mount()');
    if (page.id !== f.id) throw new Error(`its id is '${page.id}'; a page's id is its file name, '${f.id}'`);
    return { page };
  } catch (e) {
    const failure = `page ${f.id} did not load: ${errorMessage(e)}`;
    console.warn(failure);
    return { page: { id: f.id, title: { zh: f.id, en: f.id }, mount() { throw new Error(failure); } }, failure };
  }
}));
const pages: Page[] = loaded.map((l) => l.page);

const app = document.getElementById('app')!;
const nav = el('nav', { class: 'nav', 'aria-label': 'chapters' });
const langButton = el('button', { class: 'lang', type: 'button', 'data-testid': 'lang-toggle' });
const errorBox = el('div', { class: 'error', role: 'alert', hidden: true, 'data-testid': 'error' });
const main = el('main', { class: 'page' });
const header = el('header', { class: 'top' }, el('a', { class: 'brand', href: '?' }, 'llmcore'), nav, langButton);
app.replaceChildren(header, errorBox, main);

let current: Page | null = null;
let mountToken = 0;

function langOf(params: URLSearchParams): Lang {
  const l = params.get('lang');
  if (l === 'zh' || l === 'en') return l;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

function pageOf(params: URLSearchParams): Page | undefined {
  const id = params.get('page');
  return pages.find((p) => p.id === id) ?? (id ? undefined : pages[0]);
}

function showError(message: string): void {
  const text = message.length > 2000 ? message.slice(0, 2000) + '…' : message;
  const close = el('button', { type: 'button', class: 'close', 'aria-label': 'close' }, '×');
  close.addEventListener('click', () => { errorBox.hidden = true; });
  errorBox.replaceChildren(el('span', {}, text), close);
  errorBox.hidden = false;
}

function clearError(): void {
  errorBox.hidden = true;
  errorBox.replaceChildren();
}

function setParam(key: string, value: string | null): void {
  const url = new URL(location.href);
  if (value === null) url.searchParams.delete(key);
  else url.searchParams.set(key, value);
  history.replaceState(null, '', url);
}

function assetUrl(path: string): string {
  return new URL('assets/' + path.replace(/^\/+/, ''), document.baseURI).href;
}

function renderNav(lang: Lang, active: Page | undefined): void {
  nav.replaceChildren(...pages.map((p) => {
    const a = el('a', { href: `?page=${encodeURIComponent(p.id)}&lang=${lang}`, 'data-page': p.id }, p.title[lang]);
    if (p === active) a.setAttribute('aria-current', 'page');
    a.addEventListener('click', (ev) => {
      if (ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.button !== 0) return;
      ev.preventDefault();
      history.pushState(null, '', a.href);
      void route();
    });
    return a;
  }));
  langButton.textContent = lang === 'zh' ? 'English' : '中文';
}

async function route(): Promise<void> {
  const token = ++mountToken;
  const params = new URLSearchParams(location.search);
  const lang = langOf(params);
  setCurrentLang(lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  const page = pageOf(params);
  renderNav(lang, page);
  clearError();
  if (current?.unmount) {
    try {
      current.unmount();
    } catch (e) {
      console.warn('unmount', e);
    }
  }
  current = null;
  const root = el('section', { class: 'page-root' });
  main.replaceChildren(root);
  if (pages.length === 0) {
    showError('This playground was built without pages (web/src/pages/ is empty). / 这个 playground 构建时没有页面。');
    return;
  }
  if (!page) {
    showError(lang === 'zh' ? `没有这一页：${params.get('page')}` : `No such page: ${params.get('page')}`);
    return;
  }
  document.title = `${page.title[lang]} · llmcore`;
  current = page;
  const ctx: PageContext = { lang, params, setParam, showError, assetUrl };
  try {
    await page.mount(root, ctx);
  } catch (e) {
    if (token === mountToken) showError(errorMessage(e));
  }
  if (token === mountToken) root.setAttribute('data-ready', 'true');
}

langButton.addEventListener('click', () => {
  const params = new URLSearchParams(location.search);
  setParam('lang', langOf(params) === 'zh' ? 'en' : 'zh');
  void route();
});
window.addEventListener('popstate', () => void route());
// the last line of defence: a page's handler that slipped through guard() still shows its message
window.addEventListener('unhandledrejection', (ev) => {
  ev.preventDefault();
  showError(errorMessage(ev.reason));
});
window.addEventListener('error', (ev) => {
  if (ev.error === undefined && !ev.message) return;
  ev.preventDefault();
  showError(errorMessage(ev.error ?? ev.message));
});

void route();
