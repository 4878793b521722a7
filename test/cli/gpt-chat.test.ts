/**
 * `llmcore chat` as a user runs it, on piped stdin, with a small untrained char-level GPT (the
 * mechanics do not need a good model): the role format, /reset and /temperature, the context window
 * managed (oldest turns dropped and the user told), bad input answered without ending the chat.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Generator } from '../../src/util/random.js';
import { saveGpt } from '../../src/models/gpt/checkpoint.js';
import { CharTokenizer, CHAR_VOCAB_FILE } from '../../src/models/gpt/data.js';
import { gptOfRecipe } from '../../cli/gpt.js';
import { llmcore, tempDir } from '../helpers/cli.js';

const dir = join(tempDir('llmcore-gpt-chat-'), 'model');
const tokenizer = CharTokenizer.fromText('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,:;!?\'\n');
await saveGpt(dir, gptOfRecipe({ nLayer: 1, nHead: 2, nEmbd: 16, context: 96, dropout: 0 }, tokenizer.vocabSize, new Generator(2)), {
  files: { [CHAR_VOCAB_FILE]: tokenizer.toJson() },
});

type Turn = { user: string; reply: string; droppedTurns: number; seed: number; finishReason: string };
const turns = (stdout: string): Turn[] => stdout.trim().split('\n').map((l) => JSON.parse(l) as Turn);

test('chat on piped stdin: one JSON line per turn; /temperature 0 is greedy, so after /reset the same turn gets the same reply', () => {
  const r = llmcore(['chat', '--model', dir, '--max-tokens', '12', '--json'], { input: '/temperature 0\nhow are you\n/reset\nhow are you\n' });
  assert.equal(r.status, 0, r.stderr);
  const t = turns(r.stdout);
  assert.equal(t.length, 2);
  assert.deepEqual(t.map((x) => x.user), ['how are you', 'how are you']);
  assert.equal(t[1].reply, t[0].reply);
  assert.match(r.stderr, /^chat: temperature 0$/m);
  assert.match(r.stderr, /^chat: the conversation is cleared$/m);
  // --temperature 0 on the command line is the same greedy reply
  const kept = turns(llmcore(['chat', '--model', dir, '--max-tokens', '12', '--json', '--temperature', '0'], { input: 'how are you\nhow are you\n' }).stdout);
  assert.equal(kept[0].reply, t[0].reply);
});

test('chat manages the context: when the transcript outgrows it the oldest turns are dropped and the user is told', () => {
  const long = 'tell me a long story about the sea';
  const r = llmcore(['chat', '--model', dir, '--max-tokens', '20', '--json', '--seed', '1'], { input: `${long}\n${long}\n${long}\n` });
  assert.equal(r.status, 0, r.stderr);
  const t = turns(r.stdout);
  assert.equal(t.length, 3);
  assert.equal(t[0].droppedTurns, 0);
  assert.ok(t[2].droppedTurns >= 2, JSON.stringify(t));
  assert.match(r.stderr, /chat: the conversation outgrew the model's context of 96 tokens: the oldest \d+ turns were dropped/);
  assert.deepEqual(t.map((x) => x.seed), [1, 2, 3], 'a seed per reply: the same seed and turns give the same conversation');
});

test('chat answers bad input and goes on: a character the model cannot read, a bad /temperature, an unknown command', () => {
  const r = llmcore(['chat', '--model', dir, '--max-tokens', '5', '--json'], { input: 'caf\u00e9 \u2713\n/temperature hot\n/shout\nhello\n' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /chat: the character "é" \(U\+00E9\) is not in the model's \d+-character vocabulary; this turn was not added/);
  assert.match(r.stderr, /chat: \/temperature wants one number >= 0 \(0 is greedy\), got "hot"; it stays 0\.8/);
  assert.match(r.stderr, /chat: unknown command \/shout; commands: \/reset/);
  assert.deepEqual(turns(r.stdout).map((x) => x.user), ['hello']);
});

test('chat refuses an unknown model folder and role names the model cannot write, in one line', () => {
  const none = llmcore(['chat', '--model', join(dir, 'nope')], { input: '' });
  assert.equal(none.status, 1);
  assert.match(none.stderr, /^llmcore: chat: --model .*nope: no such directory\n$/);
  const role = llmcore(['chat', '--model', dir, '--user', 'Ü'], { input: 'hi\n' });
  assert.equal(role.status, 1);
  assert.match(role.stderr, /^llmcore: chat: --user "Ü": the character "Ü" .* choose role names the model can read\n$/);
});
