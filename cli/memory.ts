/**
 * `llmcore memory`: the explainer's "Tom is a cat … Tom's favorite food is" → fish, measured. An RNN,
 * an LSTM and a small decoder-only Transformer of about the same size learn the same stories; the
 * table gives each one's accuracy at every distance d (filler words between the names and the
 * question), beside its training throughput; a controlled benchmark times one training step of each
 * at fixed lengths (the explainer's claim that a Transformer trains in parallel where an RNN cannot).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import {
  DEFAULT_MEMORY_OPTIONS, QUICK_MEMORY_OPTIONS, runMemoryExperiment, type MemoryExperimentOptions, type MemoryExperimentResult, type MemoryModelKind,
} from '../src/models/memory/experiment.js';
import { memorySvg, gradientSvg, distanceSvg, parallelSvg } from '../src/models/memory/plot.js';
import {
  DEFAULT_DISTANCE_OPTIONS, DEFAULT_GRADIENT_OPTIONS, runDistanceExperiment, runGradientExperiment,
  type DistanceOptions, type DistanceResult, type GradientOptions, type GradientResult,
} from '../src/models/memory/distance.js';
import { DEFAULT_PARALLEL_OPTIONS, runParallelBenchmark, type ParallelOptions, type ParallelResult } from '../src/models/memory/parallel.js';
import { distanceClaim, gradientClaim, parallelClaim, sequenceHeadlines, type SequenceClaims } from '../src/models/memory/claims.js';
import { integer, positiveInteger, printJson, printLine } from './options.js';
import { onStopSignals } from './stop-signals.js';
import { checkOutputFile } from './paths.js';

const KINDS = ['rnn', 'lstm', 'gru', 'transformer'] as const;
const LABEL: Record<string, string> = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU', transformer: 'Transformer' };

function intList(what: string, min: number): (v: string) => number[] {
  return (v: string) => {
    if (v.trim() === '' || v.trim() === 'none') return [];
    return v.split(',').map((s) => {
      const n = Number(s.trim());
      if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${what}: expected comma-separated integers >= ${min}, got '${s.trim()}'`);
      return n;
    });
  };
}

function modelList(v: string): MemoryModelKind[] {
  const out = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const k of out) if (!(KINDS as readonly string[]).includes(k)) throw new InvalidArgumentError(`expected models among ${KINDS.join(', ')}, got '${k}'`);
  if (out.length === 0) throw new InvalidArgumentError('expected at least one model');
  return out as MemoryModelKind[];
}

export interface MemoryCliOptions {
  steps?: number;
  distances?: number[];
  models?: MemoryModelKind[];
  bindings?: number;
  batchSize?: number;
  testExamples?: number;
  benchLengths?: number[];
  seed?: number;
  quick?: boolean;
  plot?: string;
  json?: boolean;
}

/** The options the experiment runs with: defaults, then --quick, then what was given. */
export function memoryOptions(o: MemoryCliOptions): MemoryExperimentOptions {
  const given = Object.fromEntries(Object.entries({
    steps: o.steps, distances: o.distances, models: o.models, bindings: o.bindings, batchSize: o.batchSize,
    testExamples: o.testExamples, benchLengths: o.benchLengths, seed: o.seed,
  }).filter(([, v]) => v !== undefined)) as Partial<MemoryExperimentOptions>;
  return { ...DEFAULT_MEMORY_OPTIONS, ...(o.quick ? QUICK_MEMORY_OPTIONS : {}), ...given };
}

const pct = (v: number): string => `${(v * 100).toFixed(0)}%`;

