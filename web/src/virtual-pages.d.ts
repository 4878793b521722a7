// The page list, generated at build time by scripts/build-web.ts from the files in web/src/pages/:
// each entry loads its page module (a chunk of its own) on demand.
declare module 'virtual:pages' {
  import type { Page } from './page.js';
  const pages: { id: string; load(): Promise<{ default: Page }> }[];
  export default pages;
}
