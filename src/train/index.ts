/**
 * Training, the same for every chapter: the shared {@link Trainer} over a chapter's TrainingTask, and
 * recipes (settings as validated files). The run folder on disk is Node-only: src/train/run-dir.ts.
 */
export {
  Trainer, TrainingDivergedError, yieldToEventLoop,
  type TrainingTask, type TrainerConfig, type TrainerState, type TrainerHooks, type StepInfo, type StopReason, type EvalRecord, type Metrics, type BatchLoss,
} from './trainer.js';
export { RecipeError, parseWith, mergeSections, formatIssues } from './recipe.js';
