/** The long-distance memory experiment ("Tom is a cat … Tom's favorite food is" → fish) and its plot. */
export { ANIMAL_FOOD, NAMES, FILLER_SENTENCES, MemoryTask, fillerWords, type MemoryBatch, type MemoryExample, type MemoryTaskOptions } from './task.js';
export {
  DEFAULT_MEMORY_OPTIONS, QUICK_MEMORY_OPTIONS, MEMORY_SIZES, MEMORY_LR, runMemoryExperiment, makeMemoryModel, trainMemoryStep,
  scoreMemory, testBatches, trainingBatches, drawDistance, benchmarkThroughput,
  type MemoryExperimentOptions, type MemoryExperimentResult, type MemoryModelResult, type MemoryModelKind, type MemoryScore, type ThroughputRow, type MemoryHooks,
} from './experiment.js';
export { memorySvg } from './plot.js';
export { featuresFromEmbeddings, inputGradientNorms, forgetGateTrace, type ForgetGateTrace } from './gradients.js';
export {
  DEFAULT_DISTANCE_OPTIONS, DEFAULT_GRADIENT_OPTIONS, runDistanceExperiment, runGradientExperiment, distanceBatches, trainOnStream,
  type DistanceOptions, type DistanceResult, type DistanceModelResult, type GradientOptions, type GradientResult, type GradientModelResult, type DistanceHooks,
} from './distance.js';
export { DEFAULT_PARALLEL_OPTIONS, runParallelBenchmark, sequentialDepth, type ParallelOptions, type ParallelResult, type ParallelRow } from './parallel.js';
export {
  gradientClaim, distanceClaim, parallelClaim, gradientHeadline, distanceHeadline, parallelHeadline, sequenceHeadlines, SAVED_LAGS,
  type SequenceClaims, type GradientClaim, type DistanceClaim, type ParallelClaim,
} from './claims.js';
export { gradientSvg, distanceSvg, parallelSvg } from './plot.js';
