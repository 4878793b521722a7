/**
 * W4: greedy decoding with the W2-TINY Transformer (vocab 4000/4000, d_model 128, 4 heads, d_ff 512,
 * 2+2 layers), batch 1, source length 10, exactly 12 target tokens (eos is never checked, so every
 * sentence costs the same): milliseconds per sentence (lower is better). Each sentence is one encoder
 * pass and 12 decoder steps, each step's argmax read back to feed the next.
 *
 * llmcore: model.greedyDecode (encode, then decodeStep with the KV cache: one new position per step,
 * cross-attention keys/values computed once). TF.js: the same model from tfjs-core ops
 * (bench/peers/tfjs-transformer.ts) with the same kind of KV cache. Eval mode (no dropout), no grad.
 * Random untrained weights and seeded random sources (8 sentences, used in turn). PyTorch (where it
 * imports, bench/pytorch/w4_decode.py): nn.Transformer 1.13 has no KV cache, so the peer decodes with a
 * hand-written cached decoder over the same nn.Transformer weights — the same algorithm as ours —
 * checked before timing to give nn.Transformer's own tokens; the uncached time is its `nocache_ms`.
 * ONNX Runtime (onnxruntime-node, bench/peers/onnxruntime.ts): this very llmcore model exported with
 * `llmcore export onnx`'s graphs (an encoder, and a decoder step with the KV cache as inputs/outputs),
 * checked to give llmcore's tokens; its `nocache_ms` is the decoder graph rerunning the prefix each step.
 *
 *   npx tsx bench/w4-decode.ts [--lib llmcore|tfjs-wasm|tfjs-cpu|onnxruntime] [--json]
 */
import { Generator, Tensor } from '../src/index.js';
import { Seq2SeqTransformer } from '../src/models/seq2seq/model.js';
import { PYTORCH_LIBS, runPython } from './peers/python.js';
import { TF_LIBS, useTf, type TfLib } from './peers/tfjs.js';
import { TfSeq2SeqTransformer, type TfKvCache } from './peers/tfjs-transformer.js';
import { time } from './timing.js';
import { llmcoreThreads, randomIds, TINY } from './w2-transformer.js';
import type { Measurement, Workload } from './workload.js';

export const W4 = { srcLength: 10, tgtTokens: 12, sentences: 8, bos: 1 };

export function makeW4Sources(seed = 4): Int32Array[] {
  const g = new Generator(seed);
  return Array.from({ length: W4.sentences }, () => randomIds(g, 1, W4.srcLength, TINY.vocab));
}

/** The W2-TINY translator W4 decodes with (maxLen 64: up to 63 target tokens). */
export const W4_CONFIG = {
  srcVocab: TINY.vocab, tgtVocab: TINY.vocab, dModel: TINY.dModel, nhead: TINY.nhead, numEncoderLayers: TINY.layers,
  numDecoderLayers: TINY.layers, dimFeedforward: TINY.dimFeedforward, dropout: 0.1, maxLen: 64,
};

async function sentenceSeconds(lib: string): Promise<number> {
  const sources = makeW4Sources();
  let next = 0;
  const opts = { warmup: 3, minRuns: 10, minSeconds: 5 };
  if (lib === 'llmcore') {
    const model = new Seq2SeqTransformer(W4_CONFIG, { generator: new Generator(1) }).eval();
    const srcs = sources.map((s) => new Tensor(s, [1, W4.srcLength]));
    return (await time(() => {
      const out = model.greedyDecode(srcs[next++ % srcs.length], { bos: W4.bos, eos: -1, maxLen: W4.tgtTokens });
      if (out[0].length !== W4.tgtTokens) throw new Error(`W4: decoded ${out[0].length} tokens, expected ${W4.tgtTokens}`);
      return out;
    }, opts)).seconds;
  }
  const tf = await useTf(lib as TfLib);
  const model = new TfSeq2SeqTransformer(W4_CONFIG);
  const srcs = sources.map((s) => tf.tensor2d(s, [1, W4.srcLength], 'int32'));
  const seconds = (await time(() => tf.tidy(() => {
    const enc = model.encode(srcs[next++ % srcs.length], false);
    const cache: TfKvCache = { self: [], cross: [], position: 0 };
    const out: number[] = [];
    let token = W4.bos;
    for (let t = 0; t < W4.tgtTokens; t++) {
      const logits = model.decodeStep(tf.tensor2d([token], [1, 1], 'int32'), enc, cache); // (1, V)
      token = tf.argMax(logits, 1).dataSync()[0];
      out.push(token);
    }
    return out;
  }), opts)).seconds;
  tf.dispose([...model.vars, ...srcs]);
  return seconds;
}

