/**
 * The GPT chapter's model: a decoder-only Transformer in GPT-2's shape with Hugging Face's parameter
 * names (GptModel), its config in GPT2Config's keys, and its step model for greedy, beam and sampled
 * decoding; the multi-task prompts and their scoring. The folder functions (Node only, they touch the disk) are in ./checkpoint.js and
 * ./tokenizer.js, not re-exported here.
 */
export { GptModel, GptBlock, GptAttention, GptMlp, type GptForwardOptions } from './model.js';
export { GPT2_SMALL, GPT_ACTIVATIONS, gptConfig, gptConfigFromHf, gptConfigToHf, innerWidth, type GptConfig, type GptActivation } from './config.js';
export { GptStepModel, type GptStepOptions, type GptStepOutput } from './step.js';
export { CharTokenizer, CHAR_VOCAB_FILE, randomWindows, splitIds, stepGenerator } from './data.js';
export { GptTask, gptTrainer, gptLoss, decayGroups, estimateLoss, streamLoss, type GptMetrics, type GptEvalRecord } from './train.js';
export { DEFAULT_GPT_RECIPE, gptRecipe, gptRecipeFile, resolveGptRecipe, type GptRecipe, type GptRecipeFile } from './recipe.js';
export {
  CHAT_USER, CHAT_ASSISTANT, IRIS_SPECIES, IRIS_ANSWERS, chatText, chatPrompt, zhEnPrompt, enZhPrompt, irisPrompt, irisSpeciesOf,
  parseTranslationTsv, parseIrisCsv, splitIris, pretrainingText, multitaskExamples, shuffled,
  type ChatExample, type TranslationPair, type IrisFlower, type IrisSpecies, type MultitaskOptions,
} from './tasks.js';
export { answer, evaluateTranslation, evaluateIris, ANSWER_STOPS, type TextTokenizer, type TranslationScore, type IrisScore } from './evaluate.js';
