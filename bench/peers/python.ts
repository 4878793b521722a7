/**
 * Python peers: PyTorch (bench/pytorch/*.py) and scikit-learn (bench/sklearn/knn_w5.py), run as child
 * processes that print one JSON measurement per line, as `npm run bench -- --json` does. A peer is
 * listed only where an interpreter imports its module (`python3`, then `/usr/bin/python3`, where
 * Debian's python3-torch and python3-sklearn install); elsewhere it is skipped without a word.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Measurement } from '../workload.js';

const BENCH = dirname(dirname(fileURLToPath(import.meta.url)));
const found = new Map<string, string | null>();

/** The first interpreter that can `import module`, or null (cached). */
export function pythonWith(module: string): string | null {
  if (!found.has(module)) {
    let hit: string | null = null;
    for (const py of ['python3', '/usr/bin/python3']) {
      const r = spawnSync(py, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 60_000 });
      if (r.status === 0) { hit = py; break; }
    }
    found.set(module, hit);
  }
  return found.get(module)!;
}

/** ['pytorch'] where PyTorch imports, else []. */
export const PYTORCH_LIBS: string[] = pythonWith('torch') ? ['pytorch'] : [];

/**
 * Runs `bench/<script> <args> --json` with the interpreter that has `module` and returns its
 * measurements. Throws with the end of the script's stderr when it fails.
 */
export function runPython(module: string, script: string, args: string[] = []): Measurement[] {
  const py = pythonWith(module);
  if (!py) throw new Error(`${script}: no python3 here imports ${module}`);
  const path = join(BENCH, script);
  const r = spawnSync(py, ['-B', path, ...args, '--json'], { cwd: dirname(path), encoding: 'utf8', timeout: 600_000, maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`${script} failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? '').trim().split('\n').slice(-5).join('\n')}`);
  return r.stdout.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as Measurement);
}
