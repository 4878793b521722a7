/** What every benchmark workload provides, and the one JSON line each measurement becomes. */

export interface Measurement {
  workload: string;
  lib: string;
  value: number;
  unit: string;
  threads: number;
  /** W1: "MxKxN". */
  shape?: string;
  /** W1: which operands are read transposed ("nn", "tn", "nt", "tt"). */
  trans?: string;
  /** W7: the model's parameter count, so two libraries are seen to train the same model. */
  params?: number;
  /** W7: FLOPs of the matmuls one training step runs (2·m·k·n each, forward and backward), counted at the kernels. */
  flopsPerStep?: number;
}

export interface Workload {
  id: string;
  unit: string;
  /** Whether a bigger value is better (throughput) or worse (latency). */
  higherIsBetter: boolean;
  /** Libraries this workload can run on. */
  libs: string[];
  /**
   * Libraries of `libs` that a run without --lib leaves out, each with the reason (e.g. minutes per
   * step); naming one with --lib runs it all the same.
   */
  skip?: Record<string, string>;
  /** Lines printed under the table when this workload ran (e.g. shapes a library leaves out). */
  notes?: string[];
  run(lib: string): Promise<Measurement[]>;
}
