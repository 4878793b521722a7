/**
 * The GPT chapter's model: a decoder-only Transformer in GPT-2's shape with Hugging Face's parameter
 * names (GptModel), its config in GPT2Config's keys, and its step model for greedy, beam and sampled
 * decoding. The folder functions (Node only, they touch the disk) are in ./checkpoint.js and
 * ./tokenizer.js, not re-exported here.
 */
export { GptModel, GptBlock, GptAttention, GptMlp, type GptForwardOptions } from './model.js';
export { GPT2_SMALL, GPT_ACTIVATIONS, gptConfig, gptConfigFromHf, gptConfigToHf, innerWidth, type GptConfig, type GptActivation } from './config.js';
export { GptStepModel, type GptStepOptions, type GptStepOutput } from './step.js';
