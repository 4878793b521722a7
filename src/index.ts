/**
 * llmcore: tensors with reverse-mode autograd, nn modules, optimizers and safetensors checkpoints.
 *
 * @example
 * import { tensor, nn, optim } from 'llmcore';
 * const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1));
 */
export { Tensor, type TensorLike } from './tensor/tensor.js';
export { tensor, zeros, ones, full, arange, randn, rand, type TensorOptions } from './tensor/create.js';
export { ShapeError, formatShape, type Shape } from './tensor/shape.js';
export type { DType } from './tensor/dtype.js';
export { noGrad, isGradEnabled, setAnomalyDetection, AnomalyError } from './autograd/grad-mode.js';
export { gradcheck, type GradcheckOptions } from './autograd/gradcheck.js';
export { Generator, manualSeed, defaultGenerator } from './util/random.js';
export { getBackend, setBackend, listBackends, registerBackend, type Backend } from './backend/backend.js';
export * from './ops/elementwise.js';
export { sum, mean, max, min, argmax, argmin, logsumexp } from './ops/reduce.js';
export { reshape, permute, transpose, expand, squeeze, unsqueeze, flatten, slice, contiguous, clone } from './ops/view.js';
export { matmul } from './ops/matmul.js';
export { indexSelect, gather, concat, stack } from './ops/index-ops.js';
export { softmax, logSoftmax, layerNorm, embedding, dropout, linear, crossEntropy, mseLoss, geluTanh, type CrossEntropyOptions } from './ops/nn.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as io from './io/index.js';
export { encodeSafetensors, decodeSafetensors, SafetensorsError } from './io/safetensors.js';
export * as text from './text/index.js';
export * as classic from './classic/index.js';
export * as metrics from './metrics/index.js';
export * as train from './train/index.js';
export * as lm from './models/lm/index.js';
export * as memory from './models/memory/index.js';
export * as gpt from './models/gpt/index.js';
