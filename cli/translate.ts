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
import type { Seq2SeqTransformer } from '../src/models/seq2seq/model.js';
import { translate, type TranslateOptions, type TranslationResult, type TranslationStep, type TranslationTokenizerLike } from '../src/models/seq2seq/translate.js';
import { attentionSvg } from '../src/models/seq2seq/attention-svg.js';
import { number, positiveInteger } from './options.js';

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
}

export const processIo = (): CliIo => ({
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdin: process.stdin,
  stderrIsTTY: !!process.stderr.isTTY,
});

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

/** Resolves the model directory (a training run's folder means its best/) and loads it, with clear errors. */
export async function loadModelDir(dir: string | undefined, load: TranslatorLoader = defaultLoader): Promise<Translator & { dir: string }> {
  const shipped = dir === undefined;
  let d = resolve(dir ?? defaultModelDir());
  if (!existsSync(d)) {
    throw new Error(shipped ? `no model at ${d}: the shipped model is not there. ${HOW_TO_TRAIN}` : `--model ${dir}: no such directory. ${HOW_TO_TRAIN}`);
  }
  if (!existsSync(join(d, 'config.json')) && existsSync(join(d, 'best', 'config.json'))) d = join(d, 'best');
  if (!existsSync(join(d, 'config.json'))) {
    throw new Error(`${d} holds no trained model (config.json, tokenizer.json and model.safetensors are expected). ${HOW_TO_TRAIN}`);
  }
  return { ...(await load(d)), dir: d };
}

async function defaultLoader(dir: string): Promise<Translator> {
  const { loadTranslator } = await import('../src/models/seq2seq/checkpoint.js');
  return loadTranslator(dir);
}

export interface DecodingChoice {
  beam: number;
  lengthPenalty: number;
}

/** --beam / --greedy / --length-penalty, else the model's config.json `decoding`, else beam 4, α 1. */
export function decodingOf(o: { beam?: number; greedy?: boolean; lengthPenalty?: number }, t: Translator, who: string): DecodingChoice {
  if (o.greedy && o.beam !== undefined && o.beam !== 1) throw new Error(`${who}: --greedy and --beam ${o.beam} contradict each other; choose one`);
  const d = t.config?.decoding ?? {};
  return { beam: o.greedy ? 1 : o.beam ?? d.beam ?? 4, lengthPenalty: o.lengthPenalty ?? d.lengthPenalty ?? 1 };
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
}

/** Translates lines and prints one result per line (JSON or text); warnings go to stderr. */
function emit(s: Session, lines: readonly string[], firstLineNo: number): void {
  const results = translate(s.t.model, s.t.tokenizer, lines, s.options);
  results.forEach((r, i) => {
    const lineNo = firstLineNo + i;
    const where = s.numbered ? `line ${lineNo}: ` : '';
    for (const w of r.warnings) s.io.stderr(`translate: ${where}${w}\n`);
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
      if (r.warnings.length > 0) obj.warnings = r.warnings;
      s.io.stdout(JSON.stringify(obj) + '\n');
    } else if (s.o.explain && r.parts > 0) {
      s.io.stdout(formatExplain({ ...r, translation }, s.decoding) + '\n');
    } else {
      s.io.stdout(translation + '\n');
    }
  });
}

/** Reads lines from a stream and hands them on in batches: what has arrived by the time the last batch is done. */
async function streamLines(io: CliIo, onBatch: (lines: string[], firstLineNo: number) => void, prompt: string | null): Promise<void> {
  const rl = createInterface({ input: io.stdin, crlfDelay: Infinity, ...(prompt !== null ? { output: process.stderr, terminal: true } : {}) });
  const queue: string[] = [];
  let closed = false;
  let wake: (() => void) | null = null;
  rl.on('line', (line) => {
    queue.push(line);
    wake?.();
  });
  rl.on('close', () => {
    closed = true;
    wake?.();
  });
  if (prompt !== null) {
    rl.setPrompt(prompt);
    rl.prompt();
  }
  let lineNo = 1;
  for (;;) {
    if (queue.length === 0) {
      if (closed) break;
      await new Promise<void>((r) => (wake = r));
      wake = null;
      continue;
    }
    if (prompt === null) await new Promise((r) => setImmediate(r)); // let the rest of a piped chunk arrive
    const batch = queue.splice(0, 256);
    onBatch(batch, lineNo);
    lineNo += batch.length;
    if (prompt !== null && !closed) rl.prompt();
  }
}

/**
 * Runs `llmcore translate`: `text` (the words of the argument, joined by spaces) or --file or stdin.
 * @example await runTranslate(['我正在吃饭'], { explain: true })
 */
export async function runTranslate(text: readonly string[], o: TranslateCliOptions, io: CliIo = processIo(), load?: TranslatorLoader): Promise<void> {
  if (text.length > 0 && o.file) throw new Error('translate: give a sentence or --file, not both');
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
  const session: Session = { t, o, io, decoding, options, numbered: text.length === 0 };
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
    let content: string;
    try {
      content = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new Error(`translate: --file ${o.file} is not UTF-8 text`);
    }
    const lines = splitLines(content);
    const chunk = 256;
    for (let i = 0; i < lines.length; i += chunk) {
      emit(session, lines.slice(i, i + chunk), i + 1);
      if (io.stderrIsTTY && lines.length > chunk) io.stderr(`\rtranslate: ${Math.min(i + chunk, lines.length)}/${lines.length} lines${i + chunk >= lines.length ? '\n' : ''}`);
    }
    return;
  }
  const interactive = !!io.stdin.isTTY;
  if (interactive) io.stderr(`llmcore translate — ${describeDecoding(decoding)}, model ${t.dir}. Type Chinese, Enter to translate; Ctrl-D to quit.\n`);
  await streamLines(io, (lines, first) => emit(session, lines, first), interactive ? '中文> ' : null);
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
    .option('--beam <n>', 'beam search with n beams (default: the model\'s config, else 4)', positiveInteger)
    .option('--greedy', 'greedy decoding: the most likely word at each step (same as --beam 1)')
    .option('--length-penalty <alpha>', 'beam search ranks by logProb / length^alpha (default: the model\'s config, else 1)', number)
    .option('--explain', 'print every step\'s top 5 candidate words with their probabilities and the one chosen')
    .option('--attention <file.svg>', 'draw the encoder-decoder attention (with several lines: file.N.svg for line N)')
    .option('--attention-layers <which>', 'attention of the last decoder layer, or the mean of all: last | all', choice(['last', 'all'] as const), 'last')
    .option('--no-unk', 'never output the <unk> token')
    .option('--batch-size <n>', 'sentences decoded together', positiveInteger, 32)
    .option('--json', 'print {"translation": …} per line (with --explain also "steps")')
    .addHelpText('after', '\nExamples:\n  llmcore translate 我正在吃饭\n  llmcore translate --explain --greedy 我正在吃饭\n  llmcore translate --file zh.txt > en.txt\n  llmcore translate --attention attention.svg 我们正在吃苹果。')
    .action(async (sentence: string[], o: TranslateCliOptions) => {
      await runTranslate(sentence, o);
    });
}
