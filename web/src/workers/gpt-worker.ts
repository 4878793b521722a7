/**
 * The GPT page's worker: a small decoder-only Transformer (the word LM's causal 'transformer' kind)
 * learns the built-in corpus — the page's stand-in until a shipped GPT model is there — and answers
 * next-word logits for a prompt and sampled continuations (src/decode/sample.ts, seeded).
 */
import { serveWorker, type HandlerContext } from '../lib/worker-rpc.js';
import { BUILTIN_LM_CORPUS } from '../../../src/data/lm-corpus.js';
import { BUILTIN_PRESETS, prepareLm, type PreparedLm } from '../../../src/models/lm/session.js';
import { LmStepModel } from '../../../src/models/lm/step.js';
import { PromptError } from '../../../src/models/lm/predict.js';
import { sample } from '../../../src/decode/sample.js';
import { noGrad } from '../../../src/autograd/grad-mode.js';
import { BOS_ID, EOS_ID, PAD_ID } from '../../../src/text/vocab.js';

let lm: PreparedLm | null = null;

async function train(p: { epochs: number }, ctx: HandlerContext): Promise<unknown> {
  if (!(Number.isInteger(p.epochs) && p.epochs >= 1 && p.epochs <= 200)) throw new Error(`epochs must be an integer from 1 to 200, got ${p.epochs}`);
  const preset = BUILTIN_PRESETS.transformer;
  const prepared = prepareLm(BUILTIN_LM_CORPUS, { kind: 'transformer', model: preset.model, training: { ...preset.training, epochs: p.epochs }, source: 'built-in corpus' });
  const reason = await prepared.trainer.run({
    onStep: (s) => { if (s.step % 4 === 0) ctx.emit('step', { step: s.step, loss: s.loss, steps: p.epochs * s.batches }); },
  });
  prepared.model.eval();
  lm = prepared;
  const last = prepared.trainer.state.history.at(-1);
  return { reason, steps: prepared.trainer.state.step, seconds: prepared.trainer.state.seconds, validPerplexity: last?.validPerplexity ?? NaN, parameters: prepared.model.numParameters(), vocab: prepared.tokenizer.vocab.tokens };
}

function encode(prompt: string): number[] {
  if (!lm) throw new Error('the model is still training');
  if (typeof prompt !== 'string') throw new Error('the prompt must be text');
  if (prompt.length > 2000) throw new Error(`the prompt has ${prompt.length} characters; give at most 2,000`);
  const enc = lm.tokenizer.encodePrompt(prompt);
  if (enc.tokens.length === 0) throw new PromptError('the prompt is empty; type a few English words, e.g. "Apple is"');
  if (enc.unknown.length === enc.tokens.length) throw new PromptError(`none of the words (${enc.unknown.join(' ')}) is in the model's vocabulary of ${lm.tokenizer.size} words`);
  // the model sees at most its context: the last positions
  return enc.ids.slice(-lm.model.maxPositions);
}

function logits(p: { prompt: string }): unknown {
  const ids = encode(p.prompt);
  const out = noGrad(() => new LmStepModel(lm!.model, ids.slice(0, -1)).logits([ids[ids.length - 1]]));
  const l = Array.from(out.toFloat32Array());
  // nothing is trained to predict padding or <bos>
  l[PAD_ID] = -Infinity;
  l[BOS_ID] = -Infinity;
  return { logits: l, unknown: lm!.tokenizer.encodePrompt(p.prompt).unknown };
}

function sampleText(p: { prompt: string; temperature: number; topK: number; topP: number; seed: number; maxTokens: number }): unknown {
  const ids = encode(p.prompt);
  const r = sample(new LmStepModel(lm!.model, ids.slice(0, -1)), {
    bos: ids[ids.length - 1], maxTokens: p.maxTokens, eos: [EOS_ID], temperature: p.temperature,
    topK: p.topK >= 1 ? p.topK : undefined, topP: p.topP, seed: p.seed, bannedTokens: [PAD_ID, BOS_ID],
  });
  return { words: r.tokens.map((id) => lm!.tokenizer.word(id)), finishReason: r.finishReason };
}

serveWorker({ train, logits, sample: sampleText });
