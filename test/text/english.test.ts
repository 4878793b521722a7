/** English tokenize/detokenize: the rules, round trips on the Tatoeba dev split, and the truecaser. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { detokenizeEnglish, HYPHEN_TOKEN, normalizeEnglish, tokenizeEnglish, Truecaser } from '../../src/text/english.js';
import { readParallelFile } from '../../src/data/parallel-file.js';

const DATA = fileURLToPath(new URL('../../../shared/data/tatoeba-cmn-eng/', import.meta.url));

test('tokenizeEnglish splits punctuation and contractions (Penn Treebank style)', () => {
  assert.deepEqual(tokenizeEnglish("I'm eating."), ['I', "'m", 'eating', '.']);
  assert.deepEqual(tokenizeEnglish("Don't!"), ['Do', "n't", '!']);
  assert.deepEqual(tokenizeEnglish("I can't, and he won't."), ['I', 'ca', "n't", ',', 'and', 'he', 'wo', "n't", '.']);
  assert.deepEqual(tokenizeEnglish("Tom's here, isn't he?"), ['Tom', "'s", 'here', ',', 'is', "n't", 'he', '?']);
  assert.deepEqual(tokenizeEnglish("We're sure you'll see they've gone; I'd go."), [
    'We', "'re", 'sure', 'you', "'ll", 'see', 'they', "'ve", 'gone', ';', 'I', "'d", 'go', '.',
  ]);
  assert.deepEqual(tokenizeEnglish("couldn't've"), ['could', "n't", "'ve"]);
  assert.deepEqual(tokenizeEnglish('He said, "I want to be a doctor."'), ['He', 'said', ',', '"', 'I', 'want', 'to', 'be', 'a', 'doctor', '.', '"']);
  assert.deepEqual(tokenizeEnglish("It's ten minutes' walk."), ['It', "'s", 'ten', 'minutes', "'", 'walk', '.']);
  assert.deepEqual(tokenizeEnglish('Wait... (really?!)'), ['Wait', '...', '(', 'really', '?', '!', ')']);
});

test('tokenizeEnglish keeps numbers, abbreviations and (by default) hyphenated words whole', () => {
  assert.deepEqual(tokenizeEnglish('About 40,000 entries, 3.5% at 9:00.'), ['About', '40,000', 'entries', ',', '3.5', '%', 'at', '9:00', '.']);
  assert.deepEqual(tokenizeEnglish('It costs $100 in the 1880s.'), ['It', 'costs', '$', '100', 'in', 'the', '1880s', '.']);
  assert.deepEqual(tokenizeEnglish("In the 1880's, the U.S. grew."), ['In', 'the', '1880', "'s", ',', 'the', 'U.S.', 'grew', '.']);
  assert.deepEqual(tokenizeEnglish('I got up at 6 a.m. every day.'), ['I', 'got', 'up', 'at', '6', 'a.m.', 'every', 'day', '.']);
  assert.deepEqual(tokenizeEnglish('I live in the U.S.'), ['I', 'live', 'in', 'the', 'U.S', '.']);
  assert.deepEqual(tokenizeEnglish('Mr. Smith is well-known.'), ['Mr.', 'Smith', 'is', 'well-known', '.']);
  assert.deepEqual(tokenizeEnglish('Mr. Smith is well-known.', { splitHyphens: true }), ['Mr.', 'Smith', 'is', 'well', HYPHEN_TOKEN, 'known', '.']);
  assert.deepEqual(tokenizeEnglish("I'M HOME!", { lowercase: true }), ['i', "'m", 'home', '!']);
  assert.deepEqual(tokenizeEnglish('  '), []);
});

test('typographic quotes are normalised to plain ones', () => {
  assert.equal(normalizeEnglish('That’s “it”.'), 'That\'s "it".');
  assert.deepEqual(tokenizeEnglish('Venus doesn’t have any moons.'), ['Venus', 'does', "n't", 'have', 'any', 'moons', '.']);
});

test('detokenizeEnglish restores natural text, capitalising lower-cased tokens', () => {
  assert.equal(detokenizeEnglish(['i', "'m", 'eating', '.']), "I'm eating.");
  assert.equal(detokenizeEnglish(['do', "n't", 'go', '!']), "Don't go!");
  assert.equal(detokenizeEnglish(['where', 'are', 'you', '?', 'i', 'am', 'here', '.']), 'Where are you? I am here.');
  assert.equal(detokenizeEnglish(['"', 'where', '?', '"', 'he', 'asked', '.']), '"Where?" he asked.');
  assert.equal(detokenizeEnglish(['"', 'thanks', ',', 'guys', '.', '"', '"', 'do', "n't", 'mention', 'it', '.', '"']), '"Thanks, guys." "Don\'t mention it."');
  assert.equal(detokenizeEnglish(['he', 'said', ',', '"', 'go', 'home', '.', '"']), 'He said, "Go home."');
  assert.equal(detokenizeEnglish(['it', 'costs', '$', '5', '(', 'or', '5', '%', ')', '.']), 'It costs $5 (or 5%).');
  assert.equal(detokenizeEnglish(['a', 'well', HYPHEN_TOKEN, 'known', 'man', '.']), 'A well-known man.');
  assert.equal(detokenizeEnglish(['the', 'girls', "'", 'school', '.']), "The girls' school.");
  assert.equal(detokenizeEnglish(['he', 'said', "'", 'no', "'", '.']), "He said 'no'.");
  assert.equal(detokenizeEnglish(['tom', 'is', 'here', '.'], { capitalize: false }), 'tom is here.');
  assert.equal(detokenizeEnglish(['Tom', '<unk>', 'it', '.']), 'Tom <unk> it.');
  assert.equal(detokenizeEnglish([]), '');
});

test('round trips: detokenizeEnglish(tokenizeEnglish(s)) === s', () => {
  const sentences = [
    "I'm eating.",
    "Don't you think it's too late?",
    '"Shall I take a message?" "No, thank you."',
    'He answered my question with a "no."',
    "It's ten minutes' walk to the station.",
    'This dictionary has about 40,000 entries.',
    'Tom might be here by 2:30, but then, maybe not.',
    'Back in high school, I got up at 6 a.m. every morning.',
    'With the T.V. on, how can you keep your mind on your studies?',
    'She is a good-for-nothing self-confident woman!',
    'It costs $5 (or 5%).',
    'Wait...',
  ];
  for (const s of sentences) {
    assert.equal(detokenizeEnglish(tokenizeEnglish(s)), s);
    assert.equal(detokenizeEnglish(tokenizeEnglish(s, { splitHyphens: true })), s);
  }
});

test('Tatoeba dev: every English sentence survives tokenize → detokenize (cased and truecased)', (t) => {
  if (!existsSync(DATA + 'dev.tsv')) return t.skip(`${DATA}dev.tsv not present`);
  const refs = readParallelFile(DATA + 'dev.tsv').pairs.map((p) => p.target);
  const tokens = refs.map((s) => tokenizeEnglish(s));
  const tc = Truecaser.learn(tokens);
  let cased = 0;
  let truecased = 0;
  let lowered = 0;
  refs.forEach((s, i) => {
    if (detokenizeEnglish(tokens[i]) === s) cased++;
    if (detokenizeEnglish(tc.apply(tokens[i])) === s) truecased++;
    if (detokenizeEnglish(tokenizeEnglish(s, { lowercase: true })) === s) lowered++;
  });
  // measured: 1000/1000, 1000/1000 and 905/1000 (lower-casing loses names: tom → Tom only at a sentence start)
  assert.equal(cased, refs.length);
  assert.equal(truecased, refs.length);
  assert.ok(lowered >= 890, `lowercased round trips: ${lowered}`);
});

test('Truecaser lower-cases sentence-initial common words and keeps names', () => {
  const corpus = ['The cat saw Tom.', 'I saw the cat.', 'Tom saw the dog.', 'Where is Boston?', 'We like Boston.', 'Is it the cat?']
    .map((s) => tokenizeEnglish(s));
  const tc = Truecaser.learn(corpus);
  assert.deepEqual(tc.apply(tokenizeEnglish('The dog saw Tom.')), ['the', 'dog', 'saw', 'Tom', '.']);
  assert.deepEqual(tc.apply(tokenizeEnglish('Tom saw the cat. The end.')), ['Tom', 'saw', 'the', 'cat', '.', 'the', 'end', '.']);
  assert.deepEqual(tc.apply(tokenizeEnglish('Boston is big.')), ['Boston', 'is', 'big', '.']);
  assert.deepEqual(tc.apply(tokenizeEnglish('NASA is big.')), ['NASA', 'is', 'big', '.'], 'an unseen acronym stays');
  assert.deepEqual(tc.apply(tokenizeEnglish('I saw it.')), ['I', 'saw', 'it', '.']);
  assert.deepEqual(tc.apply(tokenizeEnglish('"Where?" he asked.')), ['"', 'where', '?', '"', 'he', 'asked', '.']);
  const back = Truecaser.fromJSON(JSON.parse(JSON.stringify(tc)));
  assert.deepEqual(back.apply(tokenizeEnglish('The dog saw Tom.')), ['the', 'dog', 'saw', 'Tom', '.']);
  assert.deepEqual(tc.toJSON().forms, ['Boston', 'Tom']);
  assert.throws(() => Truecaser.fromJSON({ format: 'other' }), /llmcore-truecaser/);
});
