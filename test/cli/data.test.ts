/**
 * `llmcore data tatoeba` against a local HTTP server serving a small cmn-eng.zip built here: the
 * download, the unzip, the conversion to chinese<TAB>english, the fixed-seed split that keeps one
 * Chinese sentence (in either script) in one split, the attribution files, and clear errors; a run
 * over an earlier one leaves no stale split; hostile servers get one clear line from the command.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import { runDataTatoeba, prepareTatoeba, splitMix64, chineseKey, extractCmn, TATOEBA_SEED, type DataTatoebaOptions } from '../../cli/data.js';
import type { CliIo } from '../../cli/translate.js';
import { readParallelFile } from '../../src/data/parallel-file.js';
import { tempDir } from '../decode/tiny-translator.js';
import { startHostileServer } from '../data/download-hostile.js';

const attribution = (i: number): string => `CC-BY 2.0 (France) Attribution: tatoeba.org #${1000 + i} (CM) & #${5000 + i} (someone)`;
const lines: string[] = [];
for (let i = 0; i < 60; i++) lines.push(`Sentence number ${i}.\t这是第${i}句。\t${attribution(i)}`);
lines.push(`We try. 我们来试试。\t${attribution(60)}`); // a space instead of the TAB, as upstream line 29
lines.push(`We're eating apples.\t我們正在吃蘋果。\t${attribution(61)}`); // Traditional…
lines.push(`We are eating apples.\t我们正在吃苹果。\t${attribution(62)}`); // …and Simplified: one group
lines.push(`Sentence number 0.\t这是第0句。\t${attribution(0)}`); // an exact duplicate
lines.push('a broken line without tabs');
const CMN = lines.join('\n') + '\n';
const ZIP = zipSync({ '_about.txt': strToU8('about'), 'cmn.txt': strToU8(CMN) });

let hits = 0;
const server = createServer((req, res) => {
  hits++;
  if (req.url === '/anki/cmn-eng.zip') {
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': ZIP.length });
    res.end(Buffer.from(ZIP));
  } else if (req.url === '/notzip') {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>hello</html>');
  } else if (req.url === '/nocmn.zip') {
    res.end(Buffer.from(zipSync({ 'fra.txt': strToU8('Hi.\tSalut.\tx\n') })));
  } else {
    res.writeHead(404, 'Not Found');
    res.end();
  }
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(() => server.close());

function io(): CliIo & { err: string[] } {
  const err: string[] = [];
  return { err, stdout: () => {}, stderr: (t) => err.push(t), stdin: process.stdin, stderrIsTTY: false };
}

const options = (out: string, o: Partial<DataTatoebaOptions> = {}): DataTatoebaOptions => ({ out, url: `${base}/anki/cmn-eng.zip`, dev: 10, test: 0, seed: TATOEBA_SEED, ...o });

test('downloads, unzips and writes chinese<TAB>english train/dev files with attribution beside them', async () => {
  const out = tempDir('tatoeba-');
  const x = io();
  const r = await runDataTatoeba(options(out), x);
  assert.equal(hits > 0, true);
  assert.equal(r.pairs, 63);
  assert.equal(r.dev, 10);
  assert.equal(r.train, 53);
  assert.equal(r.skipped, 1);
  assert.equal(r.repaired, 1);
  assert.equal(r.duplicates, 1);
  assert.deepEqual(r.files, ['train.tsv', 'train.attribution.txt', 'dev.tsv', 'dev.attribution.txt', 'SOURCE.md']);
  assert.match(x.err.join(''), /line 65 skipped/);
  const train = readParallelFile(join(out, 'train.tsv')).pairs;
  const dev = readParallelFile(join(out, 'dev.tsv')).pairs;
  assert.equal(train.length, 53);
  assert.equal(dev.length, 10);
  const all = [...train, ...dev];
  assert.ok(all.some((p) => p.source === '我们来试试。' && p.target === 'We try.'), 'the space-separated line was repaired');
  assert.ok(all.every((p) => /[\u4e00-\u9fff]/.test(p.source) && !/[\u4e00-\u9fff]/.test(p.target)), 'Chinese first, English second');
  // attribution: line N credits pair N
  const trainAttr = readFileSync(join(out, 'train.attribution.txt'), 'utf8').trimEnd().split('\n');
  assert.equal(trainAttr.length, 53);
  train.forEach((p, i) => {
    const n = /第(\d+)句/.exec(p.source);
    if (n) assert.equal(trainAttr[i], attribution(Number(n[1])));
  });
  const source = readFileSync(join(out, 'SOURCE.md'), 'utf8');
  assert.match(source, /CC BY 2\.0 FR/);
  assert.match(source, /tatoeba\.org/);
  assert.match(source, new RegExp(`sha256 of the zip \`${r.sha256}\``));
});

test('the split: fixed by the seed, exact dev size, one Chinese sentence (either script) in one split', async () => {
  const a = tempDir('tatoeba-');
  const b = tempDir('tatoeba-');
  await runDataTatoeba(options(a), io());
  await runDataTatoeba(options(b), io());
  for (const f of ['train.tsv', 'dev.tsv', 'train.attribution.txt', 'dev.attribution.txt']) {
    assert.equal(readFileSync(join(a, f), 'utf8'), readFileSync(join(b, f), 'utf8'), f);
  }
  const other = tempDir('tatoeba-');
  await runDataTatoeba(options(other, { seed: 7 }), io());
  assert.notEqual(readFileSync(join(other, 'dev.tsv'), 'utf8'), readFileSync(join(a, 'dev.tsv'), 'utf8'));
  // the two apple sentences share a key, so they land together, whatever the seed
  assert.equal(chineseKey('我們正在吃蘋果。'), chineseKey('我们正在吃苹果'));
  for (let seed = 0; seed < 20; seed++) {
    const s = prepareTatoeba(CMN, { dev: 10, test: 5, seed });
    assert.equal(s.dev.length, 10);
    assert.equal(s.test.length, 5);
    const where = (zh: string): string => (s.dev.some((p) => p.chinese === zh) ? 'dev' : s.test.some((p) => p.chinese === zh) ? 'test' : 'train');
    assert.equal(where('我們正在吃蘋果。'), where('我们正在吃苹果。'));
  }
  // SplitMix64's published first outputs for seed 0 … and a test file when asked
  const next = splitMix64(0);
  assert.equal(next(), 0xe220a8397b1dcdafn);
  assert.equal(next(), 0x6e789e6aa1b965f4n);
  const withTest = tempDir('tatoeba-');
  const r = await runDataTatoeba(options(withTest, { test: 5 }), io());
  assert.equal(r.test, 5);
  assert.ok(existsSync(join(withTest, 'test.tsv')) && existsSync(join(withTest, 'test.attribution.txt')));
});

test('--zip uses a copy on disk without any download', async () => {
  const dir = tempDir('tatoeba-');
  writeFileSync(join(dir, 'cmn-eng.zip'), ZIP);
  const before = hits;
  const r = await runDataTatoeba(options(join(dir, 'out'), { zip: join(dir, 'cmn-eng.zip'), url: 'http://127.0.0.1:1/never' }), io());
  assert.equal(hits, before);
  assert.equal(r.pairs, 63);
});

test('clear errors: HTTP errors, no server, not a zip, no cmn.txt, too few pairs', async () => {
  const out = tempDir('tatoeba-');
  await assert.rejects(runDataTatoeba(options(out, { url: `${base}/missing.zip` }), io()), /answered HTTP 404 Not Found/);
  // a port nobody listens on: open a server, note its port, close it
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  await assert.rejects(runDataTatoeba(options(out, { url: `http://127.0.0.1:${port}/cmn-eng.zip` }), io()), /cannot download http:\/\/127\.0\.0\.1:\d+\/cmn-eng\.zip: ECONNREFUSED.*--zip FILE/);
  await assert.rejects(runDataTatoeba(options(out, { url: `${base}/notzip` }), io()), /is not a readable zip file/);
  await assert.rejects(runDataTatoeba(options(out, { url: 'cmn-eng.zip' }), io()), /^Error: data tatoeba: --url cmn-eng\.zip is not an http:\/\/ or https:\/\/ URL \(for a cmn-eng\.zip on disk, give --zip FILE\)$/);
  await assert.rejects(runDataTatoeba(options(out, { url: `${base}/nocmn.zip` }), io()), /holds no cmn\.txt \(it holds: fra\.txt\)/);
  await assert.rejects(runDataTatoeba(options(out, { dev: 1000 }), io()), /only 63 pairs: cannot fill dev 1000/);
  await assert.rejects(runDataTatoeba(options(out, { zip: join(out, 'nope.zip') }), io()), /cannot read --zip .*nope\.zip \(ENOENT\)/);
  assert.equal(extractCmn(zipSync({ 'deep/dir/cmn.txt': strToU8('Hi.\t你好。\tx\n') }), 'z').trim(), 'Hi.\t你好。\tx');
});

test('a second run into the same --out leaves only its own split: the stale test files go, SOURCE.md lists the split', async () => {
  const out = tempDir('tatoeba-');
  await runDataTatoeba(options(out, { test: 5 }), io());
  const staleTest = readFileSync(join(out, 'test.tsv'), 'utf8');
  writeFileSync(join(out, 'notes.txt'), 'mine'); // not a split file: left alone
  const x = io();
  const r = await runDataTatoeba(options(out), x);
  assert.deepEqual(r.removed, ['test.tsv', 'test.attribution.txt']);
  assert.deepEqual(readdirSync(out).sort(), ['SOURCE.md', 'dev.attribution.txt', 'dev.tsv', 'notes.txt', 'train.attribution.txt', 'train.tsv']);
  // the pairs of the old test.tsv are now in train/dev, and nowhere twice
  const now = readFileSync(join(out, 'train.tsv'), 'utf8') + readFileSync(join(out, 'dev.tsv'), 'utf8');
  for (const line of staleTest.trimEnd().split('\n')) assert.ok(now.includes(line + '\n'), line);
  assert.match(x.err.join(''), /removed test\.tsv, test\.attribution\.txt \(an earlier split, not part of this one\)/);
  const source = readFileSync(join(out, 'SOURCE.md'), 'utf8');
  assert.match(source, /\| `train\.tsv` \| 53 \|\n\| `train\.attribution\.txt` \| 53 \|\n\| `dev\.tsv` \| 10 \|\n\| `dev\.attribution\.txt` \| 10 \|\n/);
  assert.doesNotMatch(source, /\| `test/);
  assert.match(source, /Removed, left by an earlier run with another split: `test\.tsv`, `test\.attribution\.txt`\./);
  assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.tmp')), []);
});

/** `llmcore data …` in a child process; asynchronous, so this process's servers keep answering. */
function llmcore(args: string[]): Promise<{ code: number | null; out: string; err: string; ms: number }> {
  const cli = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
  const t0 = performance.now();
  return new Promise((done) => {
    // killed after a minute: a command that hangs on a silent server fails the test instead of stalling it
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => done({ code, out, err, ms: performance.now() - t0 }));
  });
}

