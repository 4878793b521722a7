/**
 * W2: one Transformer training step (post-LN as the paper, sinusoidal positions, dropout 0.1, Adam
 * lr 1e-3, cross-entropy on the target tokens with the translator's label smoothing 0.1). The figure
 * is target tokens per second: B·T_tgt per step / median step time (higher is better).
 *
 *   TINY:  vocab 4000/4000, d_model 128, 4 heads, d_ff 512,  2+2 layers, batch 32, src/tgt length 16
 *   SMALL: vocab 8000/8000, d_model 256, 4 heads, d_ff 1024, 3+3 layers, batch 64, src/tgt length 20
 *
 * Data: seeded random ids in 1 … V−1 (0 is padding, so no position is padded); tgtIn and tgtOut are
 * T tokens each (one sequence of T + 1 shifted by one). A step is zeroGrad, forward, loss, backward,
 * Adam update and reading the loss back.
 *
 * llmcore: Seq2SeqTransformer + optim.Adam. TF.js: the same network from tfjs-core ops
 * (bench/peers/tfjs-transformer.ts) trained with tf.train.adam().minimize. PyTorch (where it imports):
 * nn.Transformer in bench/pytorch/w2_transformer.py. tfjs-cpu is left out of SMALL unless named.
 *
 *   npx tsx bench/w2-transformer.ts [tiny|small] [--lib llmcore|tfjs-wasm|tfjs-cpu] [--json]
 */
import { getBackend, Generator, optim, Tensor } from '../src/index.js';
import { Seq2SeqTransformer } from '../src/models/seq2seq/model.js';
import { PYTORCH_LIBS, runPython } from './peers/python.js';
import { TF_LIBS, useTf, type TfLib } from './peers/tfjs.js';
import { TfSeq2SeqTransformer } from './peers/tfjs-transformer.js';
import { time } from './timing.js';
import type { Measurement, Workload } from './workload.js';

export interface W2Size {
  id: 'W2-tiny' | 'W2-small';
  vocab: number;
  dModel: number;
  nhead: number;
  dimFeedforward: number;
  layers: number;
  batch: number;
  length: number;
}

export const TINY: W2Size = { id: 'W2-tiny', vocab: 4000, dModel: 128, nhead: 4, dimFeedforward: 512, layers: 2, batch: 32, length: 16 };
export const SMALL: W2Size = { id: 'W2-small', vocab: 8000, dModel: 256, nhead: 4, dimFeedforward: 1024, layers: 3, batch: 64, length: 20 };

export const DROPOUT = 0.1;
export const LABEL_SMOOTHING = 0.1;
const LR = 1e-3;

/** Seeded ids in 1 … vocab − 1, row-major (rows × cols). */
export function randomIds(g: Generator, rows: number, cols: number, vocab: number): Int32Array {
  return Int32Array.from({ length: rows * cols }, () => 1 + g.randint(vocab - 1));
}

/** The W2 batch: src (B, S), tgtIn (B, T), tgtOut (B, T), the same numbers for every library. */
export function makeW2Batch(s: W2Size, seed = 2): { src: Int32Array; tgtIn: Int32Array; tgtOut: Int32Array } {
  const g = new Generator(seed);
  const { batch: B, length: L, vocab: V } = s;
  const src = randomIds(g, B, L, V);
  const tgt = randomIds(g, B, L + 1, V);
  const tgtIn = new Int32Array(B * L);
  const tgtOut = new Int32Array(B * L);
  for (let b = 0; b < B; b++) {
    tgtIn.set(tgt.subarray(b * (L + 1), b * (L + 1) + L), b * L);
    tgtOut.set(tgt.subarray(b * (L + 1) + 1, (b + 1) * (L + 1)), b * L);
  }
  return { src, tgtIn, tgtOut };
}

export function llmcoreThreads(): number {
  return (getBackend() as { threads?: number }).threads ?? 1;
}

