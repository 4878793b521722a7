/**
 * Profiles one training step of the W2 TINY Transformer and of the W3 LSTM (and tanh RNN) language
 * model: wall time per step (min and median over repeats) and, with --ops, the time spent in each
 * backend kernel (every method of getBackend() wrapped with a timer) plus the time outside kernels
 * (op plumbing, autograd, GC, optimizer loops).
 *
 *   npx tsx bench/profile-step.ts [tiny] [nmt] [lstm] [rnn] [gpt] [decode] [--steps N] [--ops [--shapes]] [--backend js|wasm|native]
 * (decode: W4's greedy decoding of one sentence per "step", its loss the number of tokens decoded)
 * CPU time per step (process.cpuUsage, all threads) is printed too: with LLMCORE_THREADS=1 it is the
 * figure least disturbed by other processes on a shared machine.
 *
 *   node --cpu-prof --import tsx bench/profile-step.ts tiny     # V8 profile of the whole step
 */
import { setBackend, type Backend } from '../src/backend/backend.js';
import { Tensor } from '../src/tensor/tensor.js';
import { Generator, manualSeed } from '../src/util/random.js';
import { crossEntropy } from '../src/ops/nn.js';
import { makeW4Sources, W4, W4_CONFIG } from './w4-decode.js';
import { Seq2SeqTransformer, type Seq2SeqConfig } from '../src/models/seq2seq/model.js';
import { Embedding, Linear } from '../src/nn/layers.js';
import { LSTM } from '../src/nn/lstm.js';
import { RNN } from '../src/nn/rnn.js';
import { Module } from '../src/nn/module.js';
import { Adam } from '../src/optim/adam.js';

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const steps = Number(opt('--steps', '20'));
const warmup = Number(opt('--warmup', '3'));
const backendName = opt('--backend', 'wasm');
const which = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--') && ['--steps', '--warmup', '--backend'].includes(args[i - 1])));
const workloads = which.length ? which : ['tiny', 'lstm'];

// ---- per-kernel timing ----
const kernelTime = new Map<string, { ms: number; calls: number }>();
let timing = false;
const shapes = flag('--shapes');
function instrument(be: Backend): void {
  const obj = be as unknown as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const f = obj[key];
    if (typeof f !== 'function' || key === 'readyThreads') continue;
    obj[key] = function (this: unknown, ...a: unknown[]) {
      if (!timing) return (f as (...x: unknown[]) => unknown).apply(this, a);
      let label = key === 'unary' || key === 'unaryBackward' || key === 'binary' || key === 'reduce' ? `${key}:${String(a[0])}` : key;
      // --shapes: copies and strided adds are labelled with their shape and strides
      if (shapes && (key === 'copyStrided' || key === 'addIntoStrided')) {
        const v = (key === 'copyStrided' ? a[0] : a[1]) as { strides: number[] };
        label += ` (${String(a[key === 'copyStrided' ? 1 : 2])}) st (${v.strides.join(',')})`;
      }
      // and matmuls with batch x m x k x n and which operands are read transposed
      if (shapes && key === 'matmul') {
        const p = a[3] as { batch: number; m: number; k: number; n: number; transA: boolean; transB: boolean; accumulate?: boolean };
        label += ` ${p.batch}x${p.m}x${p.k}x${p.n}${p.transA ? ' tA' : ''}${p.transB ? ' tB' : ''}${p.accumulate ? ' acc' : ''}`;
      }
      const t0 = performance.now();
      const r = (f as (...x: unknown[]) => unknown).apply(this, a);
      const dt = performance.now() - t0;
      const e = kernelTime.get(label) ?? { ms: 0, calls: 0 };
      e.ms += dt;
      e.calls++;
      kernelTime.set(label, e);
      return r;
    };
  }
}

const be = setBackend(backendName);
if (flag('--ops')) instrument(be);

function randIds(g: Generator, n: number, vocab: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = 1 + g.randint(vocab - 1);
  return a;
}

interface Bench { name: string; tokens: number; step: () => number }

/** A Seq2SeqTransformer training step on random ids (no padding) of the given shape. */
function seq2seq(name: string, seed: number, B: number, S: number, T: number, config: Seq2SeqConfig): Bench {
  manualSeed(0);
  const g = new Generator(seed);
  const model = new Seq2SeqTransformer(config, { generator: g });
  model.train();
  const opt = new Adam(model.parameters(), { lr: 1e-4 });
  const src = new Tensor(randIds(g, B * S, config.srcVocab), [B, S]);
  const tgtIn = new Tensor(randIds(g, B * T, config.tgtVocab), [B, T]);
  const tgtOut = new Tensor(randIds(g, B * T, config.tgtVocab), [B, T]);
  return {
    name, tokens: B * T,
    step: () => {
      opt.zeroGrad();
      const loss = model.loss(model.forward(src, tgtIn), tgtOut);
      loss.backward();
      opt.step();
      return loss.item();
    },
  };
}

/** W4 (bench/w4-decode.ts): greedy decoding of one sentence per "step"; "tokens" are the ones decoded. */
function decode(): Bench {
  const model = new Seq2SeqTransformer(W4_CONFIG, { generator: new Generator(1) }).eval();
  const sources = makeW4Sources().map((s) => new Tensor(s, [1, W4.srcLength]));
  let next = 0;
  return { name: 'W4-decode', tokens: W4.tgtTokens, step: () => model.greedyDecode(sources[next++ % sources.length], { bos: W4.bos, eos: -1, maxLen: W4.tgtTokens })[0].length };
}

