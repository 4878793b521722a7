/**
 * Where the PyTorch golden files are, and the one rule for a test that needs one: a contributor's
 * clone without the file skips with the path in the reason, but under CI=true a missing fixture fails
 * the test, so a parity check can never pass CI by not running.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

/** In the repository, written by scripts/fixtures/*.py (so every clone and CI has them). */
export const REPO_FIXTURES = fileURLToPath(new URL('../fixtures/pytorch/', import.meta.url));
/** ../shared/fixtures/pytorch beside the clone (transformer_tiny; CI lays a copy of shared/ there). */
export const SHARED_FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/pytorch/', import.meta.url));

/** CI=true (or any value but false/0/empty): how CI systems, ours included, say they are CI. */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.CI ?? '').trim().toLowerCase();
  return v !== '' && v !== 'false' && v !== '0';
}

/**
 * True when `path` is absent and the test was skipped (outside CI); false when it is there. Under CI
 * an absent fixture fails the test with the path in the message.
 */
export function missingFixture(t: TestContext, path: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (existsSync(path)) return false;
  if (isCi(env)) assert.fail(`${path} is missing: under CI=true a test that needs it may not skip`);
  t.skip(`no fixture at ${path}`);
  return true;
}
