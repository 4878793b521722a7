/**
 * `llmcore translate`: Chinese → English with the trained Transformer, as the explainer's last
 * chapter tells it: the sentence is encoded, then the decoder chooses the most likely word, step by
 * step (`--explain` shows every step's top candidates), or keeps the best few whole sentences (beam
 * search). One sentence as an argument; `--file` or stdin for one sentence per line (one line out per
 * line in, empty lines included).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { InvalidArgumentError, type Command } from 'commander';
import { MAX_BEAM } from '../src/models/seq2seq/checkpoint.js';
import type { Seq2SeqTransformer } from '../src/models/seq2seq/model.js';
import { translate, type TranslateOptions, type TranslationResult, type TranslationStep, type TranslationTokenizerLike } from '../src/models/seq2seq/translate.js';
import { attentionSvg } from '../src/models/seq2seq/attention-svg.js';
import { integer, number } from './options.js';
import { checkInputFile, checkOutputFile } from './paths.js';

/** A loaded model directory: what `loadTranslator` (src/models/seq2seq/checkpoint.ts) returns. */
export interface Translator {
  model: Seq2SeqTransformer;
  tokenizer: TranslationTokenizerLike;
  config?: { decoding?: { beam?: number; lengthPenalty?: number } };
}

export type TranslatorLoader = (dir: string) => Promise<Translator>;

/** Where the CLI writes and reads; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stderrIsTTY: boolean;
  /** True once the reader of stdout has gone (`| head -1`): the rest of the work is for no one. */
  stdoutClosed?: () => boolean;
}

export const processIo = (): CliIo => {
  let closed = false;
  // A failed write to a closed pipe marks the stream `errored` at once; the 'error' event (which
  // cli/main.ts turns into a quiet exit) only comes when the event loop runs, which a long
  // synchronous translation does not let it do. Both are watched.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') closed = true;
  });
  return {
    stdout: (t) => {
      if (!closed && !process.stdout.errored) process.stdout.write(t);
    },
    stderr: (t) => process.stderr.write(t),
    stdin: process.stdin,
    stderrIsTTY: !!process.stderr.isTTY,
    stdoutClosed: () => closed || !!process.stdout.errored,
  };
};

/** Sentences decoded together: a batch is one tensor of batch × beam rows. */
export const MAX_BATCH_SIZE = 1024;
/**
 * Hypotheses decoded together (beam × batch size), each with its own key/value cache and a row of
 * target-vocabulary logits per step: the default is 4 × 32 = 128; --beam 64 --batch-size 32 = 2048
 * peaked at 1.0 GB resident on the shipped model (the 32 longest dev sentences, 33 s).
 */
export const MAX_ROWS = 2048;

