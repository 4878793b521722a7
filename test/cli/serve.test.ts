// `llmcore serve`, as a user runs it: the isolation headers, MIME types, a root it never leaves
// (`..` in every spelling, a symbolic link out), concurrent requests, and one-line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { llmcore, REPO, tempDir } from '../helpers/cli.js';

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** A raw request: the path is sent exactly as given (no URL normalisation on our side). */
function get(port: number, path: string, method = 'GET'): Promise<Reply> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

/** Starts `llmcore serve` and resolves with its printed address once it listens. */
function serve(args: string[]): Promise<{ child: ChildProcess; url: string; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'cli', 'main.ts'), 'serve', ...args], { cwd: REPO });
  return new Promise((ok, fail) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /llmcore playground: (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(out);
      if (m) ok({ child, url: m[1], port: Number(m[2]) });
    });
    child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
    child.on('exit', (code) => fail(new Error(`serve exited with ${code}: ${err}`)));
  });
}

test('llmcore serve: isolation headers, MIME types, no way out of the root, concurrent requests', { timeout: 60_000 }, async () => {
  const dir = tempDir('llmcore-serve-');
  const root = join(dir, 'site');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'secret.txt'), 'SECRET');
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(root, 'app.js'), 'console.log(1)');
  writeFileSync(join(root, 'k.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(join(root, 'assets', 'config.json'), '{"a":1}');
  writeFileSync(join(root, 'assets', 'model.safetensors'), Buffer.alloc(1000, 7));
  symlinkSync(join(dir, 'secret.txt'), join(root, 'link.txt'));
  const { child, port } = await serve(['--root', root, '--port', '0']);
  try {
    const index = await get(port, '/');
    assert.equal(index.status, 200);
    assert.match(index.body, /<title>t<\/title>/);
    assert.equal(index.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(index.headers['cross-origin-embedder-policy'], 'require-corp');
    const types: [string, string][] = [['/index.html', 'text/html; charset=utf-8'], ['/app.js', 'text/javascript; charset=utf-8'], ['/k.wasm', 'application/wasm'], ['/assets/config.json', 'application/json; charset=utf-8'], ['/assets/model.safetensors', 'application/octet-stream']];
    for (const [path, type] of types) {
      const r = await get(port, path);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers['content-type'], type, path);
    }
    assert.equal((await get(port, '/assets/model.safetensors')).body.length, 1000);
    assert.equal((await get(port, '/assets/')).status, 404, 'a folder without index.html');
    assert.equal((await get(port, '/nothing.js')).status, 404);
    const head = await get(port, '/app.js', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal((await get(port, '/app.js', 'POST')).status, 405);

    // every way out of the root is refused, and the secret never comes back
    for (const path of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/link.txt', '//etc/passwd']) {
      const r = await get(port, path);
      assert.ok(r.status === 403 || r.status === 404, `${path}: ${r.status}`);
      assert.ok(!r.body.includes('SECRET') && !r.body.includes('root:'), path);
    }
    assert.equal((await get(port, '/..%2fsecret.txt')).status, 403);
    assert.equal((await get(port, '/link.txt')).status, 403, 'a symbolic link that leads outside');
    assert.equal((await get(port, '/a%00.js')).status, 400);
    assert.equal((await get(port, '/%E0%A4%A')).status, 400, 'a malformed escape');

    // 200 requests at once, all answered in full
    const many = await Promise.all(Array.from({ length: 200 }, (_, i) => get(port, i % 2 ? '/assets/model.safetensors' : '/app.js')));
    assert.ok(many.every((r, i) => r.status === 200 && r.body.length === (i % 2 ? 1000 : 14)));
  } finally {
    const exited = new Promise((ok) => child.once('exit', ok));
    child.kill('SIGTERM');
    await exited;
  }
});

test('llmcore serve: a missing root, a bad port and a port in use are one-line errors', { timeout: 60_000 }, async () => {
  const missing = llmcore(['serve', '--root', '/no/such/dir']);
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr.trim(), 'llmcore: serve: --root /no/such/dir: no such folder (build the playground first: npm run build:web)');
  const bad = llmcore(['serve', '--port', 'abc']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--port <n>.*expected a number|option '--port <n>' argument 'abc' is invalid/);
  const big = llmcore(['serve', '--root', REPO, '--port', '70000']);
  assert.equal(big.status, 1);
  assert.match(big.stderr, /--port must be an integer from 0 to 65535, got 70000/);
  const first = await serve(['--root', REPO, '--port', '0']);
  try {
    const busy = llmcore(['serve', '--root', REPO, '--port', String(first.port)]);
    assert.equal(busy.status, 1);
    assert.equal(busy.stderr.trim(), `llmcore: serve: cannot listen on 127.0.0.1:${first.port}: the port is in use`);
  } finally {
    const exited = new Promise((ok) => first.child.once('exit', ok));
    first.child.kill('SIGTERM');
    await exited;
  }
});
