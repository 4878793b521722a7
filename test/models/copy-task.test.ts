// The copy task (src/models/seq2seq/copy-task.ts): seeded batches, a tokenizer that translate() takes,
// training on the shared Trainer that lowers the held-out loss, and options checked with clear messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CopyTask, CopyTokenizer, DEFAULT_COPY_TASK, checkCopyOptions, copyTarget, copyTrainer } from '../../src/models/seq2seq/copy-task.js';
import { translate } from '../../src/models/seq2seq/translate.js';

test('CopyTokenizer: one symbol per id, spaces ignored, anything else <unk>; copyTarget copies or reverses', () => {
  const tok = new CopyTokenizer(8);
  const e = tok.encodeSource('3 1 4a');
  assert.deepEqual(e.tokens, ['3', '1', '4', 'a']);
  assert.equal(e.ids.length, 4);
  assert.equal(tok.decodeTarget([...e.ids, 2]), '314a');
  assert.equal(tok.encodeSource('x').ids[0], 3);
  assert.equal(tok.encodeSource('123456789').truncated, true);
  assert.equal(copyTarget('abc', 'reverse', tok), 'cba');
  assert.equal(copyTarget('a b', 'copy', tok), 'ab');
});

test('the copy task trains on the shared Trainer: the same seed gives the same losses, the held-out loss falls, the model copies', async () => {
  const o = { ...DEFAULT_COPY_TASK, maxLen: 4, epochs: 3, batchesPerEpoch: 40 };
  const runs: number[][] = [];
  let last: CopyTask | null = null;
  for (let i = 0; i < 2; i++) {
    const task = new CopyTask(o);
    const losses: number[] = [];
    await copyTrainer(task).run({ onStep: (s) => losses.push(s.loss) });
    runs.push(losses);
    last = task;
  }
  assert.deepEqual(runs[0], runs[1], 'seeded: bit-identical runs');
  const first = runs[0].slice(0, 10).reduce((a, b) => a + b) / 10;
  const tail = runs[0].slice(-10).reduce((a, b) => a + b) / 10;
  assert.ok(tail < first / 3, `training loss ${first.toFixed(3)} → ${tail.toFixed(3)}`);
  const m = last!.evaluate();
  assert.ok(m.accuracy >= 0.5, `held-out exact copies ${m.accuracy}`);
  const [r] = translate(last!.model, last!.tokenizer, ['2718'], { beam: 1, attention: true });
  assert.equal(r.attention!.weights.length, r.targetTokens.length);
});

test('copy task options are checked with the field named', () => {
  assert.throws(() => checkCopyOptions({ ...DEFAULT_COPY_TASK, maxLen: 0 }), /maxLen must be an integer from 1 to 30, got 0/);
  assert.throws(() => checkCopyOptions({ ...DEFAULT_COPY_TASK, minLen: 5, maxLen: 3 }), /minLen 5 is above maxLen 3/);
  assert.throws(() => checkCopyOptions({ ...DEFAULT_COPY_TASK, kind: 'sort' as 'copy' }), /kind must be copy or reverse/);
  assert.throws(() => checkCopyOptions({ ...DEFAULT_COPY_TASK, lr: 0 }), /lr must be in \(0, 1\]/);
});
