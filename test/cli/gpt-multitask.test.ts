/**
 * The multi-task GPT's commands as a user runs them, on small slices of the real data: `train gpt`
 * pre-training on Tatoeba sentences with a byte-level BPE, fine-tuning from it (model.init) on the
 * chat exchanges, `eval gpt --task …` on the result, and the errors of a wrong recipe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { llmcore, tempDir } from '../helpers/cli.js';

const SHARED = new URL('../../../shared/data/', import.meta.url).pathname;
const dir = tempDir('llmcore-gpt-multitask-');
const lines = readFileSync(join(SHARED, 'tatoeba-cmn-eng/train.tsv'), 'utf8').split('\n');
writeFileSync(join(dir, 'train.tsv'), lines.slice(0, 300).join('\n') + '\n');
writeFileSync(join(dir, 'dev.tsv'), readFileSync(join(SHARED, 'tatoeba-cmn-eng/dev.tsv'), 'utf8').split('\n').slice(0, 5).join('\n') + '\n');
writeFileSync(join(dir, 'iris.csv'), readFileSync(join(SHARED, 'iris/iris.csv'), 'utf8'));
const model = { nLayer: 1, nHead: 2, nEmbd: 16, context: 48, dropout: 0 };
const training = { batchSize: 4, maxIters: 12, lr: 0.01, minLr: 0.001, warmupIters: 2, evalInterval: 6, evalIters: 2 };
writeFileSync(join(dir, 'pretrain.json'), JSON.stringify({
  chapter: 'gpt', data: { tatoeba: 'train.tsv', valFraction: 0.1 }, tokenizer: { kind: 'bpe', vocabSize: 400 }, model, training,
}));
writeFileSync(join(dir, 'multitask.json'), JSON.stringify({
  chapter: 'gpt', data: { tatoeba: 'train.tsv', iris: 'iris.csv', irisHeldOutPerSpecies: 2, irisRepeats: 1, valFraction: 0.05 },
  model: { ...model, init: 'pre/best' }, training,
}));

test('train gpt: Tatoeba pre-training with a byte-level BPE, then multi-task fine-tuning from it; eval gpt --task all', () => {
  const pre = llmcore(['train', 'gpt', '--recipe', join(dir, 'pretrain.json'), '--out', join(dir, 'pre'), '--json'], { timeout: 120_000 });
  assert.equal(pre.status, 0, pre.stderr);
  assert.ok(existsSync(join(dir, 'pre', 'best', 'tokenizer.json')), 'the BPE is saved with the model');
  const ft = llmcore(['train', 'gpt', '--recipe', join(dir, 'multitask.json'), '--out', join(dir, 'ft')], { timeout: 120_000 });
  assert.equal(ft.status, 0, ft.stderr);
  assert.match(ft.stderr, /starting from .*pre[/\\]best/);
  assert.match(ft.stderr, /600 pairs both ways|300 pairs both ways/);
  assert.match(ft.stderr, /6 flowers held out/);
  assert.equal(readFileSync(join(dir, 'ft', 'best', 'tokenizer.json'), 'utf8'), readFileSync(join(dir, 'pre', 'best', 'tokenizer.json'), 'utf8'));

  const perplexity = llmcore(['eval', 'gpt', '--model', join(dir, 'pre'), '--json']);
  assert.equal(perplexity.status, 0, perplexity.stderr);
  const p = JSON.parse(perplexity.stdout) as { task: string; valPerplexity: number; valTokens: number; unit: string };
  assert.equal(p.task, 'perplexity');
  assert.equal(p.unit, 'token');
  assert.ok(p.valTokens > 48 && p.valPerplexity > 1 && p.valPerplexity < 400, JSON.stringify(p));

  const all = llmcore(['eval', 'gpt', '--model', join(dir, 'ft'), '--task', 'all', '--data', join(dir, 'dev.tsv'), '--limit', '3', '--json'], { timeout: 120_000 });
  assert.equal(all.status, 0, all.stderr);
  const r = JSON.parse(all.stdout) as Record<string, { sentences?: number; bleu?: number | null; chrf?: number; flowers?: number; accuracy?: { all: number } }>;
  assert.equal(r['zh-en'].sentences, 3);
  assert.equal(typeof r['zh-en'].bleu, 'number');
  assert.equal(r['en-zh'].bleu, null);
  assert.ok(r['en-zh'].chrf! >= 0 && r['en-zh'].chrf! <= 100);
  assert.equal(r.iris.flowers, 3, '--limit 3 of the 6 held-out flowers (2 per species, the run\'s split)');
  assert.ok(r.iris.accuracy!.all >= 0 && r.iris.accuracy!.all <= 1);
  assert.ok(Number.isFinite((r.perplexity as unknown as { valLoss: number }).valLoss));

  // gpt ship: the best weights in float16 beside the tokenizer, and the same answers from them
  const shipped = join(dir, 'shipped');
  const ship = llmcore(['gpt', 'ship', '--model', join(dir, 'ft'), '--out', shipped, '--json']);
  assert.equal(ship.status, 0, ship.stderr);
  assert.equal((JSON.parse(readFileSync(join(shipped, 'config.json'), 'utf8')) as { torch_dtype: string }).torch_dtype, 'float16');
  assert.equal(readFileSync(join(shipped, 'tokenizer.json'), 'utf8'), readFileSync(join(dir, 'ft', 'best', 'tokenizer.json'), 'utf8'));
  assert.ok(!existsSync(join(shipped, 'optimizer.safetensors')) && !existsSync(join(shipped, 'log.jsonl')));
  const half = llmcore(['eval', 'gpt', '--model', shipped, '--task', 'iris', '--iris', join(dir, 'iris.csv'), '--iris-held-out', '2', '--seed', '1337', '--limit', '3', '--json']);
  assert.equal(half.status, 0, half.stderr);
  assert.equal((JSON.parse(half.stdout) as { flowers: number }).flowers, 3);
  const self = llmcore(['gpt', 'ship', '--model', shipped, '--out', shipped]);
  assert.notEqual(self.status, 0);
  assert.match(self.stderr, /--out .* is the model folder itself/);
});

test('train gpt / eval gpt refuse a wrong setting in one line naming it', () => {
  writeFileSync(join(dir, 'bad-shape.json'), JSON.stringify({ chapter: 'gpt', data: { tatoeba: 'train.tsv', iris: 'iris.csv' }, model: { ...model, nEmbd: 32, init: 'pre/best' }, training }));
  const shape = llmcore(['train', 'gpt', '--recipe', join(dir, 'bad-shape.json'), '--out', join(dir, 'bad')]);
  assert.notEqual(shape.status, 0);
  assert.match(shape.stderr, /model\.init .*model\.nEmbd 32 \(the model has 16\)/);
  writeFileSync(join(dir, 'no-size.json'), JSON.stringify({ chapter: 'gpt', data: { tatoeba: 'train.tsv' }, tokenizer: { kind: 'bpe' } }));
  const size = llmcore(['train', 'gpt', '--recipe', join(dir, 'no-size.json'), '--out', join(dir, 'bad2')]);
  assert.notEqual(size.status, 0);
  assert.match(size.stderr, /tokenizer\.vocabSize/);
  const task = llmcore(['eval', 'gpt', '--model', join(dir, 'pre'), '--task', 'poetry']);
  assert.notEqual(task.status, 0);
  assert.match(task.stderr, /--task "poetry": expected one of perplexity, zh-en, en-zh, iris, all/);
  const noData = llmcore(['eval', 'gpt', '--model', join(dir, 'pre'), '--task', 'zh-en']);
  assert.notEqual(noData.status, 0);
  assert.match(noData.stderr, /--task zh-en needs --data FILE/);
  for (const r of [shape, size, task, noData]) assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});
