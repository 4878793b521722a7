/**
 * Chapter 2, Iris: the 150 flowers on two chosen features, the decision regions of the chosen
 * classifier (KNN by default), the K nearest neighbours of a clicked point or a typed flower with
 * their distances and votes, the cross-validated accuracy, and the reader's own CSV — checked as
 * `llmcore iris --csv` checks it. The classifiers run in a worker (web/src/workers/iris.ts).
 */
import { IRIS_FEATURES_ZH, IRIS_SPECIES_ZH, loadIris } from '../../../src/data/iris.js';
import { labelledDataset, MAX_CSV_BYTES, parseCsv, type CsvTable } from '../../../src/data/csv.js';
import { el, errorMessage, guard, svg, t, type Page, type PageContext } from '../page.js';
import type { IrisArch, IrisMetric, IrisReply, IrisRequest } from '../workers/iris.js';

const ARCHS: readonly IrisArch[] = ['knn', 'logistic', 'svm', 'tree', 'forest'];
const ARCH_NAMES: Record<IrisArch, { zh: string; en: string }> = {
  knn: { zh: 'K 近邻 (KNN)', en: 'K nearest neighbours (KNN)' },
  logistic: { zh: '逻辑回归', en: 'logistic regression' },
  svm: { zh: '支持向量机 (RBF 核)', en: 'SVM (RBF kernel)' },
  tree: { zh: '决策树', en: 'decision tree' },
  forest: { zh: '随机森林（100 棵树）', en: 'random forest (100 trees)' },
};
const METRICS: readonly IrisMetric[] = ['euclidean', 'manhattan'];
const PALETTE = ['#e4572e', '#2e86ab', '#59a14f', '#b07aa1', '#f2a541', '#76b7b2', '#9c755f', '#edc948', '#ff9da7', '#bab0ac'];
const W = 560;
const H = 420;
const M = { left: 44, right: 10, top: 10, bottom: 34 };
const GRID_W = 72;
const GRID_H = 54;
/** Past this many samples, cross-validation (n fits for leave-one-out) would keep the worker busy for long. */
const MAX_SCORE_SAMPLES = 3000;
/** Classes past the palette share its colours; past this many a plot is unreadable anyway. */
const MAX_CLASSES = 50;

interface Data {
  x: number[][];
  y: number[];
  features: string[];
  featuresZh?: string[];
  classes: string[];
  classesZh?: string[];
  name: string;
}

function irisData(): Data {
  return { ...loadIris(), featuresZh: [...IRIS_FEATURES_ZH], classesZh: [...IRIS_SPECIES_ZH], name: 'Iris (Fisher 1936)' };
}

const clip = (s: string, n = 40): string => (s.length > n ? s.slice(0, n) + '…' : s);

/** A number typed by the reader: finite, or an error naming the field. */
export function parseMeasurement(text: string, field: string): number {
  const s = text.trim();
  const v = s === '' ? NaN : Number(s);
  if (!Number.isFinite(v)) throw new Error(s === '' ? `${field}: empty; type a number` : `${field} must be a finite number, got '${clip(s)}'`);
  return v;
}

/** k from the URL or the input: an integer from 1 to max. */
export function parseK(text: string | null, max: number): number {
  if (text === null || text.trim() === '') return Math.min(5, max);
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`k must be an integer from 1 to ${max}, got '${clip(text)}'`);
  return v;
}

/**
 * An uploaded CSV as `llmcore iris --csv FILE --label COLUMN [--no-header]` reads it: the size
 * limit, csv-parse with ragged rows refused, the label column (with the hint for a file whose first
 * line is data), every other column numeric.
 */
