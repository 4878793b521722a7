/**
 * ONNX Runtime (onnxruntime-node, a devDependency) as a W4 peer: the very llmcore model of the
 * workload exported with `exportTranslatorOnnx` (src/io/onnx), decoded greedily by
 * `greedyTranslateOnnx` — one encoder run, then one decoder-step run per token with the KV cache as
 * inputs/outputs. Checked before timing to give llmcore's tokens for every source. The alternative
 * form, the decoder rerunning the whole prefix each step (past_len 0, no cache), is timed too and
 * reported as `nocache_ms`, so that the export's choice of graphs rests on a measurement.
 */
import * as ort from 'onnxruntime-node';
import type { Seq2SeqTransformer } from '../../src/models/seq2seq/model.js';
import { exportTranslatorOnnx, greedyTranslateOnnx, TRANSLATOR_NAMES, type OnnxRuntimeLike } from '../../src/io/onnx/index.js';
import { time } from '../timing.js';

const rt = { tensor: (type: 'int64' | 'float32', data: BigInt64Array | Float32Array, dims: readonly number[]) => new ort.Tensor(type, data, dims) } as OnnxRuntimeLike;

export interface OrtW4Result {
  /** Median ms per sentence with the KV cache, at the better thread count. */
  ms: number;
  threads: number;
  /** The same, rerunning the prefix each step (no cache). */
  nocacheMs: number;
  nocacheThreads: number;
}

/**
 * Times greedy decoding of `tgtTokens` tokens (eos never checked) for each source in turn, at 1 and
 * at `maxThreads` intra-op threads (the better one counts, as for PyTorch).
 */
export async function onnxruntimeW4(model: Seq2SeqTransformer, sources: Int32Array[], expected: number[][], o: { bos: number; tgtTokens: number; maxThreads: number; timing: { warmup: number; minRuns: number; minSeconds: number } }): Promise<OrtW4Result> {
  const { encoder, decoder } = exportTranslatorOnnx(model);
  const c = model.config;
  const shape = { layers: c.numDecoderLayers, heads: c.nhead, headDim: c.dModel / c.nhead, vocab: c.tgtVocab };
  const search = { bos: o.bos, eos: -1, maxLen: o.tgtTokens, minLen: 0 };
  const srcRows = sources.map((s) => [...s]);
  let best = { ms: Infinity, threads: 1, nocacheMs: Infinity, nocacheThreads: 1 };
  for (const threads of [...new Set([1, o.maxThreads])]) {
    const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1 };
    const s = { encoder: await ort.InferenceSession.create(encoder, options), decoder: await ort.InferenceSession.create(decoder, options) };
    for (const [i, src] of srcRows.entries()) {
      const [h] = await greedyTranslateOnnx(s, rt, shape, [src], search);
      if (h.tokens.join(' ') !== expected[i].join(' ')) throw new Error(`W4 onnxruntime: source ${i} decodes to ${h.tokens.join(' ')}, llmcore to ${expected[i].join(' ')}`);
      const u = await uncached(s, shape, src, o);
      if (u.join(' ') !== expected[i].join(' ')) throw new Error(`W4 onnxruntime (no cache): source ${i} decodes to ${u.join(' ')}, llmcore to ${expected[i].join(' ')}`);
    }
    let next = 0;
    const cached = (await time(() => greedyTranslateOnnx(s, rt, shape, [srcRows[next++ % srcRows.length]], search), o.timing)).seconds * 1000;
    next = 0;
    const nocache = (await time(() => uncached(s, shape, srcRows[next++ % srcRows.length], o), o.timing)).seconds * 1000;
    if (cached < best.ms) Object.assign(best, { ms: cached, threads });
    if (nocache < best.nocacheMs) Object.assign(best, { nocacheMs: nocache, nocacheThreads: threads });
    await s.encoder.release();
    await s.decoder.release();
  }
  return best;
}

