/**
 * The recurrent cells side by side: one step-buffer type drives every kernel (RNN, LSTM, GRU), each
 * kernel equals its reference cell on one hand-built step, and every recurrent name stays importable
 * from the module paths callers use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, Generator, noGrad, randn, type Tensor } from '../../src/index.js';
import type { CellKernel, LayerWeights, StepBuffers } from '../../src/nn/rnn.js';
import type { FloatArray } from '../../src/backend/backend.js';

const { RNN_TANH, RNN_RELU, LSTM_KERNEL, GRU_KERNEL, rnnCellReference, lstmCellReference, gruCellReference } = nn;

function rn(shape: number[], seed: number): Tensor {
  return randn(shape, { generator: new Generator(seed) });
}

/**
 * One forward step of `kernel` from buffers built by hand: gx rows sit `pad` values apart inside a
 * larger array (as rows of a batch-first projection do), so offsets and strides are exercised.
 */
function stepByHand(kernel: CellKernel, x: Tensor, h0: Tensor, c0: Tensor, w: LayerWeights): { h: number[]; c: number[] } {
  const [B, H] = h0.shape;
  const GH = kernel.gates * H;
  let bias = w.biasIh!;
  if (kernel.foldHiddenBias) bias = bias.add(w.biasHh!);
  const gxRows = x.matmul(w.weightIh.transpose(0, 1)).add(bias).contiguousData(); // (B, G·H)
  const pad = 5;
  const gxOff = 3;
  const gx = new Float32Array(gxOff + B * (GH + pad));
  for (let b = 0; b < B; b++) gx.set(gxRows.subarray(b * GH, (b + 1) * GH), gxOff + b * (GH + pad));
  const h = new Float32Array(2 * B * H);
  h.set(h0.contiguousData());
  const c = new Float32Array(kernel.hasCell ? 2 * B * H : 0);
  if (kernel.hasCell) c.set(c0.contiguousData());
  const s: StepBuffers = {
    B, H, gx, gxOff, gxStride: GH + pad,
    gh: h0.matmul(w.weightHh.transpose(0, 1)).contiguousData() as FloatArray, // (B, G·H), no b_hh
    bHh: kernel.foldHiddenBias ? null : (w.biasHh!.contiguousData() as FloatArray),
    h, hPrev: 0, hNext: B * H, c, cPrev: 0, cNext: B * H,
    saved: new Float32Array(B * kernel.saved * H), savedOff: 0,
  };
  kernel.forward(s);
  return { h: Array.from(h.subarray(B * H)), c: Array.from(c.subarray(B * H)) };
}

function assertNear(actual: number[], expected: Tensor, what: string): void {
  const e = Array.from(expected.contiguousData());
  assert.equal(actual.length, e.length, `${what}: length`);
  actual.forEach((v, i) => assert.ok(Math.abs(v - e[i]) < 1e-5, `${what}[${i}]: ${v} vs ${e[i]}`));
}

test('one step-buffer type drives every cell kernel, each equal to its reference cell', () => {
  noGrad(() => {
    const B = 2;
    const H = 3;
    const cases: [CellKernel, number][] = [[RNN_TANH, 1], [RNN_RELU, 1], [LSTM_KERNEL, 4], [GRU_KERNEL, 3]];
    for (const [kernel, G] of cases) {
      const w: LayerWeights = { weightIh: rn([G * H, 4], 1), weightHh: rn([G * H, H], 2), biasIh: rn([G * H], 3), biasHh: rn([G * H], 4) };
      const x = rn([B, 4], 5);
      const h0 = rn([B, H], 6);
      const c0 = rn([B, H], 7);
      const got = stepByHand(kernel, x, h0, c0, w);
      if (kernel === LSTM_KERNEL) {
        const ref = lstmCellReference(x, h0, c0, w);
        assertNear(got.h, ref.h, 'LSTM h');
        assertNear(got.c, ref.c, 'LSTM c');
      } else if (kernel === GRU_KERNEL) {
        assertNear(got.h, gruCellReference(x, h0, w), 'GRU h');
      } else {
        assertNear(got.h, rnnCellReference(x, h0, w, kernel === RNN_RELU ? 'relu' : 'tanh'), `${kernel.mode} h`);
      }
    }
  });
});

test('every recurrent name stays importable from nn/rnn.js, nn/lstm.js, nn/gru.js and the nn namespace', async () => {
  const rnn = await import('../../src/nn/rnn.js');
  const lstm = await import('../../src/nn/lstm.js');
  const gru = await import('../../src/nn/gru.js');
  const names = {
    rnn: ['RNN', 'RNNCell', 'RNN_TANH', 'RNN_RELU', 'rnnCellReference', 'recurrentLayer', 'runRecurrent', 'detachState', 'RecurrentBase', 'CellBase'],
    lstm: ['LSTM', 'LSTMCell', 'LSTM_KERNEL', 'lstmCellReference'],
    gru: ['GRU', 'GRUCell', 'GRU_KERNEL', 'gruCellReference'],
  };
  for (const [path, mod] of [['rnn', rnn], ['lstm', lstm], ['gru', gru]] as const) {
    for (const name of names[path]) assert.ok(name in mod, `nn/${path}.js exports ${name}`);
  }
  for (const name of [...names.rnn, ...names.lstm, ...names.gru]) assert.ok(name in nn, `nn exports ${name}`);
  // one class per concept: the same binding whichever path it is imported from
  assert.equal(lstm.LSTM, rnn.LSTM);
  assert.equal(gru.GRU_KERNEL, nn.GRU_KERNEL);
});
