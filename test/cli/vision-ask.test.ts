/**
 * The checks of cli/vision-ask.ts that need no model run, in process: each bad question, picture file
 * or option gets its own one-line message (the CLI prints it as `llmcore: …`, see vision-vqa.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { checkQuestion, loadPictureInput, readPicture } from '../../cli/vision-ask.js';

const dir = mkdtempSync(join(tmpdir(), 'llmcore-vision-ask-'));

test('checkQuestion: empty, another script, another Latin-script language, unknown words, too long', () => {
  assert.throws(() => checkQuestion('   ', 12), /^Error: --question is empty/);
  assert.throws(() => checkQuestion('これは何ですか?', 12), /is in a language the model was not trained for: it reads English and Chinese questions only/);
  assert.throws(() => checkQuestion('¿Qué es esto?', 12), /is in a language the model was not trained for/);
  assert.throws(() => checkQuestion('Was ist das?', 12), /does not look like English \(was, ist, das unknown\)/);
  assert.throws(() => checkQuestion('What colour is the bag?', 12), /has words the model never saw \(colour\)/);
  assert.throws(() => checkQuestion('is there a pair of trousers ? is there a pair of trousers ?', 12), /the question has 14 words; the model reads at most 12/);
  assert.deepEqual(checkQuestion('有运动鞋吗？', 12).lang, 'zh');
  assert.equal(checkQuestion('what is in the TOP LEFT?', 12).lang, 'en');
});

test('picture files: missing, a folder, a huge PNG refused from its header; a file and --index together', () => {
  assert.throws(() => readPicture(join(dir, 'nowhere.png')), /nowhere\.png: no such file/);
  assert.throws(() => readPicture(dir), /is a folder; give a PNG or JPEG file/);
  const png = encodePng({ width: 8, height: 8, data: new Uint8Array(64), channels: 1, depth: 8 });
  const big = png.slice();
  new DataView(big.buffer).setUint32(16, 50000);
  new DataView(big.buffer).setUint32(20, 50000);
  writeFileSync(join(dir, 'huge.png'), big);
  assert.throws(() => readPicture(join(dir, 'huge.png')), /huge\.png is 50000×50000 pixels, more than the 16 M decoded at most; scale it down first/);
  assert.throws(() => loadPictureInput(join(dir, 'x.png'), { index: '3' }, true), /give a picture file or --index, not both/);
  assert.throws(() => loadPictureInput(undefined, {}, true), /give a picture \(a PNG or JPEG file\) or --index N/);
});
