/**
 * The sequence chapter's three claims as small records (what `llmcore memory gradients | distance |
 * parallel --save` keep in docs/sequence-claims.json) and the one-line headline of each, computed
 * from the measured numbers, so the tour never prints a figure nobody measured.
 */
import type { DistanceResult, GradientResult } from './distance.js';
import type { ParallelResult } from './parallel.js';

/** Lags at which the saved gradient curves are kept (the full curves are in --json). */
export const SAVED_LAGS = [0, 1, 2, 5, 10, 20, 50, 100, 150, 200, 300, 400, 600, 800, 1000];

export interface GradientClaim {
  command: string;
  seed: number;
  steps: number;
  maxD: number;
  stories: number;
  lags: number[];
  /** Lags of the animal word (the one to remember) and, per model, ‖∂h_T/∂x_animal‖ there. */
  animalLags: number[];
  models: {
    kind: string; parameters: number; untrained: number[]; trained: number[]; animalUntrained: number[]; animalTrained: number[];
    retained?: number[]; gate?: number[]; accuracyAtMaxD?: number;
  }[];
}

export interface DistanceClaim {
  command: string;
  seeds: number[];
  steps: number;
  batchSize: number;
  maxD: number;
  draw: string;
  testExamples: number;
  distances: number[];
  chance: number;
  models: { kind: string; parameters: number; mean: number[]; min: number[]; max: number[]; trainSeconds: number[] }[];
}

export interface ParallelClaim {
  command: string;
  repeats: number;
  largeBatch: number;
  load?: { before: number[]; after: number[] };
  rows: { kind: string; B: number; T: number; msPerStep: number; msPerSequence: number; depth: number }[];
}

/** The file: any of the three, each written by its own command. */
export interface SequenceClaims {
  gradients?: GradientClaim;
  distance?: DistanceClaim;
  parallel?: ParallelClaim;
}

const sig = (v: number): number => Number(v.toPrecision(3));

export function gradientClaim(r: GradientResult, command: string): GradientClaim {
  const lags = SAVED_LAGS.filter((d) => d <= r.options.maxLag);
  const at = (ys: number[]): number[] => (ys.length ? lags.map((d) => sig(ys[d])) : []);
  return {
    command, seed: r.options.seed, steps: r.options.steps, maxD: r.options.maxD, stories: r.options.stories, lags, animalLags: r.models[0]?.animalLags ?? [],
    models: r.models.map((m) => ({
      kind: m.kind, parameters: m.parameters, untrained: at(m.untrained), trained: at(m.trained), animalUntrained: m.animalUntrained.map(sig), animalTrained: m.animalTrained.map(sig),
      ...(m.forgetGate ? { retained: at(m.forgetGate.retained), gate: at(m.forgetGate.gate) } : {}),
      ...(m.accuracyAtMaxD !== undefined ? { accuracyAtMaxD: m.accuracyAtMaxD } : {}),
    })),
  };
}

export function distanceClaim(r: DistanceResult, command: string): DistanceClaim {
  const o = r.options;
  return {
    command, seeds: o.seeds, steps: o.steps, batchSize: o.batchSize, maxD: o.maxD, draw: o.draw, testExamples: o.testExamples, distances: o.distances, chance: r.chance,
    // four digits: three made a mean of 24.48% print as 25% here and 24% in the table
    models: r.models.map((m) => ({ kind: m.kind, parameters: m.parameters, mean: m.mean.map((v) => Number(v.toPrecision(4))), min: m.min, max: m.max, trainSeconds: m.trainSeconds.map((s) => Number(s.toFixed(1))) })),
  };
}

export function parallelClaim(r: ParallelResult, command: string): ParallelClaim {
  return {
    command, repeats: r.options.repeats, largeBatch: r.options.largeBatch, ...(r.load ? { load: r.load } : {}),
    rows: r.rows.map((x) => ({ kind: x.kind, B: x.B, T: x.T, msPerStep: sig(x.msPerStep), msPerSequence: sig(x.msPerSequence), depth: x.depth })),
  };
}

