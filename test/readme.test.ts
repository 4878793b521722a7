// The README's TypeScript examples run as written (against src/ instead of the built package).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL, fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

test('the README has TypeScript examples', () => {
  assert.ok(blocks.length >= 2);
});

blocks.forEach((code, i) => {
  test(`README example ${i + 1} runs and prints what its comments say`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmcore-readme-'));
    const file = join(dir, `example${i}.ts`);
    const src = code.replace(/from 'llmcore'/g, `from '${pathToFileURL(join(root, 'src/index.ts')).href}'`);
    const logs: unknown[][] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => { logs.push(args); };
    try {
      writeFileSync(file, src);
      await import(pathToFileURL(file).href);
    } finally {
      console.log = original;
    }
    // each `console.log(...); // expected` line is checked against what it printed
    const expectations = [...code.matchAll(/console\.log\(.*\); \/\/ (.*)/g)].map((m) => m[1]);
    assert.equal(logs.length, expectations.length);
    expectations.forEach((expected, k) => {
      const printed = logs[k];
      const exact = expected.match(/^\[.*\]$/);
      if (exact) assert.deepEqual(printed[0], JSON.parse(expected));
      const approx = expected.match(/^≈ ([-\d.]+), ([-\d.]+)/);
      if (approx) {
        assert.ok(Math.abs((printed[0] as number) - Number(approx[1])) < 0.01, `${printed[0]} vs ${approx[1]}`);
        assert.ok(Math.abs((printed[1] as number) - Number(approx[2])) < 0.01, `${printed[1]} vs ${approx[2]}`);
      }
      assert.ok(exact || approx, `unchecked expectation: ${expected}`);
    });
  });
});
