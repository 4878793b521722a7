/**
 * The translation Transformer as a `StepModel`: the source is encoded once; every step feeds only the
 * new token of each row through the decoder, reusing earlier keys and values from a KV cache (so a new
 * word costs one decoder step, not the whole prefix again), and returns log-softmax of the logits.
 * `reorder` reorders the cache, the encoder memory and the source mask along with the search's rows.
 */
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import { indexSelect } from '../ops/index-ops.js';
import { KVCache } from '../nn/attention.js';
import type { AttentionRecord } from '../nn/transformer.js';
import type { Encoded, Seq2SeqTransformer } from '../models/seq2seq/model.js';
import type { StepModel, StepOutput } from './search.js';

/** Which decoder layers' encoder-decoder attention to report: the last one's, or the mean over all. */
export type AttentionLayers = 'last' | 'all';

export interface Seq2SeqStepOptions {
  /** Use the KV cache (default true); false reruns the decoder over each whole prefix (for tests). */
  useCache?: boolean;
  /** Report encoder-decoder attention per step, heads averaged (default: none). */
  attention?: AttentionLayers | false;
}

/**
 * @example
 * const stepper = new Seq2SeqStepModel(model, src); // src (B, S) int32, padded with 0
 * const hyps = beamSearch(stepper, B, { bos: 1, eos: 2, maxLen: 40, beam: 4 });
 */
export class Seq2SeqStepModel implements StepModel {
  readonly vocabSize: number;
  private enc: Encoded;
  private readonly cache = new KVCache();
  private readonly useCache: boolean;
  private readonly attention: AttentionLayers | false;
  /** Which source sentence (row of `src`) each current row decodes. */
  private rowSource: number[];

  constructor(private readonly model: Seq2SeqTransformer, src: Tensor, options: Seq2SeqStepOptions = {}) {
    if (src.ndim !== 2 || src.dtype !== 'int32') throw new Error(`Seq2SeqStepModel: src should be (B, S) int32 token ids, got ${src.dtype} (${src.shape.join(', ')})`);
    this.vocabSize = model.config.tgtVocab;
    this.useCache = options.useCache ?? true;
    this.attention = options.attention ?? false;
    this.enc = noGrad(() => model.encode(src)); // memory (B, S, C), srcPadMask (B, S)
    this.rowSource = Array.from({ length: src.shape[0] }, (_, i) => i);
  }

  /** The source sentence each current row decodes. */
  get sources(): readonly number[] {
    return this.rowSource;
  }

  step(prefixes: readonly (readonly number[])[]): StepOutput {
    const N = prefixes.length;
    if (N !== this.rowSource.length) throw new Error(`Seq2SeqStepModel: ${N} prefixes for ${this.rowSource.length} rows`);
    const T = prefixes[0]?.length ?? 0;
    if (T === 0 || prefixes.some((p) => p.length !== T)) throw new Error('Seq2SeqStepModel: prefixes must be non-empty and of one length');
    const maxLen = this.model.config.maxLen;
    if (T > maxLen) throw new Error(`Seq2SeqStepModel: a prefix of ${T} tokens exceeds the model's ${maxLen} positions`);
    return noGrad(() => {
      const record: AttentionRecord | undefined = this.attention ? { self: [], cross: [] } : undefined;
      let logits: Tensor; // (N, T', V)
      if (this.useCache) {
        const past = this.cache.position;
        if (past >= T) throw new Error(`Seq2SeqStepModel: the cache already holds ${past} positions, the prefixes have ${T}`);
        logits = this.model.decodeStep(idsTensor(prefixes, past, T), this.enc, this.cache, record);
      } else {
        logits = this.model.decode(idsTensor(prefixes, 0, T), this.enc, record);
      }
      const V = this.vocabSize;
      const last = logits.slice(1, logits.shape[1] - 1).reshape([N, V]); // (N, V)
      const logProbs = Float32Array.from(last.logSoftmax(-1).contiguousData());
      const out: StepOutput = { logProbs };
      if (record) out.attention = crossAttention(record, this.attention as AttentionLayers, N);
      return out;
    });
  }

  reorder(index: readonly number[]): void {
    const idx = [...index];
    for (const i of idx) if (!(i >= 0 && i < this.rowSource.length)) throw new Error(`Seq2SeqStepModel.reorder: row ${i} out of range [0, ${this.rowSource.length})`);
    noGrad(() => {
      this.cache.reorder(idx);
      this.enc = { memory: indexSelect(this.enc.memory, 0, idx), srcPadMask: selectRows(this.enc.srcPadMask, idx) };
    });
    this.rowSource = idx.map((i) => this.rowSource[i]);
  }
}

/** Rows `index` of a (B, S) int32 tensor (indexSelect takes float tensors only). */
function selectRows(t: Tensor, index: readonly number[]): Tensor {
  const S = t.shape[1];
  const src = t.contiguousData();
  const out = new Int32Array(index.length * S);
  index.forEach((i, r) => out.set(src.subarray(i * S, (i + 1) * S), r * S));
  return new Tensor(out, [index.length, S]);
}

/** Columns [from, to) of the prefixes as (N, to − from) int32 ids. */
function idsTensor(prefixes: readonly (readonly number[])[], from: number, to: number): Tensor {
  const N = prefixes.length;
  const T = to - from;
  const data = new Int32Array(N * T);
  for (let r = 0; r < N; r++) for (let t = 0; t < T; t++) data[r * T + t] = prefixes[r][from + t];
  return new Tensor(data, [N, T]);
}

/** Per row, the last position's encoder-decoder attention (S values), from one layer or averaged over all. */
function crossAttention(record: AttentionRecord, layers: AttentionLayers, N: number): Float32Array[] {
  const used = layers === 'last' ? record.cross.slice(-1) : record.cross;
  if (used.length === 0) return Array.from({ length: N }, () => new Float32Array(0));
  const S = used[0].shape[2];
  const rows = Array.from({ length: N }, () => new Float32Array(S));
  for (const w of used) {
    // (N, T', S), heads already averaged: the last query position
    const t = w.shape[1] - 1;
    const data = w.slice(1, t, t + 1).contiguousData();
    for (let r = 0; r < N; r++) for (let s = 0; s < S; s++) rows[r][s] += data[r * S + s] / used.length;
  }
  return rows;
}
