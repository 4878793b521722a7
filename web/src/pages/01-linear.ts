/**
 * Chapter 1, y = ax + b: gradient descent moving a line through points the reader places, with the
 * engine's own tensors, autograd and SGD (the code of `llmcore linear`), one step per animation frame.
 */
import { leastSquares, LineModel, makeLinePoints, type LinePoints } from '../../../src/classic/linear-regression.js';
import { tensor } from '../../../src/tensor/create.js';
import { mseLoss } from '../../../src/ops/nn.js';
import { noGrad } from '../../../src/autograd/grad-mode.js';
import { SGD } from '../../../src/optim/sgd.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { el, errorMessage, guard, svg, t, type Page, type PageContext } from '../page.js';

/** The chart's data window: the generated line y = 3x + 5 (as `llmcore linear`) with room around it. */
const X_RANGE = [0, 10] as const;
const Y_RANGE = [-5, 45] as const;
const W = 600;
const H = 400;
const M = { left: 36, right: 10, top: 10, bottom: 26 };
const MAX_POINTS = 500;
const DEFAULT_LR = 0.1;
const LR_MIN = 0.001;
const LR_MAX = 2;
const DEFAULT_SEED = 0;
const DEFAULT_POINTS = 20;
/** Loss history kept for the curve. */
const HISTORY = 300;

const sx = (x: number): number => M.left + ((x - X_RANGE[0]) / (X_RANGE[1] - X_RANGE[0])) * (W - M.left - M.right);
const sy = (y: number): number => H - M.bottom - ((y - Y_RANGE[0]) / (Y_RANGE[1] - Y_RANGE[0])) * (H - M.top - M.bottom);
const ix = (px: number): number => X_RANGE[0] + ((px - M.left) / (W - M.left - M.right)) * (X_RANGE[1] - X_RANGE[0]);
const iy = (py: number): number => Y_RANGE[0] + ((H - M.bottom - py) / (H - M.top - M.bottom)) * (Y_RANGE[1] - Y_RANGE[0]);
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Parses the `lr` URL parameter: a number in [LR_MIN, LR_MAX]. */
export function parseLr(s: string | null): number {
  if (s === null || s.trim() === '') return DEFAULT_LR;
  const v = Number(s);
  if (!Number.isFinite(v) || v < LR_MIN || v > LR_MAX) throw new Error(`lr: expected a number from ${LR_MIN} to ${LR_MAX}, got '${s.slice(0, 40)}'`);
  return v;
}

/** Parses the `seed` URL parameter: a non-negative integer. */
export function parseSeed(s: string | null): number {
  if (s === null || s.trim() === '') return DEFAULT_SEED;
  const v = Number(s);
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`seed: expected an integer >= 0, got '${s.slice(0, 40)}'`);
  return v;
}

/** Parses the `pts` URL parameter, `x,y;x,y;...` inside the chart's window (the reader's own points). */
export function parsePoints(s: string): LinePoints {
  const pairs = s.split(';').filter((p) => p !== '');
  if (pairs.length > MAX_POINTS) throw new Error(`pts: at most ${MAX_POINTS} points, got ${pairs.length}`);
  const x: number[] = [];
  const y: number[] = [];
  for (const p of pairs) {
    const [a, b, extra] = p.split(',');
    const xv = Number(a);
    const yv = Number(b);
    if (extra !== undefined || a === undefined || b === undefined || a.trim() === '' || b.trim() === '' || !Number.isFinite(xv) || !Number.isFinite(yv)) {
      throw new Error(`pts: expected x,y pairs separated by ';', got '${p.slice(0, 40)}'`);
    }
    if (xv < X_RANGE[0] || xv > X_RANGE[1] || yv < Y_RANGE[0] || yv > Y_RANGE[1]) throw new Error(`pts: the point ${p.slice(0, 40)} is outside the chart (x ${X_RANGE[0]}..${X_RANGE[1]}, y ${Y_RANGE[0]}..${Y_RANGE[1]})`);
    x.push(xv);
    y.push(yv);
  }
  return { x, y };
}

