/**
 * Forgetting, measured behaviourally: the explainer's "Tom is a cat. … Tom's favorite food is" → fish
 * with one name per story (the animal is the whole thing to remember) and fillers up to a few hundred
 * words. Every model trains on the same stream — d drawn from 0…maxD, log-uniformly by default (half
 * the stories have d ≤ √maxD; uniformly, long stories are as common as short ones, and at 600 steps
 * neither recurrent kind left the guessing plateau) — for the same number of steps of the same batch
 * size (the same budget in examples, not in seconds), then is tested on fresh stories at each distance. Several seeds, each
 * fixing data, initialisation and order, give the spread.
 */
import { Generator as Rng } from '../../util/random.js';
import { Adam } from '../../optim/adam.js';
import { yieldToEventLoop } from '../../train/trainer.js';
import { MemoryTask, type MemoryBatch } from './task.js';
import { MEMORY_LR, drawDistance, makeMemoryModel, scoreMemory, testBatches, trainMemoryStep, type MemoryModelKind } from './experiment.js';
import { inputGradientNorms, forgetGateTrace } from './gradients.js';
import type { WordLM } from '../lm/model.js';

export interface DistanceOptions {
  models: MemoryModelKind[];
  seeds: number[];
  /** Training steps per model and seed. */
  steps: number;
  batchSize: number;
  /** Training distances lie in 0…maxD. */
  maxD: number;
  /** How training distances are drawn: log-uniform (d + 1 = (maxD + 1)^u, half of them ≤ √maxD) or uniform. */
  draw: 'log-uniform' | 'uniform';
  /** Test distances (may exceed maxD: then it measures extrapolation). */
  distances: number[];
  testExamples: number;
  bindings: number;
  clip: number;
}

export const DEFAULT_DISTANCE_OPTIONS: DistanceOptions = {
  models: ['rnn', 'lstm', 'transformer'],
  seeds: [0, 1, 2],
  steps: 1000,
  batchSize: 32,
  maxD: 200,
  draw: 'log-uniform',
  distances: [0, 10, 25, 50, 100, 150, 200],
  testExamples: 128,
  bindings: 1,
  clip: 1,
};

/** One model's accuracy by distance for every seed, and the spread. */
export interface DistanceModelResult {
  kind: MemoryModelKind;
  parameters: number;
  /** accuracy[s][i]: seed seeds[s], distance distances[i]. */
  accuracy: number[][];
  mean: number[];
  min: number[];
  max: number[];
  /** Mean training loss over the last 10% of steps, per seed. */
  finalLoss: number[];
  /** Seconds of training per seed (forward, backward, Adam; evaluation excluded). */
  trainSeconds: number[];
}

export interface DistanceResult {
  options: DistanceOptions;
  chance: number;
  vocab: number;
  models: DistanceModelResult[];
}

/** The training stream: batch s has one distance in 0…maxD, drawn as `draw` says; the same seed gives the same stream. */
export function* distanceBatches(task: MemoryTask, B: number, maxD: number, draw: DistanceOptions['draw'], seed: number): Generator<MemoryBatch, never> {
  const g = new Rng(seed * 104_729 + 17);
  for (;;) yield task.batch(g, draw === 'uniform' ? g.randint(maxD + 1) : drawDistance(g, maxD), B);
}

function checkDistanceOptions(o: DistanceOptions): void {
  if (o.models.length === 0) throw new Error('memory distance: no models to train');
  if (o.seeds.length === 0) throw new Error('memory distance: no seeds');
  if (o.distances.length === 0) throw new Error('memory distance: no distances to test');
  for (const [k, v] of [['steps', o.steps], ['batchSize', o.batchSize], ['testExamples', o.testExamples]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`memory distance: ${k} must be a positive integer, got ${v}`);
  }
  if (!Number.isInteger(o.maxD) || o.maxD < 0) throw new Error(`memory distance: maxD must be a non-negative integer, got ${o.maxD}`);
}

export interface DistanceHooks {
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/** Trains one model on the stream of `distanceBatches`; returns it with its loss tail and training seconds. */
export async function trainOnStream(kind: MemoryModelKind, task: MemoryTask, o: Pick<DistanceOptions, 'steps' | 'batchSize' | 'maxD' | 'draw' | 'clip'>, context: number, seed: number, signal?: AbortSignal) {
  const model = makeMemoryModel(kind, task.vocab.size, context, seed);
  const opt = new Adam(model.parameters(), { lr: MEMORY_LR[kind] });
  const stream = distanceBatches(task, o.batchSize, o.maxD, o.draw, seed);
  const losses: number[] = [];
  let seconds = 0;
  for (let step = 0; step < o.steps && !signal?.aborted; step++) {
    const batch = stream.next().value;
    const t0 = performance.now();
    losses.push(trainMemoryStep(model, opt, batch, o.clip));
    seconds += (performance.now() - t0) / 1000;
    if ((step + 1) % 10 === 0) await yieldToEventLoop();
  }
  const tail = losses.slice(Math.floor(losses.length * 0.9));
  return { model, seconds, finalLoss: tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length) };
}