/** Greedy decoding without the cache: every step reruns the decoder over the whole prefix (past_len 0). */
async function uncached(s: { encoder: ort.InferenceSession; decoder: ort.InferenceSession }, shape: { layers: number; heads: number; headDim: number; vocab: number }, src: number[], o: { bos: number; tgtTokens: number }): Promise<number[]> {
  const N = TRANSLATOR_NAMES;
  const enc = await s.encoder.run({ [N.srcIds]: new ort.Tensor('int64', BigInt64Array.from(src, BigInt), [1, src.length]) });
  const feeds: Record<string, ort.Tensor> = { [N.memoryMask]: enc[N.memoryMask] };
  const empty = new ort.Tensor('float32', new Float32Array(0), [1, shape.heads, 0, shape.headDim]);
  for (let i = 0; i < shape.layers; i++) Object.assign(feeds, { [N.crossKey(i)]: enc[N.crossKey(i)], [N.crossValue(i)]: enc[N.crossValue(i)], [N.pastKey(i)]: empty, [N.pastValue(i)]: empty });
  const prefix = [o.bos];
  for (let t = 0; t < o.tgtTokens; t++) {
    const out = await s.decoder.run({ ...feeds, [N.tokens]: new ort.Tensor('int64', BigInt64Array.from(prefix, BigInt), [1, prefix.length]) });
    const logits = out[N.logits].data as Float32Array;
    const V = shape.vocab;
    const from = (prefix.length - 1) * V;
    let arg = 0;
    for (let v = 1; v < V; v++) if (logits[from + v] > logits[from + arg]) arg = v;
    prefix.push(arg);
  }
  return prefix.slice(1);
}

/**
 * The choice of graphs, measured: `npx tsx bench/peers/onnxruntime.ts [--tokens 12,48]` decodes W4's
 * sources with the KV-cache decoder step and with the uncached prefix rerun, interleaved (so that a
 * shared machine's load falls on both alike), and prints the medians per target length.
 */
async function compareForms(lengths: number[]): Promise<void> {
  const { Generator, Tensor } = await import('../../src/index.js');
  const { Seq2SeqTransformer } = await import('../../src/models/seq2seq/model.js');
  const { makeW4Sources, W4, W4_CONFIG } = await import('../w4-decode.js');
  const { loadavg } = await import('node:os');
  const model = new Seq2SeqTransformer(W4_CONFIG, { generator: new Generator(1) }).eval();
  const { encoder, decoder } = exportTranslatorOnnx(model);
  const options = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  const s = { encoder: await ort.InferenceSession.create(encoder, options), decoder: await ort.InferenceSession.create(decoder, options) };
  const c = model.config;
  const shape = { layers: c.numDecoderLayers, heads: c.nhead, headDim: c.dModel / c.nhead, vocab: c.tgtVocab };
  const sources = makeW4Sources().map((x) => [...x]);
  const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ONNX Runtime 1 thread; llmcore ${(await import('../w2-transformer.js')).llmcoreThreads()} threads`);
  for (const n of lengths) {
    const o = { bos: W4.bos, tgtTokens: n };
    const search = { bos: W4.bos, eos: -1, maxLen: n, minLen: 0 };
    const ms: Record<'llmcore' | 'cache' | 'nocache', number[]> = { llmcore: [], cache: [], nocache: [] };
    for (let i = 0; i < 43; i++) {
      const src = sources[i % sources.length];
      const t0 = performance.now();
      const want = model.greedyDecode(new Tensor(Int32Array.from(src), [1, src.length]), { bos: W4.bos, eos: -1, maxLen: n })[0];
      const t1 = performance.now();
      const [h] = await greedyTranslateOnnx(s, rt, shape, [src], search);
      const t2 = performance.now();
      const u = await uncached(s, shape, src, o);
      const t3 = performance.now();
      if (h.tokens.join() !== want.join() || u.join() !== want.join()) throw new Error(`source ${i % sources.length}: ONNX Runtime's tokens differ from llmcore's`);
      if (i >= 3) (ms.llmcore.push(t1 - t0), ms.cache.push(t2 - t1), ms.nocache.push(t3 - t2));
    }
    console.log(`${n} tokens: median ms/sentence llmcore ${median(ms.llmcore).toFixed(2)}, ONNX Runtime with the KV cache ${median(ms.cache).toFixed(2)}, rerunning the prefix ${median(ms.nocache).toFixed(2)} (40 interleaved runs)`);
  }
  console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const lengths = args.includes('--tokens') ? args[args.indexOf('--tokens') + 1].split(',').map(Number) : [12, 48];
  await compareForms(lengths);
}