function seededPoints(seed: number): LinePoints {
  const p = makeLinePoints({ a: 3, b: 5, noise: 2, points: DEFAULT_POINTS, seed });
  return { x: p.x, y: p.y.map((v) => clamp(v, Y_RANGE[0], Y_RANGE[1])) };
}

/**
 * Gradient descent that can be stepped one update at a time while the points change. As in
 * fitLine, x is standardized inside (z = (x − μ)/σ) so one learning rate suits the data; when the
 * points change, the line (a, b in the data's units) is kept and re-expressed for the new μ, σ.
 */
class LiveFit {
  readonly model = new LineModel();
  readonly opt: SGD;
  private z: Tensor | null = null;
  private target: Tensor | null = null;
  private mu = 0;
  private sigma = 1;
  step = 0;
  /** The loss when the run (or the points) last changed: growth past it is divergence. */
  baseline = NaN;
  stepsSinceBaseline = 0;

  constructor(lr: number) {
    this.opt = new SGD(this.model.parameters(), { lr });
  }

  /** Whether there are points enough to define a line. */
  get ready(): boolean {
    return this.z !== null;
  }

  set lr(v: number) {
    this.opt.paramGroups[0].lr = v;
  }

  /** a and b in the data's units. */
  line(): { a: number; b: number } {
    const a = this.model.a.item() / this.sigma;
    return { a, b: this.model.b.item() - a * this.mu };
  }

  private setLine(a: number, b: number): void {
    this.model.a.data[0] = a * this.sigma;
    this.model.b.data[0] = b + a * this.mu;
  }

  /** Takes new points, keeping the current line; false when they cannot define a slope. */
  setPoints(p: LinePoints): boolean {
    const { a, b } = this.line();
    const n = p.x.length;
    if (n < 2) {
      this.z = this.target = null;
      return false;
    }
    const mu = p.x.reduce((s, v) => s + v, 0) / n;
    const sigma = Math.sqrt(p.x.reduce((s, v) => s + (v - mu) ** 2, 0) / n);
    if (!(sigma > 0)) {
      this.z = this.target = null;
      return false;
    }
    this.mu = mu;
    this.sigma = sigma;
    this.setLine(Number.isFinite(a) ? a : 0, Number.isFinite(b) ? b : 0);
    this.z = tensor(p.x.map((v) => (v - mu) / sigma));
    this.target = tensor(p.y);
    this.baseline = this.loss();
    this.stepsSinceBaseline = 0;
    return true;
  }

  reset(): void {
    this.model.a.data[0] = 0;
    this.model.b.data[0] = 0;
    this.step = 0;
    this.baseline = this.z ? this.loss() : NaN;
    this.stepsSinceBaseline = 0;
  }

  loss(): number {
    if (!this.z || !this.target) return NaN;
    const z = this.z;
    const target = this.target;
    return noGrad(() => mseLoss(this.model.forward(z), target).item());
  }

  /** One gradient-descent update; returns the loss after it. */
  advance(): number {
    if (!this.z || !this.target) return NaN;
    this.model.zeroGrad();
    const loss = mseLoss(this.model.forward(this.z), this.target);
    loss.backward();
    this.opt.step();
    this.step++;
    this.stepsSinceBaseline++;
    return this.loss();
  }

  /**
   * With standardized x the loss's curvature is 2 in both directions, so lr < 1 lowers it at every
   * step and lr >= 1 never converges: a loss that is not finite, or not below where it started after
   * a few dozen steps, is divergence (the same rule as `llmcore linear`).
   */
  diverged(loss: number): boolean {
    if (!Number.isFinite(loss) || !Number.isFinite(this.model.a.item()) || !Number.isFinite(this.model.b.item())) return true;
    if (!(this.baseline > 1e-9)) return false;
    return loss > 1e3 * this.baseline || (this.stepsSinceBaseline >= 30 && loss >= this.baseline);
  }
}

const fmt = (v: number, d = 3): string => (Number.isFinite(v) ? v.toFixed(d) : String(v));

