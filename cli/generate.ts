/**
 * `llmcore generate --model DIR "prompt"`: a GPT continues the text, token by token, as the explainer
 * says ChatGPT writes its answer. DIR is a GPT-2 folder as the Hugging Face hub has it (config.json,
 * model.safetensors, vocab.json + merges.txt or tokenizer.json) or one llmcore saved. Tokens are
 * written as they are produced; `--explain` shows each step's five most likely tokens; `--json` gives
 * one object for scripts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { loadGpt } from '../src/models/gpt/checkpoint.js';
import { loadAnyGptTokenizer, type GptTokenizer } from '../src/models/gpt/tokenizer.js';
import { GptStepModel } from '../src/models/gpt/step.js';
import { sample } from '../src/decode/sample.js';
import type { StepCandidates } from '../src/decode/search.js';
import { integer, number } from './options.js';
import { processIo, type CliIo } from './translate.js';

export interface GenerateOptions {
  model?: string;
  maxTokens: number;
  temperature: number;
  greedy?: boolean;
  topK?: number;
  topP: number;
  repetitionPenalty: number;
  seed?: number;
  stop?: string[];
  explain?: boolean;
  json?: boolean;
}

/** The most tokens one call generates: past the context every step reruns the window, so this bounds the time. */
export const MAX_NEW_TOKENS = 100_000;
const TOP_EXPLAINED = 5;

