/**
 * BLEU against sacreBLEU's published values. Sources (github.com/mjpost/sacrebleu):
 *   [README]  README.md, "Using SacreBLEU from Python" and "Variable Number of References" (v2.0.0)
 *   [bleu]    test/test_bleu.py (test_corpus_bleu_cases, test_raw_bleu_cases, test_case_statistics,
 *             test_case_scoring, test_case_effective_order, test_case_offset, test_bleu_max_order,
 *             test_case_degenerate_stats)
 *   [sent]    test/test_sentence_bleu.py (the example from issue #98, and #141)
 * and one cross-check computed here with sacrebleu 2.6.0 (pip) on the Tatoeba dev split.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { computeBleu, corpusBleu, formatBleu, sentenceBleu, tokenize13a, type BleuOptions } from '../../src/metrics/bleu.js';
import { corpusChrf } from '../../src/metrics/chrf.js';
import { readParallelFile } from '../../src/data/parallel-file.js';

const DATA = fileURLToPath(new URL('../../../shared/data/tatoeba-cmn-eng/', import.meta.url));

const refs = [
  ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
  ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
];
const hyps = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];

const close = (actual: number, expected: number, eps: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < eps, `${what}: ${actual} vs ${expected}`);

/** sacreBLEU's raw_corpus_bleu: no tokenization, 'floor' smoothing, effective order. */
const raw = (h: string[], r: string[][], smoothValue?: number) =>
  corpusBleu(h, r, { tokenize: 'none', smoothMethod: 'floor', smoothValue, effectiveOrder: true });

test('[README] the dog example: BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)', () => {
  const s = corpusBleu(hyps, refs);
  assert.equal(formatBleu(s), 'BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)');
  close(s.score, 48.530827, 1e-6, '[bleu] default settings');
});

test('[README] a variable number of references: BLEU = 29.44 82.4/42.9/27.3/12.5 (BP = 0.889 ratio = 0.895 hyp_len = 17 ref_len = 19)', () => {
  const varRefs = [['', refs[0][1], refs[0][2]], refs[1]];
  assert.equal(formatBleu(corpusBleu(hyps, varRefs)), 'BLEU = 29.44 82.4/42.9/27.3/12.5 (BP = 0.889 ratio = 0.895 hyp_len = 17 ref_len = 19)');
});

test('[bleu] test_corpus_bleu_cases', () => {
  const cases: [string[], BleuOptions, number][] = [
    [hyps, {}, 48.530827],
    [['', '', ''], {}, 0.0],
    [hyps, { tokenize: 'none' }, 49.1919566],
    [hyps, { tokenize: '13a' }, 48.530827],
    [hyps, { smoothMethod: 'none' }, 48.530827],
  ];
  for (const [h, opts, expected] of cases) close(corpusBleu(h, refs, opts).score, expected, 1e-6, JSON.stringify(opts));
});

test('[bleu] max_ngram_order 1..6: 77.65 60.50 53.93 48.53 46.14 43.28', () => {
  const expected = ['77.65', '60.50', '53.93', '48.53', '46.14', '43.28'];
  expected.forEach((e, i) => assert.equal(corpusBleu(hyps, refs, { maxNgramOrder: i + 1 }).score.toFixed(2), e));
});

test('[bleu] raw_corpus_bleu, effective order, statistics and offsets', () => {
  close(raw(['this is a test', 'another test'], [['ref1', 'ref2']], 0.01).score / 100, 0.0, 1e-8, 'no match (#141)');
  close(raw(['this is a test'], [['this is a test']], 0.01).score / 100, 1.0, 1e-8, 'identical');
  close(raw(['this is a fest'], [['this is a test']], 0.01).score / 100, 0.223606797749979, 1e-8, 'fest');
  close(raw(['test'], [['a test']], 0.01).score / 100, 0.3678794411714425, 1e-8, 'effective order 1');
  close(raw(['a test'], [['a test']], 0.01).score / 100, 1.0, 1e-8, 'effective order 2');
  close(raw(['a little test'], [['a test']], 0.01).score / 100, 0.03218297948685433, 1e-8, 'effective order 3');
  const s = raw(['am I am a character sequence'], [['I am a symbol string sequence a a']], 0.01);
  assert.deepEqual([s.counts, s.totals], [[4, 2, 1, 0], [6, 5, 4, 3]]);
  // test_offset: with the floor at 0 the score is 0; with the default floor (0.1) it is 0.1555722182
  close(raw(['am I am a character sequence'], [['I am a symbol string sequence a a']], 0).score / 100, 0, 1e-8, 'offset 0');
  close(raw(['am I am a character sequence'], [['I am a symbol string sequence a a']]).score / 100, 0.1555722182, 1e-8, 'offset 0.1');
});

