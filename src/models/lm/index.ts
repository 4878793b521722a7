/**
 * The word-level language model (the explainer's "Apple is" → "red"): tokenizer, WordLM (RNN, LSTM,
 * GRU or causal Transformer), truncated-BPTT training, perplexity, next-word prediction. The
 * checkpoint functions (Node only, they touch the disk) are in ./checkpoint.js, not re-exported here.
 */
export { LM_KINDS, WordLM, resolveWordLMConfig, type LmKind, type LmOutput, type WordLMConfig, type ResolvedWordLMConfig } from './model.js';
export { LmTokenizer, lmTokens, textLines, type LmTokenizerOptions, type LmTokenizerJSON } from './tokenizer.js';
export {
  DEFAULT_LM_TRAINING, LmTask, lmTrainer, batchify, chunk, evaluateLm, splitHeldOut, unigramPerplexity,
  type LmTrainingConfig, type LmMetrics, type LmEvalRecord, type LmEvaluation, type Streams,
} from './train.js';
export { predictNext, nextDistribution, continueGreedy, PromptError, type NextWord, type NextWordPrediction } from './predict.js';
export { LmStepModel } from './step.js';
export { LM_FORMAT, type LmDirConfig, type LoadedLm } from './config.js';
export { trainLm, prepareLm, lmResults, trainBuiltinLm, BUILTIN_PRESETS, TEXT_PRESETS, type TrainLmOptions, type PreparedLm, type TrainedLm, type LmSizes } from './session.js';