/** The two tables as text lines. */
export function formatMemoryTables(r: MemoryExperimentResult): string[] {
  const lines: string[] = [];
  const dCols = r.distances.map((d) => `d=${d}`.padStart(6));
  lines.push(`Accuracy (the right food ranked first) by distance d, ${r.options.testExamples} fresh stories per d; training throughput beside it:`);
  lines.push(`${'model'.padEnd(12)} ${'params'.padStart(7)} ${dCols.join(' ')}  ${'steps'.padStart(6)} ${'train s'.padStart(8)} ${'s/epoch'.padStart(8)} ${'tok/s'.padStart(8)}`);
  for (const m of r.models) {
    lines.push(`${LABEL[m.kind].padEnd(12)} ${m.parameters.toLocaleString('en').padStart(7)} ${m.accuracy.map((a) => pct(a).padStart(6)).join(' ')}  ${String(m.steps).padStart(6)} ${m.trainSeconds.toFixed(1).padStart(8)} ${m.secondsPerEpoch.toFixed(2).padStart(8)} ${Math.round(m.tokensPerSecond).toLocaleString('en').padStart(8)}`);
  }
  lines.push(`Remembered the animals (first guess is the food of an animal in the story, right or not), by d:`);
  for (const m of r.models) lines.push(`${LABEL[m.kind].padEnd(12)} ${''.padStart(7)} ${m.inStory.map((a) => pct(a).padStart(6)).join(' ')}`);
  lines.push(r.bindings > 1
    ? `chance: accuracy ${pct(r.chance.binding)} knowing the foods of the animals in the story but not who is who, ${(r.chance.food * 100).toFixed(1)}% guessing among all foods; remembered ${(r.bindings * r.chance.food * 100).toFixed(1)}% guessing`
    : `chance: ${(r.chance.food * 100).toFixed(1)}% guessing among all foods (one name per story: remembering the animal is the whole task)`);
  lines.push(`(an epoch = ${r.options.batchesPerEpoch} batches of ${r.options.batchSize} stories, the same batches in the same order for every model)`);
  if (r.throughput.length) {
    lines.push('');
    lines.push(`One training step (forward, backward, Adam) at a fixed shape, B = ${r.options.batchSize}, ${r.backend}:`);
    lines.push(`${'T'.padStart(5)}  ${'model'.padEnd(12)} ${'sequential steps'.padStart(16)} ${'ms/step'.padStart(9)} ${'tokens/s'.padStart(10)}`);
    for (const t of r.throughput) {
      lines.push(`${String(t.T).padStart(5)}  ${LABEL[t.kind].padEnd(12)} ${String(t.sequentialSteps).padStart(16)} ${t.msPerStep.toFixed(1).padStart(9)} ${Math.round(t.tokensPerSecond).toLocaleString('en').padStart(10)}`);
    }
    lines.push('sequential steps: positions a forward pass must compute one after another (T per recurrent layer; one per Transformer layer, all positions at once)');
  }
  return lines;
}

