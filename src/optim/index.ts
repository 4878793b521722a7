/** Optimizers, gradient clipping and learning-rate schedules, PyTorch-style. */
export { Optimizer, OptimizerStateError, OPTIMIZER_METADATA_KEY, type BaseHyper, type ParamGroup, type ParamGroupSpec, type ParamState, type OptimizerStateDict } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { clipGradNorm, type ClipGradNormOptions } from './clip.js';
export { LRScheduler, linearWarmup, noam, inverseSqrt, cosine, type Schedule, type LRSchedulerState, type HasParamGroups } from './schedules.js';
