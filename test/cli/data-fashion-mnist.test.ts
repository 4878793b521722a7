/**
 * `llmcore data fashion-mnist` against a local HTTP server serving the four archives of
 * ../shared/data/fashion-mnist (Debian's copy): a fetch that the vision loader then reads, a second
 * run that keeps verified files without fetching, a file whose contents are not the data set (refused,
 * an existing file left as it was), server errors and no server (one line with the Debian advice),
 * and --help. The checksums written in src/data/fashion-mnist.ts are recomputed from the shared copy.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync, existsSync, readdirSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FASHION_MNIST_FILES, FASHION_MNIST_URL } from '../../src/data/fashion-mnist.js';
import { runDataFashionMnist, type DataFashionMnistOptions } from '../../cli/data.js';
import { loadImageSet } from '../../src/models/vision/data.js';
import { tempDir } from '../decode/tiny-translator.js';
import { missingFixture } from '../helpers/fixtures.js';

const SHARED = fileURLToPath(new URL('../../../shared/data/fashion-mnist/', import.meta.url));
const NAMES = FASHION_MNIST_FILES.map((f) => f.name);

const archive = (name: string): Buffer => readFileSync(join(SHARED, name));

/** The archive with its last pixel changed: the right size and header, other contents (made once: it takes seconds). */
const tamperedCache = new Map<string, Buffer>();
function tampered(name: string): Buffer {
  if (!tamperedCache.has(name)) {
    const raw = gunzipSync(archive(name));
    raw[raw.length - 1] ^= 1;
    tamperedCache.set(name, gzipSync(raw, { level: 1 }));
  }
  return tamperedCache.get(name)!;
}

const hits: string[] = [];
const server = createServer((req, res) => {
  hits.push(req.url ?? '');
  const [, dir, name] = (req.url ?? '').split('/');
  if (dir === 'ok' && NAMES.includes(name)) {
    const body = archive(name);
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length });
    res.end(body);
  } else if (dir === 'wrong') {
    // real gzip, but of other bytes: the test labels under every name
    const body = name === NAMES[0] ? archive(NAMES[3]) : archive(name);
    res.end(body);
  } else if (dir === 'tampered') {
    res.end(tampered(name));
  } else if (dir === 'html') {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>rate limited</html>');
  } else if (dir === 'down') {
    res.writeHead(503, 'Service Unavailable');
    res.end();
  } else {
    res.writeHead(404, 'Not Found');
    res.end();
  }
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(() => server.close());

/** `llmcore …` in a child process; asynchronous, so this process's server keeps answering. */
function llmcore(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const cli = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => done({ code, out, err }));
  });
}

test('the checksums written in the code are those of the shared copy (unpacked SHA-256 and size); its archives are not upstream\'s', (t) => {
  if (missingFixture(t, join(SHARED, NAMES[0]))) return;
  for (const f of FASHION_MNIST_FILES) {
    const gz = archive(f.name);
    const raw = gunzipSync(gz);
    assert.equal(createHash('sha256').update(raw).digest('hex'), f.sha256, f.name);
    assert.equal(raw.length, f.bytes, f.name);
    // Debian re-compressed the archives: same contents, other .gz bytes than the MD5s upstream lists
    assert.notEqual(createHash('md5').update(gz).digest('hex'), f.md5Gz, f.name);
  }
  assert.equal(FASHION_MNIST_URL, 'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/');
});

test('llmcore data fashion-mnist fetches the four files, checked, where the vision loader reads them; a second run fetches nothing', async (t) => {
  if (missingFixture(t, join(SHARED, NAMES[0]))) return;
  const out = join(tempDir('fashion-'), 'fm');
  const first = await llmcore(['data', 'fashion-mnist', '--out', out, '--url', `${base}/ok`, '--json']);
  assert.equal(first.code, 0, first.err);
  const r = JSON.parse(first.out);
  assert.deepEqual(r.files.map((f: { name: string; status: string; upstreamArchive: boolean }) => [f.name, f.status, f.upstreamArchive]), NAMES.map((n) => [n, 'downloaded', false]));
  for (const n of NAMES) assert.ok(readFileSync(join(out, n)).equals(archive(n)), `${n} is the served archive byte for byte`);
  assert.deepEqual(readdirSync(out).sort(), [...NAMES, 'SOURCE.md'].sort());
  const source = readFileSync(join(out, 'SOURCE.md'), 'utf8');
  assert.match(source, /License: MIT/);
  assert.match(source, /apt-get install dataset-fashion-mnist/);
  const testSet = loadImageSet(out, 'test');
  assert.deepEqual([testSet.count, testSet.rows, testSet.labels[0]], [10_000, 28, 9]);

  const before = hits.length;
  const err: string[] = [];
  const again = await runDataFashionMnist({ out, url: `${base}/ok` }, { stderr: (t) => void err.push(t), stderrIsTTY: false });
  assert.equal(hits.length, before, 'verified files are not fetched again');
  assert.deepEqual(again.files.map((f) => f.status), ['present', 'present', 'present', 'present']);
  assert.equal((err.join('').match(/already in .*, contents verified/g) ?? []).length, 4);
  assert.match(err.join(''), /--data .*fm or LLMCORE_FASHION_MNIST=/);
});

