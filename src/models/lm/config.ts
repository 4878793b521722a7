/** What a language-model directory's config.json holds (shared by the Node-only checkpoint code and the rest). */
import type { WordLM, WordLMConfig } from './model.js';
import type { LmTokenizer } from './tokenizer.js';
import type { LmTrainingConfig } from './train.js';

export const LM_FORMAT = 'llmcore-lm';

export interface LmDirConfig {
  format: typeof LM_FORMAT;
  version: 1;
  model: WordLMConfig;
  training?: LmTrainingConfig;
  /** Where the text came from and how it was split. */
  corpus?: { source: string; tokens: number; trainTokens: number; validTokens: number };
  /** What training measured (final epoch). */
  results?: Record<string, number | string>;
}

/** A model with its tokenizer and config, as saved and loaded. */
export interface LoadedLm {
  model: WordLM;
  tokenizer: LmTokenizer;
  config: LmDirConfig;
}