const page: Page = {
  id: '01-linear',
  title: { zh: '1 · 直线 y = ax + b', en: '1 · The line y = ax + b' },
  mount(root: HTMLElement, ctx: PageContext): void {
    let lr = DEFAULT_LR;
    let seed = DEFAULT_SEED;
    let points: LinePoints;
    // every bad URL parameter is named at once, not only the last
    const problems: string[] = [];
    try {
      lr = parseLr(ctx.params.get('lr'));
    } catch (e) {
      problems.push(errorMessage(e));
    }
    try {
      seed = parseSeed(ctx.params.get('seed'));
    } catch (e) {
      problems.push(errorMessage(e));
    }
    points = seededPoints(seed);
    const pts = ctx.params.get('pts');
    if (pts !== null) {
      try {
        points = parsePoints(pts);
      } catch (e) {
        problems.push(errorMessage(e));
      }
    }

    if (problems.length) ctx.showError(problems.join('\n'));

    const fit = new LiveFit(lr);
    let running = true;
    let frame = 0;
    let losses: number[] = [];
    let diverged = false;

    // ---- layout
    const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', 'data-testid': 'plot', role: 'img', 'aria-label': t({ zh: '数据点与直线', en: 'points and the line' }) });
    const axes = svg('g');
    const lsLine = svg('line', { stroke: '#999', 'stroke-width': 2, 'stroke-dasharray': '6 4' });
    const gdLine = svg('line', { stroke: 'var(--accent)', 'stroke-width': 3 });
    const dots = svg('g');
    chart.append(axes, lsLine, gdLine, dots);
    for (let x = X_RANGE[0]; x <= X_RANGE[1]; x += 2) {
      axes.append(svg('line', { x1: sx(x), x2: sx(x), y1: sy(Y_RANGE[0]), y2: sy(Y_RANGE[1]), stroke: '#eef0f3' }), svg('text', { x: sx(x), y: H - 8, 'text-anchor': 'middle' }, String(x)));
    }
    for (let y = 0; y <= Y_RANGE[1]; y += 10) {
      axes.append(svg('line', { x1: sx(X_RANGE[0]), x2: sx(X_RANGE[1]), y1: sy(y), y2: sy(y), stroke: '#eef0f3' }), svg('text', { x: M.left - 6, y: sy(y) + 4, 'text-anchor': 'end' }, String(y)));
    }

    const lossChart = svg('svg', { viewBox: '0 0 300 120', class: 'chart', 'data-testid': 'loss-chart', role: 'img', 'aria-label': t({ zh: '损失曲线', en: 'loss curve' }) });
    const lossPath = svg('path', { fill: 'none', stroke: 'var(--accent)', 'stroke-width': 2 });
    const lossLabel = svg('text', { x: 296, y: 12, 'text-anchor': 'end' }, '');
    lossChart.append(svg('rect', { x: 0, y: 0, width: 300, height: 120, fill: '#fbfcfd', stroke: '#eef0f3' }), lossPath, lossLabel);

    const vals = {
      a: el('td', { class: 'mono', 'data-testid': 'a' }), b: el('td', { class: 'mono', 'data-testid': 'b' }),
      lsA: el('td', { class: 'mono', 'data-testid': 'ls-a' }), lsB: el('td', { class: 'mono', 'data-testid': 'ls-b' }),
      loss: el('td', { class: 'mono', 'data-testid': 'loss' }), lsLoss: el('td', { class: 'mono', 'data-testid': 'ls-loss' }),
      step: el('span', { class: 'mono', 'data-testid': 'step' }), n: el('span', { class: 'mono', 'data-testid': 'n' }),
    };
    const table = el('table', { class: 'data' },
      el('tr', {}, el('th', {}, ''), el('th', {}, t({ zh: '梯度下降', en: 'gradient descent' })), el('th', {}, t({ zh: '最小二乘', en: 'least squares' }))),
      el('tr', {}, el('th', {}, 'a'), vals.a, vals.lsA),
      el('tr', {}, el('th', {}, 'b'), vals.b, vals.lsB),
      el('tr', {}, el('th', {}, t({ zh: '损失 (MSE)', en: 'loss (MSE)' })), vals.loss, vals.lsLoss));

    const lrInput = el('input', { type: 'range', min: Math.log10(LR_MIN), max: Math.log10(LR_MAX), step: 0.01, value: Math.log10(lr), 'data-testid': 'lr', 'aria-label': t({ zh: '学习率', en: 'learning rate' }) });
    const lrText = el('span', { class: 'mono', 'data-testid': 'lr-value' }, fmt(lr, 3));
    const playButton = el('button', { type: 'button', 'data-testid': 'play' });
    const resetButton = el('button', { type: 'button', 'data-testid': 'reset' }, t({ zh: '重置 a = b = 0', en: 'Reset a = b = 0' }));
    const newButton = el('button', { type: 'button', 'data-testid': 'new-points' }, t({ zh: '换一组点', en: 'New points' }));
    const clearButton = el('button', { type: 'button', 'data-testid': 'clear' }, t({ zh: '清空', en: 'Clear' }));
    const divergeReset = el('button', { type: 'button', class: 'primary', 'data-testid': 'diverge-reset' }, t({ zh: '重置并把学习率设为 0.1', en: 'Reset with lr 0.1' }));
    const divergeText = el('span', {});
    const divergeNote = el('div', { class: 'note', hidden: true, 'data-testid': 'diverged', role: 'status' }, divergeText, ' ', divergeReset);
    const pointsNote = el('div', { class: 'note', hidden: true, 'data-testid': 'points-note' });

    root.append(
      el('h1', {}, t(page.title)),
      el('p', { class: 'explain' }, t({
        zh: '一条直线只有两个数：斜率 a 和截距 b。模型先猜 a = b = 0，然后反复做同一件事：算出直线离这些点有多远（均方误差），再沿着让误差变小最快的方向（梯度）把 a 和 b 挪一小步。步子的大小就是学习率。点击空白处加一个点，拖动点来移动它，双击点删除它：直线会跟着重新学。虚线是最小二乘的一步公式解，梯度下降应该走到同一个地方。',
        en: 'A line is just two numbers: the slope a and the intercept b. The model starts at a = b = 0 and repeats one move: measure how far the line is from the points (the mean squared error), then nudge a and b a little in the direction that lowers that error fastest (the gradient). The size of the nudge is the learning rate. Click an empty spot to add a point, drag a point to move it, double-click it to remove it: the line keeps learning. The dashed line is the least-squares answer in closed form; gradient descent should arrive at the same place.',
      })),
      el('div', { class: 'grid' },
        el('div', { class: 'card' }, chart, el('div', { class: 'controls' }, playButton, resetButton, newButton, clearButton)),
        el('div', {},
          el('div', { class: 'card' },
            el('div', { class: 'controls' }, el('label', {}, t({ zh: '学习率', en: 'learning rate' }), lrInput, lrText)),
            divergeNote, pointsNote,
            table,
            el('p', {}, t({ zh: '步数 ', en: 'step ' }), vals.step, ' · ', t({ zh: '点数 ', en: 'points ' }), vals.n),
            el('h2', {}, t({ zh: '损失曲线（对数坐标）', en: 'Loss curve (log scale)' })), lossChart),
          el('p', { class: 'explain' }, t({
            zh: '试试把学习率拉到 1 以上：每一步都跨过了谷底，而且越跨越远，误差爆炸——这就是发散。',
            en: 'Try a learning rate above 1: every step jumps past the bottom of the valley, each time further, and the error explodes. That is divergence.',
          })))));

    // ---- drawing
    function drawPoints(): void {
      dots.replaceChildren(...points.x.map((x, i) => svg('circle', { cx: sx(x), cy: sy(points.y[i]), r: 7, fill: 'var(--c0)', 'fill-opacity': 0.85, stroke: '#fff', 'stroke-width': 1.5, 'data-i': i, style: 'cursor: grab' })));
    }
    function setLine(elm: SVGLineElement, a: number, b: number): void {
      const ok = Number.isFinite(a) && Number.isFinite(b);
      elm.style.display = ok ? '' : 'none';
      if (!ok) return;
      // drawn across the window; clamped so a steep or diverging line stays a valid SVG
      const y0 = clamp(a * X_RANGE[0] + b, -1e4, 1e4);
      const y1 = clamp(a * X_RANGE[1] + b, -1e4, 1e4);
      elm.setAttribute('x1', String(sx(X_RANGE[0])));
      elm.setAttribute('x2', String(sx(X_RANGE[1])));
      elm.setAttribute('y1', String(sy(y0)));
      elm.setAttribute('y2', String(sy(y1)));
    }
    function drawLoss(): void {
      const finite = losses.filter((v) => Number.isFinite(v) && v > 0);
      if (finite.length < 2) {
        lossPath.setAttribute('d', '');
        lossLabel.textContent = '';
        return;
      }
      const lo = Math.log10(Math.min(...finite));
      const hi = Math.log10(Math.max(...finite));
      const span = hi - lo || 1;
      const d = losses.map((v, i) => {
        const x = (i / Math.max(1, HISTORY - 1)) * 300;
        const y = 115 - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / span) * 105;
        return `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${(Number.isFinite(y) ? clamp(y, 0, 120) : 0).toFixed(1)}`;
      }).join('');
      lossPath.setAttribute('d', d);
      lossLabel.textContent = `${fmt(losses[losses.length - 1], 4)}`;
    }
    let ls: { a: number; b: number } | null = null;
    function lsLoss(): number {
      if (!ls) return NaN;
      const { a, b } = ls;
      return points.x.reduce((s, x, i) => s + (a * x + b - points.y[i]) ** 2, 0) / points.x.length;
    }
    function pointsChanged(save: boolean): void {
      drawPoints();
      vals.n.textContent = String(points.x.length);
      const ok = fit.setPoints(points);
      ls = null;
      if (ok) {
        try {
          ls = leastSquares(points);
        } catch { /* equal x: handled by ok */ }
      }
      pointsNote.hidden = ok;
      pointsNote.textContent = ok ? '' : t({ zh: '至少需要两个 x 不同的点，直线才确定。点击图中空白处加点。', en: 'A line needs at least two points with different x. Click an empty spot in the chart to add points.' });
      if (ls) setLine(lsLine, ls.a, ls.b);
      lsLine.style.display = ls ? '' : 'none';
      vals.lsA.textContent = ls ? fmt(ls.a) : '–';
      vals.lsB.textContent = ls ? fmt(ls.b) : '–';
      vals.lsLoss.textContent = ls ? fmt(lsLoss(), 4) : '–';
      if (save) ctx.setParam('pts', points.x.map((x, i) => `${x.toFixed(2)},${points.y[i].toFixed(2)}`).join(';'));
      render(fit.loss());
    }
    function render(loss: number): void {
      const { a, b } = fit.line();
      setLine(gdLine, a, b);
      vals.a.textContent = fmt(a);
      vals.b.textContent = fmt(b);
      vals.loss.textContent = fmt(loss, 4);
      vals.step.textContent = String(fit.step);
      drawLoss();
    }
    function setRunning(r: boolean): void {
      running = r;
      playButton.textContent = r ? t({ zh: '暂停', en: 'Pause' }) : t({ zh: '继续', en: 'Run' });
      if (r && !frame) frame = requestAnimationFrame(tick);
    }
    function showDivergence(loss: number): void {
      diverged = true;
      setRunning(false);
      divergeText.textContent = t({
        zh: `发散了：第 ${fit.step} 步损失是 ${fmt(loss, 1)}，学习率 ${fmt(lr)} 太大（x 已标准化，学习率小于 1 才会收敛）。`,
        en: `Diverged: the loss is ${fmt(loss, 1)} at step ${fit.step}; learning rate ${fmt(lr)} is too large (x is standardized, so a rate below 1 converges).`,
      });
      divergeNote.hidden = false;
    }
    function restart(): void {
      diverged = false;
      divergeNote.hidden = true;
      fit.reset();
      losses = [];
      render(fit.loss());
      setRunning(true);
    }

    // ---- the loop: one engine step per frame, so the reader sees every update
    const tick = guard(ctx, () => {
      frame = 0;
      if (!running) return;
      // no line to fit (fewer than two distinct x): wait for points; adding one restarts the loop
      if (!fit.ready) return;
      const loss = fit.advance();
      if (Number.isFinite(loss) || losses.length) {
        losses.push(loss);
        if (losses.length > HISTORY) losses = losses.slice(-HISTORY);
      }
      render(loss);
      if (fit.diverged(loss)) {
        showDivergence(loss);
        return;
      }
      // converged (float32 cannot move it further): rest until the points or the rate change
      const prev = losses.length > 1 ? losses[losses.length - 2] : NaN;
      if (fit.stepsSinceBaseline > 50 && Math.abs(prev - loss) <= 1e-7 * Math.max(loss, 1e-12)) {
        setRunning(false);
        return;
      }
      frame = requestAnimationFrame(tick);
    });

    // ---- pointer: add, drag, remove
    const toData = (ev: PointerEvent | MouseEvent): { x: number; y: number } => {
      const m = chart.getScreenCTM();
      if (!m) return { x: NaN, y: NaN };
      const p = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(m.inverse());
      return { x: clamp(ix(p.x), X_RANGE[0], X_RANGE[1]), y: clamp(iy(p.y), Y_RANGE[0], Y_RANGE[1]) };
    };
    let dragging = -1;
    chart.addEventListener('pointerdown', guard(ctx, (ev: PointerEvent) => {
      const target = ev.target as Element;
      const i = target.getAttribute('data-i');
      if (i !== null) {
        dragging = Number(i);
        chart.setPointerCapture(ev.pointerId);
        return;
      }
      const p = toData(ev);
      if (!Number.isFinite(p.x)) return;
      if (points.x.length >= MAX_POINTS) throw new Error(t({ zh: `最多 ${MAX_POINTS} 个点`, en: `At most ${MAX_POINTS} points` }));
      points = { x: [...points.x, p.x], y: [...points.y, p.y] };
      pointsChanged(true);
      if (!diverged) setRunning(true);
    }));
    chart.addEventListener('pointermove', guard(ctx, (ev: PointerEvent) => {
      if (dragging < 0) return;
      const p = toData(ev);
      points.x[dragging] = p.x;
      points.y[dragging] = p.y;
      pointsChanged(false);
      if (!diverged) setRunning(true);
    }));
    const endDrag = guard(ctx, () => {
      if (dragging < 0) return;
      dragging = -1;
      pointsChanged(true);
    });
    chart.addEventListener('pointerup', endDrag);
    chart.addEventListener('pointercancel', endDrag);
    chart.addEventListener('dblclick', guard(ctx, (ev: MouseEvent) => {
      const i = (ev.target as Element).getAttribute('data-i');
      if (i === null) return;
      points = { x: points.x.filter((_, j) => j !== Number(i)), y: points.y.filter((_, j) => j !== Number(i)) };
      pointsChanged(true);
    }));

    // ---- controls
    lrInput.addEventListener('input', guard(ctx, () => {
      const v = Number((10 ** Number(lrInput.value)).toPrecision(2));
      lr = clamp(v, LR_MIN, LR_MAX);
      fit.lr = lr;
      lrText.textContent = fmt(lr, 3);
      ctx.setParam('lr', String(lr));
      // a new rate is a new run of the divergence rule
      fit.baseline = fit.loss();
      fit.stepsSinceBaseline = 0;
      if (!diverged) setRunning(true);
    }));
    playButton.addEventListener('click', guard(ctx, () => {
      if (diverged) restart();
      else setRunning(!running);
    }));
    resetButton.addEventListener('click', guard(ctx, restart));
    divergeReset.addEventListener('click', guard(ctx, () => {
      lr = DEFAULT_LR;
      fit.lr = lr;
      lrInput.value = String(Math.log10(lr));
      lrText.textContent = fmt(lr, 3);
      ctx.setParam('lr', String(lr));
      restart();
    }));
    newButton.addEventListener('click', guard(ctx, () => {
      seed++;
      ctx.setParam('seed', String(seed));
      ctx.setParam('pts', null);
      points = seededPoints(seed);
      pointsChanged(false);
      restart();
    }));
    clearButton.addEventListener('click', guard(ctx, () => {
      points = { x: [], y: [] };
      pointsChanged(true);
      restart();
    }));

    pointsChanged(false);
    fit.reset();
    render(fit.loss());
    setRunning(true);
    cleanup = () => {
      running = false;
      if (frame) cancelAnimationFrame(frame);
      frame = 0;
    };
  },
  unmount(): void {
    cleanup();
  },
};

let cleanup: () => void = () => {};

export default page;