test('llmcore data tatoeba against hostile servers: one clear line each, nothing written', async () => {
  const hostile = await startHostileServer();
  try {
    const out = join(tempDir('tatoeba-'), 'out');
    const cases: [string[], RegExp][] = [
      [['--url', `${hostile.base}/endless`, '--max-download', '1MB'], new RegExp(`^llmcore: data tatoeba: ${hostile.base}/endless sent more than the cap of 1 MB \\(--max-download\\); refused\\n$`)],
      [['--url', `${hostile.base}/silent`, '--timeout', '0.5'], new RegExp(`^llmcore: data tatoeba: no answer from ${hostile.base}/silent within 0\\.5 s \\(--timeout\\)\\n$`)],
      [['--url', `${hostile.base}/bomb.zip`, '--max-unpacked', '5MB'], new RegExp(`^llmcore: data tatoeba: cmn\\.txt in ${hostile.base}/bomb\\.zip unpacks to more than the cap of 5 MB \\(--max-unpacked\\); refused\\n$`)],
      [['--url', `${hostile.base}/truncated`], new RegExp(`^llmcore: data tatoeba: the connection to ${hostile.base}/truncated closed after 500 of 1000 bytes \\([^\\n]*\\)\\n$`)],
      [['--url', `${hostile.base}/huge`], /^llmcore: data tatoeba: .*\/huge announces 10 GB, more than the cap of 50 MB \(--max-download\); refused\n$/],
    ];
    const results = await Promise.all(cases.map(([args]) => llmcore(['data', 'tatoeba', '--out', out, '--json', ...args])));
    results.forEach((r, i) => {
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, cases[i][1]);
      assert.equal(r.out, '');
    });
    assert.deepEqual(readdirSync(out), []);
  } finally {
    await hostile.close();
  }
});

