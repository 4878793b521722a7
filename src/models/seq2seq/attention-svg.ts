/**
 * The picture of encoder-decoder attention: which Chinese token each English word looked at while it
 * was chosen. A heatmap, rows = English target pieces (top to bottom, in the order generated),
 * columns = Chinese source tokens, darker = more attention; each row's strongest cell is outlined.
 * A self-contained SVG (no library, no fonts to fetch), in the style of src/classic/plot.ts.
 */
import type { AttentionMatrix } from './translate.js';

export interface AttentionSvgOptions {
  /** First title line, e.g. "我正在吃饭 → I'm eating." */
  title?: string;
  /** Second title line (default: what the weights are). */
  subtitle?: string;
  /** Cell size in pixels (default 40). */
  cell?: number;
  /** Print each weight in its cell (default: when cells are at least 30 px). */
  values?: boolean;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Rough text width in pixels at 13 px: wide (CJK, emoji) characters count double. */
function textWidth(s: string, size = 13): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f000}-\u{3ffff}]/u.test(ch) ? size : size * 0.6;
  return w;
}

/** White → dark blue, by weight in [0, 1]. */
function color(w: number): string {
  const t = Math.max(0, Math.min(1, w));
  const from = [255, 255, 255];
  const to = [8, 48, 107]; // #08306b
  const c = from.map((f, i) => Math.round(f + (to[i] - f) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/**
 * The SVG text of an attention heatmap.
 * @example writeFileSync('attention.svg', attentionSvg(result.attention!, { title: `${result.source} → ${result.translation}` }))
 */
export function attentionSvg(a: AttentionMatrix, options: AttentionSvgOptions = {}): string {
  const rows = a.targetTokens.length;
  const cols = a.sourceTokens.length;
  if (a.weights.length !== rows) throw new Error(`attentionSvg: ${a.weights.length} rows of weights for ${rows} target tokens`);
  a.weights.forEach((r, i) => {
    if (r.length !== cols) throw new Error(`attentionSvg: row ${i} has ${r.length} weights for ${cols} source tokens`);
  });
  const cell = options.cell ?? 40;
  const showValues = options.values ?? cell >= 30;
  const subtitle = options.subtitle ?? 'encoder-decoder attention (heads averaged): rows = English pieces, columns = Chinese tokens; outlined = where each row looked most';
  const rotate = a.sourceTokens.some((t) => textWidth(t) > cell - 4);
  const colLabel = rotate ? Math.min(160, Math.max(...a.sourceTokens.map((t) => textWidth(t)), 0) * 0.75 + 16) : 24;
  const titleH = (options.title ? 24 : 0) + 20;
  const left = Math.max(40, Math.min(220, Math.max(...a.targetTokens.map((t) => textWidth(t)), 0) + 20));
  const top = 12 + titleH + colLabel;
  const legendW = 70;
  const gridW = cols * cell;
  const gridH = rows * cell;
  const W = Math.ceil(Math.max(left + gridW + legendW, textWidth(subtitle, 12) + 24, options.title ? textWidth(options.title, 15) + 24 : 0));
  const H = Math.ceil(top + Math.max(gridH, 120) + 24);
  const p: string[] = [];
  p.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="13">`);
  p.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  let y = 12;
  if (options.title) {
    y += 16;
    p.push(`<text class="title" x="12" y="${y}" font-size="15" font-weight="bold">${esc(options.title)}</text>`);
    y += 8;
  }
  p.push(`<text class="subtitle" x="12" y="${y + 14}" font-size="12" fill="#555">${esc(subtitle)}</text>`);
  // column labels (Chinese tokens)
  a.sourceTokens.forEach((t, j) => {
    const cx = left + j * cell + cell / 2;
    if (rotate) p.push(`<text class="source" x="${cx}" y="${top - 6}" transform="rotate(-45 ${cx} ${top - 6})">${esc(t)}</text>`);
    else p.push(`<text class="source" x="${cx}" y="${top - 8}" text-anchor="middle">${esc(t)}</text>`);
  });
  // row labels (English pieces)
  a.targetTokens.forEach((t, i) => {
    p.push(`<text class="target" x="${left - 8}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${esc(t)}</text>`);
  });
  // cells
  p.push('<g shape-rendering="crispEdges">');
  a.weights.forEach((row, i) => {
    row.forEach((w, j) => {
      const label = `${a.targetTokens[i]} → ${a.sourceTokens[j]}: ${w.toFixed(3)}`;
      p.push(`<rect class="cell" data-row="${i}" data-col="${j}" data-weight="${w.toFixed(4)}" x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${color(w)}"><title>${esc(label)}</title></rect>`);
    });
  });
  p.push('</g>');
  if (showValues) {
    a.weights.forEach((row, i) => {
      row.forEach((w, j) => {
        if (w < 0.005) return;
        p.push(`<text class="value" x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle" font-size="11" fill="${w > 0.5 ? '#fff' : '#333'}">${w.toFixed(2).replace(/^0/, '')}</text>`);
      });
    });
  }
  // each row's strongest column
  a.weights.forEach((row, i) => {
    if (row.length === 0) return;
    let best = 0;
    for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
    p.push(`<rect class="argmax" data-row="${i}" data-col="${best}" x="${left + best * cell + 1}" y="${top + i * cell + 1}" width="${cell - 2}" height="${cell - 2}" fill="none" stroke="#e8590c" stroke-width="2"/>`);
  });
  p.push(`<rect x="${left}" y="${top}" width="${gridW}" height="${gridH}" fill="none" stroke="#999"/>`);
  // legend: a vertical gradient from 0 (bottom) to 1 (top)
  const lx = left + gridW + 20;
  const lh = Math.max(gridH, 120);
  p.push('<defs><linearGradient id="attention-scale" x1="0" y1="1" x2="0" y2="0">');
  p.push(`<stop offset="0" stop-color="${color(0)}"/><stop offset="1" stop-color="${color(1)}"/>`);
  p.push('</linearGradient></defs>');
  p.push(`<rect class="legend" x="${lx}" y="${top}" width="14" height="${lh}" fill="url(#attention-scale)" stroke="#999"/>`);
  p.push(`<text x="${lx + 20}" y="${top + 10}" font-size="11">1</text>`);
  p.push(`<text x="${lx + 20}" y="${top + lh}" font-size="11">0</text>`);
  p.push('</svg>');
  return p.join('\n') + '\n';
}
