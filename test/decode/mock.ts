/**
 * A made-up decoder for testing searches: next-token probabilities are a function of the prefix
 * alone, so every search result can be checked by hand or by brute force.
 */
import type { StepModel, StepOutput } from '../../src/decode/search.js';

export const BOS = 1;
export const EOS = 2;

/** Probabilities of the next token after a prefix (without bos), as { token: probability }. */
export type Table = (prefix: readonly number[]) => { [token: number]: number | undefined };

export class MockStepModel implements StepModel {
  /** Every step's number of rows, and every reorder index, for checks. */
  readonly calls: { rows: number; prefixLength: number }[] = [];
  readonly reorders: number[][] = [];
  /** Which sentence each row is (rows start as sentences 0 … n−1). */
  rowSentence: number[];
  /** Every token each row has read, bos first: the mock's "cache". */
  private read: number[][];

  constructor(readonly vocabSize: number, private readonly table: (sentence: number) => Table, sentences = 1) {
    this.rowSentence = Array.from({ length: sentences }, (_, i) => i);
    this.read = this.rowSentence.map(() => []);
  }

  step(tokens: readonly number[]): StepOutput {
    if (tokens.length !== this.rowSentence.length) throw new Error(`mock: ${tokens.length} tokens for ${this.rowSentence.length} rows`);
    tokens.forEach((t, r) => this.read[r].push(t));
    const prefixes = this.read;
    this.calls.push({ rows: prefixes.length, prefixLength: prefixes[0].length });
    const V = this.vocabSize;
    const logProbs = new Float32Array(prefixes.length * V).fill(-Infinity);
    prefixes.forEach((p, r) => {
      if (p[0] !== BOS) throw new Error('mock: a prefix must start with bos');
      const probs = this.table(this.rowSentence[r])(p.slice(1));
      for (const [t, q] of Object.entries(probs)) if (q !== undefined) logProbs[r * V + Number(t)] = Math.log(q);
    });
    // attention: a one-hot on (prefix length mod 3), to check it follows the rows
    const attention = prefixes.map((p) => Float32Array.from([0, 1, 2], (j) => (j === (p.length - 1) % 3 ? 1 : 0)));
    return { logProbs, attention };
  }

  reorder(index: readonly number[]): void {
    this.reorders.push([...index]);
    this.rowSentence = index.map((i) => this.rowSentence[i]);
    this.read = index.map((i) => [...this.read[i]]);
  }
}

/** Uniform-ish random distributions over tokens 2 … V−1 (eos included), seeded per prefix. */
export function randomTable(V: number, seed: number): Table {
  return (prefix) => {
    let h = seed * 2654435761 + 17;
    for (const t of prefix) h = Math.imul(h ^ (t + 1), 2246822519) >>> 0;
    const w: number[] = [];
    for (let t = 2; t < V; t++) {
      h = Math.imul(h ^ (h >>> 15), 2654435761) >>> 0;
      w.push(0.05 + (h % 1000) / 1000);
    }
    const sum = w.reduce((a, b) => a + b, 0);
    const out: Record<number, number> = {};
    w.forEach((x, i) => (out[i + 2] = x / sum));
    return out;
  };
}