/** Runs every model for every seed; `hooks.log` hears one line per model and seed. */
export async function runDistanceExperiment(options: Partial<DistanceOptions> = {}, hooks: DistanceHooks = {}): Promise<DistanceResult> {
  const o: DistanceOptions = { ...DEFAULT_DISTANCE_OPTIONS, ...options };
  checkDistanceOptions(o);
  const log = hooks.log ?? (() => {});
  const task = new MemoryTask({ bindings: o.bindings });
  const context = task.length(Math.max(o.maxD, ...o.distances));
  const models: DistanceModelResult[] = o.models.map((kind) => ({ kind, parameters: 0, accuracy: [], mean: [], min: [], max: [], finalLoss: [], trainSeconds: [] }));
  log(`memory distance: ${o.bindings} name(s) per story, training d ${o.draw} in 0…${o.maxD}, ${o.steps} steps of ${o.batchSize} stories per model and seed (the same batches for every model); seeds ${o.seeds.join(', ')}`);
  for (const seed of o.seeds) {
    const tests = o.distances.map((d) => testBatches(task, d, o.testExamples, seed));
    for (const m of models) {
      if (hooks.signal?.aborted) break;
      const { model, seconds, finalLoss } = await trainOnStream(m.kind, task, o, context, seed, hooks.signal);
      const acc = tests.map((t) => scoreMemory(model, t).accuracy);
      m.parameters = model.numParameters();
      m.accuracy.push(acc);
      m.finalLoss.push(finalLoss);
      m.trainSeconds.push(seconds);
      log(`  seed ${seed} ${m.kind}: ${seconds.toFixed(1)} s, final loss ${finalLoss.toFixed(3)}; ${o.distances.map((d, i) => `d=${d} ${(acc[i] * 100).toFixed(0)}%`).join(', ')}`);
    }
  }
  for (const m of models) {
    m.mean = o.distances.map((_, i) => m.accuracy.reduce((a, r) => a + r[i], 0) / Math.max(1, m.accuracy.length));
    m.min = o.distances.map((_, i) => Math.min(...m.accuracy.map((r) => r[i])));
    m.max = o.distances.map((_, i) => Math.max(...m.accuracy.map((r) => r[i])));
  }
  return { options: o, chance: task.foodChance, vocab: task.vocab.size, models: models.filter((m) => m.accuracy.length > 0) };
}

// ---------------------------------------------------------------------------------------------
// The gradient curve of trained models
// ---------------------------------------------------------------------------------------------

export interface GradientOptions {
  models: MemoryModelKind[];
  seed: number;
  /** Training steps before the trained curve (0: only the untrained one). */
  steps: number;
  batchSize: number;
  maxD: number;
  draw: DistanceOptions['draw'];
  /** The longest lag measured: stories are this long, fillers included. */
  maxLag: number;
  /** Stories the curve is averaged over. */
  stories: number;
  clip: number;
}

export const DEFAULT_GRADIENT_OPTIONS: GradientOptions = {
  models: ['rnn', 'lstm', 'transformer'], seed: 0, steps: 1000, batchSize: 32, maxD: 200, draw: 'log-uniform', maxLag: 400, stories: 16, clip: 1,
};

export interface GradientModelResult {
  kind: MemoryModelKind;
  parameters: number;
  /** ‖∂h_T/∂x_{T−d}‖ at d = 0 … maxLag, untrained (the seed's initialisation). */
  untrained: number[];
  /** The same after `steps` training steps (empty when steps = 0). */
  trained: number[];
  /**
   * The dependence on the one word the answer needs: ‖∂h_T/∂x_animal‖ in stories whose animal lies
   * `animalLags[i]` words before the last position (untrained, and trained when steps > 0). The curve
   * above averages over whatever word sits at d — mostly filler, which a trained model may have
   * learned to ignore; this one asks about the word it must remember.
   */
  animalLags: number[];
  animalUntrained: number[];
  animalTrained: number[];
  /** LSTM only: the trained forget gates by d (mean f, and the running product Π f). */
  forgetGate?: { gate: number[]; retained: number[] };
  /** Test accuracy of the trained model at d = maxD (the curve belongs to a model that learned the task, or not). */
  accuracyAtMaxD?: number;
  finalLoss?: number;
}

