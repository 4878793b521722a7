/** The measurement code of the sequence claims: gradient norms against finite differences, the forget-gate trace against the LSTM's own cell, the vanishing curve's shape. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../../src/tensor/tensor.js';
import { randn } from '../../../src/tensor/create.js';
import { noGrad } from '../../../src/autograd/grad-mode.js';
import { Generator as Rng } from '../../../src/util/random.js';
import { lstmCellReference } from '../../../src/nn/lstm.js';
import { featuresFromEmbeddings, forgetGateTrace, inputGradientNorms } from '../../../src/models/memory/gradients.js';
import { makeMemoryModel, type MemoryModelKind } from '../../../src/models/memory/experiment.js';
import { MemoryTask } from '../../../src/models/memory/task.js';

const V = 20;

function ids(B: number, T: number, seed: number): Int32Array {
  const g = new Rng(seed);
  return Int32Array.from({ length: B * T }, () => g.randint(V));
}

/** s(emb) = Σ_b u_b · h_{b,T−1}, the scalar whose gradient inputGradientNorms takes, with its u. */
function scalar(kind: MemoryModelKind, model: ReturnType<typeof makeMemoryModel>, emb: Float32Array, B: number, T: number, E: number, u: Float32Array): number {
  return noGrad(() => {
    const h = featuresFromEmbeddings(model, new Tensor(emb, [B, T, E])).contiguousData();
    const C = h.length / (B * T);
    let s = 0;
    for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) s += u[b * C + c] * h[(b * T + T - 1) * C + c];
    return s;
  });
}

for (const kind of ['rnn', 'lstm', 'transformer'] as const) {
  test(`${kind}: ‖∂h_T/∂x_{T−d}‖ matches central differences of Σ u·h_T at every d`, () => {
    const B = 2;
    const T = 6;
    const model = makeMemoryModel(kind, V, T, 5);
    model.eval();
    const x = ids(B, T, 1);
    const got = inputGradientNorms(model, x, B, T, 9);
    const E = model.config.embDim;
    const emb = Float32Array.from(noGrad(() => model.encoder.forward(new Tensor(x, [B, T])).contiguousData()));
    const C = kind === 'transformer' ? E : model.config.hiddenSize;
    const u = Float32Array.from(randn([B, C], { generator: new Rng(9) }).contiguousData());
    const eps = 1e-2;
    for (let d = 0; d < T; d++) {
      const t = T - 1 - d;
      let sq = 0;
      for (let b = 0; b < B; b++) {
        for (let e = 0; e < E; e++) {
          const i = (b * T + t) * E + e;
          const keep = emb[i];
          emb[i] = keep + eps;
          const up = scalar(kind, model, emb, B, T, E, u);
          emb[i] = keep - eps;
          const down = scalar(kind, model, emb, B, T, E, u);
          emb[i] = keep;
          const g = (up - down) / (2 * eps);
          sq += (g * g) / B;
        }
      }
      const want = Math.sqrt(sq);
      assert.ok(Math.abs(got[d] - want) <= 2e-3 + 2e-2 * want, `d=${d}: ${got[d]} vs finite differences ${want}`);
    }
    // the last word matters to the last state
    assert.ok(got[0] > 0);
  });
}

test('untrained: the RNN\'s dependence on a word falls by orders of magnitude within 30 words, the Transformer\'s does not', () => {
  const task = new MemoryTask({ bindings: 1 });
  const T = 41;
  const b = task.batch(new Rng(2), T - 10, 4);
  const curve = (kind: MemoryModelKind) => inputGradientNorms(makeMemoryModel(kind, task.vocab.size, T, 0), b.ids, b.B, T, 0);
  const rnn = curve('rnn');
  const tr = curve('transformer');
  assert.ok(rnn[30] < 1e-6 * rnn[0], `RNN: ${rnn[30]} vs ${rnn[0]}`);
  assert.ok(rnn[30] < rnn[10] && rnn[10] < rnn[1], 'RNN: decreasing');
  assert.ok(tr[30] > 1e-3 * tr[0], `Transformer: ${tr[30]} vs ${tr[0]}`);
  // the same seed gives the same curve
  assert.deepEqual(curve('rnn'), rnn);
});

test('forgetGateTrace: the gates are those of the LSTM\'s own cell, step by step, and Π f runs back from the last word', () => {
  const B = 3;
  const T = 5;
  const model = makeMemoryModel('lstm', V, T, 4);
  const x = ids(B, T, 7);
  const tr = forgetGateTrace(model, x, B, T);
  const H = model.config.hiddenSize;
  const w = model.rnn!.layers[0];
  const emb = noGrad(() => model.encoder.forward(new Tensor(x, [B, T])));
  let h = new Tensor(new Float32Array(B * H), [B, H]);
  let c = new Tensor(new Float32Array(B * H), [B, H]);
  const f: number[][] = []; // f[t][b·H + u]
  noGrad(() => {
    for (let t = 0; t < T; t++) {
      const xt = emb.slice(1, t, t + 1).reshape([B, -1]);
      const gates = xt.matmul(w.weightIh.transpose(0, 1)).add(w.biasIh!).add(h.matmul(w.weightHh.transpose(0, 1))).add(w.biasHh!);
      f.push(Array.from(gates.slice(1, H, 2 * H).sigmoid().contiguousData()));
      ({ h, c } = lstmCellReference(xt, h, c, w));
    }
  });
  for (let d = 0; d < T; d++) {
    const mean = f[T - 1 - d].reduce((a, v) => a + v, 0) / (B * H);
    assert.ok(Math.abs(tr.gate[d] - mean) < 1e-5, `gate at d=${d}: ${tr.gate[d]} vs ${mean}`);
    let retained = 0;
    for (let k = 0; k < B * H; k++) {
      let p = 1;
      for (let s = T - d; s <= T - 1; s++) p *= f[s][k];
      retained += p / (B * H);
    }
    assert.ok(Math.abs(tr.retained[d] - retained) < 1e-5, `Π f at d=${d}: ${tr.retained[d]} vs ${retained}`);
  }
  assert.equal(tr.retained[0], 1);
  assert.throws(() => forgetGateTrace(makeMemoryModel('rnn', V, T, 4), x, B, T), /needs an LSTM, got rnn/);
});
