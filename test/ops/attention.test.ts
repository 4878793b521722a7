/**
 * The fused attention op (src/ops/attention.ts) against the same attention composed of separate ops
 * (scale, matmul, mask add, softmax, dropout, matmul) on every backend that fuses it: outputs, weights
 * and the gradients of q, k and v through both; finite differences in float64; and the cases it hands
 * back to the composed path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getBackend, listBackends, setBackend } from '../../src/backend/backend.js';
import { fusedAttention } from '../../src/ops/attention.js';
import { causalMask } from '../../src/nn/attention.js';
import { add, assertClose, cast, check, dropout, Generator, matmul, rn, softmax, type Tensor } from '../helpers/engine.js';

const composed = (q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, p: number, seed: number): { output: Tensor; weights: Tensor } => {
  let scores = matmul(q.mul(1 / Math.sqrt(q.shape[q.ndim - 1])), k.transpose(-2, -1));
  if (mask) scores = add(scores, mask);
  let weights = softmax(scores, -1);
  if (p > 0) weights = dropout(weights, p, true, new Generator(seed));
  return { output: matmul(weights, v), weights };
};

const fused = (q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, p: number, seed: number): { output: Tensor; weights: Tensor } => {
  const r = fusedAttention(q, k, v, mask, { scale: 1 / Math.sqrt(q.shape[q.ndim - 1]), dropout: p, training: p > 0, generator: new Generator(seed) });
  assert.ok(r, `${getBackend().name} fuses attention`);
  return r;
};

/** Loss through both results, so the gradients of the output and of the weights are both checked. */
function gradients(run: typeof fused, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, p: number): Tensor[] {
  const [lq, lk, lv] = [q, k, v].map((t) => t.detach().requiresGrad_());
  const { output, weights } = run(lq, lk, lv, mask, p, 5);
  const loss = add(output.mul(rn([...output.shape], 11)).sum(), weights.mul(rn([...weights.shape], 12)).sum());
  loss.backward();
  return [output, weights, lq.grad!, lk.grad!, lv.grad!];
}

const fusing = listBackends().filter((name) => setBackend(name).attention);
const initial = getBackend().name;

for (const name of fusing) {
  test(`fused attention on ${name} equals the composed ops: values, weights and gradients`, () => {
    setBackend(name);
    try {
      const B = 2, H = 3, T = 5, S = 7, D = 4;
      const padding = rn([B, 1, 1, S], 4).mul(0);
      (padding.data as Float32Array)[S - 1] = -1e9; // the first sequence's last key is padding
      const cases: [string, Tensor, Tensor, Tensor, Tensor | null, number][] = [
        ['plain (B, H, T, D)', rn([B, H, T, D], 1), rn([B, H, S, D], 2), rn([B, H, S, 6], 3), null, 0],
        ['causal mask, T < S', rn([B, H, T, D], 1), rn([B, H, S, D], 2), rn([B, H, S, D], 3), causalMask(T, S), 0],
        ['key padding (B, 1, 1, S)', rn([B, H, T, D], 1), rn([B, H, S, D], 2), rn([B, H, S, D], 3), padding, 0],
        ['heads as views of (B, T, H, D)', rn([B, T, H, D], 1).permute([0, 2, 1, 3]), rn([B, S, H, D], 2).permute([0, 2, 1, 3]), rn([B, S, H, D], 3).permute([0, 2, 1, 3]), causalMask(T, S), 0],
        ['dropout 0.3 while training', rn([B, H, T, D], 1), rn([B, H, S, D], 2), rn([B, H, S, D], 3), causalMask(T, S), 0.3],
        ['no batch dims', rn([T, D], 1), rn([S, D], 2), rn([S, D], 3), null, 0],
        ['one query (decoding)', rn([B, H, 1, 16], 1), rn([B, H, 9, 16], 2), rn([B, H, 9, 16], 3), null, 0],
      ];
      for (const [label, q, k, v, mask, p] of cases) {
        const want = gradients(composed, q, k, v, mask, p);
        const got = gradients(fused, q, k, v, mask, p);
        ['output', 'weights', 'dq', 'dk', 'dv'].forEach((what, i) => {
          try {
            assertClose(got[i], want[i].toArray(), 1e-5, 1e-4);
          } catch (e) {
            throw new Error(`${label}: ${what}: ${(e as Error).message}`);
          }
        });
      }
    } finally {
      setBackend(initial);
    }
  });
}

test('fused attention: finite-difference gradients in float64 (reference kernels), through the output and the weights, with dropout', () => {
  setBackend('js');
  try {
    const q = rn([2, 3, 4], 1), k = rn([2, 5, 4], 2), v = rn([2, 5, 3], 3); // gradcheck runs them in float64
    const mask = causalMask(3, 5, 'float64');
    const wOut = cast(rn([2, 3, 3], 7), 'float64'), wWeights = cast(rn([2, 3, 5], 8), 'float64');
    check((a, b, c) => {
      const r = fused(a, b, c, mask, 0.25, 9); // a fresh generator per call: the same dropout mask every evaluation
      return add(r.output.mul(wOut).sum(), r.weights.mul(wWeights).sum());
    }, [q, k, v]);
  } finally {
    setBackend(initial);
  }
});

test('fused attention hands back to the composed ops where it cannot run', () => {
  const q = rn([2, 3, 4], 1), k = rn([2, 5, 4], 2), v = rn([2, 5, 4], 3);
  const opts = { scale: 0.5, dropout: 0, training: false, generator: new Generator(1) };
  if (listBackends().includes('wasm')) {
    setBackend('wasm');
    try {
      assert.equal(fusedAttention(q, k, v, null, opts), null, 'the wasm backend composes attention from its matmul and softmax');
    } finally {
      setBackend(initial);
    }
  }
  setBackend('js');
  try {
    assert.ok(fusedAttention(q, k, v, null, opts));
    assert.equal(fusedAttention(q, rn([3, 5, 4], 2), rn([3, 5, 4], 3), null, opts), null, 'batch dims that differ (broadcasting)');
    assert.equal(fusedAttention(q, k, v, rn([3, 5], 4).requiresGrad_(), opts), null, 'a mask that needs its gradient');
    assert.equal(fusedAttention(q, k, v, null, { ...opts, dropout: 1, training: true }), null, 'dropout 1');
    assert.equal(fusedAttention(cast(q, 'float64'), k, v, null, opts), null, 'mixed dtypes');
    assert.equal(fusedAttention(rn([2, 4, 3], 1).transpose(1, 2), k, v, null, opts), null, 'query rows that are not contiguous');
  } finally {
    setBackend(initial);
  }
});
