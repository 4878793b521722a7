// The page list, generated at build time by scripts/build-web.ts from the files in web/src/pages/.
declare module 'virtual:pages' {
  import type { Page } from './page.js';
  const pages: Page[];
  export default pages;
}
