/** `llmcore tour` (what `npm start` runs): every chapter of the explainer, live, in order. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { runLinear } from './linear.js';
import { runIris } from './iris.js';
import { runLmTourChapter } from './lm.js';
import { defaultModelDir, formatExplain, loadModelDir, type Translator } from './translate.js';
import { translate } from '../src/models/seq2seq/translate.js';
import { printJson, printLine } from './options.js';
import { tourGpt } from './tour-gpt.js';
import { tourSequenceClaims } from './tour-memory.js';
import { tourVision } from './tour-vision.js';

/**
 * The translator for chapter 4. Only an absent shipped folder (a checkout or package without
 * models/) skips the chapter, with a notice on stderr: any other failure to load (a corrupt or
 * truncated file, a model named with --model that is not there) is an error, so a broken shipped
 * model cannot pass as a skipped chapter.
 */
export async function tourTranslator(
  dir: string | undefined,
  warn: (line: string) => void,
  shippedDir: string = defaultModelDir(),
): Promise<{ translator: Translator } | { skipped: string }> {
  if (dir === undefined && !existsSync(shippedDir)) {
    const skipped = `no model at ${shippedDir}`;
    warn(`llmcore tour: chapter 4 skipped: ${skipped} (train one with \`llmcore train translate\`, or pass --model <dir>)`);
    return { skipped };
  }
  return { translator: await loadModelDir(dir ?? shippedDir) };
}

export function registerTour(program: Command): void {
  program
    .command('tour')
    .description('the tour of the explainer: each chapter runs live (y = ax + b, Iris KNN, RNN/LSTM next word and the sequence claims, 我正在吃饭 → English, one GPT doing several tasks, a picture answered in words)')
    .option('--json', 'print each chapter\'s result as one JSON object')
    .option('--model <dir>', 'the translator of chapter 4, a model directory (default: the shipped models/zh-en)')
    .action(async (o: { json?: boolean; model?: string }) => {
      const say = o.json ? () => {} : printLine;
      const results: Record<string, unknown> = {};
      // loaded before chapter 1 so that a broken model fails in a second, not after the LM chapter's training
      const chapter4 = await tourTranslator(o.model, (line) => process.stderr.write(`${line}\n`));
      say('大模型核心技术说明 — the core technology of large models, live.\n');

      say('Chapter 1. A model is a function y = f(x) whose parameters are learned from data: y = a·x + b.\n');
      results.linear = runLinear({ a: 3, b: 5, noise: 0.2, points: 1000, seed: 0, steps: 100, lr: 0.1, every: 20, json: o.json }, say);

      say('\nChapter 2. Iris: 150 flowers, 4 features, 3 species. KNN needs no training — the data set is the model.');
      say('A new flower (sepal 6.0 × 2.8 cm, petal 4.9 × 1.7 cm): which species are its 7 nearest neighbours?\n');
      results.iris = runIris({
        model: 'knn', k: 7, metric: 'euclidean', p: 2, weights: 'uniform', algorithm: 'auto', kernel: 'rbf', seed: 0,
        predict: '6.0,2.8,4.9,1.7', json: o.json,
      }, say);

      say('\nChapter 3. An RNN reads word by word, each step depending on the previous hidden state; an LSTM adds a');
      say('cell with input, forget and output gates. Both learn a small corpus here, then continue "Apple is":\n');
      results.lm = await runLmTourChapter(say);
      say('\nWhat the sequence models claim, measured here (RNNs forget with distance, LSTM gates remember,');
      say('Transformers train in parallel):');
      results.sequenceClaims = tourSequenceClaims(say);

      say('\nChapter 4. The Transformer translates 我正在吃饭: characters and positions become vectors, the encoder');
      say('attends over the whole sentence at once, the decoder attends to the words it has written and to the');
      say('encoder, and a linear layer + softmax gives every English word a probability; the most likely one is');
      say('chosen, step by step (the shipped model, trained here on the Tatoeba pairs):\n');
      if ('skipped' in chapter4) {
        say(`(skipped: ${chapter4.skipped})`);
        results.translate = { skipped: chapter4.skipped };
      } else {
        const { model, tokenizer } = chapter4.translator;
        const [greedy] = translate(model, tokenizer, ['我正在吃饭'], { beam: 1, explain: 5 });
        say(formatExplain(greedy, { beam: 1, lengthPenalty: 1 }));
        results.translate = { source: '我正在吃饭', translation: greedy.translation, steps: greedy.steps };
      }
      say('');
      results.gpt = await tourGpt(say, !!o.json);
      say('');
      results.vision = await tourVision(say, !!o.json);
      if (o.json) printJson(results);
    });
}
