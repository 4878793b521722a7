/**
 * Builds the playground (web/) into static files: `npm run build:web` → dist-web/.
 *
 *   app.js            the shell (web/src/app.ts) with every page of web/src/pages/ and the engine
 *   workers/NAME.js   one bundle per web/src/workers/NAME.ts (module workers)
 *   sw.js, coi.js     the service-worker shim for static hosts that cannot send COOP/COEP
 *   assets/           what pages fetch: the shipped models (models/zh-en, gpt-multitask,
 *                     fashion-vit, where present), data/iris.csv and data/lm-corpus.txt
 *
 * Pages are found by listing web/src/pages/ (a virtual module `virtual:pages` imports them in file
 * order), so adding a page never means editing a shared index. The engine's few Node-only modules
 * (checkpoint writers, file readers) may be reached through imports a page never calls: `node:*`
 * resolves to a stub whose every export throws "… is not available in the browser" when called.
 *
 * Usage: tsx scripts/build-web.ts [--out DIR] [--minify]
 */
import { build, type Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { IRIS_FEATURES, IRIS_SPECIES, loadIris } from '../src/data/iris.js';
import { BUILTIN_LM_CORPUS } from '../src/data/lm-corpus.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WEB = join(REPO, 'web');
const PAGES = join(WEB, 'src', 'pages');
const WORKERS = join(WEB, 'src', 'workers');

/** The shipped model folders copied under assets/models/ when present. */
export const SHIPPED_MODELS = ['zh-en', 'gpt-multitask', 'fashion-vit'] as const;

export interface BuildWebOptions {
  /** Output folder (emptied first). */
  outDir: string;
  minify?: boolean;
  /** No summary line on stdout. */
  quiet?: boolean;
}

export interface BuildWebResult {
  outDir: string;
  /** Page ids in nav order. */
  pages: string[];
  workers: string[];
  /** Folders and files under assets/. */
  assets: string[];
}

/** Page files in order: `NN-name.ts`, the two-digit prefix giving the nav order. */
export function listPages(): string[] {
  if (!existsSync(PAGES)) return [];
  return readdirSync(PAGES).filter((f) => /^\d\d-[a-z0-9-]+\.ts$/.test(f)).sort();
}

function pagesPlugin(): Plugin {
  return {
    name: 'pages',
    setup(b) {
      b.onResolve({ filter: /^virtual:pages$/ }, () => ({ path: 'virtual:pages', namespace: 'pages' }));
      b.onLoad({ filter: /.*/, namespace: 'pages' }, () => {
        const files = listPages();
        // each page is its own chunk, loaded by import(): a page that throws while loading is an
        // error on that page, not a blank playground (the shared engine and page.ts are shared chunks)
        const entries = files.map((f) => `{ id: ${JSON.stringify(f.slice(0, -3))}, load: () => import(${JSON.stringify(join(PAGES, f))}) }`);
        return {
          contents: `export default [${entries.join(',\n')}];`,
          resolveDir: PAGES,
          watchDirs: [PAGES],
          loader: 'js',
        };
      });
    },
  };
}

function nodeStubPlugin(): Plugin {
  const builtins = new Set(builtinModules);
  return {
    name: 'node-stub',
    setup(b) {
      b.onResolve({ filter: /^node:|^[a-z_]+(\/[a-z_]+)?$/ }, (args) => {
        const id = args.path.replace(/^node:/, '');
        if (!args.path.startsWith('node:') && !builtins.has(id)) return undefined;
        return { path: id, namespace: 'node-stub' };
      });
      b.onLoad({ filter: /.*/, namespace: 'node-stub' }, async (args) => {
        const mod = (await import(`node:${args.path}`)) as Record<string, unknown>;
        const names = Object.keys(mod).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
        const fail = `(name) => function () { throw new Error('node:${args.path} ' + name + ' is not available in the browser'); }`;
        return {
          contents: [`const fail = ${fail};`, ...names.map((n) => `export const ${n} = fail(${JSON.stringify(n)});`), 'export default {};'].join('\n'),
          loader: 'js',
        };
      });
    },
  };
}

/**
 * Packages whose default entry needs Node's globals, mapped to the browser build they ship:
 * csv-parse's lib/ uses Buffer; its dist/esm bundle carries its own Buffer.
 */
export const BROWSER_BUILDS: Readonly<Record<string, string>> = {
  'csv-parse/sync': 'node_modules/csv-parse/dist/esm/sync.js',
};

function browserBuildsPlugin(): Plugin {
  return {
    name: 'browser-builds',
    setup(b) {
      b.onResolve({ filter: /^csv-parse\/sync$/ }, (args) => ({ path: join(REPO, BROWSER_BUILDS[args.path]) }));
    },
  };
}

function irisCsv(): string {
  const d = loadIris();
  const rows = d.x.map((row, i) => [...row, IRIS_SPECIES[d.y[i]]].join(','));
  return [[...IRIS_FEATURES, 'species'].join(','), ...rows].join('\n') + '\n';
}

function copyAssets(assetDir: string): string[] {
  const assets: string[] = [];
  mkdirSync(join(assetDir, 'data'), { recursive: true });
  writeFileSync(join(assetDir, 'data', 'iris.csv'), irisCsv());
  writeFileSync(join(assetDir, 'data', 'lm-corpus.txt'), BUILTIN_LM_CORPUS);
  assets.push('data/iris.csv', 'data/lm-corpus.txt');
  for (const m of SHIPPED_MODELS) {
    const from = join(REPO, 'models', m);
    if (!existsSync(from)) continue;
    cpSync(from, join(assetDir, 'models', m), { recursive: true });
    assets.push(`models/${m}`);
  }
  return assets;
}

/** SHA-256 of every file under `dir` (paths and contents, in sorted order), 16 hex digits. */
function hashTree(dir: string): string {
  const h = createHash('sha256');
  const files = (readdirSync(dir, { recursive: true }) as string[]).map(String).sort();
  for (const f of files) {
    const path = join(dir, f);
    if (!statSync(path).isFile()) continue;
    h.update(f + '\0');
    h.update(readFileSync(path));
  }
  return h.digest('hex').slice(0, 16);
}

/** Builds the playground into `outDir`. */
export async function buildWeb(o: BuildWebOptions): Promise<BuildWebResult> {
  const outDir = resolve(o.outDir);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const workers = existsSync(WORKERS) ? readdirSync(WORKERS).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort() : [];
  // assets first: their hash names the pages' Cache API cache, so a rebuilt model is downloaded anew
  const assets = copyAssets(join(outDir, 'assets'));
  const common = {
    define: { __ASSETS_VERSION__: JSON.stringify(hashTree(join(outDir, 'assets'))) },
    bundle: true,
    format: 'esm' as const,
    platform: 'browser' as const,
    target: 'es2022',
    sourcemap: true,
    minify: o.minify ?? false,
    legalComments: 'none' as const,
    logLevel: 'silent' as const,
    plugins: [pagesPlugin(), browserBuildsPlugin(), nodeStubPlugin()],
  };
  await build({
    ...common,
    entryPoints: { app: join(WEB, 'src', 'app.ts') },
    outdir: outDir,
    // pages are chunks loaded on demand that share the shell's engine and page.ts (one module
    // state, e.g. the language t() reads)
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  });
  // each worker is its own program, self-contained (its own engine instance anyway)
  if (workers.length) {
    await build({ ...common, entryPoints: Object.fromEntries(workers.map((f) => [f.slice(0, -3), join(WORKERS, f)])), outdir: join(outDir, 'workers') });
  }
  // the shim's two halves are classic scripts: the worker must be, and coi.js runs before the modules
  await build({ ...common, format: 'iife', entryPoints: { sw: join(WEB, 'src', 'sw.ts'), coi: join(WEB, 'src', 'sw-register.ts') }, outdir: outDir });
  cpSync(join(WEB, 'index.html'), join(outDir, 'index.html'));
  cpSync(join(WEB, 'src', 'style.css'), join(outDir, 'style.css'));

  const pages = listPages().map((f) => f.slice(0, -3));
  if (!o.quiet) process.stdout.write(`build:web: ${outDir}: ${pages.length} pages (${pages.join(', ')}), ${workers.length} workers, assets: ${assets.join(', ')}\n`);
  return { outDir, pages, workers: workers.map((f) => f.slice(0, -3)), assets };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  let out = join(REPO, 'dist-web');
  let minify = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out' && args[i + 1]) out = args[++i];
    else if (args[i] === '--minify') minify = true;
    else {
      process.stderr.write(`build:web: unknown argument '${args[i]}' (usage: tsx scripts/build-web.ts [--out DIR] [--minify])\n`);
      process.exit(2);
    }
  }
  try {
    await buildWeb({ outDir: out, minify });
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { file: string; line: number } }[] }).errors;
    const msg = errors?.length ? errors.map((x) => `${x.location ? `${x.location.file}:${x.location.line}: ` : ''}${x.text}`).join('\n') : (e as Error).message;
    process.stderr.write(`build:web: ${msg}\n`);
    process.exit(1);
  }
}
