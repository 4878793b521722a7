/**
 * Chapter 3: RNN vs LSTM. Both learn the built-in corpus in a worker (live loss); a prompt gives each
 * one's next-word probabilities; the memory experiment ("Tom is a cat. … Tom's favorite food is")
 * shows the hidden state and the LSTM's gates at every word as heatmaps.
 */
import { el, guard, t, type Page, type PageContext } from '../page.js';
import { WorkerClient } from '../lib/worker-rpc.js';
import { bars, ensureStyles, heatmap, lineChart, type Series } from '../lib/charts.js';
import { intParam, parseIntField } from '../lib/params.js';
import { maxAbs } from '../lib/scale.js';

const COLOR: Record<string, string> = { rnn: '#e4572e', lstm: '#2e86ab' };
const LABEL: Record<string, string> = { rnn: 'RNN', lstm: 'LSTM' };

interface Prediction { kind: string; tokens: string[]; unknown: string[]; top: { word: string; prob: number }[] }
interface StoryModel { kind: string; H: number; T: number; h: number[]; c: number[] | null; gates: Record<string, number[]>; answerProb: number; top: { word: string; prob: number }[] }
interface Story { tokens: string[]; answer: string; name: string; animal: string; trainedSteps: number; models: StoryModel[] }

let client: WorkerClient | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