/** W2 TINY as issue 3 defines it. */
const tiny = (): Bench => seq2seq('W2-tiny', 1, 32, 16, 16, { srcVocab: 4000, tgtVocab: 4000, dModel: 128, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 512, dropout: 0.1 });

/** The shipped translator's shape on a typical length bucket (B·T ≈ 2,000 target tokens). */
const nmt = (): Bench => seq2seq('nmt-d256', 3, 200, 10, 10, { srcVocab: 2874, tgtVocab: 3850, dModel: 256, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 1024, dropout: 0.1, tieOutput: true });

class LM extends Module {
  readonly emb: Embedding;
  readonly rnn: LSTM | RNN;
  readonly out: Linear;
  constructor(kind: 'lstm' | 'rnn', V: number, E: number, H: number, g: Generator) {
    super();
    this.emb = this.child('emb', new Embedding(V, E, { generator: g }));
    this.rnn = this.child('rnn', kind === 'lstm' ? new LSTM(E, H, { batchFirst: true, generator: g }) : new RNN(E, H, { batchFirst: true, generator: g }));
    this.out = this.child('out', new Linear(H, V, { generator: g }));
  }
  forward(ids: Tensor): Tensor {
    const x = this.emb.forward(ids); // (B, T, E)
    const { output } = this.rnn.forward(x); // (B, T, H)
    return this.out.forward(output); // (B, T, V)
  }
}

function lm(kind: 'lstm' | 'rnn'): Bench {
  manualSeed(0);
  const g = new Generator(2);
  const B = 32, T = 32, V = 4000;
  const model = new LM(kind, V, 128, 256, g);
  model.train();
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const x = new Tensor(randIds(g, B * T, V), [B, T]);
  const y = new Tensor(randIds(g, B * T, V), [B * T]);
  return {
    name: `W3-${kind}`, tokens: B * T,
    step: () => {
      opt.zeroGrad();
      const logits = model.forward(x);
      const loss = crossEntropy(logits.reshape([-1, V]), y);
      loss.backward();
      opt.step();
      return loss.item();
    },
  };
}

/** W6: nanoGPT's shakespeare_char model, the GPT chapter's training step (the task's AdamW and clipping). */
async function gpt(): Promise<Bench> {
  const { DEFAULT_GPT_RECIPE } = await import('../src/models/gpt/recipe.js');
  const { gptOfRecipe } = await import('../cli/gpt.js');
  const { randomWindows } = await import('../src/models/gpt/data.js');
  const { GptTask, gptLoss } = await import('../src/models/gpt/train.js');
  const { clipGradNorm } = await import('../src/optim/clip.js');
  manualSeed(0);
  const V = 65, B = DEFAULT_GPT_RECIPE.training.batchSize, T = DEFAULT_GPT_RECIPE.model.context;
  const data = new Generator(5);
  const ids = Int32Array.from({ length: 100_000 }, () => data.randint(V));
  const generator = new Generator(1);
  const model = gptOfRecipe(DEFAULT_GPT_RECIPE.model, V, generator);
  const task = new GptTask(model, ids, ids, DEFAULT_GPT_RECIPE.training, generator);
  const g = new Generator(6);
  model.train();
  return {
    name: 'W6-gpt', tokens: B * T,
    step: () => {
      const { x, y } = randomWindows(ids, B, T, g);
      task.optimizer.zeroGrad();
      const loss = gptLoss(model, x, y);
      loss.backward();
      clipGradNorm(model.parameters(), 1);
      task.optimizer.step();
      return loss.item();
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

for (const w of workloads) {
  const b = w === 'tiny' ? tiny() : w === 'nmt' ? nmt() : w === 'lstm' ? lm('lstm') : w === 'rnn' ? lm('rnn') : w === 'gpt' ? await gpt() : w === 'decode' ? decode() : null;
  if (!b) throw new Error(`unknown workload ${w} (tiny, nmt, lstm, rnn, gpt, decode)`);
  for (let i = 0; i < warmup; i++) b.step();
  kernelTime.clear();
  const times: number[] = [];
  const cpu: number[] = [];
  let loss = 0;
  for (let i = 0; i < steps; i++) {
    timing = true;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    loss = b.step();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    timing = false;
  }
  const mn = Math.min(...times);
  const md = median(times);
  console.log(`${b.name} [${be.name}]: min ${mn.toFixed(1)} ms, median ${md.toFixed(1)} ms/step → ${Math.round(b.tokens / (mn / 1000))} tok/s (min), ${Math.round(b.tokens / (md / 1000))} tok/s (median); loss ${loss.toFixed(4)}; CPU (all threads) min ${Math.min(...cpu).toFixed(1)}, median ${median(cpu).toFixed(1)} ms/step`);
  if (kernelTime.size) {
    const total = times.reduce((s, t) => s + t, 0);
    let inKernels = 0;
    const rows = [...kernelTime.entries()].sort((a, b2) => b2[1].ms - a[1].ms);
    for (const [, e] of rows) inKernels += e.ms;
    console.log(`  per step: ${(total / steps).toFixed(1)} ms, in kernels ${(inKernels / steps).toFixed(1)} ms, outside kernels ${((total - inKernels) / steps).toFixed(1)} ms`);
    for (const [k, e] of rows.slice(0, shapes ? 60 : 25)) {
      console.log(`  ${k.padEnd(26)} ${(e.ms / steps).toFixed(2).padStart(8)} ms/step  ${(e.calls / steps).toFixed(0).padStart(5)} calls/step  ${((100 * e.ms) / total).toFixed(1).padStart(5)}%`);
    }
  }
}
process.exit(0);
