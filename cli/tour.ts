/** `llmcore tour` (what `npm start` runs): every chapter of the explainer, live, in order. */
import type { Command } from 'commander';
import { runLinear } from './linear.js';
import { runIris } from './iris.js';
import { runLmTourChapter } from './lm.js';
import { formatExplain, loadModelDir } from './translate.js';
import { translate } from '../src/models/seq2seq/translate.js';
import { printJson } from './options.js';

export function registerTour(program: Command): void {
  program
    .command('tour')
    .description('the tour of the explainer: each chapter runs live (y = ax + b, Iris KNN, RNN/LSTM next word, 我正在吃饭 → English)')
    .option('--json', 'print each chapter\'s result as one JSON object')
    .action(async (o: { json?: boolean }) => {
      const say = o.json ? () => {} : console.log;
      const results: Record<string, unknown> = {};
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

      say('\nChapter 4. The Transformer translates 我正在吃饭: characters and positions become vectors, the encoder');
      say('attends over the whole sentence at once, the decoder attends to the words it has written and to the');
      say('encoder, and a linear layer + softmax gives every English word a probability; the most likely one is');
      say('chosen, step by step (the shipped model, trained here on the Tatoeba pairs):\n');
      let translator;
      try {
        translator = await loadModelDir(undefined);
      } catch (e) {
        say(`(skipped: ${(e as Error).message})`);
      }
      if (translator) {
        const [greedy] = translate(translator.model, translator.tokenizer, ['我正在吃饭'], { beam: 1, explain: 5 });
        say(formatExplain(greedy, { beam: 1, lengthPenalty: 1 }));
        results.translate = { source: '我正在吃饭', translation: greedy.translation, steps: greedy.steps };
      }
      if (o.json) printJson(results);
    });
}
