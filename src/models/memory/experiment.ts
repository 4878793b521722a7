/**
 * The memory experiment: an RNN, an LSTM and a small decoder-only Transformer of about the same
 * number of parameters learn the same stories (task.ts) from the same batches, in the same order, for
 * the same number of steps; then each is tested at every distance d on fresh stories. Beside it, the
 * explainer's other claim — a Transformer trains in parallel where an RNN cannot — as measured
 * training throughput: tokens per second and seconds per epoch on the same data, and a controlled
 * benchmark at fixed lengths with one batch shape for all three.
 *
 * Every model is a WordLM (src/models/lm/model.ts) with dropout off; the loss is the cross-entropy of
 * the answer at the last position, over the whole vocabulary. Seeds fix data, initialisation and order.
 */
import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { crossEntropy } from '../../ops/nn.js';
import { Generator as Rng } from '../../util/random.js';
import { getBackend } from '../../backend/backend.js';
import { Adam } from '../../optim/adam.js';
import { clipGradNorm } from '../../optim/clip.js';
import { normal_ } from '../../nn/init.js';
import { WordLM, type LmKind, type WordLMConfig } from '../lm/model.js';
import { yieldToEventLoop } from '../../train/trainer.js';
import { MemoryTask, type MemoryBatch } from './task.js';

export type MemoryModelKind = Extract<LmKind, 'rnn' | 'lstm' | 'gru' | 'transformer'>;

/** Sizes chosen so the models have about the same number of parameters (≈ 30.2k each with the task's 137 words). */
export const MEMORY_SIZES: Record<MemoryModelKind, Omit<WordLMConfig, 'kind' | 'vocabSize' | 'context'>> = {
  rnn: { embDim: 32, hiddenSize: 96, numLayers: 1, dropout: 0 },
  lstm: { embDim: 32, hiddenSize: 53, numLayers: 1, dropout: 0 },
  gru: { embDim: 32, hiddenSize: 61, numLayers: 1, dropout: 0 },
  transformer: { embDim: 32, nhead: 2, numLayers: 2, dimFeedforward: 96, dropout: 0 },
};

/**
 * Adam learning rates per kind, chosen once on short runs (1,000–1,500 steps at d = 0 and at mixed d):
 * at higher rates the recurrent kinds never leave the "some food" plateau.
 */
export const MEMORY_LR: Record<MemoryModelKind, number> = { rnn: 1e-3, lstm: 2e-3, gru: 2e-3, transformer: 1e-3 };

export interface MemoryExperimentOptions {
  models: MemoryModelKind[];
  /** Filler words between the stories' bindings and the question, tested one by one. */
  distances: number[];
  /** Training steps per model. */
  steps: number;
  batchSize: number;
  /** Steps that make an epoch for the time-per-epoch figure (batchesPerEpoch · batchSize stories). */
  batchesPerEpoch: number;
  /** Fresh stories per tested distance. */
  testExamples: number;
  /** Names bound to animals in each story. */
  bindings: number;
  seed: number;
  /** Clip the global gradient norm (0: off). */
  clip: number;
  /** Lengths of the controlled throughput benchmark (empty: skip it). */
  benchLengths: number[];
  /** Timed steps per model and length in the benchmark (after two warm-up steps; the median counts). */
  benchSteps: number;
}

export const DEFAULT_MEMORY_OPTIONS: MemoryExperimentOptions = {
  models: ['rnn', 'lstm', 'transformer'],
  distances: [0, 5, 10, 20, 40, 80],
  steps: 3000,
  batchSize: 32,
  batchesPerEpoch: 200,
  testExamples: 200,
  bindings: 2,
  seed: 0,
  clip: 1,
  benchLengths: [16, 64, 256],
  benchSteps: 5,
};

/** `--quick`: the same experiment, small enough for tests and the tour (seconds). */
export const QUICK_MEMORY_OPTIONS: Partial<MemoryExperimentOptions> = {
  distances: [0, 5, 10, 20], steps: 150, batchesPerEpoch: 50, testExamples: 64, benchLengths: [16, 64], benchSteps: 2,
};

