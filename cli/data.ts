/**
 * `llmcore data tatoeba`: downloads the public Tatoeba Chinese–English pairs as manythings.org
 * packages them (cmn-eng.zip → cmn.txt, lines `English<TAB>Chinese<TAB>attribution`) and prepares
 * them as the translator reads them: `chinese<TAB>english` TSV files, a train/dev split made with a
 * fixed seed, and the attribution of every pair kept line by line in files of their own.
 *
 * Never needed to run the shipped model; it is for users who want the full public corpus. The split
 * follows the one of ../shared/data/tatoeba-cmn-eng (SOURCE.md there): pairs whose Chinese is the
 * same sentence (after Traditional→Simplified, without spaces and punctuation) go to the same split,
 * so no dev sentence is also a training sentence in the other script; groups are shuffled with
 * SplitMix64 + Fisher–Yates from their sorted order, test (if asked) then dev are filled to exactly
 * their size, skipping a group that would overflow, and the rest is train.
 *
 * `llmcore data fashion-mnist`: the four gzipped IDX files of Fashion-MNIST, kept as published (the
 * vision loader reads .gz), each checked by the SHA-256 of what it unpacks to before it takes its name.
 */
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { normalizeChinese } from '../src/text/chinese.js';
import { gunzipSync } from 'node:zlib';
import { DownloadError, downloadBytes, downloadToFile, formatBytes, unzipEntry } from '../src/data/download.js';
import { DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_FILES, FASHION_MNIST_URL, type FashionMnistFile } from '../src/data/fashion-mnist.js';
import { MAX_IDX_BYTES } from '../src/data/idx.js';
import { registerDataTokenize } from './data-tokenize.js';
import { integer } from './options.js';
import { addDownloadOptions, downloadLimits, LIMIT_FLAGS, type DownloadFlags } from './download-options.js';

/** What the command writes besides its result: progress and notes on stderr (a CliIo of cli/translate.ts fits). */
export interface DataIo {
  stderr: (text: string) => void;
  stderrIsTTY: boolean;
}

const processIo = (): DataIo => ({ stderr: (t) => void process.stderr.write(t), stderrIsTTY: Boolean(process.stderr.isTTY) });

export const TATOEBA_URL = 'https://www.manythings.org/anki/cmn-eng.zip';
export const TATOEBA_SEED = 20240611;

export interface TatoebaPair {
  chinese: string;
  english: string;
  attribution: string;
  /** 1-based line in cmn.txt. */
  line: number;
}

export interface TatoebaSplit {
  train: TatoebaPair[];
  dev: TatoebaPair[];
  test: TatoebaPair[];
  /** Lines that could not be read as a pair. */
  skipped: { line: number; reason: string }[];
  /** Lines whose English and Chinese were separated by spaces instead of a TAB, repaired. */
  repaired: number;
  /** Exact (Chinese, English) repeats dropped (the first is kept). */
  duplicates: number;
  groups: number;
}

/** SplitMix64 (Steele et al. 2014), as 64-bit BigInt arithmetic: the same stream on every platform. */
export function splitMix64(seed: number | bigint): () => bigint {
  const MASK = (1n << 64n) - 1n;
  let state = BigInt(seed) & MASK;
  return () => {
    state = (state + 0x9e3779b97f4a7c15n) & MASK;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
    return z ^ (z >> 31n);
  };
}

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[\u{20000}-\u{2fa1f}]/u;

/** The key that groups pairs with the same Chinese sentence: T→S, no whitespace, no punctuation or symbols. */
export function chineseKey(zh: string): string {
  return normalizeChinese(zh).replace(/[\s\p{P}\p{S}]/gu, '');
}