export function readUploadedCsv(text: string, name: string, byteSize: number, label: string | null, header: boolean): { data: Data; table: CsvTable } {
  if (byteSize > MAX_CSV_BYTES) throw new Error(`${name} is ${(byteSize / 2 ** 20).toFixed(1)} MiB; at most ${(MAX_CSV_BYTES / 2 ** 20).toFixed(0)} MiB is read, because the whole table is parsed in memory`);
  if (text.includes('\0')) throw new Error(`${name}: not a CSV file (it contains binary data)`);
  const table = parseCsv(text, name, { header });
  const column = label ?? table.header[table.header.length - 1];
  // the CLI's hint for a file without a header row (UCI's iris.data): there it fires when --label is
  // not a column; here the class column defaults to the last, so a numeric name is the sign unless
  // the reader picked that column on purpose
  if (header && (label === null || !table.header.includes(column)) && table.header.some((h) => h !== '' && Number.isFinite(Number(h)))) {
    throw new Error(`${name}: the first line looks like data (columns: ${clip(table.header.join(', '), 120)}): if the file has no header row, untick "header row"`);
  }
  const d = labelledDataset(table, column, name);
  if (d.x.length < 2) throw new Error(`${name}: ${d.x.length} data row; at least 2 are needed`);
  if (d.classes.length > MAX_CLASSES) throw new Error(`${name}: column '${column}' has ${d.classes.length} distinct values; a class column has at most ${MAX_CLASSES} (is '${column}' the label?)`);
  return { data: { ...d, name }, table };
}

/** Ticks at 1, 2 or 5 times a power of ten, about five across [lo, hi]. */
function ticks(lo: number, hi: number): number[] {
  const raw = (hi - lo) / 5;
  if (!(raw > 0) || !Number.isFinite(raw)) return [lo];
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function hexToRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** A worker that answers requests in order; a newer request of a kind makes older replies stale. */
class ClassifierWorker {
  private worker: Worker | null = null;
  private next = 1;
  private pending = new Map<number, (r: IrisReply) => void>();

  constructor(private readonly url: string, private readonly onError: (m: string) => void) {}

  private start(): Worker {
    const w = new Worker(this.url, { type: 'module' });
    w.onmessage = (ev: MessageEvent<IrisReply>) => {
      const done = this.pending.get(ev.data.id);
      this.pending.delete(ev.data.id);
      done?.(ev.data);
    };
    w.onerror = (ev) => {
      ev.preventDefault();
      this.onError(`the classifier worker failed: ${ev.message || 'could not start'}`);
    };
    return w;
  }

  /** Sends a request; `restart` first stops a busy worker (a long cross-validation no one waits for). */
  ask(req: IrisRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never, restart = false): Promise<IrisReply> {
    if (restart && this.worker && this.pending.size > 0) this.stop();
    this.worker ??= this.start();
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker!.postMessage({ ...req, id } as IrisRequest);
    });
  }

  stop(): void {
    this.worker?.terminate();
    this.worker = null;
    this.pending.clear();
  }
}

let cleanup: () => void = () => {};

