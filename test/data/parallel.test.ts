/** Parallel TSV corpora: good files, malformed lines (named by line number, or skipped), bad UTF-8, the Tatoeba files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ParallelFormatError, parseParallel } from '../../src/data/parallel.js';
import { readParallelFile } from '../../src/data/parallel-file.js';

const DATA = fileURLToPath(new URL('../../../shared/data/tatoeba-cmn-eng/', import.meta.url));

test('parses source<TAB>target lines with their line numbers; CRLF, BOM, blank lines and outer spaces are fine', () => {
  const c = parseParallel('\ufeff我正在吃饭。\tI am eating.\r\n\n  你好 \t Hello. \r\n');
  assert.deepEqual(c.pairs, [
    { source: '我正在吃饭。', target: 'I am eating.', line: 1 },
    { source: '你好', target: 'Hello.', line: 3 },
  ]);
  assert.deepEqual(c.skipped, []);
  assert.equal(c.blankLines, 1);
  assert.deepEqual(parseParallel('').pairs, []);
  assert.equal(parseParallel('a\tb').pairs.length, 1, 'no final newline');
});

test('a malformed line is an error naming the file and the line', () => {
  const bad: [string, RegExp][] = [
    ['a\tb\nno tab here\n', /corpus\.tsv: line 2: no TAB between source and target/],
    ['a\tb\nx\ty\tz\n', /line 2: expected 2 fields separated by one TAB, got 3/],
    ['a\tb\nc\tb\n\t英文\n', /line 3: the source side is empty/],
    ['中文\t  \n', /line 1: the target side is empty/],
    [' \t \n', /line 1: both sides are empty/],
  ];
  for (const [text, re] of bad) {
    assert.throws(() => parseParallel(text, { source: 'corpus.tsv' }), re);
    // the library names no option of its own (no internal names): the caller's hint is said as given
    assert.throws(() => parseParallel(text), (e: unknown) => e instanceof ParallelFormatError && !/skip/i.test(e.message));
    assert.throws(() => parseParallel(text, { hint: 'use --skip-bad-lines to pass over such lines' }), /\); use --skip-bad-lines to pass over such lines$/);
  }
  try {
    parseParallel('a\tb\n\nbad\n');
  } catch (e) {
    assert.equal((e as ParallelFormatError).line, 3);
  }
});

test('skipBadLines passes over malformed lines and lists them', () => {
  const c = parseParallel('a\tb\nbad\nc\td\n\te\n', { skipBadLines: true });
  assert.deepEqual(c.pairs.map((p) => p.line), [1, 3]);
  assert.deepEqual(c.skipped, [
    { line: 2, reason: 'no TAB between source and target' },
    { line: 4, reason: 'the source side is empty' },
  ]);
});

test('readParallelFile: a missing file and bytes that are not UTF-8 are clear errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmcore-parallel-'));
  try {
    assert.throws(() => readParallelFile(join(dir, 'none.tsv')), /none\.tsv: cannot read the parallel corpus \(ENOENT\)/);
    const f = join(dir, 'latin1.tsv');
    writeFileSync(f, Buffer.concat([Buffer.from('你好\tHello.\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x09, 0x78, 0x0a]), Buffer.from('再见\tBye.\n')]));
    assert.throws(() => readParallelFile(f), /latin1\.tsv: line 2: not valid UTF-8$/);
    assert.throws(() => readParallelFile(f, { hint: 'use --skip-bad-lines' }), /latin1\.tsv: line 2: not valid UTF-8; use --skip-bad-lines$/);
    const c = readParallelFile(f, { skipBadLines: true });
    assert.deepEqual(c.pairs.map((p) => [p.line, p.target]), [[1, 'Hello.'], [3, 'Bye.']]);
    assert.deepEqual(c.skipped, [{ line: 2, reason: 'not valid UTF-8' }]);
    assert.equal(c.blankLines, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the Tatoeba train and dev files read cleanly', (t) => {
  if (!existsSync(DATA + 'dev.tsv')) return t.skip(`${DATA}dev.tsv not present`);
  const dev = readParallelFile(DATA + 'dev.tsv');
  assert.equal(dev.pairs.length, 1000);
  assert.deepEqual(dev.skipped, []);
  assert.deepEqual(dev.pairs[0], { source: '你應該學著閉上你的嘴。', target: "You've got to learn to hold your tongue.", line: 1 });
  const train = readParallelFile(DATA + 'train.tsv');
  assert.equal(train.pairs.length, 27155);
  assert.equal(train.skipped.length + train.blankLines, 0);
});