test('[bleu] compute_bleu from statistics, and degenerate statistics', () => {
  close(computeBleu([9, 7, 5, 3], [10, 8, 6, 4], 11, 11).score / 100, 0.8375922397, 1e-8, 'test_case_scoring');
  const degenerate: [number[], number[], number, number, number][] = [
    [[0, 0, 0, 0], [4, 4, 2, 1], 0, 1, 0.0],
    [[0, 0, 0, 0], [10, 11, 12, 0], 14, 10, 0.0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.0],
    [[6, 5, 4, 0], [6, 5, 4, 3], 6, 6, 0.0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.1],
    [[0, 0, 0, 0], [0, 0, 0, 0], 1, 5, 0.01],
  ];
  for (const [c, t, sys, ref, floor] of degenerate) {
    assert.equal(computeBleu(c, t, sys, ref, { smoothMethod: 'floor', smoothValue: floor }).score, 0);
  }
});

test('[sent] sentence BLEU with effective order, every smoothing method (issue #98 example)', () => {
  const REF = 'producţia de zahăr brut se exprimă în zahăr alb;';
  const SYS = 'Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;';
  const cases: [BleuOptions, number][] = [
    [{ smoothMethod: 'exp' }, 8.493],
    [{ smoothMethod: 'none' }, 0.0],
    [{ smoothMethod: 'floor' }, 4.51688],
    [{ smoothMethod: 'floor', smoothValue: 0.1 }, 4.51688],
    [{ smoothMethod: 'floor', smoothValue: 0.5 }, 10.1],
    [{ smoothMethod: 'add-k' }, 14.882],
    [{ smoothMethod: 'add-k', smoothValue: 1 }, 14.882],
    [{ smoothMethod: 'add-k', smoothValue: 2 }, 21.389],
    [{ smoothMethod: 'exp', tokenize: 'none' }, 7.347],
  ];
  for (const [opts, expected] of cases) close(sentenceBleu(SYS, [REF], opts).score, expected, 1e-3, JSON.stringify(opts));
  // #141: nothing in common is 0 whatever the smoothing
  for (const smoothMethod of ['exp', 'none', 'floor', 'add-k'] as const) {
    assert.equal(sentenceBleu('this is a cat', ['okay thanks'], { smoothMethod }).score, 0);
  }
});

test('tokenize13a follows mteval-v13a / sacreBLEU tokenizer_13a (expected strings from sacrebleu 2.6.0)', () => {
  assert.equal(tokenize13a("It wasn't surprising."), "It wasn't surprising .", "13a leaves the apostrophe (0x27) alone");
  assert.equal(tokenize13a('This dictionary has about 40,000 entries.'), 'This dictionary has about 40,000 entries .');
  assert.equal(tokenize13a('Call at 9:00, $5 (or 5%).'), 'Call at 9 : 00 , $ 5 ( or 5 % ) .');
  assert.equal(tokenize13a('&quot;hi&quot; &amp; &lt;b&gt;'), '" hi " & < b >');
  assert.equal(tokenize13a('3.5-4.5 x-1 a.b,c'), '3.5 - 4.5 x-1 a . b , c');
  assert.equal(tokenize13a('line-\nbreak x<skipped>y'), 'linebreak xy');
  assert.equal(tokenize13a('a\u00a0b\u3000c'), 'a b c');
  assert.equal(tokenize13a('naïve café 😀.'), 'naïve café 😀 .');
  assert.equal(tokenize13a(''), '');
});

