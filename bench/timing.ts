/** Timing: warm up, then the median of repeated runs (each run long enough to be measured). */

export interface Timing {
  /** Median seconds per call. */
  seconds: number;
  runs: number;
}

/** Times `fn` (sync or async): `warmup` calls, then at least `minRuns` timed calls or `minSeconds` of timing. */
export async function time(fn: () => unknown, opts: { warmup?: number; minRuns?: number; minSeconds?: number; maxRuns?: number } = {}): Promise<Timing> {
  const { warmup = 2, minRuns = 5, minSeconds = 1, maxRuns = 200 } = opts;
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < maxRuns && (samples.length < minRuns || performance.now() - start < minSeconds * 1000)) {
    const t0 = performance.now();
    await fn();
    samples.push((performance.now() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  return { seconds: samples[Math.floor(samples.length / 2)], runs: samples.length };
}
