/**
 * The training page's model and task in Node, for comparing with the in-browser figure: the copy task
 * (strings of 2–6 symbols, 3 epochs of 50 batches of 32, the page's 2 + 2-layer width-32 Transformer)
 * on the shared Trainer, timed as the page times it (target tokens over seconds of training steps).
 * The browser figure comes from test/web/train.test.ts, which prints it.
 *
 *   tsx scripts/web-train-speed.ts                                  # the default backend (native where built)
 *   LLMCORE_BACKEND=wasm LLMCORE_THREADS=1 tsx scripts/web-train-speed.ts   # as a browser page runs it
 */
import { CopyTask, copyTrainer, DEFAULT_COPY_TASK } from '../src/models/seq2seq/copy-task.js';
import { getBackend } from '../src/backend/backend.js';
import { loadavg } from 'node:os';

const task = new CopyTask({ ...DEFAULT_COPY_TASK, maxLen: 6, epochs: 3 });
const trainer = copyTrainer(task);
const reason = await trainer.run();
const s = trainer.state;
const last = s.history[s.history.length - 1];
const backend = getBackend() as { name: string; threads?: number };
process.stdout.write(JSON.stringify({
  backend: backend.name, threads: backend.threads ?? 1, reason, steps: s.step, targetTokens: s.trainTokens, trainSeconds: Number(s.seconds.toFixed(2)),
  tokensPerSecond: Math.round(s.trainTokens / s.seconds), heldOutAccuracy: last?.accuracy, loadAverage: loadavg().map((x) => Number(x.toFixed(1))),
}) + '\n');
