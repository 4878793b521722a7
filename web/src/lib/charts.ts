/**
 * The playground's charts in plain SVG (no library: a line chart, bars and a heatmap are a few dozen
 * lines each, and plain SVG stays crisp at any zoom and on a phone).
 */
import { el, svg } from '../page.js';
import { divergingColor, fmt, linearScale, niceTicks, sequentialColor } from './scale.js';

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
}

/** A line chart of one or more series into `host` (replacing what it held). */
export function lineChart(host: Element, series: Series[], o: { xLabel: string; yLabel: string; width?: number; height?: number }): void {
  const W = o.width ?? 560;
  const H = o.height ?? 200;
  const m = { l: 46, r: 10, t: 10, b: 30 };
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart pg-chart', role: 'img', 'aria-label': o.yLabel });
  if (all.length === 0) {
    root.append(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' }, '—'));
    host.replaceChildren(root);
    return;
  }
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  const y0 = Math.min(0, ...ys);
  const y1 = Math.max(...ys, y0 + 1e-6);
  const sx = linearScale(x0, x1, m.l, W - m.r);
  const sy = linearScale(y0, y1, H - m.b, m.t);
  for (const t of niceTicks(y0, y1, 4)) {
    root.append(svg('line', { x1: m.l, x2: W - m.r, y1: sy(t), y2: sy(t), stroke: '#e3e7ee' }));
    root.append(svg('text', { x: m.l - 4, y: sy(t) + 4, 'text-anchor': 'end' }, fmt(t)));
  }
  for (const t of niceTicks(x0, x1, 6)) root.append(svg('text', { x: sx(t), y: H - m.b + 14, 'text-anchor': 'middle' }, fmt(t)));
  root.append(svg('text', { x: (m.l + W - m.r) / 2, y: H - 3, 'text-anchor': 'middle' }, o.xLabel));
  root.append(svg('text', { x: 10, y: m.t + 2, 'text-anchor': 'start', 'dominant-baseline': 'hanging' }, ''));
  series.forEach((s, i) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length === 0) return;
    root.append(svg('polyline', { points: pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' '), fill: 'none', stroke: s.color, 'stroke-width': 1.8 }));
    root.append(svg('text', { x: W - m.r - 4, y: m.t + 12 + i * 14, 'text-anchor': 'end', style: `fill:${s.color}` }, `${s.name} ${fmt(pts[pts.length - 1][1])}`));
  });
  host.replaceChildren(root, el('div', { class: 'pg-axis' }, o.yLabel));
}

/** Horizontal probability bars: label, bar, value. */
export function bars(items: { label: string; value: number; strong?: boolean }[], o: { color: string; max?: number; testid?: string }): HTMLElement {
  const max = o.max ?? Math.max(1e-9, ...items.map((i) => i.value));
  const box = el('div', { class: 'pg-bars', 'data-testid': o.testid });
  for (const it of items) {
    const w = Math.max(0, Math.min(1, it.value / max)) * 100;
    box.append(el('div', { class: 'pg-bar-row' + (it.strong ? ' pg-strong' : '') },
      el('span', { class: 'pg-bar-label', title: it.label }, it.label),
      el('span', { class: 'pg-bar-track' }, el('span', { class: 'pg-bar', style: `width:${w.toFixed(1)}%;background:${o.color}` })),
      el('span', { class: 'pg-bar-value mono' }, it.value.toFixed(3))));
  }
  return box;
}

export interface HeatmapOptions {
  rows: string[];
  cols: string[];
  /** value(r, c) */
  value: (r: number, c: number) => number;
  /** 'seq': 0…1 white→blue; 'div': −scale…scale red→white→blue. */
  palette: 'seq' | 'div';
  /** For 'div': the value drawn darkest (default 1). */
  scale?: number;
  cell?: { w: number; h: number };
  /** Show row labels (off for hundreds of hidden units). */
  rowLabels?: boolean;
  title?: string;
  testid?: string;
  /** Called with the hovered cell (or null when the pointer leaves). */
  onHover?: (cell: { r: number; c: number } | null) => void;
}

