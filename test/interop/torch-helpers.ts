/**
 * What the PyTorch-twin tests share: Debian's python3-torch (/usr/bin/python3; the `python3` on PATH
 * may have no torch), the twin's commands, and the comparison of logits. A machine without torch skips
 * with the reason; under CI=true the absence fails, as for every PyTorch-parity test
 * (test/helpers/fixtures.ts): CI installs python3-torch.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { isCi } from '../helpers/fixtures.js';
import { REPO } from '../helpers/cli.js';
import { loadSafetensors } from '../../src/io/file.js';
import type { Tensor } from '../../src/tensor/tensor.js';

export const PYTHON = process.env.LLMCORE_PYTHON ?? '/usr/bin/python3';
export const PYTHON_DIR = join(REPO, 'python');

let probe: string | null | undefined;

/** null when torch imports, else why not. */
function torchProblem(): string | null {
  if (probe === undefined) {
    const r = spawnSync(PYTHON, ['-c', 'import torch, torch.distributed as d; assert d.is_gloo_available(), "no gloo"; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
    probe = r.status === 0 ? null : `${PYTHON} cannot import torch with gloo (${(r.error?.message ?? r.stderr.trim().split('\n').pop() ?? '').slice(0, 200)})`;
  }
  return probe;
}

/** True when the test must skip (outside CI, no torch); fails the test under CI=true without torch. */
export function noTorch(t: TestContext): boolean {
  const why = torchProblem();
  if (why === null) return false;
  if (isCi()) assert.fail(`${why}: under CI=true the PyTorch twin tests may not skip (.ci/run installs python3-torch)`);
  t.skip(`${why}; install Debian's python3-torch to run the PyTorch twin tests`);
  return true;
}

export interface PyRun { status: number | null; stdout: string; stderr: string }

/** Runs `python3 ARGS` in python/ with the package importable; a non-zero exit fails with its stderr unless `allowFail`. */
export function python(args: string[], o: { timeout?: number; allowFail?: boolean } = {}): PyRun {
  const r = spawnSync(PYTHON, args, {
    cwd: PYTHON_DIR, encoding: 'utf8', timeout: o.timeout ?? 90_000,
    env: { ...process.env, PYTHONPATH: PYTHON_DIR, PYTHONDONTWRITEBYTECODE: '1', OMP_NUM_THREADS: '1' },
  });
  if (!o.allowFail) assert.equal(r.status, 0, `python3 ${args.join(' ')} failed (${r.status}${r.error ? ', ' + r.error.message : ''}):\n${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The twin's logits (B, T, V) for a model directory and inputs ({src, tgt} or {ids}), via `python3 -m llmcore_torch logits`. */
export async function twinLogits(modelDir: string, inputsFile: string, outFile: string): Promise<Tensor> {
  python(['-m', 'llmcore_torch', 'logits', '--model', modelDir, '--inputs', inputsFile, '--out', outFile]);
  return (await loadSafetensors(outFile)).tensors.logits;
}

/** Largest |a − b| of two tensors of one shape. */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  const x = a.toFloat32Array();
  const y = b.toFloat32Array();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}
