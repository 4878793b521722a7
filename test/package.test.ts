/**
 * What `npm pack` puts in the package (the full install of the tarball into a new project, with
 * `llmcore translate` and `llmcore tour` run from it, is scripts/check-package.sh in CI), and the test
 * runner's guard against a hanging test file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, tempDir } from './helpers/cli.js';

test('npm pack ships every trained model under models/ with the compiled CLI (npx llmcore translate works once installed)', () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const packed = new Set((JSON.parse(r.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path));
  for (const f of ['bin/llmcore.js', 'package.json', 'README.md']) assert.ok(packed.has(f), `${f} packed`);
  const models = readdirSync(join(REPO, 'models'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name).slice(REPO.length).replaceAll('\\', '/'));
  assert.ok(models.includes('models/zh-en/model.safetensors'), 'the shipped translator is in the repository');
  for (const f of models) assert.ok(packed.has(f), `${f} is in the package (package.json "files")`);
});

test('scripts/test.mjs cancels a test file that hangs (blocked in Atomics.wait) after LLMCORE_TEST_TIMEOUT seconds', () => {
  const dir = tempDir('llmcore-hang-');
  const file = join(dir, 'hang.test.ts');
  writeFileSync(file, "import { test } from 'node:test';\ntest('waits forever', () => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); });\n");
  // without NODE_TEST_CONTEXT, which would make the inner runner report to this one instead of printing
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const started = Date.now();
  const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'test.mjs'), file], {
    cwd: REPO, encoding: 'utf8', timeout: 60_000, env: { ...env, LLMCORE_TEST_TIMEOUT: '2' },
  });
  assert.equal(r.status, 1, `exit code (null: the runner itself hung); ${r.stdout}`);
  assert.match(r.stdout, /test timed out after 2000ms/);
  assert.ok(Date.now() - started < 30_000, 'cancelled in seconds');
});