/** Budget of timed seconds per library: the pure-JS and wasm peers take seconds per step. */
function timingOptions(lib: string): { warmup: number; minRuns: number; minSeconds: number } {
  return lib === 'llmcore' ? { warmup: 2, minRuns: 5, minSeconds: 5 } : { warmup: 1, minRuns: 1, minSeconds: 20 };
}

async function stepSeconds(lib: string, s: W2Size): Promise<number> {
  const { src, tgtIn, tgtOut } = makeW2Batch(s);
  const { batch: B, length: L } = s;
  if (lib === 'llmcore') {
    const model = new Seq2SeqTransformer({
      srcVocab: s.vocab, tgtVocab: s.vocab, dModel: s.dModel, nhead: s.nhead, numEncoderLayers: s.layers, numDecoderLayers: s.layers,
      dimFeedforward: s.dimFeedforward, dropout: DROPOUT, labelSmoothing: LABEL_SMOOTHING, normFirst: false, maxLen: 64,
    }, { generator: new Generator(1) });
    model.train();
    const opt = new optim.Adam(model.parameters(), { lr: LR });
    const [srcT, inT, outT] = [new Tensor(src, [B, L]), new Tensor(tgtIn, [B, L]), new Tensor(tgtOut, [B, L])];
    return (await time(() => {
      opt.zeroGrad();
      const loss = model.loss(model.forward(srcT, inT), outT);
      loss.backward();
      opt.step();
      return loss.item();
    }, timingOptions(lib))).seconds;
  }
  const tf = await useTf(lib as TfLib);
  const model = new TfSeq2SeqTransformer({
    srcVocab: s.vocab, tgtVocab: s.vocab, dModel: s.dModel, nhead: s.nhead, numEncoderLayers: s.layers, numDecoderLayers: s.layers,
    dimFeedforward: s.dimFeedforward, dropout: DROPOUT, maxLen: 64,
  });
  const opt = tf.train.adam(LR, 0.9, 0.999, 1e-8);
  const [srcT, inT, outT] = [tf.tensor2d(src, [B, L], 'int32'), tf.tensor2d(tgtIn, [B, L], 'int32'), tf.tensor2d(tgtOut, [B, L], 'int32')];
  const seconds = (await time(() => {
    const loss = opt.minimize(() => model.loss(model.forward(srcT, inT, true), outT, LABEL_SMOOTHING), true, model.vars)!;
    const v = loss.dataSync()[0];
    loss.dispose();
    return v;
  }, timingOptions(lib))).seconds;
  opt.dispose();
  for (const v of model.vars) v.dispose();
  tf.dispose([srcT, inT, outT]);
  return seconds;
}

function w2(s: W2Size): Workload {
  return {
    id: s.id,
    unit: 'tok/s',
    higherIsBetter: true,
    libs: ['llmcore', ...TF_LIBS, ...PYTORCH_LIBS],
    // the pure-JS backend needs about 150 s per SMALL step on this machine (8.6 tok/s, measured once)
    skip: s === SMALL ? { 'tfjs-cpu': 'about 150 s per step (8.6 tok/s measured once)' } : undefined,
    async run(lib) {
      if (lib === 'pytorch') return runPython('torch', 'pytorch/w2_transformer.py', [s === SMALL ? 'small' : 'tiny']);
      const seconds = await stepSeconds(lib, s);
      return [{ workload: s.id, lib, value: (s.batch * s.length) / seconds, unit: 'tok/s', threads: lib === 'llmcore' ? llmcoreThreads() : 1 } satisfies Measurement];
    },
  };
}

export const w2Tiny = w2(TINY);
export const w2Small = w2(SMALL);

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const lib = args.includes('--lib') ? args[args.indexOf('--lib') + 1] : 'llmcore';
  const w = args.includes('small') ? w2Small : w2Tiny;
  if (!w.libs.includes(lib)) throw new Error(`${w.id}: unknown or unavailable library '${lib}' (${w.libs.join(', ')})`);
  for (const m of await w.run(lib)) console.log(args.includes('--json') ? JSON.stringify(m) : `${m.workload} ${m.lib}: ${m.value.toFixed(1)} ${m.unit} (threads ${m.threads})`);
}
