/**
 * nn.GRU against torch.nn.GRU(3, 4, num_layers=2, batch_first=True): outputs, h_n, the loss and every
 * gradient (input and all eight parameters), from test/fixtures/pytorch/gru_tiny.safetensors, written
 * by scripts/fixtures/recurrent.py.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GRU } from '../../src/nn/index.js';
import type { Tensor } from '../../src/index.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { REPO_FIXTURES, missingFixture } from '../helpers/fixtures.js';
import { assertParity } from '../helpers/parity.js';

const FILE = join(REPO_FIXTURES, 'gru_tiny.safetensors');

test('nn.GRU matches torch.nn.GRU(3, 4, num_layers=2, batch_first=True): outputs, loss and every gradient', (t) => {
  if (missingFixture(t, FILE)) return;
  const { tensors } = decodeSafetensors(readFileSync(FILE));
  const model = new GRU(3, 4, { numLayers: 2, batchFirst: true });
  const params: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(tensors)) if (k.startsWith('param.')) params[k.slice('param.'.length)] = v;
  model.loadStateDict(params); // strict: PyTorch's names map one-to-one
  const x = tensors['input.x'].detach().requiresGrad_();
  const r = model.forward(x, { h: tensors['input.h0'] });
  const loss = r.output.mul(tensors.loss_weights).sum();
  loss.backward();

  const got: Record<string, Tensor> = { 'output.out': r.output, 'output.h_n': r.h, 'output.loss': loss.reshape([1]), 'grad.input.x': x.grad! };
  const names = Object.keys(model.stateDict());
  assert.equal(names.length, 8);
  for (const [name, p] of model.namedParameters()) got[`grad.${name}`] = p.grad!;
  t.diagnostic(assertParity(got, tensors));
});
