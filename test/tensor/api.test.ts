/** The public entry point exposes the tensor front end, autograd and the reference backend. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as llm from '../../src/index.js';

test('src/index.ts exports the front end and registers the js backend', () => {
  for (const name of [
    'Tensor', 'tensor', 'zeros', 'ones', 'full', 'arange', 'randn', 'rand', 'ShapeError', 'formatShape', 'noGrad', 'isGradEnabled',
    'setAnomalyDetection', 'AnomalyError', 'gradcheck', 'Generator', 'manualSeed', 'getBackend', 'setBackend', 'listBackends',
    'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'neg', 'exp', 'log', 'sqrt', 'abs', 'tanh', 'sigmoid', 'relu', 'gelu',
    'clamp', 'where', 'maskedFill', 'eq', 'lt', 'sum', 'mean', 'max', 'min', 'argmax', 'argmin', 'logsumexp', 'reshape', 'permute',
    'transpose', 'expand', 'squeeze', 'unsqueeze', 'flatten', 'slice', 'contiguous', 'clone', 'matmul', 'indexSelect', 'gather',
    'concat', 'stack', 'softmax', 'logSoftmax', 'layerNorm', 'embedding', 'dropout', 'linear', 'crossEntropy', 'mseLoss',
  ]) {
    assert.equal(typeof (llm as Record<string, unknown>)[name], 'function', name);
  }
  assert.ok(llm.listBackends().includes('js'));
  // an end-to-end use through the public names only
  const x = llm.tensor([[1, 2], [3, 4]], { requiresGrad: true });
  llm.crossEntropy(llm.matmul(x, x.T), [0, 1]).backward();
  assert.deepEqual(x.grad!.shape, [2, 2]);
});