export interface MemoryModelResult {
  kind: MemoryModelKind;
  parameters: number;
  steps: number;
  epochs: number;
  /** Seconds of training steps (forward, backward, clipping, Adam), evaluation excluded. */
  trainSeconds: number;
  secondsPerEpoch: number;
  /** Input tokens (B·T per step) per second of training. */
  tokensPerSecond: number;
  /** Mean training loss over the last 10% of steps. */
  finalLoss: number;
  /** Accuracy (the right food first) at each of `distances`, in order. */
  accuracy: number[];
  /** At each distance, the share whose first guess is the food of an animal in the story (right or not). */
  inStory: number[];
}

export interface ThroughputRow {
  kind: MemoryModelKind;
  T: number;
  B: number;
  /** Positions that must be computed one after another in a forward pass: T per recurrent layer, one per Transformer layer. */
  sequentialSteps: number;
  msPerStep: number;
  tokensPerSecond: number;
}

export interface MemoryExperimentResult {
  distances: number[];
  bindings: number;
  chance: { binding: number; food: number };
  vocab: number;
  backend: string;
  models: MemoryModelResult[];
  throughput: ThroughputRow[];
  options: MemoryExperimentOptions;
}

export interface MemoryHooks {
  log?: (line: string) => void;
  onStep?: (kind: MemoryModelKind, step: number, steps: number, loss: number) => void;
  signal?: AbortSignal;
}

/**
 * A model of `kind` for the task, with two standard initialisation choices that give the recurrent
 * kinds their best chance (both measured to matter here; the Transformer needs neither):
 * - embeddings N(0, 1), PyTorch's nn.Embedding default, instead of the LM's U(−0.1, 0.1): with
 *   32-wide embeddings the small init lets the animal's word barely move the state, and the model
 *   sits on the "some food" plateau (loss ln 8) for the whole run;
 * - the LSTM's forget-gate bias at 1 (Jozefowicz et al. 2015; Keras's `unit_forget_bias`), so the
 *   cell starts out keeping most of what it holds instead of halving it every step.
 */
export function makeMemoryModel(kind: MemoryModelKind, vocab: number, context: number, seed: number): WordLM {
  const generator = new Rng(seed);
  const model = new WordLM({ kind, vocabSize: vocab, context, ...MEMORY_SIZES[kind] }, { generator });
  if (kind !== 'transformer') normal_(model.encoder.weight, 0, 1, generator);
  if (kind === 'lstm') {
    const H = model.config.hiddenSize;
    for (const layer of model.rnn!.layers) {
      // gate order i, f, g, o: b_ih + b_hh of the forget gate = 1
      if (layer.biasIh) layer.biasIh.data.fill(1, H, 2 * H);
      if (layer.biasHh) layer.biasHh.data.fill(0, H, 2 * H);
    }
  }
  return model;
}

/** Logits of the last position: ids (B, T) → (B, V). */
function lastLogits(model: WordLM, ids: Tensor): Tensor {
  const { hidden } = model.features(ids); // (B, T, C)
  const [B, T, C] = hidden.shape;
  return model.project(hidden.slice(1, T - 1, T).reshape([B, C])); // (B, V)
}

export function trainMemoryStep(model: WordLM, opt: Adam, batch: MemoryBatch, clip: number): number {
  model.train();
  opt.zeroGrad();
  const logits = lastLogits(model, new Tensor(batch.ids, [batch.B, batch.T]));
  const loss = crossEntropy(logits, new Tensor(batch.answers, [batch.B]));
  loss.backward();
  if (clip > 0) clipGradNorm(model.parameters(), clip);
  opt.step();
  return loss.item();
}

/** How a model did on test stories. */
export interface MemoryScore {
  /** Share of stories whose most likely next word is the right food (needs who-is-who). */
  accuracy: number;
  /** Share whose most likely next word is the food of some animal in the story (needs only the animals remembered). */
  inStory: number;
}

