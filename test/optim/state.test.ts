import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { SGD } from '../../src/optim/sgd.js';
import { Adam, AdamW } from '../../src/optim/adam.js';
import { OptimizerStateError, type Optimizer } from '../../src/optim/optimizer.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';

/** Deterministic, different gradients per step and parameter. */
function feed(ps: Tensor[], step: number): void {
  ps.forEach((p, k) => {
    p.grad = tensor(Array.from({ length: p.size }, (_, i) => Math.sin(step * 7 + k * 3 + i) * 0.3), { shape: [...p.shape] });
  });
}

const makeParams = (): Tensor[] => [tensor([[0.5, -1], [2, 0.25]], { requiresGrad: true }), tensor([0.1, 0.2, 0.3], { requiresGrad: true })];

function copyParams(from: Tensor[], to: Tensor[]): void {
  to.forEach((p, i) => (p.data as Float32Array).set(from[i].data));
}

function assertSameBits(a: Tensor[], b: Tensor[]): void {
  a.forEach((p, i) => assert.deepEqual(new Uint8Array((b[i].data as Float32Array).buffer), new Uint8Array((p.data as Float32Array).buffer), `parameter ${i}`));
}

const kinds: [string, (ps: Tensor[]) => Optimizer<any>][] = [
  ['SGD with Nesterov momentum', (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ['Adam with AMSGrad', (ps) => new Adam(ps, { lr: 0.01, amsgrad: true, weightDecay: 0.1 })],
  ['AdamW in two groups', (ps) => new AdamW([{ params: [ps[0]] }, { params: [ps[1]], weightDecay: 0, lr: 0.02 }], { lr: 0.01 })],
];

for (const [name, make] of kinds) {
  test(`${name}: stateDict → loadStateDict into a fresh optimizer → identical later steps, bit for bit`, () => {
    const pa = makeParams();
    const a = make(pa);
    for (let s = 1; s <= 3; s++) { feed(pa, s); a.step(); }
    const saved = a.stateDict();
    const pb = makeParams();
    copyParams(pa, pb);
    const b = make(pb);
    b.loadStateDict(saved);
    for (let s = 4; s <= 7; s++) { feed(pa, s); a.step(); feed(pb, s); b.step(); }
    assertSameBits(pa, pb);
  });

  test(`${name}: the same through safetensors bytes (stateTensors → encode → decode → loadStateTensors)`, () => {
    const pa = makeParams();
    const a = make(pa);
    for (let s = 1; s <= 3; s++) { feed(pa, s); a.step(); }
    const { tensors, metadata } = a.stateTensors();
    const bytes = encodeSafetensors(tensors, { metadata });
    const pb = makeParams();
    copyParams(pa, pb);
    const b = make(pb);
    b.loadStateTensors(decodeSafetensors(bytes));
    for (let s = 4; s <= 7; s++) { feed(pa, s); a.step(); feed(pb, s); b.step(); }
    assertSameBits(pa, pb);
  });
}

test('stateTensors uses PyTorch buffer names keyed by parameter number, shaped like the parameter', () => {
  const ps = makeParams();
  const opt = new Adam(ps, { amsgrad: true });
  feed(ps, 1);
  opt.step();
  const { tensors, metadata } = opt.stateTensors();
  assert.deepEqual(Object.keys(tensors).sort(), [
    'state.0.exp_avg', 'state.0.exp_avg_sq', 'state.0.max_exp_avg_sq', 'state.1.exp_avg', 'state.1.exp_avg_sq', 'state.1.max_exp_avg_sq',
  ]);
  assert.deepEqual(tensors['state.0.exp_avg'].shape, [2, 2]);
  const json = JSON.parse(metadata['llmcore.optimizer']);
  assert.equal(json.kind, 'Adam');
  assert.deepEqual(json.paramGroups[0].params, [0, 1]);
  assert.deepEqual(json.paramGroups[0].betas, [0.9, 0.999]);
  assert.deepEqual(json.state, { 0: { step: 1 }, 1: { step: 1 } });
});

test('stateDict is a snapshot: later steps do not change it; hyper-parameters (lr) are restored', () => {
  const ps = makeParams();
  const opt = new SGD(ps, { lr: 0.1, momentum: 0.9 });
  feed(ps, 1);
  opt.step();
  const saved = opt.stateDict();
  const buf = Float32Array.from(saved.state[0].buffers.momentum_buffer);
  feed(ps, 2);
  opt.step();
  assert.deepEqual(saved.state[0].buffers.momentum_buffer, buf);
  opt.paramGroups[0].lr = 0.5;
  opt.loadStateDict(saved);
  assert.equal(opt.paramGroups[0].lr, 0.1);
  assert.equal(opt.getState(ps[0])?.step, 1);
});

test('bad input: mismatched state is an error naming what differs, and nothing is half-loaded', () => {
  const ps = makeParams();
  const adam = new Adam(ps);
  feed(ps, 1);
  adam.step();
  const saved = adam.stateDict();
  const expectError = (fn: () => void, pattern: RegExp): void => assert.throws(fn, (e: unknown) => e instanceof OptimizerStateError && pattern.test(e.message));

  expectError(() => new SGD(makeParams()).loadStateDict(saved as never), /the state is from Adam, this optimizer is SGD/);
  expectError(() => new Adam([tensor([1, 2], { requiresGrad: true })]).loadStateDict(saved), /group 0 has 2 parameters in the state, 1 here/);
  expectError(() => new Adam([{ params: [makeParams()[0]] }, { params: [makeParams()[1]] }]).loadStateDict(saved), /the state has 1 parameter groups, this optimizer has 2/);
  const wrongLen = structuredClone(saved);
  wrongLen.state[1].buffers.exp_avg = new Float32Array(2);
  expectError(() => new Adam(makeParams()).loadStateDict(wrongLen), /state\.1\.exp_avg: expected 3 values \(parameter shape \(3,\)\), found 2/);
  const missing = structuredClone(saved);
  delete missing.state[0].buffers.exp_avg_sq;
  expectError(() => new Adam(makeParams()).loadStateDict(missing), /parameter 0: expected buffers \[exp_avg, exp_avg_sq\], found \[exp_avg\]/);
  const hyper = structuredClone(saved) as unknown as { paramGroups: Record<string, unknown>[] };
  delete hyper.paramGroups[0].eps;
  hyper.paramGroups[0].momentum = 0.9;
  expectError(() => new Adam(makeParams()).loadStateDict(hyper as never), /group 0 hyper-parameters differ: missing eps; unexpected momentum/);

  // a failed load leaves the optimizer as it was
  const fresh = new Adam(makeParams(), { lr: 0.5 });
  expectError(() => fresh.loadStateDict(missing), /expected buffers/);
  assert.equal(fresh.paramGroups[0].lr, 0.5);

  const { tensors, metadata } = adam.stateTensors();
  expectError(() => new Adam(makeParams()).loadStateTensors({ tensors, metadata: {} }), /no 'llmcore.optimizer' metadata/);
  expectError(() => new Adam(makeParams()).loadStateTensors({ tensors: { ...tensors, 'state.0.foo.bar': tensors['state.0.exp_avg'] }, metadata }), /unexpected tensor 'state.0.foo.bar'/);
  expectError(() => new Adam(makeParams()).loadStateTensors({ tensors: { ...tensors, 'state.1.exp_avg': tensor([1, 2]) }, metadata }), /'state.1.exp_avg' has shape \(2,\), parameter 1 has \(3,\)/);
});
