/**
 * The picture of the memory experiment: accuracy against distance, one colour per model (solid: the
 * right food; dotted: a food of an animal in the story), with the two chance levels dashed — a
 * self-contained SVG (no library, no fonts to fetch).
 */
import type { MemoryExperimentResult } from './experiment.js';
import type { DistanceResult, GradientResult } from './distance.js';
import type { ParallelResult } from './parallel.js';

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

// ---------------------------------------------------------------------------------------------
// The sequence claims: gradient curves, accuracy by distance with its spread, time and depth by T
// ---------------------------------------------------------------------------------------------

/** One line of a chart: points (x, y), its colour and dash pattern, and its legend label. */
interface Series {
  points: [number, number][];
  color: string;
  dash?: string;
  label: string;
  /** A band around the line (min … max), drawn lightly behind it. */
  band?: { x: number; lo: number; hi: number }[];
  dots?: boolean;
}

interface Axis {
  log: boolean;
  min: number;
  max: number;
  label: string;
  /** Tick values; formatted with `format`. */
  ticks: number[];
  format: (v: number) => string;
}

/** A chart panel at (x0, y0) of size w × h: grid, axes, ticks, lines. Returns SVG elements. */
function panel(x0: number, y0: number, w: number, h: number, ax: Axis, ay: Axis, series: Series[], title?: string): string[] {
  const t = (a: Axis, v: number): number => (a.log ? (Math.log10(v) - Math.log10(a.min)) / (Math.log10(a.max) - Math.log10(a.min)) : (v - a.min) / (a.max - a.min));
  const X = (v: number): number => x0 + t(ax, v) * w;
  const Y = (v: number): number => y0 + h - t(ay, Math.min(ay.max, Math.max(ay.min, v))) * h;
  const p: string[] = [];
  if (title) p.push(`<text x="${x0}" y="${y0 - 10}" font-size="13" font-weight="bold">${esc(title)}</text>`);
  for (const v of ay.ticks) {
    p.push(`<line x1="${x0}" x2="${x0 + w}" y1="${Y(v).toFixed(1)}" y2="${Y(v).toFixed(1)}" stroke="#e9ecef"/>`);
    p.push(`<text x="${x0 - 6}" y="${Y(v).toFixed(1)}" text-anchor="end" dominant-baseline="middle" font-size="11">${esc(ay.format(v))}</text>`);
  }
  for (const v of ax.ticks) {
    p.push(`<line x1="${X(v).toFixed(1)}" x2="${X(v).toFixed(1)}" y1="${y0 + h}" y2="${y0 + h + 5}" stroke="#333"/>`);
    p.push(`<text x="${X(v).toFixed(1)}" y="${y0 + h + 18}" text-anchor="middle" font-size="11">${esc(ax.format(v))}</text>`);
  }
  p.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#333"/>`);
  p.push(`<text x="${x0 + w / 2}" y="${y0 + h + 38}" text-anchor="middle" font-size="12">${esc(ax.label)}</text>`);
  p.push(`<text transform="translate(${x0 - 52} ${y0 + h / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(ay.label)}</text>`);
  for (const s of series) {
    if (s.band && s.band.length > 1) {
      const top = s.band.map((b) => `${X(b.x).toFixed(1)},${Y(b.hi).toFixed(1)}`);
      const bottom = s.band.map((b) => `${X(b.x).toFixed(1)},${Y(b.lo).toFixed(1)}`).reverse();
      p.push(`<polygon points="${[...top, ...bottom].join(' ')}" fill="${s.color}" fill-opacity="0.15" stroke="none"/>`);
    }
  }
  for (const s of series) {
    const pts = s.points.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`);
    p.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    if (s.dots) for (const pt of pts) { const [x, y] = pt.split(','); p.push(`<circle cx="${x}" cy="${y}" r="3.5" fill="${s.color}" stroke="#fff"/>`); }
  }
  return p;
}

function legend(x: number, y: number, series: Series[]): string[] {
  return series.flatMap((s, i) => {
    const Y = y + i * 18;
    return [
      `<line x1="${x}" x2="${x + 24}" y1="${Y}" y2="${Y}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
      `<text x="${x + 30}" y="${Y}" dominant-baseline="middle" font-size="11">${esc(s.label)}</text>`,
    ];
  });
}

