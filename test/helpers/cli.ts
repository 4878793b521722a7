/**
 * The `llmcore` command as a user runs it, in a child process (cli/main.ts through tsx, so no build is
 * needed), and the repository paths the command-level tests share.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const SHIPPED_MODEL = join(REPO, 'models', 'zh-en');
/** ../shared beside the clone: the data sets and PyTorch fixtures laid out for this project. */
export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));

export interface CliRun { status: number | null; stdout: string; stderr: string }

/** Runs `llmcore ...args`; a run past `timeout` is killed and reads as status null. */
export function llmcore(args: string[], o: { input?: string; timeout?: number; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'cli', 'main.ts'), ...args], {
    cwd: REPO,
    input: o.input,
    encoding: 'utf8',
    timeout: o.timeout ?? 60_000,
    env: o.env ?? process.env,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
