/**
 * The W3 language model written with @tensorflow/tfjs-core ops (tfjs-layers is not installed): an
 * embedding, one LSTM or tanh-RNN layer unrolled over time, a linear head and the cross-entropy of
 * every position — the network llmcore's nn.Embedding + nn.LSTM/nn.RNN + nn.Linear computes, and
 * PyTorch's nn.LSTM/nn.RNN:
 *
 *   ids (B, T) ─ gather ─► (B, T, E) ─ x·W_ih + b (all steps at once) ─► (B, T, G·H)
 *   for t: gates = xp_t + h·W_hh ─ LSTM: i, f, g, o = σ, σ, tanh, σ; c = f⊙c + i⊙g; h = o⊙tanh(c)
 *                                 ─ RNN:  h = tanh(gates)
 *   stack(h_t) (B·T, H) ─ ·W_out + b ─► logits (B·T, V)
 *
 * As in cuDNN, PyTorch's CPU LSTM and llmcore, the input projection of all time steps is one matmul
 * before the recurrence (tfjs-layers' LSTM would do T small ones: same FLOPs, more calls). The two
 * biases b_ih + b_hh are one vector (llmcore folds them too). Weights are stored (in, out); gate
 * order i, f, g, o as PyTorch's. The embedding's gradient is a scatter-add (see tfjs-transformer.ts).
 * G = 4 gates for the LSTM, 1 for the RNN.
 */
import * as tf from '@tensorflow/tfjs-core';

export type RecurrentKind = 'lstm' | 'rnn';

export class TfRecurrentLM {
  readonly vars: tf.Variable[] = [];
  private readonly emb: tf.Variable;
  private readonly wIh: tf.Variable; // (E, G·H)
  private readonly wHh: tf.Variable; // (H, G·H)
  private readonly b: tf.Variable; // (G·H)
  private readonly wOut: tf.Variable; // (H, V)
  private readonly bOut: tf.Variable; // (V)

  constructor(readonly kind: RecurrentKind, readonly vocab: number, readonly embed: number, readonly hidden: number, seed = 1) {
    const G = kind === 'lstm' ? 4 : 1;
    const k = 1 / Math.sqrt(hidden);
    const v = (t: tf.Tensor): tf.Variable => {
      const x = tf.variable(t, true);
      t.dispose();
      this.vars.push(x);
      return x;
    };
    this.emb = v(tf.randomNormal([vocab, embed], 0, 1, 'float32', seed));
    this.wIh = v(tf.randomUniform([embed, G * hidden], -k, k, 'float32', seed + 1));
    this.wHh = v(tf.randomUniform([hidden, G * hidden], -k, k, 'float32', seed + 2));
    this.b = v(tf.randomUniform([G * hidden], -2 * k, 2 * k, 'float32', seed + 3));
    this.wOut = v(tf.randomUniform([hidden, vocab], -k, k, 'float32', seed + 4));
    this.bOut = v(tf.randomUniform([vocab], -k, k, 'float32', seed + 5));
  }

  /** Copies llmcore's/PyTorch's weights (emb.weight, rnn.weight_ih_l0, …, out.weight) into this layout. */
  loadStateDict(s: Record<string, { data: ArrayLike<number>; shape: readonly number[] }>): void {
    const t = (k: string): tf.Tensor => {
      if (!s[k]) throw new Error(`loadStateDict: missing '${k}'`);
      return tf.tensor(Float32Array.from(s[k].data), [...s[k].shape]);
    };
    this.emb.assign(t('emb.weight'));
    this.wIh.assign(tf.transpose(t('rnn.weight_ih_l0')));
    this.wHh.assign(tf.transpose(t('rnn.weight_hh_l0')));
    this.b.assign(tf.add(t('rnn.bias_ih_l0'), t('rnn.bias_hh_l0')));
    this.wOut.assign(tf.transpose(t('out.weight')));
    this.bOut.assign(t('out.bias'));
  }

  /** ids (B, T) int32 → logits (B·T, V). */
  forward(ids: tf.Tensor2D): tf.Tensor2D {
    const [B, T] = ids.shape;
    const H = this.hidden;
    const flat = tf.reshape(ids, [B * T]);
    const lookup = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const w = args[0] as tf.Tensor;
      return { value: tf.gather(w, flat), gradFunc: (dy: tf.Tensor) => tf.scatterND(tf.reshape(flat, [B * T, 1]), dy, w.shape) };
    });
    const x = lookup(this.emb) as tf.Tensor2D; // (B·T, E)
    const G = this.kind === 'lstm' ? 4 : 1;
    const xp = tf.unstack(tf.reshape(tf.fused.matMul({ a: x, b: this.wIh as tf.Tensor2D, bias: this.b }), [B, T, G * H]), 1) as tf.Tensor2D[]; // T × (B, G·H)
    let h: tf.Tensor2D = tf.zeros([B, H]);
    let c: tf.Tensor2D = tf.zeros([B, H]);
    const hs: tf.Tensor2D[] = [];
    for (let t = 0; t < T; t++) {
      const gates = tf.add(xp[t], tf.matMul(h, this.wHh as tf.Tensor2D)) as tf.Tensor2D; // (B, G·H)
      if (this.kind === 'lstm') {
        const [i, f, g, o] = tf.split(gates, 4, 1);
        c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
        h = tf.mul(tf.sigmoid(o), tf.tanh(c));
      } else {
        h = tf.tanh(gates);
      }
      hs.push(h);
    }
    const out = tf.reshape(tf.stack(hs, 1), [B * T, H]) as tf.Tensor2D; // (B·T, H)
    return tf.fused.matMul({ a: out, b: this.wOut as tf.Tensor2D, bias: this.bOut }) as tf.Tensor2D; // (B·T, V)
  }

  /** Mean cross-entropy of logits (B·T, V) against the next ids (B, T). */
  loss(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.reshape(targets, [-1]), this.vocab), logits) as tf.Scalar;
  }
}
