/**
 * W6: GPT training, one step of nanoGPT's CPU recipe for character-level Tiny Shakespeare: a GPT-2
 * shaped decoder (4 layers, 4 heads, width 128, context 64, vocabulary 65: 809,856 parameters),
 * batch 12, next-character cross-entropy, gradient clipping to norm 1, AdamW (lr 1e-3, betas 0.9/0.99,
 * weight decay 0.1 on the matrices only). The figure is training tokens per second: B·T per step /
 * median step time. A step is zeroGrad, forward, loss, backward, clip, AdamW update, reading the loss.
 *
 * Data: seeded random windows of seeded random ids (the speed does not depend on the text).
 * llmcore: src/models/gpt (GptModel, gptLoss) with the training task's AdamW, as `llmcore train gpt` runs it.
 * PyTorch: the same model in bench/pytorch/w6_gpt.py (nanoGPT's model.py layout).
 *
 *   npx tsx bench/w6-gpt.ts [--lib llmcore|pytorch] [--json]
 */
import { Generator } from '../src/index.js';
import { clipGradNorm } from '../src/optim/clip.js';
import { DEFAULT_GPT_RECIPE } from '../src/models/gpt/recipe.js';
import { randomWindows } from '../src/models/gpt/data.js';
import { GptTask, gptLoss } from '../src/models/gpt/train.js';
import { gptOfRecipe } from '../cli/gpt.js';
import { PYTORCH_LIBS, runPython } from './peers/python.js';
import { time } from './timing.js';
import { llmcoreThreads } from './w2-transformer.js';
import type { Measurement, Workload } from './workload.js';

export const W6 = { vocab: 65, batch: DEFAULT_GPT_RECIPE.training.batchSize, context: DEFAULT_GPT_RECIPE.model.context };

async function llmcoreStepSeconds(): Promise<number> {
  const data = new Generator(5);
  const ids = Int32Array.from({ length: 100_000 }, () => data.randint(W6.vocab));
  const generator = new Generator(1);
  const model = gptOfRecipe(DEFAULT_GPT_RECIPE.model, W6.vocab, generator);
  // the training task's own optimizer and schedule: the step W6 times is the step `train gpt` takes
  const task = new GptTask(model, ids, ids, DEFAULT_GPT_RECIPE.training, generator);
  const g = new Generator(6);
  model.train();
  return (await time(() => {
    const { x, y } = randomWindows(ids, W6.batch, W6.context, g);
    task.optimizer.zeroGrad();
    const loss = gptLoss(model, x, y);
    loss.backward();
    clipGradNorm(model.parameters(), 1);
    task.optimizer.step();
    return loss.item();
  }, { warmup: 3, minRuns: 10, minSeconds: 10 })).seconds;
}

export const w6: Workload = {
  id: 'W6',
  unit: 'tok/s',
  higherIsBetter: true,
  libs: ['llmcore', ...PYTORCH_LIBS],
  notes: ['W6: training tokens/s of nanoGPT\'s shakespeare_char CPU model (809,856 parameters, batch 12 × context 64, AdamW, clip 1)'],
  async run(lib) {
    if (lib === 'pytorch') return runPython('torch', 'pytorch/w6_gpt.py');
    const seconds = await llmcoreStepSeconds();
    return [{ workload: 'W6', lib, value: (W6.batch * W6.context) / seconds, unit: 'tok/s', threads: llmcoreThreads() } satisfies Measurement];
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const lib = args.includes('--lib') ? args[args.indexOf('--lib') + 1] : 'llmcore';
  for (const m of await w6.run(lib)) console.log(args.includes('--json') ? JSON.stringify(m) : `${m.workload} ${m.lib}: ${m.value.toFixed(1)} ${m.unit} (threads ${m.threads})`);
}
