/**
 * The picture of KNN: flowers on two chosen features over the decision regions of a KNN classifier
 * fitted on those two features, as a self-contained SVG (no library, no fonts to fetch).
 */
import { DataError } from './check.js';
import { KNeighborsClassifier, type KnnOptions } from './knn.js';

export interface DecisionPlotOptions {
  x: number[][];
  y: number[];
  /** Class names for the legend (e.g. "setosa 山鸢尾"). */
  classes: string[];
  /** Feature names for the axes. */
  features: string[];
  /** Column on the horizontal axis. */
  fx: number;
  /** Column on the vertical axis. */
  fy: number;
  knn?: KnnOptions;
  /** Image size in pixels (default 720 × 540). */
  width?: number;
  height?: number;
  /** Grid cells across (default 160); the regions are drawn as cells. */
  resolution?: number;
  title?: string;
}

const FILL = ['#fde0c5', '#c9e4f5', '#d5ecc2', '#eadcf2', '#f9d5d3', '#fff3b0', '#d0f0ef', '#e6e6e6'];
const DOT = ['#e8590c', '#1971c2', '#2f9e44', '#9c36b5', '#c92a2a', '#e0a800', '#0c8599', '#495057'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** "Nice" tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 6): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

/**
 * The SVG text of a decision-region plot.
 * @example writeFileSync('iris.svg', knnDecisionSvg({ ...loadIris(), fx: 2, fy: 3, classes, features }))
 */
export function knnDecisionSvg(o: DecisionPlotOptions): string {
  const d = o.x[0]?.length ?? 0;
  for (const [name, f] of [['x', o.fx], ['y', o.fy]] as const) {
    if (!Number.isInteger(f) || f < 0 || f >= d) throw new DataError(`plot: ${name} feature index ${f} is out of range 0..${d - 1}`);
  }
  const W = o.width ?? 720;
  const H = o.height ?? 540;
  const R = o.resolution ?? 160;
  const m = { left: 64, right: 190, top: 40, bottom: 56 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const xs = o.x.map((r) => r[o.fx]);
  const ys = o.x.map((r) => r[o.fy]);
  const pad = (lo: number, hi: number): [number, number] => { const s = (hi - lo || 1) * 0.08; return [lo - s, hi + s]; };
  const [x0, x1] = pad(Math.min(...xs), Math.max(...xs));
  const [y0, y1] = pad(Math.min(...ys), Math.max(...ys));
  const sx = (v: number): number => m.left + ((v - x0) / (x1 - x0)) * pw;
  const sy = (v: number): number => m.top + ph - ((v - y0) / (y1 - y0)) * ph;
  const knn = new KNeighborsClassifier(o.knn).fit(o.x.map((r) => [r[o.fx], r[o.fy]]), o.y);
  const cols = R;
  const rows = Math.max(1, Math.round((R * ph) / pw));
  const grid: number[][] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) grid.push([x0 + ((c + 0.5) / cols) * (x1 - x0), y1 - ((r + 0.5) / rows) * (y1 - y0)]);
  const pred = knn.predict(grid);
  const cw = pw / cols;
  const ch = ph / rows;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  parts.push(`<g shape-rendering="crispEdges">`);
  // runs of equal cells in a row become one rectangle
  for (let r = 0; r < rows; r++) {
    let c = 0;
    while (c < cols) {
      const cls = pred[r * cols + c];
      let e = c + 1;
      while (e < cols && pred[r * cols + e] === cls) e++;
      parts.push(`<rect x="${(m.left + c * cw).toFixed(2)}" y="${(m.top + r * ch).toFixed(2)}" width="${((e - c) * cw + 0.3).toFixed(2)}" height="${(ch + 0.3).toFixed(2)}" fill="${FILL[cls % FILL.length]}"/>`);
      c = e;
    }
  }
  parts.push('</g>');
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  for (const t of ticks(x0, x1)) {
    const X = sx(t).toFixed(1);
    parts.push(`<line x1="${X}" x2="${X}" y1="${m.top + ph}" y2="${m.top + ph + 5}" stroke="#333"/><text x="${X}" y="${m.top + ph + 18}" text-anchor="middle">${t}</text>`);
  }
  for (const t of ticks(y0, y1)) {
    const Y = sy(t).toFixed(1);
    parts.push(`<line x1="${m.left - 5}" x2="${m.left}" y1="${Y}" y2="${Y}" stroke="#333"/><text x="${m.left - 8}" y="${Y}" text-anchor="end" dominant-baseline="middle">${t}</text>`);
  }
  parts.push(`<text x="${m.left + pw / 2}" y="${H - 14}" text-anchor="middle" font-size="13">${esc(o.features[o.fx] ?? `feature ${o.fx}`)}</text>`);
  parts.push(`<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="13">${esc(o.features[o.fy] ?? `feature ${o.fy}`)}</text>`);
  const k = knn.k;
  parts.push(`<text x="${m.left}" y="24" font-size="15" font-weight="bold">${esc(o.title ?? `KNN decision regions (k = ${k}, ${knn.metric}, ${knn.weights})`)}</text>`);
  o.x.forEach((_, i) => {
    parts.push(`<circle cx="${sx(xs[i]).toFixed(2)}" cy="${sy(ys[i]).toFixed(2)}" r="3.6" fill="${DOT[o.y[i] % DOT.length]}" fill-opacity="0.85" stroke="#fff" stroke-width="0.8"/>`);
  });
  o.classes.forEach((name, c) => {
    const Y = m.top + 10 + c * 24;
    const X = m.left + pw + 16;
    parts.push(`<rect x="${X}" y="${Y - 8}" width="16" height="16" fill="${FILL[c % FILL.length]}" stroke="#999"/><circle cx="${X + 8}" cy="${Y}" r="4" fill="${DOT[c % DOT.length]}"/><text x="${X + 24}" y="${Y}" dominant-baseline="middle">${esc(name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
