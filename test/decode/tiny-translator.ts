/**
 * A tiny Chinese→English translator trained in a few seconds on a handful of pairs, for the tests of
 * translate(), the CLI and the attention plot: it learns these pairs by heart, so its output is known.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/backend/js/index.js';
import { getBackend, setBackend } from '../../src/backend/backend.js';
import { wasmSimdSupported } from '../../src/backend/wasm/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Generator } from '../../src/util/random.js';
import { Adam } from '../../src/optim/adam.js';
import { BOS_ID, EOS_ID } from '../../src/text/vocab.js';
import { Seq2SeqTransformer, type Seq2SeqConfig } from '../../src/models/seq2seq/model.js';
import { TranslationTokenizer } from '../../src/models/seq2seq/tokenizer.js';

export const PAIRS = [
  { source: '我正在吃饭。', target: 'I am eating.' },
  { source: '我正在喝水。', target: 'I am drinking water.' },
  { source: '他正在吃饭。', target: 'He is eating.' },
  { source: '她在睡觉。', target: 'She is sleeping.' },
  { source: '我们正在吃苹果。', target: 'We are eating apples.' },
  { source: '你好。', target: 'Hello.' },
  { source: '谢谢。', target: 'Thank you.' },
  { source: '我喜欢猫。', target: 'I like cats.' },
];

export interface TinyTranslator {
  model: Seq2SeqTransformer;
  tokenizer: TranslationTokenizer;
  config: { format: 'llmcore-translator'; version: 1; model: Seq2SeqConfig; decoding: { beam: number; lengthPenalty: number } };
}

function ids(rows: number[][]): Tensor {
  const L = Math.max(...rows.map((r) => r.length));
  return new Tensor(Int32Array.from(rows.flatMap((r) => [...r, ...new Array<number>(L - r.length).fill(0)])), [rows.length, L]);
}

let cached: TinyTranslator | null = null;

/** Trains (once per process) and returns the tiny translator, in eval mode. */
export function tinyTranslator(): TinyTranslator {
  if (cached) return cached;
  const previous = getBackend().name;
  if (wasmSimdSupported()) setBackend('wasm');
  try {
    const tokenizer = TranslationTokenizer.train(PAIRS, { target: 'word', maxSourceLen: 12 });
    const config: Seq2SeqConfig = {
      srcVocab: tokenizer.srcVocab.size, tgtVocab: tokenizer.tgtVocab.size, dModel: 32, nhead: 4, numEncoderLayers: 1, numDecoderLayers: 1,
      dimFeedforward: 64, dropout: 0, maxLen: 48, labelSmoothing: 0,
    };
    const model = new Seq2SeqTransformer(config, { generator: new Generator(3) });
    const src = PAIRS.map((p) => tokenizer.encodeSource(p.source).ids);
    const tgt = PAIRS.map((p) => [BOS_ID, ...tokenizer.encodeTarget(p.target), EOS_ID]);
    const opt = new Adam(model.parameters(), { lr: 3e-3, betas: [0.9, 0.98], eps: 1e-9 });
    for (let step = 0; step < 250; step++) {
      const loss = model.loss(model.forward(ids(src), ids(tgt.map((t) => t.slice(0, -1)))), ids(tgt.map((t) => t.slice(1))));
      model.zeroGrad();
      loss.backward();
      opt.step();
    }
    model.eval();
    cached = { model, tokenizer, config: { format: 'llmcore-translator', version: 1, model: config, decoding: { beam: 3, lengthPenalty: 1 } } };
    return cached;
  } finally {
    setBackend(previous);
  }
}

/** A fresh temporary directory. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
