/** Metrics: how good a model's predictions are. */
export { accuracy, confusionMatrix, formatConfusionMatrix } from './classification.js';
