import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parameter } from '../../src/nn/module.js';
import { Adam } from '../../src/optim/adam.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { SHARED_FIXTURES, missingFixture } from '../helpers/fixtures.js';

const FIXTURE = join(SHARED_FIXTURES, 'transformer_tiny.safetensors');

test('one Adam step matches torch.optim.Adam on every transformer_tiny parameter', (t) => {
  if (missingFixture(t, FIXTURE)) return;
  const { tensors } = decodeSafetensors(readFileSync(FIXTURE));
  const names = Object.keys(tensors).filter((k) => k.startsWith('param.')).map((k) => k.slice('param.'.length));
  assert.ok(names.length > 50, `found ${names.length} parameters`);
  const params = names.map((n) => {
    const p = new Parameter(tensors[`param.${n}`]);
    p.grad = tensors[`grad.${n}`];
    return p;
  });
  // the fixture's optimizer: torch.optim.Adam(lr=1e-3, betas=(0.9, 0.98), eps=1e-9), one step from zero state
  new Adam(params, { lr: 1e-3, betas: [0.9, 0.98], eps: 1e-9 }).step();
  let worst = 0;
  names.forEach((n, k) => {
    const expected = tensors[`after_adam.${n}`];
    assert.ok(expected, `after_adam.${n} present`);
    assert.deepEqual(params[k].shape, expected.shape);
    for (let i = 0; i < expected.size; i++) {
      const d = Math.abs(params[k].data[i] - expected.data[i]);
      if (d > worst) worst = d;
      if (d > 1e-6) assert.fail(`${n}[${i}]: got ${params[k].data[i]}, PyTorch ${expected.data[i]}`);
    }
  });
  t.diagnostic(`largest difference from PyTorch: ${worst}`);
});