const page: Page = {
  id: '02-iris',
  title: { zh: '2 · 鸢尾花与 KNN', en: '2 · Iris and KNN' },
  mount(root: HTMLElement, ctx: PageContext): Promise<void> {
    let data = irisData();
    let uploaded = false;
    let arch: IrisArch = 'knn';
    let metric: IrisMetric = 'euclidean';
    let k = 5;
    let fx = 2;
    let fy = 3;
    /** The current query: a clicked point (the two plotted features) or a typed sample (all of them). */
    let query: { kind: 'point'; v: [number, number] } | { kind: 'sample'; v: number[] } | null = null;
    let lastTable: CsvTable | null = null;
    let lastFile: { text: string; name: string; size: number } | null = null;

    const fname = (i: number): string => (ctx.lang === 'zh' && data.featuresZh ? `${data.featuresZh[i]} ${data.features[i]}` : data.features[i]);
    const cname = (c: number): string => (ctx.lang === 'zh' && data.classesZh ? `${data.classesZh[c]} ${data.classes[c]}` : data.classes[c]);
    const color = (c: number): string => PALETTE[c % PALETTE.length];
    const maxK = (): number => Math.max(1, Math.min(50, data.x.length - 1));

    // ---- URL state (Iris only: an uploaded file stays in this browser)
    const p = ctx.params;
    const fail = (e: unknown): void => ctx.showError(errorMessage(e));
    // every bad URL parameter is named at once, not only the last
    const problems: string[] = [];
    const bad = (e: unknown): void => { problems.push(errorMessage(e)); };
    try {
      const a = p.get('arch');
      if (a !== null) {
        if (!ARCHS.includes(a as IrisArch)) throw new Error(`arch must be one of ${ARCHS.join(', ')}, got '${clip(a)}'`);
        arch = a as IrisArch;
      }
    } catch (e) { bad(e); }
    try {
      const m = p.get('metric');
      if (m !== null) {
        if (!METRICS.includes(m as IrisMetric)) throw new Error(`metric must be one of ${METRICS.join(', ')}, got '${clip(m)}'`);
        metric = m as IrisMetric;
      }
    } catch (e) { bad(e); }
    try { k = parseK(p.get('k'), maxK()); } catch (e) { bad(e); }
    const featureParam = (key: string, fallback: number): number => {
      const s = p.get(key);
      if (s === null) return fallback;
      const byName = data.features.indexOf(s);
      if (byName >= 0) return byName;
      const i = Number(s);
      if (Number.isInteger(i) && i >= 0 && i < data.features.length) return i;
      throw new Error(`${key}: no feature '${clip(s)}' (features: ${data.features.join(', ')}, or an index 0..${data.features.length - 1})`);
    };
    try { fx = featureParam('x', 2); } catch (e) { bad(e); }
    try { fy = featureParam('y', 3); } catch (e) { bad(e); }

    // ---- layout
    const archSelect = el('select', { 'data-testid': 'arch' }, ...ARCHS.map((a) => el('option', { value: a, selected: a === arch }, t(ARCH_NAMES[a]))));
    const kInput = el('input', { type: 'number', min: 1, step: 1, value: k, 'data-testid': 'k', 'aria-label': 'k' });
    const metricSelect = el('select', { 'data-testid': 'metric' }, ...METRICS.map((m) => el('option', { value: m, selected: m === metric }, m === 'euclidean' ? t({ zh: '欧氏距离', en: 'Euclidean' }) : t({ zh: '曼哈顿距离', en: 'Manhattan' }))));
    const xSelect = el('select', { 'data-testid': 'feature-x' });
    const ySelect = el('select', { 'data-testid': 'feature-y' });
    const knnOnly = el('span', { class: 'controls', style: 'margin: 0' },
      el('label', {}, 'k', kInput), el('label', {}, t({ zh: '距离', en: 'distance' }), metricSelect));

    const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', 'data-testid': 'plot', role: 'img', 'aria-label': t({ zh: '散点图与决策区域', en: 'scatter plot with decision regions' }) });
    const regionImage = svg('image', { x: M.left, y: M.top, width: W - M.left - M.right, height: H - M.top - M.bottom, preserveAspectRatio: 'none', style: 'image-rendering: pixelated' });
    const axes = svg('g');
    const links = svg('g');
    const dots = svg('g');
    const marker = svg('g');
    chart.append(regionImage, axes, links, dots, marker);
    const legend = el('div', { class: 'controls', 'data-testid': 'legend' });

    const scoreText = el('p', { 'data-testid': 'score', class: 'mono' }, '…');
    const queryInputs = el('div', { class: 'controls', 'data-testid': 'query-inputs' });
    const classifyButton = el('button', { type: 'button', class: 'primary', 'data-testid': 'classify' }, t({ zh: '分类', en: 'Classify' }));
    const result = el('div', { 'data-testid': 'result', 'aria-live': 'polite' });
    const fileInput = el('input', { type: 'file', accept: '.csv,text/csv,text/plain', 'data-testid': 'csv' });
    const headerBox = el('input', { type: 'checkbox', checked: true, 'data-testid': 'csv-header' });
    const labelSelect = el('select', { 'data-testid': 'csv-label', disabled: true });
    const irisButton = el('button', { type: 'button', 'data-testid': 'use-iris', disabled: true }, t({ zh: '换回鸢尾花数据', en: 'Back to Iris' }));
    const dataName = el('strong', { 'data-testid': 'data-name' });

    root.append(
      el('h1', {}, t(page.title)),
      el('p', { class: 'explain' }, t({
        zh: 'KNN 没有要训练的参数：数据本身就是模型。要判断一朵新花是哪一种，就在已知的 150 朵花里找离它最近的 K 朵，让它们投票。背景的颜色是这样投票出来的“地图”：图上每一点都问一遍它的 K 个邻居。点击图中任意位置，或者输入四个测量值，就能看到被选中的邻居、它们的距离和票数。留一法准确率：每次拿出一朵花当考题，用其余 149 朵来猜它，150 次里猜对的比例。',
        en: 'KNN has no parameters to train: the data is the model. To name a new flower, find the K flowers nearest to it among the 150 known ones and let them vote. The shaded background is the map that voting draws: every spot of the plot asks its K neighbours. Click anywhere in the plot, or type four measurements, to see the neighbours chosen, their distances and their votes. Leave-one-out accuracy: take out one flower as the question, guess it from the other 149, and count how often the guess is right over all 150.',
      })),
      el('div', { class: 'controls' },
        el('label', {}, t({ zh: '分类器', en: 'classifier' }), archSelect), knnOnly,
        el('label', {}, t({ zh: '横轴', en: 'x axis' }), xSelect), el('label', {}, t({ zh: '纵轴', en: 'y axis' }), ySelect)),
      el('div', { class: 'grid' },
        el('div', { class: 'card' }, chart, legend, scoreText),
        el('div', {},
          el('div', { class: 'card' },
            el('h2', {}, t({ zh: '输入一朵花', en: 'Type a flower' })),
            queryInputs, classifyButton, result),
          el('div', { class: 'card', style: 'margin-top: 1rem' },
            el('h2', {}, t({ zh: '用你自己的数据', en: 'Your own data' })),
            el('p', {}, t({ zh: '当前数据：', en: 'Data: ' }), dataName),
            el('p', { class: 'explain' }, t({
              zh: 'CSV 文件：数值特征列加一列类别（默认最后一列），检查方式与 llmcore iris --csv 相同。数据只留在你的浏览器里。',
              en: 'A CSV file: numeric feature columns and one class column (the last by default), checked as llmcore iris --csv checks it. The data stays in your browser.',
            }), ' ', el('a', { href: ctx.assetUrl('data/iris.csv'), download: 'iris.csv' }, t({ zh: '示例 iris.csv', en: 'example iris.csv' }))),
            el('div', { class: 'controls' }, fileInput),
            el('div', { class: 'controls' }, el('label', {}, headerBox, t({ zh: '第一行是表头', en: 'header row' })), el('label', {}, t({ zh: '类别列', en: 'class column' }), labelSelect), irisButton)))));

    // ---- the workers: quick answers (regions, queries) and the slow cross-validation apart
    const workerUrl = new URL('workers/iris.js', document.baseURI).href;
    const fast = new ClassifierWorker(workerUrl, ctx.showError);
    const slow = new ClassifierWorker(workerUrl, ctx.showError);
    let generation = 0;

    const sx = (v: number, lo: number, hi: number): number => M.left + ((v - lo) / (hi - lo)) * (W - M.left - M.right);
    const sy = (v: number, lo: number, hi: number): number => H - M.bottom - ((v - lo) / (hi - lo)) * (H - M.top - M.bottom);
    let dom = { x0: 0, x1: 1, y0: 0, y1: 1 };

    function domain(): void {
      const span = (f: number): [number, number] => {
        let lo = Infinity;
        let hi = -Infinity;
        for (const r of data.x) {
          lo = Math.min(lo, r[f]);
          hi = Math.max(hi, r[f]);
        }
        const pad = (hi - lo) * 0.08 || Math.max(Math.abs(lo) * 0.1, 1);
        return [lo - pad, hi + pad];
      };
      const [x0, x1] = span(fx);
      const [y0, y1] = span(fy);
      if (![x0, x1, y0, y1].every(Number.isFinite) || !(x1 - x0 < Number.MAX_VALUE) || !(y1 - y0 < Number.MAX_VALUE)) {
        throw new Error(t({ zh: '这些数值太大，画不出来', en: 'These values are too large to plot' }));
      }
      dom = { x0, x1, y0, y1 };
    }

    function drawAxes(): void {
      const { x0, x1, y0, y1 } = dom;
      axes.replaceChildren(svg('rect', { x: M.left, y: M.top, width: W - M.left - M.right, height: H - M.top - M.bottom, fill: 'none', stroke: '#d9dee6' }));
      for (const v of ticks(x0, x1)) axes.append(svg('text', { x: sx(v, x0, x1), y: H - M.bottom + 14, 'text-anchor': 'middle' }, String(v)));
      for (const v of ticks(y0, y1)) axes.append(svg('text', { x: M.left - 5, y: sy(v, y0, y1) + 4, 'text-anchor': 'end' }, String(v)));
      axes.append(svg('text', { x: (M.left + W - M.right) / 2, y: H - 4, 'text-anchor': 'middle' }, fname(fx)));
      axes.append(svg('text', { x: 12, y: (M.top + H - M.bottom) / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${(M.top + H - M.bottom) / 2})` }, fname(fy)));
    }

    function drawDots(highlight: Set<number>): void {
      const { x0, x1, y0, y1 } = dom;
      dots.replaceChildren(...data.x.map((r, i) => svg('circle', {
        cx: sx(r[fx], x0, x1), cy: sy(r[fy], y0, y1), r: highlight.has(i) ? 6 : 4,
        fill: color(data.y[i]), stroke: highlight.has(i) ? '#111' : '#fff', 'stroke-width': highlight.has(i) ? 2 : 0.8,
        'data-i': i, ...(highlight.has(i) ? { 'data-neighbor': 'true' } : {}),
      })));
    }

    function drawLegend(): void {
      legend.replaceChildren(...data.classes.slice(0, 12).map((_, c) => el('span', {}, el('span', { style: `display:inline-block;width:.8em;height:.8em;border-radius:50%;background:${color(c)};margin-right:.3em` }), cname(c))));
      if (data.classes.length > 12) legend.append(el('span', {}, `+${data.classes.length - 12}`));
    }

    function fillSelects(): void {
      for (const [sel, cur] of [[xSelect, fx], [ySelect, fy]] as const) {
        sel.replaceChildren(...data.features.map((_, i) => el('option', { value: i, selected: i === cur }, fname(i))));
      }
      queryInputs.replaceChildren(...data.features.map((_, i) => el('label', {}, fname(i), el('input', { type: 'text', inputmode: 'decimal', 'data-feature': i, 'aria-label': data.features[i], style: 'width: 5.5em' }))));
      kInput.max = String(maxK());
      dataName.textContent = `${data.name} (${data.x.length} × ${data.features.length}, ${data.classes.length} ${t({ zh: '类', en: 'classes' })})`;
    }

    const spec = (): { arch: IrisArch; k: number; metric: IrisMetric; data: { x: number[][]; y: number[]; nClasses: number } } => ({ arch, k, metric, data: { x: data.x, y: data.y, nClasses: data.classes.length } });

    async function drawRegions(gen: number): Promise<void> {
      const reply = await fast.ask({ kind: 'regions', ...spec(), cols: [fx, fy], grid: { ...dom, w: GRID_W, h: GRID_H } });
      if (gen !== generation) return;
      if (reply.kind === 'error') throw new Error(reply.message);
      if (reply.kind !== 'regions') return;
      const canvas = document.createElement('canvas');
      canvas.width = GRID_W;
      canvas.height = GRID_H;
      const g = canvas.getContext('2d')!;
      const img = g.createImageData(GRID_W, GRID_H);
      for (let i = 0; i < reply.labels.length; i++) {
        const [r, gr, b] = hexToRgb(color(reply.labels[i]));
        img.data.set([r, gr, b, Math.round(255 * (0.1 + 0.25 * reply.confidence[i]))], i * 4);
      }
      g.putImageData(img, 0, 0);
      regionImage.setAttribute('href', canvas.toDataURL());
      chart.setAttribute('data-regions', 'ready');
    }

    async function score(gen: number): Promise<void> {
      scoreText.textContent = t({ zh: '正在计算准确率…', en: 'computing the accuracy…' });
      scoreText.removeAttribute('data-ready');
      if (data.x.length > MAX_SCORE_SAMPLES) {
        scoreText.textContent = t({ zh: `样本超过 ${MAX_SCORE_SAMPLES} 个，不在页面里做交叉验证（用 llmcore iris --csv）`, en: `Over ${MAX_SCORE_SAMPLES} samples: no cross-validation in the page (use llmcore iris --csv)` });
        return;
      }
      const reply = await slow.ask({ kind: 'score', ...spec(), cols: [fx, fy] }, true);
      if (gen !== generation) return;
      if (reply.kind === 'error') {
        scoreText.textContent = reply.message;
        return;
      }
      if (reply.kind !== 'score') return;
      const pct = (v: number): string => `${(100 * v).toFixed(2)}%`;
      scoreText.textContent = reply.what === 'loo'
        ? t({ zh: `留一法准确率（k = ${k}）：全部 ${data.features.length} 个特征 ${pct(reply.all)}，只用图上两个特征 ${pct(reply.pair ?? NaN)}`, en: `Leave-one-out accuracy (k = ${k}): all ${data.features.length} features ${pct(reply.all)}, the two plotted ${pct(reply.pair ?? NaN)}` })
        : t({ zh: `10 折分层交叉验证准确率（全部特征）：${pct(reply.all)}`, en: `10-fold stratified cross-validation accuracy (all features): ${pct(reply.all)}` });
      scoreText.setAttribute('data-ready', 'true');
      scoreText.setAttribute('data-accuracy', String(reply.all));
    }

    async function classify(gen: number): Promise<void> {
      links.replaceChildren();
      marker.replaceChildren();
      if (!query) {
        result.replaceChildren(el('p', { class: 'explain' }, t({ zh: '点击图中任意位置，或输入测量值后点“分类”。', en: 'Click anywhere in the plot, or type the measurements and press Classify.' })));
        drawDots(new Set());
        return;
      }
      const cols = query.kind === 'point' ? [fx, fy] : data.features.map((_, i) => i);
      const reply = await fast.ask({ kind: 'query', ...spec(), cols, q: query.v });
      if (gen !== generation) return;
      if (reply.kind === 'error') throw new Error(reply.message);
      if (reply.kind !== 'query') return;
      const { x0, x1, y0, y1 } = dom;
      const qx = query.kind === 'point' ? query.v[0] : query.v[fx];
      const qy = query.kind === 'point' ? query.v[1] : query.v[fy];
      const px = sx(qx, x0, x1);
      const py = sy(qy, y0, y1);
      const nb = reply.neighbors;
      drawDots(new Set(nb?.indices ?? []));
      if (nb) {
        for (const i of nb.indices) links.append(svg('line', { x1: px, y1: py, x2: sx(data.x[i][fx], x0, x1), y2: sy(data.x[i][fy], y0, y1), stroke: '#111', 'stroke-opacity': 0.45, 'stroke-width': 1 }));
      }
      marker.append(svg('path', { d: `M${px - 8},${py}L${px + 8},${py}M${px},${py - 8}L${px},${py + 8}`, stroke: '#111', 'stroke-width': 3 }), svg('circle', { cx: px, cy: py, r: 5, fill: color(reply.label), stroke: '#111', 'stroke-width': 2 }));
      const where = query.kind === 'point'
        ? t({ zh: `图上的点（${fname(fx)} ${qx.toFixed(2)}，${fname(fy)} ${qy.toFixed(2)}）`, en: `the point (${fname(fx)} ${qx.toFixed(2)}, ${fname(fy)} ${qy.toFixed(2)})` })
        : `[${query.v.join(', ')}]`;
      const parts: Node[] = [el('p', {}, where, ' → ', el('strong', { 'data-testid': 'predicted', style: `color:${color(reply.label)}` }, cname(reply.label)))];
      if (nb && reply.proba) {
        const feats = cols;
        // a wide table (many features) scrolls inside its card instead of widening a phone's page
        parts.push(el('div', { class: 'scroll' }, el('table', { class: 'data', 'data-testid': 'neighbors' },
          el('tr', {}, el('th', {}, '#'), el('th', {}, t({ zh: '行', en: 'row' })), el('th', {}, t({ zh: '距离', en: 'distance' })), ...feats.map((f) => el('th', {}, data.features[f])), el('th', {}, t({ zh: '类别', en: 'class' }))),
          ...nb.indices.map((i, r) => el('tr', {}, el('td', {}, r + 1), el('td', {}, i + 1), el('td', { class: 'mono' }, nb.distances[r].toFixed(4)), ...feats.map((f) => el('td', { class: 'mono' }, data.x[i][f])), el('td', {}, cname(data.y[i])))))));
        parts.push(el('p', { 'data-testid': 'votes' }, t({ zh: '票数：', en: 'votes: ' }), reply.proba.map((pr, c) => `${cname(c)} ${Math.round(pr * k)}`).join(', ')));
      }
      result.replaceChildren(...parts);
    }

    async function update(what: { regions?: boolean; score?: boolean; query?: boolean } = { regions: true, score: true, query: true }): Promise<void> {
      const gen = ++generation;
      knnOnly.style.display = arch === 'knn' ? '' : 'none';
      chart.removeAttribute('data-regions');
      domain();
      drawAxes();
      drawDots(new Set());
      const jobs: Promise<void>[] = [];
      if (what.regions !== false) jobs.push(drawRegions(gen));
      if (what.query !== false) jobs.push(classify(gen));
      // the accuracy may take seconds (logistic regression's 10 fits): the page is ready without it
      if (what.score !== false) void score(gen).catch(fail);
      await Promise.all(jobs);
    }
    const run = (what?: Parameters<typeof update>[0]): void => { void update(what).catch(fail); };

    function setData(d: Data, fromUpload: boolean): void {
      data = d;
      uploaded = fromUpload;
      fx = Math.min(fromUpload ? 0 : 2, d.features.length - 1);
      fy = Math.min(fromUpload ? 1 : 3, d.features.length - 1);
      k = Math.min(k, maxK());
      kInput.value = String(k);
      query = null;
      irisButton.disabled = !fromUpload;
      fillSelects();
      drawLegend();
      if (!fromUpload) {
        ctx.setParam('x', null);
        ctx.setParam('y', null);
      }
      ctx.setParam('q', null);
      ctx.setParam('at', null);
      run();
    }

    // ---- the typed flower and the clicked point from the URL
    fillSelects();
    drawLegend();
    try {
      const q = p.get('q');
      if (q !== null) {
        const parts = q.split(',');
        if (parts.length !== data.features.length) throw new Error(`q: needs ${data.features.length} comma-separated numbers (${data.features.join(', ')}), got ${parts.length}`);
        query = { kind: 'sample', v: parts.map((s, i) => parseMeasurement(s, `q: ${data.features[i]}`)) };
        queryInputs.querySelectorAll('input').forEach((inp, i) => { inp.value = parts[i]; });
      }
      const at = p.get('at');
      if (at !== null && q === null) {
        const parts = at.split(',');
        if (parts.length !== 2) throw new Error(`at: needs 2 comma-separated numbers (the plotted point), got ${parts.length}`);
        query = { kind: 'point', v: [parseMeasurement(parts[0], 'at: x'), parseMeasurement(parts[1], 'at: y')] };
      }
    } catch (e) {
      bad(e);
    }
    if (problems.length) ctx.showError(problems.join('\n'));

    // ---- events
    archSelect.addEventListener('change', guard(ctx, () => {
      arch = archSelect.value as IrisArch;
      ctx.setParam('arch', arch === 'knn' ? null : arch);
      run();
    }));
    kInput.addEventListener('change', guard(ctx, () => {
      try {
        k = parseK(kInput.value, maxK());
      } catch (e) {
        kInput.value = String(k);
        throw e;
      }
      ctx.setParam('k', String(k));
      run();
    }));
    metricSelect.addEventListener('change', guard(ctx, () => {
      metric = metricSelect.value as IrisMetric;
      ctx.setParam('metric', metric);
      run();
    }));
    for (const [sel, axis] of [[xSelect, 'x'], [ySelect, 'y']] as const) {
      sel.addEventListener('change', guard(ctx, () => {
        const v = Number(sel.value);
        if (axis === 'x') fx = v;
        else fy = v;
        if (!uploaded) ctx.setParam(axis, data.features[v]);
        // a clicked point belongs to the old axes
        if (query?.kind === 'point') {
          query = null;
          ctx.setParam('at', null);
        }
        run();
      }));
    }
    chart.addEventListener('click', guard(ctx, (ev: MouseEvent) => {
      const m = chart.getScreenCTM();
      if (!m) return;
      const pt = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(m.inverse());
      if (pt.x < M.left || pt.x > W - M.right || pt.y < M.top || pt.y > H - M.bottom) return;
      const { x0, x1, y0, y1 } = dom;
      const vx = Number((x0 + ((pt.x - M.left) / (W - M.left - M.right)) * (x1 - x0)).toPrecision(4));
      const vy = Number((y0 + ((H - M.bottom - pt.y) / (H - M.top - M.bottom)) * (y1 - y0)).toPrecision(4));
      query = { kind: 'point', v: [vx, vy] };
      ctx.setParam('q', null);
      if (!uploaded) ctx.setParam('at', `${vx},${vy}`);
      run({ regions: false, score: false });
    }));
    classifyButton.addEventListener('click', guard(ctx, () => {
      const inputs = [...queryInputs.querySelectorAll('input')];
      const v = inputs.map((inp, i) => parseMeasurement(inp.value, fname(i)));
      query = { kind: 'sample', v };
      ctx.setParam('at', null);
      if (!uploaded) ctx.setParam('q', v.join(','));
      run({ regions: false, score: false });
    }));
    queryInputs.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') classifyButton.click(); });

    const loadFile = (): void => {
      if (!lastFile) return;
      const label = labelSelect.disabled || !lastTable || labelSelect.value === '' ? null : labelSelect.value;
      let parsed;
      try {
        parsed = readUploadedCsv(lastFile.text, lastFile.name, lastFile.size, label, headerBox.checked);
      } catch (e) {
        // the columns are still worth offering: the reader may only need to pick the class column
        try {
          lastTable = parseCsv(lastFile.text, lastFile.name, { header: headerBox.checked });
          labelSelect.replaceChildren(...lastTable.header.map((h) => el('option', { value: h, selected: h === label }, h)));
          labelSelect.disabled = false;
        } catch { /* not even a table: the message says why */ }
        throw e;
      }
      lastTable = parsed.table;
      const chosen = label ?? parsed.table.header[parsed.table.header.length - 1];
      labelSelect.replaceChildren(...parsed.table.header.map((h) => el('option', { value: h, selected: h === chosen }, h)));
      labelSelect.disabled = false;
      setData(parsed.data, true);
    };
    fileInput.addEventListener('change', guard(ctx, async () => {
      const file = fileInput.files?.[0];
      if (!file) return;
      if (file.size > MAX_CSV_BYTES) throw new Error(`${file.name} is ${(file.size / 2 ** 20).toFixed(1)} MiB; at most ${(MAX_CSV_BYTES / 2 ** 20).toFixed(0)} MiB is read, because the whole table is parsed in memory`);
      lastFile = { text: await file.text(), name: file.name, size: file.size };
      lastTable = null;
      labelSelect.disabled = true;
      labelSelect.replaceChildren();
      loadFile();
    }));
    headerBox.addEventListener('change', guard(ctx, () => {
      labelSelect.disabled = true;
      loadFile();
    }));
    labelSelect.addEventListener('change', guard(ctx, loadFile));
    irisButton.addEventListener('click', guard(ctx, () => {
      lastFile = null;
      lastTable = null;
      fileInput.value = '';
      labelSelect.replaceChildren();
      labelSelect.disabled = true;
      setData(irisData(), false);
    }));

    cleanup = () => {
      generation++;
      fast.stop();
      slow.stop();
    };
    return update().catch(fail);
  },
  unmount(): void {
    cleanup();
  },
};

export default page;