test('llmcore data tatoeba --help states the caps and timeouts; bad values name the option', async () => {
  const [help, data, bad, huge] = await Promise.all([
    llmcore(['data', 'tatoeba', '--help']),
    llmcore(['data', '--help']),
    llmcore(['data', 'tatoeba', '--max-download', 'lots']),
    llmcore(['data', 'tatoeba', '--max-unpacked', '1GB']),
  ]);
  assert.equal(help.code, 0);
  const text = help.out.replace(/\s+/g, ' ');
  assert.match(text, /--max-download <size> .*\(default: 50 MB\)/);
  assert.match(text, /--max-unpacked <size> .*\(default: 100 MB\)/);
  assert.match(text, /--timeout <duration> .*\(default: 30s\)/);
  assert.match(text, /--max-time <duration> .*\(default: 10m00s\)/);
  assert.match(text, /--test <n> pairs in test\.tsv \(0: no test file\) \(default: 0\)/);
  assert.match(data.out, /Usage: llmcore data <set> \[options\]/);
  assert.match(data.out, /tatoeba/);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /option '--max-download <size>' argument 'lots' is invalid\. expected a size like 50MB, 1\.5GB, 512KiB or a number of bytes, got 'lots'/);
  assert.equal(huge.code, 1);
  assert.match(huge.err, /'--max-unpacked <size>' argument '1GB' is invalid\. at most 536\.9 MB \(cmn\.txt is read as one JavaScript string\)/);
});
