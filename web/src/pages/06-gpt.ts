/**
 * Chapter 6: how a GPT writes. A small decoder-only Transformer learns the built-in corpus in a worker
 * (the page's own model until a shipped GPT is there); type a prompt and move temperature, top-k and
 * top-p: the next-word distribution is redrawn as you move them, and Sample writes a continuation.
 */
import { el, guard, t, type Page, type PageContext } from '../page.js';
import { WorkerClient } from '../lib/worker-rpc.js';
import { bars, ensureStyles, lineChart } from '../lib/charts.js';
import { intParam } from '../lib/params.js';
import { reshapeDistribution, topEntries } from '../lib/sampling-logic.js';

let client: WorkerClient | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

function numParam(params: URLSearchParams, key: string, def: number, lo: number, hi: number): number {
  const v = Number(params.get(key));
  return params.get(key) !== null && Number.isFinite(v) && v >= lo && v <= hi ? v : def;
}

function mount(root: HTMLElement, ctx: PageContext): void {
  ensureStyles();
  const problems: string[] = [];
  const epochs = intParam(ctx.params, 'epochs', 30, 1, 200, problems);
  if (problems.length) ctx.showError(problems.join('\n'));
  const prompt = el('input', { type: 'text', class: 'pg-wide', value: ctx.params.get('p') ?? 'Apple is', 'data-testid': 'gpt-prompt', 'aria-label': 'prompt', maxlength: 2000 });
  const temp = el('input', { type: 'range', min: 0, max: 2, step: 0.05, value: numParam(ctx.params, 'temp', 1, 0, 2), 'data-testid': 'temp' });
  const topK = el('input', { type: 'range', min: 0, max: 50, step: 1, value: numParam(ctx.params, 'k', 0, 0, 50), 'data-testid': 'topk' });
  const topP = el('input', { type: 'range', min: 0.05, max: 1, step: 0.05, value: numParam(ctx.params, 'top_p', 1, 0.05, 1), 'data-testid': 'topp' });
  const labels = { temp: el('span', { class: 'mono' }), k: el('span', { class: 'mono' }), p: el('span', { class: 'mono' }) };
  const sampleBtn = el('button', { type: 'button', class: 'primary', 'data-testid': 'sample' }, t({ zh: '采样', en: 'Sample' }));
  const status = el('div', { class: 'pg-status', 'data-testid': 'gpt-status' }, t({ zh: '正在训练…', en: 'Training…' }));
  const chart = el('div');
  const note = el('div', { class: 'note', hidden: true, 'data-testid': 'gpt-note' });
  const dists = el('div', { class: 'pg-two' });
  const textOut = el('p', { class: 'mono', 'data-testid': 'gpt-text', style: 'font-size:1.1rem' });

  root.append(
    el('h1', {}, t({ zh: '第六章 · GPT 怎样写字：温度、top-k、top-p', en: 'Chapter 6 · How a GPT writes: temperature, top-k, top-p' })),
    el('p', { class: 'explain' }, t({
      zh: 'GPT 每一步给词表里每个词一个概率（softmax），再从中抽一个。温度把分布变尖（<1）或变平（>1），温度 0 就是每次取最可能的词；top-k 只在最可能的 k 个词里抽；top-p 只在累计概率达到 p 的最小集合里抽。这里的模型是在页面里训练的小型只解码器 Transformer（内置语料）。',
      en: 'At each step a GPT gives every word of its vocabulary a probability (the softmax) and draws one. Temperature sharpens the distribution (below 1) or flattens it (above 1); temperature 0 always takes the most likely word. Top-k draws only among the k most likely words; top-p only among the smallest set whose probabilities reach p. The model here is a small decoder-only Transformer trained in this page on the built-in corpus.',
    })),
    el('section', { class: 'card' }, chart, status),
    el('section', { class: 'card' },
      el('label', {}, t({ zh: '开头：', en: 'Prompt: ' }), prompt), note,
      el('div', { class: 'controls' },
        el('label', {}, t({ zh: '温度', en: 'temperature' }), temp, labels.temp),
        el('label', {}, 'top-k', topK, labels.k),
        el('label', {}, 'top-p', topP, labels.p), sampleBtn),
      dists, textOut),
  );

  const points: [number, number][] = [];
  let vocab: string[] = [];
  let raw: number[] | null = null;
  let seed = 0;

  const redraw = (): void => {
    const T = Number(temp.value);
    const K = Number(topK.value);
    const P = Number(topP.value);
    labels.temp.textContent = T.toFixed(2);
    labels.k.textContent = K === 0 ? t({ zh: '全部', en: 'all' }) : String(K);
    labels.p.textContent = P.toFixed(2);
    ctx.setParam('temp', String(T));
    ctx.setParam('k', String(K));
    ctx.setParam('top_p', String(P));
    if (!raw) return;
    const base = reshapeDistribution(raw, 1, 0, 1);
    const shaped = reshapeDistribution(raw, T, K, P);
    const show = topEntries(base, 15);
    const kept = Array.from(shaped).filter((v) => v > 0).length;
    dists.replaceChildren(
      el('div', {}, el('strong', {}, t({ zh: '模型的 softmax', en: "the model's softmax" })), bars(show.map(([i, v]) => ({ label: vocab[i], value: v })), { color: '#8a94a6', max: 1, testid: 'dist-raw' })),
      el('div', {}, el('strong', {}, `${t({ zh: '调整后（可抽的词：', en: 'reshaped (words that can be drawn: ' })}${kept})`),
        bars(show.map(([i]) => ({ label: vocab[i], value: shaped[i], strong: shaped[i] > 0 })), { color: '#2f6fdb', max: 1, testid: 'dist-shaped' })),
    );
    dists.setAttribute('data-kept', String(kept));
  };
  for (const s of [temp, topK, topP]) s.addEventListener('input', redraw);

  const fetchLogits = guard(ctx, async () => {
    ctx.setParam('p', prompt.value);
    if (!vocab.length) return;
    try {
      const r = await client!.call<{ logits: number[]; unknown: string[] }>('logits', { prompt: prompt.value });
      raw = r.logits.map((v) => (v === null ? -Infinity : v));
      note.hidden = r.unknown.length === 0;
      note.textContent = t({ zh: `词表里没有：${r.unknown.join(' ')}`, en: `Not in the vocabulary: ${r.unknown.join(' ')}` });
      redraw();
    } catch (e) {
      raw = null;
      dists.replaceChildren();
      note.textContent = (e as Error).message;
      note.hidden = false;
    }
  });
  prompt.addEventListener('input', () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(fetchLogits, 150);
  });
  sampleBtn.addEventListener('click', guard(ctx, async () => {
    if (!vocab.length) return;
    const r = await client!.call<{ words: string[] }>('sample', {
      prompt: prompt.value, temperature: Number(temp.value), topK: Number(topK.value), topP: Number(topP.value), seed: seed++, maxTokens: 12,
    });
    textOut.replaceChildren(prompt.value.trim(), ' ', el('strong', {}, r.words.join(' ')));
    textOut.setAttribute('data-samples', String(seed));
  }));

  client = new WorkerClient('gpt-worker', (event, data) => {
    if (event !== 'step') return;
    const d = data as { step: number; loss: number; steps: number };
    points.push([d.step, d.loss]);
    status.textContent = `${t({ zh: '训练', en: 'training' })} ${d.step}/${d.steps}`;
    lineChart(chart, [{ name: t({ zh: '损失', en: 'loss' }), color: '#2f6fdb', points }], { xLabel: t({ zh: '训练步数', en: 'training step' }), yLabel: t({ zh: '训练损失', en: 'training loss' }) });
  }, (msg) => ctx.showError(msg));
  redraw();
  void (async () => {
    try {
      const r = await client!.call<{ steps: number; seconds: number; validPerplexity: number; parameters: number; vocab: string[] }>('train', { epochs });
      vocab = r.vocab;
      status.textContent = `${r.parameters.toLocaleString('en')} ${t({ zh: '个参数', en: 'parameters' })} · ${r.steps} ${t({ zh: '步', en: 'steps' })}, ${r.seconds.toFixed(1)} s · ${t({ zh: '验证困惑度', en: 'held-out perplexity' })} ${r.validPerplexity.toFixed(2)}`;
      status.setAttribute('data-done', 'true');
      fetchLogits();
    } catch (e) {
      if ((e as Error).message !== 'stopped') ctx.showError((e as Error).message);
    }
  })();
}

const page: Page = {
  id: '06-gpt',
  title: { zh: 'GPT 采样', en: 'GPT sampling' },
  mount,
  unmount() {
    if (timer) clearTimeout(timer);
    client?.terminate();
    client = null;
  },
};
export default page;