function mount(root: HTMLElement, ctx: PageContext): void {
  ensureStyles();
  const problems: string[] = [];
  const epochs = intParam(ctx.params, 'epochs', 40, 1, 200, problems);
  let memSteps = intParam(ctx.params, 'msteps', 300, 1, 20000, problems);
  let maxD = intParam(ctx.params, 'maxd', 10, 0, 60, problems);
  let distance = intParam(ctx.params, 'd', 5, 0, 60, problems);
  let storySeed = intParam(ctx.params, 'story', 1, 0, 1_000_000, problems);
  if (problems.length) ctx.showError(problems.join('\n'));

  // ---- 1. training on the corpus
  const lmStatus = el('div', { class: 'pg-status', 'data-testid': 'lm-status' }, t({ zh: '正在训练…', en: 'Training…' }));
  const lmChart = el('div', { 'data-testid': 'lm-chart' });
  const lossPoints: Record<string, [number, number][]> = { rnn: [], lstm: [] };
  const drawLoss = (): void => lineChart(lmChart, ['rnn', 'lstm'].map((k): Series => ({ name: LABEL[k], color: COLOR[k], points: lossPoints[k] })), {
    xLabel: t({ zh: '训练步数', en: 'training step' }), yLabel: t({ zh: '训练损失（交叉熵）', en: 'training loss (cross-entropy)' }),
  });
  drawLoss();

  // ---- 2. next word
  const prompt = el('input', { type: 'text', class: 'pg-wide', value: ctx.params.get('prompt') ?? 'Apple is', 'data-testid': 'prompt', 'aria-label': 'prompt', maxlength: 2000 });
  const promptNote = el('div', { class: 'note', hidden: true, 'data-testid': 'prompt-note' });
  const nextBox = el('div', { class: 'pg-two' });

  // ---- 3. memory
  const memStatus = el('div', { class: 'pg-status', 'data-testid': 'mem-status' });
  const memChart = el('div');
  const memLoss: Record<string, [number, number][]> = { rnn: [], lstm: [] };
  const drawMem = (): void => lineChart(memChart, ['rnn', 'lstm'].map((k): Series => ({ name: LABEL[k], color: COLOR[k], points: memLoss[k] })), {
    xLabel: t({ zh: '训练步数', en: 'training step' }), yLabel: t({ zh: '答案的损失', en: 'loss on the answer' }),
  });
  drawMem();
  const stepsIn = el('input', { type: 'number', value: memSteps, min: 1, max: 20000, 'data-testid': 'mem-steps' });
  const maxDIn = el('input', { type: 'number', value: maxD, min: 0, max: 60, 'data-testid': 'mem-maxd' });
  const trainMemBtn = el('button', { type: 'button', class: 'primary', 'data-testid': 'mem-train' }, t({ zh: '训练记忆模型', en: 'Train the memory models' }));
  const stopBtn = el('button', { type: 'button' }, t({ zh: '停止', en: 'Stop' }));
  const dIn = el('input', { type: 'range', min: 0, max: 40, value: Math.min(40, distance), 'data-testid': 'mem-d' });
  const dOut = el('span', { class: 'mono' }, String(distance));
  const anotherBtn = el('button', { type: 'button', 'data-testid': 'mem-another' }, t({ zh: '换一个故事', en: 'Another story' }));
  const storyBox = el('div', { 'data-testid': 'story' });
  const maps = el('div', { class: 'pg-maps', 'data-testid': 'mem-maps' });

  root.append(
    el('h1', {}, t({ zh: '第三章 · RNN 与 LSTM：读一个词，记住前面', en: 'Chapter 3 · RNN vs LSTM: read a word, remember what came before' })),
    el('p', { class: 'explain' }, t({
      zh: '循环网络一次读一个词，把读过的内容压进一个向量——隐藏状态 h——再用它猜下一个词。普通 RNN 每一步都把 h 整个重写；LSTM 多了一条“细胞状态” c 和三个门：遗忘门决定留下多少旧记忆，输入门决定写进多少新内容，输出门决定露出多少。下面两个模型在你的浏览器里、在同一份内置语料上训练。',
      en: 'A recurrent network reads one word at a time and squeezes what it has read into one vector — the hidden state h — from which it guesses the next word. A plain RNN rewrites all of h at every step; an LSTM adds a cell state c and three gates: the forget gate decides how much old memory stays, the input gate how much new content is written, the output gate how much is shown. Both models below train in your browser, on the same built-in corpus.',
    })),
    el('section', { class: 'card' },
      el('h2', {}, t({ zh: '1 · 在内置语料上训练', en: '1 · Training on the built-in corpus' })),
      el('p', { class: 'explain' }, t({ zh: `518 句简单的英语（“apple is red” 之类）。两个模型：词向量 32 维，隐藏层 64 维，${epochs} 轮。`, en: `518 plain English sentences ("apple is red" and the like). Both models: 32-wide word vectors, 64 hidden units, ${epochs} epochs.` })),
      lmChart, lmStatus),
    el('section', { class: 'card' },
      el('h2', {}, t({ zh: '2 · 下一个词', en: '2 · The next word' })),
      el('label', {}, t({ zh: '开头：', en: 'Prompt: ' }), prompt), promptNote, el('div', { class: 'pg-gap' }), nextBox),
    el('section', { class: 'card' },
      el('h2', {}, t({ zh: '3 · 记忆实验：“Tom is a cat. … Tom\'s favorite food is”', en: '3 · The memory experiment: "Tom is a cat. … Tom\'s favorite food is"' })),
      el('p', { class: 'explain' }, t({
        zh: '每个故事先说两个名字各是什么动物，再插入 d 个无关的词，最后问其中一个的最爱食物。模型必须隔着这些词记住“谁是什么”。热图的每一列是一个词，每一行是一个隐藏单元：蓝为正，红为负；门的取值在 0（关）到 1（开）之间。',
        en: 'Each story first says which animal two names are, then d unrelated words, then asks for one name\'s favourite food. The model must carry "who is what" across those words. In the heatmaps each column is a word and each row a hidden unit: blue positive, red negative; gates run from 0 (closed) to 1 (open).',
      })),
      el('div', { class: 'controls' },
        el('label', {}, t({ zh: '训练步数', en: 'steps' }), stepsIn),
        el('label', {}, t({ zh: '最长距离', en: 'longest d' }), maxDIn), trainMemBtn, stopBtn),
      memChart, memStatus,
      el('div', { class: 'controls' }, el('label', {}, t({ zh: '距离 d', en: 'distance d' }), dIn, dOut), anotherBtn),
      storyBox, el('div', { class: 'pg-scroll' }, maps)),
  );

  client = new WorkerClient('lm-worker', (event, data) => {
    const d = data as { kind: string; step: number; loss: number; steps: number; epoch?: number; validPerplexity?: number };
    if (event === 'lm-step') {
      lossPoints[d.kind].push([d.step, d.loss]);
      lmStatus.textContent = `${LABEL[d.kind]}: ${t({ zh: '第', en: 'step ' })}${d.step}/${d.steps}`;
      drawLoss();
    } else if (event === 'lm-eval') {
      lmStatus.textContent = `${LABEL[d.kind]} · ${t({ zh: '第', en: 'epoch ' })}${d.epoch}${t({ zh: ' 轮', en: '' })} · ${t({ zh: '验证困惑度', en: 'held-out perplexity' })} ${d.validPerplexity!.toFixed(2)}`;
    } else if (event === 'mem-step') {
      memLoss[d.kind].push([d.step, d.loss]);
      memStatus.textContent = `${LABEL[d.kind]}: ${d.step}/${d.steps}`;
      drawMem();
    }
  }, (msg) => ctx.showError(msg));

  let lmReady = false;
  const predict = guard(ctx, async () => {
    ctx.setParam('prompt', prompt.value);
    if (!lmReady) return;
    const text = prompt.value;
    if (text.trim() === '') {
      promptNote.textContent = t({ zh: '请输入几个英语单词，例如 “Apple is”。', en: 'Type a few English words, e.g. "Apple is".' });
      promptNote.hidden = false;
      return;
    }
    try {
      const preds = await client!.call<Prediction[]>('predict', { prompt: text, k: 8 });
      promptNote.hidden = true;
      const unknown = preds[0].unknown;
      if (unknown.length) {
        promptNote.textContent = t({ zh: `词表里没有：${unknown.join(' ')}（当作 <unk> 读入）`, en: `Not in the vocabulary: ${unknown.join(' ')} (read as <unk>)` });
        promptNote.hidden = false;
      }
      nextBox.replaceChildren(...preds.map((p) => el('div', {},
        el('h3', { style: `color:${COLOR[p.kind]};font-size:1rem;margin:.2rem 0` }, `${LABEL[p.kind]}: “${p.tokens.join(' ')} …”`),
        bars(p.top.map((w, i) => ({ label: w.word, value: w.prob, strong: i === 0 })), { color: COLOR[p.kind], max: 1, testid: `next-${p.kind}` }))));
    } catch (e) {
      promptNote.textContent = (e as Error).message.replace(/^lm predict: /, '');
      promptNote.hidden = false;
      nextBox.replaceChildren();
    }
  });
  prompt.addEventListener('input', () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(predict, 150);
  });

  const showStory = guard(ctx, async () => {
    ctx.setParam('d', String(distance));
    ctx.setParam('story', String(storySeed));
    const s = await client!.call<Story>('memory-story', { distance, seed: storySeed });
    const q = s.tokens.length - 5;
    storyBox.replaceChildren(
      el('p', {}, el('span', { class: 'mono' }, s.tokens.slice(0, q).join(' ')), ' ', el('strong', { class: 'mono' }, s.tokens.slice(q).join(' ')), ' → ', el('strong', {}, s.answer),
        el('span', { class: 'pg-status' }, s.trainedSteps ? t({ zh: `（模型训练了 ${s.trainedSteps} 步）`, en: ` (models trained ${s.trainedSteps} steps)` }) : t({ zh: '（模型还没训练：先点“训练记忆模型”）', en: ' (untrained models: press "Train the memory models" first)' }))),
      el('div', { class: 'pg-two' }, ...s.models.map((m) => el('div', {},
        el('h3', { style: `color:${COLOR[m.kind]};font-size:1rem;margin:.2rem 0` }, `${LABEL[m.kind]}: P(${s.answer}) = ${m.answerProb.toFixed(3)}`),
        bars(m.top.map((w) => ({ label: w.word, value: w.prob, strong: w.word === s.answer })), { color: COLOR[m.kind], max: 1, testid: `mem-top-${m.kind}` })))),
    );
    const cols = s.tokens;
    const grid = (m: StoryModel, values: number[], title: string, palette: 'seq' | 'div', testid: string): HTMLElement => el('div', {},
      el('div', {}, el('strong', {}, `${LABEL[m.kind]} · ${title}`)),
      heatmap({
        rows: Array.from({ length: m.H }, (_, i) => `unit ${i}`), cols, rowLabels: false, palette, scale: palette === 'div' ? maxAbs(values) : 1,
        value: (r, c) => values[c * m.H + r], cell: { w: 16, h: 3 }, title, testid,
      }));
    const blocks: HTMLElement[] = [];
    for (const m of s.models) {
      blocks.push(grid(m, m.h, t({ zh: '隐藏状态 h', en: 'hidden state h' }), 'div', `heat-${m.kind}-h`));
      if (m.c) blocks.push(grid(m, m.c, t({ zh: '细胞状态 c', en: 'cell state c' }), 'div', `heat-${m.kind}-c`));
      for (const [g, zh] of [['forget', '遗忘门 f'], ['input', '输入门 i'], ['output', '输出门 o']] as const) {
        if (m.gates[g]) blocks.push(grid(m, m.gates[g], t({ zh, en: `${g} gate` }), 'seq', `heat-${m.kind}-${g}`));
      }
    }
    maps.replaceChildren(...blocks);
  });

  const trainMemory = guard(ctx, async () => {
    const a = parseIntField(stepsIn.value, t({ zh: '训练步数', en: 'steps' }), 1, 20000);
    const b = parseIntField(maxDIn.value, t({ zh: '最长距离', en: 'longest d' }), 0, 60);
    if ('error' in a || 'error' in b) {
      memStatus.textContent = '';
      ctx.showError(['error' in a ? a.error : '', 'error' in b ? b.error : ''].filter(Boolean).join('\n'));
      return;
    }
    memSteps = a.value;
    maxD = b.value;
    ctx.setParam('msteps', String(memSteps));
    ctx.setParam('maxd', String(maxD));
    memLoss.rnn = [];
    memLoss.lstm = [];
    trainMemBtn.disabled = true;
    try {
      const res = await client!.call<{ kind: string; steps: number; distances: number[]; accuracy: number[] }[]>('train-memory', { steps: memSteps, maxDistance: maxD });
      memStatus.textContent = res.map((r) => `${LABEL[r.kind]}: ${r.steps} ${t({ zh: '步；准确率', en: 'steps; accuracy' })} ${r.distances.map((d, i) => `d=${d} ${(r.accuracy[i] * 100).toFixed(0)}%`).join(', ')}`).join(' · ');
      memStatus.setAttribute('data-done', 'true');
    } finally {
      trainMemBtn.disabled = false;
    }
    await showStory();
  });
  trainMemBtn.addEventListener('click', trainMemory);
  stopBtn.addEventListener('click', () => client?.send('stop'));
  dIn.addEventListener('input', () => {
    distance = Number(dIn.value);
    dOut.textContent = String(distance);
    if (timer) clearTimeout(timer);
    timer = setTimeout(showStory, 120);
  });
  anotherBtn.addEventListener('click', () => {
    storySeed = (storySeed + 1) % 1_000_000;
    showStory();
  });

  showStory();
  void (async () => {
    try {
      const r = await client!.call<{ results: { kind: string; steps: number; seconds: number; validPerplexity: number; reason: string }[]; vocab: number; backend: string }>('train-lm', { epochs });
      lmReady = true;
      lmStatus.textContent = r.results.map((x) => `${LABEL[x.kind]}: ${x.steps} ${t({ zh: '步', en: 'steps' })}, ${x.seconds.toFixed(1)} s, ${t({ zh: '验证困惑度', en: 'held-out perplexity' })} ${x.validPerplexity.toFixed(2)}`).join(' · ') + ` · ${t({ zh: '词表', en: 'vocabulary' })} ${r.vocab} · ${r.backend}`;
      lmStatus.setAttribute('data-done', 'true');
      await predict();
      if (ctx.params.get('mtrain') !== '0') await trainMemory();
    } catch (e) {
      if ((e as Error).message !== 'stopped') ctx.showError((e as Error).message);
    }
  })();
}

const page: Page = {
  id: '03-rnn-lstm',
  title: { zh: 'RNN 与 LSTM', en: 'RNN vs LSTM' },
  mount,
  unmount() {
    if (timer) clearTimeout(timer);
    client?.terminate();
    client = null;
  },
};
export default page;