test('contents that are not Fashion-MNIST are refused and an existing file is left as it was; bad servers, no server, caps: one clear error each', async (t) => {
  if (missingFixture(t, join(SHARED, NAMES[0]))) return;
  const dir = tempDir('fashion-');
  const out = join(dir, 'fm');
  mkdirSync(out);
  // an earlier, broken copy of the first file: replaced only by a verified one
  writeFileSync(join(out, NAMES[0]), 'not gzip');
  tampered(NAMES[0]); // before the downloads start, so the server answers without a pause
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const at = (sub: string, url: string, more: Partial<DataFashionMnistOptions> = {}): Promise<unknown> =>
    runDataFashionMnist({ out: join(dir, sub), url, ...more }, { stderr: () => {}, stderrIsTTY: false });
  const wrong = `${base}/wrong/${NAMES[0]}`.replace(/[./]/g, '\\$&');
  const cases: [() => Promise<unknown>, RegExp][] = [
    [() => at('fm', `${base}/wrong`), new RegExp(`^Error: data fashion-mnist: ${wrong} unpacks to 10,008 bytes with sha256 0402a96d[0-9a-f]{56}, not Fashion-MNIST's train-images-idx3-ubyte\\.gz \\(47,040,016 bytes, sha256 c59f468a[0-9a-f]{56}\\)$`)],
    [() => at('b', `${base}/tampered/`), /^Error: data fashion-mnist: http:\/\/127\.0\.0\.1:\d+\/tampered\/train-images-idx3-ubyte\.gz unpacks to 47,040,016 bytes with sha256 (?!c59f468a)[0-9a-f]{64}, not Fashion-MNIST's train-images-idx3-ubyte\.gz \(47,040,016 bytes, sha256 c59f468a/],
    [() => at('d', `${base}/html`), /^Error: data fashion-mnist: http:\/\/127\.0\.0\.1:\d+\/html\/train-images-idx3-ubyte\.gz is not complete gzip data \(incorrect header check\)$/],
    [() => at('e', `http://127.0.0.1:${port}/fm`), /^Error: data fashion-mnist: cannot download http:\/\/127\.0\.0\.1:\d+\/fm\/train-images-idx3-ubyte\.gz: ECONNREFUSED\. Check the network .*apt-get install dataset-fashion-mnist/],
    [() => at('f', 'fm/'), /^Error: data fashion-mnist: --url fm\/ is not an http:\/\/ or https:\/\/ URL of a folder holding train-images-idx3-ubyte\.gz$/],
    [() => at('g', `${base}/ok`, { maxUnpacked: 1e6 }), /^Error: data fashion-mnist: http:\/\/127\.0\.0\.1:\d+\/ok\/train-images-idx3-ubyte\.gz unpacks to more than the cap of 1 MB \(--max-unpacked\); refused$/],
    [() => at('h', `${base}/ok`, { maxDownload: 1e6 }), /^Error: data fashion-mnist: http:\/\/127\.0\.0\.1:\d+\/ok\/train-images-idx3-ubyte\.gz announces 26\.4 MB, more than the cap of 1 MB \(--max-download\); refused$/],
  ];
  for (const [run, message] of cases) await assert.rejects(run(), (e: Error) => (assert.match(String(e), message), true));
  assert.equal(readFileSync(join(out, NAMES[0]), 'utf8'), 'not gzip');
  assert.deepEqual(readdirSync(out), [NAMES[0]], 'no temporary file left');
  for (const d of ['b', 'd', 'e', 'g', 'h']) assert.deepEqual(readdirSync(join(dir, d)), [], d);

  // through the command line: one line, the Debian advice, no stack trace, nothing written
  const down = await llmcore(['data', 'fashion-mnist', '--out', join(dir, 'c'), '--url', `${base}/down`]);
  assert.equal(down.code, 1, down.err);
  assert.match(down.err, /^downloading http:\/\/127\.0\.0\.1:\d+\/down\/train-images-idx3-ubyte\.gz\nllmcore: data fashion-mnist: http:\/\/127\.0\.0\.1:\d+\/down\/train-images-idx3-ubyte\.gz answered HTTP 503 Service Unavailable\. Check the network or pass --url for a mirror; on Debian, `apt-get install dataset-fashion-mnist` installs the same files in \/usr\/share\/datasets\/fashion-mnist, where the vision commands look\.\n$/);
  assert.deepEqual(readdirSync(join(dir, 'c')), []);
});

test('llmcore data fashion-mnist --help tells where the files come from, how they are checked, the Debian package and the limits', async () => {
  const [help, data] = await Promise.all([llmcore(['data', 'fashion-mnist', '--help']), llmcore(['data', '--help'])]);
  assert.equal(help.code, 0);
  const text = help.out.replace(/\s+/g, ' ');
  assert.match(text, /Usage: llmcore data fashion-mnist \[options\]/);
  assert.match(text, /check each one's contents against the SHA-256/);
  assert.match(text, /apt-get install dataset-fashion-mnist/);
  assert.match(text, /--out <dir> .*\(default: "data\/fashion-mnist"\)/);
  assert.match(text, /--url <url> .*\(default: "https:\/\/raw\.githubusercontent\.com\/zalandoresearch\/fashion-mnist\/master\/data\/fashion\/"\)/);
  assert.match(text, /--max-download <size> .*\(default: 100 MB\)/);
  assert.match(text, /--max-unpacked <size> .*\(default: 100 MB\)/);
  assert.match(data.out, /fashion-mnist/);
});
