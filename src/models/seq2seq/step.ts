/**
 * The translation Transformer as a search's `StepModel` (src/decode/search.ts): the source is encoded
 * once; every step feeds only the new token of each row through the decoder, reusing earlier keys and
 * values from a KV cache (so a new word costs one decoder step, not the whole prefix again), and
 * returns log-softmax of the logits. `reorder` reorders the cache, the encoder memory and the source
 * mask along with the search's rows.
 *
 * How far the rows have got is kept in one place: the cache's `position` (without the cache, for
 * tests, the length of the tokens each row has read).
 */
import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { indexSelect } from '../../ops/index-ops.js';
import { KVCache } from '../../nn/attention.js';
import type { AttentionRecord } from '../../nn/transformer.js';
import type { StepModel, StepOutput } from '../../decode/search.js';
import type { Encoded, Seq2SeqTransformer } from './model.js';

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
  private readonly cache: KVCache | null;
  /** Without the cache: every token each row has read, bos first. */
  private read: number[][] | null;
  private readonly attention: AttentionLayers | false;
  /** Which source sentence (row of `src`) each current row decodes. */
  private rowSource: number[];

  constructor(private readonly model: Seq2SeqTransformer, src: Tensor, options: Seq2SeqStepOptions = {}) {
    if (src.ndim !== 2 || src.dtype !== 'int32') throw new Error(`Seq2SeqStepModel: src should be (B, S) int32 token ids, got ${src.dtype} (${src.shape.join(', ')})`);
    this.vocabSize = model.config.tgtVocab;
    const useCache = options.useCache ?? true;
    this.cache = useCache ? new KVCache() : null;
    this.attention = options.attention ?? false;
    this.enc = noGrad(() => model.encode(src)); // memory (B, S, C), srcPadMask (B, S)
    this.rowSource = Array.from({ length: src.shape[0] }, (_, i) => i);
    this.read = useCache ? null : this.rowSource.map(() => []);
  }

  /** The source sentence each current row decodes. */
  get sources(): readonly number[] {
    return this.rowSource;
  }

  /** Tokens each row has read so far (the position of the next one). */
  get position(): number {
    return this.cache ? this.cache.position : this.read![0]?.length ?? 0;
  }

  step(tokens: readonly number[]): StepOutput {
    const N = tokens.length;
    if (N !== this.rowSource.length) throw new Error(`Seq2SeqStepModel: ${N} tokens for ${this.rowSource.length} rows`);
    const maxLen = this.model.config.maxLen;
    if (this.position >= maxLen) throw new Error(`Seq2SeqStepModel: token ${this.position + 1} exceeds the model's ${maxLen} positions`);
    return noGrad(() => {
      const record: AttentionRecord | undefined = this.attention ? { self: [], cross: [] } : undefined;
      let logits: Tensor; // (N, T', V)
      if (this.cache) {
        logits = this.model.decodeStep(new Tensor(Int32Array.from(tokens), [N, 1]), this.enc, this.cache, record);
      } else {
        this.read!.forEach((r, i) => r.push(tokens[i]));
        logits = this.model.decode(idsTensor(this.read!), this.enc, record);
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
      this.cache?.reorder(idx);
      this.enc = { memory: indexSelect(this.enc.memory, 0, idx), srcPadMask: selectRows(this.enc.srcPadMask, idx) };
    });
    if (this.read) this.read = idx.map((i) => [...this.read![i]]);
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

/** Rows of equal length as (N, T) int32 ids. */
function idsTensor(rows: readonly (readonly number[])[]): Tensor {
  const T = rows[0].length;
  return new Tensor(Int32Array.from(rows.flat()), [rows.length, T]);
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
