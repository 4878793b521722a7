/**
 * The fast Adam / AdamW update (one wasm call per chunk of a parameter, f64 SIMD lanes) against the
 * reference loop, bit for bit: every option, odd lengths (vector tails), parameters longer than a
 * chunk, IEEE special values, and whole optimizers over several steps on both backends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AdamStep } from '../../src/backend/backend.js';
import { setBackend } from '../../src/backend/backend.js';
import { adam as reference } from '../../src/backend/js/optim.js';
import type { Backend } from '../../src/backend/backend.js';
import { createWasmBackend } from '../../src/backend/wasm/index.js';
import { createNativeBackend, nativeSupported } from '../../src/backend/native/index.js';
import { ADAM_CHUNK } from '../../src/backend/wasm/optim.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Adam, AdamW } from '../../src/optim/adam.js';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(11);
/** Values over many magnitudes (gradients of 1e-8 and of 1e3 both occur in training). */
const values = (n: number, scale = 1): Float32Array => Float32Array.from({ length: n }, () => (rand() - 0.5) * scale * 10 ** Math.floor(rand() * 12 - 8));

function assertSameBits(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length);
  for (let i = 0; i < got.length; i++) {
    if (Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i]))) continue;
    assert.fail(`${what}[${i}]: fast ${got[i]}, reference ${want[i]}`);
  }
}

// every fast backend's kernel is held to the reference bit for bit
const fastBackends: [string, Backend][] = [['wasm', createWasmBackend()], ...(nativeSupported() ? [['native', createNativeBackend()] as [string, Backend]] : [])];

const cases: [string, Partial<AdamStep> & { amsgrad?: boolean }][] = [
  ['plain', {}],
  ['L2 weight decay', { l2: 0.01 }],
  ['AdamW shrink', { shrink: 1 - 1e-3 * 0.1 }],
  ['maximize', { maximize: true }],
  ['amsgrad', { amsgrad: true }],
  ['everything', { l2: 0.1, maximize: true, amsgrad: true }],
];

for (const [backendName, fast] of fastBackends) {
  for (const [name, o] of cases) {
    test(`${backendName} adam kernel = reference bit for bit: ${name}`, () => {
      for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 31, 1000, ADAM_CHUNK, 2 * ADAM_CHUNK + 3]) {
        for (const t of [1, 2, 10, 1000]) {
          const beta1 = 0.9, beta2 = 0.98, lr = 1e-3;
          const h: AdamStep = {
            beta1, beta2, eps: 1e-9, stepSize: lr / (1 - beta1 ** t), bc2sqrt: Math.sqrt(1 - beta2 ** t),
            shrink: o.shrink ?? 1, l2: o.l2 ?? 0, maximize: o.maximize ?? false,
          };
          const p = values(n), g = values(n, 10), m = values(n, 0.1), v = values(n, 0.01).map(Math.abs);
          const vmax = o.amsgrad ? v.map((x) => x * (rand() < 0.5 ? 0.5 : 2)) : null;
          const [p2, m2, v2, vmax2] = [p.slice(), m.slice(), v.slice(), vmax?.slice() ?? null];
          fast.adam!(p, g, m, v, vmax, h);
          reference(p2, g, m2, v2, vmax2, h);
          const at = `${name} n=${n} t=${t}`;
          assertSameBits(p, p2, `p (${at})`);
          assertSameBits(m, m2, `m (${at})`);
          assertSameBits(v, v2, `v (${at})`);
          if (vmax) assertSameBits(vmax, vmax2!, `vmax (${at})`);
        }
      }
    });
  }

  test(`${backendName} adam kernel = reference on IEEE special values (NaN, ±Infinity, ±0, subnormals, huge)`, () => {
    const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1e-40, 3e38, -3e38, 1, -1];
    const n = specials.length ** 2;
    const g = new Float32Array(n), m = new Float32Array(n), p = new Float32Array(n), v = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      g[i] = specials[i % specials.length];
      m[i] = specials[Math.floor(i / specials.length)];
      p[i] = specials[(i * 7) % specials.length];
      v[i] = Math.abs(specials[(i * 5) % specials.length]);
    }
    const vmax = v.map((x, i) => (i % 3 === 0 ? NaN : x * 2));
    for (const amsgrad of [false, true]) {
      const h: AdamStep = { beta1: 0.9, beta2: 0.999, eps: 1e-8, stepSize: 1e-2, bc2sqrt: 0.0447, shrink: 0.999, l2: 0.01, maximize: false };
      const a = [p.slice(), m.slice(), v.slice(), vmax.slice()];
      const b = [p.slice(), m.slice(), v.slice(), vmax.slice()];
      fast.adam!(a[0], g, a[1], a[2], amsgrad ? a[3] : null, h);
      reference(b[0], g, b[1], b[2], amsgrad ? b[3] : null, h);
      ['p', 'm', 'v', 'vmax'].forEach((what, k) => assertSameBits(a[k], b[k], `${what} (amsgrad ${amsgrad})`));
    }
  });
}

test('Adam and AdamW give the same parameters and state on every fast backend as on js over 5 steps', () => {
  for (const make of [
    (ps: Tensor[]) => new Adam(ps, { lr: 1e-2, betas: [0.9, 0.98], eps: 1e-9 }),
    (ps: Tensor[]) => new Adam(ps, { lr: 1e-2, weightDecay: 0.1, amsgrad: true }),
    (ps: Tensor[]) => new AdamW(ps, { lr: 1e-2, weightDecay: 0.1, maximize: true }),
  ]) {
    const shapes = [[3], [17, 5], [ADAM_CHUNK + 9]];
    const init = shapes.map((s) => values(s.reduce((a, b) => a * b, 1)));
    const grads = Array.from({ length: 5 }, () => init.map((x) => values(x.length)));
    const run = (backend: string): Float32Array[] => {
      setBackend(backend);
      const ps = init.map((x, i) => {
        const t = new Tensor(x.slice(), shapes[i]);
        t.requiresGrad = true;
        return t;
      });
      const opt = make(ps);
      for (const gs of grads) {
        ps.forEach((p, i) => { p.grad = new Tensor(gs[i], shapes[i]); });
        opt.step();
      }
      const bufs = ps.flatMap((p) => Object.values(opt.getState(p)!.buffers) as Float32Array[]);
      return [...ps.map((p) => p.data as Float32Array), ...bufs];
    };
    try {
      const ref = run('js');
      for (const [backendName] of fastBackends) {
        const fast = run(backendName);
        assert.equal(fast.length, ref.length);
        fast.forEach((a, k) => assertSameBits(a, ref[k], `${backendName} array ${k}`));
      }
    } finally {
      setBackend('wasm');
    }
  }
});
