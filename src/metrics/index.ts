/** Metrics: how good a model's predictions are. */
export { accuracy, confusionMatrix, formatConfusionMatrix } from './classification.js';
export { corpusBleu, sentenceBleu, computeBleu, tokenize13a, formatBleu } from './bleu.js';
export { corpusChrf, sentenceChrf } from './chrf.js';
export { perplexity, perplexityFromLoss } from './perplexity.js';