/** A commander parser for an integer in [min, max]; the message says why the bound is there. */
export function integerInRange(min: number, max: number, why?: string): (value: string) => number {
  return (value: string) => {
    const v = integer(value);
    if (v < min || v > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}${why ? ` (${why})` : ''}, got '${value}'`);
    return v;
  };
}

/** A commander parser for a number in [min, max]. */
export function numberInRange(min: number, max: number): (value: string) => number {
  return (value: string) => {
    const v = number(value);
    if (v < min || v > max) throw new InvalidArgumentError(`expected a number from ${min} to ${max}, got '${value}'`);
    return v;
  };
}

export const BEAM_WHY = `each beam is a decoder pass per sentence; BLEU stops improving long before ${MAX_BEAM}`;
export const parseBeam = integerInRange(1, MAX_BEAM, BEAM_WHY);
export const parseBatchSize = integerInRange(1, MAX_BATCH_SIZE, 'sentences decoded together in one tensor');
export const parseLengthPenalty = numberInRange(0, 10);

/** The package root: the nearest folder above this file with llmcore's package.json (works from cli/ and dist/cli/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'llmcore') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) return resolve(dirname(fileURLToPath(import.meta.url)), '..');
    dir = up;
  }
}

/** The shipped model: models/zh-en/ in the package. */
export function defaultModelDir(): string {
  return join(packageRoot(), 'models', 'zh-en');
}

const HOW_TO_TRAIN =
  'Train one (the data: ../shared/data/tatoeba-cmn-eng/, or `llmcore data tatoeba` to download it):\n' +
  '  llmcore train translate --train ../shared/data/tatoeba-cmn-eng/train.tsv --dev ../shared/data/tatoeba-cmn-eng/dev.tsv --out runs/zh-en\n' +
  'then pass --model runs/zh-en/best (or copy that folder to models/zh-en/).';

/** The files of a model directory: inputs that no output may replace. */
export function modelFiles(dir: string): string[] {
  return ['config.json', 'tokenizer.json', 'model.safetensors'].map((f) => join(dir, f));
}

/** Resolves the model directory (a training run's folder means its best/) and loads it, with clear errors. */
export async function loadModelDir(dir: string | undefined, load: TranslatorLoader = defaultLoader): Promise<Translator & { dir: string }> {
  const d = resolveModelDir(dir);
  return { ...(await load(d)), dir: d };
}

/** The model directory `--model` names (its best/ for a training run), or the shipped one; throws with how to train one. */
export function resolveModelDir(dir: string | undefined): string {
  const shipped = dir === undefined;
  let d = resolve(dir ?? defaultModelDir());
  if (!existsSync(d)) {
    throw new Error(shipped ? `no model at ${d}: the shipped model is not there. ${HOW_TO_TRAIN}` : `--model ${dir}: no such directory. ${HOW_TO_TRAIN}`);
  }
  if (!existsSync(join(d, 'config.json')) && existsSync(join(d, 'best', 'config.json'))) d = join(d, 'best');
  if (!existsSync(join(d, 'config.json'))) {
    throw new Error(`${d} holds no trained model (config.json, tokenizer.json and model.safetensors are expected). ${HOW_TO_TRAIN}`);
  }
  return d;
}

async function defaultLoader(dir: string): Promise<Translator> {
  const { loadTranslator } = await import('../src/models/seq2seq/checkpoint.js');
  return loadTranslator(dir);
}

export interface DecodingChoice {
  beam: number;
  lengthPenalty: number;
}

/**
 * Throws unless the size options are within their bounds (the same as the option parsers', for
 * callers that pass options directly); run before anything is read or loaded.
 */
export function checkSizeOptions(o: { beam?: number; batchSize?: number; lengthPenalty?: number }, who: string): void {
  const bad = (name: string, v: number, range: string, why: string): never => {
    throw new Error(`${who}: ${name} must be ${range} (${why}), got ${v}`);
  };
  if (o.beam !== undefined && !(Number.isInteger(o.beam) && o.beam >= 1 && o.beam <= MAX_BEAM)) bad('--beam', o.beam, `an integer from 1 to ${MAX_BEAM}`, BEAM_WHY);
  if (o.batchSize !== undefined && !(Number.isInteger(o.batchSize) && o.batchSize >= 1 && o.batchSize <= MAX_BATCH_SIZE)) {
    bad('--batch-size', o.batchSize, `an integer from 1 to ${MAX_BATCH_SIZE}`, 'sentences decoded together in one tensor');
  }
  if (o.lengthPenalty !== undefined && !(o.lengthPenalty >= 0 && o.lengthPenalty <= 10)) bad('--length-penalty', o.lengthPenalty, 'a number from 0 to 10', 'the exponent of the length a beam score is divided by');
}

/** --beam / --greedy / --length-penalty, else the model's config.json `decoding`, else beam 4, α 1; bounded by the model and the batch size. */
export function decodingOf(o: { beam?: number; greedy?: boolean; lengthPenalty?: number; batchSize?: number }, t: Translator, who: string): DecodingChoice {
  if (o.greedy && o.beam !== undefined && o.beam !== 1) throw new Error(`${who}: --greedy and --beam ${o.beam} contradict each other; choose one`);
  const d = t.config?.decoding ?? {};
  const choice = { beam: o.greedy ? 1 : o.beam ?? d.beam ?? 4, lengthPenalty: o.lengthPenalty ?? d.lengthPenalty ?? 1 };
  const from = o.beam !== undefined ? `--beam ${choice.beam}` : `the model's decoding.beam ${choice.beam}`;
  const vocab = t.tokenizer.tgtVocab.size;
  if (choice.beam > vocab) throw new Error(`${who}: ${from} is wider than the model's target vocabulary of ${vocab} pieces; a beam cannot hold more different words than there are`);
  const batch = o.batchSize ?? 32;
  if (choice.beam * batch > MAX_ROWS) {
    throw new Error(`${who}: ${from} × --batch-size ${batch} = ${choice.beam * batch} hypotheses decoded together, more than ${MAX_ROWS} (each holds its own attention cache); lower --batch-size to ${Math.floor(MAX_ROWS / choice.beam)} or less`);
  }
  return choice;
}

export function describeDecoding(d: DecodingChoice): string {
  return d.beam === 1 ? 'greedy' : `beam ${d.beam}, length penalty α = ${d.lengthPenalty}`;
}

export interface TranslateCliOptions {
  file?: string;
  model?: string;
  beam?: number;
  greedy?: boolean;
  lengthPenalty?: number;
  explain?: boolean;
  attention?: string;
  attentionLayers?: 'last' | 'all';
  /** false with --no-unk */
  unk?: boolean;
  batchSize?: number;
  json?: boolean;
}

/** The lines of a text file: \n or \r\n, a final newline ends the last line (it does not add an empty one). */
export function splitLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body === '') return [];
  const lines = body.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** `att.svg` for line 3 of many → `att.3.svg`. */
