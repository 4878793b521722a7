/**
 * Chapter 4: the Transformer translator. The shipped model (models/zh-en, fetched once and cached)
 * runs in a worker: the input's normalisation and tokens, the translation, each decoding step's top 5
 * (greedy and beam), and every attention map per layer and head, with hover to see what a word attends to.
 */
import { el, fetchAsset, guard, t, type Page, type PageContext } from '../page.js';
import { WorkerClient } from '../lib/worker-rpc.js';
import { ensureStyles, heatmap } from '../lib/charts.js';
import { inputProblem, selectMap, strongest, type HeadMaps } from '../lib/translate-logic.js';

interface Step { step: number; chosen: string; probability: number; candidates: { word: string; probability: number }[] }
interface Decoded { translation: string; logProb: number; steps: Step[]; warnings: string[]; width?: number }
interface Attention { source: string[]; inputs: string[]; outputs: string[]; encoderSelf: HeadMaps; decoderSelf: HeadMaps; cross: HeadMaps }
interface Result { text: string; normalized: string; traditional: boolean; tokens: string[]; unknown: string[]; greedy: Decoded; beam: Decoded; attention: Attention | null; seconds: number }
interface Loaded { parameters: number; srcVocab: number; tgtVocab: number; layers: [number, number]; heads: number; beam: number; backend: string; seconds: number }

let client: WorkerClient | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

const MODEL_FILES = ['config.json', 'tokenizer.json', 'model.safetensors'] as const;

function stepsTable(d: Decoded, testid: string): HTMLElement {
  const p = (x: number): string => (x < 0.0005 ? '<0.001' : x.toFixed(3));
  return el('table', { class: 'pg-steps', 'data-testid': testid },
    el('tr', {}, el('th', {}, '#'), el('th', {}, t({ zh: '选中', en: 'chosen' })), el('th', {}, t({ zh: '前 5 个候选（概率）', en: 'top 5 candidates (probability)' }))),
    ...d.steps.map((s) => el('tr', {},
      el('td', { class: 'mono' }, s.step),
      el('td', { class: 'pg-chosen' }, `${s.chosen} ${p(s.probability)}`),
      el('td', { class: 'mono' }, s.candidates.map((c) => `${c.word} ${p(c.probability)}`).join('  ')))));
}