/** ONNX Runtime on the same model (a devDependency: a clear error where it is not installed). */
async function onnxruntimeMeasurement(): Promise<Measurement> {
  let peer: typeof import('./peers/onnxruntime.js');
  try {
    peer = await import('./peers/onnxruntime.js');
  } catch (e) {
    throw new Error(`W4 onnxruntime: onnxruntime-node does not load (${(e as Error).message.split('\n')[0]}); npm install brings it (a devDependency)`);
  }
  const model = new Seq2SeqTransformer(W4_CONFIG, { generator: new Generator(1) }).eval();
  const sources = makeW4Sources();
  const expected = sources.map((s) => model.greedyDecode(new Tensor(s, [1, W4.srcLength]), { bos: W4.bos, eos: -1, maxLen: W4.tgtTokens })[0]);
  const r = await peer.onnxruntimeW4(model, sources, expected, {
    bos: W4.bos, tgtTokens: W4.tgtTokens, maxThreads: Math.max(1, llmcoreThreads()), timing: { warmup: 3, minRuns: 10, minSeconds: 5 },
  });
  process.stderr.write(`W4 onnxruntime: ${r.ms.toFixed(2)} ms/sentence with the KV cache (${r.threads} thread${r.threads > 1 ? 's' : ''}), ${r.nocacheMs.toFixed(2)} rerunning the prefix (${r.nocacheThreads})\n`);
  const m = { workload: 'W4', lib: 'onnxruntime', value: r.ms, unit: 'ms/sentence', threads: r.threads, nocache_ms: Number(r.nocacheMs.toFixed(3)), nocache_threads: r.nocacheThreads };
  return m as Measurement;
}

export const w4: Workload = {
  id: 'W4',
  unit: 'ms/sentence',
  higherIsBetter: false,
  libs: ['llmcore', ...TF_LIBS, ...PYTORCH_LIBS, 'onnxruntime'],
  notes: [
    'W4: every library decodes with a KV cache; PyTorch\'s is a hand-written cached decoder over nn.Transformer\'s weights (1.13 has none), checked to give nn.Transformer\'s tokens; its JSON line\'s nocache_ms is nn.Transformer rerunning the prefix each step',
    'W4: onnxruntime runs the same llmcore model exported to ONNX (src/io/onnx: encoder + decoder step with the KV cache in/out), checked to give llmcore\'s tokens; its JSON line\'s nocache_ms is the decoder graph rerunning the prefix each step',
  ],
  async run(lib) {
    if (lib === 'pytorch') return runPython('torch', 'pytorch/w4_decode.py');
    if (lib === 'onnxruntime') return [await onnxruntimeMeasurement()];
    const seconds = await sentenceSeconds(lib);
    return [{ workload: 'W4', lib, value: seconds * 1000, unit: 'ms/sentence', threads: lib === 'llmcore' ? llmcoreThreads() : 1 } satisfies Measurement];
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const lib = args.includes('--lib') ? args[args.indexOf('--lib') + 1] : 'llmcore';
  for (const m of await w4.run(lib)) console.log(args.includes('--json') ? JSON.stringify(m) : `${m.workload} ${m.lib}: ${m.value.toFixed(2)} ${m.unit} (threads ${m.threads})`);
}