function attentionPath(base: string, lineNo: number | null): string {
  if (lineNo === null) return base;
  const ext = extname(base) || '.svg';
  return `${base.slice(0, base.length - extname(base).length)}.${lineNo}${ext}`;
}

/** Terminal columns of a string: CJK and full-width characters take two. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/u.test(ch) ? 2 : 1;
  return w;
}

function pad(s: string, n: number): string {
  return s + ' '.repeat(Math.max(0, n - displayWidth(s)));
}

/** The human-readable explanation of one translation's steps. */
export function formatExplain(r: TranslationResult, d: DecodingChoice): string {
  const lines: string[] = [];
  lines.push(`source: ${r.source}`);
  lines.push(`tokens: ${r.sourceTokens.join(' / ')}`);
  if (d.beam === 1) lines.push('greedy decoding — at each step the model gives every word a probability and the most likely one is chosen (选择最可能的词):');
  else lines.push(`beam search (${d.beam} beams) — at each step the model gives every word a probability; the word taken is the one on the best-scoring whole sentence, marked [ ], which need not be the most likely at its step:`);
  const steps: TranslationStep[] = r.steps ?? [];
  const prob = (p: number): string => (p < 0.0005 ? '<0.001' : p.toFixed(3));
  const rows = steps.map((s) => {
    const cells = s.candidates.map((c) => (c.word === s.chosen ? `[${c.word} ${prob(c.probability)}]` : ` ${c.word} ${prob(c.probability)} `));
    if (!s.candidates.some((c) => c.word === s.chosen)) cells.push(`[${s.chosen} ${prob(s.probability)}]`);
    return cells;
  });
  const width = Math.max(0, ...rows.flat().map((c) => displayWidth(c))) + 1;
  steps.forEach((s, i) => {
    const cells = rows[i].map((c, j) => (j === rows[i].length - 1 ? c : pad(c, width))).join('');
    lines.push(`${String(s.step).padStart(4)}${s.part !== undefined ? `/${s.part + 1}` : ''}  ${pad(cells, width * 5)}  → ${s.chosen}`);
  });
  lines.push(`= ${r.translation}`);
  return lines.join('\n');
}

interface Session {
  t: Translator & { dir: string };
  o: TranslateCliOptions;
  io: CliIo;
  decoding: DecodingChoice;
  options: TranslateOptions;
  /** Several lines (a file or stdin): warnings and attention files are numbered by line. */
  numbered: boolean;
  /** Warnings printed on stderr so far, and those held back once there were too many. */
  warningsShown: number;
  warningsHidden: number;
}

/** Most warnings printed on stderr for one command: a file where every line warns must not drown the terminal. */
export const MAX_WARNINGS_SHOWN = 20;
/** Longest warning printed, in characters: a warning quotes the input, and the input can be a megabyte on one line. */
export const MAX_WARNING_CHARS = 200;

/** `w` cut to {@link MAX_WARNING_CHARS} characters, saying how much was left out. */
export function boundWarning(w: string): string {
  const chars = Array.from(w);
  return chars.length <= MAX_WARNING_CHARS ? w : `${chars.slice(0, MAX_WARNING_CHARS).join('')}… (${chars.length - MAX_WARNING_CHARS} more characters)`;
}

