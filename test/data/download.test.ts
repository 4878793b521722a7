/**
 * The bounded download layer against a hostile local server: endless bodies, silence, slow drips,
 * truncated bodies, announced giants, zip and gzip bombs; and the atomic file download that a
 * gzip data set (Fashion-MNIST) will use.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { downloadBytes, downloadToFile, unzipEntry, formatBytes, DownloadError } from '../../src/data/download.js';
import { startHostileServer, zipBomb, GOOD_TEXT, GOOD_GZ } from './download-hostile.js';
import { tempDir } from '../decode/tiny-translator.js';

const hostile = await startHostileServer();
after(() => hostile.close());
const { base } = hostile;
const names = { maxBytes: '--max-download', idleTimeout: '--timeout', maxTime: '--max-time', maxUnpacked: '--max-unpacked' };

async function rejectsWithin(p: Promise<unknown>, ms: number, message: RegExp, kind: string): Promise<void> {
  const t0 = performance.now();
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DownloadError, `a DownloadError, got ${String(e)}`);
    assert.match(e.message, message);
    assert.equal(e.kind, kind);
    return true;
  });
  const took = performance.now() - t0;
  assert.ok(took < ms, `took ${took.toFixed(0)} ms (more than ${ms})`);
}

test('an endless body is refused at the cap, naming the URL and the cap, and the connection is dropped', async () => {
  await rejectsWithin(downloadBytes(`${base}/endless`, { maxBytes: 1e6, names }), 5000, new RegExp(`^${base}/endless sent more than the cap of 1 MB \\(--max-download\\); refused$`), 'too-large');
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(hostile.endlessSent() < 16e6, `the server kept sending: ${hostile.endlessSent()} bytes`);
});

test('what is no http(s) URL is refused before anything is sent', async () => {
  await rejectsWithin(downloadBytes('/endless'), 1000, /^cannot download "\/endless": not an http:\/\/ or https:\/\/ URL$/, 'bad-url');
  await rejectsWithin(downloadBytes('file:///etc/passwd'), 1000, /not an http:\/\/ or https:\/\/ URL/, 'bad-url');
});

test('a Content-Length above the cap is refused before the body is read', async () => {
  await rejectsWithin(downloadBytes(`${base}/huge`, { maxBytes: 50e6, names }), 2000, /\/huge announces 10 GB, more than the cap of 50 MB \(--max-download\); refused/, 'too-large');
});

test('a server that never answers times out with the URL and the option', async () => {
  await rejectsWithin(downloadBytes(`${base}/silent`, { idleTimeout: 0.3, names }), 2000, new RegExp(`^no answer from ${base}/silent within 0\\.3 s \\(--timeout\\)$`), 'timeout');
});

test('a body that stops coming times out; a slow drip meets the total deadline', async () => {
  await rejectsWithin(downloadBytes(`${base}/stall`, { idleTimeout: 0.3, names }), 2000, /\/stall sent nothing for 0\.3 s after 10 of 100 bytes \(--timeout\)$/, 'timeout');
  await rejectsWithin(downloadBytes(`${base}/drip`, { idleTimeout: 5, maxTime: 0.4, names }), 2000, /^the download of .*\/drip took longer than 0\.4 s \(--max-time\); stopped after \d+ of 1000 bytes$/, 'timeout');
});

test('a truncated body names the URL and how many of the announced bytes came', async () => {
  await rejectsWithin(downloadBytes(`${base}/truncated`, { names }), 2000, new RegExp(`^the connection to ${base}/truncated closed after 500 of 1000 bytes \\(other side closed\\)$`), 'truncated');
});

test('a zip bomb is refused at the unpacked cap without unpacking the whole', async () => {
  const bomb = zipBomb('cmn.txt', 700);
  assert.ok(bomb.length < 1e6, `the bomb is ${bomb.length} bytes`);
  const before = process.memoryUsage().rss;
  assert.throws(
    () => unzipEntry(bomb, (n) => n === 'cmn.txt', 8e6, { from: 'bomb.zip', capName: '--max-unpacked' }),
    (e: unknown) => e instanceof DownloadError && e.kind === 'unpacked-too-large' && /^cmn\.txt in bomb\.zip unpacks to more than the cap of 8 MB \(--max-unpacked\); refused$/.test(e.message),
  );
  // peak resident memory (kB): 700 MiB unpacked at once would show here
  const peakGrowth = process.resourceUsage().maxRSS * 1024 - before;
  assert.ok(peakGrowth < 200e6, `peak memory grew by ${formatBytes(peakGrowth)}`);
});

test('unzipEntry: the named entry, what the zip holds when it is missing, and junk that is no zip', () => {
  const zip = zipSync({ 'a.txt': strToU8('aaa'), 'deep/cmn.txt': strToU8('你好\n'.repeat(10000)) });
  const r = unzipEntry(zip, (n) => n.endsWith('cmn.txt'), 1e6, { from: 'z' });
  assert.equal(r.name, 'deep/cmn.txt');
  assert.equal(new TextDecoder().decode(r.bytes), '你好\n'.repeat(10000));
  assert.deepEqual(unzipEntry(zip, (n) => n === 'x', 1e6, { from: 'z' }), { names: ['a.txt', 'deep/cmn.txt'] });
  assert.throws(() => unzipEntry(strToU8('<html><body>Not Found</body></html>'), () => true, 1e6, { from: 'page' }), /^DownloadError: page is not a readable zip file \(it does not start with a zip signature; it starts with "<html><body>Not "\)$/);
  // stored entries, and a cap that counts what is stored too
  const stored = zipSync({ 'cmn.txt': [strToU8('x'.repeat(5000)), { level: 0 }] });
  assert.equal(unzipEntry(stored, () => true, 5000, { from: 's' }).bytes?.length, 5000);
  assert.throws(() => unzipEntry(stored, () => true, 4999, { from: 's' }), /cmn\.txt in s unpacks to more than the cap of 5 kB; refused/);
  assert.equal(unzipEntry(zip, (n) => n.endsWith('cmn.txt'), 70000, { from: 'z' }).bytes?.length, 70000, 'exactly the cap is allowed');
  assert.throws(() => unzipEntry(zip, (n) => n.endsWith('cmn.txt'), 69999, { from: 'z' }), /unpacks to more than the cap of 70 kB/);
  assert.throws(() => unzipEntry(zip.subarray(0, zip.length - 30), (n) => n.endsWith('cmn.txt'), 1e6, { from: 'cut.zip' }), /^DownloadError: cut\.zip is not a readable zip file \(it ends early: no end-of-central-directory record\)$/);
});

test('downloadToFile: gunzips to the file atomically, with the sha256 of what was sent', async () => {
  const dir = tempDir('download-');
  const path = join(dir, 'train-images-idx3-ubyte');
  writeFileSync(path, 'the old file');
  const r = await downloadToFile(`${base}/good.gz`, path, { gunzip: { maxBytes: 1e6 }, sha256: createHash('sha256').update(GOOD_GZ).digest('hex') });
  assert.equal(readFileSync(path, 'utf8'), GOOD_TEXT);
  assert.deepEqual(r, { path, downloaded: GOOD_GZ.length, written: GOOD_TEXT.length, sha256: createHash('sha256').update(GOOD_GZ).digest('hex') });
  assert.deepEqual(readdirSync(dir), ['train-images-idx3-ubyte'], 'no temporary file left');
  const plain = await downloadToFile(`${base}/good.gz`, join(dir, 'copy.gz'));
  assert.equal(plain.written, GOOD_GZ.length);
  assert.deepEqual(readFileSync(join(dir, 'copy.gz')), GOOD_GZ);
});

test('downloadToFile: a gzip bomb, a truncated body, junk, a cut gzip or a wrong checksum leave the old file and no temporary file', async () => {
  const dir = tempDir('download-');
  const path = join(dir, 'labels');
  writeFileSync(path, 'the old file');
  const before = process.memoryUsage().rss;
  await rejectsWithin(downloadToFile(`${base}/bomb.gz`, path, { gunzip: { maxBytes: 8e6 }, names }), 5000, /\/bomb\.gz unpacks to more than the cap of 8 MB \(--max-unpacked\); refused$/, 'unpacked-too-large');
  const peakGrowth = process.resourceUsage().maxRSS * 1024 - before;
  assert.ok(peakGrowth < 200e6, `peak memory grew by ${formatBytes(peakGrowth)}`);
  await rejectsWithin(downloadToFile(`${base}/truncated`, path, { names }), 2000, /closed after 500 of 1000 bytes/, 'truncated');
  await rejectsWithin(downloadToFile(`${base}/endless`, path, { maxBytes: 1e6, names }), 5000, /sent more than the cap of 1 MB/, 'too-large');
  await rejectsWithin(downloadToFile(`${base}/bad.gz`, path, { gunzip: { maxBytes: 1e6 } }), 2000, /\/bad\.gz is not complete gzip data \(incorrect header check\)/, 'bad-data');
  await rejectsWithin(downloadToFile(`${base}/short.gz`, path, { gunzip: { maxBytes: 1e6 } }), 2000, /\/short\.gz is not complete gzip data \(unexpected end of file\)/, 'bad-data');
  await rejectsWithin(downloadToFile(`${base}/good.gz`, path, { sha256: '0'.repeat(64) }), 2000, /has sha256 [0-9a-f]{64}, not the expected 0{64}; the file was not written/, 'checksum');
  await rejectsWithin(downloadToFile(`${base}/good.gz`, join(dir, 'no-such-dir', 'x')), 2000, /^cannot write .*no-such-dir\/x: ENOENT$/, 'file');
  assert.equal(readFileSync(path, 'utf8'), 'the old file');
  assert.deepEqual(readdirSync(dir), ['labels']);
});
