/**
 * The GPT chapter's commands as a user runs them (a child process): `train gpt` on a small text with a
 * tiny recipe, `generate` and `eval gpt` on the run it made, `--resume`, and the errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { llmcore, tempDir } from '../helpers/cli.js';

const dir = tempDir('llmcore-gpt-cli-');
const text = join(dir, 'tiny.txt');
writeFileSync(text, 'to be or not to be, that is the question.\nwhether tis nobler in the mind to suffer.\n'.repeat(40));
const recipe = join(dir, 'tiny.json');
writeFileSync(recipe, JSON.stringify({
  chapter: 'gpt',
  data: { text: 'tiny.txt', valFraction: 0.1 },
  model: { nLayer: 1, nHead: 2, nEmbd: 16, context: 16, dropout: 0 },
  training: { batchSize: 4, maxIters: 40, lr: 0.01, minLr: 0.001, warmupIters: 4, evalInterval: 20, evalIters: 4 },
}));
const out = join(dir, 'run');

test('train gpt --recipe FILE --out DIR: a model folder generate and eval gpt read; the loss falls', () => {
  const r = llmcore(['train', 'gpt', '--recipe', recipe, '--out', out, '--json'], { timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { steps: number; history: { valLoss: number; step: number }[]; parameters: number };
  assert.equal(summary.steps, 40);
  assert.deepEqual(summary.history.map((h) => h.step), [20, 40]);
  assert.ok(summary.history[1].valLoss < 2.5, `val loss ${summary.history[1].valLoss} (a uniform guess over the characters is ${Math.log(23).toFixed(2)})`);
  for (const f of ['config.json', 'model.safetensors', 'char-vocab.json']) assert.ok(existsSync(join(out, 'best', f)), f);
  const config = JSON.parse(readFileSync(join(out, 'best', 'config.json'), 'utf8')) as { model_type: string; n_positions: number };
  assert.equal(config.model_type, 'gpt2');
  assert.equal(config.n_positions, 16);

  const g = llmcore(['generate', '--model', out, '--seed', '4', '--max-tokens', '20', '--json', 'to be']);
  assert.equal(g.status, 0, g.stderr);
  const gen = JSON.parse(g.stdout) as { text: string; tokens: number[]; promptTokens: number };
  assert.equal(gen.tokens.length, 20);
  assert.equal(gen.promptTokens, 5, 'one token per character');
  assert.equal([...gen.text].length, 20, 'each token is one character');
  const again = llmcore(['generate', '--model', out, '--seed', '4', '--max-tokens', '20', '--json', 'to be']);
  assert.equal(JSON.parse(again.stdout).text, gen.text, 'same seed, same text');

  const e = llmcore(['eval', 'gpt', '--model', out, '--json']);
  assert.equal(e.status, 0, e.stderr);
  const ev = JSON.parse(e.stdout) as { valLoss: number; valLossEstimate: number; valTokens: number };
  assert.ok(ev.valTokens > 300 && ev.valLoss < 2.5, JSON.stringify(ev));
});

test('train gpt refuses a bad recipe with the file and field named, and a character the model never saw', () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ model: { nEmbd: 18, nHead: 4 }, training: { lr: 'high' } }));
  const r = llmcore(['train', 'gpt', '--recipe', bad, '--text', text, '--out', join(dir, 'bad-run')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`^llmcore: train gpt: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: training\\.lr: expected a number`));
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.ok(!existsSync(join(dir, 'bad-run')), 'nothing written');

  const none = llmcore(['train', 'gpt', '--out', join(dir, 'x')]);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /train gpt: give --text FILE \(or a recipe with data\.text\)/);

  const g = llmcore(['generate', '--model', out, '--max-tokens', '3', 'ZZZ']);
  assert.equal(g.status, 1);
  assert.match(g.stderr, /the character "Z" \(U\+005A\) is not in the model's \d+-character vocabulary/);
});

test('train gpt --resume continues a run stopped by its time budget to the same final loss as one that never stopped', () => {
  const a = join(dir, 'straight');
  const straight = llmcore(['train', 'gpt', '--recipe', recipe, '--out', a, '--max-iters', '60', '--eval-interval', '20', '--json'], { timeout: 120_000 });
  assert.equal(straight.status, 0, straight.stderr);
  const b = join(dir, 'cut');
  const cut = llmcore(['train', 'gpt', '--recipe', recipe, '--out', b, '--max-iters', '60', '--eval-interval', '20', '--time-budget', '0.1s', '--json'], { timeout: 120_000 });
  assert.equal(cut.status, 0, cut.stderr);
  const stoppedAt = (JSON.parse(cut.stdout) as { steps: number }).steps;
  assert.ok(stoppedAt < 60, `stopped at ${stoppedAt}`);
  const conflict = llmcore(['train', 'gpt', '--recipe', recipe, '--out', b, '--max-iters', '60', '--eval-interval', '20', '--resume', '--lr', '0.5']);
  assert.equal(conflict.status, 1);
  assert.match(conflict.stderr, /--resume: training\.lr is 0\.01 in the run, 0\.5 in .*tiny\.json \+ the command line/);
  const other = join(dir, 'other.txt');
  writeFileSync(other, readFileSync(text, 'utf8').toUpperCase().toLowerCase().replace(/question/g, 'answer'));
  const otherText = llmcore(['train', 'gpt', '--out', b, '--resume', '--text', other]);
  assert.equal(otherText.status, 1);
  assert.match(otherText.stderr, /--resume: --text .*other\.txt is not the text the run in .* was started on \(.*tiny\.txt\)/);
  // the run's own recipe.json gives its text and settings; its budget was 0.1 s in all, so it is raised
  const resumed = llmcore(['train', 'gpt', '--out', b, '--resume', '--time-budget', '1h', '--json'], { timeout: 120_000 });
  assert.equal(resumed.status, 0, resumed.stderr);
  const last = (s: string): number => (JSON.parse(s) as { history: { valLoss: number }[] }).history.at(-1)!.valLoss;
  assert.equal(last(resumed.stdout), last(straight.stdout));
});

test('gpt sweep: models of several sizes on one token budget, a power law through their held-out losses, a table and an SVG', () => {
  const sweep = join(dir, 'sweep');
  const r = llmcore(['gpt', 'sweep', '--text', text, '--sizes', '1x8,1x16,2x32', '--max-iters', '20', '--eval-iters', '2', '--out', sweep, '--json'], { timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const res = JSON.parse(r.stdout) as { points: { parameters: number; valLoss: number }[]; fit: { alpha: number }; tokens: number };
  assert.equal(res.points.length, 3);
  assert.equal(res.tokens, 20 * 12 * 64);
  assert.ok(res.points[0].parameters < res.points[2].parameters);
  assert.ok(Number.isFinite(res.fit.alpha));
  assert.match(readFileSync(join(sweep, 'sweep.svg'), 'utf8'), /^<svg [^>]*>[\s\S]*<circle[\s\S]*<\/svg>\n$/);
  assert.match(readFileSync(join(sweep, 'sweep.md'), 'utf8'), /\| 2 × 32 \| [\d,]+ \| \d\.\d{4} \|/);
  const bad = llmcore(['gpt', 'sweep', '--text', text, '--sizes', '2by32', '--out', sweep]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /gpt sweep: --sizes "2by32" should be LAYERSxWIDTH, e\.g\. 2x64/);
});
