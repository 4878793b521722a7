/**
 * The rule every PyTorch-parity test follows through test/helpers/fixtures.ts: a clone without the
 * golden file skips and names it; under CI=true the same absence fails the test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { isCi, missingFixture, REPO_FIXTURES } from './helpers/fixtures.js';

function context(): TestContext & { skipped: string[] } {
  const skipped: string[] = [];
  return { skipped, skip: (why?: string) => { skipped.push(why ?? ''); } } as unknown as TestContext & { skipped: string[] };
}

test('a missing fixture skips with its path outside CI, and fails the test under CI=true', () => {
  const t = context();
  assert.equal(missingFixture(t, '/nonexistent/gru_tiny.safetensors', {}), true);
  assert.deepEqual(t.skipped, ['no fixture at /nonexistent/gru_tiny.safetensors']);
  assert.throws(() => missingFixture(context(), '/nonexistent/gru_tiny.safetensors', { CI: 'true' }),
    /\/nonexistent\/gru_tiny\.safetensors is missing: under CI=true a test that needs it may not skip/);
  const present = context();
  assert.equal(missingFixture(present, `${REPO_FIXTURES}gru_tiny.safetensors`, { CI: 'true' }), false);
  assert.deepEqual(present.skipped, []);
});

test('CI is on for CI=true or 1, off when unset, empty, false or 0', () => {
  for (const v of ['true', '1', 'True']) assert.equal(isCi({ CI: v }), true, v);
  for (const v of [undefined, '', 'false', '0']) assert.equal(isCi({ CI: v }), false, String(v));
});
