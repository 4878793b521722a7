#!/usr/bin/env node
// Builds the native kernels (native/*.cc → native/build/Release/llmcore_native.node) with node-gyp, as
// `npm install` runs it. The addon is an optional speed-up: where it cannot be built (no C++ compiler,
// no Node headers, not x86-64) the install still succeeds and the engine uses the wasm backend, saying
// so here once. LLMCORE_SKIP_NATIVE=1 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const notice = (why) => {
  console.warn(`llmcore: the native kernels were not built (${why}); the wasm backend is used instead`);
  process.exit(0);
};

if (process.env.LLMCORE_SKIP_NATIVE === '1') notice('LLMCORE_SKIP_NATIVE=1');
if (process.arch !== 'x64') notice(`they are written for x86-64, this is ${process.arch}`);
if (!existsSync(join(root, 'native', 'binding.gyp'))) notice('native/binding.gyp is missing');

// npm names its own node-gyp in lifecycle scripts; otherwise the one npm bundles beside this Node
const candidates = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter((p) => p && existsSync(p));
const [cmd, args] = candidates.length > 0 ? [process.execPath, [candidates[0]]] : ['node-gyp', []];
// Node's own headers, so that node-gyp never tries to download them (npm passes its nodedir setting itself)
const prefix = join(dirname(process.execPath), '..');
const nodedir = !process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
const started = Date.now();
const r = spawnSync(cmd, [...args, 'rebuild', ...nodedir, '--directory', join(root, 'native')], { encoding: 'utf8', cwd: root });
if (r.error) notice(`node-gyp could not start: ${r.error.message}`);
if (r.status !== 0) {
  const lines = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /error/i.test(l)).slice(0, 5);
  notice(`node-gyp failed${lines.length ? `: ${lines.join(' | ')}` : ''}`);
}
console.log(`llmcore: native kernels built in ${((Date.now() - started) / 1000).toFixed(1)} s (native/build/Release/llmcore_native.node)`);
