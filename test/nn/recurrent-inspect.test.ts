// The inspection path of src/nn/recurrent/inspect.ts against the modules' own (fused) forward: the
// same hidden and cell states at every step, and gates that rebuild them by the LSTM's and GRU's formulas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GRU, LSTM, RNN } from '../../src/nn/recurrent/modules.js';
import { traceRecurrent } from '../../src/nn/recurrent/inspect.js';
import { randn } from '../../src/tensor/create.js';
import { Generator } from '../../src/util/random.js';

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

for (const [name, make] of [
  ['RNN tanh', (g: Generator) => new RNN(5, 7, { numLayers: 2, generator: g })],
  ['RNN relu', (g: Generator) => new RNN(5, 7, { numLayers: 1, nonlinearity: 'relu', generator: g })],
  ['LSTM', (g: Generator) => new LSTM(5, 7, { numLayers: 2, generator: g })],
  ['GRU', (g: Generator) => new GRU(5, 7, { numLayers: 2, generator: g })],
] as const) {
  test(`traceRecurrent equals ${name}'s forward at every step and layer, from zero and from a given state`, () => {
    const g = new Generator(3);
    const m = make(g);
    m.eval();
    const x = randn([9, 5], { generator: g });
    for (const withState of [false, true]) {
      const h0 = withState ? randn([m.numLayers, 7], { generator: g }) : null;
      const c0 = withState && m instanceof LSTM ? randn([m.numLayers, 7], { generator: g }) : null;
      const ref = m.forward(x, { h: h0, c: c0 }) as { output: { toFloat32Array(): Float32Array }; h: { toFloat32Array(): Float32Array }; c?: { toFloat32Array(): Float32Array } };
      const tr = traceRecurrent(m, x, { h: h0, c: c0 });
      assert.equal(tr.T, 9);
      assert.equal(tr.layers.length, m.numLayers);
      close(tr.layers[m.numLayers - 1].h, ref.output.toFloat32Array(), 1e-5, `${name} output`);
      const lastH = tr.layers.flatMap((l) => Array.from(l.h.subarray(8 * 7)));
      close(lastH, ref.h.toFloat32Array(), 1e-5, `${name} h_T`);
      if (m instanceof LSTM) {
        const lastC = tr.layers.flatMap((l) => Array.from(l.c!.subarray(8 * 7)));
        close(lastC, ref.c!.toFloat32Array(), 1e-5, `${name} c_T`);
      }
    }
  });
}

test('the LSTM gates rebuild its states: c_t = f·c_{t−1} + i·g, h_t = o·tanh(c_t); all sigmoid gates in (0, 1)', () => {
  const g = new Generator(5);
  const m = new LSTM(4, 6, { generator: g });
  const tr = traceRecurrent(m, randn([12, 4], { generator: g }));
  const { h, c, gates } = tr.layers[0];
  const H = 6;
  for (let t = 0; t < 12; t++) {
    for (let j = 0; j < H; j++) {
      const o = t * H + j;
      const prev = t === 0 ? 0 : c![o - H];
      assert.ok(Math.abs(c![o] - (gates.forget[o] * prev + gates.input[o] * gates.cell[o])) < 1e-5);
      assert.ok(Math.abs(h[o] - gates.output[o] * Math.tanh(c![o])) < 1e-5);
      for (const k of ['input', 'forget', 'output']) assert.ok(gates[k][o] > 0 && gates[k][o] < 1);
    }
  }
  assert.deepEqual(Object.keys(traceRecurrent(new GRU(4, 6, { generator: g }), randn([3, 4], { generator: g })).layers[0].gates), ['reset', 'update', 'new']);
});

test('traceRecurrent names a wrong input shape', () => {
  const m = new LSTM(4, 6);
  assert.throws(() => traceRecurrent(m, randn([3, 5])), /expected one sequence of shape \(T, 4\), got \(3,5\)/);
});
