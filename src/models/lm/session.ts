/**
 * Text in, trained language model out: tokenizer, held-out split, model and trainer in one call —
 * what `llmcore lm train`, `lm predict` without a model directory, the tour and the tests share.
 * `trainBuiltinLm` trains on the built-in corpus with small presets that take seconds.
 */
import { Generator } from '../../util/random.js';
import { BUILTIN_LM_CORPUS } from '../../data/lm-corpus.js';
import { WordLM, type LmKind, type WordLMConfig } from './model.js';
import { LmTokenizer, type LmTokenizerOptions } from './tokenizer.js';
import { DEFAULT_LM_TRAINING, LmTask, lmTrainer, splitHeldOut, type LmMetrics, type LmTrainingConfig } from './train.js';
import type { StopReason, Trainer, TrainerHooks } from '../../train/trainer.js';
import { LM_FORMAT, type LoadedLm } from './config.js';

export type LmSizes = Omit<WordLMConfig, 'kind' | 'vocabSize'>;

export interface TrainLmOptions {
  kind: LmKind;
  /** Model sizes (defaults: WordLM's). */
  model?: LmSizes;
  training?: Partial<LmTrainingConfig>;
  tokenizer?: LmTokenizerOptions;
  /** Share of the text held out for perplexity, cut at a line end (default 0.1). */
  validFraction?: number;
  /** Where the text came from, for config.json. */
  source?: string;
  hooks?: TrainerHooks<LmMetrics>;
  /** Told about the data and the model before training starts. */
  onStart?: (info: { vocab: number; trainTokens: number; validTokens: number; parameters: number; streams: number; batchesPerEpoch: number }) => void;
}

/** A model ready to train: its task and the shared Trainer over it (see {@link prepareLm}). */
export interface PreparedLm extends LoadedLm {
  task: LmTask;
  trainer: Trainer<LmMetrics>;
  /** The token streams it trains and is evaluated on. */
  data: { train: Int32Array; valid: Int32Array };
}

export interface TrainedLm extends PreparedLm {
  reason: StopReason;
}

/** The config with kind and vocabSize first, as config.json shows it. */
function kindFirst(c: WordLMConfig): WordLMConfig {
  const { kind, vocabSize, ...rest } = c;
  return { kind, vocabSize, ...rest };
}

/**
 * Everything a run needs before its first step: the tokenizer learned on `text`, the held-out split,
 * the model, its task and trainer. `llmcore train lm` runs the trainer itself (with its run folder);
 * {@link trainLm} runs it in memory.
 */
export function prepareLm(text: string, o: Omit<TrainLmOptions, 'hooks'>): PreparedLm {
  const training: LmTrainingConfig = { ...DEFAULT_LM_TRAINING, ...o.training };
  const tokenizer = LmTokenizer.train(text, o.tokenizer);
  const ids = tokenizer.encodeText(text);
  const { train, valid } = splitHeldOut(ids, o.validFraction ?? 0.1);
  const sizes: LmSizes = { ...o.model };
  // the Transformer's context covers a training chunk unless asked otherwise
  if (o.kind === 'transformer' && sizes.context === undefined) sizes.context = Math.max(training.bptt, 64);
  const modelConfig: WordLMConfig = { kind: o.kind, vocabSize: tokenizer.size, ...sizes };
  const generator = new Generator(training.seed);
  const model = new WordLM(modelConfig, { generator });
  const task = new LmTask(model, train, valid, training, generator);
  const trainer = lmTrainer(task);
  o.onStart?.({
    vocab: tokenizer.size, trainTokens: train.length, validTokens: valid.length, parameters: model.numParameters(),
    streams: task.streams.B, batchesPerEpoch: task.batchesPerEpoch,
  });
  return {
    model, tokenizer, task, trainer, data: { train, valid },
    config: {
      format: LM_FORMAT, version: 1, model: kindFirst(model.config), training,
      corpus: { source: o.source ?? 'text', tokens: ids.length, trainTokens: train.length, validTokens: valid.length },
    },
  };
}

