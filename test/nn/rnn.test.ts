/**
 * Recurrent layers: RNN, LSTM, GRU and their cells. Gradients against finite differences (float64),
 * the fused sequence driver against the composite reference cells, outputs and every gradient against
 * PyTorch's (fixtures in ../shared), a 500-step unroll, dropout between layers, and the shape errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nn, Tensor, randn, zeros, concat, stack, gradcheck, Generator, noGrad } from '../../src/index.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { REPO_FIXTURES, missingFixture } from '../helpers/fixtures.js';
import { PARITY_ATOL, PARITY_RTOL } from '../helpers/parity.js';
import type { CellKernel, LayerWeights, RecurrentOutput } from '../../src/nn/rnn.js';

const { RNN, RNNCell, LSTM, LSTMCell, GRU, GRUCell, RNN_TANH, RNN_RELU, LSTM_KERNEL, GRU_KERNEL, runRecurrent } = nn;

// ---- helpers ----

function gen(seed: number): Generator {
  return new Generator(seed);
}

function rn(shape: number[], seed: number, scale = 1): Tensor {
  return randn(shape, { generator: gen(seed) }).mul(scale);
}

function maxAbs(a: Tensor, b: Tensor): number {
  assert.deepEqual([...a.shape], [...b.shape], 'shape');
  const x = a.contiguousData();
  const y = b.contiguousData();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

/** Largest |a − b| / (|b| + floor): a relative error that does not blow up near zero. */
function maxRel(a: Tensor, b: Tensor, floor = 1e-3): number {
  const x = a.contiguousData();
  const y = b.contiguousData();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]) / (Math.abs(y[i]) + floor));
  return m;
}

function assertClose(a: Tensor, b: Tensor, atol: number, rtol: number, what: string): void {
  assert.deepEqual([...a.shape], [...b.shape], `${what}: shape`);
  const x = a.contiguousData();
  const y = b.contiguousData();
  for (let i = 0; i < x.length; i++) {
    assert.ok(Math.abs(x[i] - y[i]) <= atol + rtol * Math.abs(y[i]), `${what}: element ${i}: got ${x[i]}, expected ${y[i]}`);
  }
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail('expected an error');
}

/** Weights of `numLayers` layers, 4 tensors each, from a flat list. */
function layersOf(ws: Tensor[]): LayerWeights[] {
  const out: LayerWeights[] = [];
  for (let i = 0; i < ws.length; i += 4) out.push({ weightIh: ws[i], weightHh: ws[i + 1], biasIh: ws[i + 2], biasHh: ws[i + 3] });
  return out;
}

function flatWeights(m: { layers: LayerWeights[] }): Tensor[] {
  return m.layers.flatMap((l) => [l.weightIh, l.weightHh, l.biasIh!, l.biasHh!]);
}

/** Everything a run returns, flattened into one vector (so one gradcheck covers output, h and c). */
function everything(r: RecurrentOutput): Tensor {
  return concat([r.output.reshape([-1]), r.h.reshape([-1]), ...(r.c ? [r.c.reshape([-1])] : [])], 0);
}

/** The whole network from the composite reference cells, one time step at a time. */
function referenceRun(kernel: CellKernel, x: Tensor, layers: LayerWeights[], h0: Tensor, c0: Tensor | null, batchFirst: boolean): RecurrentOutput {
  const T = x.shape[batchFirst ? 1 : 0];
  let input = x;
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  layers.forEach((w, l) => {
    let h = h0.slice(0, l, l + 1).squeeze(0);
    let c = c0 ? c0.slice(0, l, l + 1).squeeze(0) : null;
    const outs: Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const xt = input.slice(batchFirst ? 1 : 0, t, t + 1).squeeze(batchFirst ? 1 : 0);
      if (kernel === LSTM_KERNEL) ({ h, c } = nn.lstmCellReference(xt, h, c!, w));
      else if (kernel === GRU_KERNEL) h = nn.gruCellReference(xt, h, w);
      else h = nn.rnnCellReference(xt, h, w, kernel === RNN_RELU ? 'relu' : 'tanh');
      outs.push(h);
    }
    input = stack(outs, batchFirst ? 1 : 0);
    hs.push(h);
    if (c) cs.push(c);
  });
  return { output: input, h: stack(hs), ...(c0 ? { c: stack(cs) } : {}) };
}