/** Lags of the animal word at which its curve is measured (6: no filler). */
export const ANIMAL_LAGS = [6, 10, 20, 50, 100, 150, 200, 300, 400, 600, 800, 1000];

export interface GradientResult {
  options: GradientOptions;
  models: GradientModelResult[];
}

function checkGradientOptions(o: GradientOptions): void {
  if (o.models.length === 0) throw new Error('memory gradients: no models');
  for (const [k, v] of [['batchSize', o.batchSize], ['maxLag', o.maxLag], ['stories', o.stories]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`memory gradients: ${k} must be a positive integer, got ${v}`);
  }
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new Error(`memory gradients: steps must be a non-negative integer, got ${o.steps}`);
}

/**
 * The gradient curve of each model, untrained and after `steps` steps on the one-name stories
 * (d drawn from 0…maxD as `draw` says): measured on `stories` stories whose filler makes them maxLag + 1 words long,
 * so d = maxLag reaches the story's first word. The LSTM's forget gates come along.
 */
export async function runGradientExperiment(options: Partial<GradientOptions> = {}, hooks: DistanceHooks = {}): Promise<GradientResult> {
  const o: GradientOptions = { ...DEFAULT_GRADIENT_OPTIONS, ...options };
  checkGradientOptions(o);
  const log = hooks.log ?? (() => {});
  const task = new MemoryTask({ bindings: 1 });
  const fillers = Math.max(0, o.maxLag + 1 - task.length(0));
  const T = task.length(fillers);
  const probe = task.batch(new Rng(o.seed * 31 + 5), fillers, o.stories);
  // "<name> is a <animal> ." then the filler: the animal is the 4th word, lag = T − 4 = fillers + 6
  const animalLags = ANIMAL_LAGS.filter((L) => L <= o.maxLag);
  const context = Math.max(T, task.length(o.maxD), ...animalLags.map((L) => L + 4));
  const animalProbes = animalLags.map((L) => task.batch(new Rng(o.seed * 31 + 7 + L), L - 6, o.stories));
  const animalCurve = (model: WordLM): number[] => animalProbes.map((b, i) => inputGradientNorms(model, b.ids, b.B, b.T, o.seed)[animalLags[i]]);
  const out: GradientModelResult[] = [];
  for (const kind of o.models) {
    if (hooks.signal?.aborted) break;
    const untrainedModel = makeMemoryModel(kind, task.vocab.size, context, o.seed);
    const r: GradientModelResult = {
      kind, parameters: untrainedModel.numParameters(), untrained: Array.from(inputGradientNorms(untrainedModel, probe.ids, probe.B, T, o.seed).slice(0, o.maxLag + 1)), trained: [],
      animalLags, animalUntrained: animalCurve(untrainedModel), animalTrained: [],
    };
    if (o.steps > 0) {
      const { model, finalLoss } = await trainOnStream(kind, task, o, context, o.seed, hooks.signal);
      r.trained = Array.from(inputGradientNorms(model, probe.ids, probe.B, T, o.seed).slice(0, o.maxLag + 1));
      r.animalTrained = animalCurve(model);
      r.finalLoss = finalLoss;
      r.accuracyAtMaxD = scoreMemory(model, testBatches(task, o.maxD, 128, o.seed)).accuracy;
      if (kind === 'lstm') {
        const f = forgetGateTrace(model, probe.ids, probe.B, T);
        r.forgetGate = { gate: Array.from(f.gate.slice(0, o.maxLag + 1)), retained: Array.from(f.retained.slice(0, o.maxLag + 1)) };
      }
    }
    out.push(r);
    const shown = [0, 10, 100, o.maxLag].filter((d, i, a) => d <= o.maxLag && a.indexOf(d) === i);
    log(`  ${kind}: ‖∂h/∂x‖ at d = ${shown.join(", ")}: untrained ${shown.map((d) => (r.untrained[d] ?? NaN).toExponential(1)).join(', ')}${r.trained.length ? `; trained ${shown.map((d) => (r.trained[d] ?? NaN).toExponential(1)).join(', ')} (accuracy ${((r.accuracyAtMaxD ?? 0) * 100).toFixed(0)}% at d = ${o.maxD})` : ''}`);
  }
  return { options: o, models: out };
}
