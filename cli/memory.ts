/**
 * `llmcore memory`: the explainer's "Tom is a cat … Tom's favorite food is" → fish, measured. An RNN,
 * an LSTM and a small decoder-only Transformer of about the same size learn the same stories; the
 * table gives each one's accuracy at every distance d (filler words between the names and the
 * question), beside its training throughput; a controlled benchmark times one training step of each
 * at fixed lengths (the explainer's claim that a Transformer trains in parallel where an RNN cannot).
 */
import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import {
  DEFAULT_MEMORY_OPTIONS, QUICK_MEMORY_OPTIONS, runMemoryExperiment, type MemoryExperimentOptions, type MemoryExperimentResult, type MemoryModelKind,
} from '../src/models/memory/experiment.js';
import { memorySvg } from '../src/models/memory/plot.js';
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
  program
    .command('memory')
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
}
