/**
 * A training run on disk (Node only), the same for every chapter:
 *
 *   OUT/run.json    what this folder is: {"format": "llmcore-run", "chapter": "translate", …}
 *   OUT/last/       the latest checkpoint — model directory + train-state.safetensors — for --resume
 *   OUT/best/       the model directory with the best held-out figure so far
 *   OUT/log.jsonl   one line per evaluation
 *
 * A checkpoint is saved as one unit: its files go to `last.next`, then the folders are swapped
 * (`last` → `last.prev`, `last.next` → `last`), so a kill at any moment leaves a complete, consistent
 * checkpoint in `last` or `last.prev` ({@link findCheckpoint}). Nobody's work is replaced by accident:
 * a folder holding a run is reused only with `resume` or `force`, and a folder holding anything else
 * (another model, someone's files) is never written into ({@link prepareRunDirectory}).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { appendFile, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { loadOptimizerState, saveOptimizerState, writeTextFileAtomic } from '../io/file.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LRScheduler } from '../optim/schedules.js';
import type { Metrics, Trainer, TrainerState } from './trainer.js';

export const RUN_FORMAT = 'llmcore-run';
const STEP_KEY = 'llmcore.step';
const TRAINER_KEY = 'llmcore.trainer';
const TRAIN_STATE = 'train-state.safetensors';

export interface RunInfo {
  format: typeof RUN_FORMAT;
  /** The command's chapter (`translate`, `lm`, …): a run of one chapter is never resumed by another. */
  chapter: string;
  created: string;
}

export interface RunPaths {
  out: string;
  last: string;
  best: string;
  log: string;
}

export function runPaths(out: string): RunPaths {
  return { out, last: join(out, 'last'), best: join(out, 'best'), log: join(out, 'log.jsonl') };
}

/** The files a run folder may hold; anything else means the folder is someone else's. */
const RUN_ENTRIES = /^(run\.json|recipe\.json|log\.jsonl|last|best|last\.prev|last\.next|best\.prev|best\.next|\..*\.tmp)$/;

/** What `dir` holds: nothing, an llmcore run (of which chapter), or something else. */
export function inspectRunDirectory(dir: string): { kind: 'absent' | 'empty' } | { kind: 'run'; chapter: string } | { kind: 'other'; entries: string[] } {
  if (!existsSync(dir)) return { kind: 'absent' };
  if (!statSync(dir).isDirectory()) return { kind: 'other', entries: [] };
  const entries = readdirSync(dir);
  // a run that failed before its first checkpoint (bad data, say) leaves only what it wrote up front
  if (entries.every((e) => e === 'run.json' || e === 'recipe.json')) return { kind: 'empty' };
  const foreign = entries.filter((e) => !RUN_ENTRIES.test(e));
  if (foreign.length) return { kind: 'other', entries: foreign };
  if (entries.includes('run.json')) {
    try {
      const info = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Partial<RunInfo>;
      if (info.format === RUN_FORMAT && typeof info.chapter === 'string') return { kind: 'run', chapter: info.chapter };
    } catch {
      // an unreadable run.json is not a run we can vouch for
    }
    return { kind: 'other', entries: ['run.json'] };
  }
  // Runs written before run.json existed: a translator's last/ or best/.
  for (const sub of ['last', 'best', 'last.prev']) {
    try {
      const config = JSON.parse(readFileSync(join(dir, sub, 'config.json'), 'utf8')) as { format?: string };
      if (config.format === 'llmcore-translator') return { kind: 'run', chapter: 'translate' };
      if (config.format === 'llmcore-lm') return { kind: 'run', chapter: 'lm' };
    } catch {
      // not there, or not a model directory
    }
  }
  return { kind: 'other', entries };
}

export interface PrepareOptions {
  chapter: string;
  /** Continue the run in the folder. */
  resume?: boolean;
  /** Start over in a folder that holds a run of this chapter (its checkpoints and log are deleted). */
  force?: boolean;
  /** The command line that names the options, for messages (default `--out`). */
  option?: string;
}

/**
 * Makes `out` ready for a run before any work starts and says whether there is a checkpoint to resume.
 * Refuses, with the reason and the way out: a file where the folder should be; a folder holding
 * anything but a run of this chapter; a run of this chapter without `resume` or `force`; `resume`
 * where there is nothing to resume.
 * @example const { resumeFrom } = prepareRunDirectory('runs/zh-en', { chapter: 'translate', resume: true })
 */
export function prepareRunDirectory(out: string, o: PrepareOptions): { resumeFrom: string | null; paths: RunPaths } {
  const option = o.option ?? '--out';
  const paths = runPaths(out);
  if (o.resume && o.force) throw new Error(`--resume and --force contradict each other: --resume continues the run in ${out}, --force deletes it`);
  const found = inspectRunDirectory(out);
  if (found.kind === 'other') {
    if (existsSync(out) && !statSync(out).isDirectory()) throw new Error(`${option} ${out} is a file; give a folder for the run`);
    const listed = found.entries.slice(0, 5).join(', ') + (found.entries.length > 5 ? `, … (${found.entries.length} in all)` : '');
    throw new Error(`${option} ${out} already holds files that are not an llmcore ${o.chapter} run (${listed}); choose a new or empty folder — nothing was written`);
  }
  if (found.kind === 'run' && found.chapter !== o.chapter) {
    throw new Error(`${option} ${out} holds an llmcore ${found.chapter} run, not a ${o.chapter} run; choose another folder — nothing was written`);
  }
  if (found.kind === 'run') {
    if (o.resume) {
      const resumeFrom = findCheckpoint(paths.last);
      if (!resumeFrom) throw new Error(`--resume: ${out} holds no checkpoint to resume (no ${join(paths.last, TRAIN_STATE)}); drop --resume to start a new run with --force`);
      return { resumeFrom, paths };
    }
    if (!o.force) {
      throw new Error(`${option} ${out} already holds a ${o.chapter} run; add --resume to continue it, or --force to delete its checkpoints and log and start over`);
    }
    for (const e of ['last', 'best', 'last.prev', 'last.next', 'best.prev', 'best.next', 'log.jsonl', 'recipe.json']) rmSync(join(out, e), { recursive: true, force: true });
  } else if (o.resume) {
    throw new Error(`--resume: ${out} holds no run to resume; drop --resume to start one`);
  }
  const parent = dirname(resolve(out));
  if (!existsSync(parent)) mkdirSync(parent, { recursive: true });
  mkdirSync(out, { recursive: true });
  const info: RunInfo = { format: RUN_FORMAT, chapter: o.chapter, created: new Date().toISOString() };
  // synchronous and before the first step: a folder we cannot write fails now, not after an epoch. A torn
  // run.json makes the folder "not a run" to inspectRunDirectory, which refuses rather than overwrites.
  writeFileSync(join(out, 'run.json'), JSON.stringify(info, null, 2) + '\n');
  return { resumeFrom: null, paths };
}