/** Scores a model on test stories: the most likely next word against the answer and the story's foods. */
export function scoreMemory(model: WordLM, batches: readonly MemoryBatch[]): MemoryScore {
  model.eval();
  let right = 0;
  let inStory = 0;
  let total = 0;
  noGrad(() => {
    for (const b of batches) {
      const logits = lastLogits(model, new Tensor(b.ids, [b.B, b.T])).contiguousData(); // (B, V)
      const V = logits.length / b.B;
      const k = b.storyFoods.length / b.B;
      for (let i = 0; i < b.B; i++) {
        let best = 0;
        for (let v = 1; v < V; v++) if (logits[i * V + v] > logits[i * V + best]) best = v;
        if (best === b.answers[i]) right++;
        for (let j = 0; j < k; j++) if (b.storyFoods[i * k + j] === best) { inStory++; break; }
        total++;
      }
    }
  });
  return { accuracy: right / total, inStory: inStory / total };
}

/** Test stories at distance d: `n` of them in batches of at most 64, from their own seed. */
export function testBatches(task: MemoryTask, d: number, n: number, seed: number): MemoryBatch[] {
  const g = new Rng(seed * 7919 + 1_000_003 + d);
  const out: MemoryBatch[] = [];
  for (let left = n; left > 0; left -= 64) out.push(task.batch(g, d, Math.min(64, left)));
  return out;
}

/**
 * A training distance in [0, maxD], log-uniform: d + 1 = (maxD + 1)^u with u uniform, so short and
 * long stories are both common (about half of them have d ≤ √maxD).
 */
export function drawDistance(g: Rng, maxD: number): number {
  return Math.min(maxD, Math.floor(Math.pow(maxD + 1, g.uniform())) - 1);
}

/**
 * The training stream, one fresh batch per step: batch s has one distance, drawn by `drawDistance`
 * from [0, maxD]. The same seed gives the same batches, so every model trains on the same stream.
 */
export function* trainingBatches(task: MemoryTask, B: number, maxD: number, seed: number): Generator<MemoryBatch, never> {
  const g = new Rng(seed);
  for (;;) yield task.batch(g, drawDistance(g, maxD), B);
}

/**
 * Training throughput at a fixed batch shape (B, T): two warm-up steps (JIT, buffers), then `steps`
 * timed steps of forward, backward, clipping and Adam on random ids; the median step counts.
 */
export function benchmarkThroughput(kind: MemoryModelKind, vocab: number, B: number, T: number, steps: number, seed: number): ThroughputRow {
  const model = makeMemoryModel(kind, vocab, T, seed);
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const g = new Rng(seed + T);
  const batch: MemoryBatch = {
    ids: Int32Array.from({ length: B * T }, () => g.randint(vocab)), answers: Int32Array.from({ length: B }, () => g.randint(vocab)), storyFoods: new Int32Array(B), B, T, distance: 0,
  };
  for (let i = 0; i < 2; i++) trainMemoryStep(model, opt, batch, 1);
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    trainMemoryStep(model, opt, batch, 1);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const ms = times.length % 2 ? times[(times.length - 1) / 2] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
  const layers = model.config.numLayers;
  return { kind, T, B, sequentialSteps: kind === 'transformer' ? layers : layers * T, msPerStep: ms, tokensPerSecond: (B * T) / (ms / 1000) };
}

function checkOptions(o: MemoryExperimentOptions): void {
  if (o.models.length === 0) throw new Error('memory: no models to train');
  if (o.distances.length === 0) throw new Error('memory: no distances to test');
  for (const d of o.distances) if (!Number.isInteger(d) || d < 0) throw new Error(`memory: distances must be non-negative integers, got ${d}`);
  for (const [k, v] of [['steps', o.steps], ['batchSize', o.batchSize], ['batchesPerEpoch', o.batchesPerEpoch], ['testExamples', o.testExamples]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`memory: ${k} must be a positive integer, got ${v}`);
  }
  for (const T of o.benchLengths) if (!Number.isInteger(T) || T < 1) throw new Error(`memory: benchmark lengths must be positive integers, got ${T}`);
}

