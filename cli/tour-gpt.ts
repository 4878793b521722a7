/**
 * The tour's GPT chapter: one generative model, several tasks. The shipped models/gpt-multitask (a
 * decoder-only Transformer pre-trained on the Tatoeba sentences, then fine-tuned in llmcore chat's
 * format) translates Chinese→English, English→Chinese and names an Iris flower written as text, with
 * the same parameters — greedy, so the tour shows the same answers every time.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadGpt } from '../src/models/gpt/checkpoint.js';
import { loadAnyGptTokenizer } from '../src/models/gpt/tokenizer.js';
import { answer } from '../src/models/gpt/evaluate.js';
import { chatPrompt, enZhPrompt, irisPrompt, irisSpeciesOf, zhEnPrompt } from '../src/models/gpt/tasks.js';
import { packageRoot } from './translate.js';

/** The shipped multi-task GPT: models/gpt-multitask/ in the package. */
export function defaultGptDir(): string {
  return join(packageRoot(), 'models', 'gpt-multitask');
}

/** Most tokens of an answer: a translation of a tour sentence, a species name. */
const TRANSLATION_TOKENS = 40;
const IRIS_ANSWER_TOKENS = 16;

/** The flower of the tour's Iris chapter (sepal 6.0 × 2.8 cm, petal 4.9 × 1.7 cm), asked as text. */
const FLOWER = { sepalLength: 6.0, sepalWidth: 2.8, petalLength: 4.9, petalWidth: 1.7 };

/**
 * Runs the chapter: `say` gets the lines to show, the result is JSON-able. Only an absent model
 * folder skips it (a package or checkout without models/); a folder that is there but broken is an error.
 * @example const r = await tourGpt(console.log, false) // { model, parameters, tasks: [{ task: 'zh-en', prompt, answer }, …] }
 */
export async function tourGpt(say: (line: string) => void, json: boolean, dir: string = defaultGptDir()): Promise<Record<string, unknown>> {
  if (!existsSync(dir)) {
    const skipped = `no model at ${dir}`;
    say(`(skipped: ${skipped}; train one with recipes/gpt-pretrain.json then recipes/gpt-multitask.json, see the README's Chapter 5)`);
    return { skipped };
  }
  const { model, config } = await loadGpt(dir);
  const tokenizer = loadAnyGptTokenizer(dir, config);
  const parameters = model.numParameters();
  say(`Chapter 5. A GPT — a generative pre-trained Transformer — writes its answer token by token, each one`);
  say(`predicted from all the text before it. This one (${parameters.toLocaleString('en')} parameters, trained here) was pre-trained on`);
  say(`the Tatoeba sentences, then fine-tuned on conversations; one set of parameters does three tasks:\n`);
  const asks = [
    { task: 'zh-en', prompt: zhEnPrompt('我正在吃饭') },
    { task: 'en-zh', prompt: enZhPrompt('I am eating.') },
    { task: 'iris', prompt: irisPrompt(FLOWER, 'en') },
    { task: 'iris', prompt: irisPrompt(FLOWER, 'zh') },
  ];
  const tasks = asks.map((a) => {
    // an Iris answer is a few tokens: asking for few leaves the long question its whole context
    const reply = answer(model, tokenizer, a.prompt, a.task === 'iris' ? IRIS_ANSWER_TOKENS : TRANSLATION_TOKENS);
    say(`${chatPrompt(a.prompt)} ${reply}\n`);
    return { ...a, answer: reply, ...(a.task === 'iris' ? { species: irisSpeciesOf(reply) } : {}) };
  });
  say('(greedy decoding: the most likely token at every step, so the same answers every time. How often each');
  say(' answer is right, measured on held-out data, is in the README\'s Chapter 5 and the model\'s README.md.)');
  return { model: dir, parameters, contextTokens: config.nPositions, tasks };
}
