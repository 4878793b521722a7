/**
 * `llmcore eval translate`: corpus BLEU and chrF of the translator on a TSV of pairs (Chinese TAB
 * English), computed as sacreBLEU does with its defaults on the detokenized output against the raw
 * references.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { commandGroup } from './options.js';
import { readParallelFile } from '../src/data/parallel-file.js';
import { evaluateTranslations } from '../src/models/seq2seq/translate.js';
import { formatBleu } from '../src/metrics/bleu.js';
import { MAX_BEAM } from '../src/models/seq2seq/checkpoint.js';
import { checkInputFile, checkOutputFile } from './paths.js';
import {
  checkSizeOptions, decodingOf, describeDecoding, integerInRange, loadModelDir, MAX_BATCH_SIZE, MAX_WARNINGS_SHOWN, modelFiles, parseBatchSize, parseBeam, parseLengthPenalty,
  processIo, resolveModelDir, type CliIo, type TranslatorLoader,
} from './translate.js';

/** The most pairs --limit takes: more than any corpus this reads (the whole file is held in memory). */
const MAX_LIMIT = 100_000_000;

export interface EvalTranslateOptions {
  data: string;
  model?: string;
  beam?: number;
  greedy?: boolean;
  lengthPenalty?: number;
  limit?: number;
  skipBadLines?: boolean;
  output?: string;
  batchSize?: number;
  /** false with --no-unk */
  unk?: boolean;
  json?: boolean;
}

/** What --json prints. */
export interface EvalTranslateResult {
  bleu: number;
  chrf: number;
  sentences: number;
}

/**
 * Runs the evaluation: progress on stderr, the scores on stdout (a line, or JSON with --json).
 * @example await runEvalTranslate({ data: 'dev.tsv', greedy: true, json: true }) // { bleu: 26.1, chrf: 43.2, sentences: 1000 }
 */
export async function runEvalTranslate(o: EvalTranslateOptions, io: CliIo = processIo(), load?: TranslatorLoader): Promise<EvalTranslateResult> {
  checkSizeOptions(o, 'eval translate');
  if (o.limit !== undefined && !(Number.isInteger(o.limit) && o.limit >= 1 && o.limit <= MAX_LIMIT)) {
    throw new Error(`eval translate: --limit must be an integer from 1 to ${MAX_LIMIT}, got ${o.limit}`);
  }
  checkInputFile(o.data, 'eval translate: --data');
  const dir = resolveModelDir(o.model);
  // the translations are written at the end: a path that cannot take them must fail now, and the
  // references (or the model) must never be replaced by them
  if (o.output) checkOutputFile(o.output, 'eval translate: --output', [o.data, ...modelFiles(dir)]);
  const corpus = readParallelFile(o.data, { skipBadLines: o.skipBadLines, hint: 'use --skip-bad-lines to pass over such lines' });
  for (const s of corpus.skipped.slice(0, MAX_WARNINGS_SHOWN)) io.stderr(`eval translate: ${o.data}: line ${s.line} skipped: ${s.reason}\n`);
  const unshown = corpus.skipped.length - MAX_WARNINGS_SHOWN;
  if (unshown > 0) io.stderr(`eval translate: ${o.data}: ${unshown} more line${unshown > 1 ? 's' : ''} skipped (${corpus.skipped.length} in all)\n`);
  const pairs = o.limit !== undefined ? corpus.pairs.slice(0, o.limit) : corpus.pairs;
  if (pairs.length === 0) throw new Error(`eval translate: ${o.data} has no sentence pairs`);
  const t = await loadModelDir(o.model, load);
  const decoding = decodingOf(o, t, 'eval translate');
  io.stderr(`eval translate: ${pairs.length} sentences from ${o.data}, ${describeDecoding(decoding)}, model ${t.dir}\n`);
  const start = performance.now();
  let lastShown = -1;
  const progress = (done: number, total: number): void => {
    const seconds = (performance.now() - start) / 1000;
    const line = `translated ${done}/${total} sentences (${(done / Math.max(seconds, 1e-9)).toFixed(1)} sentences/s, ${seconds.toFixed(0)} s)`;
    if (io.stderrIsTTY) io.stderr(`\r${line}${done === total ? '\n' : ''}`);
    else {
      // a plain log: about every tenth, and the end
      const tenth = Math.floor((10 * done) / total);
      if (tenth !== lastShown || done === total) io.stderr(`${line}\n`);
      lastShown = tenth;
    }
  };
  const e = evaluateTranslations(t.model, t.tokenizer, pairs, {
    beam: decoding.beam, lengthPenalty: decoding.lengthPenalty, batchSize: o.batchSize ?? 32, noUnk: o.unk === false, onProgress: progress,
  });
  const seconds = (performance.now() - start) / 1000;
  if (o.output) {
    try {
      writeFileSync(o.output, e.hypotheses.map((h) => h + '\n').join(''));
    } catch (err) {
      throw new Error(`eval translate: cannot write --output ${o.output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    io.stderr(`eval translate: wrote ${e.hypotheses.length} translations to ${o.output}\n`);
  }
  const result: EvalTranslateResult = { bleu: e.bleu, chrf: e.chrf, sentences: e.sentences };
  if (o.json) io.stdout(JSON.stringify(result) + '\n');
  else {
    io.stdout(`${formatBleu(e.bleuScore)}\n`);
    io.stdout(`${e.chrfScore.name} = ${e.chrf.toFixed(2)}\n`);
    io.stdout(`${e.sentences} sentences, ${describeDecoding(decoding)}, ${seconds.toFixed(1)} s (${(e.sentences / Math.max(seconds, 1e-9)).toFixed(1)} sentences/s)\n`);
  }
  return result;
}

export function registerEval(program: Command): void {
  const evalCmd = commandGroup(program, 'eval');
  evalCmd
    .command('translate')
    .description('BLEU and chrF (sacreBLEU defaults) of the translator on TSV pairs (Chinese TAB English)')
    .requiredOption('--data <file.tsv>', 'pairs to translate and score against (Chinese TAB English)')
    .option('--model <dir>', 'model directory, or a training run with best/ (default: the shipped models/zh-en)')
    .option('--beam <n>', `beam search with n beams, 1 to ${MAX_BEAM} (default: the model\'s config, else 4)`, parseBeam)
    .option('--greedy', 'greedy decoding (same as --beam 1)')
    .option('--length-penalty <alpha>', 'beam search ranks by logProb / length^alpha, 0 to 10 (default: the model\'s config, else 1)', parseLengthPenalty)
    .option('--limit <n>', 'only the first n pairs', integerInRange(1, MAX_LIMIT))
    .option('--skip-bad-lines', 'pass over malformed lines (each is named on stderr) instead of stopping at the first')
    .option('--output <file>', 'also write the translations, one per line (never one of the inputs)')
    .option('--no-unk', 'never output the <unk> token')
    .option('--batch-size <n>', `sentences decoded together, 1 to ${MAX_BATCH_SIZE}`, parseBatchSize, 32)
    .option('--json', 'print {"bleu":…,"chrf":…,"sentences":…}')
    .action(async (o: EvalTranslateOptions) => {
      await runEvalTranslate(o);
    });
}
