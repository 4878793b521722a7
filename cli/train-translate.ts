/**
 * `llmcore train translate`: trains the Chinese→English Transformer on TSV pairs, with a progress
 * bar, dev evaluation (loss, BLEU, chrF) each epoch, best-checkpoint keeping, resume, a time budget,
 * and Ctrl-C that saves and exits cleanly.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { readParallelFile } from '../src/data/parallel-file.js';
import { Generator } from '../src/util/random.js';
import { Seq2SeqTransformer, type Seq2SeqConfig } from '../src/models/seq2seq/model.js';
import { checkSourceUnit, TranslationTokenizer, type SourceUnit, type TokenizerConfig } from '../src/models/seq2seq/tokenizer.js';
import { DEFAULT_TRAINING, encodePairs, TranslatorTrainer, type TrainingConfig } from '../src/models/seq2seq/train.js';
import {
  findTrainingRun, loadTranslatorConfig, loadWeights, restoreTrainingRun, saveTrainingRun, saveTranslator, type TranslatorConfig,
} from '../src/models/seq2seq/checkpoint.js';
import { formatSeconds, integer, number, parseDuration, positiveInteger, printJson } from './options.js';


interface TrainTranslateOptions {
  train: string;
  dev: string;
  out: string;
  config?: string;
  resume?: boolean;
  timeBudget?: string;
  epochs: number;
  seed: number;
  dModel: number;
  heads: number;
  encoderLayers: number;
  decoderLayers: number;
  ff: number;
  dropout: number;
  normFirst?: boolean;
  tie?: boolean;
  maxTokens: number;
  warmup: number;
  lrFactor: number;
  clip: number;
  source: SourceUnit;
  target: 'bpe' | 'word';
  bpeMerges: number;
  srcBpeMerges: number;
  devBleu: number;
  skipBadLines?: boolean;
  json?: boolean;
}

export async function runTrainTranslate(o: TrainTranslateOptions): Promise<object> {
  const log = o.json ? () => {} : (line: string) => process.stderr.write(line + '\n');
  const fileConfig = o.config ? (JSON.parse(readFileSync(o.config, 'utf8')) as Partial<{ model: Partial<Seq2SeqConfig>; tokenizer: Partial<TokenizerConfig>; training: Partial<TrainingConfig> }>) : {};
  const train = readParallelFile(o.train, { skipBadLines: o.skipBadLines });
  const dev = readParallelFile(o.dev, { skipBadLines: o.skipBadLines });
  for (const [name, c] of [[o.train, train], [o.dev, dev]] as const) {
    if (c.skipped.length) log(`skipped ${c.skipped.length} malformed lines in ${name} (first: line ${c.skipped[0].line}, ${c.skipped[0].reason})`);
  }
  const lastDir = join(o.out, 'last');
  const bestDir = join(o.out, 'best');
  const resumeDir = o.resume ? findTrainingRun(lastDir) : null;
  const resuming = resumeDir !== null;
  if (o.resume && !resuming) log(`--resume: nothing to resume in ${lastDir}; starting a new run`);

  let config: TranslatorConfig;
  let tokenizer: TranslationTokenizer;
  if (resuming) {
    ({ config, tokenizer } = await loadTranslatorConfig(resumeDir));
    // the budget and epoch count of this invocation win over the saved ones
    config.training = { ...DEFAULT_TRAINING, ...config.training, epochs: o.epochs, timeBudgetSeconds: o.timeBudget ? parseDuration(o.timeBudget) : 0 };
  } else {
    const t0 = performance.now();
    tokenizer = TranslationTokenizer.train(train.pairs, {
      source: o.source, target: o.target, bpeMerges: o.bpeMerges, srcBpeMerges: o.srcBpeMerges, ...fileConfig.tokenizer,
    });
    log(`tokenizer: ${tokenizer.srcVocab.size} source and ${tokenizer.tgtVocab.size} target tokens (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    config = {
      format: 'llmcore-translator',
      version: 1,
      model: {
        srcVocab: tokenizer.srcVocab.size, tgtVocab: tokenizer.tgtVocab.size, dModel: o.dModel, nhead: o.heads,
        numEncoderLayers: o.encoderLayers, numDecoderLayers: o.decoderLayers, dimFeedforward: o.ff, dropout: o.dropout,
        normFirst: !!o.normFirst, tieOutput: !!o.tie, maxLen: 256, ...fileConfig.model,
      },
      training: {
        ...DEFAULT_TRAINING, seed: o.seed, maxTokens: o.maxTokens, warmupSteps: o.warmup, lrFactor: o.lrFactor, clipNorm: o.clip,
        epochs: o.epochs, timeBudgetSeconds: o.timeBudget ? parseDuration(o.timeBudget) : 0, devBleuSentences: o.devBleu,
        ...fileConfig.training,
      },
      decoding: { beam: 4, lengthPenalty: 0.6 },
    };
  }
  const training = config.training!;
  const generator = new Generator(training.seed);
  const model = new Seq2SeqTransformer(config.model, { generator });
  const trainer = new TranslatorTrainer(model, tokenizer, encodePairs(tokenizer, train.pairs), dev.pairs, training, generator);
  if (resuming) {
    const step = await loadWeights(resumeDir, model);
    await restoreTrainingRun(resumeDir, trainer, step);
    log(`resumed ${resumeDir} at step ${trainer.state.step} (epoch ${trainer.state.epoch + 1}, batch ${trainer.state.batchInEpoch})`);
  }
  log(`model: ${model.numParameters().toLocaleString('en')} parameters, d_model ${config.model.dModel}, ${config.model.numEncoderLayers}+${config.model.numDecoderLayers} layers; ${trainer.train.length} training pairs`);
  mkdirSync(o.out, { recursive: true });

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    log('\nstopping after this step and saving (Ctrl-C again to quit without saving)…');
    controller.abort();
  };
  process.on('SIGINT', onSigint);

  const useBar = !o.json && process.stderr.isTTY;
  const bar = useBar
    ? new cliProgress.SingleBar({
      format: 'epoch {epoch} |{bar}| {value}/{total} | step {step} | loss {loss} | {tps} tok/s | ETA {eta_formatted}',
      stream: process.stderr, hideCursor: true, clearOnComplete: true,
    }, cliProgress.Presets.shades_classic)
    : null;
  let barEpoch = -1;
  let lastPrint = 0;
  let tokensWindow = 0;
  let secondsWindow = 0;
  const reason = await trainer.run({
    signal: controller.signal,
    onStep: (s) => {
      tokensWindow = 0.98 * tokensWindow + s.tokensPerSecond;
      secondsWindow = 0.98 * secondsWindow + 1;
      const tps = Math.round(tokensWindow / secondsWindow);
      if (bar) {
        if (barEpoch !== s.epoch) {
          bar.stop();
          bar.start(s.batches, s.batch - 1, { epoch: s.epoch + 1, step: s.step, loss: '-', tps: '-' });
          barEpoch = s.epoch;
        }
        bar.update(s.batch, { epoch: s.epoch + 1, step: s.step, loss: s.loss.toFixed(3), tps });
      } else if (!o.json && s.seconds - lastPrint >= 30) {
        lastPrint = s.seconds;
        const left = training.timeBudgetSeconds > 0 ? Math.max(0, training.timeBudgetSeconds - s.seconds) : NaN;
        log(`epoch ${s.epoch + 1} batch ${s.batch}/${s.batches} step ${s.step} loss ${s.loss.toFixed(3)} lr ${s.lr.toExponential(2)} ${tps} tok/s, ${formatSeconds(s.seconds)} trained${Number.isFinite(left) ? `, budget left ${formatSeconds(left)}` : ''}`);
      }
    },
    onEval: (r, isBest) => {
      bar?.stop();
      barEpoch = -1;
      appendFileSync(join(o.out, 'log.jsonl'), JSON.stringify(r) + '\n');
      log(`epoch ${r.epoch} (step ${r.step}): dev loss ${r.devLoss.toFixed(3)}, BLEU ${r.bleu.toFixed(2)}, chrF ${r.chrf.toFixed(2)}${isBest ? '  (best so far, saved)' : ''}  [${formatSeconds(trainer.state.seconds)} trained, eval ${r.seconds.toFixed(0)} s]`);
    },
    save: async (kind, t) => {
      if (kind === 'best') await saveTranslator(bestDir, { model: t.model, tokenizer: t.tokenizer, config, step: t.state.step });
      else await saveTrainingRun(lastDir, t, config);
    },
  });
  bar?.stop();
  process.off('SIGINT', onSigint);
  const s = trainer.state;
  const best = s.history.reduce((b, r) => (r.bleu > (b?.bleu ?? -1) ? r : b), null as (typeof s.history)[number] | null);
  const why = { done: `finished ${training.epochs} epochs`, time: 'time budget used up', stopped: 'stopped by Ctrl-C' }[reason];
  log(`${why}: ${s.step} steps, ${s.epoch} epochs, ${formatSeconds(s.seconds)} of training, ${Math.round(s.trainTokens / Math.max(s.seconds, 1e-9))} target tok/s on average; saved ${lastDir}${best ? `; best dev BLEU ${best.bleu.toFixed(2)} (epoch ${best.epoch}) in ${bestDir}` : ''}`);
  return { reason, steps: s.step, epochs: s.epoch, seconds: s.seconds, tokensPerSecond: s.trainTokens / Math.max(s.seconds, 1e-9), best, history: s.history };
}

export function registerTrainTranslate(program: Command): void {
  const train = program.commands.find((c) => c.name() === 'train') ?? program.command('train').description('train a model of the explainer');
  train
    .command('translate')
    .description('train the Chinese→English Transformer on TSV pairs (Chinese<TAB>English), evaluating on dev each epoch')
    .requiredOption('--train <file>', 'training pairs (TSV: Chinese TAB English)')
    .requiredOption('--dev <file>', 'development pairs, for loss, BLEU and best-checkpoint choice')
    .requiredOption('--out <dir>', 'output directory (last/ for resuming, best/ for the best dev BLEU, log.jsonl)')
    .option('--config <file.json>', 'JSON with {model, tokenizer, training} overrides')
    .option('--resume', 'continue the run saved in OUT/last (as if never stopped)')
    .option('--time-budget <duration>', 'stop after this much training time, e.g. 90m or 2h (evaluation excluded)')
    .option('--epochs <n>', 'most epochs', positiveInteger, 100)
    .option('--seed <n>', 'seed of initialisation, batching and dropout', integer, 1)
    .option('--d-model <n>', 'model width', positiveInteger, 256)
    .option('--heads <n>', 'attention heads', positiveInteger, 4)
    .option('--encoder-layers <n>', 'encoder layers', positiveInteger, 3)
    .option('--decoder-layers <n>', 'decoder layers', positiveInteger, 3)
    .option('--ff <n>', 'feed-forward width', positiveInteger, 1024)
    .option('--dropout <p>', 'dropout', number, 0.2)
    .option('--norm-first', 'pre-LN layers instead of the paper\'s post-LN')
    .option('--tie', 'tie the output projection to the target embedding')
    .option('--max-tokens <n>', 'target tokens per batch, padding included', positiveInteger, 4096)
    .option('--warmup <n>', 'Noam warmup steps', positiveInteger, 1000)
    .option('--lr-factor <x>', 'Noam factor', number, 1)
    .option('--clip <x>', 'gradient-norm clip (0: off)', number, 1)
    .option('--source <unit>', 'Chinese units: char | word (ICU) | bpe (subwords learned inside runs of Han characters)', 'char')
    .option('--target <unit>', 'English units: bpe | word', 'bpe')
    .option('--bpe-merges <n>', 'BPE merges for English', positiveInteger, 4000)
    .option('--src-bpe-merges <n>', 'BPE merges for Chinese (with --source bpe)', positiveInteger, 4000)
    .option('--dev-bleu <n>', 'dev sentences decoded for BLEU each epoch (0: all)', integer, 0)
    .option('--skip-bad-lines', 'skip malformed lines instead of stopping at the first')
    .option('--json', 'print the run summary as JSON')
    .action(async (o: TrainTranslateOptions) => {
      checkSourceUnit(o.source, '--source');
      if (o.target !== 'bpe' && o.target !== 'word') throw new Error(`--target must be bpe or word, got '${o.target}'`);
      const result = await runTrainTranslate(o);
      if (o.json) printJson(result);
    });
}
