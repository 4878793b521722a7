#!/usr/bin/env node
// Runs every test file under test/ (or the files and folders given) with node:test through tsx.
// A script rather than a glob because Node 20's `--test` does not expand `**` patterns itself.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['test'];
const files = [];
for (const root of roots) {
  if (statSync(root).isFile()) { files.push(root); continue; }
  for (const entry of readdirSync(root, { recursive: true })) {
    if (String(entry).endsWith('.test.ts')) files.push(join(root, String(entry)));
  }
}
files.sort();

// A hang must fail the run, not stall CI until its limit: Node 20 applies --test-timeout to each test
// file as a whole (its child process is cancelled, even when blocked in Atomics.wait). Ten minutes is
// several times the slowest file on a loaded 2-core machine; LLMCORE_TEST_TIMEOUT (seconds) changes it.
const DEFAULT_TIMEOUT_S = 600;
const timeoutEnv = process.env.LLMCORE_TEST_TIMEOUT;
const timeoutS = timeoutEnv === undefined || timeoutEnv === '' ? DEFAULT_TIMEOUT_S : Number(timeoutEnv);
if (!(timeoutS > 0)) {
  console.error(`scripts/test.mjs: LLMCORE_TEST_TIMEOUT=${timeoutEnv}: expected a number of seconds above 0`);
  process.exit(2);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-timeout=${Math.round(timeoutS * 1000)}`, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