const NAME: Record<string, string> = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU', transformer: 'Transformer' };
const e1 = (v: number): string => (v === 0 ? '0' : v.toExponential(0).replace('e+', 'e'));
const pct = (v: number): string => `${Math.round(v * 100)}%`;

/**
 * "Forgetting, directly": each model's ‖∂h_T/∂x_animal‖ — the dependence on the word it must remember
 * — with the animal nearest, 100 words back and farthest (trained when the file has trained curves).
 */
export function gradientHeadline(c: GradientClaim): string {
  const lags = c.animalLags;
  const picks = [0, lags.indexOf(100) >= 0 ? lags.indexOf(100) : Math.floor(lags.length / 2), lags.length - 1].filter((i, k, a) => i >= 0 && a.indexOf(i) === k);
  const trained = c.models.some((m) => m.animalTrained.length);
  const parts = c.models.map((m) => {
    const ys = trained && m.animalTrained.length ? m.animalTrained : m.animalUntrained;
    return `${NAME[m.kind] ?? m.kind} ${picks.map((i) => e1(ys[i])).join(' → ')}`;
  });
  return `Forgetting, directly: ‖∂h_T/∂x‖ of the animal word ${picks.map((i) => lags[i]).join(' → ')} words back (${trained ? `trained ${c.steps} steps` : 'untrained'}): ${parts.join('; ')}.`;
}

/** "Forgetting, behaviourally": accuracy at the shortest and longest tested distance, mean and seed range. */
export function distanceHeadline(c: DistanceClaim): string {
  const i0 = 0;
  const i1 = c.distances.length - 1;
  const one = (m: DistanceClaim['models'][number], i: number): string => `${pct(m.mean[i])}${m.min[i] !== m.max[i] ? ` (${pct(m.min[i])}–${pct(m.max[i])})` : ''}`;
  const parts = c.models.map((m) => `${NAME[m.kind] ?? m.kind} ${one(m, i0)} → ${one(m, i1)}`);
  return `Forgetting, behaviourally: "Tom is a cat. …d words… Tom's favorite food is" right at d = ${c.distances[i0]} → ${c.distances[i1]}, ${c.seeds.length} seeds, ${c.steps} steps × ${c.batchSize} stories each: ${parts.join('; ')} (chance ${(c.chance * 100).toFixed(1)}%).`;
}

/** "Parallel training": batch 1 at the longest T and the large batch at the shortest, Transformer against RNN. */
export function parallelHeadline(c: ParallelClaim): string {
  const get = (kind: string, B: number, T: number) => c.rows.find((x) => x.kind === kind && x.B === B && x.T === T);
  const ones = c.rows.filter((x) => x.B === 1).map((x) => x.T);
  const bigs = c.rows.filter((x) => x.B === c.largeBatch).map((x) => x.T);
  const ratio = (B: number, T: number): string => {
    const tr = get('transformer', B, T);
    const rnn = get('rnn', B, T);
    if (!tr || !rnn) return '?';
    const r = rnn.msPerSequence / tr.msPerSequence;
    return r >= 1 ? `${r.toFixed(1)}× faster` : `${(1 / r).toFixed(1)}× slower`;
  };
  const Tl = Math.max(...ones);
  const Ts = Math.min(...bigs);
  const dR = get('rnn', 1, Tl)?.depth;
  const dT = get('transformer', 1, Tl)?.depth;
  const load = c.load ? `, load average ${c.load.before[0].toFixed(1)}` : '';
  return `Parallel training (2 shared cores${load}; relative): per sequence the Transformer is ${ratio(1, Tl)} than the RNN at batch 1, T = ${Tl}, and ${ratio(c.largeBatch, Ts)} at batch ${c.largeBatch}, T = ${Ts}; critical path ${dR} vs ${dT} matrix products at T = ${Tl}.`;
}

/** The headlines of whatever the file holds, in the chapter's order. */
export function sequenceHeadlines(c: SequenceClaims): string[] {
  const out: string[] = [];
  if (c.gradients) out.push(gradientHeadline(c.gradients));
  if (c.distance) out.push(distanceHeadline(c.distance));
  if (c.parallel) out.push(parallelHeadline(c.parallel));
  return out;
}