/** A heatmap as SVG: columns left to right (time steps, source words), rows top to bottom. */
export function heatmap(o: HeatmapOptions): SVGSVGElement {
  const cw = o.cell?.w ?? 22;
  const ch = o.cell?.h ?? 22;
  const showRows = o.rowLabels ?? true;
  const left = showRows ? Math.min(110, 8 + 7 * Math.max(1, ...o.rows.map((r) => r.length))) : 6;
  const top = 8 + 7 * Math.min(14, Math.max(1, ...o.cols.map((c) => c.length)));
  const W = left + cw * o.cols.length + 4;
  const H = top + ch * o.rows.length + 4;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'pg-heatmap', role: 'img', 'aria-label': o.title ?? 'heatmap', 'data-testid': o.testid });
  const scale = o.scale ?? 1;
  const color = (v: number): string => (o.palette === 'seq' ? sequentialColor(v) : divergingColor(v / scale));
  o.cols.forEach((c, j) => {
    root.append(svg('text', { x: left + j * cw + cw / 2, y: top - 4, transform: `rotate(-60 ${left + j * cw + cw / 2} ${top - 4})`, class: 'pg-col-label' }, c.length > 14 ? c.slice(0, 13) + '…' : c));
  });
  if (showRows) o.rows.forEach((r, i) => root.append(svg('text', { x: left - 4, y: top + i * ch + ch / 2 + 4, 'text-anchor': 'end', class: 'pg-row-label' }, r)));
  for (let i = 0; i < o.rows.length; i++) {
    for (let j = 0; j < o.cols.length; j++) {
      const v = o.value(i, j);
      const rect = svg('rect', { x: left + j * cw, y: top + i * ch, width: cw - (cw > 6 ? 1 : 0), height: ch - (ch > 6 ? 1 : 0), fill: color(v), 'data-r': i, 'data-c': j });
      rect.append(svg('title', {}, `${o.rows[i]} · ${o.cols[j]}: ${fmt(v)}`));
      root.append(rect);
    }
  }
  if (o.onHover) {
    const hover = o.onHover;
    root.addEventListener('pointerover', (ev) => {
      const t = ev.target as Element;
      if (t.tagName === 'rect') hover({ r: Number(t.getAttribute('data-r')), c: Number(t.getAttribute('data-c')) });
    });
    root.addEventListener('pointerleave', () => hover(null));
  }
  return root;
}

let styled = false;

/** The styles of the charts and of pages 3–5 (the shell's style.css has the common ones). */
export function ensureStyles(): void {
  if (styled || typeof document === 'undefined') return;
  styled = true;
  document.head.append(el('style', {}, `
.pg-axis { font-size: .75rem; color: var(--muted); margin-top: -.2rem; }
.pg-bars { display: grid; gap: 2px; font-size: .85rem; }
.pg-bar-row { display: grid; grid-template-columns: minmax(4em, 9em) 1fr 3.6em; gap: .4rem; align-items: center; }
.pg-bar-row.pg-strong .pg-bar-label { font-weight: 700; }
.pg-bar-label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; text-align: right; }
.pg-bar-track { background: #eef1f5; border-radius: 3px; height: .9em; display: block; }
.pg-bar { display: block; height: 100%; border-radius: 3px; }
.pg-bar-value { text-align: right; color: var(--muted); }
.pg-heatmap { display: block; max-width: none; }
.pg-maps { display: flex; flex-wrap: wrap; gap: .5rem 1.2rem; align-items: flex-start; }
.pg-chart { max-width: 640px; }
.pg-heatmap text { font-size: 11px; fill: var(--fg); }
.pg-scroll { overflow-x: auto; max-width: 100%; }
.pg-two { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 1rem; }
.pg-tokens { display: flex; flex-wrap: wrap; gap: .25rem; }
.pg-token { padding: .1rem .35rem; border: 1px solid var(--line); border-radius: 4px; background: #f4f6f9; font-family: ui-monospace, monospace; cursor: default; }
.pg-token.pg-hot { background: #dbe7fb; border-color: var(--accent); }
.pg-steps { border-collapse: collapse; font-size: .85rem; }
.pg-steps td, .pg-steps th { padding: .15rem .4rem; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
.pg-chosen { font-weight: 700; color: var(--accent); }
.pg-status { color: var(--muted); font-size: .9rem; min-height: 1.2em; }
.card + .card, .pg-gap { margin-top: 1rem; }
textarea.pg-input { width: 100%; min-height: 3em; font: inherit; padding: .4rem; border: 1px solid var(--line); border-radius: 6px; }
input.pg-wide { width: min(28em, 100%); }
`));
}
