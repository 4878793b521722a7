/**
 * The built-in corpus of the language-model chapter: simple English sentences, one per line, that
 * teach the explainer's example — after "Apple is" the next word is "red" — among many other plain
 * facts (colours, tastes, kinds, animals and their food), in varied templates, so that a small RNN,
 * LSTM or Transformer learns a real next-word distribution rather than one memorised line.
 *
 * Written for llmcore (no outside source). Built deterministically: facts × templates, then shuffled
 * with a fixed seed, so every build gives the same text (518 lines, 3,554 tokens, 128 distinct words).
 */

/** A thing, its plural and the article before it; a mass noun (grass, snow) has neither. */
interface Thing {
  s: string;
  pl: string;
  a: 'a' | 'an';
  mass: boolean;
}

const thing = (s: string, pl = `${s}s`): Thing => ({ s, pl, a: /^[aeiou]/.test(s) ? 'an' : 'a', mass: false });
const mass = (s: string): Thing => ({ s, pl: '', a: 'a', mass: true });

/** What colour things are. Apple is red — the explainer's sentence. */
export const COLOR_FACTS: readonly [Thing, string][] = [
  [thing('apple'), 'red'],
  [thing('banana'), 'yellow'],
  [thing('lemon'), 'yellow'],
  [thing('cherry', 'cherries'), 'red'],
  [thing('strawberry', 'strawberries'), 'red'],
  [thing('tomato', 'tomatoes'), 'red'],
  [thing('grape'), 'purple'],
  [thing('plum'), 'purple'],
  [thing('orange'), 'orange'],
  [thing('carrot'), 'orange'],
  [thing('pumpkin'), 'orange'],
  [thing('lime'), 'green'],
  [mass('grass'), 'green'],
  [thing('leaf', 'leaves'), 'green'],
  [thing('frog'), 'green'],
  [thing('cucumber'), 'green'],
  [thing('sky', 'skies'), 'blue'],
  [thing('sea', 'seas'), 'blue'],
  [thing('cloud'), 'white'],
  [mass('snow'), 'white'],
  [mass('milk'), 'white'],
  [thing('swan'), 'white'],
  [thing('egg'), 'white'],
  [thing('crow'), 'black'],
  [thing('coal', 'coals'), 'black'],
  [thing('chocolate', 'chocolates'), 'brown'],
  [thing('bear'), 'brown'],
  [thing('flamingo'), 'pink'],
  [thing('pig'), 'pink'],
];

/** Colours mentioned without a thing (in "X is not Y" lines and in the colour list). */
const COLORS = ['red', 'yellow', 'purple', 'orange', 'green', 'blue', 'white', 'black', 'brown', 'pink'];

/** Tastes: they follow "is" after a food less often than its colour does. */
const TASTE_FACTS: readonly [string, string][] = [
  ['apple', 'sweet'], ['banana', 'sweet'], ['cherry', 'sweet'], ['strawberry', 'sweet'], ['grape', 'sweet'],
  ['lemon', 'sour'], ['lime', 'sour'], ['chocolate', 'sweet'], ['coffee', 'bitter'], ['honey', 'sweet'],
  ['sugar', 'sweet'], ['salt', 'salty'], ['orange', 'juicy'], ['tomato', 'juicy'], ['plum', 'juicy'],
];

/** Kinds. */
const KIND_FACTS: readonly [string, string][] = [
  ['apple', 'fruit'], ['banana', 'fruit'], ['lemon', 'fruit'], ['cherry', 'fruit'], ['grape', 'fruit'], ['plum', 'fruit'],
  ['orange', 'fruit'], ['lime', 'fruit'], ['strawberry', 'fruit'], ['carrot', 'vegetable'], ['cucumber', 'vegetable'],
  ['pumpkin', 'vegetable'], ['tomato', 'vegetable'], ['frog', 'animal'], ['swan', 'bird'], ['crow', 'bird'],
  ['flamingo', 'bird'], ['bear', 'animal'], ['pig', 'animal'], ['cat', 'animal'], ['dog', 'animal'], ['cow', 'animal'],
];

