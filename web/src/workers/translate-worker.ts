/**
 * The translator page's worker: builds the shipped model from the fetched bytes once, then translates
 * with greedy and beam search (each step's top 5) and returns every attention map, per layer and head,
 * of the translation shown. The page stays responsive while a long sentence decodes.
 */
import { serveWorker } from '../lib/worker-rpc.js';
import { translatorFromBytes, type TranslatorFromBytes } from '../../../src/models/seq2seq/from-bytes.js';
import { translate, type TranslationResult } from '../../../src/models/seq2seq/translate.js';
import { translationAttention } from '../../../src/models/seq2seq/inspect.js';
import { normalizeChinese, hasTraditional } from '../../../src/text/chinese.js';
import { EOS_ID, UNK_ID } from '../../../src/text/vocab.js';
import { getBackend } from '../../../src/backend/backend.js';
import { MAX_INPUT_CHARS } from '../lib/translate-logic.js';

let t: TranslatorFromBytes | null = null;

function load(p: { config: ArrayBuffer; tokenizer: ArrayBuffer; weights: ArrayBuffer }): unknown {
  const t0 = performance.now();
  t = translatorFromBytes(p.config, p.tokenizer, p.weights);
  const c = t.model.config;
  return {
    parameters: t.model.numParameters(), srcVocab: c.srcVocab, tgtVocab: c.tgtVocab, layers: [c.numEncoderLayers, c.numDecoderLayers], heads: c.nhead,
    beam: t.config.decoding?.beam ?? 4, backend: getBackend().name, seconds: (performance.now() - t0) / 1000,
  };
}

function steps(r: TranslationResult): unknown {
  return (r.steps ?? []).map((s) => ({ step: s.step, chosen: s.chosen, probability: s.probability, candidates: s.candidates }));
}

function run(p: { text: string; beam: number }): unknown {
  if (!t) throw new Error('the model is not loaded yet');
  if (typeof p.text !== 'string') throw new Error('the input must be text');
  if (p.text.length > MAX_INPUT_CHARS) throw new Error(`the input has ${p.text.length.toLocaleString('en')} characters; the page translates at most ${MAX_INPUT_CHARS.toLocaleString('en')}`);
  if (!(Number.isInteger(p.beam) && p.beam >= 2 && p.beam <= 16)) throw new Error(`beam must be an integer from 2 to 16, got ${p.beam}`);
  const { model, tokenizer } = t;
  const t0 = performance.now();
  const normalized = normalizeChinese(p.text);
  const enc = tokenizer.encodeSource(p.text);
  const unknown = enc.tokens.filter((_, i) => enc.ids[i] === UNK_ID);
  const [greedy] = translate(model, tokenizer, [p.text], { beam: 1, explain: 5 });
  const [beam] = translate(model, tokenizer, [p.text], { beam: p.beam, explain: 5, lengthPenalty: t.config.decoding?.lengthPenalty ?? 1 });
  let attention: unknown = null;
  if (beam.parts === 1 && !beam.truncated) {
    const a = translationAttention(model, enc.ids, [...beam.ids, EOS_ID]);
    const pieces = beam.targetTokens;
    attention = {
      source: enc.tokens, inputs: ['<bos>', ...pieces], outputs: [...pieces, '<eos>'],
      encoderSelf: a.encoderSelf, decoderSelf: a.decoderSelf, cross: a.cross,
    };
  }
  return {
    text: p.text, normalized, traditional: hasTraditional(p.text), tokens: enc.tokens, unknown,
    greedy: { translation: greedy.translation, logProb: greedy.logProb, steps: steps(greedy), warnings: greedy.warnings },
    beam: { translation: beam.translation, logProb: beam.logProb, steps: steps(beam), warnings: beam.warnings, width: p.beam },
    attention, seconds: (performance.now() - t0) / 1000,
  };
}

serveWorker({ load, translate: run });
