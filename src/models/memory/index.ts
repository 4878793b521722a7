/** The long-distance memory experiment ("Tom is a cat … Tom's favorite food is" → fish) and its plot. */
export { ANIMAL_FOOD, NAMES, FILLER_SENTENCES, MemoryTask, fillerWords, type MemoryBatch, type MemoryExample, type MemoryTaskOptions } from './task.js';
export {
  DEFAULT_MEMORY_OPTIONS, QUICK_MEMORY_OPTIONS, MEMORY_SIZES, MEMORY_LR, runMemoryExperiment, makeMemoryModel, trainMemoryStep,
  scoreMemory, testBatches, trainingBatches, drawDistance, benchmarkThroughput,
  type MemoryExperimentOptions, type MemoryExperimentResult, type MemoryModelResult, type MemoryModelKind, type MemoryScore, type ThroughputRow, type MemoryHooks,
} from './experiment.js';
export { memorySvg } from './plot.js';
