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
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { unzipSync } from 'fflate';
import { InvalidArgumentError, type Command } from 'commander';
import { normalizeChinese } from '../src/text/chinese.js';
import { integer } from './options.js';
import { processIo, type CliIo } from './translate.js';

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

export interface DataTatoebaOptions {
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
}

async function download(url: string, io: CliIo): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { 'user-agent': 'llmcore-data/0.1 (+https://www.manythings.org/anki/)' }, redirect: 'follow' });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`data tatoeba: cannot download ${url}: ${cause?.code ?? cause?.message ?? (e as Error).message}. Check the network, pass --url for a mirror, or --zip FILE for a copy of cmn-eng.zip on disk.`);
  }
  if (!res.ok) throw new Error(`data tatoeba: ${url} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  const chunks: Uint8Array[] = [];
  let got = 0;
  let shown = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      got += value.length;
      if (io.stderrIsTTY && performance.now() - shown > 200) {
        shown = performance.now();
        io.stderr(`\rdownloading ${(got / 1e6).toFixed(1)}${total ? `/${(total / 1e6).toFixed(1)}` : ''} MB`);
      }
    }
  }
  if (io.stderrIsTTY) io.stderr('\r');
  const bytes = new Uint8Array(got);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  if (total && got !== total) throw new Error(`data tatoeba: the download of ${url} stopped after ${got} of ${total} bytes`);
  return bytes;
}

/** cmn.txt out of the zip (wherever it sits in it). */
export function extractCmn(zip: Uint8Array, from: string): string {
  let files: Record<string, Uint8Array>;
  const names: string[] = [];
  try {
    files = unzipSync(zip, {
      filter: (f) => {
        names.push(f.name);
        return /(^|\/)cmn\.txt$/.test(f.name);
      },
    });
  } catch (e) {
    throw new Error(`data tatoeba: ${from} is not a readable zip file (${(e as Error).message})`);
  }
  const name = Object.keys(files)[0];
  if (!name) throw new Error(`data tatoeba: ${from} holds no cmn.txt (it holds: ${names.join(', ') || 'nothing'})`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(files[name]);
  } catch {
    throw new Error(`data tatoeba: ${name} in ${from} is not UTF-8 text`);
  }
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

function sourceMd(r: { url: string; sha256: string; split: TatoebaSplit; seed: number; files: string[] }): string {
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
    '| file | pairs |',
    '|---|---|',
    ...r.files.filter((f) => f.endsWith('.tsv')).map((f) => `| \`${f}\` | ${f.startsWith('train') ? s.train.length : f.startsWith('dev') ? s.dev.length : s.test.length} |`),
    '',
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
 * Downloads (or reads `--zip`), splits and writes the corpus.
 * @example await runDataTatoeba({ out: 'data/tatoeba', url: TATOEBA_URL, dev: 1000, test: 0, seed: TATOEBA_SEED })
 */
export async function runDataTatoeba(o: DataTatoebaOptions, io: CliIo = processIo()): Promise<DataTatoebaResult> {
  const say = o.json ? () => {} : (s: string) => io.stderr(s + '\n');
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
    zip = await download(o.url, io);
  }
  const sha256 = createHash('sha256').update(zip).digest('hex');
  const split = prepareTatoeba(extractCmn(zip, from), { dev: o.dev, test: o.test, seed: o.seed });
  for (const s of split.skipped.slice(0, 5)) say(`cmn.txt line ${s.line} skipped: ${s.reason}`);
  if (split.skipped.length > 5) say(`… ${split.skipped.length - 5} more lines skipped`);
  const out = resolve(o.out);
  await mkdir(out, { recursive: true });
  const files: string[] = [];
  const parts: [string, TatoebaPair[]][] = [['train', split.train], ['dev', split.dev], ...(split.test.length ? [['test', split.test] as [string, TatoebaPair[]]] : [])];
  for (const [name, pairs] of parts) {
    await writeAtomic(join(out, `${name}.tsv`), pairs.map((p) => `${p.chinese}\t${p.english}\n`).join(''));
    await writeAtomic(join(out, `${name}.attribution.txt`), pairs.map((p) => `${p.attribution}\n`).join(''));
    files.push(`${name}.tsv`, `${name}.attribution.txt`);
  }
  files.push('SOURCE.md');
  await writeAtomic(join(out, 'SOURCE.md'), sourceMd({ url: from, sha256, split, seed: o.seed, files }));
  const pairs = split.train.length + split.dev.length + split.test.length;
  say(`${pairs} pairs → ${out}: train ${split.train.length}, dev ${split.dev.length}${split.test.length ? `, test ${split.test.length}` : ''} (seed ${o.seed}); attribution in *.attribution.txt, license in SOURCE.md (CC BY 2.0 FR)`);
  return {
    out, source: from, sha256, pairs, train: split.train.length, dev: split.dev.length, test: split.test.length,
    skipped: split.skipped.length, repaired: split.repaired, duplicates: split.duplicates, files,
  };
}

function nonNegativeInteger(v: string): number {
  const n = integer(v);
  if (n < 0) throw new InvalidArgumentError(`expected an integer >= 0, got '${v}'`);
  return n;
}

export function registerData(program: Command): void {
  const data = program.commands.find((c) => c.name() === 'data') ?? program.command('data').description('download and prepare public data sets');
  data
    .command('tatoeba')
    .description('download the Tatoeba Chinese–English pairs (manythings.org cmn-eng.zip) and write train/dev TSV files')
    .option('--out <dir>', 'output directory', 'data/tatoeba-cmn-eng')
    .option('--url <url>', 'where to download cmn-eng.zip from', TATOEBA_URL)
    .option('--zip <file>', 'use a cmn-eng.zip already on disk instead of downloading')
    .option('--dev <n>', 'pairs in dev.tsv', nonNegativeInteger, 1000)
    .option('--test <n>', 'pairs in test.tsv (default 0: no test file)', nonNegativeInteger, 0)
    .option('--seed <n>', 'seed of the split', integer, TATOEBA_SEED)
    .option('--json', 'print a summary as JSON')
    .action(async (o: DataTatoebaOptions) => {
      const r = await runDataTatoeba(o);
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
    });
}
