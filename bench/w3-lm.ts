/**
 * W3: language-model training, one step: vocab 4000, embedding 128, hidden 256, one layer, sequence
 * 32, batch 32, Adam lr 1e-3, cross-entropy of the next token at every position. W3-lstm uses an LSTM,
 * W3-rnn a plain tanh RNN. The figure is tokens per second: B·T per step / median step time.
 *
 * Data: seeded random ids, one (B, T + 1) block: inputs are the first T ids of each row, targets the
 * next T. A step is zeroGrad, forward, loss, backward, Adam update and reading the loss back.
 *
 * llmcore: nn.Embedding + nn.LSTM / nn.RNN (batchFirst) + nn.Linear + crossEntropy, optim.Adam.
 * TF.js: the same network from tfjs-core ops (bench/peers/tfjs-recurrent.ts), tf.train.adam().minimize.
 * PyTorch (where it imports): nn.LSTM / nn.RNN in bench/pytorch/w3_lm.py.
 *
 *   npx tsx bench/w3-lm.ts [lstm|rnn] [--lib llmcore|tfjs-wasm|tfjs-cpu] [--json]
 */
import { crossEntropy, Generator, nn, optim, Tensor } from '../src/index.js';
import { PYTORCH_LIBS, runPython } from './peers/python.js';
import { TF_LIBS, useTf, type TfLib } from './peers/tfjs.js';
import { TfRecurrentLM, type RecurrentKind } from './peers/tfjs-recurrent.js';
import { time } from './timing.js';
import { llmcoreThreads } from './w2-transformer.js';
import type { Measurement, Workload } from './workload.js';

export const W3 = { vocab: 4000, embed: 128, hidden: 256, batch: 32, length: 32 };
const LR = 1e-3;

/** The W3 batch: inputs and targets (B, T), the same numbers for every library. */
export function makeW3Batch(seed = 3): { x: Int32Array; y: Int32Array } {
  const g = new Generator(seed);
  const { batch: B, length: T, vocab: V } = W3;
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const row = Int32Array.from({ length: T + 1 }, () => g.randint(V));
    x.set(row.subarray(0, T), b * T);
    y.set(row.subarray(1), b * T);
  }
  return { x, y };
}

/** llmcore's W3 model, children named as the PyTorch script's (emb, rnn, out). */
export class LlmcoreLM extends nn.Module {
  readonly emb: nn.Embedding;
  readonly rnn: nn.LSTM | nn.RNN;
  readonly out: nn.Linear;

  constructor(kind: RecurrentKind, generator = new Generator(1)) {
    super();
    const { vocab, embed, hidden } = W3;
    this.emb = this.child('emb', new nn.Embedding(vocab, embed, { generator }));
    this.rnn = this.child('rnn', kind === 'lstm' ? new nn.LSTM(embed, hidden, { batchFirst: true, generator }) : new nn.RNN(embed, hidden, { batchFirst: true, generator }));
    this.out = this.child('out', new nn.Linear(hidden, vocab, { generator }));
  }

  /** x (B, T) → logits (B·T, V). */
  forward(x: Tensor): Tensor {
    const { output } = this.rnn.forward(this.emb.forward(x)); // (B, T, H)
    return this.out.forward(output).reshape([-1, W3.vocab]);
  }
}

function timingOptions(lib: string): { warmup: number; minRuns: number; minSeconds: number } {
  return lib === 'llmcore' ? { warmup: 2, minRuns: 5, minSeconds: 5 } : { warmup: 1, minRuns: 1, minSeconds: 20 };
}

async function stepSeconds(lib: string, kind: RecurrentKind): Promise<number> {
  const { x, y } = makeW3Batch();
  const { batch: B, length: T } = W3;
  if (lib === 'llmcore') {
    const model = new LlmcoreLM(kind);
    const opt = new optim.Adam(model.parameters(), { lr: LR });
    const [xT, yT] = [new Tensor(x, [B, T]), new Tensor(y, [B * T])];
    return (await time(() => {
      opt.zeroGrad();
      const loss = crossEntropy(model.forward(xT), yT);
      loss.backward();
      opt.step();
      return loss.item();
    }, timingOptions(lib))).seconds;
  }
  const tf = await useTf(lib as TfLib);
  const model = new TfRecurrentLM(kind, W3.vocab, W3.embed, W3.hidden);
  const opt = tf.train.adam(LR, 0.9, 0.999, 1e-8);
  const [xT, yT] = [tf.tensor2d(x, [B, T], 'int32'), tf.tensor2d(y, [B, T], 'int32')];
  const seconds = (await time(() => {
    const loss = opt.minimize(() => model.loss(model.forward(xT), yT), true, model.vars)!;
    const v = loss.dataSync()[0];
    loss.dispose();
    return v;
  }, timingOptions(lib))).seconds;
  opt.dispose();
  tf.dispose([...model.vars, xT, yT]);
  return seconds;
}

function w3(kind: RecurrentKind): Workload {
  const id = kind === 'lstm' ? 'W3-lstm' : 'W3-rnn';
  return {
    id,
    unit: 'tok/s',
    higherIsBetter: true,
    libs: ['llmcore', ...TF_LIBS, ...PYTORCH_LIBS],
    async run(lib) {
      if (lib === 'pytorch') return runPython('torch', 'pytorch/w3_lm.py', [kind]);
      const seconds = await stepSeconds(lib, kind);
      return [{ workload: id, lib, value: (W3.batch * W3.length) / seconds, unit: 'tok/s', threads: lib === 'llmcore' ? llmcoreThreads() : 1 } satisfies Measurement];
    },
  };
}

export const w3Lstm = w3('lstm');
export const w3Rnn = w3('rnn');

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const lib = args.includes('--lib') ? args[args.indexOf('--lib') + 1] : 'llmcore';
  const w = args.includes('rnn') ? w3Rnn : w3Lstm;
  for (const m of await w.run(lib)) console.log(args.includes('--json') ? JSON.stringify(m) : `${m.workload} ${m.lib}: ${m.value.toFixed(1)} ${m.unit} (threads ${m.threads})`);
}
