/**
 * Turns a training run into the shipped model: picks the default decoding on dev (greedy, and beam 4
 * with several length penalties), stores the weights in float16, and writes the model card with the
 * dev figures measured on the float16 weights themselves.
 *
 *   npx tsx scripts/ship-translator.ts RUN_DIR [--dev FILE] [--out models/zh-en]
 */
import { readFileSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readParallelFile } from '../src/data/parallel-file.js';
import { loadTranslator, saveTranslator } from '../src/models/seq2seq/checkpoint.js';
import { evaluateTranslations, translate } from '../src/models/seq2seq/translate.js';
import type { TranslationEvalRecord as EvalRecord } from '../src/models/seq2seq/train.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const run = args[0];
if (!run) throw new Error('usage: npx tsx scripts/ship-translator.ts RUN_DIR [--dev FILE] [--out DIR]');
const devPath = opt('--dev', '../shared/data/tatoeba-cmn-eng/dev.tsv');
const out = opt('--out', 'models/zh-en');

const dev = readParallelFile(devPath).pairs;
const trained = await loadTranslator(join(run, 'best'));
mkdirSync(out, { recursive: true });
// float16 first, so every figure below is of the weights that ship
await saveTranslator(out, { ...trained, step: trained.step }, { dtype: 'F16' });
const shipped = await loadTranslator(out);

const variants: { name: string; beam: number; lengthPenalty: number }[] = [
  { name: 'greedy', beam: 1, lengthPenalty: 1 },
  ...[0.6, 1, 1.2].map((lp) => ({ name: `beam 4, α ${lp}`, beam: 4, lengthPenalty: lp })),
];
const rows: { name: string; beam: number; lengthPenalty: number; bleu: number; chrf: number; seconds: number }[] = [];
for (const v of variants) {
  const t0 = performance.now();
  const e = evaluateTranslations(shipped.model, shipped.tokenizer, dev, { beam: v.beam, lengthPenalty: v.lengthPenalty, batchSize: 32 });
  rows.push({ ...v, bleu: e.bleu, chrf: e.chrf, seconds: (performance.now() - t0) / 1000 });
  console.error(`${v.name}: BLEU ${e.bleu.toFixed(2)}, chrF ${e.chrf.toFixed(2)}`);
}
// the default decoding is chosen on dev BLEU, as the issue asks (dev only)
const best = rows.reduce((b, r) => (r.bleu > b.bleu ? r : b));
const config = { ...shipped.config, decoding: { beam: best.beam, lengthPenalty: best.lengthPenalty } };
writeFileSync(join(out, 'config.json'), JSON.stringify(config, null, 2) + '\n');

const history = readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EvalRecord);
const last = history[history.length - 1];
const bestEpoch = history.reduce((b, r) => (r.bleu > b.bleu ? r : b));
const sample = ['我正在吃饭', '我们明天去北京。', '他是我的朋友。', '汤姆喜欢吃鱼。', '你今天晚上有空吗？'];
const translated = translate(shipped.model, shipped.tokenizer, sample, { beam: best.beam, lengthPenalty: best.lengthPenalty }).map((r, i) => `| ${sample[i]} | ${r.translation} |`);
const m = shipped.config.model;
const t = shipped.config.training!;
const tc = shipped.tokenizer.config;
const sourceUnits = { char: 'Chinese characters', word: 'Chinese words (ICU `Intl.Segmenter`)', bpe: `Chinese BPE subwords (${tc.srcBpeMerges} merges inside runs of Han characters)` }[tc.source];
const sourceFlags = (tc.source !== 'char' ? ` --source ${tc.source}` : '') + (tc.source === 'bpe' ? ` --src-bpe-merges ${tc.srcBpeMerges}` : '');
const card = `# zh-en: the shipped Chinese→English Transformer

Trained by llmcore on this project's machine (2 shared CPU cores) with:

\`\`\`sh
npx llmcore train translate --recipe recipes/zh-en.json --out runs/zh-en
npx tsx scripts/ship-translator.ts runs/zh-en
\`\`\`

The recipe file holds every setting of the run (the defaults of \`llmcore train translate\` are the same
values); spelled as flags: \`--d-model ${m.dModel} --heads ${m.nhead} --encoder-layers ${m.numEncoderLayers} --decoder-layers ${m.numDecoderLayers}
--ff ${m.dimFeedforward} --dropout ${m.dropout}${m.tieOutput ? ' --tie' : ''} --max-tokens ${t.maxTokens} --warmup ${t.warmupSteps} --time-budget ${Math.round(t.timeBudgetSeconds / 60)}m --seed ${t.seed}${sourceFlags}\`.

## Model
- Transformer encoder-decoder as in *Attention Is All You Need* (post-LN), PyTorch nn.Transformer parameter names:
  d_model ${m.dModel}, ${m.nhead} heads, ${m.numEncoderLayers}+${m.numDecoderLayers} layers, feed-forward ${m.dimFeedforward}, dropout ${m.dropout},
  ${m.tieOutput ? 'output projection tied to the target embedding' : 'untied output projection'}; ${shipped.model.numParameters().toLocaleString('en')} parameters, stored as float16 (\`model.safetensors\`).
- Source: ${sourceUnits} after Traditional→Simplified (OpenCC t2s) and punctuation normalisation (${shipped.tokenizer.srcVocab.size} tokens).
- Target: English tokens, truecased, ${shipped.tokenizer.config.target === 'bpe' ? `BPE with ${shipped.tokenizer.config.bpeMerges} merges` : 'whole words'} (${shipped.tokenizer.tgtVocab.size} tokens).

## Training
- Data: \`train.tsv\` of the Tatoeba Chinese–English pairs (27,155 pairs); model selection on \`dev.tsv\` (1,000 pairs) only.
- Adam (0.9, 0.98, 1e-9), Noam schedule (factor ${t.lrFactor}, warmup ${t.warmupSteps}), label smoothing 0.1, gradient clipping ${t.clipNorm}, batches of ≤ ${t.maxTokens} target tokens bucketed by length.
- ${last.epoch} evaluated epochs, ${last.step} steps, in ${Math.round(t.timeBudgetSeconds / 60)} minutes of training (time budget; evaluation excluded); best dev BLEU (greedy) at epoch ${bestEpoch.epoch}, step ${bestEpoch.step}.

## Dev results (float16 weights, detokenized output against the raw references, sacreBLEU-compatible 13a BLEU and chrF)

| decoding | BLEU | chrF | seconds for 1,000 sentences |
|---|---|---|---|
${rows.map((r) => `| ${r.name}${r === best ? ' (default)' : ''} | ${r.bleu.toFixed(2)} | ${r.chrf.toFixed(2)} | ${r.seconds.toFixed(0)} |`).join('\n')}

Dev BLEU (greedy) after each epoch: ${history.map((r) => r.bleu.toFixed(1)).join(', ')}.

## Samples (default decoding)

| Chinese | English |
|---|---|
${translated.join('\n')}

## Data license
Chinese–English sentence pairs from Tatoeba (https://tatoeba.org), CC BY 2.0 FR, via manythings.org
(https://www.manythings.org/anki/). The model is trained on them; see the project README for the attribution.
`;
writeFileSync(join(out, 'MODEL_CARD.md'), card);
const sizeMB = (statSync(join(out, 'model.safetensors')).size + statSync(join(out, 'tokenizer.json')).size) / 2 ** 20;
console.log(JSON.stringify({ out, default: best, rows, sizeMB }));
