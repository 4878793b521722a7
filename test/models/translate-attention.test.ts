/** The attention heatmap: one cell per (English piece, Chinese token), labels, escaping, each row's maximum outlined. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionSvg } from '../../src/models/seq2seq/attention-svg.js';
import { translate } from '../../src/models/seq2seq/translate.js';
import { tinyTranslator } from '../decode/tiny-translator.js';

const cells = (svg: string): { row: number; col: number; weight: number; fill: string }[] =>
  [...svg.matchAll(/<rect class="cell" data-row="(\d+)" data-col="(\d+)" data-weight="([\d.]+)"[^>]*fill="([^"]+)"/g)].map((m) => ({ row: +m[1], col: +m[2], weight: +m[3], fill: m[4] }));

test('attentionSvg: rows = English pieces, columns = Chinese tokens, darker = more, each row\'s maximum outlined', () => {
  const svg = attentionSvg({
    sourceTokens: ['我', '正在', '吃饭'],
    targetTokens: ['I', 'am', 'eating', '<unk>'],
    weights: [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.05, 0.15, 0.8], [0.2, 0.3, 0.5]],
  }, { title: '我正在吃饭 → I am eating & <more>' });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+"/);
  assert.match(svg, /<\/svg>\n$/);
  const cs = cells(svg);
  assert.equal(cs.length, 12);
  assert.deepEqual(cs.map((c) => [c.row, c.col]).slice(0, 4), [[0, 0], [0, 1], [0, 2], [1, 0]]);
  assert.equal(cs[0].weight, 0.9);
  // darker for more weight: the red channel falls as the weight grows
  const red = (fill: string): number => Number(/rgb\((\d+)/.exec(fill)![1]);
  assert.ok(red(cs[0].fill) < red(cs[1].fill));
  // labels, escaped
  for (const t of ['我', '正在', '吃饭']) assert.match(svg, new RegExp(`<text class="source"[^>]*>${t}</text>`));
  for (const t of ['I', 'am', 'eating', '&lt;unk&gt;']) assert.match(svg, new RegExp(`<text class="target"[^>]*>${t}</text>`));
  assert.match(svg, /<text class="title"[^>]*>我正在吃饭 → I am eating &amp; &lt;more&gt;<\/text>/);
  assert.ok(!svg.includes('<unk>'));
  // one outline per row, on its largest weight
  const argmax = [...svg.matchAll(/<rect class="argmax" data-row="(\d+)" data-col="(\d+)"/g)].map((m) => [+m[1], +m[2]]);
  assert.deepEqual(argmax, [[0, 0], [1, 1], [2, 2], [3, 2]]);
  // a legend and the cell values
  assert.match(svg, /<linearGradient id="attention-scale"/);
  assert.match(svg, /<text class="value"[^>]*>\.90<\/text>/);
});

test('attentionSvg: long source tokens are drawn rotated; mismatched shapes are an error naming the sizes', () => {
  const svg = attentionSvg({ sourceTokens: ['Washington', '在'], targetTokens: ['Washington'], weights: [[0.7, 0.3]] });
  assert.match(svg, /<text class="source"[^>]*transform="rotate\(-45/);
  assert.throws(() => attentionSvg({ sourceTokens: ['a'], targetTokens: ['x', 'y'], weights: [[1]] }), /1 rows of weights for 2 target tokens/);
  assert.throws(() => attentionSvg({ sourceTokens: ['a', 'b'], targetTokens: ['x'], weights: [[1]] }), /row 0 has 1 weights for 2 source tokens/);
});

test('the attention of a real translation draws', () => {
  const { model, tokenizer } = tinyTranslator();
  const [r] = translate(model, tokenizer, ['我正在吃饭。'], { beam: 1, attention: true });
  const svg = attentionSvg(r.attention!, { title: `${r.source} → ${r.translation}` });
  assert.equal(cells(svg).length, r.targetTokens.length * r.sourceTokens.length);
  assert.equal(cells(svg).length, 4 * 6);
});
