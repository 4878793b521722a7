/**
 * Text in, trained language model out: tokenizer, held-out split, model and trainer in one call —
 * what `llmcore lm train`, `lm predict` without a model directory, the tour and the tests share.
 * `trainBuiltinLm` trains on the built-in corpus with small presets that take seconds.
 */
import { Generator } from '../../util/random.js';
import { BUILTIN_LM_CORPUS } from '../../data/lm-corpus.js';
import { WordLM, type LmKind, type WordLMConfig } from './model.js';
import { LmTokenizer, type LmTokenizerOptions } from './tokenizer.js';
import { DEFAULT_LM_TRAINING, LmTrainer, splitHeldOut, type LmRunHooks, type LmStopReason, type LmTrainingConfig } from './train.js';
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
  hooks?: LmRunHooks;
  /** Told about the data and the model before training starts. */
  onStart?: (info: { vocab: number; trainTokens: number; validTokens: number; parameters: number; streams: number; batchesPerEpoch: number }) => void;
}

export interface TrainedLm extends LoadedLm {
  reason: LmStopReason;
  trainer: LmTrainer;
  /** The token streams it trained and was evaluated on. */
  data: { train: Int32Array; valid: Int32Array };
}

/** The config with kind and vocabSize first, as config.json shows it. */
function kindFirst(c: WordLMConfig): WordLMConfig {
  const { kind, vocabSize, ...rest } = c;
  return { kind, vocabSize, ...rest };
}

/** Trains a WordLM of `kind` on `text`; the returned config is what saveLm writes. */
export async function trainLm(text: string, o: TrainLmOptions): Promise<TrainedLm> {
  const training: LmTrainingConfig = { ...DEFAULT_LM_TRAINING, ...o.training };
  const tokenizer = LmTokenizer.train(text, o.tokenizer);
  const ids = tokenizer.encodeText(text);
  const { train, valid } = splitHeldOut(ids, o.validFraction ?? 0.1);
  const sizes: LmSizes = { ...o.model };
  // the Transformer's context covers a training chunk unless asked otherwise
  if (o.kind === 'transformer' && sizes.context === undefined) sizes.context = Math.max(training.bptt, 64);
  const modelConfig: WordLMConfig = { kind: o.kind, vocabSize: tokenizer.size, ...sizes };
  const model = new WordLM(modelConfig, { generator: new Generator(training.seed) });
  const trainer = new LmTrainer(model, train, valid, training);
  o.onStart?.({
    vocab: tokenizer.size, trainTokens: train.length, validTokens: valid.length, parameters: model.numParameters(),
    streams: trainer.streams.B, batchesPerEpoch: trainer.batchesPerEpoch,
  });
  const reason = await trainer.run(o.hooks);
  model.eval();
  const last = trainer.state.history[trainer.state.history.length - 1];
  return {
    model, tokenizer, trainer, reason, data: { train, valid },
    config: {
      format: LM_FORMAT, version: 1, model: kindFirst(model.config), training,
      corpus: { source: o.source ?? 'text', tokens: ids.length, trainTokens: train.length, validTokens: valid.length },
      results: last ? {
        epochs: trainer.state.history.length, steps: trainer.state.step, trainSeconds: Number(trainer.state.seconds.toFixed(2)),
        trainPerplexity: last.trainPerplexity, validPerplexity: last.validPerplexity, stopped: reason,
      } : { steps: trainer.state.step, stopped: reason },
    },
  };
}

/** Small models for the built-in corpus: each trains in a few seconds on one CPU core. */
export const BUILTIN_PRESETS: Record<LmKind, { model: LmSizes; training: Partial<LmTrainingConfig> }> = {
  rnn: { model: { embDim: 32, hiddenSize: 64, dropout: 0.1 }, training: { epochs: 40, batchSize: 16, bptt: 16, lr: 5e-3 } },
  lstm: { model: { embDim: 32, hiddenSize: 64, dropout: 0.1 }, training: { epochs: 40, batchSize: 16, bptt: 16, lr: 5e-3 } },
  gru: { model: { embDim: 32, hiddenSize: 64, dropout: 0.1 }, training: { epochs: 40, batchSize: 16, bptt: 16, lr: 5e-3 } },
  transformer: { model: { embDim: 32, nhead: 2, numLayers: 2, dimFeedforward: 64, dropout: 0.1, context: 32 }, training: { epochs: 40, batchSize: 16, bptt: 16, lr: 3e-3 } },
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
