/**
 * `llmcore serve`: serves the playground's static files (dist-web/, written by `npm run build:web`).
 *
 * It only serves files, but the page needs three things a generic static server rarely gives: the
 * COOP/COEP headers that make the page cross-origin isolated (SharedArrayBuffer, so the engine's
 * matmul can use Web Workers over shared memory), application/wasm for .wasm, and a root it never
 * leaves (a `..` or a symbolic link that leads outside is refused). Bound to 127.0.0.1 unless --host.
 */
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { integer } from './options.js';

/** Content types by extension; anything else is sent as bytes. */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.safetensors': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.tsv': 'text/tab-separated-values; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

/** The headers that make a page cross-origin isolated (and let it load its own files under COEP). */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface ServeOptions {
  /** The folder served; `/` is its index.html. */
  root: string;
  /** 0 picks a free port. */
  port: number;
  host: string;
}

export interface RunningServer {
  /** http://host:port/ */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...ISOLATION_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${status} ${text}\n`);
}

/** The file a request path names inside `root` (a real path), or null where it leaves the root. */
function resolveInside(root: string, urlPath: string): string | null {
  const candidate = resolve(root, '.' + urlPath);
  if (candidate !== root && !candidate.startsWith(root + sep)) return null;
  let real: string;
  try {
    real = realpathSync(candidate);
  } catch {
    return candidate; // missing: the caller answers 404
  }
  // a symbolic link inside the root may point anywhere: judge where it leads
  return real === root || real.startsWith(root + sep) ? real : null;
}

function handle(root: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'method not allowed');
    return;
  }
  let urlPath: string;
  try {
    urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    send(res, 400, 'bad request path');
    return;
  }
  if (urlPath.includes('\0')) {
    send(res, 400, 'bad request path');
    return;
  }
  let file = resolveInside(root, urlPath);
  if (file === null) {
    send(res, 403, 'outside the served folder');
    return;
  }
  let stat;
  try {
    stat = statSync(file);
    if (stat.isDirectory()) {
      file = join(file, 'index.html');
      stat = statSync(file);
    }
  } catch {
    send(res, 404, 'not found');
    return;
  }
  if (!stat.isFile()) {
    send(res, 404, 'not found');
    return;
  }
  res.writeHead(200, {
    ...ISOLATION_HEADERS,
    'Content-Type': MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': stat.size,
    // a rebuilt playground must be seen on reload; the pages cache the big models themselves
    'Cache-Control': 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** Starts serving `root`; resolves once listening. Errors name the option that caused them. */
export function startServer(o: ServeOptions): Promise<RunningServer> {
  let root: string;
  try {
    root = realpathSync(resolve(o.root));
    if (!statSync(root).isDirectory()) throw new Error('not a folder');
  } catch {
    return Promise.reject(new Error(`serve: --root ${o.root}: no such folder (build the playground first: npm run build:web)`));
  }
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
    return Promise.reject(new Error(`serve: --port must be an integer from 0 to 65535, got ${o.port}`));
  }
  const server = createServer((req, res) => {
    try {
      handle(root, req, res);
    } catch {
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'the port is in use' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' ? 'no such address on this machine' : e.message;
      fail(new Error(`serve: cannot listen on ${o.host}:${o.port}: ${why}`));
    });
    server.listen(o.port, o.host, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : o.port;
      const host = o.host.includes(':') ? `[${o.host}]` : o.host;
      ok({
        url: `http://${host}:${port}/`,
        port,
        server,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the playground (dist-web/, from npm run build:web) on localhost with the cross-origin isolation headers')
    .option('--port <n>', 'port (0: any free port)', integer, 5173)
    .option('--host <address>', 'address to bind (127.0.0.1: this machine only)', '127.0.0.1')
    .option('--root <dir>', 'the folder to serve', 'dist-web')
    .action(async (o: ServeOptions) => {
      const running = await startServer(o);
      process.stdout.write(`llmcore playground: ${running.url} (serving ${o.root}; Ctrl+C stops)\n`);
      const stop = (): void => { void running.close().then(() => process.exit(0)); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
