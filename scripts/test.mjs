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
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
