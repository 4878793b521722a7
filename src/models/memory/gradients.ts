/**
 * Forgetting, measured directly: how much the features at the last position still depend on the
 * input d positions earlier — the norm of the Jacobian ‖∂h_t / ∂x_{t−d}‖ (x the word's embedding,
 * h the top layer's features at t), as a function of d. For an RNN it shrinks geometrically with d
 * (the vanishing gradient); an LSTM's cell path keeps it as long as its forget gates stay near 1; a
 * Transformer reaches every position through attention, one step away.
 *
 * The Frobenius norm of the Jacobian is estimated without H backward passes: for u ~ N(0, I),
 * E‖uᵀ J‖² = ‖J‖²_F, so one backward pass of Σ_b u_b · h_{b,t} over a batch of B stories (a fresh u
 * per story) gives one sample per story and position; the curve is √(mean over the batch). Stories
 * do not interact, so each story's gradient is its own. Seeded: the same seed gives the same curve.
 */
import { Tensor } from '../../tensor/tensor.js';
import { randn } from '../../tensor/create.js';
import { Generator as Rng } from '../../util/random.js';
import { generateSquareSubsequentMask } from '../../nn/attention.js';
import type { WordLM } from '../lm/model.js';

/**
 * The top layer's features (B, T, C) computed from word embeddings `emb` (B, T, E) instead of ids:
 * the path of WordLM.features after its embedding lookup, so a gradient can reach the embeddings.
 * Dropout is not applied (the memory models have none).
 */
export function featuresFromEmbeddings(model: WordLM, emb: Tensor): Tensor {
  const T = emb.shape[1];
  if (model.transformer_encoder && model.pos_encoder) {
    const x = model.pos_encoder.forward(emb.mul(Math.sqrt(model.config.embDim)));
    return model.transformer_encoder.forward(x, { srcMask: generateSquareSubsequentMask(T) });
  }
  return (model.rnn!.forward(emb) as { output: Tensor }).output;
}

/**
 * ‖∂h_{T−1} / ∂x_{T−1−d}‖_F for d = 0 … T−1, estimated as above over the B stories of `ids` (B, T).
 * Returns T numbers, index d (0: the last word itself). Float32 arithmetic: a value below ~1e-38
 * reads as 0 (the dependence is gone to the precision the model computes in).
 * @example const g = inputGradientNorms(model, ids, B, T, 0); g[100] // how much h_T still feels the word 100 back
 */
export function inputGradientNorms(model: WordLM, ids: Int32Array, B: number, T: number, seed: number): Float64Array {
  if (ids.length !== B * T) throw new Error(`inputGradientNorms: expected ${B}·${T} ids, got ${ids.length}`);
  model.eval();
  const emb = model.encoder.forward(new Tensor(ids, [B, T])).detach().requiresGrad_(true); // (B, T, E)
  const hidden = featuresFromEmbeddings(model, emb); // (B, T, C)
  const C = hidden.shape[2];
  const last = hidden.slice(1, T - 1, T).reshape([B, C]);
  last.backward(randn([B, C], { generator: new Rng(seed) }));
  const g = emb.grad!.contiguousData();
  const E = emb.shape[2];
  const out = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      let s = 0;
      for (let e = 0; e < E; e++) {
        const v = g[(b * T + t) * E + e];
        s += v * v;
      }
      out[T - 1 - t] += s / B;
    }
  }
  for (let d = 0; d < T; d++) out[d] = Math.sqrt(out[d]);
  return out;
}

/** What an LSTM's forget gates did along the stories, by distance d back from the last position. */
export interface ForgetGateTrace {
  /** Mean forget gate f (over stories and units) at position T−1−d. */
  gate: Float64Array;
  /**
   * Mean over stories and units of Π f_s for s = T−d … T−1: the share of the cell's content at
   * T−1−d that its own path carries to the last position (1 at d = 0).
   */
  retained: Float64Array;
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * The first layer's forget gates f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf) of an LSTM model over
 * the stories `ids` (B, T), recomputed from its weights and its outputs h_t (gate order i, f, g, o,
 * PyTorch's), and their running products back from the last position.
 */
export function forgetGateTrace(model: WordLM, ids: Int32Array, B: number, T: number): ForgetGateTrace {
  if (model.kind !== 'lstm' || !model.rnn) throw new Error(`forgetGateTrace: needs an LSTM, got ${model.kind}`);
  model.eval();
  const idsT = new Tensor(ids, [B, T]);
  const emb = model.encoder.forward(idsT).detach(); // (B, T, E)
  const h = (model.rnn.forward(emb) as { output: Tensor }).output.detach(); // (B, T, H) with one layer
  if (model.config.numLayers !== 1) throw new Error('forgetGateTrace: one LSTM layer expected');
  const w = model.rnn.layers[0];
  const H = model.config.hiddenSize;
  const E = model.config.embDim;
  const Wih = w.weightIh.contiguousData();
  const Whh = w.weightHh.contiguousData();
  const bih = w.biasIh?.contiguousData();
  const bhh = w.biasHh?.contiguousData();
  const x = emb.contiguousData();
  const hs = h.contiguousData();
  const gate = new Float64Array(T);
  const retained = new Float64Array(T);
  const f = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let u = 0; u < H; u++) {
      const row = H + u; // the forget gate's rows
      for (let t = 0; t < T; t++) {
        let z = (bih ? bih[row] : 0) + (bhh ? bhh[row] : 0);
        for (let e = 0; e < E; e++) z += Wih[row * E + e] * x[(b * T + t) * E + e];
        if (t > 0) for (let k = 0; k < H; k++) z += Whh[row * H + k] * hs[(b * T + t - 1) * H + k];
        f[t] = sigmoid(z);
        gate[T - 1 - t] += f[t];
      }
      let p = 1;
      for (let d = 0; d < T; d++) {
        retained[d] += p;
        p *= f[T - 1 - d];
      }
    }
  }
  for (let d = 0; d < T; d++) {
    gate[d] /= B * H;
    retained[d] /= B * H;
  }
  return { gate, retained };
}