/** Runs `llmcore memory`; progress goes to `log`, the tables to `out`; returns what --json prints. */
export async function runMemory(o: MemoryCliOptions, out: (line: string) => void = printLine, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<MemoryExperimentResult & { plot?: string; seconds: number }> {
  const options = memoryOptions(o);
  const quiet = !!o.json;
  const t0 = performance.now();
  // a plot that cannot be written is found now, not after minutes of training
  if (o.plot) checkOutputFile(o.plot, '--plot');
  const stop = onStopSignals(log, 'finishing the current model\'s evaluation, skipping the rest and printing what was measured');
  let result: MemoryExperimentResult;
  try {
    result = await runMemoryExperiment(options, {
      log: quiet ? undefined : log,
      signal: stop.signal,
      onStep: quiet ? undefined : (kind, step, steps, loss) => {
        if (step % Math.max(1, Math.round(steps / 5)) === 0 && step < steps) log(`  ${kind}: step ${step}/${steps}, loss ${loss.toFixed(3)}`);
      },
    });
  } finally {
    stop.dispose();
  }
  const code = stop.exitCode();
  if (code !== undefined) process.exitCode = code;
  const seconds = (performance.now() - t0) / 1000;
  if (!quiet) {
    out('');
    for (const l of formatMemoryTables(result)) out(l);
    out(`(${seconds.toFixed(0)} s in all)`);
  }
  let plot: string | undefined;
  if (o.plot) {
    try {
      writeFileSync(o.plot, memorySvg(result));
    } catch (e) {
      throw new Error(`memory: cannot write --plot ${o.plot}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    plot = o.plot;
    if (!quiet) out(`wrote ${o.plot}`);
  }
  return { ...result, seconds, ...(plot ? { plot } : {}) };
}

export function registerMemory(program: Command): void {
  const d = DEFAULT_MEMORY_OPTIONS;
  // Options after a sub-command's name are that sub-command's, not memory's (both have --steps, --plot,
  // …): commander needs positional options on every command above a sub-command (the root sets its own in cli/main.ts).
  const memory = program
    .command('memory')
    .enablePositionalOptions()
    .description('"Tom is a cat. … Tom\'s favorite food is" → fish: RNN vs LSTM vs Transformer accuracy by distance, and their training throughput')
    .option('--steps <n>', `training steps per model (default ${d.steps}; --quick ${QUICK_MEMORY_OPTIONS.steps})`, positiveInteger)
    .option('--distances <list>', `filler words between the names and the question, tested one by one (default ${d.distances.join(',')})`, intList('--distances', 0))
    .option('--models <list>', `which models (default ${d.models.join(',')}; gru too)`, modelList)
    .option('--bindings <k>', `names bound to animals per story (default ${d.bindings})`, positiveInteger)
    .option('--batch-size <n>', `stories per step (default ${d.batchSize})`, positiveInteger)
    .option('--test-examples <n>', `fresh stories per tested distance (default ${d.testExamples})`, positiveInteger)
    .option('--bench-lengths <list>', `lengths of the throughput benchmark, or none (default ${d.benchLengths.join(',')})`, intList('--bench-lengths', 1))
    .option('--seed <n>', 'seed of data, initialisation and order', integer)
    .option('--quick', 'a small run (well under a minute): fewer steps, distances up to 20, smaller benchmark')
    .option('--plot <file.svg>', 'draw accuracy against distance, one line per model')
    .option('--json', 'print the result as one JSON object')
    .action(async (o: MemoryCliOptions) => {
      const result = await runMemory(o);
      if (o.json) printJson(result);
    });
  registerSequenceClaims(memory);
}

// ---------------------------------------------------------------------------------------------
// The sequence chapter's claims: memory gradients | distance | parallel
// ---------------------------------------------------------------------------------------------

const KIND_LIST = (v: string): MemoryModelKind[] => modelList(v);

/** Reads the claims file (an absent file is empty); a file that is not a claims object is an error, not overwritten. */
export function readClaims(file: string, option = '--save'): SequenceClaims {
  if (!existsSync(file)) return {};
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`memory: ${option} ${file} exists but is not JSON (${(e as Error).message}); not overwriting it`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`memory: ${option} ${file} exists but does not hold a JSON object; not overwriting it`);
  return v as SequenceClaims;
}

/** Puts one claim into the file, keeping the others. */
function saveClaim(file: string, patch: SequenceClaims): void {
  const next = { ...readClaims(file), ...patch };
  try {
    writeFileSync(file, JSON.stringify(next, null, 1) + '\n');
  } catch (e) {
    throw new Error(`memory: cannot write --save ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function writePlot(file: string, svg: string): void {
  try {
    writeFileSync(file, svg);
  } catch (e) {
    throw new Error(`memory: cannot write --plot ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

const exp1 = (v: number): string => (v === 0 ? '0' : v.toExponential(1));

/** The gradient table: one row per model and state, one column per lag. */
export function formatGradientTable(r: GradientResult): string[] {
  const lags = [0, 1, 5, 10, 20, 50, 100, 200, 300, 400, 600, 800, 1000].filter((d) => d <= r.options.maxLag);
  const lines = [`‖∂h_T/∂x_{T−d}‖ (Frobenius, mean over ${r.options.stories} stories of ${r.options.maxLag + 1} words; 0 = below float32's range):`];
  lines.push(`${'model'.padEnd(24)} ${lags.map((d) => `d=${d}`.padStart(8)).join(' ')}`);
  for (const m of r.models) {
    lines.push(`${`${LABEL[m.kind]} untrained`.padEnd(24)} ${lags.map((d) => exp1(m.untrained[d]).padStart(8)).join(' ')}`);
    if (m.trained.length) lines.push(`${`${LABEL[m.kind]} trained`.padEnd(24)} ${lags.map((d) => exp1(m.trained[d]).padStart(8)).join(' ')}`);
    if (m.forgetGate) {
      lines.push(`${'  LSTM mean forget gate'.padEnd(24)} ${lags.map((d) => m.forgetGate!.gate[d].toFixed(3).padStart(8)).join(' ')}`);
      lines.push(`${'  LSTM mean Π f'.padEnd(24)} ${lags.map((d) => exp1(m.forgetGate!.retained[d]).padStart(8)).join(' ')}`);
    }
  }
  const A = r.models[0]?.animalLags ?? [];
  if (A.length) {
    lines.push(`‖∂h_T/∂x_animal‖: the dependence on the word to remember, the animal L words before the last (${r.options.stories} stories per L):`);
    lines.push(`${'model'.padEnd(24)} ${A.map((L) => `L=${L}`.padStart(8)).join(' ')}`);
    for (const m of r.models) {
      lines.push(`${`${LABEL[m.kind]} untrained`.padEnd(24)} ${m.animalUntrained.map((v) => exp1(v).padStart(8)).join(' ')}`);
      if (m.animalTrained.length) lines.push(`${`${LABEL[m.kind]} trained`.padEnd(24)} ${m.animalTrained.map((v) => exp1(v).padStart(8)).join(' ')}`);
    }
  }
  const acc = r.models.filter((m) => m.accuracyAtMaxD !== undefined).map((m) => `${LABEL[m.kind]} ${pct(m.accuracyAtMaxD!)}`);
  if (acc.length) lines.push(`trained: ${r.options.steps} steps × ${r.options.batchSize} one-name stories, d ${r.options.draw} in 0…${r.options.maxD}, seed ${r.options.seed}; accuracy at d = ${r.options.maxD}: ${acc.join(', ')}`);
  return lines;
}

/** The accuracy table: mean over seeds and min–max per distance. */
export function formatDistanceTable(r: DistanceResult): string[] {
  const o = r.options;
  const lines = [`Accuracy (the right food first) by distance d, mean over seeds ${o.seeds.join(', ')} [min–max], ${o.testExamples} fresh stories per d and seed:`];
  lines.push(`${'model'.padEnd(12)} ${'params'.padStart(7)} ${o.distances.map((d) => `d=${d}`.padStart(16)).join(' ')}  ${'train s/seed'.padStart(12)}`);
  for (const m of r.models) {
    const cells = o.distances.map((_, i) => `${pct(m.mean[i])} [${pct(m.min[i])}–${pct(m.max[i])}]`.padStart(16));
    const secs = m.trainSeconds.reduce((a, b) => a + b, 0) / m.trainSeconds.length;
    lines.push(`${LABEL[m.kind].padEnd(12)} ${m.parameters.toLocaleString('en').padStart(7)} ${cells.join(' ')}  ${secs.toFixed(1).padStart(12)}`);
  }
  lines.push(`budget: ${o.steps} steps × ${o.batchSize} stories per model and seed, the same batches for every model; training d ${o.draw} in 0…${o.maxD}; chance ${(r.chance * 100).toFixed(1)}%`);
  return lines;
}

/** The timing table: ms per step and per sequence, and the sequential depth, per (B, T). */
export function formatParallelTable(r: ParallelResult): string[] {
  const lines = [`One training step (forward, backward, Adam), median of ${r.options.repeats} interleaved rounds${r.load ? `; load average ${r.load.before.map((v) => v.toFixed(1)).join(' ')} before, ${r.load.after.map((v) => v.toFixed(1)).join(' ')} after (relative figures)` : ''}:`];
  lines.push(`${'B'.padStart(4)} ${'T'.padStart(6)}  ${'model'.padEnd(12)} ${'ms/step'.padStart(9)} ${'ms/sequence'.padStart(12)} ${'min–max ms'.padStart(15)} ${'depth'.padStart(6)}`);
  for (const x of r.rows) {
    lines.push(`${String(x.B).padStart(4)} ${String(x.T).padStart(6)}  ${LABEL[x.kind].padEnd(12)} ${x.msPerStep.toFixed(2).padStart(9)} ${x.msPerSequence.toFixed(3).padStart(12)} ${`${x.minMs.toFixed(1)}–${x.maxMs.toFixed(1)}`.padStart(15)} ${String(x.depth).padStart(6)}`);
  }
  lines.push('depth: matrix products on the forward pass\'s critical path, each waiting for the one before (recurrent: T + 2 per layer stack; Transformer: 6 per layer + 1)');
  return lines;
}

interface ClaimCliCommon {
  models?: MemoryModelKind[];
  seed?: number;
  plot?: string;
  save?: string;
  json?: boolean;
}

/** The command line as the user typed it after `llmcore`, for the saved record. */
function typedCommand(): string {
  return ['llmcore', ...process.argv.slice(2)].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

async function withStop<T>(log: (l: string) => void, what: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = onStopSignals(log, what);
  try {
    return await run(stop.signal);
  } finally {
    stop.dispose();
    const code = stop.exitCode();
    if (code !== undefined) process.exitCode = code;
  }
}

function checkOutputs(o: ClaimCliCommon): void {
  if (o.plot) checkOutputFile(o.plot, '--plot');
  if (o.save) {
    checkOutputFile(o.save, '--save');
    readClaims(o.save);
  }
}

export interface GradientCliOptions extends ClaimCliCommon { steps?: number; maxDistance?: number; maxLag?: number; stories?: number }

/** `llmcore memory gradients`. */
export async function runGradientsCommand(o: GradientCliOptions, out: (l: string) => void = printLine, log: (l: string) => void = (l) => process.stderr.write(l + '\n'), command = typedCommand()): Promise<GradientResult> {
  checkOutputs(o);
  const options: Partial<GradientOptions> = Object.fromEntries(Object.entries({ models: o.models, seed: o.seed, steps: o.steps, maxD: o.maxDistance, maxLag: o.maxLag, stories: o.stories }).filter(([, v]) => v !== undefined));
  const r = await withStop(log, 'stopping after the current model', (signal) => runGradientExperiment(options, { log: o.json ? undefined : log, signal }));
  if (!o.json) for (const l of formatGradientTable(r)) out(l);
  if (o.plot) writePlot(o.plot, gradientSvg(r));
  if (o.save) saveClaim(o.save, { gradients: gradientClaim(r, command) });
  return r;
}

export interface DistanceCliOptions extends ClaimCliCommon { steps?: number; seeds?: number[]; maxDistance?: number; distances?: number[]; draw?: DistanceOptions['draw']; batchSize?: number; testExamples?: number }

/** `llmcore memory distance`. */
export async function runDistanceCommand(o: DistanceCliOptions, out: (l: string) => void = printLine, log: (l: string) => void = (l) => process.stderr.write(l + '\n'), command = typedCommand()): Promise<DistanceResult> {
  checkOutputs(o);
  const options: Partial<DistanceOptions> = Object.fromEntries(Object.entries({
    models: o.models, steps: o.steps, seeds: o.seeds, maxD: o.maxDistance, distances: o.distances, draw: o.draw, batchSize: o.batchSize, testExamples: o.testExamples,
  }).filter(([, v]) => v !== undefined));
  const r = await withStop(log, 'stopping after the current model', (signal) => runDistanceExperiment(options, { log: o.json ? undefined : log, signal }));
  if (!o.json) for (const l of formatDistanceTable(r)) out(l);
  if (o.plot) writePlot(o.plot, distanceSvg(r));
  if (o.save) saveClaim(o.save, { distance: distanceClaim(r, command) });
  return r;
}

export interface ParallelCliOptions extends ClaimCliCommon { lengths?: number[]; largeBatch?: number; largeBatchLengths?: number[]; repeats?: number }

/** `llmcore memory parallel`: the load average is read here, before and after (the engine does not read the OS). */
export async function runParallelCommand(o: ParallelCliOptions, out: (l: string) => void = printLine, log: (l: string) => void = (l) => process.stderr.write(l + '\n'), command = typedCommand()): Promise<ParallelResult> {
  checkOutputs(o);
  const options: Partial<ParallelOptions> = Object.fromEntries(Object.entries({
    models: o.models, seed: o.seed, lengths: o.lengths, largeBatch: o.largeBatch, largeBatchLengths: o.largeBatchLengths, repeats: o.repeats,
  }).filter(([, v]) => v !== undefined));
  const before = loadavg();
  const r = await withStop(log, 'stopping after the current shape', (signal) => runParallelBenchmark(options, { log: o.json ? undefined : log, signal }));
  r.load = { before: before.map((v) => Number(v.toFixed(2))), after: loadavg().map((v) => Number(v.toFixed(2))) };
  if (!o.json) for (const l of formatParallelTable(r)) out(l);
  if (o.plot) writePlot(o.plot, parallelSvg(r));
  if (o.save) saveClaim(o.save, { parallel: parallelClaim(r, command) });
  return r;
}

function drawKind(v: string): DistanceOptions['draw'] {
  if (v !== 'log-uniform' && v !== 'uniform') throw new InvalidArgumentError(`expected log-uniform or uniform, got '${v}'`);
  return v;
}

function registerSequenceClaims(memory: Command): void {
  const common = (c: Command): Command => c
    .option('--models <list>', 'which models among rnn, lstm, gru, transformer (default rnn,lstm,transformer)', KIND_LIST)
    .option('--plot <file.svg>', 'draw the result')
    .option('--save <file.json>', 'keep the result in this claims file (the tour reads docs/sequence-claims.json), beside the other claims there')
    .option('--json', 'print the full result as one JSON object');
  const g = DEFAULT_GRADIENT_OPTIONS;
  common(memory.command('gradients')
    .description('forgetting, directly: ‖∂h_T/∂x_{T−d}‖ against d for an untrained and a trained RNN, LSTM (with its forget gates) and Transformer')
    .option('--steps <n>', `training steps before the trained curve, 0 for untrained only (default ${g.steps})`, integer)
    .option('--max-distance <d>', `training fillers up to d words, log-uniform (default ${g.maxD})`, integer)
    .option('--max-lag <d>', `the longest lag measured; the probe stories are d + 1 words (default ${g.maxLag})`, positiveInteger)
    .option('--stories <n>', `probe stories the norm is averaged over (default ${g.stories})`, positiveInteger)
    .option('--seed <n>', `seed of data, initialisation, order and the probe (default ${g.seed})`, integer))
    .action(async (o: GradientCliOptions) => {
      const r = await runGradientsCommand(o);
      if (o.json) printJson(r);
    });
  const d = DEFAULT_DISTANCE_OPTIONS;
  common(memory.command('distance')
    .description('forgetting, behaviourally: one-name "Tom is a cat … Tom\'s favorite food is" stories with fillers up to hundreds of words, accuracy by distance over several seeds')
    .option('--steps <n>', `training steps per model and seed (default ${d.steps})`, positiveInteger)
    .option('--seeds <list>', `seeds, each fixing data, initialisation and order (default ${d.seeds.join(',')})`, intList('--seeds', 0))
    .option('--max-distance <d>', `training fillers up to d words (default ${d.maxD})`, integer)
    .option('--draw <how>', `how training distances are drawn: log-uniform or uniform (default ${d.draw})`, drawKind)
    .option('--distances <list>', `tested distances (default ${d.distances.join(',')})`, intList('--distances', 0))
    .option('--batch-size <n>', `stories per step (default ${d.batchSize})`, positiveInteger)
    .option('--test-examples <n>', `fresh stories per distance and seed (default ${d.testExamples})`, positiveInteger))
    .action(async (o: DistanceCliOptions) => {
      const r = await runDistanceCommand(o);
      if (o.json) printJson(r);
    });
  const p = DEFAULT_PARALLEL_OPTIONS;
  common(memory.command('parallel')
    .description('parallel training: time per sequence as T grows at batch 1 and at a large batch, beside the sequential depth of each model')
    .option('--lengths <list>', `lengths timed at batch 1 (default ${p.lengths.join(',')})`, intList('--lengths', 1))
    .option('--large-batch <n>', `the large batch (default ${p.largeBatch})`, positiveInteger)
    .option('--large-batch-lengths <list>', `lengths timed at the large batch, or none (default ${p.largeBatchLengths.join(',')})`, intList('--large-batch-lengths', 1))
    .option('--repeats <n>', `timed interleaved rounds per shape; the median counts (default ${p.repeats})`, positiveInteger)
    .option('--seed <n>', 'seed of the models and the random ids', integer))
    .action(async (o: ParallelCliOptions) => {
      const r = await runParallelCommand(o);
      if (o.json) printJson(r);
    });
  memory.command('claims')
    .description('print the headline of each claim kept in a claims file')
    .option('--file <file.json>', 'the claims file (default docs/sequence-claims.json)', 'docs/sequence-claims.json')
    .action((o: { file: string }) => {
      if (!existsSync(o.file)) throw new Error(`memory claims: --file ${o.file} does not exist (write it with \`llmcore memory gradients|distance|parallel --save ${o.file}\`)`);
      for (const l of sequenceHeadlines(readClaims(o.file, '--file'))) printLine(l);
    });
}