/** The folder holding the latest complete checkpoint saved at `dir` (`dir`, or `dir.prev` after a kill mid-swap), or null. */
export function findCheckpoint(dir: string): string | null {
  for (const d of [dir, `${dir}.prev`]) if (existsSync(join(d, TRAIN_STATE))) return d;
  return null;
}

export interface CheckpointParts<M extends Metrics> {
  trainer: Trainer<M>;
  optimizer: Optimizer;
  scheduler?: LRScheduler;
  /** Writes the model directory (weights, tokenizer, config) into the folder, recording `step` in the weights. */
  writeModel: (dir: string, step: number) => Promise<void>;
}

/**
 * Writes a folder as one unit: `write` fills `dir.next`, then `dir` → `dir.prev`, `dir.next` → `dir`,
 * and `dir.prev` is removed; a kill at any moment leaves the old folder or the new one complete.
 */
export async function replaceDirectory(dir: string, write: (dir: string) => Promise<void>): Promise<void> {
  const next = `${dir}.next`;
  const prev = `${dir}.prev`;
  await rm(next, { recursive: true, force: true });
  await write(next);
  await rm(prev, { recursive: true, force: true });
  if (existsSync(dir)) await rename(dir, prev);
  await rename(next, dir);
  await rm(prev, { recursive: true, force: true });
}

/** Saves everything a resumed run needs into `dir` as one unit (see {@link replaceDirectory}). */
export async function saveCheckpoint<M extends Metrics>(dir: string, parts: CheckpointParts<M>): Promise<void> {
  const state = parts.trainer.snapshot();
  await replaceDirectory(dir, async (next) => {
    await parts.writeModel(next, state.step);
    await saveOptimizerState(join(next, TRAIN_STATE), parts.optimizer, {
      scheduler: parts.scheduler,
      metadata: { [STEP_KEY]: String(state.step), [TRAINER_KEY]: JSON.stringify(state) },
    });
  });
}

/**
 * Restores optimizer, schedule and trainer position from `dir` (the weights are loaded by the
 * chapter's own loader, which returns the step they were saved at: the two must agree).
 */
export async function restoreCheckpoint<M extends Metrics>(
  dir: string, parts: { trainer: Trainer<M>; optimizer: Optimizer; scheduler?: LRScheduler }, modelStep: number,
): Promise<TrainerState<M>> {
  const path = join(dir, TRAIN_STATE);
  const metadata = await loadOptimizerState(path, parts.optimizer, { scheduler: parts.scheduler });
  const step = Number(metadata[STEP_KEY]);
  if (step !== modelStep) throw new Error(`resume: ${path} is at step ${step} but the model weights are at step ${modelStep}; the checkpoint is inconsistent`);
  const raw = metadata[TRAINER_KEY];
  if (!raw) throw new Error(`resume: ${path} has no trainer state`);
  let state: TrainerState<M>;
  try {
    state = JSON.parse(raw) as TrainerState<M>;
  } catch (e) {
    throw new Error(`resume: ${path} has an unreadable trainer state (${(e as Error).message})`);
  }
  if (typeof state.step !== 'number' || typeof state.epoch !== 'number' || !Array.isArray(state.history)) {
    throw new Error(`resume: ${path} has a trainer state from another version of llmcore (no step/epoch/history); start over with --force`);
  }
  parts.trainer.restore(state);
  return state;
}

/** Rewrites the run's log from a (restored) history, atomically. */
export async function rewriteRunLog(paths: RunPaths, history: readonly object[]): Promise<void> {
  await writeTextFileAtomic(paths.log, history.map((r) => JSON.stringify(r) + '\n').join(''));
}

/** Appends one evaluation record to the run's log. */
export async function appendRunLog(paths: RunPaths, record: object): Promise<void> {
  await appendFile(paths.log, JSON.stringify(record) + '\n');
}

/** Writes a small text file into the run atomically (e.g. the recipe the run was started with). */
export async function writeRunFile(paths: RunPaths, name: string, text: string): Promise<void> {
  await writeTextFileAtomic(join(paths.out, name), text);
}

/**
 * The model directory a path names: itself when it holds a config.json, else the best/ (then last/)
 * model of the run it holds; null when neither.
 * @example resolveModelDirectory('runs/zh-en') // 'runs/zh-en/best'
 */
export function resolveModelDirectory(dir: string): string | null {
  for (const d of [dir, join(dir, 'best'), join(dir, 'best.prev'), join(dir, 'last'), join(dir, 'last.prev')]) if (existsSync(join(d, 'config.json'))) return d;
  return null;
}
