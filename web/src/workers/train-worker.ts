/**
 * The training page's worker: a small Transformer learns the copy (or reverse) task on the shared
 * Trainer, step by step, reporting loss and tokens/s; Pause stops it between steps (the trainer's
 * state stays, so Resume continues exactly where it was), Stop ends the run. The trained model then
 * answers `translate` requests with its steps and cross-attention.
 */
import { serveWorker, type HandlerContext } from '../lib/worker-rpc.js';
import { CopyTask, copyTarget, copyTrainer, DEFAULT_COPY_TASK, type CopyKind, type CopyMetrics } from '../../../src/models/seq2seq/copy-task.js';
import { translate } from '../../../src/models/seq2seq/translate.js';
import type { Trainer } from '../../../src/train/trainer.js';
import { getBackend } from '../../../src/backend/backend.js';

let task: CopyTask | null = null;
let trainer: Trainer<CopyMetrics> | null = null;
let abort: AbortController | null = null;
let running = false;

async function runTrainer(ctx: HandlerContext): Promise<unknown> {
  if (!trainer || !task) throw new Error('nothing to train: start first');
  if (running) throw new Error('already training');
  running = true;
  abort = new AbortController();
  try {
    const reason = await trainer.run({
      signal: abort.signal,
      onStep: (s) => ctx.emit('step', { step: s.step, epoch: s.epoch, batch: s.batch, batches: s.batches, loss: s.loss, tokensPerSecond: s.tokensPerSecond, seconds: s.seconds, tokens: trainer!.state.trainTokens }),
      onEval: (r) => ctx.emit('eval', { epoch: r.epoch, step: r.step, devLoss: r.devLoss, accuracy: r.accuracy, trainLoss: r.trainLoss }),
    });
    const st = trainer.state;
    return { reason, steps: st.step, epochs: st.epoch, tokens: st.trainTokens, seconds: st.seconds, tokensPerSecond: st.trainTokens / Math.max(st.seconds, 1e-9), backend: getBackend().name, history: st.history };
  } finally {
    running = false;
  }
}

async function start(p: { kind: CopyKind; epochs: number; maxLen: number }, ctx: HandlerContext): Promise<unknown> {
  abort?.abort();
  // the previous run stops at its next step; its promise answers its own caller
  while (running) await new Promise((r) => setTimeout(r, 10));
  task = new CopyTask({ ...DEFAULT_COPY_TASK, kind: p.kind, epochs: p.epochs, maxLen: p.maxLen, minLen: Math.min(DEFAULT_COPY_TASK.minLen, p.maxLen) });
  trainer = copyTrainer(task);
  ctx.emit('started', { parameters: task.model.numParameters(), batchesPerEpoch: task.options.batchesPerEpoch, epochs: task.options.epochs });
  return runTrainer(ctx);
}

function tryIt(p: { text: string }): unknown {
  if (!task) throw new Error('no model yet: train one first');
  if (typeof p.text !== 'string') throw new Error('the input must be text');
  const [r] = translate(task.model, task.tokenizer, [p.text], { beam: 1, explain: 3, attention: true, maxLen: task.options.maxLen + 1 });
  return {
    translation: r.translation, expected: copyTarget(p.text, task.options.kind, task.tokenizer), tokens: r.sourceTokens, pieces: r.targetTokens,
    warnings: r.warnings, attention: r.attention?.weights ?? null,
    steps: (r.steps ?? []).map((s) => ({ chosen: s.chosen, probability: s.probability, candidates: s.candidates })),
  };
}

serveWorker({
  start,
  resume: (_p: unknown, ctx: HandlerContext) => runTrainer(ctx),
  pause: () => abort?.abort(),
  translate: tryIt,
});
