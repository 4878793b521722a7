/**
 * The training page's bookkeeping without a browser: a smoothed tokens/s figure from per-step
 * readings, and the loss curve thinned to at most N points so a long run still draws quickly.
 */

/** Exponential moving average of per-step tokens/s (the first reading starts it). */
export class RateMeter {
  private value = NaN;

  constructor(private readonly alpha = 0.1) {}

  add(tokensPerSecond: number): number {
    if (!Number.isFinite(tokensPerSecond) || tokensPerSecond <= 0) return this.value;
    this.value = Number.isNaN(this.value) ? tokensPerSecond : this.value + this.alpha * (tokensPerSecond - this.value);
    return this.value;
  }

  get current(): number {
    return this.value;
  }
}

/** At most `max` points: every k-th point (and always the last), k chosen so the count fits. */
export function thin(points: readonly [number, number][], max: number): [number, number][] {
  if (points.length <= max) return [...points];
  const k = Math.ceil(points.length / max);
  const out = points.filter((_, i) => i % k === 0);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]);
  return out;
}
