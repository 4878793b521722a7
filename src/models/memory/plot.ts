/**
 * The picture of the memory experiment: accuracy against distance, one colour per model (solid: the
 * right food; dotted: a food of an animal in the story), with the two chance levels dashed — a
 * self-contained SVG (no library, no fonts to fetch).
 */
import type { MemoryExperimentResult } from './experiment.js';

const COLOR: Record<string, string> = { rnn: '#e8590c', lstm: '#1971c2', gru: '#9c36b5', transformer: '#2f9e44' };
const NAME: Record<string, string> = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU', transformer: 'Transformer' };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The SVG text: distances evenly spaced along x (labelled with their values), accuracy 0–100 % on y,
 * the legend (models, line styles, chance levels) on the right.
 * @example writeFileSync('memory.svg', memorySvg(result))
 */
export function memorySvg(r: MemoryExperimentResult, options: { width?: number; height?: number; title?: string } = {}): string {
  const W = options.width ?? 780;
  const H = options.height ?? 460;
  const m = { left: 64, right: 250, top: 62, bottom: 58 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const head = 10; // room above 100 % so lines there stay off the frame
  const n = r.distances.length;
  const sx = (i: number): number => m.left + 14 + (n === 1 ? (pw - 28) / 2 : (i / (n - 1)) * (pw - 28));
  const sy = (acc: number): number => m.top + ph - acc * (ph - head);
  const p: string[] = [];
  p.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  p.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  p.push(`<text x="${m.left}" y="24" font-size="14" font-weight="bold">${esc(options.title ?? 'Remembering across distance: "<name> is a <animal>." … "<name>\'s food is"')}</text>`);
  p.push(`<text x="${m.left}" y="44" fill="#495057">${esc(`${r.bindings} name${r.bindings > 1 ? 's' : ''} per story; ${r.options.testExamples} fresh stories per distance; ${r.models[0]?.steps ?? 0} training steps per model`)}</text>`);
  // grid and y axis
  for (let t = 0; t <= 10; t += 2) {
    const Y = sy(t / 10).toFixed(1);
    p.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${Y}" y2="${Y}" stroke="#e9ecef"/>`);
    p.push(`<text x="${m.left - 8}" y="${Y}" text-anchor="end" dominant-baseline="middle">${t * 10}%</text>`);
  }
  r.distances.forEach((d, i) => {
    const X = sx(i).toFixed(1);
    p.push(`<line x1="${X}" x2="${X}" y1="${m.top + ph}" y2="${m.top + ph + 5}" stroke="#333"/><text x="${X}" y="${m.top + ph + 18}" text-anchor="middle">${d}</text>`);
  });
  p.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  p.push(`<text x="${m.left + pw / 2}" y="${H - 14}" text-anchor="middle" font-size="13">filler words d (evenly spaced, not to scale)</text>`);
  p.push(`<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="13">share of stories</text>`);
  // chance levels
  const chance: [number, string][] = [[r.chance.food, `chance, any food (${(r.chance.food * 100).toFixed(1)}%)`]];
  if (r.bindings > 1) chance.unshift([r.chance.binding, `chance, no who-is-who (${(r.chance.binding * 100).toFixed(0)}%)`]);
  for (const [v] of chance) p.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${sy(v).toFixed(1)}" y2="${sy(v).toFixed(1)}" stroke="#868e96" stroke-dasharray="5 4"/>`);
  // one colour per model: solid the right food, dotted a food of the story
  const X = m.left + pw + 18;
  r.models.forEach((model, k) => {
    const color = COLOR[model.kind] ?? '#495057';
    const pts = model.accuracy.map((a, i) => `${sx(i).toFixed(1)},${sy(a).toFixed(1)}`);
    // dotted lines often coincide (two models at 100%): nudge each by a pixel or two so all show
    const nudge = (k - (r.models.length - 1) / 2) * 2.5;
    const mem = model.inStory.map((a, i) => `${sx(i).toFixed(1)},${(sy(a) + nudge).toFixed(1)}`);
    p.push(`<polyline points="${mem.join(' ')}" fill="none" stroke="${color}" stroke-width="2" stroke-dasharray="2 3"/>`);
    p.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="2.5"/>`);
    for (const pt of pts) {
      const [x, y] = pt.split(',');
      p.push(`<circle cx="${x}" cy="${y}" r="4" fill="${color}" stroke="#fff" stroke-width="1"/>`);
    }
    const Y = m.top + 8 + k * 40;
    p.push(`<line x1="${X}" x2="${X + 22}" y1="${Y}" y2="${Y}" stroke="${color}" stroke-width="2.5"/><circle cx="${X + 11}" cy="${Y}" r="4" fill="${color}"/>`);
    p.push(`<text x="${X + 30}" y="${Y}" dominant-baseline="middle">${esc(NAME[model.kind] ?? model.kind)}</text>`);
    p.push(`<text x="${X + 30}" y="${Y + 15}" dominant-baseline="middle" fill="#666" font-size="11">${model.parameters.toLocaleString('en')} parameters</text>`);
  });
  let Y = m.top + 8 + r.models.length * 40 + 6;
  p.push(`<line x1="${X}" x2="${X + 22}" y1="${Y}" y2="${Y}" stroke="#495057" stroke-width="2.5"/><text x="${X + 30}" y="${Y}" dominant-baseline="middle" font-size="11">right food (who is who)</text>`);
  Y += 18;
  p.push(`<line x1="${X}" x2="${X + 22}" y1="${Y}" y2="${Y}" stroke="#495057" stroke-width="2" stroke-dasharray="2 3"/><text x="${X + 30}" y="${Y}" dominant-baseline="middle" font-size="11">a food of the story's animals</text>`);
  for (const [, label] of chance) {
    Y += 18;
    p.push(`<line x1="${X}" x2="${X + 22}" y1="${Y}" y2="${Y}" stroke="#868e96" stroke-dasharray="5 4"/><text x="${X + 30}" y="${Y}" dominant-baseline="middle" font-size="11" fill="#495057">${esc(label)}</text>`);
  }
  p.push('</svg>');
  return p.join('\n') + '\n';
}