const parseMaxTokens = (v: string): number => {
  const n = integer(v);
  if (n < 1 || n > MAX_NEW_TOKENS) throw new InvalidArgumentError(`expected an integer from 1 to ${MAX_NEW_TOKENS}, got '${v}'`);
  return n;
};
const parseTemperature = (v: string): number => {
  const t = number(v);
  if (t < 0) throw new InvalidArgumentError(`expected a number >= 0 (0 is greedy, 1 the model's own distribution), got '${v}'`);
  return t;
};
const parseTopK = (v: string): number => {
  const k = integer(v);
  if (k < 1) throw new InvalidArgumentError(`expected an integer >= 1 (the number of most likely tokens to draw from), got '${v}'`);
  return k;
};
const parseTopP = (v: string): number => {
  const p = number(v);
  if (!(p > 0 && p <= 1)) throw new InvalidArgumentError(`expected a number in (0, 1] (the probability mass to draw from; 1 is all), got '${v}'`);
  return p;
};
const parsePenalty = (v: string): number => {
  const r = number(v);
  if (!(r > 0)) throw new InvalidArgumentError(`expected a number > 0 (1 is off; 1.2 discourages repeats), got '${v}'`);
  return r;
};
const parseSeed = (v: string): number => {
  const s = integer(v);
  if (s < 0 || s > 0xffffffff) throw new InvalidArgumentError(`expected an integer from 0 to 4294967295, got '${v}'`);
  return s;
};
/** A --stop value: `\n` and `\t` as typed in a shell mean a newline and a tab (`\\` a backslash). */
export const parseStop = (v: string, prev: string[] | undefined): string[] => {
  const text = v.replace(/\\([nt\\])/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
  if (text === '') throw new InvalidArgumentError('expected a non-empty stop text');
  return [...(prev ?? []), text];
};

/** The model folder `--model` names: a training run's folder means its best/. */
function resolveGptDir(dir: string | undefined): string {
  const hub = 'a GPT-2 folder as the Hugging Face hub has it (config.json, model.safetensors, vocab.json + merges.txt or tokenizer.json), or one llmcore saved';
  if (dir === undefined) throw new Error(`generate: --model DIR is required: ${hub}`);
  const d = resolve(dir);
  if (!existsSync(d)) throw new Error(`generate: --model ${dir}: no such directory (expected ${hub})`);
  if (!existsSync(join(d, 'config.json')) && existsSync(join(d, 'best', 'config.json'))) return join(d, 'best');
  return d;
}

/** Number of bytes at the end of `bytes` that begin a UTF-8 character not yet complete (0 to 3). */
function incompleteTail(bytes: Uint8Array): number {
  for (let k = 1; k <= Math.min(3, bytes.length); k++) {
    const b = bytes[bytes.length - k];
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > k ? k : 0;
  }
  return 0;
}

/**
 * Turns the growing token list into text to print: only complete characters (a Chinese character is
 * often two or three tokens), nothing past a stop text, and held back while the text might be the
 * start of one.
 */
export class TextStream {
  private emitted = 0;
  /** The text generated so far, cut before the first stop text (once one is written). */
  text = '';
  stopped = false;

  constructor(private readonly tokenizer: GptTokenizer, private readonly stops: readonly string[]) {}

  /** The new printable text after `tokens` (all generated so far). */
  update(tokens: readonly number[], final = false): string {
    const bytes = this.tokenizer.decodeBytes(tokens);
    const complete = final ? bytes : bytes.subarray(0, bytes.length - incompleteTail(bytes));
    let text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(complete);
    let hold = 0;
    for (const s of this.stops) {
      const at = text.indexOf(s);
      if (at >= 0) {
        text = text.slice(0, at);
        this.stopped = true;
      }
    }
    if (!this.stopped && !final) {
      // the longest end of the text that a stop text starts with may yet become that stop text
      for (const s of this.stops) for (let n = Math.min(s.length - 1, text.length); n > hold; n--) if (text.endsWith(s.slice(0, n))) { hold = n; break; }
    }
    this.text = text;
    const upTo = Math.max(this.emitted, text.length - hold);
    const out = text.slice(this.emitted, upTo);
    this.emitted = upTo;
    return out;
  }
}

/** One step of --explain as a line: the five most likely tokens, the one taken in [ ]. */
function explainLine(step: number, s: StepCandidates, show: (id: number) => string): string {
  const prob = (p: number): string => (p < 0.0005 ? '<0.001' : p.toFixed(3));
  const cells = s.candidates.map((c) => (c.token === s.token ? `[${show(c.token)} ${prob(c.prob)}]` : ` ${show(c.token)} ${prob(c.prob)} `));
  if (!s.candidates.some((c) => c.token === s.token)) cells.push(`[${show(s.token)} ${prob(s.prob)}]`);
  return `${String(step).padStart(4)}  ${cells.map((c) => c.padEnd(22)).join('')} → ${show(s.token)}`;
}

/**
 * Runs one generation. Errors are thrown as one-line messages; `io` is where text goes (tests pass their own).
 * @example await runGenerate('Once upon a time', { model: 'gpt2', maxTokens: 30, temperature: 0.8, topP: 0.95, repetitionPenalty: 1, seed: 1 })
 */
export async function runGenerate(promptText: string, o: GenerateOptions, io: CliIo = processIo()): Promise<void> {
  if (promptText.trim() === '') throw new Error('generate: the prompt is empty: give the text to continue, e.g. llmcore generate --model DIR "Once upon a time"');
  const dir = resolveGptDir(o.model);
  const { model, config } = await loadGpt(dir).catch((e: Error) => { throw new Error(`generate: ${e.message}`); });
  let tokenizer: GptTokenizer;
  try {
    tokenizer = loadAnyGptTokenizer(dir, config);
  } catch (e) {
    throw new Error(`generate: ${(e as Error).message}`);
  }
  const warnings: string[] = [];
  const warn = (w: string): void => {
    warnings.push(w);
    if (!o.json) io.stderr(`generate: ${w}\n`);
  };
  let ids = tokenizer.encode(promptText);
  if (ids.length > config.nPositions) {
    warn(`the prompt is ${ids.length} tokens, longer than the model's context of ${config.nPositions}: only its last ${config.nPositions} are read`);
    ids = ids.slice(ids.length - config.nPositions);
  }
  const seed = o.seed ?? Math.floor(Math.random() * 0x100000000);
  const temperature = o.greedy ? 0 : o.temperature;
  const stops = o.stop ?? [];
  const stream = new TextStream(tokenizer, stops);
  // control characters (a newline, a tab) written as JSON escapes, so each step stays on its line
  const show = (id: number): string => JSON.stringify(tokenizer.tokenText(id)).slice(1, -1).replace(/\\"/g, '"');
  const closed = (): boolean => io.stdoutClosed?.() ?? false;
  const eos = config.eosTokenId === null ? [] : [config.eosTokenId];
  const generated: number[] = [];
  let step = 0;
  const result = sample(new GptStepModel(model, ids.slice(0, -1)), {
    bos: ids[ids.length - 1],
    maxTokens: o.maxTokens,
    eos,
    temperature,
    topK: temperature === 0 ? undefined : o.topK,
    topP: o.topP,
    repetitionPenalty: o.repetitionPenalty,
    context: ids,
    seed,
    explainTopK: o.explain ? TOP_EXPLAINED : 0,
    // called after onToken, which has just updated the stream
    stop: stops.length ? () => stream.stopped : undefined,
    onToken: (token, explained) => {
      step++;
      const end = eos.includes(token);
      if (!end) generated.push(token);
      const piece = stream.update(generated);
      if (o.explain && !o.json) io.stdout(explainLine(step, explained!, show) + '\n');
      else if (!o.json) io.stdout(piece);
      return !closed();
    },
  });
  const rest = stream.update(result.tokens, true);
  const text = stream.text;
  if (o.json) {
    const out: Record<string, unknown> = {
      prompt: promptText, text, tokens: result.tokens, promptTokens: ids.length, finishReason: result.finishReason,
      seed, temperature, topK: temperature === 0 ? null : o.topK ?? null, topP: o.topP, repetitionPenalty: o.repetitionPenalty,
    };
    if (o.explain) out.steps = result.steps!.map((s) => ({ token: s.token, text: tokenizer.tokenText(s.token), prob: s.prob, candidates: s.candidates.map((c) => ({ token: c.token, text: tokenizer.tokenText(c.token), prob: c.prob })) }));
    if (warnings.length) out.warnings = warnings;
    io.stdout(JSON.stringify(out) + '\n');
  } else if (o.explain) {
    io.stdout(`= ${promptText}${text}\n`);
  } else {
    io.stdout(rest + '\n');
  }
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('continue a text with a GPT (a Hugging Face GPT-2 folder, or one llmcore trained), token by token')
    .argument('[prompt...]', 'the text to continue; without it, stdin is read')
    .option('--model <dir>', 'the model folder: config.json, model.safetensors, vocab.json + merges.txt or tokenizer.json (a training run: its best/)')
    .option('--max-tokens <n>', `most tokens to generate, 1 to ${MAX_NEW_TOKENS}`, parseMaxTokens, 50)
    .option('--temperature <t>', 'below 1 sharper, above 1 more random; 0 is greedy', parseTemperature, 1)
    .option('--greedy', 'always the most likely token (same as --temperature 0)')
    .option('--top-k <k>', 'draw only from the k most likely tokens (default: all)', parseTopK)
    .option('--top-p <p>', 'draw only from the most likely tokens that make up probability p, in (0, 1]', parseTopP, 1)
    .option('--repetition-penalty <r>', 'discourage tokens already in the text (1 is off, 1.2 is common)', parsePenalty, 1)
    .option('--seed <n>', 'seed of the draws: the same seed gives the same text (default: a random one, shown by --json)', parseSeed)
    .option('--stop <text>', 'stop when this text is written, and leave it out (repeatable; \\n is a newline, \\t a tab)', parseStop)
    .option('--explain', 'print each step\'s 5 most likely tokens with their probabilities, the one taken in [ ]')
    .option('--json', 'print one JSON object: {"text": …, "tokens": […], "finishReason": …, "seed": …}')
    .addHelpText('after', '\nExamples:\n  llmcore generate --model gpt2 "The meaning of life is"\n  llmcore generate --model gpt2 --temperature 0.8 --top-p 0.95 --seed 1 --max-tokens 100 "Once upon a time"\n  llmcore generate --model gpt2 --greedy --explain "Hello, my name is"\n  echo "Q: What is 2+2?\\nA:" | llmcore generate --model gpt2 --stop "\\n" --json')
    .action(async (words: string[], o: GenerateOptions) => {
      const prompt = words.length ? words.join(' ') : process.stdin.isTTY ? '' : readFileSync(0, 'utf8');
      await runGenerate(prompt, o);
    });
}
