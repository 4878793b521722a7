/**
 * `llmcore lm`: the explainer's second act, "Apple is" → "red". A word-level language model (RNN,
 * LSTM, GRU or a small causal Transformer) trained with truncated backpropagation through time, its
 * perplexity on held-out text, and top-k next-word prediction with probabilities.
 *
 *   llmcore lm train --model lstm [--text FILE] [--out DIR] [--epochs N] [--time-budget 5m] [--json]
 *   llmcore lm predict "Apple is" [--model-dir DIR] [--model lstm] [--top 5] [--json]
 *
 * Without --text, training uses the built-in corpus (src/data/lm-corpus.ts). Without --model-dir,
 * predict trains the built-in model of --model on the fly (seeded, a few seconds) and uses it.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { LM_KINDS, type LmKind } from '../src/models/lm/model.js';
import { BUILTIN_PRESETS, trainBuiltinLm, trainLm, type LmSizes, type TrainedLm } from '../src/models/lm/session.js';
import { continueGreedy, predictNext, PromptError, type NextWordPrediction } from '../src/models/lm/predict.js';
import { unigramPerplexity, type LmTrainingConfig } from '../src/models/lm/train.js';
import { loadLm, saveLm, type LoadedLm } from '../src/models/lm/checkpoint.js';
import { BUILTIN_LM_CORPUS } from '../src/data/lm-corpus.js';
import { detokenizeEnglish } from '../src/text/english.js';
import { integer, number, parseDuration, positiveInteger, printJson } from './options.js';

/** Sizes and training settings for a real text (a file), per kind; explicit options win. */
export const TEXT_PRESETS: Record<LmKind, { model: LmSizes; training: Partial<LmTrainingConfig> }> = {
  rnn: { model: { embDim: 64, hiddenSize: 128, numLayers: 1, dropout: 0.2 }, training: { epochs: 10, batchSize: 32, bptt: 32, lr: 2e-3 } },
  lstm: { model: { embDim: 64, hiddenSize: 128, numLayers: 1, dropout: 0.2 }, training: { epochs: 10, batchSize: 32, bptt: 32, lr: 2e-3 } },
  gru: { model: { embDim: 64, hiddenSize: 128, numLayers: 1, dropout: 0.2 }, training: { epochs: 10, batchSize: 32, bptt: 32, lr: 2e-3 } },
  transformer: { model: { embDim: 64, nhead: 4, numLayers: 2, dimFeedforward: 256, dropout: 0.2 }, training: { epochs: 10, batchSize: 32, bptt: 32, lr: 1e-3 } },
};

