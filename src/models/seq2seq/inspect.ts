/**
 * Every attention map of the translator, per layer and per head: the encoder's self-attention over
 * the source, the decoder's masked self-attention over the English written so far, and its
 * encoder-decoder (cross) attention over the source. One teacher-forced pass over a finished
 * translation (source ids, then bos + the target ids) computes the same numbers the decoding steps
 * did, all at once.
 *
 * The model's layers report attention averaged over heads (what `translate --attention` draws); this
 * pass walks the same sub-layers in the same order with the heads kept apart, so it is a second path
 * through the layers, held to the model's own forward by test/models/seq2seq-inspect.test.ts (the
 * same logits, and head means equal to the layers' own records). Eval semantics: no dropout.
 */
import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { generateSquareSubsequentMask, paddingMask } from '../../nn/attention.js';
import type { LayerNorm } from '../../nn/layers.js';
import type { TransformerDecoderLayer, TransformerEncoderLayer } from '../../nn/transformer.js';
import { BOS_ID } from '../../text/vocab.js';
import type { Seq2SeqTransformer } from './model.js';

/** maps[layer][head] is a (rows × columns) matrix as nested arrays; each row sums to 1. */
export type HeadMaps = number[][][][];

export interface TranslationAttention {
  /** Source tokens: columns of the encoder and cross maps, rows of the encoder maps. */
  sourceLength: number;
  /** Decoder positions: bos, then each target id (rows of the decoder maps). */
  targetLength: number;
  /** (layers, heads, S, S) */
  encoderSelf: HeadMaps;
  /** (layers, heads, T, T), zero above the diagonal (the decoder cannot see ahead). */
  decoderSelf: HeadMaps;
  /** (layers, heads, T, S): row i is where decoder position i (having read bos…target[i−1]) looked in the source. */
  cross: HeadMaps;
  /** The pass's logits (T, V), for checks. */
  logits: Tensor;
}

/** (1, H, R, C) weights → [head][row][column]. */
function heads(w: Tensor): number[][][] {
  const [, H, R, C] = w.shape;
  const d = w.toFloat32Array();
  return Array.from({ length: H }, (_, h) => Array.from({ length: R }, (_, r) => Array.from(d.subarray((h * R + r) * C, (h * R + r + 1) * C))));
}

function sub(normFirst: boolean, x: Tensor, norm: LayerNorm, f: (y: Tensor) => Tensor): Tensor {
  return normFirst ? x.add(f(norm.forward(x))) : norm.forward(x.add(f(x)));
}

function feedForward(layer: TransformerEncoderLayer | TransformerDecoderLayer, x: Tensor): Tensor {
  const h = layer.linear1.forward(x);
  return layer.linear2.forward(layer.activation === 'gelu' ? h.gelu() : h.relu());
}

/**
 * The attention maps of translating `source` (ids, no bos/eos) into `target` (ids, no bos; eos may end it).
 * @example const a = translationAttention(model, [5, 9, 12], [7, 4, 2]); a.cross[1][0] // last layer, head 0: (4 × 3)
 */
export function translationAttention(model: Seq2SeqTransformer, source: readonly number[], target: readonly number[]): TranslationAttention {
  if (source.length === 0) throw new Error('translationAttention: the source has no tokens');
  const positions = model.config.maxLen;
  if (source.length > positions || target.length + 1 > positions) throw new Error(`translationAttention: longer than the model's ${positions} positions`);
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const src = new Tensor(Int32Array.from(source), [1, source.length]);
      const tgtIn = new Tensor(Int32Array.from([BOS_ID, ...target]), [1, target.length + 1]);
      const tf = model.transformer;
      const srcPad = paddingMask(src, model.config.padId);
      const encoderSelf: HeadMaps = [];
      let x = model.positional.forward(model.src_emb.forward(src));
      for (const layer of tf.encoder.layers.items) {
        x = sub(layer.normFirst, x, layer.norm1, (y) => {
          const r = layer.self_attn.selfAttention(y, { keyPaddingMask: srcPad, needWeights: true, averageAttnWeights: false });
          encoderSelf.push(heads(r.weights));
          return r.output;
        });
        x = sub(layer.normFirst, x, layer.norm2, (y) => feedForward(layer, y));
      }
      const memory = tf.encoder.norm ? tf.encoder.norm.forward(x) : x;
      const T = target.length + 1;
      const mask = generateSquareSubsequentMask(T);
      const decoderSelf: HeadMaps = [];
      const cross: HeadMaps = [];
      let y = model.positional.forward(model.tgt_emb.forward(tgtIn));
      for (const layer of tf.decoder.layers.items) {
        y = sub(layer.normFirst, y, layer.norm1, (z) => {
          const r = layer.self_attn.selfAttention(z, { attnMask: mask, needWeights: true, averageAttnWeights: false });
          decoderSelf.push(heads(r.weights));
          return r.output;
        });
        y = sub(layer.normFirst, y, layer.norm2, (z) => {
          const r = layer.multihead_attn.crossAttention(z, memory, { keyPaddingMask: srcPad, needWeights: true, averageAttnWeights: false });
          cross.push(heads(r.weights));
          return r.output;
        });
        y = sub(layer.normFirst, y, layer.norm3, (z) => feedForward(layer, z));
      }
      const h = tf.decoder.norm ? tf.decoder.norm.forward(y) : y;
      const logits = model.out.forward(h).reshape([T, -1]);
      return { sourceLength: source.length, targetLength: T, encoderSelf, decoderSelf, cross, logits };
    });
  } finally {
    if (wasTraining) model.train();
  }
}