/** Animals and what they like to eat: the memory chapter's pairs. */
const ANIMAL_FOOD: readonly [string, string][] = [
  ['cat', 'fish'], ['dog', 'bone'], ['rabbit', 'carrot'], ['cow', 'grass'], ['monkey', 'banana'], ['mouse', 'cheese'],
  ['bear', 'honey'], ['bird', 'seeds'], ['panda', 'bamboo'],
];
const PET_NAMES = ['tom', 'lily', 'max', 'bella', 'sam', 'lucy', 'jack', 'molly'];

/** Templates of a colour fact: {s} thing, {pl} plural, {a} article, {c} colour, {o} another colour. */
const COLOR_TEMPLATES = [
  '{S} is {c}.',
  '{S} is {c}.',
  'The {s} is {c}.',
  '{A} {s} is {c}.',
  'My {s} is {c}.',
  'This {s} is very {c}.',
  'The colour of the {s} is {c}.',
  '{PL} are {c}.',
  'I saw {a} {c} {s}.',
  'She likes the {c} {s}.',
  'Is the {s} {c}? Yes, the {s} is {c}.',
  'The {s} is not {o}, it is {c}.',
  'What colour is {a} {s}? {A} {s} is {c}.',
];

const TASTE_TEMPLATES = ['{S} tastes {t}.', 'The {s} is {t} and good.', 'This {s} tastes {t}.'];
const KIND_TEMPLATES = ['{A} {s} is a {k}.', 'The {s} is a kind of {k}.'];
const ANIMAL_TEMPLATES = [
  '{N} is a {x}. {N}\'s favorite food is {f}.',
  'The {x} eats {f}.',
  '{A} {x} likes {f}.',
  'My {x} loves {f}.',
];

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

function article(s: string): 'a' | 'an' {
  return /^[aeiou]/.test(s) ? 'an' : 'a';
}

/** mulberry32: the corpus's own tiny seeded shuffle, independent of the engine's generator. */
function shuffled<T>(items: T[], seed: number): T[] {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function fill(template: string, v: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => {
    if (v[k] !== undefined) return v[k];
    const lower = k.toLowerCase();
    if (v[lower] !== undefined) return lower === k ? v[lower] : cap(v[lower]);
    throw new Error(`lm-corpus: template ${template} has no value for {${k}}`);
  });
}

/** The corpus as lines, built from the facts above (deterministic). */
export function builtinLmLines(): string[] {
  const lines: string[] = [];
  for (const [t, c] of COLOR_FACTS) {
    const others = COLORS.filter((o) => o !== c);
    COLOR_TEMPLATES.forEach((tpl, i) => {
      if (t.mass && /\{(a|A|PL)\}/.test(tpl)) return;
      lines.push(fill(tpl, { s: t.s, pl: t.pl, a: t.a, c, o: others[(i + t.s.length) % others.length] }));
    });
  }
  for (const [s, t] of TASTE_FACTS) for (const tpl of TASTE_TEMPLATES) lines.push(fill(tpl, { s, t }));
  for (const [s, k] of KIND_FACTS) for (const tpl of KIND_TEMPLATES) lines.push(fill(tpl, { s, a: article(s), k }));
  ANIMAL_FOOD.forEach(([x, f], i) => {
    for (const tpl of ANIMAL_TEMPLATES) {
      // the named-pet template once per name, with a different name for each animal
      const names = tpl.includes('{N}') ? PET_NAMES.slice(0, 4).map((_, j) => PET_NAMES[(i + j * 3) % PET_NAMES.length]) : [''];
      for (const n of names) lines.push(fill(tpl, { n, x, f, a: article(x) }));
    }
  });
  lines.push('The colours are red, yellow, green, blue, white, black, brown, pink, orange and purple.');
  return shuffled(lines, 20240601);
}

/** The built-in corpus as one text, one sentence per line. */
export const BUILTIN_LM_CORPUS: string = builtinLmLines().join('\n') + '\n';
