/**
 * The word-LM chapter, the explainer's second act, "Apple is" → "red": a word-level language model (RNN,
 * LSTM, GRU or a small causal Transformer) trained with truncated backpropagation through time on the
 * shared trainer, its perplexity on held-out text, and top-k next-word prediction with probabilities.
 *
 *   llmcore train lm --arch lstm [--text FILE] [--out DIR] [--epochs N] [--time-budget 5m] [--resume] [--json]
 *   llmcore predict "Apple is" [--model DIR | --arch lstm] [--top 5] [--json]
 *   llmcore eval lm --model DIR --text FILE [--json]
 *
 * Without --text, training uses the built-in corpus (src/data/lm-corpus.ts). Without --model, predict
 * trains the built-in model of --arch on the fly (seeded, a few seconds) and uses it. The old spellings
 * (`llmcore lm train --model KIND`, `llmcore lm predict --model-dir DIR`) still work, with a notice.
 */
import { existsSync, readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { join } from 'node:path';
import { LM_KINDS, type LmKind } from '../src/models/lm/model.js';
import { BUILTIN_PRESETS, TEXT_PRESETS, lmResults, prepareLm, trainBuiltinLm, type LmSizes, type PreparedLm, type TrainedLm } from '../src/models/lm/session.js';
import { continueGreedy, predictNext, PromptError, type NextWordPrediction } from '../src/models/lm/predict.js';
import { evaluateLm, LmTask, lmTrainer, splitHeldOut, unigramPerplexity, type LmMetrics, type LmTrainingConfig } from '../src/models/lm/train.js';
import { loadLm, saveLm, type LoadedLm } from '../src/models/lm/checkpoint.js';
import { prepareRunDirectory, resolveModelDirectory, restoreCheckpoint, runPaths } from '../src/train/run-dir.js';
import { Generator } from '../src/util/random.js';
import { runTraining } from './training.js';
import { checkInputFile } from './paths.js';
import { BUILTIN_LM_CORPUS } from '../src/data/lm-corpus.js';
import { detokenizeEnglish } from '../src/text/english.js';
import { integer, number, parseDuration, positiveInteger, printJson, printLine, commandGroup } from './options.js';

/** A one-line notice for a spelling that changed (the old one keeps working). */
export function renamed(old: string, now: string): void {
  process.stderr.write(`llmcore: ${old} is now ${now} (the old spelling still works)\n`);
}


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
  arch?: LmKind;
  /** Old spelling of --arch. */
  model?: LmKind;
  resume?: boolean;
  force?: boolean;
  text?: string;
  tsvColumn?: number;
  out?: string;
  epochs?: number;
  timeBudget?: number;
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

/** Trains a model as `llmcore train lm` does; progress goes to `log`; returns what --json prints. */
export async function runLmTrain(o: LmTrainOptions, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<Record<string, unknown>> {
  const say = o.json ? () => {} : log;
  if (o.model && !o.arch) renamed(`--model ${o.model}`, `--arch ${o.model}`);
  const kind = o.arch ?? o.model ?? 'lstm';
  if (o.text) checkInputFile(o.text, '--text');
  if (o.prompt !== undefined && o.prompt.trim() === '') throw new Error('--prompt is empty; give some words, e.g. "Apple is"');
  if ((o.resume || o.force) && !o.out) throw new Error(`--${o.resume ? 'resume' : 'force'} needs --out DIR (the run folder)`);
  // the run folder is checked (and claimed) before the text is read and the vocabulary learned
  const run = o.out ? prepareRunDirectory(o.out, { chapter: 'lm', resume: o.resume, force: o.force }) : null;
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
    timeBudgetSeconds: o.timeBudget ?? 0,
  };
  const tokenizer = { maxVocab: o.maxVocab ?? 10_000, minFreq: o.minFreq ?? (o.text ? 2 : 1) };
  const onStart = (i: { vocab: number; trainTokens: number; validTokens: number; parameters: number; streams: number; batchesPerEpoch: number }): void => {
    say(`${source}: ${(i.trainTokens + i.validTokens).toLocaleString('en')} tokens (${i.trainTokens.toLocaleString('en')} train, ${i.validTokens.toLocaleString('en')} held out), vocabulary ${i.vocab.toLocaleString('en')} words`);
    say(`${kind} LM: ${i.parameters.toLocaleString('en')} parameters; ${i.streams} streams × ${training.bptt} positions per step, ${i.batchesPerEpoch} steps per epoch`);
  };
  let prepared: PreparedLm;
  if (run?.resumeFrom) {
    prepared = await resumeLm(run.resumeFrom, text, o, training, say);
  } else {
    prepared = prepareLm(text, { kind, model, training, tokenizer, validFraction: o.validFraction ?? 0.1, source, onStart });
  }
  const outcome = await runTraining<LmMetrics>({
    trainer: prepared.trainer, paths: run?.paths, json: o.json, log,
    writeModel: (dir, step) => saveLm(dir, { ...prepared, config: { ...prepared.config, results: lmResults(prepared, 'done') } }, { step }),
    describeEval: (r) => `train perplexity ${Math.exp(r.trainLoss).toFixed(2)}, held-out perplexity ${r.validPerplexity.toFixed(2)}`,
  });
  prepared.model.eval();
  const trained: TrainedLm = { ...prepared, reason: outcome.reason, config: { ...prepared.config, results: lmResults(prepared, outcome.reason) } };
  const st = trained.trainer.state;
  const last = st.history[st.history.length - 1];
  const unigram = unigramPerplexity(trained.data.train, trained.data.valid, trained.tokenizer.size, { batchSize: trained.config.training?.evalBatchSize });
  if (last) say(`held-out perplexity ${last.validPerplexity.toFixed(2)} (a unigram model, no context: ${unigram.toFixed(2)})`);
  const result: Record<string, unknown> = {
    arch: trained.model.kind, model: trained.model.kind, parameters: trained.model.numParameters(), vocab: trained.tokenizer.size, corpus: trained.config.corpus,
    config: trained.config.model, training: trained.config.training, reason: trained.reason, steps: st.step, seconds: st.seconds,
    tokensPerSecond: st.trainTokens / Math.max(st.seconds, 1e-9),
    trainPerplexity: last ? Math.exp(last.trainLoss) : null, validPerplexity: last?.validPerplexity ?? null, unigramValidPerplexity: unigram,
    history: st.history,
  };
  const prompt = o.prompt ?? (o.text ? undefined : 'Apple is');
  if (run) {
    say(`run saved in ${o.out} (best/ has the lowest held-out perplexity, last/ resumes); try: llmcore predict "${prompt ?? 'PROMPT'}" --model ${o.out}`);
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

/** The run saved in `dir` rebuilt to continue: its model, vocabulary and settings; the flags may only extend it. */
async function resumeLm(dir: string, text: string, o: LmTrainOptions, asked: Partial<LmTrainingConfig>, say: (l: string) => void): Promise<PreparedLm> {
  // loaded with a generator of its own: the dropout's, whose state the checkpoint restores
  const generator = new Generator(0);
  const saved = await loadLm(dir, { generator });
  const model = saved.model;
  const was = saved.config.training!;
  // the run keeps its own settings; only how long it goes on may change
  const training: LmTrainingConfig = {
    ...was, epochs: o.epochs ?? was.epochs, timeBudgetSeconds: o.timeBudget ?? was.timeBudgetSeconds, maxSteps: o.maxSteps ?? was.maxSteps,
  };
  const arch = o.arch ?? o.model;
  if (arch && arch !== saved.model.kind) throw new Error(`--resume: the run in ${dir} trains a ${saved.model.kind} model, not ${arch}`);
  const m = saved.config.model as unknown as Record<string, unknown>;
  const conflicts: string[] = [];
  const compare = (flag: string, asked: unknown, had: unknown): void => {
    if (asked !== undefined && asked !== had) conflicts.push(`${flag} ${String(asked)} (the run has ${String(had)})`);
  };
  compare('--emb', o.emb, m.embDim);
  compare('--hidden', o.hidden, m.hiddenSize);
  compare('--layers', o.layers, m.numLayers);
  compare('--heads', o.heads, m.nhead);
  compare('--ff', o.ff, m.dimFeedforward);
  compare('--context', o.context, m.context);
  compare('--dropout', o.dropout, m.dropout);
  compare('--tie', o.tie, m.tieWeights);
  compare('--bptt', o.bptt, was.bptt);
  compare('--batch-size', o.batchSize, was.batchSize);
  compare('--lr', o.lr, was.lr);
  compare('--clip', o.clip, was.clip);
  compare('--seed', o.seed, was.seed);
  if (conflicts.length) {
    throw new Error(`--resume: ${conflicts.join('; ')}. A resumed run keeps its settings (only --epochs, --time-budget and --max-steps may change); start a new run in another folder to change them`);
  }
  const ids = saved.tokenizer.encodeText(text);
  const { train, valid } = splitHeldOut(ids, o.validFraction ?? 0.1);
  if (saved.config.corpus && train.length !== saved.config.corpus.trainTokens) {
    throw new Error(`--resume: the text has ${train.length} training tokens under the run's vocabulary, the run was trained on ${saved.config.corpus.trainTokens}; give the same --text`);
  }
  const task = new LmTask(model, train, valid, training, generator);
  const trainer = lmTrainer(task);
  await restoreCheckpoint(dir, { trainer, optimizer: task.optimizer }, saved.step);
  model.train();
  say(`resumed ${dir} at step ${trainer.state.step} (epoch ${trainer.state.epoch + 1}, chunk ${trainer.state.batchInEpoch})`);
  return { model, tokenizer: saved.tokenizer, task, trainer, data: { train, valid }, config: { ...saved.config, training } };
}

export interface LmPredictOptions {
  /** A model directory or a run folder (its best/). */
  model?: string;
  /** Old spelling of --model DIR. */
  modelDir?: string;
  /** The kind to train on the fly without --model, or the kind --model must hold. */
  arch?: LmKind;
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
  // --model was a kind before it was a directory: a kind's name that is not a folder is read the old way
  if (o.model && (LM_KINDS as readonly string[]).includes(o.model) && !existsSync(o.model)) {
    renamed(`--model ${o.model}`, `--arch ${o.model}`);
    o = { ...o, arch: o.model as LmKind, model: undefined };
  }
  if (o.modelDir) {
    renamed('--model-dir', '--model');
    o = { ...o, model: o.model ?? o.modelDir };
  }
  if (o.model) {
    if (!existsSync(o.model)) throw new Error(`--model ${o.model}: no such folder; train one with \`llmcore train lm --out ${o.model}\``);
    const dir = resolveModelDirectory(o.model);
    if (!dir) throw new Error(`--model ${o.model} holds no language model (no config.json, nor a run's best/ or last/)`);
    const lm = await loadLm(dir, { kind: o.arch });
    return { ...lm, origin: `${dir} (${lm.config.corpus?.source ?? 'unknown text'})` };
  }
  const kind = o.arch ?? 'lstm';
  const { lm, seconds } = await builtinModel(kind, o.seed);
  log(`(no --model: trained the built-in ${kind} LM on the fly in ${seconds.toFixed(1)} s)`);
  return { ...lm, origin: `built-in corpus, trained now in ${seconds.toFixed(1)} s` };
}

/** Predicts as `llmcore lm predict` does; returns what --json prints. */
export async function runLmPredict(prompt: string, o: LmPredictOptions, out: (line: string) => void = printLine): Promise<Record<string, unknown>> {
  const say = o.json ? () => {} : out;
  // refused before a model is trained or loaded for it
  if (prompt.trim() === '') throw new PromptError('predict: the prompt is empty; give some words, e.g. "Apple is"');
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

/** The options of `train lm` (and of its old spelling `lm train`). */
function trainLmOptions(c: Command, oldSpelling: boolean): Command {
  return c
    .option('--arch <kind>', `${LM_KINDS.join(' | ')} (default lstm)`, kindOf)
    .option('--model <kind>', oldSpelling ? 'old name of --arch' : 'old name of --arch (--model is a model folder everywhere else)', kindOf)
    .option('--text <file>', 'plain-text corpus (one sentence or line per line); a .tsv gives its last column (e.g. the English of Tatoeba pairs)')
    .option('--tsv-column <n>', 'which TSV column to read (1-based)', positiveInteger)
    .option('--out <dir>', 'run folder: best/ (lowest held-out perplexity), last/ (for --resume), log.jsonl; must be new, empty, or an lm run with --resume/--force')
    .option('--resume', 'continue the run saved in OUT/last exactly where it stopped (same --text)')
    .option('--force', 'start over in an OUT that holds an lm run (deletes its checkpoints and log)')
    .option('--epochs <n>', 'passes over the text (built-in: 40, a file: 10)', positiveInteger)
    .option('--time-budget <duration>', 'stop after this much training, e.g. 90s, 5m (the run\'s total: a resumed run counts the time before)', parseDuration)
    .option('--max-steps <n>', 'stop after this many steps (the run\'s total)', positiveInteger)
    .option('--seed <n>', 'seed of initialisation and dropout (default 0)', integer)
    .option('--emb <n>', 'embedding size (the Transformer\'s d_model)', positiveInteger)
    .option('--hidden <n>', 'hidden size of the recurrent layers', positiveInteger)
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
    .option('--json', 'print the run summary as one JSON object');
}

/** The options of `predict` (and of its old spelling `lm predict`). */
function predictOptions(c: Command, oldSpelling: boolean): Command {
  c.argument('<prompt>', 'the start of a sentence, e.g. "Apple is"')
    .option('--model <dir>', 'a model folder or a run folder written by `llmcore train lm --out` (its best/); without it the built-in model of --arch is trained on the fly (seconds)')
    .option('--arch <kind>', `${LM_KINDS.join(' | ')}: the kind to train on the fly (default lstm), or the kind --model must hold`, kindOf);
  if (oldSpelling) c.option('--model-dir <dir>', 'old name of --model');
  return c
    .option('--top <n>', 'how many next words', positiveInteger, 5)
    .option('--generate <n>', 'also continue the prompt greedily for up to n words (at most 1000)', boundedInteger(1000))
    .option('--seed <n>', 'seed of the on-the-fly training', integer, 0)
    .option('--json', 'print the prediction as one JSON object');
}

function boundedInteger(max: number): (v: string) => number {
  return (v) => {
    const n = positiveInteger(v);
    if (n > max) throw new InvalidArgumentError(`expected at most ${max}, got '${v}'`);
    return n;
  };
}

export interface EvalLmOptions {
  model: string;
  text: string;
  tsvColumn?: number;
  json?: boolean;
}

/** `llmcore eval lm`: perplexity of a saved model on a text, scored as training's held-out evaluation does (evaluateLm). */
export async function runEvalLm(o: EvalLmOptions, out: (line: string) => void = printLine): Promise<Record<string, unknown>> {
  checkInputFile(o.text, '--text');
  const dir = resolveModelDirectory(o.model);
  if (!dir) throw new Error(`--model ${o.model} holds no language model (no config.json, nor a run's best/ or last/)`);
  const lm = await loadLm(dir);
  const { text, source } = readLmText(o.text, o.tsvColumn);
  const ids = lm.tokenizer.encodeText(text);
  const bptt = lm.config.training?.bptt ?? 32;
  const e = evaluateLm(lm.model, ids, { bptt });
  const result = { model: dir, arch: lm.model.kind, text: source, tokens: e.tokens, loss: e.loss, perplexity: e.perplexity };
  if (o.json) printJson(result);
  else out(`${lm.model.kind} LM ${dir} on ${source}: perplexity ${e.perplexity.toFixed(2)} (mean cross-entropy ${e.loss.toFixed(4)} over ${e.tokens.toLocaleString('en')} predictions)`);
  return result;
}

export function registerLm(program: Command): void {
  const trainCmd = commandGroup(program, 'train');
  trainLmOptions(trainCmd.command('lm').description('train a word-level LM (RNN, LSTM, GRU, causal Transformer) with truncated BPTT on the built-in corpus or --text FILE; report held-out perplexity'), false)
    .action(async (o: LmTrainOptions) => {
      const result = await runLmTrain(o);
      if (o.json) printJson(result);
    });
  predictOptions(program.command('predict').description('word LM: the most likely next words after a prompt, with probabilities ("Apple is" → red)'), false)
    .action(async (prompt: string, o: LmPredictOptions) => {
      const result = await runLmPredict(prompt, o);
      if (o.json) printJson(result);
    });
  const evalCmd = commandGroup(program, 'eval');
  evalCmd.command('lm')
    .description('perplexity of a trained word LM on a text')
    .requiredOption('--model <dir>', 'a model folder or run folder written by `llmcore train lm --out`')
    .requiredOption('--text <file>', 'the text to score (a .tsv gives its last column)')
    .option('--tsv-column <n>', 'which TSV column to read (1-based)', positiveInteger)
    .option('--json', 'print {"perplexity":…,"loss":…,"tokens":…}')
    .action(async (o: EvalLmOptions) => { await runEvalLm(o); });

  // the old spellings, kept working
  const lm = program.command('lm').description('old spelling of `train lm` and `predict` (still works)');
  trainLmOptions(lm.command('train').description('old spelling of `llmcore train lm`'), true)
    .action(async (o: LmTrainOptions) => {
      renamed('`llmcore lm train`', '`llmcore train lm`');
      const result = await runLmTrain(o);
      if (o.json) printJson(result);
    });
  predictOptions(lm.command('predict').description('old spelling of `llmcore predict`'), true)
    .action(async (prompt: string, o: LmPredictOptions) => {
      renamed('`llmcore lm predict`', '`llmcore predict`');
      const result = await runLmPredict(prompt, o);
      if (o.json) printJson(result);
    });
}