function mount(root: HTMLElement, ctx: PageContext): void {
  ensureStyles();
  const input = el('textarea', { class: 'pg-input', 'data-testid': 'zh-input', 'aria-label': 'Chinese', rows: 2 });
  input.value = ctx.params.get('q') ?? '我正在吃饭';
  const beamSel = el('select', { 'data-testid': 'beam' }, ...[2, 4, 8].map((b) => el('option', { value: b }, `beam ${b}`)));
  const beamParam = ctx.params.get('beam');
  beamSel.value = ['2', '4', '8'].includes(beamParam ?? '') ? beamParam! : '4';
  const go = el('button', { type: 'button', class: 'primary', 'data-testid': 'translate' }, t({ zh: '翻译', en: 'Translate' }));
  const status = el('div', { class: 'pg-status', 'data-testid': 'tr-status' }, t({ zh: '正在下载模型…', en: 'Downloading the model…' }));
  const note = el('div', { class: 'note', hidden: true, 'data-testid': 'tr-note' });
  const out = el('div', { 'data-testid': 'tr-output' });
  const kindSel = el('select', { 'data-testid': 'att-kind' },
    el('option', { value: 'cross' }, t({ zh: '编码器-解码器注意力（英文词 → 中文字）', en: 'encoder-decoder (English piece → Chinese)' })),
    el('option', { value: 'encoderSelf' }, t({ zh: '编码器自注意力（中文 → 中文）', en: 'encoder self-attention (Chinese → Chinese)' })),
    el('option', { value: 'decoderSelf' }, t({ zh: '解码器自注意力（英文 → 已写的英文）', en: 'decoder self-attention (English → English so far)' })));
  const layerSel = el('select', { 'data-testid': 'att-layer' });
  const headSel = el('select', { 'data-testid': 'att-head' });
  const attBox = el('div', { class: 'pg-scroll', 'data-testid': 'attention' });
  const headsBox = el('div', { class: 'pg-maps pg-gap', 'data-testid': 'attention-heads' });
  const hoverLine = el('div', { class: 'pg-status', 'data-testid': 'att-hover' });
  const attCard = el('section', { class: 'card', hidden: true },
    el('h2', {}, t({ zh: '注意力', en: 'Attention' })),
    el('p', { class: 'explain' }, t({
      zh: '每一行是一个“提问”的位置，每一列是它可以看的位置；颜色越深，看得越多（每一行加起来是 1）。把鼠标放在格子或下面的词上，看它关注哪里。',
      en: 'Each row is a position asking, each column a position it may look at; the darker, the more it looks (each row sums to 1). Hover a cell or a word below to see what it attends to.',
    })),
    el('div', { class: 'controls' }, kindSel, el('label', {}, t({ zh: '层', en: 'layer' }), layerSel), el('label', {}, t({ zh: '头', en: 'head' }), headSel)),
    attBox, hoverLine, el('h3', { style: 'font-size:1rem' }, t({ zh: '这一层的每个头', en: 'Every head of this layer' })), headsBox);

  root.append(
    el('h1', {}, t({ zh: '第四章 · Transformer 翻译：我正在吃饭 → I am eating', en: 'Chapter 4 · The Transformer translator: 我正在吃饭 → I am eating' })),
    el('p', { class: 'explain' }, t({
      zh: '编码器把整句中文一次读完，每个字通过自注意力看见其他所有字；解码器一个词一个词地写英文，每一步用自注意力回看已经写下的英文，用编码器-解码器注意力去看中文，再给词表里的每个词一个概率。贪心解码每步取最可能的词；束搜索同时保留几句最好的候选。这里运行的是随项目发布的模型（models/zh-en），完全在你的浏览器里。',
      en: 'The encoder reads the whole Chinese sentence at once; through self-attention every character sees all the others. The decoder writes English one piece at a time: at each step it looks back at what it has written (self-attention), looks at the Chinese (encoder-decoder attention), and gives every word of its vocabulary a probability. Greedy decoding takes the most likely word each step; beam search keeps the few best whole sentences. This is the shipped model (models/zh-en), running entirely in your browser.',
    })),
    el('section', { class: 'card' },
      el('label', {}, t({ zh: '中文（简体或繁体）：', en: 'Chinese (Simplified or Traditional):' })), input,
      el('div', { class: 'controls' }, beamSel, go), status, note, out),
    attCard,
  );

  let loaded: Loaded | null = null;
  let result: Result | null = null;

  const fillSelect = (sel: HTMLSelectElement, n: number, mean: string, keep: string): void => {
    sel.replaceChildren(el('option', { value: -1 }, mean), ...Array.from({ length: n }, (_, i) => el('option', { value: i }, String(i + 1))));
    sel.value = keep;
  };

  const drawAttention = (): void => {
    const a = result?.attention;
    if (!a || !loaded) {
      attCard.hidden = true;
      return;
    }
    attCard.hidden = false;
    const kind = kindSel.value as 'cross' | 'encoderSelf' | 'decoderSelf';
    const maps = a[kind];
    const layer = Number(layerSel.value);
    const head = Number(headSel.value);
    const rows = kind === 'encoderSelf' ? a.source : a.outputs;
    const cols = kind === 'cross' || kind === 'encoderSelf' ? a.source : a.inputs;
    const m = selectMap(maps, layer, head);
    const hover = (cell: { r: number; c: number } | null): void => {
      if (!cell) return;
      const top = strongest(m[cell.r], 3).map(([c, w]) => `${cols[c]} ${w.toFixed(2)}`).join(', ');
      hoverLine.textContent = `“${rows[cell.r]}” → ${top}`;
    };
    attBox.replaceChildren(heatmap({ rows, cols, value: (r, c) => m[r][c], palette: 'seq', cell: { w: 26, h: 22 }, title: kind, testid: 'att-map', onHover: hover }));
    const L = maps.length;
    const layerIndex = layer < 0 ? -1 : layer;
    headsBox.replaceChildren(...Array.from({ length: maps[0].length }, (_, h) => {
      const hm = selectMap(maps, layerIndex, h);
      return el('div', {}, el('div', { class: 'pg-status' }, `${t({ zh: '头', en: 'head' })} ${h + 1}${layer < 0 ? ` (${t({ zh: `${L} 层平均`, en: `mean of ${L} layers` })})` : ''}`),
        heatmap({ rows, cols, value: (r, c) => hm[r][c], palette: 'seq', cell: { w: 12, h: 10 }, rowLabels: false, title: `head ${h + 1}` }));
    }));
  };
  for (const s of [kindSel, layerSel, headSel]) s.addEventListener('change', () => {
    ctx.setParam('att', `${kindSel.value},${layerSel.value},${headSel.value}`);
    drawAttention();
  });

  const render = (r: Result): void => {
    const chips = (tokens: string[], cls: string, on: (i: number) => void): HTMLElement =>
      el('div', { class: 'pg-tokens' }, ...tokens.map((tok, i) => {
        const chip = el('span', { class: `pg-token ${cls}`, 'data-i': i }, tok);
        chip.addEventListener('pointerenter', () => on(i));
        return chip;
      }));
    const srcChips = chips(r.tokens, 'pg-src', () => {});
    const a = r.attention;
    const tgtChips = a ? chips(a.outputs, 'pg-tgt', (i) => {
      // what this English piece looked at in the Chinese: last layer, heads averaged
      const row = selectMap(a.cross, a.cross.length - 1, -1)[i];
      srcChips.querySelectorAll<HTMLElement>('.pg-token').forEach((c, j) => { c.style.background = `rgba(47,111,219,${Math.min(1, row[j] * 1.2).toFixed(2)})`; });
      hoverLine.textContent = `“${a.outputs[i]}” → ${strongest(row, 3).map(([c, w]) => `${a.source[c]} ${w.toFixed(2)}`).join(', ')}`;
    }) : el('span');
    const warnings = [...new Set([...r.greedy.warnings, ...r.beam.warnings])];
    out.replaceChildren(
      el('p', { class: 'mono' }, t({ zh: '规范化：', en: 'normalised: ' }), r.normalized,
        r.traditional ? el('span', { class: 'pg-status' }, t({ zh: '（繁体已转为简体）', en: ' (Traditional converted to Simplified)' })) : ''),
      el('div', {}, t({ zh: '模型读到的字：', en: 'tokens the model reads: ' }), srcChips),
      r.unknown.length ? el('p', { class: 'note' }, t({ zh: `模型没见过：${r.unknown.join(' ')}（读作 <unk>）`, en: `Never seen in training: ${r.unknown.join(' ')} (read as <unk>)` })) : '',
      el('p', { style: 'font-size:1.4rem;margin:.6rem 0', 'data-testid': 'translation' }, r.beam.translation),
      a ? el('div', {}, t({ zh: '英文片段（悬停看它看哪个中文字）：', en: 'English pieces (hover to see which Chinese it looks at): ' }), tgtChips) : '',
      ...warnings.map((w) => el('p', { class: 'note' }, w)),
      el('div', { class: 'pg-two pg-gap' },
        el('div', {}, el('h3', { style: 'font-size:1rem' }, `${t({ zh: '贪心', en: 'Greedy' })}: ${r.greedy.translation}`), el('div', { class: 'pg-scroll' }, stepsTable(r.greedy, 'steps-greedy'))),
        el('div', {}, el('h3', { style: 'font-size:1rem' }, `${t({ zh: '束搜索', en: 'Beam' })} ${r.beam.width}: ${r.beam.translation}`), el('div', { class: 'pg-scroll' }, stepsTable(r.beam, 'steps-beam')))),
    );
    status.textContent = `${t({ zh: '用时', en: 'took' })} ${r.seconds.toFixed(2)} s · ${loaded!.backend}`;
    drawAttention();
  };

  const run = guard(ctx, async () => {
    const text = input.value;
    ctx.setParam('q', text.length <= 200 ? text : null);
    ctx.setParam('beam', beamSel.value);
    const problem = inputProblem(text, ctx.lang);
    if (problem) {
      note.textContent = problem;
      note.hidden = false;
      return;
    }
    note.hidden = true;
    if (!loaded) return;
    status.textContent = t({ zh: '正在翻译…', en: 'Translating…' });
    result = await client!.call<Result>('translate', { text, beam: Number(beamSel.value) });
    render(result);
    out.setAttribute('data-done', String(Number(out.getAttribute('data-done') ?? 0) + 1));
  });
  go.addEventListener('click', run);
  beamSel.addEventListener('change', run);
  input.addEventListener('input', () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, 400);
  });

  client = new WorkerClient('translate-worker', () => {}, (msg) => ctx.showError(msg));
  void (async () => {
    try {
      const [config, tokenizer, weights] = await Promise.all(MODEL_FILES.map((f) => fetchAsset(ctx, `models/zh-en/${f}`)));
      status.textContent = t({ zh: '正在构建模型…', en: 'Building the model…' });
      loaded = await client!.call<Loaded>('load', { config, tokenizer, weights }, [config, tokenizer, weights]);
      const [att, lay, hd] = (ctx.params.get('att') ?? 'cross,1,-1').split(',');
      if (['cross', 'encoderSelf', 'decoderSelf'].includes(att)) kindSel.value = att;
      fillSelect(layerSel, Math.max(...loaded.layers), t({ zh: '平均', en: 'mean' }), /^-?\d+$/.test(lay ?? '') && Number(lay) < Math.max(...loaded.layers) ? lay : String(loaded.layers[1] - 1));
      fillSelect(headSel, loaded.heads, t({ zh: '平均', en: 'mean' }), /^-?\d+$/.test(hd ?? '') && Number(hd) < loaded.heads ? hd : '-1');
      status.textContent = `${t({ zh: '模型就绪', en: 'model ready' })}: ${(loaded.parameters / 1e6).toFixed(1)}M ${t({ zh: '参数', en: 'parameters' })}`;
      run();
    } catch (e) {
      if ((e as Error).message !== 'stopped') ctx.showError((e as Error).message);
    }
  })();
}

const page: Page = {
  id: '04-translator',
  title: { zh: 'Transformer 翻译', en: 'The translator' },
  mount,
  unmount() {
    if (timer) clearTimeout(timer);
    client?.terminate();
    client = null;
  },
};
export default page;
