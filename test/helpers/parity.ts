/**
 * One tolerance for every PyTorch-parity check of a layer (the README states it): each element of
 * every output, loss and gradient within PARITY_ATOL + PARITY_RTOL·|PyTorch's value|, the largest
 * difference reported.
 */
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/index.js';

/**
 * float32 through a few dozen products and sums: measured ≤ 9.6e-7 on the RNN/LSTM/GRU fixtures.
 * The relative part keeps the bound a few float32 steps wide for the gradients larger than 1, where
 * one rounding step alone is 1.2e-7·|g|.
 */
export const PARITY_ATOL = 1e-6;
export const PARITY_RTOL = 1e-6;

/** Checks each `got[name]` against `want[name]`; returns "name: max |Δ|" for each, for t.diagnostic. */
export function assertParity(got: Record<string, Tensor>, want: Record<string, Tensor>, atol = PARITY_ATOL, rtol = PARITY_RTOL): string {
  const report: string[] = [];
  for (const [name, g] of Object.entries(got)) {
    const w = want[name];
    assert.ok(w, `${name}: not in the fixture`);
    assert.deepEqual([...g.shape], [...w.shape], `${name}: shape`);
    const x = g.contiguousData();
    const y = w.contiguousData();
    let worst = 0;
    for (let i = 0; i < x.length; i++) {
      const d = Math.abs(x[i] - y[i]);
      if (!(d <= worst)) worst = d;
      assert.ok(d <= atol + rtol * Math.abs(y[i]), `${name}: element ${i}: got ${x[i]}, PyTorch ${y[i]} (|Δ| ${d.toExponential(2)} > ${atol} + ${rtol}·|PyTorch|)`);
    }
    report.push(`${name}: ${worst.toExponential(1)}`);
  }
  return report.join(', ');
}
