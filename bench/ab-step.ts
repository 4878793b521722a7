/**
 * Before/after on a shared machine: runs the same training step from two checkouts in ONE process,
 * alternating A B A B …, so both see the same load; prints the median of each and of the paired
 * ratios B/A, with the load average at the start and end.
 *
 *   git worktree add /tmp/base HEAD~1 && ln -s "$PWD/node_modules" /tmp/base/node_modules
 *   LLMCORE_THREADS=1 npx tsx bench/ab-step.ts /tmp/base . tiny [--steps 30]     (tiny | nmt | lstm | rnn | decode)
 * (decode: W4's greedy decoding of 8 sentences per step; its 'loss' is the sum of the tokens decoded)
 * Each checkout loads its own modules (its own backend and kernels); the models start from the same
 * seed, so the losses printed must agree when a change keeps results identical.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const [dirA, dirB, which = 'tiny'] = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1] === '--steps'));
if (!dirA || !dirB) {
  console.error('usage: npx tsx bench/ab-step.ts DIR_A DIR_B [tiny|nmt|lstm|rnn|decode] [--steps N]');
  process.exit(2);
}
const steps = Number(opt('--steps', '30'));
const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

type Step = () => number;

async function workload(dir: string): Promise<{ step: Step; tokens: number }> {
  const imp = (p: string): Promise<Record<string, any>> => import(pathToFileURL(resolve(dir, p)).href);
  const { Tensor } = await imp('src/tensor/tensor.ts');
  const { Generator, manualSeed } = await imp('src/util/random.ts');
  const { Adam } = await imp('src/optim/adam.ts');
  manualSeed(0);
  const ids = (g: InstanceType<typeof Generator>, n: number, vocab: number): Int32Array => {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = 1 + g.randint(vocab - 1);
    return a;
  };
  if (which === 'decode') {
    // W4 (bench/w4-decode.ts): greedy decoding of 8 sources, 12 tokens each, with the KV cache
    const { Seq2SeqTransformer } = await imp('src/models/seq2seq/model.ts');
    const g = new Generator(1);
    const config = { srcVocab: 4000, tgtVocab: 4000, dModel: 128, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 512, dropout: 0.1, maxLen: 64 };
    const model = new Seq2SeqTransformer(config, { generator: g }).eval();
    const sources = Array.from({ length: 8 }, () => new Tensor(ids(g, 10, 4000), [1, 10]));
    return {
      tokens: 8 * 12,
      step: () => {
        let sum = 0;
        for (const src of sources) for (const t of model.greedyDecode(src, { bos: 1, eos: -1, maxLen: 12 })[0]) sum += t;
        return sum;
      },
    };
  }
  if (which === 'tiny' || which === 'nmt') {
    const { Seq2SeqTransformer } = await imp('src/models/seq2seq/model.ts');
    // the shapes of bench/profile-step.ts
    const [B, S, T, seed, config] = which === 'tiny'
      ? [32, 16, 16, 1, { srcVocab: 4000, tgtVocab: 4000, dModel: 128, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 512, dropout: 0.1 }]
      : [200, 10, 10, 3, { srcVocab: 2874, tgtVocab: 3850, dModel: 256, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 1024, dropout: 0.1, tieOutput: true }];
    const g = new Generator(seed);
    const model = new Seq2SeqTransformer(config, { generator: g });
    model.train();
    const o = new Adam(model.parameters(), { lr: 1e-4 });
    const src = new Tensor(ids(g, B * S, config.srcVocab), [B, S]);
    const tin = new Tensor(ids(g, B * T, config.tgtVocab), [B, T]);
    const tout = new Tensor(ids(g, B * T, config.tgtVocab), [B, T]);
    return { tokens: B * T, step: () => { o.zeroGrad(); const loss = model.loss(model.forward(src, tin), tout); loss.backward(); o.step(); return loss.item(); } };
  }
  const { Embedding, Linear } = await imp('src/nn/layers.ts');
  const { LSTM } = await imp('src/nn/lstm.ts');
  const { RNN } = await imp('src/nn/rnn.ts');
  const { crossEntropy } = await imp('src/ops/nn.ts');
  const g = new Generator(2);
  const B = 32, T = 32, V = 4000;
  const emb = new Embedding(V, 128, { generator: g });
  const rnn = which === 'lstm' ? new LSTM(128, 256, { batchFirst: true, generator: g }) : new RNN(128, 256, { batchFirst: true, generator: g });
  const out = new Linear(256, V, { generator: g });
  const o = new Adam([...emb.parameters(), ...rnn.parameters(), ...out.parameters()], { lr: 1e-3 });
  const x = new Tensor(ids(g, B * T, V), [B, T]);
  const y = new Tensor(ids(g, B * T, V), [B * T]);
  return {
    tokens: B * T,
    step: () => {
      o.zeroGrad();
      const logits = out.forward(rnn.forward(emb.forward(x)).output);
      const loss = crossEntropy(logits.reshape([-1, V]), y);
      loss.backward();
      o.step();
      return loss.item();
    },
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const startLoad = loadavg();
const A = await workload(dirA);
const B = await workload(dirB);
for (let i = 0; i < 3; i++) { A.step(); B.step(); }
const ta: number[] = [], tb: number[] = [], ratio: number[] = [];
let la = 0, lb = 0;
for (let i = 0; i < steps; i++) {
  // alternate which goes first, so neither always runs right after the other's garbage
  const first = i % 2 === 0 ? A : B;
  const second = first === A ? B : A;
  let t0 = performance.now();
  const l1 = first.step();
  const d1 = performance.now() - t0;
  t0 = performance.now();
  const l2 = second.step();
  const d2 = performance.now() - t0;
  const [da, db] = first === A ? [d1, d2] : [d2, d1];
  [la, lb] = first === A ? [l1, l2] : [l2, l1];
  ta.push(da);
  tb.push(db);
  ratio.push(da / db);
}
console.log(`${which}: A ${dirA} median ${median(ta).toFixed(1)} ms/step, B ${dirB} median ${median(tb).toFixed(1)} ms/step; `
  + `speed-up B over A: median of paired ratios ${median(ratio).toFixed(3)}x (${steps} pairs); last losses A ${la.toFixed(4)} B ${lb.toFixed(4)}; `
  + `load average ${startLoad} at start, ${loadavg()} at end`);
process.exit(0);