test('argument errors name the problem', () => {
  assert.throws(() => corpusBleu(['a', 'b'], ['a']), /2 hypotheses but reference stream 0 has 1 lines/);
  assert.throws(() => corpusBleu(['a'], ['']), /empty reference for segment 1/);
  assert.throws(() => corpusBleu(['a'], []), /no references/);
  close(corpusBleu(['The cat sat.'], ['The cat sat.']).score, 100, 1e-9, 'identical'); // 100.00000000000004, as in sacreBLEU
});

test('cross-check on Tatoeba dev: a nearest-neighbour system scores as sacrebleu 2.6.0 scores it (BLEU and chrF)', (t) => {
  if (!existsSync(DATA + 'train.tsv')) return t.skip(`${DATA}train.tsv not present`);
  const { hyps: h, refs: r } = nearestNeighbourSystem();
  // sacrebleu 2.6.0: BLEU()/BLEU(tokenize='none')/BLEU(lowercase=True)/BLEU(smooth_method='add-k').corpus_score(h, [r])
  close(corpusBleu(h, r).score, 14.450162397199454, 1e-9, 'BLEU');
  assert.equal(formatBleu(corpusBleu(h, r)), 'BLEU = 14.45 40.5/17.3/10.1/6.2 (BP = 1.000 ratio = 1.085 hyp_len = 7801 ref_len = 7190)');
  close(corpusBleu(h, r, { tokenize: 'none' }).score, 11.830436511503962, 1e-9, 'tokenize none');
  close(corpusBleu(h, r, { lowercase: true }).score, 14.961427859851616, 1e-9, 'lowercase');
  close(corpusBleu(h, r, { smoothMethod: 'add-k' }).score, 14.469691320453482, 1e-9, 'add-k');
  // sacrebleu 2.6.0: CHRF()/CHRF(word_order=2)/CHRF(whitespace=True)/CHRF(eps_smoothing=True)/CHRF(lowercase=True, beta=3)
  close(corpusChrf(h, r).score, 32.55368353348739, 1e-9, 'chrF');
  close(corpusChrf(h, r, { wordOrder: 2 }).score, 32.12671779836216, 1e-9, 'chrF++');
  close(corpusChrf(h, r, { whitespace: true }).score, 36.86122981485158, 1e-9, 'chrF whitespace');
  close(corpusChrf(h, r, { epsSmoothing: true }).score, 32.55350252203355, 1e-9, 'chrF eps');
  close(corpusChrf(h, r, { lowercase: true, beta: 3 }).score, 33.506093463753324, 1e-9, 'chrF lowercase beta 3');
});

/**
 * For each dev Chinese sentence, the English of the train pair whose Chinese shares the most
 * character bigrams (the first such pair found on a tie). Deterministic.
 */
function nearestNeighbourSystem(): { hyps: string[]; refs: string[] } {
  const train = readParallelFile(DATA + 'train.tsv').pairs;
  const dev = readParallelFile(DATA + 'dev.tsv').pairs;
  const bigrams = (s: string) => {
    const a = Array.from(s);
    const m = new Set<string>();
    for (let i = 0; i + 1 < a.length; i++) m.add(a[i] + a[i + 1]);
    return m;
  };
  const index = new Map<string, number[]>();
  train.forEach((p, i) => {
    for (const b of bigrams(p.source)) {
      let l = index.get(b);
      if (!l) index.set(b, (l = []));
      l.push(i);
    }
  });
  const hyps = dev.map((p) => {
    const score = new Map<number, number>();
    for (const b of bigrams(p.source)) for (const i of index.get(b) ?? []) score.set(i, (score.get(i) ?? 0) + 1);
    let best = 0;
    let bestScore = -1;
    for (const [i, s] of score) if (s > bestScore) (bestScore = s), (best = i);
    return train[best].target;
  });
  return { hyps, refs: dev.map((p) => p.target) };
}