/** Translates lines and prints one result per line (JSON or text); warnings go to stderr. Stops when stdout has no reader. */
function emit(s: Session, lines: readonly string[], firstLineNo: number): void {
  const results = translate(s.t.model, s.t.tokenizer, lines, s.options);
  for (let i = 0; i < results.length; i++) {
    if (s.io.stdoutClosed?.()) return;
    const r = results[i];
    const lineNo = firstLineNo + i;
    const where = s.numbered ? `line ${lineNo}: ` : '';
    const warnings = r.warnings.map(boundWarning);
    for (const w of warnings) {
      if (s.warningsShown < MAX_WARNINGS_SHOWN) {
        s.io.stderr(`translate: ${where}${w}\n`);
        s.warningsShown++;
      } else s.warningsHidden++;
    }
    if (s.o.attention && r.attention && r.targetTokens.length > 0) {
      const path = attentionPath(s.o.attention, s.numbered ? lineNo : null);
      const svg = attentionSvg(r.attention, {
        title: `${r.source.trim()} → ${r.translation}`,
        subtitle: `encoder-decoder attention, ${s.options.attention === 'all' ? 'mean of all decoder layers' : 'last decoder layer'}, heads averaged (${describeDecoding(s.decoding)}); outlined: where each English piece looked most`,
      });
      try {
        writeFileSync(path, svg);
      } catch (e) {
        throw new Error(`translate: cannot write --attention ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      if (!s.o.json) s.io.stderr(`translate: ${where}wrote ${path}\n`);
    }
    const translation = r.translation.replace(/[\r\n]+/g, ' ');
    if (s.o.json) {
      const obj: Record<string, unknown> = { translation };
      if (s.o.explain) obj.steps = r.steps ?? [];
      if (warnings.length > 0) obj.warnings = warnings;
      s.io.stdout(JSON.stringify(obj) + '\n');
    } else if (s.o.explain && r.parts > 0) {
      s.io.stdout(formatExplain({ ...r, translation }, s.decoding) + '\n');
    } else {
      s.io.stdout(translation + '\n');
    }
  }
}

/** Lets pending events run (a closed pipe's 'error', new stdin data) between synchronous batches. */
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Text of one line's bytes, or an error naming the line when they are not UTF-8: the same rule for
 * --file and stdin (a replacement character would be translated as if it were the input).
 */
function decodeLine(bytes: Uint8Array, lineNo: number, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: lineNo !== 1 }).decode(bytes);
  } catch {
    throw new Error(`translate: ${source}: line ${lineNo} is not UTF-8 text`);
  }
}

/** The lines of a file's bytes, as {@link splitLines} splits text; bytes that are not UTF-8 are an error naming the line. */
export function decodeTextLines(bytes: Uint8Array, source: string): string[] {
  try {
    return splitLines(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    // find the first line that is not UTF-8, to name it
  }
  let start = 0;
  for (let lineNo = 1; ; lineNo++) {
    const end = bytes.indexOf(0x0a, start);
    decodeLine(bytes.subarray(start, end === -1 ? bytes.length : end), lineNo, source);
    if (end === -1) throw new Error(`translate: ${source} is not UTF-8 text`);
    start = end + 1;
  }
}

/**
 * Piped stdin, line by line as bytes arrive, handed on in batches of what has arrived (at most 256
 * lines); stops early when stdout has no reader. Lines end as in {@link splitLines}.
 */
async function pipedLines(io: CliIo, onBatch: (lines: string[], firstLineNo: number) => void): Promise<void> {
  let pending: Uint8Array[] = [];
  let lines: string[] = [];
  let lineNo = 1;
  const flush = async (): Promise<boolean> => {
    while (lines.length > 0) {
      const batch = lines.splice(0, 256);
      onBatch(batch, lineNo);
      lineNo += batch.length;
      await tick();
      if (io.stdoutClosed?.()) return false;
    }
    return true;
  };
  const take = (bytes: Uint8Array): void => {
    let line = bytes;
    if (line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    lines.push(decodeLine(line, lineNo + lines.length, 'stdin'));
  };
  for await (const chunk of io.stdin as AsyncIterable<Uint8Array | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      pending.push(buf.subarray(start, nl));
      take(pending.length === 1 ? pending[0] : Buffer.concat(pending));
      pending = [];
      start = nl + 1;
    }
    if (start < buf.length) pending.push(buf.subarray(start));
    if (!(await flush())) return;
  }
  if (pending.length > 0) take(Buffer.concat(pending));
  await flush();
}

/** Lines typed at a terminal, one prompt each; the terminal decodes the keystrokes. */
async function typedLines(io: CliIo, onBatch: (lines: string[], firstLineNo: number) => void, prompt: string): Promise<void> {
  const rl = createInterface({ input: io.stdin, crlfDelay: Infinity, output: process.stderr, terminal: true });
  rl.setPrompt(prompt);
  rl.prompt();
  let lineNo = 1;
  for await (const line of rl) {
    onBatch([line], lineNo++);
    if (io.stdoutClosed?.()) break;
    rl.prompt();
  }
  rl.close();
}

/**
 * Runs `llmcore translate`: `text` (the words of the argument, joined by spaces) or --file or stdin.
 * Every option, input and output is checked before the model is loaded.
 * @example await runTranslate(['我正在吃饭'], { explain: true })
 */
export async function runTranslate(text: readonly string[], o: TranslateCliOptions, io: CliIo = processIo(), load?: TranslatorLoader): Promise<void> {
  if (text.length > 0 && o.file) throw new Error('translate: give a sentence or --file, not both');
  checkSizeOptions(o, 'translate');
  if (o.file) checkInputFile(o.file, 'translate: --file');
  const dir = resolveModelDir(o.model);
  if (o.attention) checkOutputFile(o.attention, 'translate: --attention', [o.file, ...modelFiles(dir)]);
  const t = await loadModelDir(o.model, load);
  const decoding = decodingOf(o, t, 'translate');
  const options: TranslateOptions = {
    beam: decoding.beam,
    lengthPenalty: decoding.lengthPenalty,
    explain: o.explain ? 5 : false,
    attention: o.attention ? (o.attentionLayers ?? 'last') : false,
    noUnk: o.unk === false,
    batchSize: o.batchSize ?? 32,
  };
  const session: Session = { t, o, io, decoding, options, numbered: text.length === 0, warningsShown: 0, warningsHidden: 0 };
  if (text.length > 0) {
    emit(session, [text.join(' ')], 1);
    return;
  }
  if (o.file) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(o.file);
    } catch (e) {
      throw new Error(`translate: cannot read --file ${o.file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const lines = decodeTextLines(bytes, `--file ${o.file}`);
    const chunk = 256;
    for (let i = 0; i < lines.length; i += chunk) {
      emit(session, lines.slice(i, i + chunk), i + 1);
      await tick();
      if (io.stdoutClosed?.()) return;
      if (io.stderrIsTTY && lines.length > chunk) io.stderr(`\rtranslate: ${Math.min(i + chunk, lines.length)}/${lines.length} lines${i + chunk >= lines.length ? '\n' : ''}`);
    }
  } else if (io.stdin.isTTY) {
    io.stderr(`llmcore translate — ${describeDecoding(decoding)}, model ${t.dir}. Type Chinese, Enter to translate; Ctrl-D to quit.\n`);
    await typedLines(io, (lines, first) => emit(session, lines, first), '中文> ');
  } else {
    await pipedLines(io, (lines, first) => emit(session, lines, first));
  }
  if (session.warningsHidden > 0 && !io.stdoutClosed?.()) {
    io.stderr(`translate: ${session.warningsHidden} more warning${session.warningsHidden > 1 ? 's' : ''} not shown (the first ${MAX_WARNINGS_SHOWN} are above; --json gives every line's warnings)\n`);
  }
}

function choice<T extends string>(values: readonly T[]): (v: string) => T {
  return (v: string) => {
    if (!values.includes(v as T)) throw new InvalidArgumentError(`expected one of ${values.join(', ')}, got '${v}'`);
    return v as T;
  };
}

export function registerTranslate(program: Command): void {
  program
    .command('translate')
    .description('translate Chinese to English with the trained Transformer (the explainer\'s 我正在吃饭 → I am eating)')
    .argument('[sentence...]', 'the Chinese sentence; without it (and without --file) lines are read from stdin')
    .option('--file <file>', 'translate one sentence per line to stdout, one line out per line in')
    .option('--model <dir>', 'model directory (config.json, tokenizer.json, model.safetensors), or a training run with best/ (default: the shipped models/zh-en)')
    .option('--beam <n>', `beam search with n beams, 1 to ${MAX_BEAM} (default: the model\'s config, else 4)`, parseBeam)
    .option('--greedy', 'greedy decoding: the most likely word at each step (same as --beam 1)')
    .option('--length-penalty <alpha>', 'beam search ranks by logProb / length^alpha, 0 to 10 (default: the model\'s config, else 1)', parseLengthPenalty)
    .option('--explain', 'print every step\'s top 5 candidate words with their probabilities and the one chosen')
    .option('--attention <file.svg>', 'draw the encoder-decoder attention (with several lines: file.N.svg for line N)')
    .option('--attention-layers <which>', 'attention of the last decoder layer, or the mean of all: last | all', choice(['last', 'all'] as const), 'last')
    .option('--no-unk', 'never output the <unk> token')
    .option('--batch-size <n>', `sentences decoded together, 1 to ${MAX_BATCH_SIZE}`, parseBatchSize, 32)
    .option('--json', 'print {"translation": …} per line (with --explain also "steps")')
    .addHelpText('after', '\nExamples:\n  llmcore translate 我正在吃饭\n  llmcore translate --explain --greedy 我正在吃饭\n  llmcore translate --file zh.txt > en.txt\n  llmcore translate --attention attention.svg 我们正在吃苹果。')
    .action(async (sentence: string[], o: TranslateCliOptions) => {
      await runTranslate(sentence, o);
    });
}