const KINDS = [
  { name: 'RNN (tanh)', kernel: RNN_TANH, make: (g: Generator, o: object) => new RNN(3, 2, { numLayers: 2, generator: g, ...o }) },
  { name: 'RNN (relu)', kernel: RNN_RELU, make: (g: Generator, o: object) => new RNN(3, 2, { numLayers: 2, nonlinearity: 'relu', generator: g, ...o }) },
  { name: 'LSTM', kernel: LSTM_KERNEL, make: (g: Generator, o: object) => new LSTM(3, 2, { numLayers: 2, generator: g, ...o }) },
  { name: 'GRU', kernel: GRU_KERNEL, make: (g: Generator, o: object) => new GRU(3, 2, { numLayers: 2, generator: g, ...o }) },
] as const;

// ---- parameters ----

test('parameters have PyTorch names, shapes and U(−1/√H, 1/√H) init; the same seed gives the same weights', () => {
  const lstm = new LSTM(5, 4, { numLayers: 2, generator: gen(1) });
  const sd = lstm.stateDict();
  assert.deepEqual(Object.keys(sd), [
    'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1',
  ]);
  assert.deepEqual([...sd.weight_ih_l0.shape], [16, 5]);
  assert.deepEqual([...sd.weight_hh_l0.shape], [16, 4]);
  assert.deepEqual([...sd.weight_ih_l1.shape], [16, 4]);
  assert.deepEqual([...sd.bias_hh_l1.shape], [16]);
  let max = 0;
  for (const p of lstm.parameters()) for (const v of p.contiguousData()) max = Math.max(max, Math.abs(v));
  assert.ok(max <= 0.5 && max > 0.45, `weights within ±1/√4, spread to the bound (max |w| ${max})`);
  const again = new LSTM(5, 4, { numLayers: 2, generator: gen(1) }).stateDict();
  for (const k of Object.keys(sd)) assert.deepEqual(again[k].toFloat32Array(), sd[k].toFloat32Array());

  assert.deepEqual(Object.keys(new RNN(3, 2).stateDict()), ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']);
  assert.deepEqual([...new GRU(3, 2).stateDict().weight_hh_l0.shape], [6, 2]);
  assert.deepEqual(Object.keys(new LSTM(3, 2, { bias: false }).stateDict()), ['weight_ih_l0', 'weight_hh_l0']);
  assert.deepEqual(Object.keys(new LSTMCell(3, 2).stateDict()), ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
  assert.deepEqual([...new GRUCell(3, 2).stateDict().weight_ih.shape], [6, 3]);
  assert.deepEqual(Object.keys(new RNNCell(3, 2, { bias: false }).stateDict()), ['weight_ih', 'weight_hh']);
  assert.equal(new LSTM(128, 256).numParameters(), 4 * 256 * (128 + 256 + 2));
});

// ---- finite differences ----

for (const kind of KINDS) {
  for (const batchFirst of [false, true]) {
    test(`gradcheck: ${kind.name}, 2 layers, batchFirst ${batchFirst}: input, h0${kind.kernel.hasCell ? ', c0' : ''} and every weight`, () => {
      const m = kind.make(gen(11), { batchFirst });
      const T = 3;
      const B = 2;
      const x = rn(batchFirst ? [B, T, 3] : [T, B, 3], 2);
      const h0 = rn([2, B, 2], 3, 0.5);
      const c0 = rn([2, B, 2], 4, 0.5);
      const ws = flatWeights(m).map((w) => w.mul(2)); // larger weights: the nonlinearities leave their linear range
      const inputs = kind.kernel.hasCell ? [x, h0, c0, ...ws] : [x, h0, ...ws];
      gradcheck((...a: Tensor[]) => {
        const [xx, hh, cc] = a;
        const rest = a.slice(kind.kernel.hasCell ? 3 : 2);
        return everything(runRecurrent(kind.kernel, xx, layersOf(rest), { h0: hh, c0: kind.kernel.hasCell ? cc : null, batchFirst }));
      }, inputs, { atol: 1e-6, rtol: 1e-5 });
    });
  }
}

test('gradcheck: the composite reference cells (the definition the fused kernels are held to)', () => {
  const w = layersOf([rn([8, 3], 1), rn([8, 2], 2), rn([8], 3), rn([8], 4)])[0];
  gradcheck((x, h, c, a, b, d, e) => {
    const r = nn.lstmCellReference(x, h, c, { weightIh: a, weightHh: b, biasIh: d, biasHh: e });
    return concat([r.h, r.c], 0);
  }, [rn([2, 3], 5), rn([2, 2], 6), rn([2, 2], 7), w.weightIh, w.weightHh, w.biasIh!, w.biasHh!]);
  gradcheck((x, h, a, b, d, e) => nn.gruCellReference(x, h, { weightIh: a, weightHh: b, biasIh: d, biasHh: e }),
    [rn([2, 3], 5), rn([2, 2], 6), rn([6, 3], 1), rn([6, 2], 2), rn([6], 3), rn([6], 4)]);
});

// ---- fused driver against the composite reference ----

for (const kind of KINDS) {
  for (const batchFirst of [false, true]) {
    test(`${kind.name}, batchFirst ${batchFirst}: the fused driver equals the reference cells step by step (outputs and all gradients)`, () => {
      const m = kind.make(gen(21), { batchFirst });
      const T = 6;
      const B = 3;
      const x = rn(batchFirst ? [B, T, 3] : [T, B, 3], 8).requiresGrad_();
      const h0 = rn([2, B, 2], 9).requiresGrad_();
      const c0 = rn([2, B, 2], 10).requiresGrad_();
      const lw = rn(batchFirst ? [B, T, 2] : [T, B, 2], 12);
      const run = (fused: boolean): Tensor[] => {
        for (const t of [x, h0, c0, ...m.parameters()]) t.grad = null;
        const r: RecurrentOutput = fused
          ? m.forward(x, kind.kernel.hasCell ? { h: h0, c: c0 } : { h: h0 })
          : referenceRun(kind.kernel, x, m.layers, h0, kind.kernel.hasCell ? c0 : null, batchFirst);
        const extra = r.c ? r.c.mul(0.5).sum() : zeros([]);
        r.output.mul(lw).sum().add(r.h.pow(2).sum()).add(extra).backward();
        return [r.output, r.h, ...(r.c ? [r.c] : []), x.grad!, h0.grad!, ...(kind.kernel.hasCell ? [c0.grad!] : []), ...m.parameters().map((p) => p.grad!)];
      };
      const fused = run(true);
      const ref = run(false);
      fused.forEach((t, i) => assertClose(t, ref[i], 1e-6, 1e-5, `tensor ${i}`));
    });
  }
}

test('cells: RNNCell, LSTMCell, GRUCell give the reference cell values and gradients, batched and unbatched', () => {
  const x = rn([3, 4], 1);
  const h = rn([3, 5], 2);
  const c = rn([3, 5], 3);
  const lstm = new LSTMCell(4, 5, { generator: gen(1) });
  const a = lstm.forward(x, { h, c });
  const b = nn.lstmCellReference(x, h, c, lstm);
  assertClose(a.h, b.h, 1e-6, 1e-5, 'LSTMCell h');
  assertClose(a.c, b.c, 1e-6, 1e-5, 'LSTMCell c');
  const gru = new GRUCell(4, 5, { generator: gen(2) });
  assertClose(gru.forward(x, h), nn.gruCellReference(x, h, gru), 1e-6, 1e-5, 'GRUCell');
  const rnn = new RNNCell(4, 5, { generator: gen(3), nonlinearity: 'relu' });
  assertClose(rnn.forward(x, h), nn.rnnCellReference(x, h, rnn, 'relu'), 1e-6, 1e-5, 'RNNCell relu');
  // zeros when no state is given; unbatched (in) → (H)
  assertClose(lstm.forward(x).h, nn.lstmCellReference(x, zeros([3, 5]), zeros([3, 5]), lstm).h, 1e-6, 1e-5, 'LSTMCell zero state');
  const one = lstm.forward(x.slice(0, 1, 2).reshape([4]), { h: h.slice(0, 1, 2).reshape([5]), c: c.slice(0, 1, 2).reshape([5]) });
  assert.deepEqual([...one.h.shape], [5]);
  assertClose(one.c, a.c.slice(0, 1, 2).reshape([5]), 1e-6, 1e-5, 'unbatched LSTMCell');
  // gradients through a cell reach its parameters
  lstm.forward(x, { h, c }).h.sum().backward();
  assert.ok(lstm.parameters().every((p) => p.grad !== null));
});

test('GRU follows PyTorch exactly: b_hn sits inside r ⊙ (W_hn h + b_hn)', () => {
  const cell = new GRUCell(1, 1, { generator: gen(0) });
  const set = (p: Tensor, v: number[]): void => (p.data as Float32Array).set(v);
  set(cell.weightIh, [0.5, -0.3, 0.8]);
  set(cell.weightHh, [0.2, 0.7, -0.6]);
  set(cell.biasIh!, [0.1, 0.2, 0.3]);
  set(cell.biasHh!, [-0.4, 0.05, 0.9]);
  const x = 1.5;
  const h = -0.7;
  const sig = (v: number): number => 1 / (1 + Math.exp(-v));
  const r = sig(0.5 * x + 0.1 + 0.2 * h - 0.4);
  const z = sig(-0.3 * x + 0.2 + 0.7 * h + 0.05);
  const n = Math.tanh(0.8 * x + 0.3 + r * (-0.6 * h + 0.9));
  const want = (1 - z) * n + z * h;
  const got = cell.forward(new Tensor(new Float32Array([x]), [1, 1]), new Tensor(new Float32Array([h]), [1, 1])).item();
  assert.ok(Math.abs(got - want) < 1e-6, `got ${got}, want ${want}`);
});

// ---- PyTorch golden values ----

// written by scripts/fixtures/recurrent.py; the tolerance is the README's, shared with the GRU's test
const FIXTURES = pathToFileURL(REPO_FIXTURES);

for (const [file, Layer] of [['lstm_tiny', LSTM], ['rnn_tiny', RNN]] as const) {
  test(`matches PyTorch: ${file} (nn.${Layer.name}(3, 4, num_layers=2, batch_first=True)): outputs, loss and every gradient`, (t) => {
    if (missingFixture(t, fileURLToPath(new URL(`${file}.safetensors`, FIXTURES)))) return;
    const { tensors } = decodeSafetensors(readFileSync(new URL(`${file}.safetensors`, FIXTURES)));
    const model = new Layer(3, 4, { numLayers: 2, batchFirst: true });
    const params: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(tensors)) if (k.startsWith('param.')) params[k.slice('param.'.length)] = v;
    model.loadStateDict(params); // strict: the names map one-to-one
    const x = tensors['input.x'].detach().requiresGrad_();
    const r = model.forward(x, { h: tensors['input.h0'], c: tensors['input.c0'] ?? null }) as RecurrentOutput;
    const loss = r.output.mul(tensors.loss_weights).sum();
    loss.backward();

    const report: string[] = [];
    const compare = (name: string, got: Tensor, want: Tensor, atol: number, rtol: number): void => {
      report.push(`${name}: max abs ${maxAbs(got, want).toExponential(2)}, max rel ${maxRel(got, want).toExponential(2)}`);
      assertClose(got, want, atol, rtol, name);
    };
    compare('output.out', r.output, tensors['output.out'], PARITY_ATOL, PARITY_RTOL);
    compare('output.h_n', r.h, tensors['output.h_n'], PARITY_ATOL, PARITY_RTOL);
    if (r.c) compare('output.c_n', r.c, tensors['output.c_n'], PARITY_ATOL, PARITY_RTOL);
    compare('output.loss', loss.reshape([1]), tensors['output.loss'], PARITY_ATOL, PARITY_RTOL);
    compare('grad.input.x', x.grad!, tensors['grad.input.x'], PARITY_ATOL, PARITY_RTOL);
    const names = Object.keys(model.stateDict());
    assert.equal(names.length, 8);
    for (const [name, p] of model.namedParameters()) compare(`grad.${name}`, p.grad!, tensors[`grad.${name}`], PARITY_ATOL, PARITY_RTOL);
    t.diagnostic(report.join('; '));
  });
}

// ---- long sequences ----

test('an LSTM unrolled over 500 time steps backpropagates without a stack overflow, fused and step by step', () => {
  const T = 500;
  const lstm = new LSTM(3, 4, { generator: gen(5) });
  const x = rn([T, 2, 3], 6).requiresGrad_();
  const r = lstm.forward(x);
  r.output.sum().backward();
  const gx = x.grad!;
  assert.ok(Array.from(gx.contiguousData()).every(Number.isFinite));
  const gw = lstm.layers[0].weightHh.grad!;

  // the same weights as a cell, run step by step: a graph thousands of nodes deep
  const cell = new LSTMCell(3, 4);
  cell.loadStateDict({ weight_ih: lstm.layers[0].weightIh, weight_hh: lstm.layers[0].weightHh, bias_ih: lstm.layers[0].biasIh!, bias_hh: lstm.layers[0].biasHh! });
  const x2 = x.detach().requiresGrad_();
  let s: { h: Tensor; c: Tensor } | undefined;
  let total: Tensor = zeros([]);
  for (let t = 0; t < T; t++) {
    s = cell.forward(x2.slice(0, t, t + 1).reshape([2, 3]), s);
    total = total.add(s.h.sum());
  }
  total.backward();
  assertClose(x2.grad!, gx, 1e-5, 1e-4, 'x.grad, cell by cell');
  assertClose(cell.weightHh.grad!, gw, 1e-4, 1e-4, 'weight_hh.grad, cell by cell');

  // and the composite reference cell (about fifteen graph nodes per step)
  const w = lstm.layers[0];
  let h = zeros([2, 4]);
  let c = zeros([2, 4]);
  const x3 = x.detach().requiresGrad_();
  let sum: Tensor = zeros([]);
  for (let t = 0; t < T; t++) {
    ({ h, c } = nn.lstmCellReference(x3.slice(0, t, t + 1).reshape([2, 3]), h, c, w));
    sum = sum.add(h.sum());
  }
  sum.backward();
  assertClose(x3.grad!, gx, 1e-5, 1e-4, 'x.grad, reference cell');
});

// ---- options ----

test('batchFirst and time-major runs agree; unbatched input (T, in) works; outputs have the documented shapes', () => {
  const a = new LSTM(3, 4, { numLayers: 2, generator: gen(7) });
  const b = new LSTM(3, 4, { numLayers: 2, generator: gen(7), batchFirst: true });
  const x = rn([5, 2, 3], 1);
  const h0 = rn([2, 2, 4], 2);
  const ra = a.forward(x, { h: h0 });
  const rb = b.forward(x.transpose(0, 1), { h: h0 });
  assert.deepEqual([...ra.output.shape], [5, 2, 4]);
  assert.deepEqual([...rb.output.shape], [2, 5, 4]);
  assert.deepEqual([...rb.h.shape], [2, 2, 4]);
  assert.deepEqual([...rb.c.shape], [2, 2, 4]);
  assertClose(rb.output, ra.output.transpose(0, 1), 1e-6, 1e-6, 'output');
  assertClose(rb.c, ra.c, 1e-6, 1e-6, 'c');
  // the last layer's h_n is its last output
  assertClose(ra.h.slice(0, 1, 2).reshape([2, 4]), ra.output.slice(0, 4, 5).reshape([2, 4]), 0, 0, 'h_n');
  // unbatched: (T, in) → output (T, H), h (numLayers, H)
  const u = a.forward(x.slice(1, 0, 1).reshape([5, 3]), { h: h0.slice(1, 0, 1).reshape([2, 4]) });
  assert.deepEqual([...u.output.shape], [5, 4]);
  assert.deepEqual([...u.h.shape], [2, 4]);
  assertClose(u.output, ra.output.slice(1, 0, 1).reshape([5, 4]), 1e-6, 1e-6, 'unbatched output');
  const ub = b.forward(x.slice(1, 0, 1).reshape([5, 3]), { h: h0.slice(1, 0, 1).reshape([2, 4]) });
  assert.deepEqual([...ub.output.shape], [5, 4]);
  assertClose(ub.c, u.c, 1e-6, 1e-6, 'unbatched, batchFirst');
});

test('dropout acts between layers only in training mode, drawn from the seeded generator', () => {
  const make = (seed: number): InstanceType<typeof LSTM> => new LSTM(3, 8, { numLayers: 2, dropout: 0.5, generator: gen(seed) });
  const x = rn([4, 2, 3], 1);
  const m = make(3);
  const noDrop = new LSTM(3, 8, { numLayers: 2, generator: gen(3) });
  const evalOut = m.eval().forward(x).output;
  assertClose(evalOut, noDrop.forward(x).output, 0, 0, 'eval mode is dropout-free');
  const t1 = make(3).train().forward(x).output;
  const t2 = make(3).train().forward(x).output;
  assert.ok(maxAbs(t1, evalOut) > 1e-3, 'training mode drops');
  assertClose(t1, t2, 0, 0, 'same seed, same masks');
  // a single layer has nothing to drop between
  const one = new LSTM(3, 8, { dropout: 0.5, generator: gen(4) });
  assertClose(one.train().forward(x).output, one.eval().forward(x).output, 0, 0, 'one layer');
});

test('float64 inputs run in float64; noGrad records nothing; detachState cuts the graph', () => {
  const m = new GRU(3, 4, { generator: gen(1) });
  const x = rn([2, 2, 3], 1).to('float64');
  assert.equal(m.forward(x).output.dtype, 'float64');
  const r = noGrad(() => m.forward(rn([2, 2, 3], 1)));
  assert.equal(r.output.requiresGrad, false);
  const s = m.forward(rn([2, 2, 3], 1));
  assert.equal(s.h.requiresGrad, true);
  assert.equal(nn.detachState({ h: s.h }).h!.requiresGrad, false);
});

// ---- errors ----

test('errors name the expected and the actual shapes', () => {
  const lstm = new LSTM(3, 4, { numLayers: 2 });
  assert.match(errorOf(() => lstm.forward(zeros([5, 2, 7]))), /LSTM: expected input of shape \(T, B, 3\) or \(T, 3\) unbatched, got \(5,2,7\)/);
  const bf = new LSTM(3, 4, { batchFirst: true });
  assert.match(errorOf(() => bf.forward(zeros([2, 5]))), /LSTM: expected input of shape \(B, T, 3\).*got \(2,5\)/);
  assert.match(errorOf(() => lstm.forward(zeros([5, 2, 3]), { h: zeros([1, 2, 4]) })), /LSTM: expected h0 of shape \(2,2,4\).*got \(1,2,4\)/);
  assert.match(errorOf(() => lstm.forward(zeros([5, 2, 3]), { c: zeros([2, 3, 4]) })), /LSTM: expected c0 of shape \(2,2,4\).*got \(2,3,4\)/);
  assert.match(errorOf(() => new RNN(3, 4).forward(zeros([5, 2, 3]), { h: zeros([1, 2, 5]) })), /RNN: expected h0 of shape \(1,2,4\).*got \(1,2,5\)/);
  assert.match(errorOf(() => new RNN(3, 4).forward(zeros([5, 2, 3]), { c: zeros([1, 2, 4]) })), /RNN: has no cell state/);
  assert.match(errorOf(() => new GRU(3, 4).forward(zeros([0, 2, 3]))), /GRU: the input has no time steps \(shape \(0,2,3\)\)/);
  assert.match(errorOf(() => new LSTMCell(3, 4).forward(zeros([2, 5]))), /LSTMCell: expected input of shape \(B, 3\) or \(3\), got \(2,5\)/);
  assert.match(errorOf(() => new LSTMCell(3, 4).forward(zeros([2, 3]), { h: zeros([2, 5]) })), /LSTMCell: expected h of shape \(2,4\), got \(2,5\)/);
  assert.match(errorOf(() => new RNN(3, 4, { nonlinearity: 'sigmoid' as 'tanh' })), /nonlinearity must be 'tanh' or 'relu', got 'sigmoid'/);
  assert.match(errorOf(() => new LSTM(3, 4, { dropout: 1.5 })), /dropout must be in \[0, 1\], got 1.5/);
  assert.match(errorOf(() => new GRU(3, 4, { numLayers: 0 })), /numLayers must be a positive integer, got 0/);
  const wrong = new LSTM(3, 4, { numLayers: 2 });
  assert.match(errorOf(() => wrong.loadStateDict({ ...wrong.stateDict(), weight_ih_l1: zeros([16, 3]) })), /weight_ih_l1.*\(16,3\).*\(16,4\)/);
});