/** What training measured, for config.json's `results`. */
export function lmResults(p: PreparedLm, reason: StopReason): Record<string, number | string> {
  const st = p.trainer.state;
  const last = st.history[st.history.length - 1];
  return last ? {
    epochs: st.epoch, steps: st.step, trainSeconds: Number(st.seconds.toFixed(2)),
    trainPerplexity: Math.exp(last.trainLoss), validPerplexity: last.validPerplexity, stopped: reason,
  } : { steps: st.step, stopped: reason };
}

/** Trains a WordLM of `kind` on `text` in memory; the returned config is what saveLm writes. */
export async function trainLm(text: string, o: TrainLmOptions): Promise<TrainedLm> {
  const p = prepareLm(text, o);
  const reason = await p.trainer.run(o.hooks);
  p.model.eval();
  return { ...p, reason, config: { ...p.config, results: lmResults(p, reason) } };
}

/** Small models for the built-in corpus: each trains in a few seconds on one CPU core. */
export const BUILTIN_PRESETS: Record<LmKind, { model: LmSizes; training: Partial<LmTrainingConfig> }> = {
  rnn: { model: { embDim: 32, hiddenSize: 64, dropout: 0.1 }, training: { epochs: 40, batchSize: 16, bptt: 16, lr: 5e-3 } },
  lstm: { model: { embDim: 32, hiddenSize: 64, dropout: 0.1 }, training: { epochs: 40, batchSize: 16, bptt: 16, lr: 5e-3 } },
  gru: { model: { embDim: 32, hiddenSize: 64, dropout: 0.1 }, training: { epochs: 40, batchSize: 16, bptt: 16, lr: 5e-3 } },
  transformer: { model: { embDim: 32, nhead: 2, numLayers: 2, dimFeedforward: 64, dropout: 0.1, context: 32 }, training: { epochs: 40, batchSize: 16, bptt: 16, lr: 3e-3 } },
};

/** Sizes and training settings for a real text (`llmcore train lm --text FILE`), per kind; explicit options win. */
export const TEXT_PRESETS: Record<LmKind, { model: LmSizes; training: Partial<LmTrainingConfig> }> = {
  rnn: { model: { embDim: 64, hiddenSize: 128, numLayers: 1, dropout: 0.2 }, training: { epochs: 10, batchSize: 32, bptt: 32, lr: 2e-3 } },
  lstm: { model: { embDim: 64, hiddenSize: 128, numLayers: 1, dropout: 0.2 }, training: { epochs: 10, batchSize: 32, bptt: 32, lr: 2e-3 } },
  gru: { model: { embDim: 64, hiddenSize: 128, numLayers: 1, dropout: 0.2 }, training: { epochs: 10, batchSize: 32, bptt: 32, lr: 2e-3 } },
  transformer: { model: { embDim: 64, nhead: 4, numLayers: 2, dimFeedforward: 256, dropout: 0.2 }, training: { epochs: 10, batchSize: 32, bptt: 32, lr: 1e-3 } },
};

/**
 * Trains a `kind` model on the built-in corpus (src/data/lm-corpus.ts) with its preset; seeded, so the
 * same call gives the same model. Options override the preset.
 * @example const { model, tokenizer } = await trainBuiltinLm('lstm'); predictNext(model, tokenizer, 'Apple is')
 */
export async function trainBuiltinLm(kind: LmKind, o: Partial<Omit<TrainLmOptions, 'kind'>> = {}): Promise<TrainedLm> {
  const preset = BUILTIN_PRESETS[kind];
  return trainLm(BUILTIN_LM_CORPUS, {
    ...o, kind, source: 'built-in corpus (src/data/lm-corpus.ts)',
    model: { ...preset.model, ...o.model }, training: { ...preset.training, ...o.training },
  });
}