/** Parses cmn.txt and splits it; `dev` and `test` are exact sizes (an error if the data are too few). */
export function prepareTatoeba(text: string, options: { dev?: number; test?: number; seed?: number } = {}): TatoebaSplit {
  const { dev: devSize = 1000, test: testSize = 0, seed = TATOEBA_SEED } = options;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split(/\r?\n/);
  const pairs: TatoebaPair[] = [];
  const skipped: { line: number; reason: string }[] = [];
  const seen = new Set<string>();
  let repaired = 0;
  let duplicates = 0;
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const fields = raw.split('\t');
    let english: string;
    let chinese: string;
    let attribution: string;
    if (fields.length >= 3) {
      [english, chinese] = fields;
      attribution = fields.slice(2).join('\t');
    } else if (fields.length === 2 && CJK.test(fields[0])) {
      // "We try. 我们来试试。<TAB>attribution": split before the first Chinese character
      const at = fields[0].search(CJK);
      english = fields[0].slice(0, at);
      chinese = fields[0].slice(at);
      attribution = fields[1];
      repaired++;
    } else if (fields.length === 2) {
      [english, chinese] = fields; // an older two-column release, without attribution
      attribution = '';
    } else {
      skipped.push({ line, reason: 'expected English<TAB>Chinese<TAB>attribution' });
      return;
    }
    english = english.trim();
    chinese = chinese.trim();
    attribution = attribution.trim();
    if (english === '' || chinese === '') {
      skipped.push({ line, reason: english === '' ? 'the English side is empty' : 'the Chinese side is empty' });
      return;
    }
    if (/[\t\n]/.test(english + chinese)) {
      skipped.push({ line, reason: 'a TAB inside a field' });
      return;
    }
    const key = `${chinese}\t${english}`;
    if (seen.has(key)) {
      duplicates++;
      return;
    }
    seen.add(key);
    pairs.push({ chinese, english, attribution, line });
  });

  const groups = new Map<string, TatoebaPair[]>();
  for (const p of pairs) {
    const k = chineseKey(p.chinese);
    const g = groups.get(k);
    if (g) g.push(p);
    else groups.set(k, [p]);
  }
  const keys = [...groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const next = splitMix64(seed);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Number(next() % BigInt(i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  const test: TatoebaPair[] = [];
  const dev: TatoebaPair[] = [];
  const train: TatoebaPair[] = [];
  for (const k of keys) {
    const g = groups.get(k)!;
    if (test.length + g.length <= testSize) test.push(...g);
    else if (dev.length + g.length <= devSize) dev.push(...g);
    else train.push(...g);
  }
  if (test.length !== testSize || dev.length !== devSize) {
    throw new Error(`data tatoeba: only ${pairs.length} pairs: cannot fill dev ${devSize} and test ${testSize} exactly (got ${dev.length} and ${test.length})`);
  }
  return { train, dev, test, skipped, repaired, duplicates, groups: keys.length };
}

export interface DataTatoebaOptions extends Partial<DownloadFlags> {
  out: string;
  url: string;
  /** A cmn-eng.zip already on disk (no download). */
  zip?: string;
  dev: number;
  test: number;
  seed: number;
  json?: boolean;
}

/** What --json prints. */
export interface DataTatoebaResult {
  out: string;
  source: string;
  sha256: string;
  pairs: number;
  train: number;
  dev: number;
  test: number;
  skipped: number;
  repaired: number;
  duplicates: number;
  files: string[];
  /** Split files of an earlier run that this split does not have, removed. */
  removed: string[];
}

/** The limits of a tatoeba download: cmn-eng.zip is ~1.3 MB and cmn.txt ~4.2 MB (2022), so each has ~25× room to grow. */
export const TATOEBA_LIMITS: DownloadFlags = { maxDownload: 50e6, maxUnpacked: 100e6, timeout: 30, maxTime: 600 };

/** V8's longest string (2^29 − 24 UTF-16 units on 64-bit): cmn.txt is decoded as one string, and UTF-8 never has fewer bytes than units. */
export const MAX_TEXT_BYTES = 2 ** 29 - 24;

function progress(io: DataIo): ((received: number, total: number | undefined) => void) | undefined {
  if (!io.stderrIsTTY) return undefined;
  let shown = 0;
  return (got, total) => {
    if (performance.now() - shown < 200) return;
    shown = performance.now();
    io.stderr(`\rdownloading ${(got / 1e6).toFixed(1)}${total ? `/${(total / 1e6).toFixed(1)}` : ''} MB`);
  };
}

/** cmn.txt out of the zip (wherever it sits in it), refused past `maxBytes` unpacked without unpacking the rest. */
export function extractCmn(zip: Uint8Array, from: string, maxBytes = TATOEBA_LIMITS.maxUnpacked): string {
  let entry;
  try {
    entry = unzipEntry(zip, (n) => /(^|\/)cmn\.txt$/.test(n), Math.min(maxBytes, MAX_TEXT_BYTES), { from, capName: LIMIT_FLAGS.maxUnpacked });
  } catch (e) {
    if (e instanceof DownloadError) throw new Error(`data tatoeba: ${e.message}`);
    throw e;
  }
  if (!entry.name || !entry.bytes) throw new Error(`data tatoeba: ${from} holds no cmn.txt (it holds: ${entry.names.join(', ') || 'nothing'})`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(entry.bytes);
  } catch (e) {
    if (e instanceof RangeError) throw new Error(`data tatoeba: ${entry.name} in ${from} is ${formatBytes(entry.bytes.length)}, too long to read as one JavaScript string`);
    throw new Error(`data tatoeba: ${entry.name} in ${from} is not UTF-8 text`);
  }
}

/** The files a split can consist of: whatever of them a run does not write is removed, so no stale split survives. */
const SPLIT_FILES = ['train', 'dev', 'test'].flatMap((n) => [`${n}.tsv`, `${n}.attribution.txt`]);

function sourceMd(r: { url: string; sha256: string; split: TatoebaSplit; seed: number; files: string[]; removed: string[] }): string {
  const s = r.split;
  return [
    '# Tatoeba Chinese–English sentence pairs (manythings.org `cmn-eng`)',
    '',
    `Downloaded from ${r.url} (sha256 of the zip \`${r.sha256}\`) and prepared by \`llmcore data tatoeba\` on ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '## License and attribution',
    '',
    'Chinese–English sentence pairs from Tatoeba (https://tatoeba.org), CC BY 2.0 FR, via manythings.org',
    '(https://www.manythings.org/anki/). Individual sentence authors are listed by Tatoeba sentence number in',
    'the `*.attribution.txt` files: line N there credits the pair on line N of the `.tsv` file of the same name.',
    'The data were changed: columns swapped (Chinese first), attribution moved to its own files, reordered and',
    `split, ${s.repaired} space-separated line(s) repaired, ${s.duplicates} exact duplicate(s) dropped. These files stay under CC BY 2.0 FR.`,
    '',
    '## Files',
    '',
    'The split is these files and no others (each run writes its split whole and removes split files it does not write):',
    '',
    '| file | lines |',
    '|---|---|',
    ...r.files.filter((f) => f !== 'SOURCE.md').map((f) => `| \`${f}\` | ${f.startsWith('train') ? s.train.length : f.startsWith('dev') ? s.dev.length : s.test.length} |`),
    '',
    ...(r.removed.length ? [`Removed, left by an earlier run with another split: ${r.removed.map((f) => `\`${f}\``).join(', ')}.`, ''] : []),
    'Format: UTF-8, one pair per line, Chinese, one TAB, English; `\\n` line ends; no header.',
    '',
    '## The split',
    '',
    `Seed ${r.seed}. Pairs whose Chinese is the same sentence after Traditional→Simplified (opencc-js t2cn) without spaces`,
    `and punctuation form a group (${s.groups} groups) and go to the same split. Groups are shuffled with SplitMix64 +`,
    'Fisher–Yates from their sorted order; test (if any) then dev are filled to exactly their size, skipping a group that',
    'would overflow; the rest is train.',
    '',
    'Note: this is the full public corpus. It contains the pairs held out as the test set of ../shared/data/tatoeba-cmn-eng,',
    'so do not report numbers on that test set for a model trained on this train.tsv.',
    '',
  ].join('\n');
}

/**
 * Writes every file under a temporary name first, then renames them all and removes the split files
 * this run does not write: a failure while writing leaves the previous split whole, and success
 * leaves exactly the new one (no test.tsv of an earlier --test run whose pairs are now in dev.tsv).
 */
async function writeSplit(out: string, contents: [string, string][]): Promise<string[]> {
  const tag = randomBytes(6).toString('hex');
  const temps: string[] = [];
  try {
    for (const [name, text] of contents) {
      const temp = join(out, `.${name}.${tag}.tmp`);
      await writeFile(temp, text, { flag: 'wx' });
      temps.push(temp);
    }
  } catch (e) {
    await Promise.all(temps.map((t) => unlink(t).catch(() => undefined)));
    throw new Error(`data tatoeba: cannot write in --out ${out} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  for (const [i, [name]] of contents.entries()) await rename(temps[i], join(out, name));
  const written = new Set(contents.map(([name]) => name));
  const removed: string[] = [];
  for (const name of SPLIT_FILES) {
    if (written.has(name)) continue;
    try {
      await unlink(join(out, name));
      removed.push(name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`data tatoeba: cannot remove the stale ${join(out, name)} (${(e as NodeJS.ErrnoException).code})`);
    }
  }
  return removed;
}

/**
 * Downloads (or reads `--zip`), splits and writes the corpus.
 * @example await runDataTatoeba({ out: 'data/tatoeba', url: TATOEBA_URL, dev: 1000, test: 0, seed: TATOEBA_SEED })
 */
export async function runDataTatoeba(o: DataTatoebaOptions, io: DataIo = processIo()): Promise<DataTatoebaResult> {
  const say = o.json ? () => {} : (s: string) => io.stderr(s + '\n');
  const out = resolve(o.out);
  // before the download: a bad --out must not cost one
  try {
    await mkdir(out, { recursive: true });
  } catch (e) {
    throw new Error(`data tatoeba: cannot create the folder --out ${o.out} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let zip: Uint8Array;
  let from: string;
  if (o.zip) {
    from = o.zip;
    try {
      zip = new Uint8Array(await readFile(o.zip));
    } catch (e) {
      throw new Error(`data tatoeba: cannot read --zip ${o.zip} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  } else {
    from = o.url;
    say(`downloading ${o.url}`);
    try {
      zip = await downloadBytes(o.url, {
        ...downloadLimits(o),
        names: LIMIT_FLAGS,
        userAgent: 'llmcore-data/0.1 (+https://www.manythings.org/anki/)',
        onProgress: progress(io),
      });
    } catch (e) {
      if (!(e instanceof DownloadError)) throw e;
      if (e.kind === 'bad-url') throw new Error(`data tatoeba: --url ${o.url} is not an http:// or https:// URL (for a cmn-eng.zip on disk, give --zip FILE)`);
      const advice = e.kind === 'network' ? '. Check the network, pass --url for a mirror, or --zip FILE for a copy of cmn-eng.zip on disk.' : '';
      throw new Error(`data tatoeba: ${e.message}${advice}`);
    } finally {
      if (io.stderrIsTTY) io.stderr('\r');
    }
  }
  const sha256 = createHash('sha256').update(zip).digest('hex');
  const split = prepareTatoeba(extractCmn(zip, from, o.maxUnpacked), { dev: o.dev, test: o.test, seed: o.seed });
  for (const s of split.skipped.slice(0, 5)) say(`cmn.txt line ${s.line} skipped: ${s.reason}`);
  if (split.skipped.length > 5) say(`… ${split.skipped.length - 5} more lines skipped`);
  const contents: [string, string][] = [];
  const parts: [string, TatoebaPair[]][] = [['train', split.train], ['dev', split.dev], ...(split.test.length ? [['test', split.test] as [string, TatoebaPair[]]] : [])];
  for (const [name, pairs] of parts) {
    contents.push([`${name}.tsv`, pairs.map((p) => `${p.chinese}\t${p.english}\n`).join('')]);
    contents.push([`${name}.attribution.txt`, pairs.map((p) => `${p.attribution}\n`).join('')]);
  }
  const files = [...contents.map(([name]) => name), 'SOURCE.md'];
  // which stale files SOURCE.md must name is known before writing: the split files already there that this run does not write
  const stale = SPLIT_FILES.filter((f) => !files.includes(f) && existsSync(join(out, f)));
  contents.push(['SOURCE.md', sourceMd({ url: from, sha256, split, seed: o.seed, files, removed: stale })]);
  const removed = await writeSplit(out, contents);
  if (removed.length) say(`removed ${removed.join(', ')} (an earlier split, not part of this one)`);
  const pairs = split.train.length + split.dev.length + split.test.length;
  say(`${pairs} pairs → ${out}: train ${split.train.length}, dev ${split.dev.length}${split.test.length ? `, test ${split.test.length}` : ''} (seed ${o.seed}); attribution in *.attribution.txt, license in SOURCE.md (CC BY 2.0 FR)`);
  return {
    out, source: from, sha256, pairs, train: split.train.length, dev: split.dev.length, test: split.test.length,
    skipped: split.skipped.length, repaired: split.repaired, duplicates: split.duplicates, files, removed,
  };
}

function nonNegativeInteger(v: string): number {
  const n = integer(v);
  if (n < 0) throw new InvalidArgumentError(`expected an integer >= 0, got '${v}'`);
  return n;
}

/** Each Fashion-MNIST file's limits: the largest archive is 26.4 MB and unpacks to 47 MB. */
export const FASHION_MNIST_LIMITS: DownloadFlags = { maxDownload: 100e6, maxUnpacked: 100e6, timeout: 30, maxTime: 600 };

export interface DataFashionMnistOptions extends Partial<DownloadFlags> {
  out: string;
  /** The folder URL the four archives are fetched from (a trailing / is added when missing). */
  url: string;
  json?: boolean;
}

/** What --json prints: one entry per file. */
export interface DataFashionMnistResult {
  out: string;
  source: string;
  files: {
    name: string;
    /** 'downloaded', or 'present' when a verified copy was already there (nothing fetched). */
    status: 'downloaded' | 'present';
    /** Bytes of the archive. */
    bytes: number;
    /** SHA-256 of the unpacked IDX bytes (the checked identity). */
    sha256: string;
    /** MD5 of the archive, and whether it is upstream's (a re-compressed copy such as Debian's has another). */
    md5: string;
    upstreamArchive: boolean;
  }[];
}

/**
 * The SHA-256 of what `archive` (gzip bytes) unpacks to, under a cap; throws a DownloadError
 * ('bad-data' for what is not gzip, 'unpacked-too-large' past the cap) naming `from`.
 */
function unpackedSha256(archive: Uint8Array, from: string, maxBytes: number): { sha256: string; bytes: number } {
  let raw: Buffer;
  try {
    raw = gunzipSync(archive, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DownloadError('unpacked-too-large', `${from} unpacks to more than the cap of ${formatBytes(maxBytes)} (${LIMIT_FLAGS.maxUnpacked}); refused`);
    }
    throw new DownloadError('bad-data', `${from} is not complete gzip data (${(e as Error).message})`);
  }
  return { sha256: createHash('sha256').update(raw).digest('hex'), bytes: raw.length };
}

function checkContents(f: FashionMnistFile, archive: Uint8Array, from: string, maxBytes: number): string {
  const got = unpackedSha256(archive, from, maxBytes);
  if (got.sha256 !== f.sha256) {
    // exact byte counts: a changed pixel keeps the size, and rounded sizes would then read alike
    const n = (b: number): string => `${b.toLocaleString('en-US')} bytes`;
    throw new DownloadError('checksum', `${from} unpacks to ${n(got.bytes)} with sha256 ${got.sha256}, not Fashion-MNIST's ${f.name} (${n(f.bytes)}, sha256 ${f.sha256})`);
  }
  return got.sha256;
}

function fashionSourceMd(source: string, files: DataFashionMnistResult['files']): string {
  return [
    '# Fashion-MNIST (Zalando Research, 2017)',
    '',
    `Fetched by \`llmcore data fashion-mnist\` from ${source} on ${new Date().toISOString().slice(0, 10)}.`,
    '70,000 grayscale 28×28 product photos in 10 classes: 60,000 for training (train-*), 10,000 for testing (t10k-*),',
    'IDX format, gzipped. Debian\'s `apt-get install dataset-fashion-mnist` installs the same images and labels in',
    `${DEBIAN_FASHION_MNIST_DIR} (re-compressed there: other .gz bytes, the same unpacked bytes).`,
    '',
    '| file | sha256 of the unpacked IDX (checked) | md5 of the .gz | upstream\'s archive |',
    '|---|---|---|---|',
    ...files.map((f) => `| \`${f.name}\` | \`${f.sha256}\` | \`${f.md5}\` | ${f.upstreamArchive ? 'yes (the MD5 upstream\'s README lists)' : 'no: a re-compressed copy of the same data'} |`),
    '',
    'License: MIT (Expat), Copyright 2017 Zalando SE, https://github.com/zalandoresearch/fashion-mnist.',
    'Cite: Han Xiao, Kashif Rasul, Roland Vollgraf, "Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine',
    'Learning Algorithms", arXiv:1708.07747.',
    '',
  ].join('\n');
}

/**
 * Fetches the four Fashion-MNIST archives into `out`, each checked (the SHA-256 of what it unpacks to)
 * before it takes its name; a file already there with the right contents is kept and not fetched.
 * @example await runDataFashionMnist({ out: 'data/fashion-mnist', url: FASHION_MNIST_URL })
 */
export async function runDataFashionMnist(o: DataFashionMnistOptions, io: DataIo = processIo()): Promise<DataFashionMnistResult> {
  const say = o.json ? () => {} : (s: string) => io.stderr(s + '\n');
  const out = resolve(o.out);
  const maxUnpacked = o.maxUnpacked ?? FASHION_MNIST_LIMITS.maxUnpacked;
  const base = o.url.endsWith('/') ? o.url : `${o.url}/`;
  try {
    await mkdir(out, { recursive: true });
  } catch (e) {
    throw new Error(`data fashion-mnist: cannot create the folder --out ${o.out} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const files: DataFashionMnistResult['files'] = [];
  for (const f of FASHION_MNIST_FILES) {
    const path = join(out, f.name);
    const url = base + f.name;
    let kept: DataFashionMnistResult['files'][number] | undefined;
    if (existsSync(path)) {
      const bytes = await readFile(path);
      try {
        const sha256 = checkContents(f, bytes, path, maxUnpacked);
        const md5 = createHash('md5').update(bytes).digest('hex');
        kept = { name: f.name, status: 'present', bytes: bytes.length, sha256, md5, upstreamArchive: md5 === f.md5Gz };
        say(`${f.name}: already in ${out}, contents verified`);
      } catch (e) {
        if (!(e instanceof DownloadError)) throw e;
        say(`${f.name}: the copy in ${out} is not the data set (${e.message}); fetching it again`);
      }
    }
    if (kept) {
      files.push(kept);
      continue;
    }
    say(`downloading ${url}`);
    let sha256 = '';
    let md5 = '';
    try {
      const r = await downloadToFile(url, path, {
        ...downloadLimits(o),
        names: LIMIT_FLAGS,
        userAgent: 'llmcore-data/0.1 (+https://github.com/zalandoresearch/fashion-mnist)',
        onProgress: progress(io),
        verify: async (temp) => {
          const bytes = await readFile(temp);
          sha256 = checkContents(f, bytes, url, maxUnpacked);
          md5 = createHash('md5').update(bytes).digest('hex');
        },
      });
      files.push({ name: f.name, status: 'downloaded', bytes: r.downloaded, sha256, md5, upstreamArchive: md5 === f.md5Gz });
    } catch (e) {
      if (!(e instanceof DownloadError)) throw e;
      if (e.kind === 'bad-url') throw new Error(`data fashion-mnist: --url ${o.url} is not an http:// or https:// URL of a folder holding ${f.name}`);
      const advice =
        e.kind === 'network' || e.kind === 'timeout' || e.kind === 'http'
          ? `. Check the network or pass --url for a mirror; on Debian, \`apt-get install dataset-fashion-mnist\` installs the same files in ${DEBIAN_FASHION_MNIST_DIR}, where the vision commands look.`
          : '';
      throw new Error(`data fashion-mnist: ${e.message}${advice}`);
    } finally {
      if (io.stderrIsTTY) io.stderr('\r');
    }
  }
  const tag = randomBytes(6).toString('hex');
  const temp = join(out, `.SOURCE.md.${tag}.tmp`);
  try {
    await writeFile(temp, fashionSourceMd(base, files), { flag: 'wx' });
    await rename(temp, join(out, 'SOURCE.md'));
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw new Error(`data fashion-mnist: cannot write ${join(out, 'SOURCE.md')} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  say(`Fashion-MNIST → ${out}: 60,000 training and 10,000 test images with their labels (MIT, Zalando SE; SOURCE.md there). The vision commands read it with --data ${o.out} or LLMCORE_FASHION_MNIST=${out}`);
  return { out, source: base, files };
}

export function registerData(program: Command): void {
  const data =
    program.commands.find((c) => c.name() === 'data') ??
    program.command('data').usage('<set> [options]').description('download and prepare a public data set (llmcore data <set>); downloads are capped in size and time');
  registerDataTokenize(data);
  const tatoeba = data
    .command('tatoeba')
    .description('download the Tatoeba Chinese–English pairs (manythings.org cmn-eng.zip) and write the split: train, dev (and test with --test) TSV files, each with its attribution file, and SOURCE.md')
    .option('--out <dir>', 'output directory; split files of an earlier run that this split does not write are removed', 'data/tatoeba-cmn-eng')
    .option('--url <url>', 'where to download cmn-eng.zip from', TATOEBA_URL)
    .option('--zip <file>', 'use a cmn-eng.zip already on disk instead of downloading')
    .option('--dev <n>', 'pairs in dev.tsv', nonNegativeInteger, 1000)
    .option('--test <n>', 'pairs in test.tsv (0: no test file)', nonNegativeInteger, 0)
    .option('--seed <n>', 'seed of the split', integer, TATOEBA_SEED)
    .option('--json', 'print a summary as JSON');
  addDownloadOptions(tatoeba, TATOEBA_LIMITS, {
    unpacked: 'a cmn.txt',
    maxUnpackedLimit: { bytes: MAX_TEXT_BYTES, why: 'cmn.txt is read as one JavaScript string' },
  }).action(async (o: DataTatoebaOptions) => {
    const r = await runDataTatoeba(o);
    if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
  });
  const fashion = data
    .command('fashion-mnist')
    .description(`download Fashion-MNIST's four gzipped IDX files (60,000 training and 10,000 test images, 28×28, 10 classes; MIT) from upstream and check each one's contents against the SHA-256 written in llmcore before it takes its name; files already there with the right contents are kept. The limits apply to each file. Offline, on Debian: \`apt-get install dataset-fashion-mnist\` installs the same files in ${DEBIAN_FASHION_MNIST_DIR}`)
    .option('--out <dir>', 'output directory (give it to the vision commands as --data, or set LLMCORE_FASHION_MNIST)', 'data/fashion-mnist')
    .option('--url <url>', 'the folder the four .gz files are downloaded from', FASHION_MNIST_URL)
    .option('--json', 'print a summary as JSON');
  addDownloadOptions(fashion, FASHION_MNIST_LIMITS, {
    unpacked: 'a file',
    maxUnpackedLimit: { bytes: MAX_IDX_BYTES, why: 'the vision chapter reads at most this much of one IDX file' },
  }).action(async (o: DataFashionMnistOptions) => {
    const r = await runDataFashionMnist(o);
    if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
  });
}