function svgDoc(W: number, H: number, title: string, subtitle: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="20" y="24" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<text x="20" y="42" fill="#495057">${esc(subtitle)}</text>`,
    ...body, '</svg>',
  ].join('\n') + '\n';
}

const pow10Ticks = (lo: number, hi: number, every = 1): number[] => {
  const out: number[] = [];
  for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e += every) out.push(10 ** e);
  return out;
};
const expFmt = (v: number): string => (v >= 0.01 && v <= 1000 ? String(v) : `1e${Math.round(Math.log10(v))}`);
const niceTicks = (max: number, n = 5): number[] => {
  const step = [1, 2, 2.5, 5, 10].map((m) => m * 10 ** Math.floor(Math.log10(max / n))).find((s) => max / s <= n + 1)!;
  return Array.from({ length: Math.floor(max / step) + 1 }, (_, i) => i * step);
};

/**
 * ‖∂h_T/∂x_{T−d}‖ against d on a log scale: solid after training, dashed untrained; the LSTM's Π f
 * dotted. Zeros (float32 underflow) sit on the floor of the chart.
 */
export function gradientSvg(r: GradientResult): string {
  const floor = 1e-40;
  const all = r.models.flatMap((m) => [...m.untrained, ...m.trained, ...m.animalTrained]).filter((v) => v > 0);
  const top = 10 ** Math.ceil(Math.log10(Math.max(10, ...all)));
  const series: Series[] = [];
  for (const m of r.models) {
    const color = COLOR[m.kind] ?? '#495057';
    const pts = (ys: number[]): [number, number][] => ys.map((v, d) => [d, Math.max(floor, v)]);
    if (m.trained.length) series.push({ points: pts(m.trained), color, label: `${NAME[m.kind]}, trained ${r.options.steps} steps` });
    series.push({ points: pts(m.untrained), color, dash: '6 4', label: `${NAME[m.kind]}, untrained` });
    const animal = m.animalTrained.length ? m.animalTrained : m.animalUntrained;
    if (animal.length) {
      series.push({ points: animal.map((v, i) => [m.animalLags[i], Math.max(floor, v)] as [number, number]), color, dash: '1 3', dots: true, label: `${NAME[m.kind]}: the animal word, ${m.animalTrained.length ? 'trained' : 'untrained'}` });
    }
    if (m.forgetGate) series.push({ points: pts(m.forgetGate.retained), color: '#0b7285', dash: '2 3', label: 'LSTM (trained): mean Π f, the cell path' });
  }
  const maxLag = r.options.maxLag;
  const H = Math.max(480, 120 + series.length * 18);
  const ax: Axis = { log: false, min: 0, max: maxLag, label: 'distance d back from the last word', ticks: niceTicks(maxLag), format: String };
  const ay: Axis = { log: true, min: floor, max: top, label: '‖∂h_T / ∂x_{T−d}‖ (log scale)', ticks: pow10Ticks(floor, top, 5), format: expFmt };
  return svgDoc(960, H, 'Forgetting, directly: how much the last state still depends on the word d steps back',
    `lines: the word at d in ${r.options.stories} stories of ${maxLag + 1} words; dots: the animal word at d; Jacobian norm (Frobenius); 0 (float32 underflow) drawn at ${expFmt(floor)}; seed ${r.options.seed}`,
    [...panel(80, 70, 520, 340, ax, ay, series), ...legend(630, 80, series)]);
}

/** Accuracy against distance: the mean over seeds as a line, the seeds' min … max as a band, chance dashed. */
export function distanceSvg(r: DistanceResult): string {
  const o = r.options;
  const series: Series[] = r.models.map((m) => ({
    points: o.distances.map((d, i) => [d, m.mean[i]] as [number, number]), color: COLOR[m.kind] ?? '#495057', dots: true,
    band: o.distances.map((d, i) => ({ x: d, lo: m.min[i], hi: m.max[i] })), label: `${NAME[m.kind]} (${m.parameters.toLocaleString('en')} parameters)`,
  }));
  const maxD = Math.max(...o.distances);
  const chance: Series = { points: [[0, r.chance], [maxD, r.chance]], color: '#868e96', dash: '5 4', label: `chance (${(r.chance * 100).toFixed(1)}%)` };
  const ax: Axis = { log: false, min: 0, max: maxD, label: 'filler words d between "<name> is a <animal>." and the question', ticks: niceTicks(maxD), format: String };
  const ay: Axis = { log: false, min: 0, max: 1.05, label: 'accuracy (the right food first)', ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], format: (v) => `${Math.round(v * 100)}%` };
  return svgDoc(900, 480, 'Forgetting, behaviourally: "Tom is a cat. … Tom\'s favorite food is" → fish',
    `${o.steps} steps × ${o.batchSize} stories per model (same batches), d ${o.draw} in 0…${o.maxD}; line: mean of seeds ${o.seeds.join(', ')}; band: min…max; ${o.testExamples} stories per d`,
    [...panel(80, 70, 520, 340, ax, ay, [chance, ...series]), ...legend(630, 90, [...series, chance])]);
}

/**
 * Two panels: milliseconds of one training step per sequence against T (log–log; solid batch 1,
 * dashed the large batch), and the sequential depth against T.
 */
export function parallelSvg(r: ParallelResult): string {
  const o = r.options;
  const Ts = [...new Set(r.rows.map((x) => x.T))].sort((a, b) => a - b);
  const ms = r.rows.map((x) => x.msPerSequence);
  const yLo = 10 ** Math.floor(Math.log10(Math.min(...ms)));
  const yHi = 10 ** Math.ceil(Math.log10(Math.max(...ms)));
  const ax: Axis = { log: true, min: Ts[0] / 1.3, max: Ts[Ts.length - 1] * 1.3, label: 'sequence length T (log scale)', ticks: Ts, format: String };
  const time: Series[] = [];
  for (const kind of o.models) {
    for (const B of [1, o.largeBatch]) {
      const rows = r.rows.filter((x) => x.kind === kind && x.B === B).sort((a, b) => a.T - b.T);
      if (rows.length) time.push({ points: rows.map((x) => [x.T, x.msPerSequence]), color: COLOR[kind], dash: B === 1 ? undefined : '6 4', dots: true, label: `${NAME[kind]}, batch ${B}` });
    }
  }
  const ayT: Axis = { log: true, min: yLo, max: yHi, label: 'ms per sequence (one training step / B)', ticks: pow10Ticks(yLo, yHi), format: expFmt };
  const depth: Series[] = o.models.map((kind) => {
    const rows = r.rows.filter((x) => x.kind === kind && x.B === 1).sort((a, b) => a.T - b.T);
    return { points: rows.map((x) => [x.T, x.depth]), color: COLOR[kind], dots: true, label: NAME[kind] };
  });
  const dHi = 10 ** Math.ceil(Math.log10(Math.max(...r.rows.map((x) => x.depth))));
  const ayD: Axis = { log: true, min: 1, max: dHi, label: 'matrix products on the critical path', ticks: pow10Ticks(1, dHi), format: expFmt };
  const load = r.load ? `; load average ${r.load.before[0].toFixed(1)} → ${r.load.after[0].toFixed(1)} (relative figures)` : '';
  return svgDoc(1000, 500, 'Parallel training: time per sequence (measured, 2 CPU cores) and sequential depth (counted)',
    `median of ${o.repeats} interleaved rounds per shape${load}`,
    [...panel(80, 80, 380, 330, ax, ayT, time, 'time per sequence'), ...panel(560, 80, 260, 330, ax, ayD, depth, o.models.filter((k) => k !== 'transformer').length > 1 ? 'sequential depth (recurrent kinds coincide)' : 'sequential depth (forward pass)'),
      ...legend(840, 100, time)]);
}
