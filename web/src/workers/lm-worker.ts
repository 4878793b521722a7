/**
 * The RNN/LSTM page's worker: trains the word LMs on the built-in corpus and the memory models, and
 * answers predictions and traces, so the page never freezes. Both kinds train at once: each trainer
 * yields between steps, so their steps interleave and both loss curves grow together.
 */
import { serveWorker, type HandlerContext } from '../lib/worker-rpc.js';
import { BUILTIN_LM_CORPUS } from '../../../src/data/lm-corpus.js';
import { BUILTIN_PRESETS, prepareLm, type PreparedLm } from '../../../src/models/lm/session.js';
import { predictNext } from '../../../src/models/lm/predict.js';
import { traceWordLM } from '../../../src/models/lm/inspect.js';
import type { WordLM } from '../../../src/models/lm/model.js';
import { MemoryTask } from '../../../src/models/memory/task.js';
import { MEMORY_LR, makeMemoryModel, scoreMemory, testBatches, trainMemoryStep, trainingBatches } from '../../../src/models/memory/experiment.js';
import { Adam } from '../../../src/optim/adam.js';
import { Generator } from '../../../src/util/random.js';
import { yieldToEventLoop } from '../../../src/train/trainer.js';
import { getBackend } from '../../../src/backend/backend.js';

type Kind = 'rnn' | 'lstm';
const KINDS: Kind[] = ['rnn', 'lstm'];

const lms = new Map<Kind, PreparedLm>();
let lmAbort: AbortController | null = null;
const memory = { task: new MemoryTask(), models: new Map<Kind, WordLM>(), steps: 0 };
let memAbort: AbortController | null = null;

function checkInt(v: unknown, name: string, lo: number, hi: number): number {
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi)) throw new Error(`${name} must be an integer from ${lo} to ${hi}, got ${String(v)}`);
  return v;
}

async function trainLms(p: { epochs: number }, ctx: HandlerContext): Promise<unknown> {
  const epochs = checkInt(p.epochs, 'epochs', 1, 200);
  lmAbort?.abort();
  const abort = (lmAbort = new AbortController());
  lms.clear();
  const runs = KINDS.map(async (kind) => {
    const preset = BUILTIN_PRESETS[kind];
    const prepared = prepareLm(BUILTIN_LM_CORPUS, { kind, model: preset.model, training: { ...preset.training, epochs }, source: 'built-in corpus' });
    lms.set(kind, prepared);
    const reason = await prepared.trainer.run({
      signal: abort.signal,
      onStep: (s) => { if (s.step % 4 === 0) ctx.emit('lm-step', { kind, step: s.step, epoch: s.epoch, loss: s.loss, steps: epochs * s.batches }); },
      onEval: (r) => ctx.emit('lm-eval', { kind, epoch: r.epoch, step: r.step, validPerplexity: r.validPerplexity, trainLoss: r.trainLoss }),
    });
    prepared.model.eval();
    const last = prepared.trainer.state.history.at(-1);
    return { kind, reason, steps: prepared.trainer.state.step, seconds: prepared.trainer.state.seconds, validPerplexity: last?.validPerplexity ?? NaN, parameters: prepared.model.numParameters() };
  });
  const results = await Promise.all(runs);
  return { results, vocab: lms.get('lstm')!.tokenizer.size, backend: getBackend().name };
}

function predict(p: { prompt: string; k: number }): unknown {
  if (lms.size < 2) throw new Error('the models are still being built');
  if (typeof p.prompt !== 'string') throw new Error('the prompt must be text');
  return KINDS.map((kind) => {
    const { model, tokenizer } = lms.get(kind)!;
    const r = predictNext(model, tokenizer, p.prompt, checkInt(p.k, 'k', 1, 50));
    return { kind, tokens: r.tokens, unknown: r.unknown, top: r.top.map((t) => ({ word: t.word, prob: t.prob })) };
  });
}

function memoryModel(kind: Kind): WordLM {
  let m = memory.models.get(kind);
  if (!m) {
    m = makeMemoryModel(kind, memory.task.vocab.size, 256, 0);
    memory.models.set(kind, m);
  }
  return m;
}

async function trainMemory(p: { steps: number; maxDistance: number }, ctx: HandlerContext): Promise<unknown> {
  const steps = checkInt(p.steps, 'steps', 1, 20_000);
  const maxD = checkInt(p.maxDistance, 'the longest distance', 0, 60);
  memAbort?.abort();
  const abort = (memAbort = new AbortController());
  memory.models.clear();
  const out = await Promise.all(KINDS.map(async (kind) => {
    const model = memoryModel(kind);
    const opt = new Adam(model.parameters(), { lr: MEMORY_LR[kind] });
    const stream = trainingBatches(memory.task, 32, maxD, 0);
    let step = 0;
    for (; step < steps && !abort.signal.aborted; step++) {
      const loss = trainMemoryStep(model, opt, stream.next().value, 1);
      if ((step + 1) % 5 === 0 || step + 1 === steps) ctx.emit('mem-step', { kind, step: step + 1, steps, loss });
      await yieldToEventLoop();
    }
    model.eval();
    const distances = [0, Math.round(maxD / 2), maxD];
    const accuracy = distances.map((d) => scoreMemory(model, testBatches(memory.task, d, 64, 0)).accuracy);
    return { kind, steps: step, distances, accuracy };
  }));
  memory.steps = Math.min(...out.map((o) => o.steps));
  return out;
}

function memoryStory(p: { distance: number; seed: number }): unknown {
  const d = checkInt(p.distance, 'the distance', 0, 60);
  const seed = checkInt(p.seed, 'the story', 0, 1_000_000);
  const ex = memory.task.example(new Generator(seed), d);
  const ids = memory.task.vocab.encode(ex.tokens);
  const answerId = memory.task.vocab.id(ex.answer);
  const models = KINDS.map((kind) => {
    const tr = traceWordLM(memoryModel(kind), ids);
    const V = tr.V;
    const last = tr.probs.subarray((tr.T - 1) * V, tr.T * V);
    const order = Array.from(last.keys()).sort((a, b) => last[b] - last[a]).slice(0, 5);
    const l = tr.layers[0];
    return {
      kind, H: tr.H, T: tr.T, h: Array.from(l.h), c: l.c ? Array.from(l.c) : null,
      gates: Object.fromEntries(Object.entries(l.gates).map(([k, v]) => [k, Array.from(v)])),
      answerProb: last[answerId], top: order.map((id) => ({ word: memory.task.vocab.token(id), prob: last[id] })),
    };
  });
  return { tokens: ex.tokens, answer: ex.answer, name: ex.name, animal: ex.animal, trainedSteps: memory.steps, models };
}

serveWorker({
  'train-lm': trainLms,
  predict,
  'train-memory': trainMemory,
  'memory-story': memoryStory,
  stop: () => {
    lmAbort?.abort();
    memAbort?.abort();
  },
});