/** Runs the whole experiment; `hooks.log` hears progress. */
export async function runMemoryExperiment(options: Partial<MemoryExperimentOptions> = {}, hooks: MemoryHooks = {}): Promise<MemoryExperimentResult> {
  const o: MemoryExperimentOptions = { ...DEFAULT_MEMORY_OPTIONS, ...options };
  checkOptions(o);
  const log = hooks.log ?? (() => {});
  const task = new MemoryTask({ bindings: o.bindings });
  const V = task.vocab.size;
  const maxD = Math.max(...o.distances);
  const context = task.length(maxD);
  const tests = o.distances.map((d) => testBatches(task, d, o.testExamples, o.seed));
  const backend = getBackend();
  const backendName = `${backend.name}${'threads' in backend ? ` (${(backend as { threads: number }).threads} threads)` : ''}`;
  log(`memory task: ${o.bindings} names bound to animals per story, then d filler words, then "<name> 's favorite food is"; ${V} words`);
  log(`training: ${o.steps} steps of ${o.batchSize} stories per model, the same batches in the same order for every model; d drawn log-uniformly from 0…${maxD}`);

  const models: MemoryModelResult[] = [];
  for (const kind of o.models) {
    const model = makeMemoryModel(kind, V, context, o.seed);
    const opt = new Adam(model.parameters(), { lr: MEMORY_LR[kind] });
    let seconds = 0;
    let tokens = 0;
    const losses: number[] = [];
    const stream = trainingBatches(task, o.batchSize, maxD, o.seed);
    let step = 0;
    for (; step < o.steps; step++) {
      if (hooks.signal?.aborted) break;
      const batch = stream.next().value;
      const t0 = performance.now();
      const loss = trainMemoryStep(model, opt, batch, o.clip);
      seconds += (performance.now() - t0) / 1000;
      tokens += batch.B * batch.T;
      losses.push(loss);
      hooks.onStep?.(kind, step + 1, o.steps, loss);
      if ((step + 1) % 25 === 0) await yieldToEventLoop();
    }
    const tail = losses.slice(Math.floor(losses.length * 0.9));
    const scores = tests.map((t) => scoreMemory(model, t));
    const accuracy = scores.map((x) => x.accuracy);
    const inStory = scores.map((x) => x.inStory);
    const epochs = step / o.batchesPerEpoch;
    const r: MemoryModelResult = {
      kind, parameters: model.numParameters(), steps: step, epochs, trainSeconds: seconds, secondsPerEpoch: epochs > 0 ? seconds / epochs : NaN,
      tokensPerSecond: tokens / Math.max(seconds, 1e-9), finalLoss: tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length), accuracy, inStory,
    };
    models.push(r);
    log(`${kind}: ${r.parameters.toLocaleString('en')} parameters, ${step} steps in ${seconds.toFixed(1)} s, final loss ${r.finalLoss.toFixed(3)}; accuracy ${o.distances.map((d, i) => `d=${d} ${(accuracy[i] * 100).toFixed(0)}%`).join(', ')}; an animal of the story ${inStory.map((v) => `${(v * 100).toFixed(0)}%`).join(', ')}`);
    if (hooks.signal?.aborted) break;
  }

  const throughput: ThroughputRow[] = [];
  if (!hooks.signal?.aborted) {
    for (const T of o.benchLengths) {
      for (const kind of o.models) throughput.push(benchmarkThroughput(kind, V, o.batchSize, T, o.benchSteps, o.seed));
      await yieldToEventLoop();
    }
  }
  return { distances: o.distances, bindings: o.bindings, chance: { binding: task.bindingChance, food: task.foodChance }, vocab: V, backend: backendName, models, throughput, options: o };
}
