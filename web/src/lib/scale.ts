/**
 * The arithmetic of the playground's charts, kept apart from the DOM so Node tests can check it:
 * linear scales, round tick values, and the heatmap colour scales.
 */

/** A linear map from [d0, d1] to [r0, r1]; a zero-width domain maps to the middle of the range. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (!(d1 !== d0)) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/** About `count` round tick values (1, 2, 5 × 10^k steps) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Linear interpolation between two RGB colours, t in [0, 1]. */
function mix(a: readonly number[], b: readonly number[], t: number): string {
  const c = a.map((x, i) => Math.round(x + (b[i] - x) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

const WHITE = [255, 255, 255];
const BLUE = [33, 102, 172];
const RED = [178, 24, 43];

/** 0 → white, 1 → dark blue (values outside [0, 1] are clamped; NaN is grey). For probabilities, gates, attention. */
export function sequentialColor(v: number): string {
  if (Number.isNaN(v)) return 'rgb(200,200,200)';
  return mix(WHITE, BLUE, Math.min(1, Math.max(0, v)));
}

/** −1 → red, 0 → white, 1 → blue (clamped). For hidden states (tanh outputs) and cell states. */
export function divergingColor(v: number): string {
  if (Number.isNaN(v)) return 'rgb(200,200,200)';
  const t = Math.min(1, Math.max(-1, v));
  return t < 0 ? mix(WHITE, RED, -t) : mix(WHITE, BLUE, t);
}

/** The largest |v| of an array (at least `floor`), to scale a diverging map. */
export function maxAbs(values: ArrayLike<number>, floor = 1e-6): number {
  let m = floor;
  for (let i = 0; i < values.length; i++) if (Math.abs(values[i]) > m) m = Math.abs(values[i]);
  return m;
}

/** A number for a chart label: 3 significant digits, no exponent for ordinary sizes. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return Number(v.toPrecision(3)).toString();
}
