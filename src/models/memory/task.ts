/**
 * The memory task of the explainer: "Tom is a cat. Tom's favorite food is" → fish, with d words of
 * filler between what must be remembered and where it is needed.
 *
 *   tom is a cat . lily is a dog . max is a cow .  <d filler words>  lily 's favorite food is  → bone
 *
 * Each story binds several names to different animals, so knowing that dogs eat bones is not enough:
 * the model must remember which name was which animal, across the filler. The answer is predicted at
 * the last position, as the next word. Names, animals, the queried name and the filler are drawn from
 * a seeded generator, so a seed gives the same stories everywhere.
 *
 * Chance levels: 1/animals (no idea) and 1/bindings (knows the foods of the animals in the story but
 * not which name had which).
 */
import { Generator } from '../../util/random.js';
import { Vocab } from '../../text/vocab.js';

/** Animal → the food that goes with it. */
export const ANIMAL_FOOD: readonly (readonly [string, string])[] = [
  ['cat', 'fish'], ['dog', 'bone'], ['rabbit', 'carrot'], ['cow', 'grass'],
  ['monkey', 'banana'], ['mouse', 'cheese'], ['bear', 'honey'], ['bird', 'seeds'],
];

export const NAMES: readonly string[] = ['tom', 'lily', 'max', 'anna', 'sam', 'lucy', 'ben', 'zoe', 'jack', 'mia', 'leo', 'emma'];

/**
 * Filler: everyday sentences that mention no name, animal or food, so they carry nothing the answer
 * needs. Lower-case and pre-tokenized (words and punctuation separated by spaces).
 */
export const FILLER_SENTENCES: readonly string[] = [
  'the weather was nice today .',
  'we walked to the park after lunch .',
  'the bus was late again this morning .',
  'she read a long book in the garden .',
  'the children played outside until dark .',
  'it rained for most of the afternoon .',
  'my brother fixed the old blue bicycle .',
  'the shop on the corner opens at nine .',
  'they painted the kitchen a bright colour .',
  'the train was full of tired people .',
  'he wrote a letter to his friend .',
  'the river was cold and very quiet .',
  'we watched a film about the mountains .',
  'the teacher smiled at the new class .',
  'there was a small house near the road .',
  'the music in the hall was loud .',
  'our neighbours came back from their trip .',
  'the clock on the wall stopped at noon .',
  'she bought a warm coat for the winter .',
  'the streets were empty on sunday .',
];

export interface MemoryTaskOptions {
  /** Names bound to animals in each story (default 2). */
  bindings?: number;
}

/** One story: its tokens (the last one is "is"), the answer and what went into it. */
export interface MemoryExample {
  tokens: string[];
  answer: string;
  /** The foods of every animal in the story (the answer among them). */
  storyFoods: string[];
  name: string;
  animal: string;
  distance: number;
}

/** A batch of stories of one distance, all of the same length: ids (B·T, row-major), answers (B). */
export interface MemoryBatch {
  ids: Int32Array;
  answers: Int32Array;
  /** (B, bindings): ids of the foods of the animals in each story. */
  storyFoods: Int32Array;
  B: number;
  T: number;
  distance: number;
}

const QUESTION = (name: string): string[] => [name, "'s", 'favorite', 'food', 'is'];

/** Exactly `d` filler words: whole sentences drawn at random, the last one cut where d runs out. */
export function fillerWords(g: Generator, d: number): string[] {
  const out: string[] = [];
  while (out.length < d) out.push(...FILLER_SENTENCES[g.randint(FILLER_SENTENCES.length)].split(' '));
  return out.slice(0, d);
}

/**
 * The task's words and ids. The vocabulary holds every word a story can contain, so no `<unk>`.
 * @example const task = new MemoryTask(); const ex = task.example(new Generator(1), 10)
 */
export class MemoryTask {
  readonly vocab: Vocab;
  readonly bindings: number;

  constructor(options: MemoryTaskOptions = {}) {
    this.bindings = options.bindings ?? 2;
    if (!Number.isInteger(this.bindings) || this.bindings < 1 || this.bindings > ANIMAL_FOOD.length) {
      throw new Error(`memory: bindings must be an integer in [1, ${ANIMAL_FOOD.length}], got ${this.bindings}`);
    }
    const seqs: string[][] = [
      [...NAMES], ANIMAL_FOOD.map((p) => p[0]), ANIMAL_FOOD.map((p) => p[1]), ['is', 'a', '.', ...QUESTION('x').slice(1)],
      ...FILLER_SENTENCES.map((s) => s.split(' ')),
    ];
    this.vocab = Vocab.build(seqs);
  }

  /** Tokens in a story of distance d: bindings·5 + d + 5. */
  length(d: number): number {
    return this.bindings * 5 + d + 5;
  }

  /** One seeded story with `d` filler words. */
  example(g: Generator, d: number): MemoryExample {
    if (!Number.isInteger(d) || d < 0) throw new Error(`memory: distance must be a non-negative integer, got ${d}`);
    const names = g.permutation(NAMES.length).slice(0, this.bindings).map((i) => NAMES[i]);
    const animals = g.permutation(ANIMAL_FOOD.length).slice(0, this.bindings);
    const tokens: string[] = [];
    names.forEach((n, i) => tokens.push(n, 'is', 'a', ANIMAL_FOOD[animals[i]][0], '.'));
    tokens.push(...fillerWords(g, d));
    const q = g.randint(this.bindings);
    tokens.push(...QUESTION(names[q]));
    const [animal, answer] = ANIMAL_FOOD[animals[q]];
    return { tokens, answer, storyFoods: animals.map((a) => ANIMAL_FOOD[a][1]), name: names[q], animal, distance: d };
  }

  /** B seeded stories of distance d as ids. */
  batch(g: Generator, d: number, B: number): MemoryBatch {
    const T = this.length(d);
    const ids = new Int32Array(B * T);
    const answers = new Int32Array(B);
    const storyFoods = new Int32Array(B * this.bindings);
    for (let b = 0; b < B; b++) {
      const ex = this.example(g, d);
      ids.set(this.vocab.encode(ex.tokens), b * T);
      answers[b] = this.vocab.id(ex.answer);
      storyFoods.set(this.vocab.encode(ex.storyFoods), b * this.bindings);
    }
    return { ids, answers, storyFoods, B, T, distance: d };
  }

  /** Accuracy of someone who knows the foods but not the bindings: 1/bindings. */
  get bindingChance(): number {
    return 1 / this.bindings;
  }

  /** Accuracy of a guess among all foods. */
  get foodChance(): number {
    return 1 / ANIMAL_FOOD.length;
  }
}
