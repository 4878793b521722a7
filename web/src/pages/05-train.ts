/**
 * Chapter 5: train a Transformer in your browser. A small encoder-decoder learns to copy (or reverse)
 * strings of symbols in a worker, on the same Trainer as `llmcore train`: live loss, tokens/s,
 * Pause/Resume/Stop, and afterwards the model "translates" what you type, with its steps and attention.
 */
import { el, guard, t, type Page, type PageContext } from '../page.js';
import { WorkerClient } from '../lib/worker-rpc.js';
import { bars, ensureStyles, heatmap, lineChart } from '../lib/charts.js';
import { intParam, parseIntField } from '../lib/params.js';
import { RateMeter, thin } from '../lib/train-logic.js';

interface Summary { reason: string; steps: number; epochs: number; tokens: number; seconds: number; tokensPerSecond: number; backend: string }
interface Tried { translation: string; expected: string; tokens: string[]; pieces: string[]; warnings: string[]; attention: number[][] | null; steps: { chosen: string; probability: number; candidates: { word: string; probability: number }[] }[] }

let client: WorkerClient | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

function mount(root: HTMLElement, ctx: PageContext): void {
  ensureStyles();
  const problems: string[] = [];
  const epochs0 = intParam(ctx.params, 'epochs', 8, 1, 200, problems);
  const len0 = intParam(ctx.params, 'len', 8, 1, 30, problems);
  const kind0 = ctx.params.get('task') === 'reverse' ? 'reverse' : 'copy';
  if (ctx.params.get('task') && !['copy', 'reverse'].includes(ctx.params.get('task')!)) problems.push(`?task=${ctx.params.get('task')}: expected copy or reverse; using copy`);
  if (problems.length) ctx.showError(problems.join('\n'));

  const kindSel = el('select', { 'data-testid': 'task' }, el('option', { value: 'copy' }, t({ zh: '复制：abc → abc', en: 'copy: abc → abc' })), el('option', { value: 'reverse' }, t({ zh: '倒序：abc → cba', en: 'reverse: abc → cba' })));
  kindSel.value = kind0;
  const epochsIn = el('input', { type: 'text', inputmode: 'numeric', value: epochs0, 'data-testid': 'epochs', 'aria-label': 'epochs' });
  const lenIn = el('input', { type: 'text', inputmode: 'numeric', value: len0, 'data-testid': 'len', 'aria-label': 'longest string' });
  const startBtn = el('button', { type: 'button', class: 'primary', 'data-testid': 'start' }, t({ zh: '重新开始', en: 'Start over' }));
  const pauseBtn = el('button', { type: 'button', 'data-testid': 'pause' }, t({ zh: '暂停', en: 'Pause' }));
  const stopBtn = el('button', { type: 'button', 'data-testid': 'stop' }, t({ zh: '停止', en: 'Stop' }));
  const status = el('div', { class: 'pg-status', 'data-testid': 'train-status' });
  const rate = el('div', { class: 'mono', 'data-testid': 'rate' });
  const chart = el('div', { 'data-testid': 'loss-chart' });
  const evals = el('div', { class: 'pg-status', 'data-testid': 'evals' });
  const tryIn = el('input', { type: 'text', class: 'pg-wide', value: ctx.params.get('try') ?? '3141592', 'data-testid': 'try', 'aria-label': 'input', maxlength: 200 });
  const tryOut = el('div', { 'data-testid': 'try-output' });

  root.append(
    el('h1', {}, t({ zh: '第五章 · 在浏览器里训练一个 Transformer', en: 'Chapter 5 · Train a Transformer in your browser' })),
    el('p', { class: 'explain' }, t({
      zh: '一个小的编码器-解码器 Transformer（2+2 层，宽 64，约 17 万个参数）在你的浏览器里从随机权重开始学习：读一串符号，再把它写出来（或倒着写）。训练在后台线程（Web Worker）里进行，和 llmcore train 用的是同一个训练器：每一步前向、反向、梯度裁剪、Adam。损失下降之后，在下面输入一串符号，看模型怎么一步步写出答案，注意力为什么是一条对角线。',
      en: 'A small encoder-decoder Transformer (2 + 2 layers, width 64, about 170 thousand parameters) learns in your browser from random weights: read a string of symbols, then write it out again (or reversed). Training runs in a background thread (a Web Worker) on the same trainer as `llmcore train`: forward, backward, gradient clipping, Adam, step after step. Once the loss has dropped, type a string below and watch the model write its answer step by step — and why its attention is a diagonal.',
    })),
    el('section', { class: 'card' },
      el('div', { class: 'controls' }, kindSel,
        el('label', {}, t({ zh: '轮数', en: 'epochs' }), epochsIn),
        el('label', {}, t({ zh: '最长', en: 'longest string' }), lenIn),
        startBtn, pauseBtn, stopBtn),
      chart, status, rate, evals),
    el('section', { class: 'card' },
      el('h2', {}, t({ zh: '试一试', en: 'Try it' })),
      el('label', {}, t({ zh: '符号（0–9、a–j）：', en: 'symbols (0–9, a–j): ' }), tryIn), tryOut),
  );

  let points: [number, number][] = [];
  let meter = new RateMeter();
  let state: 'idle' | 'training' | 'paused' | 'done' = 'idle';
  let hasModel = false;
  const setState = (s: typeof state): void => {
    state = s;
    root.setAttribute('data-train-state', s);
    pauseBtn.textContent = s === 'paused' ? t({ zh: '继续', en: 'Resume' }) : t({ zh: '暂停', en: 'Pause' });
    pauseBtn.disabled = s !== 'training' && s !== 'paused';
    stopBtn.disabled = s !== 'training' && s !== 'paused';
  };
  setState('idle');
  const draw = (): void => lineChart(chart, [{ name: t({ zh: '损失', en: 'loss' }), color: '#2f6fdb', points: thin(points, 400) }], {
    xLabel: t({ zh: '训练步数', en: 'training step' }), yLabel: t({ zh: '训练损失（交叉熵）', en: 'training loss (cross-entropy)' }),
  });
  draw();

  const tryNow = guard(ctx, async () => {
    const text = tryIn.value;
    ctx.setParam('try', text.length <= 40 ? text : null);
    if (!hasModel) return;
    if (text.trim() === '') {
      tryOut.replaceChildren(el('p', { class: 'note', 'data-testid': 'try-note' }, t({ zh: '请输入几个符号，例如 3141592。', en: 'Type a few symbols, e.g. 3141592.' })));
      return;
    }
    const r = await client!.call<Tried>('translate', { text });
    const ok = r.translation === r.expected;
    const last = r.steps.length ? r.steps : [];
    tryOut.replaceChildren(
      el('p', { style: 'font-size:1.3rem', 'data-testid': 'try-result' }, el('span', { class: 'mono' }, r.translation || '∅'), ' ',
        el('span', { 'data-testid': 'try-verdict', style: `color:${ok ? 'var(--c2)' : 'var(--c0)'}` }, ok ? '✓' : `✗ ${t({ zh: '应为', en: 'expected' })} ${r.expected}`)),
      ...r.warnings.map((w) => el('p', { class: 'note', 'data-testid': 'try-note' }, w)),
      el('div', { class: 'pg-two' },
        el('div', {}, el('strong', {}, t({ zh: '每一步的前 3 个候选', en: 'Top 3 at each step' })),
          ...last.slice(0, 12).map((s, i) => el('div', { class: 'pg-gap' }, el('div', { class: 'pg-status' }, `${i + 1}. → ${s.chosen}`),
            bars(s.candidates.map((c) => ({ label: c.word, value: c.probability, strong: c.word === s.chosen })), { color: '#2f6fdb', max: 1 })))),
        r.attention ? el('div', {}, el('strong', {}, t({ zh: '编码器-解码器注意力（最后一层，各头平均）', en: 'Encoder-decoder attention (last layer, heads averaged)' })),
          el('div', { class: 'pg-scroll' }, heatmap({ rows: r.pieces, cols: r.tokens, value: (i, j) => r.attention![i]?.[j] ?? 0, palette: 'seq', cell: { w: 24, h: 22 }, testid: 'try-attention' }))) : ''),
    );
  });
  tryIn.addEventListener('input', () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(tryNow, 200);
  });

  const finished = (s: Summary): void => {
    hasModel = true;
    const speed = `${Math.round(s.tokensPerSecond).toLocaleString('en')} tokens/s`;
    rate.textContent = `${s.tokens.toLocaleString('en')} ${t({ zh: '个目标词元', en: 'target tokens' })} / ${s.seconds.toFixed(1)} s = ${speed} · ${s.backend}`;
    rate.setAttribute('data-tokens-per-second', String(s.tokensPerSecond));
    if (s.reason === 'stopped' && state === 'paused') {
      status.textContent = `${t({ zh: '已暂停，第', en: 'paused at step ' })}${s.steps}${t({ zh: ' 步', en: '' })}`;
    } else {
      setState('done');
      status.textContent = `${t({ zh: '完成', en: 'done' })}: ${s.steps} ${t({ zh: '步', en: 'steps' })}, ${s.epochs} ${t({ zh: '轮', en: 'epochs' })}${s.reason === 'stopped' ? t({ zh: '（已停止）', en: ' (stopped)' }) : ''}`;
      status.setAttribute('data-done', 'true');
    }
    tryNow();
  };

  let runId = 0;
  const run = async (type: 'start' | 'resume', payload: unknown): Promise<void> => {
    const id = ++runId;
    setState('training');
    status.removeAttribute('data-done');
    const s = await client!.call<Summary>(type, payload);
    // a run replaced by Start over answers too, after the new one began: only the latest counts
    if (id === runId) finished(s);
  };

  const start = guard(ctx, async () => {
    const e = parseIntField(epochsIn.value, t({ zh: '轮数', en: 'epochs' }), 1, 200);
    const l = parseIntField(lenIn.value, t({ zh: '最长', en: 'longest string' }), 1, 30);
    if ('error' in e || 'error' in l) {
      ctx.showError(['error' in e ? e.error : '', 'error' in l ? l.error : ''].filter(Boolean).join('\n'));
      return;
    }
    ctx.setParam('task', kindSel.value);
    ctx.setParam('epochs', String(e.value));
    ctx.setParam('len', String(l.value));
    points = [];
    meter = new RateMeter();
    evals.textContent = '';
    draw();
    await run('start', { kind: kindSel.value, epochs: e.value, maxLen: l.value });
  });
  startBtn.addEventListener('click', start);
  pauseBtn.addEventListener('click', guard(ctx, async () => {
    if (state === 'training') {
      setState('paused');
      client!.send('pause');
    } else if (state === 'paused') {
      await run('resume', null);
    }
  }));
  stopBtn.addEventListener('click', () => {
    if (state === 'paused') {
      setState('done');
      status.textContent = t({ zh: '已停止', en: 'stopped' });
      status.setAttribute('data-done', 'true');
      return;
    }
    setState('done');
    client?.send('pause');
  });

  let lastDraw = 0;
  client = new WorkerClient('train-worker', (event, data) => {
    if (event === 'step') {
      const d = data as { step: number; epoch: number; batch: number; batches: number; loss: number; tokensPerSecond: number; seconds: number; tokens: number };
      points.push([d.step, d.loss]);
      const tps = meter.add(d.tokensPerSecond);
      status.textContent = `${t({ zh: '第', en: 'epoch ' })}${d.epoch + 1}${t({ zh: ' 轮', en: '' })} · ${t({ zh: '批', en: 'batch' })} ${d.batch}/${d.batches} · ${t({ zh: '损失', en: 'loss' })} ${d.loss.toFixed(3)}`;
      rate.textContent = `${Math.round(tps).toLocaleString('en')} tokens/s`;
      const now = performance.now();
      if (now - lastDraw > 100) {
        lastDraw = now;
        draw();
      }
    } else if (event === 'eval') {
      const d = data as { epoch: number; devLoss: number; accuracy: number };
      evals.textContent = `${t({ zh: '第', en: 'epoch ' })}${d.epoch}${t({ zh: ' 轮后：留出集损失', en: ': held-out loss' })} ${d.devLoss.toFixed(3)}, ${t({ zh: '完全正确', en: 'exactly right' })} ${(d.accuracy * 100).toFixed(0)}%`;
      evals.setAttribute('data-accuracy', String(d.accuracy));
      draw();
    } else if (event === 'started') {
      const d = data as { parameters: number };
      status.textContent = `${d.parameters.toLocaleString('en')} ${t({ zh: '个参数', en: 'parameters' })}`;
    }
  }, (msg) => ctx.showError(msg));
  start();
}

const page: Page = {
  id: '05-train',
  title: { zh: '在浏览器里训练', en: 'Train in the browser' },
  mount,
  unmount() {
    if (timer) clearTimeout(timer);
    client?.terminate();
    client = null;
  },
};
export default page;
