/**
 * Parity of the hand-written TF.js peers with llmcore: the same weights give the same logits and loss
 * (eval mode, so without dropout), which shows the peers compute the workloads' networks.
 *
 *   npx tsx bench/check-peers.ts [--lib tfjs-wasm|tfjs-cpu]
 */
import { crossEntropy, Generator, noGrad, Tensor } from '../src/index.js';
import { Seq2SeqTransformer } from '../src/models/seq2seq/model.js';
import { useTf, type TfLib } from './peers/tfjs.js';
import { TfSeq2SeqTransformer } from './peers/tfjs-transformer.js';
import { TfRecurrentLM } from './peers/tfjs-recurrent.js';
import { LABEL_SMOOTHING, makeW2Batch, TINY } from './w2-transformer.js';
import { LlmcoreLM, makeW3Batch, W3 } from './w3-lm.js';

const args = process.argv.slice(2);
const lib = (args.includes('--lib') ? args[args.indexOf('--lib') + 1] : 'tfjs-wasm') as TfLib;
const tf = await useTf(lib);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`sizes differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function stateOf(sd: Record<string, Tensor>): Record<string, { data: ArrayLike<number>; shape: readonly number[] }> {
  return Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, { data: t.contiguousData(), shape: t.shape }]));
}

// W2/W4: the Transformer
{
  const s = TINY;
  const { src, tgtIn, tgtOut } = makeW2Batch(s);
  const { batch: B, length: L } = s;
  src.fill(0, 5, 8); // a few padded source and target positions, so the masks are checked too
  tgtIn.fill(0, L - 3, L);
  const ours = new Seq2SeqTransformer({ srcVocab: s.vocab, tgtVocab: s.vocab, dModel: s.dModel, nhead: s.nhead, numEncoderLayers: s.layers, numDecoderLayers: s.layers, dimFeedforward: s.dimFeedforward, labelSmoothing: LABEL_SMOOTHING, maxLen: 64 }, { generator: new Generator(1) }).eval();
  const peer = new TfSeq2SeqTransformer({ srcVocab: s.vocab, tgtVocab: s.vocab, dModel: s.dModel, nhead: s.nhead, numEncoderLayers: s.layers, numDecoderLayers: s.layers, dimFeedforward: s.dimFeedforward, dropout: 0.1, maxLen: 64 });
  peer.loadStateDict(stateOf(ours.stateDict()));
  const [logits, loss] = noGrad(() => {
    const l = ours.forward(new Tensor(src, [B, L]), new Tensor(tgtIn, [B, L]));
    return [l.contiguousData(), ours.loss(l, new Tensor(tgtOut.map((v, i) => (i % L >= L - 3 && i < L ? 0 : v)), [B, L])).item()] as const;
  });
  const [srcT, inT] = [tf.tensor2d(src, [B, L], 'int32'), tf.tensor2d(tgtIn, [B, L], 'int32')];
  const tl = peer.forward(srcT, inT, false);
  // llmcore ignores padded targets (id 0); rows 13..15 of the first sentence are ignored there, so weight them 0 here
  const weights = tf.tensor1d(Float32Array.from({ length: B * L }, (_, i) => (i >= L - 3 && i < L ? 0 : 1)));
  const tloss = tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(tgtOut.map((v, i) => (i >= L - 3 && i < L ? 1 : v)), 'int32'), s.vocab), tl, weights, LABEL_SMOOTHING);
  console.log(`W2 transformer (${lib}): max |Δlogit| ${maxAbsDiff(logits, tl.dataSync()).toExponential(2)}, loss ${loss.toFixed(6)} vs ${tloss.dataSync()[0].toFixed(6)}`);
  // W4: incremental decoding with the cache gives the teacher-forced logits of each position
  const enc = peer.encode(tf.slice(srcT, [0, 0], [1, L]), false);
  const cache = { self: [], cross: [], position: 0 };
  let worst = 0;
  const full = tf.slice(tl, [0, 0], [L - 3, s.vocab]).dataSync();
  for (let t = 0; t < L - 3; t++) {
    const step = peer.decodeStep(tf.tensor2d([tgtIn[t]], [1, 1], 'int32'), enc, cache).dataSync();
    worst = Math.max(worst, maxAbsDiff(step, full.subarray(t * s.vocab, (t + 1) * s.vocab)));
  }
  console.log(`W4 cached decode (${lib}): max |Δlogit| vs teacher forcing ${worst.toExponential(2)}`);
}

// W3: the recurrent language models
for (const kind of ['lstm', 'rnn'] as const) {
  const { x, y } = makeW3Batch();
  const { batch: B, length: T } = W3;
  const ours = new LlmcoreLM(kind);
  const peer = new TfRecurrentLM(kind, W3.vocab, W3.embed, W3.hidden);
  peer.loadStateDict(stateOf(ours.stateDict()));
  const [logits, loss] = noGrad(() => {
    const l = ours.forward(new Tensor(x, [B, T]));
    return [l.contiguousData(), crossEntropy(l, new Tensor(y, [B * T])).item()] as const;
  });
  const tl = peer.forward(tf.tensor2d(x, [B, T], 'int32'));
  const tloss = peer.loss(tl, tf.tensor2d(y, [B, T], 'int32')).dataSync()[0];
  console.log(`W3 ${kind} (${lib}): max |Δlogit| ${maxAbsDiff(logits, tl.dataSync()).toExponential(2)}, loss ${loss.toFixed(6)} vs ${tloss.toFixed(6)}`);
}
