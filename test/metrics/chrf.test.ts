/**
 * chrF against sacreBLEU's published values. Sources (github.com/mjpost/sacrebleu):
 *   [README]  README.md, "Using SacreBLEU from Python": CHRF().corpus_score(sys, refs) → chrF2 = 59.73
 *   [chrf]    test/test_chrf.py (test_cases, test_cases_effective_order, test_cases_keep_whitespace,
 *             test_sentence_level_chrf)
 * A cross-check against sacrebleu 2.6.0 on the Tatoeba dev split is in bleu.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chrfFromStats, corpusChrf, sentenceChrf, type ChrfOptions } from '../../src/metrics/chrf.js';

const close = (actual: number, expected: number, eps: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < eps, `${what}: ${actual} vs ${expected}`);

test('[README] default chrF (nc 6, nw 0, β 2, no whitespace) on the dog example, two references: 59.73', () => {
  const refs = [
    ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
    ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
  ];
  const sys = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
  const s = corpusChrf(sys, refs);
  assert.equal(s.score.toFixed(2), '59.73');
  assert.equal(s.name, 'chrF2');
  assert.equal(corpusChrf(sys, refs, { wordOrder: 2 }).name, 'chrF2++');
});

// test_chrf.py calls corpus_chrf(hyps, [refs], char_order=6, word_order=0, beta=3, ...)
const b3: ChrfOptions = { charOrder: 6, wordOrder: 0, beta: 3 };

test('[chrf] test_cases_effective_order (eps_smoothing=False, the default mode)', () => {
  const cases: [string[], string[], number][] = [
    [['a'], ['a'], 100.0],
    [[''], ['reference'], 0.0],
    [['a b c'], ['a b c'], 100.0],
    [['a b c'], ['abc'], 100.0],
    [[''], ['c'], 0.0],
    [['a', 'b'], ['a', 'c'], 50.0],
    [['aa'], ['ab'], 25.0],
  ];
  for (const [h, r, e] of cases) close(corpusChrf(h, r, b3).score, e, 1e-4, JSON.stringify([h, r]));
});

test('[chrf] test_cases (eps_smoothing=True)', () => {
  const cases: [string[], string[], number][] = [
    [['abcdefg'], ['hijklmnop'], 0.0],
    [['a'], ['b'], 0.0],
    [[''], ['b'], 0.0],
    [[''], ['ref'], 0.0],
    [[''], ['reference'], 0.0],
    [['aa'], ['ab'], 8.3333],
    [['a', 'b'], ['a', 'c'], 8.3333],
    [['a'], ['a'], 16.6667],
    [['a b c'], ['a b c'], 50.0],
    [['a b c'], ['abc'], 50.0],
    [
      [' risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .'],
      ['risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .'],
      63.36173,
    ],
    [
      [' Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. '],
      ['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.'],
      64.1302698,
    ],
    [['Niemand hat die Absicht, eine Mauer zu errichten'], ['Niemand hat die Absicht, eine Mauer zu errichten'], 100.0],
  ];
  for (const [h, r, e] of cases) close(corpusChrf(h, r, { ...b3, epsSmoothing: true }).score, e, 1e-4, JSON.stringify([h, r]));
});

test('[chrf] test_cases_keep_whitespace (remove_whitespace=False)', () => {
  close(
    corpusChrf(
      ['Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.'],
      ['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.'],
      { ...b3, whitespace: true },
    ).score,
    67.3481606,
    1e-4,
    'Obama',
  );
  close(
    corpusChrf(
      ['risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .'],
      ['risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .'],
      { ...b3, whitespace: true },
    ).score,
    65.2414427,
    1e-4,
    'risk',
  );
});

test('[chrf] test_sentence_level_chrf (sentence_chrf, β 2, eps_smoothing=True)', () => {
  const cases: [string, string, number][] = [
    [
      'Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.',
      'Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.',
      39.14078509,
    ],
    [
      'Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.',
      'A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.',
      31.22557079,
    ],
    [
      'Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.',
      'Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.',
      57.15704367,
    ],
  ];
  for (const [h, r, e] of cases) close(sentenceChrf(h, [r], { epsSmoothing: true }).score, e, 1e-4, h.slice(0, 20));
});

test('chrF counts code points (emoji, astral characters) and identical text scores 100', () => {
  assert.equal(corpusChrf(['我正在吃饭😀'], ['我正在吃饭😀']).score, 100);
  assert.equal(corpusChrf(['I am eating.'], ['I am eating.']).score, 100);
  // one of six characters differs; 𠮷 is one character (two UTF-16 units). sacrebleu 2.6.0: 59.166666666666664
  const s = corpusChrf(['𠮷bcdef'], ['abcdef']);
  assert.deepEqual(s.stats.slice(0, 3), [6, 6, 5]);
  close(s.score, 59.166666666666664, 1e-9, 'astral');
  assert.equal(chrfFromStats([0, 0, 0], { charOrder: 1 }), 0);
  assert.throws(() => corpusChrf(['a'], ['a'], { charOrder: 0 }), /charOrder/);
  assert.throws(() => corpusChrf(['a', 'b'], ['a']), /2 hypotheses but reference stream 0 has 1 lines/);
});