function kindOf(v: string): LmKind {
  if (!(LM_KINDS as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${LM_KINDS.join(', ')}, got '${v}'`);
  return v as LmKind;
}

function fraction(v: string): number {
  const x = number(v);
  if (!(x > 0 && x < 1)) throw new InvalidArgumentError(`expected a number between 0 and 1, got '${v}'`);
  return x;
}

/**
 * The text of --text: a plain file read whole, or one column of a TSV (the English side of Tatoeba's
 * `Chinese<TAB>English` pairs: the last column unless --tsv-column says which, 1-based).
 */
export function readLmText(path: string, column?: number): { text: string; source: string } {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`lm: cannot read --text ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (column === undefined && !/\.tsv$/i.test(path)) return { text: raw, source: path };
  const rows = raw.split(/\r?\n/).filter((l) => l.trim() !== '');
  const lines: string[] = [];
  let col = column;
  for (const row of rows) {
    const cells = row.split('\t');
    const c = col ?? cells.length;
    if (c < 1 || c > cells.length) throw new Error(`lm: ${path} has a row with ${cells.length} columns; --tsv-column ${c} is out of range`);
    col = c;
    lines.push(cells[c - 1]);
  }
  return { text: lines.join('\n'), source: `${path} (column ${col ?? 1})` };
}

export interface LmTrainOptions {
  model: LmKind;
  text?: string;
  tsvColumn?: number;
  out?: string;
  epochs?: number;
  timeBudget?: string;
  maxSteps?: number;
  seed?: number;
  emb?: number;
  hidden?: number;
  layers?: number;
  heads?: number;
  ff?: number;
  context?: number;
  dropout?: number;
  tie?: boolean;
  bptt?: number;
  batchSize?: number;
  lr?: number;
  clip?: number;
  maxVocab?: number;
  minFreq?: number;
  validFraction?: number;
  prompt?: string;
  top: number;
  json?: boolean;
}

function formatTop(p: NextWordPrediction): string[] {
  const w = Math.max(6, ...p.top.map((t) => t.word.length));
  return p.top.map((t, i) => `  ${String(i + 1).padStart(2)}. ${t.word.padEnd(w)} ${t.prob.toFixed(3)}  ${'█'.repeat(Math.max(0, Math.round(t.prob * 40)))}`);
}

/** Trains a model as `llmcore lm train` does; progress goes to `log`; returns what --json prints. */
export async function runLmTrain(o: LmTrainOptions, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<Record<string, unknown>> {
  const say = o.json ? () => {} : log;
  const kind = o.model;
  const { text, source } = o.text ? readLmText(o.text, o.tsvColumn) : { text: BUILTIN_LM_CORPUS, source: 'built-in corpus (src/data/lm-corpus.ts)' };
  const preset = (o.text ? TEXT_PRESETS : BUILTIN_PRESETS)[kind];
  const defined = <T extends object>(x: T): Partial<T> => Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined)) as Partial<T>;
  const model: LmSizes = {
    ...preset.model,
    ...defined({ embDim: o.emb, hiddenSize: o.hidden, numLayers: o.layers, nhead: o.heads, dimFeedforward: o.ff, context: o.context, dropout: o.dropout, tieWeights: o.tie }),
  };
  const training: Partial<LmTrainingConfig> = {
    ...preset.training,
    ...defined({ epochs: o.epochs, bptt: o.bptt, batchSize: o.batchSize, lr: o.lr, clip: o.clip, maxSteps: o.maxSteps }),
    seed: o.seed ?? 0,
    timeBudgetSeconds: o.timeBudget ? parseDuration(o.timeBudget) : 0,
  };
  const tokenizer = { maxVocab: o.maxVocab ?? 10_000, minFreq: o.minFreq ?? (o.text ? 2 : 1) };

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    if (++interrupts > 1) process.exit(130);
    log('\nstopping after this step (Ctrl-C again to quit at once)…');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const useBar = !o.json && process.stderr.isTTY;
  const bar = useBar
    ? new cliProgress.SingleBar({ format: 'epoch {epoch} |{bar}| {value}/{total} chunks | loss {loss} | {tps} tok/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
    : null;
  let barEpoch = -1;
  let lastPrint = 0;
  const epochsTotal = training.epochs ?? 10;
  let trained: TrainedLm;
  try {
    trained = await trainLm(text, {
      kind, model, training, tokenizer, validFraction: o.validFraction ?? 0.1, source,
      onStart: (i) => {
        say(`${source}: ${(i.trainTokens + i.validTokens).toLocaleString('en')} tokens (${i.trainTokens.toLocaleString('en')} train, ${i.validTokens.toLocaleString('en')} held out), vocabulary ${i.vocab.toLocaleString('en')} words`);
        say(`${kind} LM: ${i.parameters.toLocaleString('en')} parameters; ${i.streams} streams × ${training.bptt} positions per step, ${i.batchesPerEpoch} steps per epoch`);
      },
      hooks: {
        signal: controller.signal,
        onStep: (s) => {
          if (!bar) {
            if (!o.json && s.seconds - lastPrint >= 30) {
              lastPrint = s.seconds;
              say(`  epoch ${s.epoch + 1}, step ${s.batch}/${s.batches}: loss ${s.loss.toFixed(3)}, ${Math.round(s.tokensPerSecond).toLocaleString('en')} tok/s, ${s.seconds.toFixed(0)} s trained`);
            }
            return;
          }
          if (barEpoch !== s.epoch) {
            bar.stop();
            bar.start(s.batches, s.batch - 1, { epoch: `${s.epoch + 1}/${epochsTotal}`, loss: '-', tps: '-' });
            barEpoch = s.epoch;
          }
          bar.update(s.batch, { epoch: `${s.epoch + 1}/${epochsTotal}`, loss: s.loss.toFixed(3), tps: Math.round(s.tokensPerSecond) });
        },
        onEpoch: (r) => {
          bar?.stop();
          barEpoch = -1;
          const every = epochsTotal > 20 ? Math.ceil(epochsTotal / 10) : 1;
          if (r.epoch % every === 0 || r.epoch === epochsTotal || !r.complete) {
            say(`epoch ${r.epoch}${r.complete ? '' : ' (partial)'}: train perplexity ${r.trainPerplexity.toFixed(2)}, held-out perplexity ${r.validPerplexity.toFixed(2)}, ${Math.round(r.tokensPerSecond).toLocaleString('en')} tok/s, ${r.seconds.toFixed(1)} s`);
          }
        },
      },
    });
  } finally {
    bar?.stop();
    process.off('SIGINT', onSigint);
  }
  const st = trained.trainer.state;
  const last = st.history[st.history.length - 1];
  const unigram = unigramPerplexity(trained.data.train, trained.data.valid, trained.tokenizer.size);
  const why = { done: `finished ${training.epochs} epochs`, time: 'time budget used up', steps: `reached ${training.maxSteps} steps`, stopped: 'stopped by Ctrl-C' }[trained.reason];
  say(`${why}: ${st.step} steps in ${st.seconds.toFixed(1)} s (${Math.round(st.trainTokens / Math.max(st.seconds, 1e-9)).toLocaleString('en')} tok/s)`);
  if (last) say(`held-out perplexity ${last.validPerplexity.toFixed(2)} (a unigram model, no context: ${unigram.toFixed(2)})`);
  const result: Record<string, unknown> = {
    model: kind, parameters: trained.model.numParameters(), vocab: trained.tokenizer.size, corpus: trained.config.corpus,
    config: trained.config.model, training: trained.config.training, reason: trained.reason, steps: st.step, seconds: st.seconds,
    tokensPerSecond: st.trainTokens / Math.max(st.seconds, 1e-9),
    trainPerplexity: last?.trainPerplexity ?? null, validPerplexity: last?.validPerplexity ?? null, unigramValidPerplexity: unigram,
    history: st.history,
  };
  const prompt = o.prompt ?? (o.text ? undefined : 'Apple is');
  if (o.out) {
    await saveLm(o.out, trained);
    say(`saved ${o.out} (config.json, tokenizer.json, model.safetensors); try: llmcore lm predict "${prompt ?? 'PROMPT'}" --model-dir ${o.out}`);
    result.out = o.out;
  } else {
    say('not saved (give --out DIR to keep the model)');
  }
  if (prompt) {
    try {
      const p = predictNext(trained.model, trained.tokenizer, prompt, o.top);
      say(`"${prompt}" →`);
      for (const l of formatTop(p)) say(l);
      result.prediction = p;
    } catch (e) {
      if (!(e instanceof PromptError)) throw e;
      say(`--prompt: ${e.message}`);
      result.predictionError = e.message;
    }
  }
  return result;
}

export interface LmPredictOptions {
  modelDir?: string;
  model?: LmKind;
  top: number;
  generate?: number;
  seed?: number;
  json?: boolean;
}

/**
 * The built-in model of `kind` trained with its preset and `seed`, once per process: `lm predict`
 * without a directory and the tour share it (they only read it).
 */
const builtinCache = new Map<string, Promise<{ lm: TrainedLm; seconds: number }>>();
function builtinModel(kind: LmKind, seed = 0): Promise<{ lm: TrainedLm; seconds: number }> {
  const key = `${kind}:${seed}`;
  let p = builtinCache.get(key);
  if (!p) {
    const t0 = performance.now();
    p = trainBuiltinLm(kind, { training: { seed } }).then((lm) => ({ lm, seconds: (performance.now() - t0) / 1000 }));
    p.catch(() => builtinCache.delete(key));
    builtinCache.set(key, p);
  }
  return p;
}

/** A model for predict: the directory's, or the built-in one of `kind` trained now. */
async function modelFor(o: LmPredictOptions, log: (line: string) => void): Promise<LoadedLm & { origin: string }> {
  if (o.modelDir) {
    const lm = await loadLm(o.modelDir, { kind: o.model });
    return { ...lm, origin: `${o.modelDir} (${lm.config.corpus?.source ?? 'unknown text'})` };
  }
  const kind = o.model ?? 'lstm';
  const { lm, seconds } = await builtinModel(kind, o.seed);
  log(`(no --model-dir: trained the built-in ${kind} LM on the fly in ${seconds.toFixed(1)} s)`);
  return { ...lm, origin: `built-in corpus, trained now in ${seconds.toFixed(1)} s` };
}

/** Predicts as `llmcore lm predict` does; returns what --json prints. */
export async function runLmPredict(prompt: string, o: LmPredictOptions, out: (line: string) => void = console.log): Promise<Record<string, unknown>> {
  const say = o.json ? () => {} : out;
  const lm = await modelFor(o, o.json ? () => {} : (l) => process.stderr.write(l + '\n'));
  const p = predictNext(lm.model, lm.tokenizer, prompt, o.top);
  const shown = prompt.length > 70 ? `…${prompt.slice(-60)}` : prompt;
  say(`${lm.model.kind} LM (${lm.origin}): "${shown}" →`);
  if (p.unknown.length) say(`  (not in the vocabulary, read as <unk>: ${p.unknown.join(', ')})`);
  if (p.truncated) say(`  (the prompt is longer than the Transformer's context of ${lm.model.maxPositions} tokens: the first ${p.truncated} were dropped)`);
  for (const l of formatTop(p)) say(l);
  const result: Record<string, unknown> = { model: lm.model.kind, ...p };
  if (o.generate) {
    const words = continueGreedy(lm.model, lm.tokenizer, prompt, o.generate);
    say(`greedy continuation: ${prompt} ${detokenizeEnglish(words, { capitalize: false })}`);
    result.continuation = words;
  }
  return result;
}

/**
 * The tour's chapter: trains the built-in RNN and LSTM (seconds each) and shows "Apple is" → top 5
 * with probabilities for both. Returns { rnn, lstm } with each model's prediction and training figures.
 */
export async function runLmTourChapter(say: (line: string) => void): Promise<object> {
  const prompt = 'Apple is';
  const result: Record<string, unknown> = { prompt };
  for (const kind of ['rnn', 'lstm'] as const) {
    const { lm, seconds } = await builtinModel(kind);
    const last = lm.trainer.state.history[lm.trainer.state.history.length - 1];
    const p = predictNext(lm.model, lm.tokenizer, prompt, 5);
    say(`${kind.toUpperCase()} (${lm.model.numParameters().toLocaleString('en')} parameters, trained on the built-in corpus in ${seconds.toFixed(1)} s, held-out perplexity ${last.validPerplexity.toFixed(2)}): "${prompt}" →`);
    for (const l of formatTop(p)) say(l);
    result[kind] = { top: p.top, parameters: lm.model.numParameters(), seconds, validPerplexity: last.validPerplexity };
  }
  return result;
}

export function registerLm(program: Command): void {
  const lm = program.command('lm').description('word-level language models (RNN, LSTM, GRU, causal Transformer): train, perplexity, next-word prediction');
  lm.command('train')
    .description('train a word-level LM with truncated BPTT on the built-in corpus or --text FILE; report held-out perplexity')
    .option('--model <kind>', `${LM_KINDS.join(' | ')}`, kindOf, 'lstm' as LmKind)
    .option('--text <file>', 'plain-text corpus (one sentence or line per line); a .tsv gives its last column (e.g. the English of Tatoeba pairs)')
    .option('--tsv-column <n>', 'which TSV column to read (1-based)', positiveInteger)
    .option('--out <dir>', 'save the model directory here (config.json, tokenizer.json, model.safetensors)')
    .option('--epochs <n>', 'passes over the text (built-in: 40, a file: 10)', positiveInteger)
    .option('--time-budget <duration>', 'stop after this much training, e.g. 90s, 5m')
    .option('--max-steps <n>', 'stop after this many steps', positiveInteger)
    .option('--seed <n>', 'seed of initialisation and dropout', integer, 0)
    .option('--emb <n>', 'embedding size E (the Transformer\'s d_model)', positiveInteger)
    .option('--hidden <n>', 'hidden size H of the recurrent layers', positiveInteger)
    .option('--layers <n>', 'recurrent or Transformer layers', positiveInteger)
    .option('--heads <n>', 'Transformer attention heads', positiveInteger)
    .option('--ff <n>', 'Transformer feed-forward width', positiveInteger)
    .option('--context <n>', 'Transformer context (positions); default max(bptt, 64)', positiveInteger)
    .option('--dropout <p>', 'dropout', number)
    .option('--tie', 'tie the output layer to the embedding (needs hidden = emb for recurrent kinds)')
    .option('--bptt <n>', 'positions per chunk (truncated backpropagation through time)', positiveInteger)
    .option('--batch-size <n>', 'parallel streams per step', positiveInteger)
    .option('--lr <x>', 'Adam learning rate', number)
    .option('--clip <x>', 'gradient-norm clip (0: off)', number)
    .option('--max-vocab <n>', 'vocabulary size limit, specials included', positiveInteger)
    .option('--min-freq <n>', 'words seen fewer times become <unk> (built-in: 1, a file: 2)', positiveInteger)
    .option('--valid-fraction <x>', 'share of the text held out for perplexity', fraction)
    .option('--prompt <text>', 'show the top next words for this prompt after training (built-in default "Apple is")')
    .option('--top <n>', 'how many next words --prompt shows', positiveInteger, 5)
    .option('--json', 'print the run summary as one JSON object')
    .action(async (o: LmTrainOptions) => {
      const result = await runLmTrain(o);
      if (o.json) printJson(result);
    });
  lm.command('predict')
    .description('the most likely next words after a prompt, with probabilities')
    .argument('<prompt>', 'the start of a sentence, e.g. "Apple is"')
    .option('--model-dir <dir>', 'a directory written by `llmcore lm train --out`; without it the built-in model is trained on the fly (seconds)')
    .option('--model <kind>', `${LM_KINDS.join(' | ')}: the kind to train on the fly (default lstm), or the kind --model-dir must hold`, kindOf)
    .option('--top <n>', 'how many next words', positiveInteger, 5)
    .option('--generate <n>', 'also continue the prompt greedily for up to n words', positiveInteger)
    .option('--seed <n>', 'seed of the on-the-fly training', integer, 0)
    .option('--json', 'print the prediction as one JSON object')
    .action(async (prompt: string, o: LmPredictOptions) => {
      const result = await runLmPredict(prompt, o);
      if (o.json) printJson(result);
    });
}
